//! A Redis server of the tests' own (Debian's `redis-server`), on a Unix socket in a temporary
//! directory: no port, nothing kept on disk, gone when the test process ends.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct TestRedis {
    pub url: String,
    socket: PathBuf,
    child: Child,
    dir: PathBuf,
}

impl TestRedis {
    /// Starts `redis-server`. It runs under a shell that stops it when our stdin pipe closes, so
    /// that no server outlives the test process, whatever way the process ends.
    pub fn start() -> Self {
        let dir =
            std::env::temp_dir().join(format!("carbot-redis-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("redis dir");
        let socket = dir.join("redis.sock");
        let child = Self::start_in(&dir, &socket);
        let redis = Self {
            url: format!("redis+unix://{}", socket.display()),
            socket,
            child,
            dir,
        };
        redis.wait_until_up();
        redis
    }

    fn wait_until_up(&self) {
        for _ in 0..200 {
            if std::os::unix::net::UnixStream::connect(&self.socket)
                .and_then(|mut s| s.write_all(b"PING\r\n"))
                .is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server did not start");
    }

    /// Stops the server (Redis "goes down"); [`Self::restart`] brings it back on the same socket.
    pub fn stop(&mut self) {
        let _ = Command::new("redis-cli")
            .args(["-s"])
            .arg(&self.socket)
            .args(["shutdown", "nosave"])
            .output();
        for _ in 0..200 {
            if !self.socket.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn restart(&mut self) {
        let _ = self.child.stdin.take();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
        let fresh = Self::start_in(&self.dir, &self.socket);
        self.child = fresh;
        self.wait_until_up();
    }

    fn start_in(dir: &std::path::Path, socket: &std::path::Path) -> Child {
        let script = format!(
            "redis-server --port 0 --unixsocket '{}' --unixsocketperm 700 --save '' --appendonly no --dir '{}' --loglevel warning & server=$!; cat >/dev/null; kill $server; wait $server",
            socket.display(),
            dir.display()
        );
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting redis-server (install Debian's redis-server)")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let _ = self.child.stdin.take();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
