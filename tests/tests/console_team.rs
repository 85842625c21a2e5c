//! Accounts, the team and locations in the console, end to end in headless Chromium
//! (`tests/browser/team.mjs`), with e-mails through a real SMTP server whose Maildir the driver
//! reads the links from: an unconfirmed owner sees the reminder, asks for a new link and opens
//! it; invites a colleague, who accepts in another browser and works as staff without any
//! owner-only page; changes a notification setting; resets the forgotten password in a third
//! browser (which ends the first one's session); is told that locations need Enterprise, then
//! (on Enterprise) adds one, switches to it and back, and opens a lead e-mail's link that
//! switches first. Screenshots land in
//! `target/browser-artifacts/team/`. `./dev test` builds the console first.

use std::path::PathBuf;

use carbot_tests::serde_json::{Value, json};
use carbot_tests::smtp::SmtpServer;
use carbot_tests::{TestApp, TestOptions};
use diesel_async::RunQueryDsl;

const WORKSHOP: &str = "Autohaus Team";
const OWNER: &str = "inhaberin@autohaus-team.de";
const COLLEAGUE: &str = "kollege@autohaus-team.de";
const COLLEAGUE_PASSWORD: &str = "Zahnriemen-Wechsel-42";
const NEW_PASSWORD: &str = "Ventildeckel-Dichtung-9";

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

async fn texts(app: &TestApp, sql: &str) -> Vec<String> {
    let mut conn = app.db().await;
    diesel::sql_query(sql)
        .load::<Row>(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.value)
        .collect()
}

