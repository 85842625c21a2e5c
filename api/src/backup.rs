//! Backups of the platform's database: `carbot backup create|list|verify|restore` and the
//! scheduled backups inside `carbot serve`.
//!
//! A backup is a `pg_dump` in its custom format, written under a temporary name and renamed when
//! complete, with a manifest next to it (`carbot-<time>.dump` and `carbot-<time>.json`): when,
//! how large, its SHA-256, the schema version (the newest migration applied) and the row count
//! of every table, counted in the snapshot `pg_dump` reads, so the counts are exactly the dump's.
//! Verifying restores it into a scratch database and compares the counts; restoring replaces the
//! target database's tables in one transaction (nothing changes when anything fails) and then
//! applies the migrations this build has and the backup had not.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc};
use diesel::sql_types::{BigInt, Text};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's format name.
pub const FORMAT: &str = "carbot.backup/1";

/// Who took a backup: scheduled ones are pruned, manual ones are the operator's to delete.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    Manual,
    Schedule,
}

/// What a backup holds, written next to it as `<name>.json`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: String,
    /// The dump's file name, in the manifest's directory.
    pub file: String,
    pub created_at: DateTime<Utc>,
    pub trigger: Trigger,
    pub size_bytes: u64,
    /// Hex SHA-256 of the dump file.
    pub sha256: String,
    /// The newest migration the database had (`20261203000015`).
    pub schema_version: String,
    pub carbot_version: String,
    /// The database the backup was taken of.
    pub database: String,
    /// Rows per table of the `public` schema, as dumped.
    pub tables: BTreeMap<String, i64>,
}

impl Manifest {
    pub fn rows(&self) -> i64 {
        self.tables.values().sum()
    }
}

/// A backup on disk: its manifest and where the dump is.
#[derive(Debug, Clone)]
pub struct Backup {
    pub manifest: Manifest,
    pub dump: PathBuf,
}

// ---- PostgreSQL's client programs -------------------------------------------------------------

/// A PostgreSQL client program (`pg_dump`, `pg_restore`, `psql`): in `CARBOT_PG_BIN`, in
/// Debian's newest versioned directory, or on the `PATH`.
fn tool(name: &str) -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARBOT_PG_BIN") {
        let path = PathBuf::from(dir).join(name);
        if path.exists() {
            return Ok(path);
        }
        bail!("{} not found (CARBOT_PG_BIN)", path.display());
    }
    if let Some(path) = crate::postgres::debian_program(name) {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.exists())
        .with_context(|| format!("{name} was not found: install the `postgresql-client` package"))
}

/// A database URL split for a client program: the URL without its password (which would show
/// in the process list) and the password, for `PGPASSWORD`.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = authority[..at].split_once(':') else {
        return (url.to_owned(), None);
    };
    let password = percent_encoding::percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    let stripped = format!(
        "{}{user}{}{}",
        &url[..scheme_end],
        &authority[at..],
        &rest[authority_end..]
    );
    (stripped, Some(password))
}

/// `url` naming another database of the same server.
fn with_database(url: &str, database: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let after_path = rest[path_start..]
        .find('?')
        .map_or("", |q| &rest[path_start + q..]);
    format!(
        "{}{}/{database}{after_path}",
        &url[..scheme_end],
        &rest[..path_start]
    )
}

