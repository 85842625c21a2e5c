//! The plan page end to end in headless Chromium (`tests/browser/billing.mjs`), against a local
//! server that speaks Stripe's API, serves its Checkout and portal pages and signs its webhooks:
//! a trial workshop's owner cancels one Checkout, pays the next by card, waits on the plan page
//! until the webhook made Premium active, sees the card and the invoice, cancels in the portal
//! (the plan runs to the period's end), and sees the past-due banner when a payment fails.
//! Screenshots land in `target/browser-artifacts/billing/`. `./dev test` builds the console first.

use std::path::PathBuf;
use std::sync::Arc;

use carbot_tests::serde_json::json;
use carbot_tests::stripe_mock::{self, StripeMock};
use carbot_tests::{TestApp, TestOptions};
use diesel_async::RunQueryDsl;

const KEY: &str = "sk_test_console_billing";
const SECRET: &str = "whsec_console_billing";

/// `POST /past-due`: Stripe reports the workshop's subscription past due (a renewal failed).
async fn desk(mock: Arc<StripeMock>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let router = axum::Router::new().route(
        "/past-due",
        axum::routing::post(move || {
            let mock = mock.clone();
            async move {
                let subscription = mock
                    .subscriptions()
                    .pop()
                    .expect("the subscription the owner bought");
                let id = subscription["id"].as_str().expect("id").to_owned();
                let past_due = mock.update_subscription(&id, |s| s["status"] = json!("past_due"));
                let created = chrono::Utc::now().timestamp() + 1;
                let event = stripe_mock::event("customer.subscription.updated", past_due, created);
                axum::http::StatusCode::from_u16(mock.post_event(&event).await)
                    .unwrap_or(axum::http::StatusCode::BAD_GATEWAY)
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trial_workshop_upgrades_through_checkout_in_the_console() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        root.join("console/dist/index.html").exists(),
        "the console is not built: run ./dev test (it builds console/dist)"
    );
    let mock = Arc::new(
        StripeMock::start(
            KEY,
            &[
                ("price_basic", 4_900),
                ("price_premium", 9_900),
                ("price_enterprise", 19_900),
            ],
        )
        .await,
    );
    let app = TestApp::with(TestOptions {
        billing: carbot::config::BillingConfig {
            secret_key: Some(KEY.parse().expect("infallible")),
            webhook_secret: Some(SECRET.parse().expect("infallible")),
            price_basic: Some("price_basic".into()),
            price_premium: Some("price_premium".into()),
            price_enterprise: Some("price_enterprise".into()),
            api_base: Some(mock.base_url.clone()),
        },
        ..TestOptions::default()
    })
    .await;
    mock.set_webhook(&format!("{}/webhooks/stripe", app.url), SECRET);
    let owner = app
        .register("inhaber@autohaus-kasse.de", "Autohaus Kasse")
        .await;
    // The trial's last day: Checkout charges at once (a longer trial would carry over).
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE workshops SET trial_ends_at = now() + interval '20 hours'")
        .execute(&mut conn)
        .await
        .expect("the trial's last day");
    let desk = desk(mock.clone()).await;

    let artifacts = root
        .join("target")
        .join("browser-artifacts")
        .join("billing");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    carbot_tests::run_browser_driver(
        "billing.mjs",
        &[
            ("CONSOLE_URL", &app.url),
            ("STRIPE_URL", &mock.base_url),
            ("OWNER_EMAIL", &owner.email),
            ("OWNER_PASSWORD", &owner.password),
            ("DESK_URL", &desk),
            ("ARTIFACTS", &artifacts.to_string_lossy()),
        ],
    )
    .await;

    // What the browser did is what Stripe and the platform recorded.
    let paid: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/checkout/sessions")
        .collect();
    assert_eq!(paid.len(), 2, "one cancelled Checkout, one paid");
    assert_eq!(paid[0].param("line_items[0][price]"), Some("price_premium"));
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ billing { status plan { code } cancelAtPeriodEnd invoices(first: 5) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["billing"],
        json!({ "status": "PAST_DUE", "plan": { "code": "PREMIUM" }, "cancelAtPeriodEnd": true,
                "invoices": { "totalCount": 1 } }),
        "{body}"
    );
}
