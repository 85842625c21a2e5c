//! Billing with Stripe, against a local server that speaks Stripe's API and signs webhooks as
//! Stripe does (`stripe_mock`): Checkout and the portal, the webhook inbox (signatures,
//! duplicates, order, recovery), entitlements that follow payment, and the plain state without
//! Stripe, where the operator sets plans.

use std::time::Duration;

use carbot_tests::chat::SITE;
use carbot_tests::serde_json::{Value, json};
use carbot_tests::stripe_mock::{self, StripeMock};
use carbot_tests::{Owner, TestApp, TestOptions, error_code};
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

const KEY: &str = "sk_test_carbot_billing";
const SECRET: &str = "whsec_carbot_billing";
const PRICES: [(&str, i64); 3] = [
    ("price_basic_m", 4_900),
    ("price_premium_m", 9_900),
    ("price_enterprise_m", 19_900),
];

fn billing_config(mock: &StripeMock, secrets: &str) -> carbot::config::BillingConfig {
    carbot::config::BillingConfig {
        secret_key: Some(KEY.parse().expect("infallible")),
        webhook_secret: Some(secrets.parse().expect("infallible")),
        price_basic: Some(PRICES[0].0.into()),
        price_premium: Some(PRICES[1].0.into()),
        price_enterprise: Some(PRICES[2].0.into()),
        api_base: Some(mock.base_url.clone()),
    }
}

async fn with_stripe() -> (TestApp, StripeMock) {
    let mock = StripeMock::start(KEY, &PRICES).await;
    let app = TestApp::with(TestOptions {
        billing: billing_config(&mock, SECRET),
        ..TestOptions::default()
    })
    .await;
    mock.set_webhook(&format!("{}/webhooks/stripe", app.url), SECRET);
    (app, mock)
}

const BILLING: &str = "{ billing { configured status plan { code } trialEndsAt currentPeriodEnd
    cancelAtPeriodEnd graceEndsAt managedBy paymentMethod { kind brand last4 }
    invoices(first: 10) { totalCount edges { node { id number amount { amountCents } status hostedUrl pdfUrl createdAt } } }
    usage { quota used limit } } }";

async fn billing(app: &TestApp, owner: &Owner) -> Value {
    let body = app.gql(Some(&owner.access_token), BILLING, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["billing"].clone()
}

/// Waits until the billing worker has applied every stored event.
async fn settled(app: &TestApp) {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    for _ in 0..200 {
        let pending: Count =
            diesel::sql_query("SELECT count(*) AS n FROM stripe_events WHERE processed_at IS NULL")
                .get_result(&mut conn)
                .await
                .expect("inbox");
        if pending.n == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the billing worker did not apply the stored events");
}

#[derive(diesel::QueryableByName, Debug)]
struct Text1 {
    #[diesel(sql_type = Text)]
    value: String,
}

async fn workshop_uuid(app: &TestApp, owner: &Owner) -> String {
    let mut conn = app.db().await;
    let row: Text1 = diesel::sql_query(
        "SELECT m.workshop_id::text AS value FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
    )
    .bind::<Text, _>(&owner.email)
    .get_result(&mut conn)
    .await
    .expect("the owner's workshop");
    row.value
}

/// (recipient, subject, text) of the outbox's e-mails of `kind`, oldest first.
async fn mails(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    #[derive(diesel::QueryableByName)]
    struct Mail {
        #[diesel(sql_type = Text)]
        recipient: String,
        #[diesel(sql_type = Text)]
        subject: String,
        #[diesel(sql_type = Text)]
        body_text: String,
    }
    let mut conn = app.db().await;
    let rows: Vec<Mail> = diesel::sql_query(
        "SELECT recipient, subject, body_text FROM outbox WHERE kind = $1 ORDER BY created_at",
    )
    .bind::<Text, _>(kind)
    .load(&mut conn)
    .await
    .expect("outbox");
    rows.into_iter()
        .map(|m| (m.recipient, m.subject, m.body_text))
        .collect()
}

async fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.db().await;
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .expect(statement);
}

async fn start_checkout(app: &TestApp, owner: &Owner, plan: &str) -> Value {
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($plan: PlanCode!) { startCheckout(input: { plan: $plan }) { url userErrors { code message } } }",
            json!({ "plan": plan }),
        )
        .await;
    body["data"]["startCheckout"].clone()
}