/// Runs a client program against `url` (`--dbname`), with the password in its environment.
async fn run_tool(
    name: &str,
    args: &[&std::ffi::OsStr],
    url: &str,
) -> anyhow::Result<std::process::Output> {
    let (url, password) = without_password(url);
    let mut command = tokio::process::Command::new(tool(name)?);
    command.args(args).arg("--dbname").arg(url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("running {name}"))?;
    if !output.status.success() {
        bail!(
            "{name} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

// ---- reading a database -----------------------------------------------------------------------

async fn connect(url: &str) -> anyhow::Result<AsyncPgConnection> {
    AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database")
}

/// Rows per table of the `public` schema, in the connection's snapshot.
async fn table_counts(conn: &mut AsyncPgConnection) -> anyhow::Result<BTreeMap<String, i64>> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        rows: i64,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .load(conn)
    .await?;
    if tables.is_empty() {
        return Ok(BTreeMap::new());
    }
    let union = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT {}::text AS name, count(*) AS rows FROM public.{}",
                quote_literal(&t.name),
                quote_ident(&t.name)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let counts: Vec<Count> = diesel::sql_query(union).load(conn).await?;
    Ok(counts.into_iter().map(|c| (c.name, c.rows)).collect())
}

/// The newest migration applied; `None` for a database CarBot never migrated.
async fn schema_version(conn: &mut AsyncPgConnection) -> anyhow::Result<Option<String>> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        version: Option<String>,
    }
    let exists: Version = diesel::sql_query(
        "SELECT to_regclass('public.__diesel_schema_migrations')::text AS version",
    )
    .get_result(conn)
    .await?;
    if exists.version.is_none() {
        return Ok(None);
    }
    let newest: Version = diesel::sql_query(
        "SELECT max(version)::text AS version FROM public.__diesel_schema_migrations",
    )
    .get_result(conn)
    .await?;
    Ok(newest.version)
}

async fn database_name(conn: &mut AsyncPgConnection) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let name: Name = diesel::sql_query("SELECT current_database()::text AS name")
        .get_result(conn)
        .await?;
    Ok(name.name)
}

/// Whether schema version `a` is newer than `b` (both the digits of a migration's date).
fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

// ---- files ------------------------------------------------------------------------------------

/// Size and hex SHA-256 of a file.
fn digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Creates the backup directory, readable by its owner only (backups hold personal data).
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("restricting {}", dir.display()))?;
    Ok(())
}

/// The backup a path names: the dump or its manifest.
pub fn open(path: &Path) -> anyhow::Result<Backup> {
    let manifest_path = if path.extension().is_some_and(|e| e == "json") {
        path.to_owned()
    } else {
        path.with_extension("json")
    };
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("reading the manifest {}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a backup manifest", manifest_path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{} has format {:?}; this build reads {FORMAT}",
            manifest_path.display(),
            manifest.format
        );
    }
    let dump = manifest_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(&manifest.file);
    Ok(Backup { manifest, dump })
}

/// [`open`], and the dump checked against the manifest's size and checksum.
pub fn open_checked(path: &Path) -> anyhow::Result<Backup> {
    let backup = open(path)?;
    let (size, sha256) = digest(&backup.dump)?;
    if size != backup.manifest.size_bytes || sha256 != backup.manifest.sha256 {
        bail!(
            "{} does not match its manifest (checksum {sha256}, {size} bytes; the manifest says {}, {} bytes): the file is damaged",
            backup.dump.display(),
            backup.manifest.sha256,
            backup.manifest.size_bytes
        );
    }
    Ok(backup)
}

/// The backups in `dir`, newest first.
pub fn list(dir: &Path) -> anyhow::Result<Vec<Backup>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(error) => return Err(error).with_context(|| format!("reading {}", dir.display())),
    };
    let mut backups: Vec<Backup> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter_map(|path| open(&path).ok())
        .collect();
    backups.sort_by_key(|b| std::cmp::Reverse(b.manifest.created_at));
    Ok(backups)
}

// ---- create -----------------------------------------------------------------------------------

