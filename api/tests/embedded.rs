//! `carbot serve` with no DATABASE_URL: its own PostgreSQL cluster, migrations, the demo
//! workshop, a clean stop on SIGTERM, and everything still there after a restart.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

struct Server {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
    /// Everything the process printed so far.
    output: Vec<String>,
}

fn start(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carbot"))
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("CARBOT_DATA_DIR", data_dir)
        .env("CARBOT_ADDR", "127.0.0.1:0")
        .env("CARBOT_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting carbot");
    let (sender, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut server = Server {
        child,
        addr: String::new(),
        lines,
        output: Vec::new(),
    };
    server.addr = server
        .wait_for(|line| {
            let event: Value = serde_json::from_str(line).ok()?;
            (event["message"] == "CarBot is listening")
                .then(|| event["addr"].as_str().map(str::to_owned))
                .flatten()
        })
        .expect("the server reports its address");
    server
}

impl Server {
    fn wait_for<T>(&mut self, mut found: impl FnMut(&str) -> Option<T>) -> Option<T> {
        if let Some(value) = self.output.iter().find_map(|line| found(line)) {
            return Some(value);
        }
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(60)) {
            self.output.push(line.clone());
            if let Some(value) = found(&line) {
                return Some(value);
            }
        }
        None
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
        let status = self.child.wait().expect("exit status");
        self.output.extend(self.lines.try_iter());
        (status, self.output)
    }
}

fn demo_login(output: &[String]) -> Option<(String, String)> {
    let line = output.iter().find(|l| l.contains("Sign in with"))?;
    let mut words = line.split_whitespace().skip_while(|w| *w != "with").skip(1);
    let email = words.next()?.to_owned();
    let password = words.nth(1)?.to_owned();
    Some((email, password))
}

async fn login(client: &reqwest::Client, server: &Server, email: &str, password: &str) -> Value {
    client
        .post(server.url("/graphql"))
        .json(&json!({
            "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { session { accessToken } viewer { workshop { name } } } }",
            "variables": { "e": email, "p": password }
        }))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("json")
}

fn stop_cluster(cluster: &Path) {
    let pg_ctl = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/pg_ctl"))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("pg_ctl"));
    let mut command = Command::new(pg_ctl);
    command
        .args(["stop", "-w", "-m", "fast", "-D"])
        .arg(cluster)
        .current_dir("/");
    if nix::unistd::geteuid().is_root() {
        use std::os::unix::process::CommandExt;
        let user = nix::unistd::User::from_name("postgres")
            .expect("lookup")
            .expect("postgres user");
        command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    assert!(command.status().expect("pg_ctl").success());
}

fn data_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("embedded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_runs_its_own_database_seeds_a_demo_and_keeps_it_across_restarts() {
    let dir = data_dir();
    let client = reqwest::Client::new();

    let mut first = start(&dir);
    first
        .wait_for(|l| l.contains("Sign in with").then_some(()))
        .expect("the demo login is printed");
    let ready = client
        .get(first.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let (email, password) = demo_login(&first.output).expect("demo login");
    let body = login(&client, &first, &email, &password).await;
    assert_eq!(
        body["data"]["login"]["viewer"]["workshop"]["name"], "Autohaus Demo",
        "{body}"
    );
    let (status, output) = first.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status}");
    assert!(
        output
            .iter()
            .any(|l| l.contains("embedded PostgreSQL stopped")),
        "{output:?}"
    );
    assert!(
        !dir.join("postgres/postmaster.pid").exists(),
        "PostgreSQL has stopped"
    );
    assert!(
        output.iter().filter(|l| l.contains(&password)).count() == 1,
        "the password is printed once, never logged"
    );

    // The operator puts the demo on Enterprise while no server runs (the command starts and
    // stops the embedded cluster itself); a workshop nobody owns is refused with a reason.
    let until = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let admin = |workshop: &str| {
        Command::new(env!("CARGO_BIN_EXE_carbot"))
            .args([
                "admin",
                "set-plan",
                "--workshop",
                workshop,
                "--plan",
                "ENTERPRISE",
            ])
            .args(["--until", &until, "--note", "Vertrag 17"])
            .env_remove("DATABASE_URL")
            .env("CARBOT_DATA_DIR", &dir)
            .output()
            .expect("running carbot admin set-plan")
    };
    let set = admin(&email);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let said = String::from_utf8_lossy(&set.stdout);
    assert!(
        said.contains("Autohaus Demo") && said.contains("ENTERPRISE"),
        "{said}"
    );
    let refused = admin("niemand@example.de");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("niemand@example.de"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let second = start(&dir);
    let ready = client
        .get(second.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body = login(&client, &second, &email, &password).await;
    assert!(
        body["data"]["login"]["session"]["accessToken"].is_string(),
        "the demo owner survives a restart: {body}"
    );
    let token = body["data"]["login"]["session"]["accessToken"]
        .as_str()
        .unwrap_or_default();
    let billing: Value = client
        .post(second.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ billing { plan { code } status managedBy configured } }" }))
        .send()
        .await
        .expect("billing")
        .json()
        .await
        .expect("json");
    assert_eq!(
        billing["data"]["billing"],
        json!({ "plan": { "code": "ENTERPRISE" }, "status": "ACTIVE", "managedBy": "MANUAL", "configured": false }),
        "{billing}"
    );
    // The data lives in the cluster of the data directory: stopping that cluster takes it away.
    stop_cluster(&dir.join("postgres"));
    let unready = client
        .get(second.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(unready.status(), 503);
    let (_, output) = second.stop();
    assert!(demo_login(&output).is_none(), "the demo is seeded once");
    let _ = std::fs::remove_dir_all(&dir);
}