/// A subscription of the workshop's customer, registered at the mock, with our metadata.
async fn customer_and_subscription(
    app: &TestApp,
    mock: &StripeMock,
    owner: &Owner,
    price: &str,
    status: &str,
    created: i64,
) -> (String, Value) {
    let workshop = workshop_uuid(app, owner).await;
    mock.subscribed(&workshop, &owner.email, price, status, created)
}

/// Pays on the local Stripe's Checkout page with `method` (`card`, `sepa_debit`), as the
/// owner's browser would; returns Stripe's answer (a redirect back), not following it.
async fn pay(checkout_url: &str, method: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(checkout_url)
        .form(&[("method", method)])
        .send()
        .await
        .expect("paying")
}

fn with_status(subscription: &Value, status: &str) -> Value {
    let mut changed = subscription.clone();
    changed["status"] = json!(status);
    changed
}

#[tokio::test(flavor = "multi_thread")]
async fn without_stripe_billing_says_so_and_the_operator_sets_plans() {
    let app = TestApp::new().await;
    let owner = app
        .register("ohne-stripe@autohaus-nord.de", "Autohaus Nord")
        .await;
    let state = billing(&app, &owner).await;
    assert_eq!(state["configured"], false);
    assert_eq!(state["status"], "TRIALING");
    assert_eq!(state["plan"]["code"], "PREMIUM");
    assert_eq!(state["managedBy"], "TRIAL");
    assert!(state["trialEndsAt"].is_string());
    assert_eq!(
        state["usage"],
        json!([
            { "quota": "CLIENT_KEYS", "used": 0, "limit": 10 },
            { "quota": "LEADS_PER_MONTH", "used": 0, "limit": null },
            { "quota": "LOCATIONS", "used": 1, "limit": 1 },
        ])
    );
    let before = app.row_counts().await;
    let checkout = start_checkout(&app, &owner, "BASIC").await;
    assert_eq!(checkout["url"], Value::Null);
    assert_eq!(
        checkout["userErrors"][0]["code"], "BILLING_NOT_CONFIGURED",
        "{checkout}"
    );
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { openBillingPortal { url userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["openBillingPortal"]["userErrors"][0]["code"],
        "BILLING_NOT_CONFIGURED"
    );
    assert_eq!(
        app.row_counts().await,
        before,
        "a refused checkout changes nothing"
    );

    // Staff and API tokens do not see billing.
    let staff = app
        .member(&owner, "werkstatt@autohaus-nord.de", "STAFF")
        .await;
    let body = app.gql(Some(&staff.access_token), BILLING, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let (_, token) = app.api_token(&owner, &["LEADS_READ"]).await;
    let body = app.gql(Some(&token), BILLING, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            Some(&token),
            "mutation { startCheckout(input: { plan: BASIC }) { url } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // The operator records a deal made outside Stripe (what `carbot admin set-plan` runs).
    let mut conn = app.db().await;
    let until = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let set = carbot_schema::billing::admin::set_plan(
        &mut conn,
        "OHNE-STRIPE@autohaus-nord.de",
        carbot_schema::plans::PlanCode::Enterprise,
        Some(until),
        Some("Vertrag 2026-17"),
    )
    .await
    .expect("setting the plan");
    assert_eq!(set.workshop_name, "Autohaus Nord");
    let state = billing(&app, &owner).await;
    assert_eq!(
        (
            &state["status"],
            &state["plan"]["code"],
            &state["managedBy"]
        ),
        (&json!("ACTIVE"), &json!("ENTERPRISE"), &json!("MANUAL"))
    );
    let end =
        chrono::DateTime::parse_from_rfc3339(state["currentPeriodEnd"].as_str().expect("an end"))
            .expect("a time")
            .with_timezone(&chrono::Utc);
    let day_start = until.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    assert!(
        end > day_start && end <= day_start + chrono::Duration::days(1),
        "through the end of {until} in Berlin: {end}"
    );
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let refused = carbot_schema::billing::admin::set_plan(
        &mut conn,
        &set.workshop_id.to_string(),
        carbot_schema::plans::PlanCode::Basic,
        Some(past),
        None,
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(carbot_schema::billing::admin::SetPlanError::InPast(_))
        ),
        "{refused:?}"
    );
    let unknown = carbot_schema::billing::admin::set_plan(
        &mut conn,
        "niemand@example.de",
        carbot_schema::plans::PlanCode::Basic,
        None,
        None,
    )
    .await;
    assert!(matches!(
        unknown,
        Err(carbot_schema::billing::admin::SetPlanError::UnknownWorkshop(_))
    ));
    // A plan set until yesterday has ended.
    sql(
        &app,
        "UPDATE workshops SET access_until = now() - interval '1 minute'",
    )
    .await;
    assert_eq!(billing(&app, &owner).await["status"], "INACTIVE");
}

#[tokio::test(flavor = "multi_thread")]
async fn checkout_creates_one_customer_and_the_webhooks_make_the_plan_active() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("checkout@autohaus-nord.de", "Autohaus Nord")
        .await;
    let workshop = workshop_uuid(&app, &owner).await;
    // A trial that ends tomorrow is not carried into the subscription (Stripe wants two days).
    sql(
        &app,
        "UPDATE workshops SET trial_ends_at = now() + interval '1 day'",
    )
    .await;

    let first = start_checkout(&app, &owner, "PREMIUM").await;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    let url = first["url"].as_str().expect("a Checkout URL").to_owned();
    assert!(
        url.starts_with(&format!("{}/pay/cs_", mock.base_url)),
        "{url}"
    );
    let again = start_checkout(&app, &owner, "PREMIUM").await;
    assert_eq!(again["url"], first["url"], "the same Checkout again");

    let requests = mock.requests();
    let customers: Vec<_> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/customers")
        .collect();
    assert_eq!(
        customers.len(),
        1,
        "one customer per workshop: {requests:?}"
    );
    assert_eq!(
        customers[0].param("metadata[workshop_id]"),
        Some(workshop.as_str())
    );
    assert_eq!(
        customers[0].param("email"),
        Some("checkout@autohaus-nord.de")
    );
    assert!(
        customers[0]
            .idempotency_key
            .as_deref()
            .is_some_and(|k| k.starts_with("carbot-customer-"))
    );
    let sessions: Vec<_> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/checkout/sessions")
        .collect();
    assert_eq!(sessions.len(), 2);
    let session = sessions[0];
    for (key, value) in [
        ("mode", "subscription"),
        ("client_reference_id", workshop.as_str()),
        ("line_items[0][price]", "price_premium_m"),
        ("line_items[0][quantity]", "1"),
        ("allowed_payment_method_types[0]", "card"),
        ("allowed_payment_method_types[1]", "sepa_debit"),
        ("locale", "de"),
        ("automatic_tax[enabled]", "false"),
        (
            "subscription_data[metadata][workshop_id]",
            workshop.as_str(),
        ),
        ("success_url", &format!("{}/plan?checkout=success", app.url)),
        ("cancel_url", &format!("{}/plan?checkout=canceled", app.url)),
    ] {
        assert_eq!(session.param(key), Some(value), "{key} in {session:?}");
    }
    assert_eq!(session.param("subscription_data[trial_end]"), None);
    assert_eq!(
        session.param("customer"),
        mock.customers()[0]["id"].as_str(),
        "the workshop's one customer"
    );
    assert!(
        session.idempotency_key.is_some() && session.idempotency_key == sessions[1].idempotency_key,
        "a repeated Checkout carries the same key"
    );

    // The owner pays by card on Stripe's page; Stripe redirects back and sends its events.
    let paid = pay(&url, "card").await;
    assert_eq!(paid.status().as_u16(), 303);
    assert_eq!(
        paid.headers()["location"].to_str().ok(),
        Some(format!("{}/plan?checkout=success", app.url).as_str())
    );
    assert!(
        mock.delivered().iter().all(|(_, status)| *status == 200),
        "{:?}",
        mock.delivered()
    );
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (
            &state["status"],
            &state["plan"]["code"],
            &state["managedBy"]
        ),
        (&json!("ACTIVE"), &json!("PREMIUM"), &json!("STRIPE")),
        "{state}"
    );
    assert_eq!(
        state["paymentMethod"],
        json!({ "kind": "CARD", "brand": "visa", "last4": "4242" })
    );
    assert!(state["currentPeriodEnd"].is_string());
    assert_eq!(state["invoices"]["totalCount"], 1);
    let invoice = &state["invoices"]["edges"][0]["node"];
    assert_eq!(invoice["status"], "PAID");
    assert_eq!(invoice["amount"]["amountCents"], 9900);
    assert!(
        invoice["hostedUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with(&mock.base_url))
    );
    assert!(invoice["pdfUrl"].is_string() && invoice["number"].is_string());
    let receipts = mails(&app, "PAYMENT_RECEIVED").await;
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert_eq!(receipts[0].0, "checkout@autohaus-nord.de");
    assert!(receipts[0].1.contains("99 €"), "{receipts:?}");

    // A workshop that pays changes its plan in the portal.
    let changing = start_checkout(&app, &owner, "ENTERPRISE").await;
    let portal = changing["url"].as_str().expect("a portal URL");
    assert!(
        portal.starts_with(&format!("{}/portal/bps_", mock.base_url)),
        "{portal}"
    );
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { openBillingPortal { url userErrors { code } } }",
            json!({}),
        )
        .await;
    assert!(
        body["data"]["openBillingPortal"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{}/portal/", mock.base_url)))
    );
    let portal_request = mock
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == "/v1/billing_portal/sessions")
        .expect("a portal session");
    assert!(portal_request.idempotency_key.is_some());
    assert!(
        portal_request
            .param("return_url")
            .is_some_and(|u| u.starts_with(&format!("{}/plan", app.url)))
    );

    // Cancelling in the portal keeps the plan to the end of the period.
    let cancelled = reqwest::Client::new()
        .post(format!("{portal}/cancel"))
        .send()
        .await
        .expect("cancelling");
    assert!(cancelled.status().is_success() || cancelled.status().is_redirection());
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (&state["status"], &state["cancelAtPeriodEnd"]),
        (&json!("ACTIVE"), &json!(true))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_trial_is_carried_into_the_subscription() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("testphase@autohaus-nord.de", "Autohaus Nord")
        .await;
    let trial_end: i64 = {
        let state = billing(&app, &owner).await;
        chrono::DateTime::parse_from_rfc3339(state["trialEndsAt"].as_str().expect("trial end"))
            .expect("a time")
            .timestamp()
    };
    let url = start_checkout(&app, &owner, "BASIC").await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let session = mock
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/checkout/sessions")
        .expect("a session");
    assert_eq!(
        session.param("subscription_data[trial_end]"),
        Some(trial_end.to_string().as_str())
    );
    pay(&url, "sepa_debit").await;
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (
            &state["status"],
            &state["plan"]["code"],
            &state["managedBy"]
        ),
        (&json!("TRIALING"), &json!("BASIC"), &json!("STRIPE")),
        "{state}"
    );
    assert_eq!(state["paymentMethod"]["kind"], "SEPA_DEBIT");
    assert_eq!(state["paymentMethod"]["last4"], "3000");
    assert!(
        mails(&app, "PAYMENT_RECEIVED").await.is_empty(),
        "nothing was charged yet"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_are_verified_before_anything_is_stored() {
    let mock = StripeMock::start(KEY, &PRICES).await;
    let app = TestApp::with(TestOptions {
        billing: billing_config(&mock, "whsec_old_secret, whsec_new_secret"),
        ..TestOptions::default()
    })
    .await;
    let url = format!("{}/webhooks/stripe", app.url);
    let client = reqwest::Client::new();
    let post = |body: String, signature: Option<String>| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        async move { request.send().await.expect("posting").status().as_u16() }
    };
    let now = chrono::Utc::now().timestamp();
    let event = |id: &str| {
        let mut event = stripe_mock::event(
            "customer.created",
            json!({ "id": "cus_x", "object": "customer" }),
            now,
        );
        event["id"] = json!(id);
        event.to_string()
    };
    let before = app.row_counts().await;
    let payload = event("evt_tampered");
    let signature = stripe_mock::sign(&payload, "whsec_new_secret", now);
    assert_eq!(
        post(payload.replace("cus_x", "cus_y"), Some(signature)).await,
        400,
        "tampered body"
    );
    let payload = event("evt_wrong_secret");
    assert_eq!(
        post(
            payload.clone(),
            Some(stripe_mock::sign(&payload, "whsec_someone_else", now))
        )
        .await,
        400
    );
    assert_eq!(
        post(
            payload.clone(),
            Some(stripe_mock::sign(&payload, "whsec_new_secret", now - 301))
        )
        .await,
        400,
        "stale"
    );
    assert_eq!(post(payload.clone(), None).await, 400, "missing header");
    assert_eq!(
        post(payload.clone(), Some("t=abc,v1=zz".into())).await,
        400,
        "malformed header"
    );
    let not_json = "{not json";
    assert_eq!(
        post(
            not_json.into(),
            Some(stripe_mock::sign(not_json, "whsec_new_secret", now))
        )
        .await,
        400
    );
    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(1024 * 1024));
    assert_eq!(
        post(
            huge.clone(),
            Some(stripe_mock::sign(&huge, "whsec_new_secret", now))
        )
        .await,
        400,
        "over 1 MiB"
    );
    assert_eq!(
        app.row_counts().await,
        before,
        "refused webhooks store nothing"
    );

    // During a roll Stripe signs with the new and the old secret; either is enough.
    let payload = event("evt_rolled");
    let old = stripe_mock::sign(&payload, "whsec_old_secret", now);
    let unknown = stripe_mock::sign(&payload, "whsec_next_secret", now);
    let both = format!("{unknown},v1={}", old.split(",v1=").nth(1).expect("v1"));
    assert_eq!(post(payload.clone(), Some(both)).await, 200);
    // The same event again is acknowledged and stored once; an unknown type is kept, ignored.
    assert_eq!(
        post(
            payload.clone(),
            Some(stripe_mock::sign(&payload, "whsec_new_secret", now))
        )
        .await,
        200
    );
    let mut conn = app.db().await;
    let stored: Vec<Text1> =
        diesel::sql_query("SELECT id || ':' || type AS value FROM stripe_events")
            .load(&mut conn)
            .await
            .expect("inbox");
    assert_eq!(
        stored.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ["evt_rolled:customer.created"]
    );
    settled(&app).await;
    let outcome: Text1 = diesel::sql_query("SELECT outcome AS value FROM stripe_events")
        .get_result(&mut conn)
        .await
        .expect("outcome");
    assert_eq!(outcome.value, "IGNORED");

    // A signed event whose object is not what its type says is kept, marked and counted.
    let mut broken =
        stripe_mock::event("invoice.paid", json!({ "object": "invoice", "id": 7 }), now);
    broken["id"] = json!("evt_unreadable");
    let payload = broken.to_string();
    assert_eq!(
        post(
            payload.clone(),
            Some(stripe_mock::sign(&payload, "whsec_new_secret", now))
        )
        .await,
        200
    );
    settled(&app).await;
    let outcome: Text1 =
        diesel::sql_query("SELECT outcome AS value FROM stripe_events WHERE id = 'evt_unreadable'")
            .get_result(&mut conn)
            .await
            .expect("outcome");
    assert_eq!(outcome.value, "UNREADABLE");
    let metrics = reqwest::get(format!("{}/metrics", app.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("carbot_payment_events_unreadable"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_event_posted_five_times_at_once_has_one_effect() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("doppelt@autohaus-nord.de", "Autohaus Nord")
        .await;
    let now = chrono::Utc::now().timestamp();
    let (customer, subscription) =
        customer_and_subscription(&app, &mock, &owner, "price_premium_m", "active", now - 60).await;
    let sub_id = subscription["id"].as_str().expect("id");
    assert_eq!(
        mock.post_event(&stripe_mock::event(
            "customer.subscription.created",
            subscription.clone(),
            now - 60
        ))
        .await,
        200
    );
    let invoice = mock.invoice(&customer, sub_id, "paid", 9_900);
    let paid = stripe_mock::event("invoice.paid", invoice, now);
    let statuses = futures_util::future::join_all((0..5).map(|_| mock.post_event(&paid))).await;
    assert_eq!(statuses, [200; 5]);
    settled(&app).await;
    assert_eq!(billing(&app, &owner).await["invoices"]["totalCount"], 1);
    assert_eq!(
        mails(&app, "PAYMENT_RECEIVED").await.len(),
        1,
        "one receipt"
    );
    let counts = app.row_counts().await;
    assert_eq!(counts.get("stripe_events"), Some(&2), "{counts:?}");
    assert_eq!(counts.get("invoices"), Some(&1), "{counts:?}");
}

/// Every order of a subscription's life (created, active, past due, deleted) ends in one state.
#[tokio::test(flavor = "multi_thread")]
async fn every_order_of_a_subscription_lifecycle_ends_in_the_same_state() {
    let (app, mock) = with_stripe().await;
    let t0 = chrono::Utc::now().timestamp() - 3_600;
    let mut orders: Vec<Vec<usize>> = vec![];
    permutations(&mut vec![0, 1, 2, 3], 0, &mut orders);
    assert_eq!(orders.len(), 24);
    let mut finals = vec![];
    for (n, order) in orders.iter().enumerate() {
        let owner = app
            .register_from(
                &format!("reihenfolge{n}@autohaus-nord.de"),
                &format!("Werkstatt {n}"),
                &format!("10.0.0.{n}"),
            )
            .await;
        let (_, created) =
            customer_and_subscription(&app, &mock, &owner, "price_basic_m", "trialing", t0).await;
        let lifecycle = [
            stripe_mock::event("customer.subscription.created", created.clone(), t0),
            stripe_mock::event(
                "customer.subscription.updated",
                with_status(&created, "active"),
                t0 + 60,
            ),
            stripe_mock::event(
                "customer.subscription.updated",
                with_status(&created, "past_due"),
                t0 + 120,
            ),
            stripe_mock::event(
                "customer.subscription.deleted",
                with_status(&created, "canceled"),
                t0 + 180,
            ),
        ];
        for &i in order {
            assert_eq!(mock.post_event(&lifecycle[i]).await, 200);
            // Let the worker apply some in between, so that arrival order is real order.
            if n % 2 == 0 {
                settled(&app).await;
            }
        }
        settled(&app).await;
        let state = billing(&app, &owner).await;
        finals.push(json!({
            "status": state["status"], "plan": state["plan"], "managedBy": state["managedBy"],
            "cancelAtPeriodEnd": state["cancelAtPeriodEnd"], "graceEndsAt": state["graceEndsAt"],
        }));
    }
    assert_eq!(
        finals[0],
        json!({ "status": "CANCELED", "plan": { "code": "BASIC" }, "managedBy": "STRIPE",
                "cancelAtPeriodEnd": false, "graceEndsAt": null })
    );
    for (order, state) in orders.iter().zip(&finals) {
        assert_eq!(state, &finals[0], "order {order:?}");
    }
}

fn permutations(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == items.len() {
        out.push(items.clone());
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, out);
        items.swap(k, i);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_stored_by_a_process_that_stopped_is_applied_by_the_next() {
    let mock = StripeMock::start(KEY, &PRICES).await;
    // The first process stores webhooks but cannot apply them (no API key: its worker idles),
    // as a process that dies between the 2xx and the work leaves them.
    let mut config = billing_config(&mock, SECRET);
    config.secret_key = None;
    let mut first = TestApp::with(TestOptions {
        billing: config,
        ..TestOptions::default()
    })
    .await;
    mock.set_webhook(&format!("{}/webhooks/stripe", first.url), SECRET);
    let owner = first
        .register("neustart@autohaus-nord.de", "Autohaus Nord")
        .await;
    let now = chrono::Utc::now().timestamp();
    let (_, subscription) =
        customer_and_subscription(&first, &mock, &owner, "price_enterprise_m", "active", now).await;
    let created = stripe_mock::event("customer.subscription.created", subscription, now);
    assert_eq!(mock.post_event(&created).await, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        billing(&first, &owner).await["status"],
        "TRIALING",
        "not applied yet"
    );
    first.shut_down().await;

    let second = TestApp::with(TestOptions {
        database_url: Some(first.database_url.clone()),
        billing: billing_config(&mock, SECRET),
        ..TestOptions::default()
    })
    .await;
    settled(&second).await;
    let state = billing(&second, &owner).await;
    assert_eq!(
        (&state["status"], &state["plan"]["code"]),
        (&json!("ACTIVE"), &json!("ENTERPRISE"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_payment_keeps_the_plan_for_seven_days_then_only_the_ai_stops() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("zahlung@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let now = chrono::Utc::now().timestamp();
    let (customer, subscription) =
        customer_and_subscription(&app, &mock, &owner, "price_premium_m", "active", now - 120)
            .await;
    mock.post_event(&stripe_mock::event(
        "customer.subscription.created",
        subscription.clone(),
        now - 120,
    ))
    .await;
    let invoice = mock.invoice(
        &customer,
        subscription["id"].as_str().expect("id"),
        "open",
        9_900,
    );
    mock.post_event(&stripe_mock::event(
        "invoice.payment_failed",
        invoice.clone(),
        now - 60,
    ))
    .await;
    mock.post_event(&stripe_mock::event(
        "invoice.payment_action_required",
        invoice,
        now - 60,
    ))
    .await;
    mock.post_event(&stripe_mock::event(
        "customer.subscription.updated",
        with_status(&subscription, "past_due"),
        now,
    ))
    .await;
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (&state["status"], &state["plan"]["code"]),
        (&json!("PAST_DUE"), &json!("PREMIUM"))
    );
    let grace =
        chrono::DateTime::parse_from_rfc3339(state["graceEndsAt"].as_str().expect("grace end"))
            .expect("a time")
            .timestamp();
    assert!((grace - (now + 7 * 86_400)).abs() <= 2, "{state}");
    let failed = mails(&app, "PAYMENT_FAILED").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].2.contains("Premium"), "{failed:?}");
    let confirm = mails(&app, "PAYMENT_ACTION_REQUIRED").await;
    assert_eq!(confirm.len(), 1);
    assert!(
        confirm[0].2.contains(&mock.base_url),
        "links to Stripe's invoice page"
    );
    let export = "mutation { exportServices { csv } }";
    assert!(app.gql(Some(&owner.access_token), export, json!({})).await["data"]["exportServices"]["csv"].is_string(),
        "the plan stays during the grace period");
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ workshop { planStatus } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["workshop"]["planStatus"], "PAST_DUE");

    // Seven days later: inactive. The AI is off, leads still arrive and are e-mailed.
    sql(
        &app,
        "UPDATE workshops SET access_until = now() - interval '1 second'",
    )
    .await;
    assert_eq!(billing(&app, &owner).await["status"], "INACTIVE");
    let body = app.gql(Some(&owner.access_token), export, json!({})).await;
    assert_eq!(error_code(&body), "PLAN_LIMIT_REACHED");
    let visitor = app.visitor(&key, SITE).await;
    let (_, said) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert!(
        said["data"]["sendMessage"]["reply"]["citedServices"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{said}"
    );
    let (_, lead) = app.submit_lead(&visitor, json!({})).await;
    assert_eq!(
        lead["data"]["submitLead"]["userErrors"],
        json!([]),
        "{lead}"
    );
    assert!(lead["data"]["submitLead"]["lead"]["id"].is_string());

    // Paying again brings the plan back.
    mock.post_event(&stripe_mock::event(
        "customer.subscription.updated",
        with_status(&subscription, "active"),
        now + 5,
    ))
    .await;
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (&state["status"], &state["graceEndsAt"]),
        (&json!("ACTIVE"), &Value::Null)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_downgrade_pauses_the_newest_keys_and_an_upgrade_brings_them_back() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("schluessel@autohaus-nord.de", "Autohaus Nord")
        .await;
    let mut keys = vec![];
    for _ in 0..5 {
        keys.push(app.client_key(&owner, &[SITE]).await);
    }
    let now = chrono::Utc::now().timestamp();
    let (_, subscription) =
        customer_and_subscription(&app, &mock, &owner, "price_premium_m", "active", now - 60).await;
    mock.post_event(&stripe_mock::event(
        "customer.subscription.created",
        subscription.clone(),
        now - 60,
    ))
    .await;
    let mut basic = subscription.clone();
    basic["items"]["data"][0]["price"]["id"] = json!("price_basic_m");
    mock.post_event(&stripe_mock::event(
        "customer.subscription.updated",
        basic,
        now,
    ))
    .await;
    settled(&app).await;
    let paused = |body: &Value| -> Vec<(String, bool)> {
        let mut keys: Vec<(String, bool)> = body["data"]["clientKeys"]["edges"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|e| {
                (
                    e["node"]["id"].as_str().expect("id").to_owned(),
                    e["node"]["pausedByPlan"] == true,
                )
            })
            .collect();
        keys.sort();
        keys
    };
    let list = "{ clientKeys(first: 20) { edges { node { id pausedByPlan active } } } }";
    let body = app.gql(Some(&owner.access_token), list, json!({})).await;
    let mut expected: Vec<(String, bool)> = keys
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.clone(), i >= 3))
        .collect();
    expected.sort();
    assert_eq!(
        paused(&body),
        expected,
        "the two newest of five are paused on Basic"
    );
    assert_eq!(billing(&app, &owner).await["plan"]["code"], "BASIC");
    let (_, started) = app
        .post_from(
            SITE,
            None,
            "mutation($k: String!) { startConversation(input: { clientKey: $k }) { conversation { id } userErrors { code } } }",
            json!({ "k": keys[4].1 }),
        )
        .await;
    assert!(
        started["data"]["startConversation"]["conversation"].is_null(),
        "{started}"
    );
    app.visitor(&keys[0].1, SITE).await;

    mock.post_event(&stripe_mock::event(
        "customer.subscription.updated",
        subscription,
        now + 60,
    ))
    .await;
    settled(&app).await;
    let body = app.gql(Some(&owner.access_token), list, json!({})).await;
    assert!(paused(&body).iter().all(|(_, p)| !p), "{body}");
    app.visitor(&keys[4].1, SITE).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trial_that_ends_in_three_days_sends_one_reminder() {
    let app = TestApp::with(TestOptions {
        notify_interval_secs: Some(1),
        ..TestOptions::default()
    })
    .await;
    let owner = app
        .register("erinnerung@autohaus-nord.de", "Autohaus Nord")
        .await;
    let other = app
        .register("spaeter@autohaus-sued.de", "Autohaus Süd")
        .await;
    sql(
        &app,
        "UPDATE workshops SET trial_ends_at = now() + interval '2 days 12 hours' WHERE name = 'Autohaus Nord'",
    )
    .await;
    let mut reminders = vec![];
    for _ in 0..100 {
        reminders = mails(&app, "TRIAL_ENDING").await;
        if !reminders.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let reminders_after = mails(&app, "TRIAL_ENDING").await;
    assert_eq!(reminders_after, reminders, "sent once");
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].0, owner.email);
    assert!(reminders[0].2.contains("Tarif"), "{reminders:?}");
    assert!(!reminders_after.iter().any(|m| m.0 == other.email));
}

#[tokio::test(flavor = "multi_thread")]
async fn ending_a_second_subscription_does_not_end_the_one_that_pays() {
    let (app, mock) = with_stripe().await;
    let owner = app
        .register("zwei-abos@autohaus-nord.de", "Autohaus Nord")
        .await;
    let now = chrono::Utc::now().timestamp();
    let (customer, first) =
        customer_and_subscription(&app, &mock, &owner, "price_basic_m", "active", now - 30).await;
    assert_eq!(
        mock.post_event(&stripe_mock::event(
            "customer.subscription.created",
            first.clone(),
            now - 30
        ))
        .await,
        200
    );
    // A second Checkout in another tab went through too; the owner cancels the first one.
    let second = mock.subscription(&customer, "price_premium_m", "active", now - 20);
    mock.post_event(&stripe_mock::event(
        "customer.subscription.created",
        second,
        now - 20,
    ))
    .await;
    mock.post_event(&stripe_mock::event(
        "customer.subscription.deleted",
        with_status(&first, "canceled"),
        now - 10,
    ))
    .await;
    settled(&app).await;
    let state = billing(&app, &owner).await;
    assert_eq!(
        (&state["status"], &state["plan"]["code"]),
        (&json!("ACTIVE"), &json!("PREMIUM")),
        "{state}"
    );
}