/// Takes a backup of the database at `url` into `dir`.
pub async fn create(url: &str, dir: &Path, trigger: Trigger) -> anyhow::Result<Backup> {
    #[derive(QueryableByName)]
    struct Snapshot {
        #[diesel(sql_type = Text)]
        id: String,
    }
    prepare_dir(dir)?;
    let mut conn = connect(url).await?;
    // The counts and the dump read one snapshot: pg_dump joins the one exported here.
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let snapshot: Snapshot = diesel::sql_query("SELECT pg_export_snapshot() AS id")
        .get_result(&mut conn)
        .await?;
    let tables = table_counts(&mut conn).await?;
    let schema_version = schema_version(&mut conn)
        .await?
        .context("the database has no CarBot schema (run `carbot migrate` first)")?;
    let database = database_name(&mut conn).await?;
    let created_at = Utc::now();
    let stem = format!("carbot-{}", created_at.format("%Y%m%dT%H%M%S%.3fZ"));
    let dump = dir.join(format!("{stem}.dump"));
    let partial = dir.join(format!(".{stem}.dump.partial"));
    let dumped = run_tool(
        "pg_dump",
        &[
            "--format=custom".as_ref(),
            format!("--snapshot={}", snapshot.id).as_ref(),
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--file".as_ref(),
            partial.as_os_str(),
        ],
        url,
    )
    .await;
    // The snapshot is needed until pg_dump has its own.
    let _ = conn.batch_execute("COMMIT").await;
    if let Err(error) = dumped {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    let written = (|| {
        std::fs::File::open(&partial)?.sync_all()?;
        let (size_bytes, sha256) = digest(&partial)?;
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            file: format!("{stem}.dump"),
            created_at,
            trigger,
            size_bytes,
            sha256,
            schema_version,
            carbot_version: env!("CARGO_PKG_VERSION").to_owned(),
            database,
            tables,
        };
        let manifest_partial = dir.join(format!(".{stem}.json.partial"));
        let mut file = std::fs::File::create(&manifest_partial)?;
        file.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        file.sync_all()?;
        // The dump first: a manifest always names a complete dump.
        std::fs::rename(&partial, &dump)?;
        std::fs::rename(&manifest_partial, dir.join(format!("{stem}.json")))?;
        sync_dir(dir)?;
        Ok::<_, anyhow::Error>(manifest)
    })();
    match written {
        Ok(manifest) => Ok(Backup { manifest, dump }),
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error.context(format!("writing the backup into {}", dir.display())))
        }
    }
}

// ---- verify -----------------------------------------------------------------------------------

/// A table whose rows after a restore differ from the manifest's (`None`: the table is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub table: String,
    pub expected: i64,
    pub found: Option<i64>,
}

/// What verifying found.
#[derive(Debug)]
pub struct Verification {
    pub backup: Backup,
    pub mismatches: Vec<Mismatch>,
}

fn compare(expected: &BTreeMap<String, i64>, found: &BTreeMap<String, i64>) -> Vec<Mismatch> {
    expected
        .iter()
        .filter(|(table, rows)| found.get(*table) != Some(rows))
        .map(|(table, rows)| Mismatch {
            table: table.clone(),
            expected: *rows,
            found: found.get(table).copied(),
        })
        .collect()
}

/// Checks the dump against its manifest, restores it into a scratch database on the server of
/// `url` and compares every table's rows with the manifest; the scratch database is dropped.
pub async fn verify(url: &str, path: &Path) -> anyhow::Result<Verification> {
    let backup = open_checked(path)?;
    let scratch = format!(
        "carbot_verify_{:012x}",
        rand::random::<u64>() & 0xffff_ffff_ffff
    );
    let mut admin = connect(url).await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&scratch)))
        .await
        .context("creating a scratch database (the database user needs CREATEDB)")?;
    let scratch_url = with_database(url, &scratch);
    let restored = async {
        run_tool(
            "pg_restore",
            &[
                "--no-owner".as_ref(),
                "--no-privileges".as_ref(),
                "--exit-on-error".as_ref(),
                "--single-transaction".as_ref(),
                backup.dump.as_os_str(),
            ],
            &scratch_url,
        )
        .await?;
        let mut conn = connect(&scratch_url).await?;
        table_counts(&mut conn).await
    }
    .await;
    let dropped = admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&scratch)
        ))
        .await;
    if let Err(error) = dropped {
        tracing::warn!(%error, database = %scratch, "dropping the scratch database");
    }
    let found = restored?;
    let mismatches = compare(&backup.manifest.tables, &found);
    Ok(Verification { backup, mismatches })
}

// ---- restore ----------------------------------------------------------------------------------

/// How far `restore` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Check everything and say what would happen; change nothing.
    DryRun,
    /// Replace the data (`--yes`).
    Yes,
    /// Neither: refuse, saying what `--yes` would replace.
    Ask,
}

