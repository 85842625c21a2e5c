//! Outgoing e-mail. Every e-mail is rendered and written to the `outbox` in the transaction of
//! the change that causes it ([`outbox::enqueue`]); the [`worker`] of every `carbot serve`
//! process sends what is due through a [`Transport`] (SMTP in the server crate, or the log when no
//! `SMTP_URL` is set), with retries and back-off, and never to an address that bounced.

pub mod billing;
pub mod layout;
pub mod outbox;
pub mod templates;
pub mod worker;

use std::sync::Arc;

use tokio::sync::Notify;
use uuid::Uuid;

pub use billing::BillingMail;
pub use outbox::{NewMail, OutboxEntry, enqueue};
pub use templates::{LeadFacts, Template};

/// An e-mail as the transport hands it over.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox row; also the `Message-ID`, so a copy sent twice after a crash is recognisable.
    pub id: Uuid,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What became of an e-mail the transport accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Handed to the mail server.
    Delivered,
    /// Written to the log only (no `SMTP_URL`); kept in the outbox for `carbot mail show`.
    Logged,
}

/// Why an e-mail did not go out.
#[derive(Debug, Clone)]
pub enum SendError {
    /// Worth another try later: the server is away, busy, or answered 4xx.
    Transient(String),
    /// The server refused the recipient for good (5xx): the address is suppressed.
    Permanent(String),
}

/// Where e-mails go. Behind a trait so that the server crate plugs in SMTP (`lettre`).
#[async_trait::async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    async fn send(&self, mail: &Outgoing) -> Result<Sent, SendError>;
}

/// Without `SMTP_URL`: each e-mail goes to the log with its id and recipient (not its subject,
/// which can name a visitor), and stays in the outbox, so that a local setup can read it with
/// `carbot mail show ID`.
#[derive(Debug, Default)]
pub struct LogTransport;

#[async_trait::async_trait]
impl Transport for LogTransport {
    async fn send(&self, mail: &Outgoing) -> Result<Sent, SendError> {
        tracing::info!(
            id = %mail.id,
            to = %mail.to,
            "e-mail kept in the outbox (no SMTP_URL); `carbot mail show {}` prints it",
            mail.id
        );
        Ok(Sent::Logged)
    }
}

/// What the schema needs to write e-mails: the address links point to, and a way to wake this
/// process's worker when an e-mail was just committed (other processes find it by polling).
#[derive(Clone, Debug)]
pub struct Mailer {
    public_url: Arc<str>,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').into(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// An absolute link into the console, e.g. `link("/leads/…")`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// Tells the worker that e-mails are waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}
