//! Start-up and routes: everything `carbot serve` runs, in a form tests can start on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use carbot_schema::auth::tokens::JwtKeys;
use carbot_schema::billing;
use carbot_schema::chat::assistant::openai::{self, OpenAiAssistant, OpenAiConfig};
use carbot_schema::chat::reply::AssistantSetup;
use carbot_schema::events::InProcessEventBus;
use carbot_schema::leads::notify::Scheduler;
use carbot_schema::limits::InProcessRateLimiter;
use carbot_schema::mail::{self, Mailer};
use carbot_schema::plans as billing_plans;
use carbot_schema::redis_backend::{RedisEventBus, RedisRateLimiter};
use carbot_schema::{Authenticator, Schemas, Services, db};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::postgres::{self, EmbeddedPostgres};
use crate::request::RequestContext;
use crate::smtp::Smtp;
use crate::state::AppState;
use crate::{http, security_headers, seed, ws};
use carbot_schema::trusted::WidgetRelease;

/// A bound, ready-to-serve platform.
pub struct App {
    listener: TcpListener,
    state: AppState,
    embedded: Option<Arc<EmbeddedPostgres>>,
    mail_worker: mail::worker::Worker,
    scheduler: Scheduler,
    billing_worker: billing::inbox::Worker,
    retention_worker: carbot_schema::privacy::retention::Worker,
    webhook_worker: carbot_schema::webhooks::worker::Worker,
    backup_worker: crate::backup::Worker,
}

/// The database URL to use: the configured one, or the embedded cluster's (started here).
async fn database(config: &Config) -> anyhow::Result<(String, Option<Arc<EmbeddedPostgres>>)> {
    match &config.database_url {
        Some(url) => Ok((url.expose().to_owned(), None)),
        None => {
            let data_dir = config.data_dir.clone();
            let pg =
                tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir)).await??;
            postgres::ensure_database(&pg.url("postgres"), "carbot").await?;
            Ok((pg.url("carbot"), Some(Arc::new(pg))))
        }
    }
}

/// `carbot migrate`: applies pending migrations (starting and stopping an embedded database).
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (url, embedded) = database(config).await?;
    let applied = db::run_migrations(&url).await;
    if let Some(pg) = embedded {
        tokio::task::spawn_blocking(move || pg.stop()).await?;
    }
    let applied = applied?;
    tracing::info!(count = applied.len(), migrations = ?applied, "migrations applied");
    Ok(())
}

/// `carbot mail list`: the newest e-mails of the outbox, one per line.
pub async fn mail_list(config: &Config, limit: i64) -> anyhow::Result<()> {
    with_database(config, async |conn| {
        let entries = mail::outbox::recent(conn, limit).await?;
        if entries.is_empty() {
            println!("The outbox is empty.");
        }
        for entry in entries {
            println!(
                "{}  {}  {:<10}  {:<18}  {}  {}",
                entry.id,
                entry.created_at.format("%Y-%m-%d %H:%M:%S"),
                entry.status,
                entry.kind,
                entry.recipient,
                entry.subject
            );
        }
        Ok(())
    })
    .await
}

/// `carbot backup create`: a backup of the platform's database into the backup directory.
pub async fn backup_create(config: &Config) -> anyhow::Result<()> {
    with_database_url(config, async |url| {
        let backup =
            crate::backup::create(url, &config.backup_dir(), crate::backup::Trigger::Manual)
                .await?;
        let m = &backup.manifest;
        println!(
            "{}  {} bytes, {} rows in {} tables, schema {}, sha256 {}",
            backup.dump.display(),
            m.size_bytes,
            m.rows(),
            m.tables.len(),
            m.schema_version,
            m.sha256
        );
        Ok(())
    })
    .await
}

/// `carbot backup list`: the backups in the backup directory, newest first.
pub fn backup_list(config: &Config) -> anyhow::Result<()> {
    let dir = config.backup_dir();
    let backups = crate::backup::list(&dir)?;
    if backups.is_empty() {
        println!("No backups in {}.", dir.display());
    }
    for backup in backups {
        let m = &backup.manifest;
        println!(
            "{}  {:<8}  {:>12} bytes  {:>9} rows  schema {}  {}",
            m.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            match m.trigger {
                crate::backup::Trigger::Manual => "manual",
                crate::backup::Trigger::Schedule => "schedule",
            },
            m.size_bytes,
            m.rows(),
            m.schema_version,
            backup.dump.display()
        );
    }
    Ok(())
}