/// What a restore found and did.
#[derive(Debug)]
pub struct Restore {
    pub backup: Backup,
    pub database: String,
    /// Rows of the target before (by table).
    pub before: BTreeMap<String, i64>,
    /// Whether the data was replaced (not for a dry run).
    pub replaced: bool,
    /// Migrations applied after the restore (a backup of an older schema).
    pub migrated: Vec<String>,
}

/// Refused for want of `--yes`; the message says what would be replaced.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NeedsConfirmation(pub String);

/// Restores a backup into the database at `url`, replacing its tables in one transaction.
pub async fn restore(url: &str, path: &Path, confirm: Confirm) -> anyhow::Result<Restore> {
    let backup = open_checked(path)?;
    let known = carbot_schema::db::migration_versions()
        .last()
        .cloned()
        .unwrap_or_default();
    if newer(&backup.manifest.schema_version, &known) {
        bail!(
            "the backup is from a newer CarBot (schema {}; this one knows up to {known}): restore it with that version or newer",
            backup.manifest.schema_version
        );
    }
    // The dump must be readable as a whole before anything is touched.
    run_tool_file("pg_restore", &["--list".as_ref(), backup.dump.as_os_str()]).await?;
    let mut conn = connect(url).await?;
    let database = database_name(&mut conn).await?;
    let before = table_counts(&mut conn).await?;
    drop(conn);
    let mut outcome = Restore {
        backup,
        database,
        before,
        replaced: false,
        migrated: vec![],
    };
    match confirm {
        Confirm::DryRun => return Ok(outcome),
        Confirm::Ask => {
            return Err(NeedsConfirmation(format!(
                "restoring replaces every table of database {} ({} rows now) with the backup of {} ({} rows); run again with --yes (or --dry-run to check only)",
                outcome.database,
                outcome.before.values().sum::<i64>(),
                outcome.backup.manifest.created_at.to_rfc3339(),
                outcome.backup.manifest.rows()
            ))
            .into());
        }
        Confirm::Yes => {}
    }
    replace(url, &outcome.backup).await?;
    outcome.replaced = true;
    let mut conn = connect(url).await?;
    let after = table_counts(&mut conn).await?;
    drop(conn);
    let mismatches = compare(&outcome.backup.manifest.tables, &after);
    if !mismatches.is_empty() {
        bail!("the restored tables differ from the manifest: {mismatches:?}");
    }
    outcome.migrated = carbot_schema::db::run_migrations(url)
        .await
        .context("migrating the restored database")?;
    Ok(outcome)
}

/// Runs a client program that reads a file only (no database).
async fn run_tool_file(name: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let output = tokio::process::Command::new(tool(name)?)
        .args(args)
        .output()
        .await
        .with_context(|| format!("running {name}"))?;
    if !output.status.success() {
        bail!(
            "{name} cannot read the backup: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Replaces the `public` schema of `url` with the backup's, in one transaction: the dump as SQL
/// (written next to it, readable by the owner only, removed afterwards) run by `psql` after
/// dropping the schema, all between one BEGIN and COMMIT.
async fn replace(url: &str, backup: &Backup) -> anyhow::Result<()> {
    let dir = backup.dump.parent().unwrap_or_else(|| Path::new("."));
    let script = dir.join(format!(".restore-{:016x}.sql", rand::random::<u64>()));
    let result = async {
        run_tool_file(
            "pg_restore",
            &[
                "--no-owner".as_ref(),
                "--no-privileges".as_ref(),
                "--file".as_ref(),
                script.as_os_str(),
                backup.dump.as_os_str(),
            ],
        )
        .await?;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o600))?;
        if !ends_complete(&script)? {
            bail!("the backup's SQL is incomplete");
        }
        run_tool(
            "psql",
            &[
                "--no-psqlrc".as_ref(),
                "--quiet".as_ref(),
                "--set=ON_ERROR_STOP=1".as_ref(),
                "--single-transaction".as_ref(),
                // Fails clearly instead of waiting behind a process that holds a table.
                "--command=SET lock_timeout = '10s'".as_ref(),
                "--command=DROP SCHEMA IF EXISTS public CASCADE".as_ref(),
                "--command=CREATE SCHEMA public".as_ref(),
                "--file".as_ref(),
                script.as_os_str(),
            ],
            url,
        )
        .await
        .context("replacing the tables (nothing was changed)")?;
        Ok(())
    }
    .await;
    let _ = std::fs::remove_file(&script);
    result
}

/// Whether pg_restore's SQL ends with the line it writes last.
fn ends_complete(script: &Path) -> anyhow::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(script)?;
    let length = file.metadata()?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(4096)))?;
    let mut tail = String::new();
    file.read_to_string(&mut tail)?;
    Ok(tail.contains("-- PostgreSQL database dump complete"))
}

