//! A real `carbot serve` process (the binary `cargo test --workspace` builds), for tests of
//! what only whole processes show: several of them on one database, signals, the schedule.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::{JWT_SECRET, TempDir, TestApp, TestOptions};

/// The `carbot` binary next to the test binary.
pub fn binary() -> std::path::PathBuf {
    std::env::current_exe()
        .expect("test binary")
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("carbot")
}

/// A running `carbot serve`; killed (and its data directory removed) when dropped.
pub struct Serve {
    child: Child,
    pub url: String,
    /// Its log, one JSON object per line.
    logs: Arc<Mutex<Vec<Value>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    _data_dir: TempDir,
}

impl Serve {
    /// Starts `carbot serve` on a free port with the tests' JWT secret, JSON logs at `info`, its
    /// own data directory, no backup schedule and `env` (e.g. `DATABASE_URL`, which may override
    /// any of these); returns once it listens.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let data_dir = TempDir::new();
        let mut child = Command::new(binary())
            .arg("serve")
            .env("CARBOT_JWT_SECRET", JWT_SECRET)
            .env("CARBOT_DATA_DIR", &data_dir.0)
            .env("CARBOT_ADDR", "127.0.0.1:0")
            .env("CARBOT_LOG_FORMAT", "json")
            .env("CARBOT_LOG", "info")
            // No backup at start (a new database has missed 03:00); tests of the schedule set it.
            .env("CARBOT_BACKUP_SCHEDULE", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting {} (built by cargo test --workspace): {e}",
                    binary().display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let addr = loop {
            let line = lines
                .next()
                .expect("the server reports its address")
                .expect("line");
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if event["message"] == "CarBot is listening" {
                break event["addr"].as_str().expect("addr").to_owned();
            }
        };
        let kept = logs.clone();
        let reader = std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if std::env::var_os("CARBOT_TEST_SERVER_LOGS").is_some() {
                    eprintln!("{line}");
                }
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    kept.lock().expect("logs").push(event);
                }
            }
        });
        Self {
            child,
            url: format!("http://{addr}"),
            logs,
            reader: Some(reader),
            _data_dir: data_dir,
        }
    }

    /// How many log lines so far have this message.
    pub fn logged(&self, message: &str) -> usize {
        self.logs
            .lock()
            .expect("logs")
            .iter()
            .filter(|event| event["message"] == message)
            .count()
    }

    /// Stops it with SIGTERM and waits until it has exited and its log is read to the end.
    pub fn stop(&mut self) {
        self.terminate();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    /// Sends SIGTERM and returns at once.
    pub fn terminate(&self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    }

    /// Kills it (SIGKILL: no shutdown at all) and waits until it is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether it exits (successfully) within `limit`.
    pub fn wait_exited(&mut self, limit: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TestApp whose helpers (`register`, `visitor`, `gql`, …) talk to another process at `url`
/// on the same database.
pub async fn on(url: &str, database_url: &str) -> TestApp {
    let mut app = TestApp::with(TestOptions {
        database_url: Some(database_url.to_owned()),
        ..TestOptions::default()
    })
    .await;
    app.url = url.to_owned();
    app
}