/// `carbot backup verify FILE`: restores the backup into a scratch database and compares its
/// rows with the manifest; fails on any difference.
pub async fn backup_verify(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    with_database_url(config, async |url| {
        let verified = crate::backup::verify(url, file).await?;
        if !verified.mismatches.is_empty() {
            for m in &verified.mismatches {
                eprintln!(
                    "{}: {} rows in the manifest, {} restored",
                    m.table,
                    m.expected,
                    m.found
                        .map_or("none (table missing)".into(), |n| n.to_string())
                );
            }
            anyhow::bail!(
                "{} does not restore to what its manifest says",
                file.display()
            );
        }
        let m = &verified.backup.manifest;
        println!(
            "verified: {} restores, {} tables with {} rows as in the manifest (checksum {})",
            verified.backup.dump.display(),
            m.tables.len(),
            m.rows(),
            m.sha256
        );
        Ok(())
    })
    .await
}

/// `carbot backup restore FILE [--dry-run] [--yes]`.
pub async fn backup_restore(
    config: &Config,
    file: &std::path::Path,
    confirm: crate::backup::Confirm,
) -> anyhow::Result<()> {
    with_database_url(config, async |url| {
        let restored = crate::backup::restore(url, file, confirm).await?;
        let m = &restored.backup.manifest;
        let before: i64 = restored.before.values().sum();
        if restored.replaced {
            println!(
                "restored {} into database {}: {} rows in {} tables (before: {before} rows){}",
                restored.backup.dump.display(),
                restored.database,
                m.rows(),
                m.tables.len(),
                if restored.migrated.is_empty() {
                    String::new()
                } else {
                    format!("; migrated: {}", restored.migrated.join(", "))
                }
            );
        } else {
            println!(
                "dry run: {} (schema {}, {} rows in {} tables, checksum ok) would replace database {} ({before} rows in {} tables); nothing was changed",
                restored.backup.dump.display(),
                m.schema_version,
                m.rows(),
                m.tables.len(),
                restored.database,
                restored.before.len()
            );
        }
        Ok(())
    })
    .await
}