// ---- pruning ----------------------------------------------------------------------------------

/// Which scheduled backups to delete: kept are the newest of each of the 7 newest days, of each
/// of the 4 newest ISO weeks and of each of the 6 newest months that have a backup (days in
/// `zone`). `backups` in any order; returns the indexes to delete.
pub fn to_prune(created: &[DateTime<Utc>], zone: chrono_tz::Tz) -> Vec<usize> {
    let mut order: Vec<usize> = (0..created.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(created[*i]));
    let mut keep = BTreeSet::new();
    let mut keep_newest_per = |key: &dyn Fn(DateTime<chrono_tz::Tz>) -> (i32, u32),
                               count: usize| {
        let mut seen = Vec::new();
        for &index in &order {
            let bucket = key(created[index].with_timezone(&zone));
            if seen.contains(&bucket) {
                continue;
            }
            if seen.len() == count {
                break;
            }
            seen.push(bucket);
            keep.insert(index);
        }
    };
    keep_newest_per(&|at| (at.year(), at.ordinal()), 7);
    keep_newest_per(
        &|at| {
            let week = at.iso_week();
            (week.year(), week.week())
        },
        4,
    );
    keep_newest_per(&|at| (at.year(), at.month()), 6);
    order.into_iter().filter(|i| !keep.contains(i)).collect()
}

/// Deletes scheduled backups of `dir` beyond the retention; returns the dumps deleted.
pub fn prune(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let scheduled: Vec<Backup> = list(dir)?
        .into_iter()
        .filter(|b| b.manifest.trigger == Trigger::Schedule)
        .collect();
    let created: Vec<DateTime<Utc>> = scheduled.iter().map(|b| b.manifest.created_at).collect();
    let mut deleted = Vec::new();
    for index in to_prune(&created, chrono_tz::Europe::Berlin) {
        let backup = &scheduled[index];
        std::fs::remove_file(&backup.dump)
            .with_context(|| format!("deleting {}", backup.dump.display()))?;
        std::fs::remove_file(backup.dump.with_extension("json"))?;
        deleted.push(backup.dump.clone());
    }
    Ok(deleted)
}

// ---- the schedule -----------------------------------------------------------------------------

/// When `carbot serve` takes backups (`CARBOT_BACKUP_SCHEDULE`): `daily 03:00 Europe/Berlin`
/// (the default; the zone may be left out), `every 6h` (also `s`, `m`), or `off`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Off,
    Daily { at: NaiveTime, zone: chrono_tz::Tz },
    Every(Duration),
}

impl FromStr for Schedule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            ["off"] => Ok(Self::Off),
            ["daily", at, rest @ ..] if rest.len() <= 1 => {
                let at = NaiveTime::parse_from_str(at, "%H:%M")
                    .map_err(|_| format!("{at:?} is not a time like 03:00"))?;
                let zone = match rest.first() {
                    Some(zone) => zone
                        .parse()
                        .map_err(|_| format!("{zone:?} is not a time zone like Europe/Berlin"))?,
                    None => chrono_tz::Europe::Berlin,
                };
                Ok(Self::Daily { at, zone })
            }
            ["every", interval] => {
                let unit_len = interval.chars().last().map_or(0, char::len_utf8);
                let (number, unit) = interval.split_at(interval.len() - unit_len);
                let number: u64 = number
                    .parse()
                    .map_err(|_| format!("{interval:?} is not an interval like 6h"))?;
                let seconds = match unit {
                    "s" => number,
                    "m" => number * 60,
                    "h" => number * 3600,
                    _ => return Err(format!("{interval:?}: use s, m or h")),
                };
                if seconds == 0 {
                    return Err("the interval must not be 0".into());
                }
                Ok(Self::Every(Duration::from_secs(seconds)))
            }
            _ => Err(format!(
                "{text:?}: use `daily 03:00 [Europe/Berlin]`, `every 6h` or `off`"
            )),
        }
    }
}

