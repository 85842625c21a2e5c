//! A CarBot platform per test: the real server on port 0, on its own PostgreSQL database cloned
//! from a migrated template in a cluster the tests start with the product's embedded start-up.

// `stripe_mock` writes Stripe's objects, all their fields, as single `json!` literals.
#![recursion_limit = "512"]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use serde_json;

pub mod chat;
pub mod openai_mock;
pub mod redis;
pub mod serve;
pub mod smtp;
pub mod stripe_mock;

struct Cluster {
    /// URL of the cluster's `postgres` database, for creating databases.
    admin_url: String,
    template: String,
    _embedded: Option<carbot::postgres::EmbeddedPostgres>,
}

/// The repository's root (tests find the browser drivers and the console there).
pub fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Replaces the database name of a `postgres://` URL (keeping any `?host=` socket parameter).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// The migrations' names and contents decide the template; a changed migration gets a new one.
fn template_name() -> String {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(workspace_dir().join("migrations"))
        .expect("the migrations directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for dir in entries {
        for part in [
            dir.to_string_lossy().into_owned().into_bytes(),
            std::fs::read(dir.join("up.sql")).unwrap_or_default(),
        ] {
            for byte in part {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    format!("carbot_template_{:012x}", hash & 0xffff_ffff_ffff)
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        // Set-up runs on its own thread and runtime: it outlives every test's runtime.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(start_cluster())
        })
        .join()
        .expect("test cluster set-up panicked")
    })
}

async fn start_cluster() -> Cluster {
    let (admin_url, embedded) = match std::env::var("CARBOT_TEST_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let dir = workspace_dir().join("target").join("test-postgres");
            let pg = tokio::task::spawn_blocking(move || {
                carbot::postgres::EmbeddedPostgres::start(&dir)
            })
            .await
            .expect("join")
            .expect("starting the test PostgreSQL cluster");
            (pg.url("postgres"), Some(pg))
        }
    };
    let template = template_name();
    let mut conn = AsyncPgConnection::establish(&admin_url)
        .await
        .expect("connecting to the test cluster");
    diesel::sql_query("SELECT pg_advisory_lock(8812001)")
        .execute(&mut conn)
        .await
        .expect("lock");
    drop_leftover_databases(&mut conn, &template).await;
    if !database_exists(&mut conn, &template).await {
        carbot::postgres::ensure_database(&admin_url, &template)
            .await
            .expect("creating the template");
        carbot_schema::db::run_migrations(&with_database(&admin_url, &template))
            .await
            .expect("migrating the template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(8812001)")
        .execute(&mut conn)
        .await
        .expect("unlock");
    Cluster {
        admin_url,
        template,
        _embedded: embedded,
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    let found: Vec<Name> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .load(conn)
        .await
        .expect("listing databases");
    !found.is_empty()
}

/// Databases of earlier runs, and templates of older migrations.
async fn drop_leftover_databases(conn: &mut AsyncPgConnection, template: &str) {
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'carbot\\_test\\_%' OR datname LIKE 'carbot\\_template\\_%'",
    )
    .load(conn)
    .await
    .expect("listing databases");
    for Name { datname } in names.into_iter().filter(|n| n.datname != template) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
            .execute(conn)
            .await;
    }
}

/// A running platform with its own database.
pub struct TestApp {
    pub url: String,
    pub database_url: String,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _data_dir: TempDir,
}

/// An owner signed in through `register`.
#[derive(Debug, Clone)]
pub struct Owner {
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
    pub workshop_id: String,
    pub user_id: String,
}

pub const PASSWORD: &str = "Bremsscheibe-Quietscht-7";