/// Where the driver moves the workshop to Enterprise once it has seen the refusal without it:
/// `POST /enterprise` (as billing would after a checkout).
async fn plan_desk(app: &TestApp, owner: &carbot_tests::Owner) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (database_url, email) = (app.database_url.clone(), owner.email.clone());
    let router = axum::Router::new().route(
        "/enterprise",
        axum::routing::post(move || {
            let (database_url, email) = (database_url.clone(), email.clone());
            async move {
                use diesel_async::AsyncConnection;
                let mut conn = diesel_async::AsyncPgConnection::establish(&database_url)
                    .await
                    .expect("database");
                diesel::sql_query(
                    "UPDATE workshops SET plan_code = 'ENTERPRISE', billing_status = 'ACTIVE'
                     WHERE id IN (SELECT m.workshop_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1)",
                )
                .bind::<diesel::sql_types::Text, _>(email)
                .execute(&mut conn)
                .await
                .expect("subscribing");
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_builds_a_team_and_a_second_location_in_the_console() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        root.join("console/dist/index.html").exists(),
        "the console is not built: run ./dev test (it builds console/dist)"
    );
    let smtp = SmtpServer::start();
    let mut app = TestApp::with(TestOptions {
        smtp_url: Some(smtp.url()),
        ..TestOptions::default()
    })
    .await;
    // On the trial (Premium) first: one location only, until the driver asks for Enterprise.
    let owner = app.register(OWNER, WORKSHOP).await;
    let desk = plan_desk(&app, &owner).await;
    // A lead in the first workshop, so that the second location's empty list means something.
    let (_, key) = app.client_key(&owner, &[carbot_tests::chat::SITE]).await;
    let visitor = app.visitor(&key, carbot_tests::chat::SITE).await;
    let (status, body) = app.submit_lead(&visitor, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["submitLead"]["userErrors"],
        json!([]),
        "{body}"
    );
    let lead_id = body["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("lead id")
        .to_owned();

    let artifacts = root.join("target").join("browser-artifacts").join("team");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let driver = tokio::process::Command::new("node")
        .arg(root.join("tests").join("browser").join("team.mjs"))
        .env("CONSOLE_URL", &app.url)
        .env("MAILDIR", smtp.maildir())
        .env("OWNER_EMAIL", &owner.email)
        .env("OWNER_PASSWORD", &owner.password)
        .env("OWNER_NEW_PASSWORD", NEW_PASSWORD)
        .env("COLLEAGUE_EMAIL", COLLEAGUE)
        .env("COLLEAGUE_PASSWORD", COLLEAGUE_PASSWORD)
        .env("WORKSHOP_NAME", WORKSHOP)
        .env("WORKSHOP_ID", &owner.workshop_id)
        .env("LEAD_ID", &lead_id)
        .env("PLAN_DESK_URL", &desk)
        .env("ARTIFACTS", &artifacts)
        .kill_on_drop(true)
        .output()
        .await
        .expect("running node (./dev test installs Node.js, Chromium and playwright-core)");
    let stdout = String::from_utf8_lossy(&driver.stdout);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| carbot_tests::serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from the driver; stdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&driver.stderr)
            )
        });
    assert_eq!(report["ok"], true, "{report}");
    assert!(driver.status.success());
    assert_eq!(report["pageErrors"], json!([]), "{report}");
    assert_eq!(report["consoleErrors"], json!([]), "{report}");

    // What the browsers did is in the database.
    let verified = texts(
        &app,
        &format!("SELECT (email_verified_at IS NOT NULL)::text AS value FROM users WHERE email = '{OWNER}'"),
    )
    .await;
    assert_eq!(verified, ["true"], "the owner's address is confirmed");
    let memberships = texts(
        &app,
        "SELECT u.email || ' ' || w.name || ' ' || m.role AS value
         FROM memberships m JOIN users u ON u.id = m.user_id JOIN workshops w ON w.id = m.workshop_id
         ORDER BY u.email, m.created_at",
    )
    .await;
    assert_eq!(
        memberships,
        [
            format!("{OWNER} {WORKSHOP} OWNER"),
            format!("{OWNER} Filiale Altona OWNER"),
            format!("{COLLEAGUE} {WORKSHOP} STAFF"),
        ],
        "{report}"
    );
    let organizations = texts(
        &app,
        "SELECT count(DISTINCT organization_id)::text AS value FROM workshops",
    )
    .await;
    assert_eq!(
        organizations,
        ["1"],
        "the location belongs to the workshop's organisation"
    );
    let invitations = texts(
        &app,
        "SELECT email || ' ' || (accepted_at IS NOT NULL)::text || ' ' || (revoked_at IS NOT NULL)::text AS value
         FROM invitations ORDER BY created_at",
    )
    .await;
    assert_eq!(
        invitations,
        [
            format!("{COLLEAGUE} true false"),
            "bounce@autohaus-team.de false true".to_owned()
        ],
        "the colleague accepted; the undeliverable invitation was withdrawn"
    );
    let settings = texts(
        &app,
        &format!(
            "SELECT m.notify_new_lead::text || ' ' || m.notify_reminder::text || ' ' || m.notify_daily_summary::text AS value
             FROM memberships m JOIN users u ON u.id = m.user_id JOIN workshops w ON w.id = m.workshop_id
             WHERE u.email = '{OWNER}' AND w.name = '{WORKSHOP}'"
        ),
    )
    .await;
    assert_eq!(
        settings,
        ["true true false"],
        "only the daily summary is off"
    );
    let leads = texts(
        &app,
        "SELECT w.name AS value FROM leads l JOIN workshops w ON w.id = l.workshop_id",
    )
    .await;
    assert_eq!(
        leads,
        [WORKSHOP],
        "the new location has no leads of its own"
    );

    // The reset password signs in; the old one no longer does.
    let login = |password: &str| {
        let app = &app;
        let password = password.to_owned();
        async move {
            app.gql(
                None,
                "mutation($input: LoginInput!) { login(input: $input) { session { accessToken } userErrors { code } } }",
                json!({ "input": { "email": OWNER, "password": password } }),
            )
            .await
        }
    };
    let fresh = login(NEW_PASSWORD).await;
    assert!(
        fresh["data"]["login"]["session"]["accessToken"].is_string(),
        "{fresh}"
    );
    let stale = login(&owner.password).await;
    assert_eq!(
        stale["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{stale}"
    );

    let screenshots = std::fs::read_dir(&artifacts).expect("artifacts").count();
    assert!(
        screenshots >= 13,
        "screenshots of the steps and the phone layout: {screenshots}"
    );
    app.shut_down().await;
    drop(smtp);
}