impl Schedule {
    /// The newest scheduled time at or before `now`.
    pub fn slot(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Off => None,
            Self::Every(interval) => {
                let step = i64::try_from(interval.as_secs()).ok()?.max(1);
                let seconds = now.timestamp().div_euclid(step) * step;
                DateTime::from_timestamp(seconds, 0)
            }
            Self::Daily { at, zone } => {
                let local = now.with_timezone(zone);
                let on = |day: chrono::NaiveDate| {
                    let wanted = day.and_time(*at);
                    zone.from_local_datetime(&wanted)
                        .earliest()
                        // In the hour a clock change skips: an hour later.
                        .or_else(|| {
                            zone.from_local_datetime(&(wanted + chrono::TimeDelta::hours(1)))
                                .earliest()
                        })
                        .map(|t| t.with_timezone(&Utc))
                };
                let today = on(local.date_naive())?;
                if today <= now {
                    Some(today)
                } else {
                    on(local.date_naive().pred_opt()?)
                }
            }
        }
    }

    /// How long after a failed attempt the next one starts (three attempts per slot).
    fn retry_after(&self) -> chrono::TimeDelta {
        let ten_minutes = chrono::TimeDelta::minutes(10);
        match self {
            Self::Every(interval) => chrono::TimeDelta::from_std(*interval / 4)
                .unwrap_or(ten_minutes)
                .min(ten_minutes),
            _ => ten_minutes,
        }
    }
}

/// Attempts per scheduled time before the backup waits for the next one.
const ATTEMPTS: i32 = 3;
/// The advisory lock one process holds while it takes a scheduled backup ("backup").
const LOCK: i64 = 0x6261_636b_7570;

/// Scheduled backups inside `carbot serve`: every process looks, one takes each backup (an
/// advisory lock, and `backup_runs` says which scheduled times are done).
pub struct Worker {
    pub url: String,
    pub dir: PathBuf,
    pub schedule: Schedule,
    pub pool: carbot_schema::db::Pool,
    pub operator_email: Option<String>,
    pub mailer: carbot_schema::mail::Mailer,
}

