//! Database access: the connection pool, the embedded migrations and error mapping.

pub mod rows;
pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::InstrumentationEvent;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::ManagerConfig;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

pub type Pool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;
pub type Conn<'a> = bb8::PooledConnection<'a, AsyncDieselConnectionManager<AsyncPgConnection>>;

/// SQL statements this process has sent (apart from the `/metrics` scrape's own reads, see
/// [`uncounted`]), for `/metrics` (`carbot_db_statements_total`) and the
/// benchmark that checks nested fields stay batched.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

pub fn statements_executed() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

fn count_statements(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::StartQuery { .. } = event {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `work` on `conn` without counting its statements: for the `/metrics` scrape's own
/// reads, so that the counter read before and after a request shows that request's statements.
pub async fn uncounted<T>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> T,
) -> T {
    use diesel::connection::Instrumentation;
    use diesel_async::AsyncConnection;
    struct Uncounted;
    impl Instrumentation for Uncounted {
        fn on_connection_event(&mut self, _: InstrumentationEvent<'_>) {}
    }
    conn.set_instrumentation(Uncounted);
    let result = work(conn).await;
    conn.set_instrumentation(count_statements);
    result
}

pub async fn connect_pool(database_url: &str, max_size: u32) -> Result<Pool, ApiError> {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // No `SELECT 1` on every checkout: a connection that broke is known as broken after its
    // failed statement and is not handed out again.
    config.recycling_method = diesel_async::pooled_connection::RecyclingMethod::Fast;
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            use diesel_async::{AsyncConnection, SimpleAsyncConnection};
            let mut conn = AsyncPgConnection::establish(url).await?;
            // No JIT: the analytics statements cost more than `jit_inline_above_cost`, and
            // compiling them took longer than running them (a month's totals over a million
            // facts: 858 ms with JIT, 338 ms without); the other statements never reach it.
            conn.batch_execute("SET jit = off")
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            conn.set_instrumentation(count_statements);
            Ok(conn)
        })
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    bb8::Pool::builder()
        .max_size(max_size)
        // A request waits at most this long for a connection: while the database is away (a
        // restart, a failover) callers get an answer with `retryAfter` in seconds, not a hang.
        .connection_timeout(std::time::Duration::from_secs(3))
        .build(manager)
        .await
        .map_err(ApiError::internal)
}

/// Applies every pending migration; returns the versions it applied.
///
/// Several `carbot` processes may start at once against one database: an advisory lock makes
/// them take turns, so each migration runs exactly once.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        use diesel::RunQueryDsl;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| MigrationError(e.to_string()))?;
        // Raw SQL: advisory locks are functions the DSL does not know.
        diesel::sql_query("SELECT pg_advisory_lock(7283640021)")
            .execute(&mut conn)
            .map_err(|e| MigrationError(e.to_string()))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| MigrationError(e.to_string()));
        let _ = diesel::sql_query("SELECT pg_advisory_unlock(7283640021)").execute(&mut conn);
        applied
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
}

/// True when every embedded migration has been applied (for `/readyz`).
pub async fn migrations_current(pool: &Pool) -> Result<bool, ApiError> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    diesel::table! {
        __diesel_schema_migrations (version) {
            version -> Text,
        }
    }
    let mut conn = pool.get().await?;
    let applied: Vec<String> = __diesel_schema_migrations::table
        .select(__diesel_schema_migrations::version)
        .load(&mut conn)
        .await?;
    let pending = migration_versions()
        .iter()
        .any(|version| !applied.contains(version));
    Ok(!pending)
}

/// The versions of the embedded migrations (`20261203000015`, …), oldest first: the schema
/// versions this build knows.
pub fn migration_versions() -> &'static [String] {
    static VERSIONS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    VERSIONS.get_or_init(|| {
        use diesel::migration::MigrationSource;
        let mut versions: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default();
        versions.sort();
        versions
    })
}

#[derive(Debug, thiserror::Error)]
#[error("migration failed: {0}")]
pub struct MigrationError(String);

/// True when a diesel error is a unique violation on the named constraint or index.
pub fn is_unique_violation(error: &diesel::result::Error, constraint: &str) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(constraint)
    )
}

/// One SQL statement put together from parts that bind their own parameters: a change of
/// several tables written as data-modifying `WITH` parts is atomic without a transaction and
/// costs one round trip (`BEGIN`, the writes and `COMMIT` would be five or more).
pub struct Statement {
    sql: String,
    query: Option<
        diesel::query_builder::BoxedSqlQuery<
            'static,
            diesel::pg::Pg,
            diesel::query_builder::SqlQuery,
        >,
    >,
    params: usize,
}

impl Default for Statement {
    fn default() -> Self {
        Self {
            sql: String::new(),
            query: Some(diesel::sql_query("").into_boxed()),
            params: 0,
        }
    }
}

impl Statement {
    /// A statement that starts with a `WITH` list.
    pub fn with() -> Self {
        let mut statement = Self::default();
        statement.sql("WITH ");
        statement
    }

    /// Appends SQL text.
    pub fn sql(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self
    }

    /// Binds `value` as the next parameter and returns its placeholder (`$3`), to write into
    /// the text as often as it is needed.
    pub fn bind<ST, V>(&mut self, value: V) -> String
    where
        diesel::pg::Pg: diesel::sql_types::HasSqlType<ST>,
        V: diesel::serialize::ToSql<ST, diesel::pg::Pg> + Send + 'static,
        ST: Send + 'static,
    {
        let query = self
            .query
            .take()
            .expect("a statement being built has its query");
        self.query = Some(query.bind::<ST, V>(value));
        self.params += 1;
        format!("${}", self.params)
    }

    /// The statement to run.
    pub fn query(
        mut self,
    ) -> diesel::query_builder::BoxedSqlQuery<
        'static,
        diesel::pg::Pg,
        diesel::query_builder::SqlQuery,
    > {
        let query = self
            .query
            .take()
            .expect("a statement being built has its query");
        query.sql(self.sql)
    }
}
