//! The embedded PostgreSQL cluster: `initdb` and `pg_ctl` from the system, a Unix socket in the
//! data directory, no TCP port. Used when no `DATABASE_URL` is given, and by the tests.
//!
//! PostgreSQL refuses to run as root; when carbot runs as root, the cluster runs as the
//! `postgres` system user (created by Debian's `postgresql` package).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Sockets paths are limited to 107 bytes; deeper data directories put the socket in /tmp.
const MAX_SOCKET_DIR_LEN: usize = 90;

#[derive(Debug)]
pub struct EmbeddedPostgres {
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    /// Whether this process started the server (and so stops it on shutdown).
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Initialises the cluster on first use and starts it unless it already runs.
    pub fn start(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let cluster_dir = data_dir.join("postgres");
        let socket_dir = if cluster_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
            cluster_dir.clone()
        } else {
            let digest = hex_digest(cluster_dir.as_os_str().as_encoded_bytes());
            PathBuf::from(format!("/tmp/carbot-pg-{digest}"))
        };
        let bin_dir = find_bin_dir()?;
        let run_as = postgres_user()?;
        let mut pg = Self {
            cluster_dir,
            socket_dir,
            bin_dir,
            run_as,
            started_here: false,
        };

        std::fs::create_dir_all(&pg.cluster_dir)?;
        std::fs::create_dir_all(&pg.socket_dir)?;
        if let Some((uid, gid)) = pg.run_as {
            for dir in [&pg.cluster_dir, &pg.socket_dir] {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
            make_traversable(&pg.cluster_dir, uid, gid)?;
            make_traversable(&pg.socket_dir, uid, gid)?;
        }
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.initdb()?;
        }
        if pg.is_running() {
            tracing::info!(dir = %pg.cluster_dir.display(), "embedded PostgreSQL already running; reusing it");
        } else {
            pg.pg_ctl_start()?;
            pg.started_here = true;
        }
        Ok(pg)
    }

    /// Connection URL for a database of this cluster, over its socket.
    pub fn url(&self, database: &str) -> String {
        let dir = self.socket_dir.to_string_lossy();
        let host = percent_encoding::utf8_percent_encode(&dir, percent_encoding::NON_ALPHANUMERIC);
        format!("postgres://postgres@/{database}?host={host}")
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Stops the server if this process started it; waits until it has shut down.
    pub fn stop(&self) {
        if !self.started_here {
            return;
        }
        match self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&self.cluster_dir)
            .output()
        {
            Ok(out) if out.status.success() => tracing::info!("embedded PostgreSQL stopped"),
            Ok(out) => {
                tracing::warn!(stderr = %String::from_utf8_lossy(&out.stderr), "pg_ctl stop failed")
            }
            Err(error) => tracing::warn!(%error, "pg_ctl stop failed"),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        // The caller's working directory may be unreadable for the postgres user.
        command.current_dir("/");
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
            command.env("HOME", &self.cluster_dir);
        }
        command
    }

    fn initdb(&self) -> anyhow::Result<()> {
        tracing::info!(dir = %self.cluster_dir.display(), "initialising embedded PostgreSQL cluster");
        let run = |locale: &[&str]| {
            self.command("initdb")
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
                .args(locale)
                .arg("-D")
                .arg(&self.cluster_dir)
                .output()
        };
        let out = run(&["--locale=C.UTF-8"])?;
        let out = if out.status.success() {
            out
        } else {
            run(&["--no-locale"])?
        };
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .args(["status", "-D"])
            .arg(&self.cluster_dir)
            .output()
            .is_ok_and(|out| out.status.success())
    }

    fn pg_ctl_start(&self) -> anyhow::Result<()> {
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c unix_socket_permissions=0700 -c max_connections=200",
            self.socket_dir.display()
        );
        let out = self
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&self.cluster_dir)
            .arg("-l")
            .arg(self.cluster_dir.join("server.log"))
            .args(["-o", &options])
            .output()?;
        if !out.status.success() {
            let log =
                std::fs::read_to_string(self.cluster_dir.join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(10).collect();
            bail!(
                "pg_ctl start failed: {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        tracing::info!(socket = %self.socket_dir.display(), "embedded PostgreSQL started");
        Ok(())
    }
}

/// Where `initdb` and `pg_ctl` live: `CARBOT_PG_BIN`, Debian's versioned directory (newest
/// first), or the `PATH`.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARBOT_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(bin) = debian_program("pg_ctl").and_then(|p| p.parent().map(Path::to_path_buf)) {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("pg_ctl").exists() && dir.join("initdb").exists())
        .context("PostgreSQL's initdb and pg_ctl were not found: install the `postgresql` package or set DATABASE_URL")
}

/// `name` in the newest of Debian's `/usr/lib/postgresql/<version>/bin` that has it.
pub fn debian_program(name: &str) -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let path = entry.path().join("bin").join(name);
            path.exists().then_some((version, path))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, path)| path)
}

/// `Some((uid, gid))` of the `postgres` user when running as root.
fn postgres_user() -> anyhow::Result<Option<(u32, u32)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")?.context(
        "running as root needs the `postgres` system user (install the `postgresql` package)",
    )?;
    Ok(Some((user.uid.as_raw(), user.gid.as_raw())))
}

/// Gives the postgres user the search (x) permission on every ancestor that denies it —
/// `/root` is one — and nothing more: it cannot list or read those directories.
fn make_traversable(dir: &Path, uid: u32, gid: u32) -> anyhow::Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let meta = std::fs::metadata(ancestor)?;
        let mode = meta.mode();
        let reachable = (meta.uid() == uid && mode & 0o100 != 0)
            || (meta.gid() == gid && mode & 0o010 != 0)
            || mode & 0o001 != 0;
        if !reachable {
            tracing::warn!(dir = %ancestor.display(), "granting search permission (o+x) so that the postgres user reaches its cluster");
            std::fs::set_permissions(ancestor, std::fs::Permissions::from_mode(mode | 0o001))?;
        }
    }
    Ok(())
}

fn hex_digest(bytes: &[u8]) -> String {
    // FNV-1a: stable and short, enough to keep distinct data directories apart.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Creates `database` in the cluster behind `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, database: &str) -> anyhow::Result<()> {
    use diesel::prelude::*;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }

    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        if !database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            bail!("invalid database name {database}");
        }
        diesel::sql_query(format!("CREATE DATABASE {database}"))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