#[derive(QueryableByName)]
struct Run {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl Worker {
    pub async fn run(self, shutdown: tokio_util::sync::CancellationToken) {
        if self.schedule == Schedule::Off {
            return;
        }
        let tick = match self.schedule {
            Schedule::Every(interval) => {
                (interval / 4).clamp(Duration::from_millis(200), Duration::from_secs(30))
            }
            _ => Duration::from_secs(30),
        };
        loop {
            if let Some(slot) = self.schedule.slot(Utc::now())
                && let Err(error) = self.take(slot).await
            {
                tracing::warn!(%error, "the backup schedule could not run");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// Whether the run of `slot` still has to happen (or be tried again).
    async fn due(&self, conn: &mut AsyncPgConnection, slot: DateTime<Utc>) -> anyhow::Result<bool> {
        let run: Option<Run> = diesel::sql_query(
            "SELECT status, attempts, updated_at FROM backup_runs WHERE slot = $1",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(slot)
        .get_result(conn)
        .await
        .optional()?;
        Ok(match run {
            None => true,
            Some(run) if run.status == "OK" => false,
            Some(run) if run.status == "FAILED" => {
                run.attempts < ATTEMPTS
                    && run.updated_at + self.schedule.retry_after() <= Utc::now()
            }
            // RUNNING: its process died when this one gets the lock.
            Some(_) => true,
        })
    }

    /// Takes the backup of `slot` unless it is done or another process is taking it.
    async fn take(&self, slot: DateTime<Utc>) -> anyhow::Result<()> {
        // Most looks find the time done: through the pool, without a connection of its own.
        if !self.due(&mut *self.pool.get().await?, slot).await? {
            return Ok(());
        }
        // The lock's own session, so that it ends with this process.
        let mut conn = connect(&self.url).await?;
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            locked: bool,
        }
        // Held by this session while the backup runs; gone with it if the process dies.
        let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<BigInt, _>(LOCK)
            .get_result(&mut conn)
            .await?;
        if !lock.locked || !self.due(&mut conn, slot).await? {
            return Ok(());
        }
        let host = hostname();
        diesel::sql_query(
            "INSERT INTO backup_runs (slot, status, attempts, host)
             VALUES ($1, 'RUNNING', 1, $2)
             ON CONFLICT (slot) DO UPDATE SET status = 'RUNNING', attempts = backup_runs.attempts + 1,
                 host = $2, error = NULL, started_at = now(), updated_at = now()",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(slot)
        .bind::<Text, _>(&host)
        .execute(&mut conn)
        .await?;
        let started = std::time::Instant::now();
        match create(&self.url, &self.dir, Trigger::Schedule).await {
            Ok(backup) => {
                diesel::sql_query(
                    "UPDATE backup_runs SET status = 'OK', file = $2, size_bytes = $3,
                         finished_at = now(), updated_at = now() WHERE slot = $1",
                )
                .bind::<diesel::sql_types::Timestamptz, _>(slot)
                .bind::<Text, _>(backup.dump.to_string_lossy().as_ref())
                .bind::<BigInt, _>(i64::try_from(backup.manifest.size_bytes).unwrap_or(i64::MAX))
                .execute(&mut conn)
                .await?;
                crate::metrics::record_backup(true, started.elapsed().as_secs_f64());
                tracing::info!(file = %backup.dump.display(), bytes = backup.manifest.size_bytes, rows = backup.manifest.rows(), "backup written");
                match prune(&self.dir) {
                    Ok(deleted) if !deleted.is_empty() => {
                        tracing::info!(deleted = deleted.len(), "old backups pruned")
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "pruning old backups"),
                }
            }
            Err(error) => {
                let what = format!("{error:#}");
                crate::metrics::record_backup(false, started.elapsed().as_secs_f64());
                tracing::error!(error = %what, %slot, "the scheduled backup failed");
                diesel::sql_query(
                    "UPDATE backup_runs SET status = 'FAILED', error = $2, finished_at = now(),
                         updated_at = now() WHERE slot = $1",
                )
                .bind::<diesel::sql_types::Timestamptz, _>(slot)
                .bind::<Text, _>(&what)
                .execute(&mut conn)
                .await?;
                self.tell_operator(&what, &host).await;
            }
        }
        Ok(())
    }

    /// E-mails the operator about a failed backup (through the outbox, like every e-mail).
    async fn tell_operator(&self, what: &str, host: &str) {
        let Some(to) = &self.operator_email else {
            return;
        };
        let queued = async {
            let mut conn = self.pool.get().await?;
            carbot_schema::mail::outbox::enqueue(
                &mut conn,
                carbot_schema::mail::outbox::NewMail {
                    to,
                    reply_to: None,
                    locale: carbot_schema::locale::Locale::En,
                    template: carbot_schema::mail::Template::BackupFailed { what, host },
                    workshop_id: None,
                    user_id: None,
                    lead_id: None,
                },
            )
            .await?;
            Ok::<_, anyhow::Error>(())
        }
        .await;
        match queued {
            Ok(()) => self.mailer.wake(),
            Err(error) => tracing::error!(%error, "e-mailing the operator about the failed backup"),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The newest successful scheduled backup of the platform (any process), for `/metrics`.
pub async fn last_success(conn: &mut AsyncPgConnection) -> anyhow::Result<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let last: Last =
        diesel::sql_query("SELECT max(finished_at) AS at FROM backup_runs WHERE status = 'OK'")
            .get_result(conn)
            .await?;
    Ok(last.at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn passwords_stay_out_of_the_process_list() {
        assert_eq!(
            without_password("postgres://carbot:s%40cret@db:5432/carbot?sslmode=require"),
            (
                "postgres://carbot@db:5432/carbot?sslmode=require".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@/carbot?host=%2Ftmp"),
            ("postgres://postgres@/carbot?host=%2Ftmp".to_owned(), None)
        );
    }

    #[test]
    fn another_database_of_the_same_server() {
        assert_eq!(
            with_database("postgres://postgres@/carbot?host=%2Ftmp%2Fpg", "scratch"),
            "postgres://postgres@/scratch?host=%2Ftmp%2Fpg"
        );
        assert_eq!(
            with_database("postgres://u:p@db:5432/carbot", "scratch"),
            "postgres://u:p@db:5432/scratch"
        );
        assert_eq!(
            with_database("postgres://db", "scratch"),
            "postgres://db/scratch"
        );
    }

    #[test]
    fn schedules_parse_and_name_their_last_slot() {
        let daily: Schedule = "daily 03:00 Europe/Berlin".parse().expect("schedule");
        // 03:00 in Berlin is 02:00 UTC in winter.
        assert_eq!(
            daily.slot(at("2026-12-03T10:00:00Z")),
            Some(at("2026-12-03T02:00:00Z"))
        );
        assert_eq!(
            daily.slot(at("2026-12-03T01:59:00Z")),
            Some(at("2026-12-02T02:00:00Z"))
        );
        // Summer time: 01:00 UTC.
        assert_eq!(
            "daily 03:00"
                .parse::<Schedule>()
                .expect("schedule")
                .slot(at("2026-07-01T12:00:00Z")),
            Some(at("2026-07-01T01:00:00Z"))
        );
        // The night the clocks go forward, 02:30 does not exist: 03:30 instead.
        assert_eq!(
            "daily 02:30"
                .parse::<Schedule>()
                .expect("schedule")
                .slot(at("2026-03-29T12:00:00Z")),
            Some(at("2026-03-29T01:30:00Z"))
        );
        let every: Schedule = "every 6h".parse().expect("schedule");
        assert_eq!(
            every.slot(at("2026-12-03T10:00:00Z")),
            Some(at("2026-12-03T06:00:00Z"))
        );
        assert_eq!("off".parse::<Schedule>(), Ok(Schedule::Off));
        assert_eq!(Schedule::Off.slot(Utc::now()), None);
        for wrong in [
            "daily 25:00",
            "every 0s",
            "every 5d",
            "weekly",
            "daily 03:00 Mars/Base",
        ] {
            assert!(wrong.parse::<Schedule>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn pruning_keeps_seven_days_four_weeks_and_six_months() {
        // One backup a day at 03:00 Berlin for a year, plus a second one on the newest day.
        let newest = at("2026-12-03T02:00:00Z");
        let mut created: Vec<DateTime<Utc>> = (0..365)
            .map(|d| newest - chrono::TimeDelta::days(d))
            .collect();
        created.push(newest - chrono::TimeDelta::hours(1));
        let deleted = to_prune(&created, chrono_tz::Europe::Berlin);
        let kept: Vec<DateTime<Utc>> = (0..created.len())
            .filter(|i| !deleted.contains(i))
            .map(|i| created[i])
            .collect();
        // 7 days (Dec 3 back to Nov 27); weeks: their newest days are Dec 3 (kept), Nov 29
        // (kept), Nov 22 and Nov 15; months: Dec 3, Nov 30, Oct 31, Sep 30, Aug 31, Jul 31.
        let mut expected: Vec<DateTime<Utc>> = (0..7)
            .map(|d| newest - chrono::TimeDelta::days(d))
            .collect();
        for day in [
            "2026-11-22T02:00:00Z",
            "2026-11-15T02:00:00Z",
            "2026-10-31T02:00:00Z",
            "2026-09-30T02:00:00Z",
            "2026-08-31T02:00:00Z",
            "2026-07-31T02:00:00Z",
        ] {
            expected.push(at(day));
        }
        let mut kept_sorted = kept.clone();
        kept_sorted.sort();
        expected.sort();
        assert_eq!(kept_sorted, expected);
        // The older one of the newest day goes.
        assert!(deleted.contains(&(created.len() - 1)));
    }

    #[test]
    fn a_newer_schema_is_recognised() {
        assert!(newer("20270101000001", "20261203000015"));
        assert!(!newer("20261203000015", "20261203000015"));
        assert!(!newer("20261129000001", "20261203000015"));
    }
}
