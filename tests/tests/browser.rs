//! The widget in a real headless Chromium (Debian's `chromium`, driven by `tests/browser/widget.mjs`
//! through playwright-core): a page on another origin embeds the one-line snippet, asks for a
//! price, sees the catalog's range and leaves a lead, which the owner receives live; the same
//! page on a disallowed origin shows nothing. `./dev test` installs Chromium and the driver.

use std::path::PathBuf;

use axum::response::{Html, IntoResponse};
use carbot_tests::chat::{LEAD_EVENTS, Live};
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{TestApp, TestOptions};

/// Serves a workshop's page with the snippet, under a strict Content-Security-Policy (no inline
/// scripts or styles at all); returns the page's origin.
async fn serve_page(listener: tokio::net::TcpListener, api: String, key: String) -> String {
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let ws = api.replace("http://", "ws://");
    let html = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Autohaus Nord</title></head>\
         <body><h1>Autohaus Nord</h1><p>Ihre Werkstatt im Norden.</p>\
         <script src=\"{api}/widget.js\" data-client-key=\"{key}\" async></script></body></html>"
    );
    let csp = format!(
        "default-src 'none'; script-src {api}; connect-src {api} {ws}; style-src 'none'; img-src 'self' data:; require-trusted-types-for 'script'"
    );
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let (html, csp) = (html.clone(), csp.clone());
            async move { ([("content-security-policy", csp)], Html(html)).into_response() }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    origin
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_chats_and_leaves_a_lead_through_the_real_widget() {
    // As in production: the widget runs its trusted documents, by hash.
    let app = TestApp::with(TestOptions {
        trusted_documents_only: true,
        ..TestOptions::default()
    })
    .await;
    let owner = app
        .register("browser@autohaus-nord.de", "Autohaus Nord")
        .await;
    let allowed_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let blocked_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let allowed_origin = format!("http://{}", allowed_listener.local_addr().expect("addr"));
    let (_, key) = app.client_key(&owner, &[&allowed_origin]).await;
    let allowed = serve_page(allowed_listener, app.url.clone(), key.clone()).await;
    let blocked = serve_page(blocked_listener, app.url.clone(), key.clone()).await;

    let mut leads = Live::start(
        &app.url,
        Some(&owner.access_token),
        None,
        LEAD_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("lead events");

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let artifacts = root.join("..").join("target").join("browser-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let driver = tokio::process::Command::new("node")
        .arg(root.join("browser").join("widget.mjs"))
        .env("ALLOWED_PAGE", format!("{allowed}/"))
        .env("BLOCKED_PAGE", format!("{blocked}/"))
        .env("ARTIFACTS", &artifacts)
        .env("API", &app.url)
        .env("OWNER_TOKEN", &owner.access_token)
        .env(
            "DOCUMENTS",
            carbot_schema::trusted::TrustedDocuments::widget().hashes_json(),
        )
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

    let reply = report["reply"].as_str().expect("reply text");
    assert!(reply.contains("Ölwechsel"), "{reply}");
    assert!(
        reply.contains("10") && reply.contains("80"),
        "the catalog's 10–80 €: {reply}"
    );
    assert_eq!(report["blockedLauncher"], false, "{report}");
    assert_eq!(report["prefilled"]["year"], "2016", "{report}");
    assert_eq!(report["prefilled"]["make"], "Volkswagen", "{report}");
    assert_eq!(report["prefilled"]["model"], "Golf 7", "{report}");
    assert!(
        report["transcriptAfterReload"]
            .as_array()
            .expect("transcript")
            .iter()
            .any(|t| t == "Was kostet ein Ölwechsel?"),
        "{report}"
    );

    let event = leads.next_data().await;
    assert_eq!(event["leadEvents"]["kind"], "CREATED");
    assert_eq!(event["leadEvents"]["lead"]["name"], "Erika Mustermann");
    assert_eq!(event["leadEvents"]["lead"]["phone"], "+49 170 1234567");

    // The visitor downloaded and then deleted the chat: the download had it all, the workshop
    // keeps only markers; the consent stored was the one the widget showed.
    assert_eq!(
        report["downloadFormat"], "carbot.contact-export/1",
        "{report}"
    );
    assert_eq!(
        report["downloadedLeadNames"],
        json!(["Erika Mustermann"]),
        "{report}"
    );
    assert_eq!(
        report["deletedNotice"], "Ihr Chat wurde gelöscht.",
        "{report}"
    );
    // Erased by the workshop while the chat was open: the widget let go of it at once.
    assert_eq!(report["workshopErased"]["conversations"], 1, "{report}");
    assert_eq!(
        report["transcriptAfterWorkshopErased"],
        json!([]),
        "{report}"
    );
    let lead = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Lead { name phone consent { text }
                conversation { messages { edges { node { body } } } } } } }",
            json!({ "id": report["leadId"] }),
        )
        .await;
    let lead = &lead["data"]["node"];
    assert_eq!(lead["name"], "[gelöscht]", "{lead}");
    assert_eq!(lead["phone"], Value::Null, "{lead}");
    let bodies = lead["conversation"]["messages"]["edges"]
        .as_array()
        .expect("messages");
    assert!(!bodies.is_empty());
    assert!(
        bodies.iter().all(|m| m["node"]["body"] == "[gelöscht]"),
        "{lead}"
    );
    let (_, config) = app
        .post_document(
            &allowed_origin,
            None,
            "WidgetConfig",
            json!({ "key": key, "locale": "DE" }),
        )
        .await;
    assert_eq!(
        lead["consent"]["text"], config["data"]["widgetConfig"]["consentText"],
        "the stored consent is the German text the widget showed"
    );

    // Opening the chat window is counted for analytics, from the allowed page only (the page
    // of another origin is refused like its conversations).
    #[derive(diesel::QueryableByName)]
    struct Opens {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        allowed: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        other: i64,
    }
    let mut conn = app.db().await;
    let opens: Opens = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(*) FILTER (WHERE page LIKE $1 || '/%') AS allowed,
                    count(*) FILTER (WHERE page IS NULL OR page NOT LIKE $1 || '/%') AS other
             FROM facts WHERE kind = 'WIDGET_OPENED'",
        )
        .bind::<diesel::sql_types::Text, _>(&allowed_origin),
        &mut conn,
    )
    .await
    .expect("widget opens");
    assert!(opens.allowed >= 1, "the widget's opens are recorded");
    assert_eq!(opens.other, 0, "no open from the refused origin");
}