/// Runs `work` with the database's URL, starting (and afterwards stopping) the embedded
/// cluster when no `DATABASE_URL` is set and no `carbot serve` runs it already.
async fn with_database_url(
    config: &Config,
    work: impl AsyncFnOnce(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (url, embedded) = database(config).await?;
    let result = work(&url).await;
    if let Some(pg) = embedded {
        tokio::task::spawn_blocking(move || pg.stop()).await?;
    }
    result
}

/// `carbot admin set-plan`: puts a workshop (its id, or its owner's e-mail address) on a plan,
/// until the end of `until` or open-ended.
pub async fn admin_set_plan(
    config: &Config,
    workshop: &str,
    plan: billing_plans::PlanCode,
    until: Option<chrono::NaiveDate>,
    note: Option<&str>,
) -> anyhow::Result<()> {
    let (url, embedded) = database(config).await?;
    let result = async {
        db::run_migrations(&url).await?;
        use diesel_async::AsyncConnection;
        let mut conn = diesel_async::AsyncPgConnection::establish(&url)
            .await
            .context("connecting to the database")?;
        let set = billing::admin::set_plan(&mut conn, workshop, plan, until, note).await?;
        let until = set.until.map_or_else(
            || "with no end date".to_owned(),
            |at| format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
        );
        println!(
            "{} ({}) is on {} {until}.",
            set.workshop_name,
            set.workshop_id,
            set.plan.as_str()
        );
        anyhow::Ok(())
    }
    .await;
    if let Some(pg) = embedded {
        tokio::task::spawn_blocking(move || pg.stop()).await?;
    }
    result
}

/// `carbot mail show ID`: one e-mail with its headers and its plain-text part.
pub async fn mail_show(config: &Config, id: &str, html: bool) -> anyhow::Result<()> {
    let id = id.to_owned();
    with_database(config, async move |conn| {
        let Some(entry) = mail::outbox::find(conn, &id).await? else {
            anyhow::bail!(
                "no e-mail, or more than one, starts with {id} (`carbot mail list` shows the ids)"
            );
        };
        println!("Id:       {}", entry.id);
        println!("To:       {}", entry.recipient);
        println!("Subject:  {}", entry.subject);
        println!("Kind:     {} ({})", entry.kind, entry.locale);
        println!(
            "Status:   {} after {} attempt(s){}",
            entry.status,
            entry.attempts,
            entry
                .last_error
                .map(|e| format!(", last error: {e}"))
                .unwrap_or_default()
        );
        println!("Created:  {}", entry.created_at.to_rfc3339());
        if let Some(sent) = entry.sent_at {
            let label = if entry.status == "LOGGED" {
                "Logged:"
            } else {
                "Sent:"
            };
            println!("{label:<10}{}", sent.to_rfc3339());
        } else if entry.status == "PENDING" {
            println!("Next try: {}", entry.next_attempt_at.to_rfc3339());
        }
        println!();
        print!(
            "{}",
            if html {
                entry.body_html
            } else {
                entry.body_text
            }
        );
        Ok(())
    })
    .await
}

/// Runs `work` on a connection to the platform's database (starting and stopping an embedded
/// cluster when none runs).
async fn with_database(
    config: &Config,
    work: impl AsyncFnOnce(&mut diesel_async::AsyncPgConnection) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    with_database_url(config, async |url| {
        let mut conn = diesel_async::AsyncPgConnection::establish(url)
            .await
            .context("connecting to the database")?;
        work(&mut conn).await
    })
    .await
}

impl App {
    /// Connects (or starts the embedded database), migrates, seeds and binds the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let (database_url, embedded) = database(config).await?;
        let applied = db::run_migrations(&database_url).await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "database migrated");
        }
        let pool = db::connect_pool(&database_url, config.db_pool_size)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to the database: {e:?}"))?;
        keep_widget_release(&pool).await?;
        let secret = jwt_secret(config)?;
        let (limiter, events) = shared_state(config).await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let mailer = Mailer::new(&config.public_url(listener.local_addr()?));
        let transport: Arc<dyn mail::Transport> = match &config.mail.smtp_url {
            Some(url) => Arc::new(Smtp::new(url.expose(), &config.mail.from)?),
            None => {
                tracing::info!(
                    "no SMTP_URL: e-mails stay in the outbox and go to the log (`carbot mail list`)"
                );
                Arc::new(mail::LogTransport)
            }
        };
        let mail_worker = mail::worker::Worker::new(
            pool.clone(),
            transport,
            mailer.clone(),
            Duration::from_millis(config.mail.poll_ms.max(50)),
        );
        let scheduler = Scheduler::new(
            pool.clone(),
            mailer.clone(),
            Duration::from_secs(config.mail.notify_interval_secs.max(1)),
        );
        let retention_worker = carbot_schema::privacy::retention::Worker::new(
            pool.clone(),
            events.clone(),
            Duration::from_secs(config.mail.notify_interval_secs.max(1)),
        );
        let webhooks = carbot_schema::webhooks::WebhookSetup {
            targets: carbot_schema::webhooks::target::Targets {
                allow_loopback: config.webhooks.allow_loopback,
            },
        };
        let webhook_worker = carbot_schema::webhooks::worker::Worker::new(
            pool.clone(),
            webhooks.targets,
            mailer.clone(),
            Duration::from_millis(config.mail.poll_ms.max(50)),
        );
        let billing = billing(&config.billing)?;
        let billing_worker = billing::inbox::Worker::new(
            pool.clone(),
            billing.clone(),
            mailer.clone(),
            Duration::from_millis(config.mail.poll_ms.max(50)),
            Duration::from_secs(config.mail.notify_interval_secs.max(1)),
        );
        let backup_worker = crate::backup::Worker {
            url: database_url.clone(),
            dir: config.backup_dir(),
            schedule: config.backup_schedule.clone(),
            pool: pool.clone(),
            operator_email: config.operator_email.clone(),
            mailer: mailer.clone(),
        };
        let services = Services {
            auth: Authenticator::new(pool.clone(), JwtKeys::new(&secret)),
            pool,
            limiter,
            events,
            assistant: assistant(&config.ai),
            mailer,
            billing,
            webhooks,
            trusted_documents_only: !config.allow_any_widget_document,
        };
        if embedded.is_some() || config.seed_demo {
            seed::demo_workshop(&services).await?;
        }
        let state = AppState::new(crate::state::Shared {
            schemas: Schemas::new(services.clone()),
            services,
            metrics: crate::metrics::handle(),
            trust_proxy: config.trust_proxy,
            console_dir: config.console_dir.clone(),
            secure_cookies: config
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://")),
            shutdown: CancellationToken::new(),
            stripe_webhook_secrets: config.billing.webhook_secrets().into(),
            smtp_configured: config.mail.smtp_url.is_some(),
            websockets: TaskTracker::new(),
            subscriptions: Default::default(),
        });
        Ok(Self {
            listener,
            state,
            embedded,
            mail_worker,
            scheduler,
            billing_worker,
            retention_worker,
            webhook_worker,
            backup_worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes; in-flight requests finish, WebSockets get a close
    /// frame, and an embedded database is stopped.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let router = router(state.clone());
        let token = state.shutdown.clone();
        // Background work: sending e-mails, lead reminders and summaries, payment events, the
        // retention job, webhook deliveries, scheduled backups. Shared with the other
        // processes of the platform through the database; stopped with the server.
        let background = TaskTracker::new();
        background.spawn(self.mail_worker.run(token.clone()));
        background.spawn(self.scheduler.run(token.clone()));
        background.spawn(self.billing_worker.run(token.clone()));
        background.spawn(self.retention_worker.run(token.clone()));
        background.spawn(self.webhook_worker.run(token.clone()));
        background.spawn(self.backup_worker.run(token.clone()));
        background.close();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down");
            token.cancel();
        };
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await?;
        state.websockets.close();
        let _ = tokio::time::timeout(Duration::from_secs(5), state.websockets.wait()).await;
        let _ = tokio::time::timeout(Duration::from_secs(20), background.wait()).await;
        if let Some(pg) = self.embedded {
            tokio::task::spawn_blocking(move || pg.stop()).await?;
        }
        Ok(())
    }
}

