//! A real SMTP server for the tests: Debian's `python3-aiosmtpd`, on a free port, writing every
//! message it accepts into a Maildir that the tests read. Recipients starting with `bounce`
//! are refused with a permanent 550.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One received e-mail, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub from: String,
    pub reply_to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

pub struct SmtpServer {
    pub port: u16,
    maildir: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl SmtpServer {
    pub fn start() -> Self {
        let maildir =
            std::env::temp_dir().join(format!("carbot-maildir-{}", uuid::Uuid::new_v4().simple()));
        let mut server = Self {
            port: free_port(),
            maildir,
            child: None,
        };
        server.resume();
        server
    }

    /// `smtp://127.0.0.1:PORT` (a local relay: no TLS, no login).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The Maildir the server writes into (`new/` holds one file per message), for readers
    /// outside the test process such as the browser tests' driver.
    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// Stops the server (the port refuses connections until [`Self::resume`]).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port and Maildir.
    pub fn resume(&mut self) {
        let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp");
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "carbot_smtp.Handler"])
            .arg(&self.maildir)
            .env("PYTHONPATH", scripts)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd (Debian package python3-aiosmtpd)");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("the SMTP server did not start on port {}", self.port);
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .flat_map(|sub| {
                std::fs::read_dir(self.maildir.join(sub))
                    .into_iter()
                    .flatten()
            })
            .flatten()
            .map(|entry| {
                let modified = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (modified, entry.path())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| std::fs::read(path).ok())
            .map(|raw| decode(&raw))
            .collect()
    }

    /// Waits until at least `count` messages arrived (at most `timeout`); returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || tokio::time::Instant::now() >= deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn decode(raw: &[u8]) -> Received {
    use mailparse::MailHeaderMap;
    let parsed = mailparse::parse_mail(raw).expect("a parseable e-mail");
    let header = |name: &str| parsed.headers.get_first_value(name).unwrap_or_default();
    let part = |mime: &str| {
        parsed
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .and_then(|p| p.get_body().ok())
            .unwrap_or_default()
    };
    Received {
        to: header("To"),
        from: header("From"),
        reply_to: header("Reply-To"),
        subject: header("Subject"),
        message_id: header("Message-ID"),
        text: part("text/plain").replace("\r\n", "\n"),
        html: part("text/html"),
    }
}

/// The link of an e-mail that starts with `prefix` (e.g. `http://127.0.0.1:1234/reset-password`),
/// and the value of its `token` parameter.
pub fn link_token(mail: &Received, path: &str) -> String {
    let start = mail
        .text
        .find(path)
        .unwrap_or_else(|| panic!("no link to {path} in: {}", mail.text));
    let link: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.split_once("token=")
        .map(|(_, token)| token.split('&').next().unwrap_or(token).to_owned())
        .unwrap_or_else(|| panic!("no token in {link}"))
}