impl Owner {
    /// The user a `SessionPayload` (`session { accessToken refreshToken } viewer { id workshop
    /// { id } }`) signed in, with the tests' password.
    fn signed_in(email: &str, payload: &Value) -> Self {
        let text = |pointer: &str| {
            payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{pointer} in {payload}"))
                .to_owned()
        };
        Self {
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
            access_token: text("/session/accessToken"),
            refresh_token: text("/session/refreshToken"),
            workshop_id: text("/viewer/workshop/id"),
            user_id: text("/viewer/id"),
        }
    }
}

/// How to start a [`TestApp`]; the default is in-process events and the built-in assistant.
#[derive(Default, Clone)]
pub struct TestOptions {
    /// Share this database (another app's `database_url`) instead of a fresh clone.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub redis_prefix: Option<String>,
    pub ai: carbot::config::AiConfig,
    /// The tests' SMTP server (`smtp::SmtpServer::url`); without it e-mails go to the log.
    pub smtp_url: Option<String>,
    /// Seconds between rounds of lead reminders and summaries (the product's default is 60).
    pub notify_interval_secs: Option<u64>,
    /// Create the demo workshop with its generated history, as `carbot serve` does on an empty
    /// embedded database.
    pub seed_demo: bool,
    /// Stripe (`stripe_mock::StripeMock`); without a key billing is not configured.
    pub billing: carbot::config::BillingConfig,
    /// `CARBOT_PUBLIC_URL` (links in e-mails, secure cookies and HSTS for `https`).
    pub public_url: Option<String>,
    /// Refuse the widget's fields to documents other than the widget's own, as production
    /// does; off by default, so that tests may call those fields with documents of their own.
    pub trusted_documents_only: bool,
}