/// The JWT secret: configured, or generated once and kept in the data directory.
fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.jwt_secret {
        anyhow::ensure!(
            secret.expose().len() >= 32,
            "CARBOT_JWT_SECRET must be at least 32 bytes long"
        );
        return Ok(secret.expose().as_bytes().to_vec());
    }
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(&config.data_dir)?;
    let path = config.data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let secret = hex::encode(bytes);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(&path)?;
    file.write_all(secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(secret.into_bytes())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql_get)
                .post(http::post)
                .fallback(http::method_not_allowed),
        )
        .route("/graphiql", get(graphiql))
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/widget.js", get(widget))
        .route("/widget/{file}", get(widget_release))
        .route("/exports/{file}", get(http::export))
        .route(
            "/webhooks/stripe",
            axum::routing::post(crate::webhooks::stripe),
        )
        .nest_service(
            "/console",
            tower::ServiceBuilder::new()
                .layer(tower_http::compression::CompressionLayer::new())
                .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-cache"),
                ))
                .service(tower_http::services::ServeDir::new(
                    state.console_dir.join("console"),
                )),
        )
        .fallback(get(console))
        .layer(security_headers::nosniff())
        .layer(security_headers::referrer_policy())
        .layer(security_headers::default_csp())
        .layer(security_headers::hsts(state.secure_cookies))
        .layer(cors())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

type Shared = (
    Arc<dyn carbot_schema::limits::RateLimiter>,
    Arc<dyn carbot_schema::events::EventBus>,
);

/// Rate limits and events: in Redis when configured (shared by every process), else here.
async fn shared_state(config: &Config) -> anyhow::Result<Shared> {
    let Some(url) = &config.redis_url else {
        return Ok((
            Arc::new(InProcessRateLimiter::default()),
            Arc::new(InProcessEventBus::default()),
        ));
    };
    let limiter = RedisRateLimiter::connect(url.expose(), &config.redis_prefix)
        .await
        .context("connecting to REDIS_URL")?;
    let events = RedisEventBus::connect(url.expose(), &config.redis_prefix)
        .await
        .context("connecting to REDIS_URL")?;
    tracing::info!("events and rate limits go through redis");
    Ok((Arc::new(limiter), Arc::new(events)))
}

