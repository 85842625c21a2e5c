//! The console end to end in headless Chromium (`tests/browser/console.mjs`): an owner registers,
//! adds a service, creates a client key and copies the snippet into a page on another origin; a
//! visitor chats there and leaves a lead, which appears live in the console; the owner takes the
//! chat over and replies, moves the lead on and exports the catalog; erases the visitor's data
//! from the privacy card, records a second visitor's withdrawn consent on their lead, reads the
//! privacy log, and switches to English, in which the pages show no German of their own. Hostile
//! chat text never runs. Screenshots of every page at desktop and phone width land in
//! `target/browser-artifacts/console/`. `./dev test` builds the console first.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::response::{Html, IntoResponse};
use carbot_tests::TestApp;
use carbot_tests::serde_json::{Value, json};
use diesel_async::RunQueryDsl;

/// A workshop's website: `POST /snippet` stores the embed code, `GET /` shows a page with it.
async fn website(api: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let snippet = Arc::new(Mutex::new(String::new()));
    let csp = format!(
        "default-src 'none'; script-src {api}; connect-src {api} {ws}; style-src 'none'; img-src 'self' data:",
        ws = api.replace("http://", "ws://")
    );
    let stored = snippet.clone();
    let router = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || {
                let (snippet, csp) = (snippet.lock().expect("lock").clone(), csp.clone());
                async move {
                    let page = format!(
                        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Autohaus Konsole-Test</title></head>\
                         <body><h1>Willkommen</h1>{snippet}</body></html>"
                    );
                    ([("content-security-policy", csp)], Html(page)).into_response()
                }
            }),
        )
        .route(
            "/snippet",
            axum::routing::post(move |body: String| {
                let stored = stored.clone();
                async move {
                    // Only the one-line embed code is accepted, as a workshop would paste it.
                    let line = body.trim();
                    if line.starts_with("<script src=") && line.ends_with("</script>") && !line.contains('\n') {
                        *stored.lock().expect("lock") = line.to_owned();
                        "ok".into_response()
                    } else {
                        (axum::http::StatusCode::BAD_REQUEST, "not a snippet").into_response()
                    }
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    origin
}

#[tokio::test(flavor = "multi_thread")]
async fn an_owner_runs_the_workshop_from_the_console() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        root.join("console/dist/index.html").exists(),
        "the console is not built: run ./dev test (it builds console/dist)"
    );
    let app = TestApp::new().await;
    let site = website(&app.url).await;
    let artifacts = root
        .join("target")
        .join("browser-artifacts")
        .join("console");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let driver = tokio::process::Command::new("node")
        .arg(root.join("tests").join("browser").join("console.mjs"))
        .env("CONSOLE_URL", &app.url)
        .env("SITE_URL", &site)
        .env("ARTIFACTS", &artifacts)
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
    assert_eq!(report["hostileExecuted"], false, "{report}");

    // The dashboard, counted by hand from the steps before it: the visitor opened the widget
    // once, wrote three messages in one conversation and sent one lead, which the owner then
    // moved on (the first response).
    let dashboard = &report["dashboard"];
    assert_eq!(dashboard["leads"], "1", "{report}");
    assert_eq!(dashboard["conversations"], "1", "{report}");
    assert_eq!(dashboard["visitorMessages"], "3", "{report}");
    assert_eq!(dashboard["widgetOpens"], "1", "{report}");
    assert_eq!(dashboard["conversationToLead"], "100 %", "{report}");
    assert_eq!(dashboard["points"], 30, "a point per day of 30: {report}");
    assert_eq!(dashboard["weekPoints"], 7, "{report}");
    assert_eq!(dashboard["heatCells"], 168, "{report}");
    assert_ne!(
        dashboard["median"], "–",
        "the status change is a first response: {report}"
    );
    assert!(dashboard["topQuestions"].as_i64() >= Some(1), "{report}");
    assert!(dashboard["phoneOverflow"].as_i64() <= Some(1), "{report}");
    assert_eq!(dashboard["drilledLeads"], 1, "{report}");
    // One conversation: one hour of the heat map has it, and opens exactly it.
    assert_eq!(dashboard["heatLinks"], 1, "{report}");
    assert_eq!(dashboard["drilledChats"], 1, "{report}");
    assert!(
        dashboard["drillBanner"]
            .as_str()
            .is_some_and(|b| b.contains(":00–")),
        "{report}"
    );
    for (name, rows) in [("leads", 1), ("conversations", 1), ("peak-hours", 168)] {
        let export = &dashboard["exports"][name];
        assert_eq!(export["bom"], true, "{name}: {report}");
        assert_eq!(export["rows"], rows, "{name}: {report}");
        assert!(
            export["file"]
                .as_str()
                .is_some_and(|f| f.starts_with(&format!("carbot-{name}-")) && f.ends_with(".csv")),
            "{name}: {report}"
        );
    }

    // What the browser did is in the database too.
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut conn = app.db().await;
    let value = |rows: Vec<Row>| rows.into_iter().map(|r| r.value).collect::<Vec<_>>();
    let statuses = value(
        diesel::sql_query("SELECT status AS value FROM leads ORDER BY created_at")
            .load(&mut conn)
            .await
            .expect("leads"),
    );
    assert_eq!(statuses, ["CONTACTED", "NEW"], "{report}");
    let owner_messages = value(
        diesel::sql_query("SELECT body AS value FROM messages WHERE role = 'OWNER'")
            .load(&mut conn)
            .await
            .expect("messages"),
    );
    assert!(report["ownerReply"].is_string(), "{report}");
    // The owner erased Erika's data from the settings page, after exporting it there.
    assert_eq!(owner_messages, vec!["[gelöscht]".to_owned()], "{report}");
    assert_eq!(
        report["exportedLeadNames"],
        json!(["Erika Mustermann"]),
        "{report}"
    );
    assert!(
        report["erased"]
            .as_str()
            .is_some_and(|t| t.starts_with("Gelöscht: 1 / 1 /")),
        "{report}"
    );
    // Erika's erased from the privacy card, the second visitor's by the withdrawn consent.
    let names = value(
        diesel::sql_query(
            "SELECT name || ' ' || (consent_withdrawn_at IS NOT NULL)::text AS value FROM leads \
             ORDER BY created_at",
        )
        .load(&mut conn)
        .await
        .expect("leads"),
    );
    assert_eq!(names, ["[gelöscht] false", "[gelöscht] true"], "{report}");
    assert!(
        report["withdrawn"]
            .as_str()
            .is_some_and(|t| t.starts_with("Einwilligung widerrufen")),
        "{report}"
    );
    let audit = value(
        diesel::sql_query("SELECT action AS value FROM privacy_audit ORDER BY created_at DESC")
            .load(&mut conn)
            .await
            .expect("privacy audit"),
    );
    assert_eq!(
        report["privacyLog"],
        json!(audit),
        "the console lists the whole log"
    );
    assert_eq!(audit.len(), 11, "{report}");
    assert_eq!(
        report["english"],
        json!([
            "leads", "lead", "chats", "services", "widget", "team", "settings"
        ]),
        "{report}"
    );
    let locales = value(
        diesel::sql_query("SELECT locale AS value FROM users")
            .load(&mut conn)
            .await
            .expect("users"),
    );
    assert_eq!(locales, ["en"], "the owner chose English in the console");
    let days = value(
        diesel::sql_query("SELECT conversation_days::text AS value FROM privacy_settings")
            .load(&mut conn)
            .await
            .expect("settings"),
    );
    assert_eq!(days, vec!["30".to_owned()], "saved in the console");
    let services = value(
        diesel::sql_query(
            "SELECT name AS value FROM services WHERE name = 'Scheibenwischer-Service Konsole'",
        )
        .load(&mut conn)
        .await
        .expect("services"),
    );
    assert_eq!(services.len(), 1, "the service added in the console exists");
    let screenshots = std::fs::read_dir(&artifacts).expect("artifacts").count();
    assert!(
        screenshots >= 16,
        "desktop and phone screenshots of 8 pages: {screenshots}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enterprise_owner_manages_webhooks_and_reads_token_budgets() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let app = TestApp::new().await;
    let owner = app
        .register("integration@autohaus-test.de", "Autohaus Integration")
        .await;
    // An API token (which moves the workshop to Enterprise) whose budget the page shows.
    app.api_token(&owner, &["LEADS_READ"]).await;
    let artifacts = root
        .join("target")
        .join("browser-artifacts")
        .join("console");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let url = app.url.clone();
    let artifacts = artifacts.display().to_string();
    let report = carbot_tests::run_browser_driver(
        "webhooks.mjs",
        &[
            ("CONSOLE_URL", url.as_str()),
            ("EMAIL", owner.email.as_str()),
            ("PASSWORD", owner.password.as_str()),
            ("ARTIFACTS", artifacts.as_str()),
        ],
    )
    .await;
    // The test message and its redelivery, both signed with the secret the page showed once,
    // with one `webhook-id` (a redelivery is the same message).
    let deliveries = report["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 2, "{report}");
    assert!(
        deliveries
            .iter()
            .all(|d| d["verified"] == true && d["type"] == "webhook.test"),
        "{report}"
    );
    assert_eq!(deliveries[0]["id"], deliveries[1]["id"], "{report}");
}
