//! Configuration, read once from the command line and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

/// A secret value: usable, but never printed by `Debug` or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings of `carbot serve` (and, where they apply, `migrate`).
#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "CARBOT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Directory for the embedded PostgreSQL cluster and the generated JWT secret.
    #[arg(long, env = "CARBOT_DATA_DIR", default_value = "./.carbot")]
    pub data_dir: PathBuf,

    /// PostgreSQL URL. Without it, carbot runs its own cluster in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Maximum connections in the database pool.
    #[arg(long, env = "CARBOT_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: u32,

    /// Redis URL (`redis://…` or `redis+unix:///path`) for live events and rate limits shared
    /// between processes; without it both stay in this process.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<Secret>,

    /// Prefix of every Redis key and channel; processes of one platform share it.
    #[arg(long, env = "CARBOT_REDIS_PREFIX", default_value = "carbot")]
    pub redis_prefix: String,

    #[command(flatten)]
    pub ai: AiConfig,

    #[command(flatten)]
    pub mail: MailConfig,

    #[command(flatten)]
    pub billing: BillingConfig,

    #[command(flatten)]
    pub webhooks: WebhookConfig,

    /// HMAC secret (32 bytes or more) that signs access tokens. Without it, one is generated
    /// and kept in the data directory. Every process of one platform needs the same secret.
    #[arg(long, env = "CARBOT_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// The address visitors and owners reach this platform at, e.g. `https://app.carbot.de`.
    #[arg(long, env = "CARBOT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Let widget visitors and anonymous callers run any document against the widget's fields,
    /// not only the widget's own (trusted) documents: for development only.
    #[arg(
        long,
        env = "CARBOT_ALLOW_ANY_WIDGET_DOCUMENT",
        default_value_t = false
    )]
    pub allow_any_widget_document: bool,

    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    #[arg(long, env = "CARBOT_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,

    /// Directory of the built console (`./dev` builds it into `console/dist`).
    #[arg(long, env = "CARBOT_CONSOLE_DIR", default_value = "console/dist")]
    pub console_dir: PathBuf,

    /// Create the demo workshop on an empty database (always on with the embedded database).
    #[arg(long, env = "CARBOT_SEED_DEMO", default_value_t = false)]
    pub seed_demo: bool,

    /// Where backups go (`carbot backup`, the scheduled ones); default `<data dir>/backups`.
    #[arg(long, env = "CARBOT_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// When `carbot serve` takes backups: `daily 03:00 Europe/Berlin`, `every 6h`, or `off`.
    /// One process of many takes each; kept are 7 daily, 4 weekly and 6 monthly.
    #[arg(
        long,
        env = "CARBOT_BACKUP_SCHEDULE",
        default_value = "daily 03:00 Europe/Berlin"
    )]
    pub backup_schedule: crate::backup::Schedule,

    /// The operator's address: a failed scheduled backup is e-mailed there.
    #[arg(long, env = "CARBOT_OPERATOR_EMAIL")]
    pub operator_email: Option<String>,

    /// Log filter, e.g. `info` or `carbot=debug,info`.
    #[arg(long, env = "CARBOT_LOG", default_value = "info")]
    pub log: String,

    /// Log format.
    #[arg(long, env = "CARBOT_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

/// Outgoing webhooks. Their URLs must resolve to public addresses only; loopback may be allowed
/// for local development and tests (private, link-local and metadata addresses never are).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct WebhookConfig {
    /// Allow webhook endpoints on loopback addresses (`http://127.0.0.1:…`, `localhost`).
    #[arg(
        long = "webhooks-allow-loopback",
        env = "CARBOT_WEBHOOKS_ALLOW_LOOPBACK",
        default_value_t = false
    )]
    pub allow_loopback: bool,
}

/// The OpenAI-compatible model behind the assistant; without a key the built-in catalog
/// assistant answers.
#[derive(clap::Args, Clone, Debug)]
pub struct AiConfig {
    /// API key of an OpenAI-compatible chat-completions service.
    #[arg(
        long = "openai-api-key",
        env = "OPENAI_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<Secret>,