/// Stripe when a secret key is configured; otherwise billing says it is not set up.
fn billing(config: &crate::config::BillingConfig) -> anyhow::Result<billing::BillingSetup> {
    let prices = billing::Prices {
        basic: config.price_basic.clone(),
        premium: config.price_premium.clone(),
        enterprise: config.price_enterprise.clone(),
    };
    let Some(key) = &config.secret_key else {
        tracing::info!(
            "no STRIPE_SECRET_KEY: online payment is off; set plans with `carbot admin set-plan`"
        );
        return Ok(billing::BillingSetup {
            prices,
            ..billing::BillingSetup::default()
        });
    };
    if config.webhook_secrets().is_empty() {
        tracing::warn!(
            "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: payments will not change plans"
        );
    }
    if prices.basic.is_none() || prices.premium.is_none() || prices.enterprise.is_none() {
        tracing::warn!(
            "a STRIPE_PRICE_BASIC|PREMIUM|ENTERPRISE is missing: that plan cannot be bought"
        );
    }
    let stripe = crate::stripe::Stripe::new(key.expose(), config.api_base.as_deref())?;
    Ok(billing::BillingSetup {
        payments: Some(Arc::new(stripe)),
        prices,
        ..billing::BillingSetup::default()
    })
}

fn assistant(config: &crate::config::AiConfig) -> AssistantSetup {
    let mut setup = AssistantSetup {
        daily_token_budget: config.daily_tokens,
        ..AssistantSetup::default()
    };
    if let Some(key) = &config.api_key {
        let mut openai = OpenAiConfig::new(key.expose().to_owned());
        openai.base_url = config.base_url.clone();
        openai.model = config.model.clone();
        setup.model = Some(Arc::new(OpenAiAssistant::new(openai)));
        tracing::info!(model = %config.model, "the assistant uses the configured model");
    }
    setup
}

/// The widget calls `/graphql` from workshops' own sites. Any origin may ask (without cookies);
/// whether a page may use a client key is the key's allowed-origins check, done per request.
fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600))
}

/// `GET /graphql`: a WebSocket upgrade, or a query in the URL.
async fn graphql_get(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let context = RequestContext::from_parts(&state, &mut parts).await;
    if parts.headers.contains_key(header::UPGRADE) {
        return ws::upgrade(state, parts, context).await;
    }
    let query = axum::extract::Query::try_from_uri(&parts.uri);
    match query {
        Ok(query) => http::get_query(state, parts.headers, context, query).await,
        Err(_) => (StatusCode::BAD_REQUEST, "Malformed query string.").into_response(),
    }
}

/// GraphiQL's page and its strict CSP: its scripts and styles come from unpkg.com, its one
/// inline script is allowed by its hash, and no other site may frame it.
static GRAPHIQL: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
    let page = async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .subscription_endpoint("/graphql")
        .finish();
    let csp = security_headers::page_csp(&page, "unpkg.com");
    (page, csp)
});

async fn graphiql() -> Response {
    let (page, csp) = &*GRAPHIQL;
    (
        [(header::CONTENT_SECURITY_POLICY, csp.clone())],
        Html(page.clone()),
    )
        .into_response()
}