/// A fresh database cloned from the migrated template; returns its URL.
pub async fn new_database() -> String {
    let cluster = cluster();
    let database = format!("carbot_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&cluster.admin_url)
        .await
        .expect("admin connection");
    let mut attempts = 0;
    // Cloning needs the template to be idle; concurrent clones may briefly collide.
    while let Err(error) = diesel::sql_query(format!(
        "CREATE DATABASE {database} TEMPLATE {}",
        cluster.template
    ))
    .execute(&mut admin)
    .await
    {
        attempts += 1;
        assert!(attempts < 50, "creating the test database: {error}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    with_database(&cluster.admin_url, &database)
}

/// The number a `SELECT count(*) AS n …` statement gives, on its own connection to
/// `database_url`.
pub async fn count_rows(database_url: &str, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .expect("connection");
    let count: Count = diesel::sql_query(sql)
        .get_result(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    count.n
}

/// A new database on the test cluster without any table (a new installation's); dropped with
/// the test databases at the next run.
pub async fn empty_database() -> String {
    let cluster = cluster();
    let database = format!("carbot_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&cluster.admin_url)
        .await
        .expect("admin connection");
    diesel::sql_query(format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .await
        .expect("creating an empty database");
    with_database(&cluster.admin_url, &database)
}

/// The JWT secret of every test app, so that apps sharing a database accept each other's tokens.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

impl TestApp {
    pub async fn new() -> Self {
        Self::with(TestOptions::default()).await
    }

    pub async fn with(options: TestOptions) -> Self {
        let database_url = match options.database_url {
            Some(url) => url,
            None => new_database().await,
        };
        let data_dir = TempDir::new();
        let config = carbot::Config {
            addr: "127.0.0.1:0".parse().expect("address"),
            data_dir: data_dir.0.clone(),
            database_url: Some(database_url.parse().expect("infallible")),
            db_pool_size: 8,
            redis_url: options
                .redis_url
                .map(|url| url.parse().expect("infallible")),
            redis_prefix: options.redis_prefix.unwrap_or_else(|| "carbot".into()),
            ai: options.ai,
            mail: carbot::config::MailConfig {
                smtp_url: options.smtp_url.map(|url| url.parse().expect("infallible")),
                from: "CarBot Test <noreply@carbot.test>".into(),
                poll_ms: 200,
                notify_interval_secs: options.notify_interval_secs.unwrap_or(60),
            },
            billing: options.billing,
            // The tests' receivers listen on 127.0.0.1.
            webhooks: carbot::config::WebhookConfig {
                allow_loopback: true,
            },
            jwt_secret: Some(JWT_SECRET.parse().expect("infallible")),
            public_url: options.public_url,
            allow_any_widget_document: !options.trusted_documents_only,
            trust_proxy: true,
            console_dir: workspace_dir().join("console").join("dist"),
            seed_demo: options.seed_demo,
            backup_dir: None,
            backup_schedule: carbot::backup::Schedule::Off,
            operator_email: None,
            log: "warn".into(),
            log_format: carbot::config::LogFormat::Text,
        };
        let app = carbot::App::build(&config).await.expect("building the app");
        let url = format!("http://{}", app.local_addr());
        let (shutdown, signal) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve(async move {
            let _ = signal.await;
        }));
        Self {
            url,
            database_url,
            client: reqwest::Client::new(),
            shutdown: Some(shutdown),
            server: Some(server),
            _data_dir: data_dir,
        }
    }

    /// Stops the server the way SIGTERM does and waits for it to finish.
    pub async fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }

    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.url)
    }

    /// POSTs a GraphQL request; returns the status and the JSON body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.graphql_url())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// A GraphQL request expected to succeed at the HTTP level; returns the JSON body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables).await;
        assert_eq!(status, 200, "unexpected status; body: {body}");
        body
    }

    pub async fn register(&self, email: &str, workshop: &str) -> Owner {
        self.register_from(email, workshop, "127.0.0.1").await
    }

    /// Registers from client address `ip` (as a proxy reports it), for tests that register more
    /// workshops than one address may in an hour.
    pub async fn register_from(&self, email: &str, workshop: &str, ip: &str) -> Owner {
        let response = self
            .client
            .post(self.graphql_url())
            .header("x-forwarded-for", ip)
            .json(&json!({
                "query": "mutation($input: RegisterInput!) { register(input: $input) {
                    session { accessToken refreshToken } viewer { id workshop { id } } userErrors { code message } } }",
                "variables": { "input": { "email": email, "password": PASSWORD, "workshopName": workshop } },
            }))
            .send()
            .await
            .expect("request");
        let body: Value = response.json().await.expect("a JSON body");
        let payload = &body["data"]["register"];
        assert_eq!(payload["userErrors"], json!([]), "register failed: {body}");
        Owner::signed_in(email, payload)
    }

    /// Puts the owner's workshop on `plan` with a running subscription (as billing will).
    pub async fn subscribe(&self, owner: &Owner, plan: &str) {
        let mut conn = self.db().await;
        diesel::sql_query(
            "UPDATE workshops SET plan_code = $1, billing_status = 'ACTIVE', access_until = NULL
             WHERE id IN (SELECT m.workshop_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $2)",
        )
        .bind::<diesel::sql_types::Text, _>(plan)
        .bind::<diesel::sql_types::Text, _>(&owner.email)
        .execute(&mut conn)
        .await
        .expect("subscribing");
    }

    /// Creates an API token as `owner` (moving the workshop to Enterprise, which includes API
    /// access); returns (id, secret).
    pub async fn api_token(&self, owner: &Owner, scopes: &[&str]) -> (String, String) {
        self.subscribe(owner, "ENTERPRISE").await;
        let body = self
            .gql(
                Some(&owner.access_token),
                "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
                    apiToken { id } secret userErrors { code } } }",
                json!({ "input": { "name": "Integration", "scopes": scopes } }),
            )
            .await;
        let payload = &body["data"]["createApiToken"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        (
            payload["apiToken"]["id"].as_str().expect("id").to_owned(),
            payload["secret"].as_str().expect("secret").to_owned(),
        )
    }

    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.database_url)
            .await
            .expect("database connection")
    }

    /// Rows per table, to show that a refused request changed nothing.
    pub async fn row_counts(&self) -> BTreeMap<String, i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            rows: i64,
        }
        let mut conn = self.db().await;
        let counts: Vec<Count> = diesel::sql_query(
            "SELECT 'workshops' AS name, count(*) AS rows FROM workshops
             UNION ALL SELECT 'users', count(*) FROM users
             UNION ALL SELECT 'memberships', count(*) FROM memberships
             UNION ALL SELECT 'sessions', count(*) FROM sessions
             UNION ALL SELECT 'revoked_sessions', count(*) FROM sessions WHERE revoked_at IS NOT NULL
             UNION ALL SELECT 'refresh_tokens', count(*) FROM refresh_tokens
             UNION ALL SELECT 'api_tokens', count(*) FROM api_tokens
             UNION ALL SELECT 'revoked_api_tokens', count(*) FROM api_tokens WHERE revoked_at IS NOT NULL
             UNION ALL SELECT 'billing_accounts', count(*) FROM billing_accounts
             UNION ALL SELECT 'invoices', count(*) FROM invoices
             UNION ALL SELECT 'stripe_events', count(*) FROM stripe_events",
        )
        .load(&mut conn)
        .await
        .expect("counting rows");
        counts.into_iter().map(|c| (c.name, c.rows)).collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A directory removed when dropped.
