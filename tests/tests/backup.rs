//! Backups: `carbot backup create|list|verify|restore` against a platform's database (checksums
//! checked by `sha256sum`, counts against the database), a restore into a new, empty database
//! that the owner then signs in to, and the schedule inside `carbot serve`: one backup per
//! scheduled time across two processes, and a failing one counted and e-mailed to the operator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use carbot_tests::chat::SITE;
use carbot_tests::serde_json::{self, Value, json};
use carbot_tests::serve::{Serve, binary};
use carbot_tests::{
    PASSWORD, TempDir, TestApp, TestOptions, count_rows, empty_database, new_database,
};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

fn backup(database_url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("backup")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("CARBOT_BACKUP_DIR", dir)
        .output()
        .expect("running carbot backup (built by cargo test --workspace)")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn count(database_url: &str, table: &str) -> i64 {
    count_rows(database_url, &format!("SELECT count(*) AS n FROM {table}")).await
}

/// The dumps (`*.dump`) in `dir`.
fn dumps(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.extension().is_some_and(|e| e == "dump"));
    found.sort();
    found
}

fn manifest_of(dump: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dump.with_extension("json")).expect("the manifest"),
    )
    .expect("json")
}

async fn leave_lead(app: &TestApp, key: &str, name: &str) {
    let visitor = app.visitor(key, SITE).await;
    app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let (status, body) = app.submit_lead(&visitor, json!({ "name": name })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["submitLead"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_is_verified_refused_when_damaged_and_restored_in_one_transaction() {
    let app = TestApp::new().await;
    let owner = app
        .register("sicherung@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    leave_lead(&app, &key, "Erika Mustermann").await;
    let dir = TempDir::new();

    let out = backup(&app.database_url, &dir.0, &["create"]);
    assert!(out.status.success(), "{}", text(&out));
    let dumps = dumps(&dir.0);
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    let dump = &dumps[0];
    assert!(String::from_utf8_lossy(&out.stdout).contains(&*dump.to_string_lossy()));
    // Written atomically: no partial file is left; the directory is the owner's only.
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "the dump and its manifest: {names:?}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dir.0).expect("dir").permissions().mode() & 0o777,
        0o700
    );

    // The manifest: counts as in the database, the checksum `sha256sum` computes, the schema.
    let manifest = manifest_of(dump);
    assert_eq!(manifest["format"], "carbot.backup/1");
    assert_eq!(manifest["trigger"], "manual");
    assert_eq!(manifest["tables"]["leads"], 1, "{manifest}");
    assert_eq!(manifest["tables"]["users"], 1, "{manifest}");
    assert_eq!(
        manifest["tables"]["messages"],
        count(&app.database_url, "messages").await,
        "{manifest}"
    );
    let sha = Command::new("sha256sum")
        .arg(dump)
        .output()
        .expect("sha256sum");
    let sha = String::from_utf8_lossy(&sha.stdout);
    assert_eq!(
        manifest["sha256"].as_str(),
        sha.split_whitespace().next(),
        "{manifest}"
    );
    assert_eq!(
        manifest["sizeBytes"],
        std::fs::metadata(dump).expect("dump").len()
    );
    assert_eq!(
        manifest["schemaVersion"].as_str(),
        carbot_schema::db::migration_versions()
            .last()
            .map(String::as_str)
    );

    let out = backup(&app.database_url, &dir.0, &["list"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains(&*dump.to_string_lossy()) && listed.contains("manual"),
        "{listed}"
    );

    let out = backup(
        &app.database_url,
        &dir.0,
        &["verify", &dump.to_string_lossy()],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("verified"),
        "{}",
        text(&out)
    );

    // A damaged copy is refused, by the checksum.
    let damaged = TempDir::new();
    let copy = damaged.0.join(dump.file_name().expect("name"));
    let mut bytes = std::fs::read(dump).expect("dump");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&copy, bytes).expect("copy");
    std::fs::copy(dump.with_extension("json"), copy.with_extension("json")).expect("manifest");
    let out = backup(
        &app.database_url,
        &damaged.0,
        &["verify", &copy.to_string_lossy()],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{}",
        text(&out)
    );

    // After the backup another lead arrives.
    leave_lead(&app, &key, "Hans Meier").await;
    assert_eq!(count(&app.database_url, "leads").await, 2);

    // Without --yes nothing happens (exit 2), nor with --dry-run, nor from a newer schema.
    let file = dump.to_string_lossy();
    let out = backup(&app.database_url, &dir.0, &["restore", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--yes"),
        "{}",
        text(&out)
    );
    let out = backup(&app.database_url, &dir.0, &["restore", &file, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing was changed"),
        "{}",
        text(&out)
    );
    let newer = TempDir::new();
    let newer_dump = newer.0.join(dump.file_name().expect("name"));
    std::fs::copy(dump, &newer_dump).expect("copy");
    let mut future = manifest.clone();
    future["schemaVersion"] = json!("99991231000001");
    std::fs::write(newer_dump.with_extension("json"), future.to_string()).expect("manifest");
    let out = backup(
        &app.database_url,
        &newer.0,
        &["restore", &newer_dump.to_string_lossy(), "--yes"],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("newer"),
        "{}",
        text(&out)
    );
    assert_eq!(
        count(&app.database_url, "leads").await,
        2,
        "nothing was restored"
    );

    // With --yes: the data is the backup's again.
    let out = backup(&app.database_url, &dir.0, &["restore", &file, "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(count(&app.database_url, "leads").await, 1);
    assert_eq!(
        count(&app.database_url, "messages").await,
        manifest["tables"]["messages"].as_i64().expect("messages")
    );
    // No SQL of the restore is left next to the backups.
    assert_eq!(
        std::fs::read_dir(&dir.0).expect("dir").count(),
        2,
        "only the dump and its manifest"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restored_into_a_new_database_lets_the_owner_sign_in_to_the_same_data() {
    let app = TestApp::new().await;
    let owner = app
        .register("umzug@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    leave_lead(&app, &key, "Erika Mustermann").await;
    let dir = TempDir::new();
    let out = backup(&app.database_url, &dir.0, &["create"]);
    assert!(out.status.success(), "{}", text(&out));
    let dump = dumps(&dir.0).pop().expect("a dump");

    // A new installation: an empty database, the backup restored into it.
    let target = empty_database().await;
    let out = backup(
        &target,
        &dir.0,
        &["restore", &dump.to_string_lossy(), "--yes"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let moved = TestApp::with(TestOptions {
        database_url: Some(target.clone()),
        ..TestOptions::default()
    })
    .await;
    let body = moved
        .gql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) {
                session { accessToken } userErrors { code } } }",
            json!({ "input": { "email": "umzug@autohaus-nord.de", "password": PASSWORD } }),
        )
        .await;
    let token = body["data"]["login"]["session"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let leads = moved
        .gql(
            Some(&token),
            "{ viewer { workshop { name } } leads { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        leads["data"],
        json!({ "viewer": { "workshop": { "name": "Autohaus Nord" } },
            "leads": { "edges": [{ "node": { "name": "Erika Mustermann" } }] } }),
        "{leads}"
    );
}

/// Waits until `done` holds, at most `seconds`.
async fn eventually(seconds: u64, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[derive(QueryableByName, Debug)]
struct Run {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
}

async fn runs(database_url: &str) -> Vec<Run> {
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .expect("connection");
    diesel::sql_query("SELECT status, attempts FROM backup_runs ORDER BY slot")
        .load(&mut conn)
        .await
        .expect("runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_take_each_scheduled_backup_once_and_prune_to_the_newest_of_the_day() {
    let database_url = new_database().await;
    let (dir_a, dir_b) = (TempDir::new(), TempDir::new());
    let a_dir = dir_a.0.to_string_lossy().into_owned();
    let b_dir = dir_b.0.to_string_lossy().into_owned();
    let env = |dir: &str| {
        vec![
            ("DATABASE_URL", database_url.clone()),
            ("CARBOT_BACKUP_SCHEDULE", "every 2s".to_owned()),
            ("CARBOT_BACKUP_DIR", dir.to_owned()),
        ]
    };
    let start = |env: Vec<(&'static str, String)>| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Serve::start(&env)
    };
    let mut a = start(env(&a_dir));
    let mut b = start(env(&b_dir));
    let done = eventually(40, async || {
        runs(&database_url)
            .await
            .iter()
            .filter(|r| r.status == "OK")
            .count()
            >= 3
    })
    .await;
    a.stop();
    b.stop();
    let written = a.logged("backup written") + b.logged("backup written");
    let runs = runs(&database_url).await;
    assert!(done, "{runs:?}");
    let ok = runs.iter().filter(|r| r.status == "OK").count();
    // Each scheduled time was taken by one process: as many backups written as times done.
    assert_eq!(written, ok, "{runs:?}");
    assert!(runs.iter().all(|r| r.attempts == 1), "{runs:?}");
    // Pruned to the newest of the day in each directory that got one.
    for dir in [&dir_a.0, &dir_b.0] {
        let dumps = dumps(dir);
        assert!(dumps.len() <= 1, "{dumps:?}");
        if let Some(dump) = <[PathBuf]>::first(&dumps) {
            assert_eq!(manifest_of(dump)["trigger"], "schedule");
        }
    }
    assert!(!dumps(&dir_a.0).is_empty() || !dumps(&dir_b.0).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_scheduled_backup_is_counted_and_e_mailed_to_the_operator() {
    let database_url = new_database().await;
    let dir = TempDir::new();
    let dir_text = dir.0.to_string_lossy().into_owned();
    // No pg_dump where the process looks for it.
    let mut serve = Serve::start(&[
        ("DATABASE_URL", &database_url),
        ("CARBOT_BACKUP_SCHEDULE", "every 2s"),
        ("CARBOT_BACKUP_DIR", &dir_text),
        ("CARBOT_PG_BIN", "/nonexistent/postgresql/bin"),
        ("CARBOT_OPERATOR_EMAIL", "betrieb@carbot.example"),
    ]);
    #[derive(QueryableByName, Debug)]
    struct Mail {
        #[diesel(sql_type = diesel::sql_types::Text)]
        subject: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        body_text: String,
    }
    let mut mails: Vec<Mail> = Vec::new();
    let mailed = eventually(30, async || {
        let mut conn = AsyncPgConnection::establish(&database_url)
            .await
            .expect("connection");
        mails = diesel::sql_query(
            "SELECT subject, body_text FROM outbox
             WHERE kind = 'BACKUP_FAILED' AND recipient = 'betrieb@carbot.example'",
        )
        .load(&mut conn)
        .await
        .expect("outbox");
        !mails.is_empty()
    })
    .await;
    assert!(
        mailed,
        "no e-mail to the operator: {:?}",
        runs(&database_url).await
    );
    assert_eq!(mails[0].subject, "CarBot: a backup failed");
    assert!(mails[0].body_text.contains("pg_dump"), "{mails:?}");
    let failed = runs(&database_url).await;
    assert!(failed.iter().any(|r| r.status == "FAILED"), "{failed:?}");
    let metrics = reqwest::get(format!("{}/metrics", serve.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let line = metrics
        .lines()
        .find(|l| l.starts_with("carbot_backups_total{result=\"failed\"}"))
        .unwrap_or_else(|| panic!("{metrics}"));
    let failures: f64 = line
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number");
    assert!(failures >= 1.0, "{line}");
    assert!(dumps(&dir.0).is_empty());
    serve.stop();
}