/// Ready when the database answers and every migration has been applied.
/// Ready when the database answers and every migration has been applied; `checks` reports
/// each dependency by name (what is not configured is said so, and is not a failure).
async fn readyz(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(
        Duration::from_secs(3),
        db::migrations_current(&state.services.pool),
    )
    .await;
    let (database, migrations) = match check {
        Ok(Ok(true)) => ("ok", "current"),
        Ok(Ok(false)) => ("ok", "pending"),
        Ok(Err(_)) => ("unreachable", "unknown"),
        Err(_) => ("timed out", "unknown"),
    };
    let events = state.services.events.status();
    let checks = serde_json::json!({
        "database": database,
        "migrations": migrations,
        // Redis away is "degraded", not down: events still reach this process's subscribers
        // and everybody catches up from the database when it is back.
        "redis": match events {
            "in-process" => "not configured",
            "redis" => "ok",
            _ => "unreachable",
        },
        "smtp": if state.smtp_configured { "configured" } else { "not configured (outbox and log)" },
        "stripe": if state.services.billing.configured() { "configured" } else { "not configured" },
    });
    let (status, body) = match (database, migrations) {
        ("ok", "current") => (
            StatusCode::OK,
            serde_json::json!({
                "status": if events == "redis-degraded" { "degraded" } else { "ready" },
                "events": events,
                "checks": checks,
            }),
        ),
        ("ok", _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "unavailable", "reason": "migrations pending", "checks": checks }),
        ),
        (problem, _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "unavailable", "reason": format!("database {problem}"), "checks": checks }),
        ),
    };
    (status, axum::Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    crate::metrics::record_pool(&state.services.pool.state());
    crate::metrics::record_statements(db::statements_executed());
    crate::metrics::record_unbacked_answers(openai::unbacked_answers());
    crate::metrics::record_lagged_subscribers(carbot_schema::events::lagged_subscribers());
    crate::metrics::record_shared_subscriptions(
        state.subscriptions.groups(),
        crate::multiplex::joined_total(),
        crate::multiplex::left_behind_total(),
    );
    if let Ok(mut conn) = state.services.pool.get().await {
        db::uncounted(&mut conn, async |conn| {
            if let Ok((pending, oldest)) = mail::outbox::backlog(conn).await {
                crate::metrics::record_outbox(pending, oldest);
            }
            if let Ok(last) = crate::backup::last_success(conn).await {
                crate::metrics::record_last_backup(last);
            }
            if let Ok((pending, oldest)) = billing::inbox::backlog(conn).await
                && let Ok(unreadable) = billing::inbox::unreadable(conn).await
            {
                crate::metrics::record_payment_events(pending, oldest, unreadable);
            }
        })
        .await;
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The newest widget script, for embed codes without a pinned version: cached five minutes.
async fn widget() -> Response {
    script_response(&WidgetRelease::current().script, "public, max-age=300")
}

/// A widget release by its file name: this build's, or one an earlier release served (kept in
/// `widget_releases`, so that a snippet pinned with Subresource Integrity keeps working). The
/// content of a name never changes: cached for a year.
async fn widget_release(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    const IMMUTABLE: &str = "public, max-age=31536000, immutable";
    let current = WidgetRelease::current();
    if file == current.file {
        return script_response(&current.script, IMMUTABLE);
    }
    let stored = async {
        use carbot_schema::db::schema::widget_releases;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut conn = state.services.pool.get().await.ok()?;
        widget_releases::table
            .find(&file)
            .select(widget_releases::script)
            .first::<String>(&mut conn)
            .await
            .ok()
    }
    .await;
    match stored {
        Some(script) => script_response(&script, IMMUTABLE),
        None => (StatusCode::NOT_FOUND, "no such widget release").into_response(),
    }
}

/// A widget script: loadable from any website, also in CORS mode (`crossorigin`, which
/// Subresource Integrity needs).
fn script_response(script: &str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        script.to_owned(),
    )
        .into_response()
}

/// Keeps this build's widget script, so that processes of later releases still serve it.
async fn keep_widget_release(pool: &db::Pool) -> anyhow::Result<()> {
    use carbot_schema::db::schema::widget_releases;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let release = WidgetRelease::current();
    let mut conn = pool.get().await?;
    diesel::insert_into(widget_releases::table)
        .values((
            widget_releases::file.eq(&release.file),
            widget_releases::integrity.eq(&release.integrity),
            widget_releases::script.eq(&release.script),
        ))
        .on_conflict_do_nothing()
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// The console's page for every path it routes itself (`/`, `/leads/…`, …).
async fn console(State(state): State<AppState>) -> Response {
    match tokio::fs::read_to_string(state.console_dir.join("index.html")).await {
        Ok(page) => (
            [
                (header::CACHE_CONTROL, "no-cache"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                ),
            ],
            Html(page),
        )
            .into_response(),
        Err(_) => console_missing().await.into_response(),
    }
}

async fn console_missing() -> Html<&'static str> {
    Html(include_str!("console_missing.html"))
}
