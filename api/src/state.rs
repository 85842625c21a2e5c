//! What every route shares: the schemas, the services behind them and the server's settings.

use std::path::PathBuf;

use carbot_schema::{Schemas, Services};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Cloned for every request (axum's `State`): one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub schemas: Schemas,
    pub services: Services,
    pub metrics: PrometheusHandle,
    pub trust_proxy: bool,
    pub console_dir: PathBuf,
    /// Cookies get `Secure` when the platform's public address is HTTPS.
    pub secure_cookies: bool,
    /// Cancelled when the server shuts down; WebSocket connections close on it.
    pub shutdown: CancellationToken,
    /// The signing secrets of Stripe's webhooks (`STRIPE_WEBHOOK_SECRET`).
    pub stripe_webhook_secrets: std::sync::Arc<[String]>,
    /// Whether e-mail goes out over SMTP (`SMTP_URL`); without it e-mails stay in the outbox
    /// and the log.
    pub smtp_configured: bool,
    /// The open WebSocket connections, which shutdown waits for.
    pub(crate) websockets: TaskTracker,
    /// Subscriptions shared by the sockets asking the same thing.
    pub subscriptions: crate::multiplex::Multiplexer,
}