/// A directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("carbot-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the browser driver `tests/browser/<script>` (Node.js and playwright-core, which
/// `./dev test` installs) with `env`; returns its one-line JSON report, which must say `ok`.
pub async fn run_browser_driver(script: &str, env: &[(&str, &str)]) -> Value {
    let driver = tokio::process::Command::new("node")
        .arg(workspace_dir().join("tests").join("browser").join(script))
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output()
        .await
        .expect("running node (./dev test installs Node.js, Chromium and playwright-core)");
    let stdout = String::from_utf8_lossy(&driver.stdout);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from {script}; stdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&driver.stderr)
            )
        });
    assert_eq!(report["ok"], true, "{report}");
    assert!(driver.status.success(), "{report}");
    report
}

pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// The `token` of the newest e-mail link to `path` (e.g. `/invitation`) sent to `to`, read
/// from the outbox (for tests that are not about the e-mail itself).
pub async fn outbox_token(app: &TestApp, to: &str, path: &str) -> String {
    #[derive(QueryableByName)]
    struct Body {
        #[diesel(sql_type = diesel::sql_types::Text)]
        body_text: String,
    }
    let mut conn = app.db().await;
    let found: Vec<Body> = diesel::sql_query(
        "SELECT body_text FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind::<diesel::sql_types::Text, _>(to)
    .load(&mut conn)
    .await
    .expect("reading the outbox");
    let text = &found
        .into_iter()
        .next()
        .expect("an e-mail in the outbox")
        .body_text;
    let start = text.find(&format!("{path}?token=")).expect("the link");
    text[start..]
        .split_once("token=")
        .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_owned())
        .expect("a token")
}

impl TestApp {
    /// Invites `email` into the owner's workshop as `role` and accepts it with a new account;
    /// returns the new member signed in there.
    pub async fn member(&self, owner: &Owner, email: &str, role: &str) -> Owner {
        let body = self
            .gql(
                Some(&owner.access_token),
                "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } userErrors { code message } } }",
                json!({ "input": { "email": email, "role": role } }),
            )
            .await;
        assert_eq!(
            body["data"]["inviteMember"]["userErrors"],
            json!([]),
            "{body}"
        );
        let token = outbox_token(self, email, "/invitation").await;
        let body = self
            .gql(
                None,
                "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) {
                    session { accessToken refreshToken } viewer { id role workshop { id } } userErrors { code message } } }",
                json!({ "input": { "token": token, "password": PASSWORD } }),
            )
            .await;
        let payload = &body["data"]["acceptInvitation"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        Owner::signed_in(email, payload)
    }
}
