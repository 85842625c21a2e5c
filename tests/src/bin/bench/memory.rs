//! `memory`: resident memory per idle subscription, measured on a server process of its own so
//! that the clients (in this process) do not count: a `carbot serve` (the release binary next to
//! this one) with 1,000 idle `leadEvents` subscriptions (the same document and token, so they
//! share one subscription), then 1,000 sockets without a subscription, then 1,000 subscriptions
//! that each run their own (`after: "0"` replays, which is never shared), against the bare
//! WebSocket broadcast server (this binary as a child) with 1,000 idle connections.
//!
//! Each server first gets a few connections, so that one-time allocations (pools, caches,
//! buffers) are made before the first reading; the second reading follows 1,000 more.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use carbot_tests::chat::{LEAD_EVENTS, Live, SITE, Socket, persisted};
use carbot_tests::{JWT_SECRET, TestApp};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{ensure_open_files, median, raw_ws};

const IDLE: usize = 1_000;
const FIRST: usize = 10;
const SETTLE: Duration = Duration::from_secs(2);
/// axum's WebSocket reads into a 128 KiB buffer per socket by default; the baseline is also
/// measured with this one, to show what the buffer alone costs.
const SMALL_READ_BUFFER: usize = 4 * 1024;

/// A server process of the benchmark's, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
    _data_dir: Option<TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Server {
    /// Resident memory in KiB (`VmRSS`), the median of three readings 200 ms apart.
    pub(crate) async fn rss_kib(&self) -> anyhow::Result<f64> {
        let mut readings = Vec::new();
        for _ in 0..3 {
            readings.push(self.rss_kib_now()?);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(median(readings))
    }

    /// CPU time the process has used so far (user and system).
    pub(crate) fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |i: usize| -> anyhow::Result<f64> {
            Ok(fields
                .get(i)
                .ok_or_else(|| anyhow::anyhow!("short /proc/{}/stat", self.child.id()))?
                .parse::<f64>()?)
        };
        // utime and stime are fields 14 and 15 of proc_pid_stat(5), the 12th and 13th after
        // the name; in clock ticks (USER_HZ, 100 on Linux).
        Ok((ticks(11)? + ticks(12)?) / 100.0)
    }

    /// Resident memory in KiB now.
    pub(crate) fn rss_kib_now(&self) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        Ok(status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .ok_or_else(|| anyhow::anyhow!("no VmRSS for process {}", self.child.id()))?
            .parse()?)
    }

    /// `carbot serve` on `database_url`, with the test apps' JWT secret and pool size.
    pub(crate) async fn carbot(database_url: &str) -> anyhow::Result<Self> {
        Self::carbot_with(database_url, &[]).await
    }

    /// [`Server::carbot`] with more environment variables.
    pub(crate) async fn carbot_with(
        database_url: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let binary = exe.with_file_name("carbot");
        anyhow::ensure!(
            binary.exists(),
            "{} is missing: build it first with `cargo build --release -p carbot` \
             (the benchmark runs the binary of its own profile)",
            binary.display()
        );
        let modified = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified());
        if let (Ok(carbot), Ok(bench)) = (modified(&binary), modified(&exe))
            && carbot < bench
        {
            eprintln!(
                "memory: {} is older than this benchmark; if the server changed since, rebuild it \
                 with `cargo build --release -p carbot`",
                binary.display()
            );
        }
        // A free port, found by binding and letting go (nothing else here takes ports).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let data_dir = TempDir(
            std::env::temp_dir().join(format!("carbot-bench-{}", uuid::Uuid::new_v4().simple())),
        );
        std::fs::create_dir_all(&data_dir.0)?;
        let child = Command::new(&binary)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("CARBOT_JWT_SECRET", JWT_SECRET)
            .env("CARBOT_ADDR", &addr)
            .env("CARBOT_DATA_DIR", &data_dir.0)
            .env("CARBOT_DB_POOL_SIZE", "8")
            .env("CARBOT_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .spawn()?;
        let mut server = Self {
            child,
            addr,
            _data_dir: Some(data_dir),
        };
        let started = Instant::now();
        let client = reqwest::Client::new();
        loop {
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("carbot serve ended at start-up: {status}");
            }
            let live = client
                .get(format!("http://{}/livez", server.addr))
                .send()
                .await;
            if live.is_ok_and(|r| r.status() == 200) {
                return Ok(server);
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "carbot serve did not answer /livez within a minute"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// This binary as the bare WebSocket broadcast server.
    async fn raw_ws(read_buffer: Option<usize>) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(raw_ws::CHILD_COMMAND)
            .args(read_buffer.map(|bytes| bytes.to_string()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let addr = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await??
        .trim()
        .to_owned();
        anyhow::ensure!(!addr.is_empty(), "the bare WebSocket server did not start");
        Ok(Self {
            child,
            addr,
            _data_dir: None,
        })
    }
}

/// POSTs the widget's trusted document `name` to `url` from the widget's site, as the widget
/// does; returns the JSON answer.
async fn post(
    url: &str,
    token: Option<&str>,
    name: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut request = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .header("origin", SITE)
        .json(&persisted(name, variables));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.send().await?.json().await?)
}

/// A lead through `url`'s API, so that its event goes out on that process's bus.
async fn submit_lead(url: &str, key: &str) -> anyhow::Result<()> {
    let started = post(
        url,
        None,
        "StartConversation",
        json!({ "input": { "clientKey": key, "pageUrl": format!("{SITE}/service") } }),
    )
    .await?;
    let payload = &started["data"]["startConversation"];
    let (Some(conversation), Some(token)) = (
        payload["conversation"]["id"].as_str(),
        payload["visitorToken"].as_str(),
    ) else {
        anyhow::bail!("startConversation: {started}");
    };
    let lead = post(
        url,
        Some(token),
        "SubmitLead",
        json!({ "input": {
            "conversationId": conversation,
            "name": "Erika Mustermann",
            "phone": "+49 170 1234567",
            "vehicle": { "make": "VW", "model": "Golf", "year": 2017 },
            "consent": true,
        } }),
    )
    .await?;
    anyhow::ensure!(
        lead["data"]["submitLead"]["lead"]["id"].is_string(),
        "submitLead: {lead}"
    );
    Ok(())
}

/// `count` `leadEvents` subscriptions with `variables`; each has answered a ping after
/// subscribing (and after what it replays), so the server has taken the subscription in.
async fn subscribe(
    url: &str,
    token: &str,
    count: usize,
    variables: &Value,
) -> anyhow::Result<Vec<Live>> {
    futures_util::stream::iter(0..count)
        .map(|_| async move {
            let mut live = Live::start(url, Some(token), None, LEAD_EVENTS, variables.clone())
                .await
                .map_err(|refused| anyhow::anyhow!("subscription refused: {refused:?}"))?;
            live.send(json!({ "type": "ping" })).await;
            // A replay (`after`) sends the stored events first.
            loop {
                let message = live.receive().await;
                match &message {
                    Ok(m) if m["type"] == "pong" => break,
                    Ok(m) if m["type"] == "next" => continue,
                    _ => anyhow::bail!("no pong: {message:?}"),
                }
            }
            Ok(live)
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

async fn connect_raw(addr: &str, count: usize) -> anyhow::Result<Vec<Socket>> {
    futures_util::stream::iter(0..count)
        .map(|_| async move {
            Ok(tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
                .await?
                .0)
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

struct Reading {
    before: f64,
    idle: f64,
    after_message: f64,
}

impl Reading {
    fn per_connection(&self) -> f64 {
        (self.idle - self.before) / IDLE as f64
    }
}

/// `count` WebSockets that are authenticated (`connection_init` acknowledged, a ping answered)
/// and subscribe to nothing.
async fn connect_only(url: &str, token: &str, count: usize) -> anyhow::Result<Vec<Socket>> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    futures_util::stream::iter(0..count)
        .map(|_| async move {
            let mut request = format!("{url}/graphql")
                .replace("http://", "ws://")
                .into_client_request()?;
            request
                .headers_mut()
                .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
            let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
            for message in [
                json!({ "type": "connection_init",
                        "payload": { "authorization": format!("Bearer {token}") } }),
                json!({ "type": "ping" }),
            ] {
                socket
                    .send(Message::Text(message.to_string().into()))
                    .await?;
            }
            let mut answers = Vec::new();
            while answers.len() < 2 {
                match tokio::time::timeout(Duration::from_secs(20), socket.next()).await? {
                    Some(Ok(Message::Text(text))) => {
                        answers.push(serde_json::from_str::<Value>(&text)?["type"].clone())
                    }
                    Some(Ok(_)) => continue,
                    other => anyhow::bail!("the socket ended: {other:?}"),
                }
            }
            anyhow::ensure!(
                answers == [json!("connection_ack"), json!("pong")],
                "unexpected answers {answers:?}"
            );
            Ok(socket)
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// What a `carbot serve` costs per idle subscription and per idle socket.
struct CarbotReading {
    /// Subscriptions asking the same thing (shared, see `api/src/multiplex.rs`).
    shared: Reading,
    /// KB per socket that subscribes to nothing.
    per_socket: f64,
    /// KB per subscription that runs on its own (each replays from the table: not shared).
    per_own: f64,
}

async fn measure_carbot(app: &TestApp) -> anyhow::Result<CarbotReading> {
    let owner = app
        .register("speicher@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let server = Server::carbot(&app.database_url).await?;
    let url = format!("http://{}", server.addr);
    let live_only = json!({});
    let mut lives = subscribe(&url, &owner.access_token, FIRST, &live_only).await?;
    // One lead before the first reading: the delivery path's one-time allocations are made.
    submit_lead(&url, &key).await?;
    for live in &mut lives {
        live.next_data().await;
    }
    tokio::time::sleep(SETTLE).await;
    let before = server.rss_kib().await?;
    lives.extend(subscribe(&url, &owner.access_token, IDLE, &live_only).await?);
    tokio::time::sleep(SETTLE).await;
    let idle = server.rss_kib().await?;
    // Every subscription is live: each gets the next lead.
    submit_lead(&url, &key).await?;
    for live in &mut lives {
        let data = live.next_data().await;
        anyhow::ensure!(
            data["leadEvents"]["kind"] == "CREATED",
            "unexpected event {data}"
        );
    }
    tokio::time::sleep(SETTLE).await;
    let after_message = server.rss_kib().await?;
    // Then as many sockets that subscribe to nothing.
    let sockets = connect_only(&url, &owner.access_token, IDLE).await?;
    tokio::time::sleep(SETTLE).await;
    let with_sockets = server.rss_kib().await?;
    let per_socket = (with_sockets - after_message) / IDLE as f64;
    // Then as many subscriptions that each run their own.
    let own = subscribe(&url, &owner.access_token, IDLE, &json!({ "after": "0" })).await?;
    tokio::time::sleep(SETTLE).await;
    let per_own = (server.rss_kib().await? - with_sockets) / IDLE as f64;
    drop((sockets, own));
    Ok(CarbotReading {
        shared: Reading {
            before,
            idle,
            after_message,
        },
        per_socket,
        per_own,
    })
}

async fn measure_raw(read_buffer: Option<usize>) -> anyhow::Result<Reading> {
    let server = Server::raw_ws(read_buffer).await?;
    let client = reqwest::Client::new();
    let publish = async |text: &str| -> anyhow::Result<()> {
        let status = client
            .post(format!("http://{}/publish", server.addr))
            .body(text.to_owned())
            .send()
            .await?
            .status();
        anyhow::ensure!(status == 200, "publish: {status}");
        Ok(())
    };
    let mut sockets = connect_raw(&server.addr, FIRST).await?;
    publish("first").await?;
    for socket in &mut sockets {
        next_text(socket).await?;
    }
    tokio::time::sleep(SETTLE).await;
    let before = server.rss_kib().await?;
    sockets.extend(connect_raw(&server.addr, IDLE).await?);
    tokio::time::sleep(SETTLE).await;
    let idle = server.rss_kib().await?;
    publish("second").await?;
    for socket in &mut sockets {
        next_text(socket).await?;
    }
    tokio::time::sleep(SETTLE).await;
    let after_message = server.rss_kib().await?;
    Ok(Reading {
        before,
        idle,
        after_message,
    })
}

async fn next_text(socket: &mut Socket) -> anyhow::Result<()> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), socket.next()).await? {
            Some(Ok(Message::Text(_))) => return Ok(()),
            Some(Ok(_)) => continue,
            other => anyhow::bail!("the socket ended: {other:?}"),
        }
    }
}

pub async fn run() -> anyhow::Result<()> {
    // This process holds the client sockets of one server at a time.
    ensure_open_files((3 * IDLE + FIRST) as u64 + 512)?;
    // The in-process app registers the owner; the measured process shares its database.
    let app = TestApp::new().await;
    let CarbotReading {
        shared: carbot,
        per_socket,
        per_own,
    } = measure_carbot(&app).await?;
    let raw = measure_raw(None).await?;
    let small = measure_raw(Some(SMALL_READ_BUFFER)).await?;
    println!(
        "memory — resident memory (VmRSS) of the server process, {FIRST} connections, then {IDLE} more idle ones:"
    );
    println!(
        "                                     before      idle     after one message   per idle connection"
    );
    for (name, reading) in [
        ("bare WebSocket broadcast process:", &raw),
        ("  the same, 4 KiB read buffer:", &small),
        ("carbot serve, leadEvents (shared):", &carbot),
    ] {
        println!(
            "  {name:<34} {:>6.1} MB  {:>6.1} MB  {:>8.1} MB           {:>6.1} KB",
            reading.before / 1024.0,
            reading.idle / 1024.0,
            reading.after_message / 1024.0,
            reading.per_connection()
        );
    }
    println!(
        "  {}; ratio to the bare connection: {:.2}",
        crate::aims::check(
            "memory: KB per idle subscription, shared",
            carbot.per_connection(),
            crate::aims::Aim::AtMost(12.0)
        ),
        carbot.per_connection() / raw.per_connection()
    );
    println!(
        "  then {IDLE} more sockets that subscribe to nothing: {}",
        crate::aims::check(
            "memory: KB per idle socket",
            per_socket,
            crate::aims::Aim::AtMost(8.0)
        )
    );
    println!(
        "  then {IDLE} more that each run their own (after: \"0\", not shared): {}",
        crate::aims::check(
            "memory: KB per idle subscription of its own",
            per_own,
            crate::aims::Aim::AtMost(12.0)
        )
    );
    Ok(())
}