    /// Base URL of the service, e.g. `https://api.openai.com/v1`.
    #[arg(long = "openai-base-url", env = "OPENAI_BASE_URL")]
    pub base_url: Option<String>,

    /// Model name.
    #[arg(
        long = "ai-model",
        env = "CARBOT_AI_MODEL",
        default_value = "gpt-4o-mini"
    )]
    pub model: String,

    /// Model tokens per workshop and day; beyond them the built-in assistant answers.
    #[arg(
        long = "ai-daily-tokens",
        env = "CARBOT_AI_DAILY_TOKENS",
        default_value_t = 200_000
    )]
    pub daily_tokens: i64,
}

/// Outgoing e-mail. Without `SMTP_URL` every e-mail stays in the outbox and goes to the log
/// (`carbot mail list` / `carbot mail show ID` print them).
#[derive(clap::Args, Clone, Debug)]
pub struct MailConfig {
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://user:pass@host:465` (implicit TLS) or
    /// `smtp://host:25` (plain, for a local relay); `?tls=required|opportunistic|none` overrides.
    #[arg(long = "smtp-url", env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// Sender of every e-mail, e.g. `CarBot <noreply@carbot.de>`.
    #[arg(
        long = "mail-from",
        env = "CARBOT_MAIL_FROM",
        default_value = "CarBot <noreply@localhost>"
    )]
    pub from: String,

    /// How often the e-mail worker looks for e-mails of other processes and retries, in ms.
    #[arg(
        long = "mail-poll-ms",
        env = "CARBOT_MAIL_POLL_MS",
        default_value_t = 1_000
    )]
    pub poll_ms: u64,

    /// How often lead reminders and daily summaries are looked for, in seconds.
    #[arg(
        long = "notify-interval-secs",
        env = "CARBOT_NOTIFY_INTERVAL_SECS",
        default_value_t = 60
    )]
    pub notify_interval_secs: u64,
}

/// Payments through Stripe. Without `STRIPE_SECRET_KEY` billing says it is not configured and
/// the operator sets plans with `carbot admin set-plan`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct BillingConfig {
    /// Stripe's secret API key (`sk_live_…` or `sk_test_…`).
    #[arg(
        long = "stripe-secret-key",
        env = "STRIPE_SECRET_KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<Secret>,

    /// The signing secrets of the webhook endpoint (`whsec_…`), comma-separated while a secret
    /// is rolled: an event signed with any of them is accepted.
    #[arg(
        long = "stripe-webhook-secret",
        env = "STRIPE_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<Secret>,

    /// The Stripe price (`price_…`) of the Basic plan (49 € a month).
    #[arg(long = "stripe-price-basic", env = "STRIPE_PRICE_BASIC")]
    pub price_basic: Option<String>,

    /// The Stripe price of the Premium plan (99 € a month).
    #[arg(long = "stripe-price-premium", env = "STRIPE_PRICE_PREMIUM")]
    pub price_premium: Option<String>,

    /// The Stripe price of the Enterprise plan (199 € a month).
    #[arg(long = "stripe-price-enterprise", env = "STRIPE_PRICE_ENTERPRISE")]
    pub price_enterprise: Option<String>,

    /// Stripe's API address; only for tests against a local server (default: Stripe's).
    #[arg(long = "stripe-api-base", env = "STRIPE_API_BASE")]
    pub api_base: Option<String>,
}

impl BillingConfig {
    /// The webhook signing secrets, without blanks.
    pub fn webhook_secrets(&self) -> Vec<String> {
        self.webhook_secret
            .as_ref()
            .map(|list| {
                list.expose()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "CarBot <noreply@localhost>".into(),
            poll_ms: 1_000,
            notify_interval_secs: 60,
        }
    }
}

impl Default for AiConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: None,
            model: "gpt-4o-mini".into(),
            daily_tokens: 200_000,
        }
    }
}

impl Config {
    /// Where backups go: `CARBOT_BACKUP_DIR`, or `backups` in the data directory.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }

    /// Public base URL without trailing slash; by default the address the server is bound to.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let secret: Secret = "postgres://u:hunter2@db/carbot"
            .parse()
            .expect("infallible");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(secret.expose(), "postgres://u:hunter2@db/carbot");
    }
}
