//! The fault matrix (README: Faults): real `carbot serve` processes killed in the middle of lead
//! submissions and of Stripe webhooks, stopped with SIGTERM while 200 WebSockets are open and requests are in flight,
//! and a PostgreSQL cluster restarted under load. Nothing acknowledged is lost or doubled,
//! clients get an answer or a clear error instead of a hang, and the platform is ready again
//! within five seconds of its database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use carbot_tests::chat::{LEAD_EVENTS, Live, SITE, Visitor, lead_input, persisted};
use carbot_tests::openai_mock::{MockOpenAi, Script};
use carbot_tests::serde_json::{Value, json};
use carbot_tests::serve::{Serve, on};
use carbot_tests::stripe_mock::{self, StripeMock};
use carbot_tests::{Owner, TempDir, count_rows, new_database};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn rows(database_url: &str, sql: &str) -> i64 {
    count_rows(database_url, sql).await
}

/// One visitor's lead, sent (with the widget's document and one submission id) until an
/// answer says it is stored: a connection refused or cut is tried again, at the URL `url`
/// holds then. Returns the lead's id and how many attempts it took.
async fn submit_until_stored(
    url: Arc<Mutex<String>>,
    visitor: Visitor,
    submission: String,
) -> (String, u32) {
    let client = client();
    let body = persisted(
        "SubmitLead",
        json!({ "input": lead_input(&visitor, json!({ "submissionId": submission })) }),
    );
    for attempt in 1..=100 {
        let target = format!("{}/graphql", url.lock().expect("url"));
        let answer = client
            .post(target)
            .header("origin", SITE)
            .bearer_auth(&visitor.token)
            .json(&body)
            .send()
            .await;
        if let Ok(response) = answer
            && let Ok(body) = response.json::<Value>().await
        {
            let payload = &body["data"]["submitLead"];
            assert_eq!(payload["userErrors"], json!([]), "{body}");
            if let Some(id) = payload["lead"]["id"].as_str() {
                return (id.to_owned(), attempt);
            }
            panic!("an answer without a lead: {body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the lead of {} was never stored", visitor.conversation_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_process_killed_during_lead_submissions_loses_no_acknowledged_lead_and_doubles_none() {
    let database_url = new_database().await;
    let env = [("DATABASE_URL", database_url.as_str())];
    let mut first = Serve::start(&env);
    let app = on(&first.url, &database_url).await;
    let owner = app
        .register("absturz@autohaus-nord.de", "Autohaus Nord")
        .await;
    confirm_email(&database_url).await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let mut visitors = Vec::new();
    for _ in 0..16 {
        visitors.push(app.visitor(&key, SITE).await);
    }

    let url = Arc::new(Mutex::new(first.url.clone()));
    let tasks: Vec<_> = visitors
        .iter()
        .enumerate()
        .map(|(i, visitor)| {
            tokio::spawn(submit_until_stored(
                url.clone(),
                visitor.clone(),
                format!("submission-{i}"),
            ))
        })
        .collect();
    // Killed as the first answers arrive, with the others on their way.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while rows(&database_url, "SELECT count(*) AS n FROM leads").await < 3 {
        assert!(tokio::time::Instant::now() < deadline, "no lead arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill();
    let second = Serve::start(&env);
    *url.lock().expect("url") = second.url.clone();
    let mut acknowledged = Vec::new();
    let mut retried = 0;
    for task in tasks {
        let (id, attempts) = tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("every submission is answered, none hangs")
            .expect("task");
        retried += usize::from(attempts > 1);
        acknowledged.push(id);
    }
    // Exactly one lead per visitor, each the one its answer named, each e-mailed once.
    assert_eq!(
        rows(&database_url, "SELECT count(*) AS n FROM leads").await,
        16
    );
    assert_eq!(
        rows(
            &database_url,
            "SELECT count(DISTINCT conversation_id) AS n FROM leads"
        )
        .await,
        16
    );
    assert_eq!(
        rows(
            &database_url,
            "SELECT count(*) AS n FROM outbox WHERE kind = 'NEW_LEAD'"
        )
        .await,
        16
    );
    let later = on(&second.url, &database_url).await;
    let found = later
        .gql(
            Some(&owner.access_token),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": acknowledged }),
        )
        .await;
    let found = found["data"]["nodes"].as_array().expect("nodes");
    assert!(
        found.iter().all(|n| n["id"].is_string()),
        "every acknowledged lead is stored: {found:?}"
    );
    assert!(retried > 0, "the kill interrupted no submission");
}

async fn confirm_email(database_url: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .expect("connection");
    diesel::sql_query("UPDATE users SET email_verified_at = now()")
        .execute(&mut conn)
        .await
        .expect("confirming");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_with_200_open_websockets_answers_requests_in_flight_and_closes_each_with_1001() {
    // Each visitor's message waits for the model's reply, which streams in slowly: ten
    // requests are in flight when the signal arrives.
    let model = MockOpenAi::start(
        Script::reply([
            "Ein Ölwechsel ",
            "kostet bei uns ",
            "je nach Fahrzeug ",
            "etwas mehr.",
        ])
        .with_chunk_delay(Duration::from_millis(400)),
    )
    .await;
    let database_url = new_database().await;
    let mut serve = Serve::start(&[
        ("DATABASE_URL", database_url.as_str()),
        ("OPENAI_API_KEY", "sk-test-ende"),
        ("OPENAI_BASE_URL", model.base_url.as_str()),
    ]);
    let app = on(&serve.url, &database_url).await;
    let owner: Owner = app.register("ende@autohaus-nord.de", "Autohaus Nord").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let mut visitors = Vec::new();
    for _ in 0..10 {
        visitors.push(app.visitor(&key, SITE).await);
    }
    let mut sockets = Vec::new();
    for _ in 0..200 {
        let mut live = Live::start(
            &serve.url,
            Some(&owner.access_token),
            None,
            LEAD_EVENTS,
            json!({}),
        )
        .await
        .expect("subscription");
        live.send(json!({ "type": "ping" })).await;
        assert_eq!(live.receive().await.expect("pong")["type"], "pong");
        sockets.push(live);
    }
    let asked = model.requests().len();
    let in_flight: Vec<_> = visitors
        .into_iter()
        .map(|visitor| {
            let url = serve.url.clone();
            tokio::spawn(async move {
                let sent = client()
                    .post(format!("{url}/graphql"))
                    .header("origin", SITE)
                    .bearer_auth(&visitor.token)
                    .json(&persisted(
                        "SendMessage",
                        json!({ "input": { "conversationId": visitor.conversation_id,
                            "body": "Was kostet ein Ölwechsel?" } }),
                    ))
                    .send()
                    .await
                    .expect("an answer");
                let status = sent.status().as_u16();
                (
                    status,
                    sent.json::<Value>().await.expect("a whole JSON answer"),
                )
            })
        })
        .collect();
    // Every request is inside the server (the model has been asked) before the signal.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while model.requests().len() < asked + 10 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the requests never reached the model"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    serve.terminate();
    for request in in_flight {
        let (status, body) = tokio::time::timeout(Duration::from_secs(20), request)
            .await
            .expect("answered in time")
            .expect("task");
        assert_eq!(status, 200, "{body}");
        assert!(
            body["data"]["sendMessage"]["reply"]["body"].is_string(),
            "the request in flight got its whole answer: {body}"
        );
    }
    let mut codes = Vec::new();
    for live in &mut sockets {
        let code = loop {
            match tokio::time::timeout(Duration::from_secs(10), live.receive()).await {
                Ok(Ok(_)) => continue,
                Ok(Err(code)) => break code,
                Err(_) => break 0,
            }
        };
        codes.push(code);
    }
    assert!(
        codes.iter().all(|c| *c == 1001),
        "close codes other than 1001: {:?}",
        codes.iter().filter(|c| **c != 1001).collect::<Vec<_>>()
    );
    assert!(
        serve.wait_exited(Duration::from_secs(20)),
        "the process did not exit (0)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgresql_restart_under_load_gives_clear_errors_loses_no_message_and_is_ready_within_5s()
 {
    // A cluster of the test's own, so that restarting it disturbs no other test.
    let dir = TempDir::new();
    let cluster_dir = dir.0.clone();
    let pg = tokio::task::spawn_blocking(move || {
        carbot::postgres::EmbeddedPostgres::start(&cluster_dir)
    })
    .await
    .expect("join")
    .expect("a cluster");
    carbot::postgres::ensure_database(&pg.url("postgres"), "carbot")
        .await
        .expect("database");
    let database_url = pg.url("carbot");
    let serve = Serve::start(&[("DATABASE_URL", database_url.as_str())]);
    let app = on(&serve.url, &database_url).await;
    let owner = app
        .register("neustart@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let mut visitors = Vec::new();
    for _ in 0..3 {
        visitors.push(app.visitor(&key, SITE).await);
    }

    // Visitors write on and on (in turn, within the message limits); each message acknowledged
    // must be stored.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (url, stop, visitors) = (serve.url.clone(), stop.clone(), visitors.clone());
        tokio::spawn(async move {
            let client = client();
            let (mut acknowledged, mut refused, mut slowest) =
                (Vec::new(), Vec::new(), Duration::ZERO);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let visitor = &visitors[n % visitors.len()];
                let text = format!("Nachricht {n}");
                let started = tokio::time::Instant::now();
                let sent = client
                    .post(format!("{url}/graphql"))
                    .header("origin", SITE)
                    .bearer_auth(&visitor.token)
                    .json(&persisted(
                        "SendMessage",
                        json!({ "input": { "conversationId": visitor.conversation_id, "body": text } }),
                    ))
                    .send()
                    .await
                    .expect("the process stays up");
                let status = sent.status().as_u16();
                let body: Value = sent.json().await.expect("a JSON answer, also in an outage");
                slowest = slowest.max(started.elapsed());
                if body["data"]["sendMessage"]["message"]["id"].is_string() {
                    acknowledged.push((visitor.conversation_id.clone(), text));
                } else {
                    let error = &body["errors"][0]["extensions"];
                    refused.push((status, error["code"].clone(), error["retryAfter"].clone()));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            (acknowledged, refused, slowest)
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The restart: stopped (fast: sessions are cut), down a moment, started again.
    let stopping = tokio::task::spawn_blocking(move || pg.stop());
    stopping.await.expect("join");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cluster_dir = dir.0.clone();
    let pg = tokio::task::spawn_blocking(move || {
        carbot::postgres::EmbeddedPostgres::start(&cluster_dir)
    })
    .await
    .expect("join")
    .expect("the cluster again");
    let back = tokio::time::Instant::now();
    let client = client();
    let mut ready_after = None;
    while back.elapsed() < Duration::from_secs(10) {
        let ready = client
            .get(format!("{}/readyz", serve.url))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if ready {
            ready_after = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready_after = ready_after.expect("ready again");
    assert!(
        ready_after < Duration::from_secs(5),
        "ready after {ready_after:?}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (acknowledged, refused, slowest) = writer.await.expect("writer");
    // The outage was answered with errors, each quickly, and writing works again after it.
    assert!(!refused.is_empty(), "the outage was not noticed");
    assert!(
        refused.iter().all(|(_, code, _)| code == "INTERNAL"),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|(_, _, retry)| retry.is_u64()),
        "no answer said when to try again: {refused:?}"
    );
    assert!(
        slowest < Duration::from_secs(10),
        "an answer took {slowest:?}"
    );
    let mut lost = Vec::new();
    for visitor in &visitors {
        let stored = app
            .gql(
                Some(&owner.access_token),
                "query($id: ID!) { node(id: $id) { ... on Conversation { messages(first: 100) {
                    edges { node { role body } } } } } }",
                json!({ "id": visitor.conversation_id }),
            )
            .await;
        let bodies: Vec<&str> = stored["data"]["node"]["messages"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{stored}"))
            .iter()
            .filter(|e| e["node"]["role"] == "VISITOR")
            .filter_map(|e| e["node"]["body"].as_str())
            .collect();
        lost.extend(
            acknowledged
                .iter()
                .filter(|(conversation, text)| {
                    *conversation == visitor.conversation_id && !bodies.contains(&text.as_str())
                })
                .cloned(),
        );
    }
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    assert!(
        acknowledged.len() > 3,
        "messages before and after: {acknowledged:?}"
    );
    drop(serve);
    tokio::task::spawn_blocking(move || pg.stop())
        .await
        .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_process_killed_during_stripe_webhooks_applies_each_event_once_after_stripes_retries() {
    const KEY: &str = "sk_test_carbot_faults";
    const SECRET: &str = "whsec_carbot_faults";
    let mock = StripeMock::start(KEY, &[("price_enterprise_m", 19_900)]).await;
    let database_url = new_database().await;
    let env = [
        ("DATABASE_URL", database_url.as_str()),
        ("STRIPE_SECRET_KEY", KEY),
        ("STRIPE_WEBHOOK_SECRET", SECRET),
        ("STRIPE_PRICE_ENTERPRISE", "price_enterprise_m"),
        ("STRIPE_API_BASE", mock.base_url.as_str()),
    ];
    let mut first = Serve::start(&env);
    let app = on(&first.url, &database_url).await;
    // Eight workshops, each with a subscription and its paid first invoice at Stripe.
    let now = chrono::Utc::now().timestamp();
    let mut events = Vec::new();
    for n in 0..8 {
        let email = format!("stripe{n}@autohaus-nord.de");
        app.register(&email, &format!("Werkstatt {n}")).await;
        let workshop = workshop_of(&database_url, &email).await;
        let (customer, subscription) =
            mock.subscribed(&workshop, &email, "price_enterprise_m", "active", now - 60);
        let id = subscription["id"].as_str().expect("id").to_owned();
        events.push(stripe_mock::event(
            "customer.subscription.created",
            subscription,
            now - 60,
        ));
        let invoice = mock.invoice(&customer, &id, "paid", 19_900);
        events.push(stripe_mock::event("invoice.paid", invoice, now));
    }
    mock.set_webhook(&format!("{}/webhooks/stripe", first.url), SECRET);
    // Killed while the events arrive.
    let sending = {
        let events = events.clone();
        let mock = &mock;
        async move { futures_util::future::join_all(events.iter().map(|e| mock.post_event(e))).await }
    };
    let killer = async {
        while mock.delivered().iter().filter(|(_, s)| *s == 200).count() < 3 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        first.kill();
    };
    let (statuses, ()) = tokio::join!(sending, killer);
    let acknowledged = statuses.iter().filter(|s| **s == 200).count();
    assert!(acknowledged >= 3, "{statuses:?}");
    assert!(
        acknowledged < events.len(),
        "the kill interrupted no webhook: {statuses:?}"
    );
    // Stripe sends what got no 2xx again, and (at least once) some of the rest too.
    let second = Serve::start(&env);
    mock.set_webhook(&format!("{}/webhooks/stripe", second.url), SECRET);
    for event in &events {
        assert_eq!(mock.post_event(event).await, 200);
    }
    // An event the killed process had claimed waits for its lease (30 s) to end.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while rows(
        &database_url,
        "SELECT count(*) AS n FROM stripe_events WHERE processed_at IS NULL",
    )
    .await
        > 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "events left unapplied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        rows(&database_url, "SELECT count(*) AS n FROM stripe_events").await,
        16
    );
    assert_eq!(
        rows(&database_url, "SELECT count(*) AS n FROM invoices").await,
        8
    );
    assert_eq!(
        rows(
            &database_url,
            "SELECT count(*) AS n FROM workshops WHERE plan_code = 'ENTERPRISE'"
        )
        .await,
        8
    );
    // One receipt per payment: no event was applied twice.
    assert_eq!(
        rows(
            &database_url,
            "SELECT count(*) AS n FROM outbox WHERE kind = 'PAYMENT_RECEIVED'"
        )
        .await,
        8
    );
    drop(second);
}

async fn workshop_of(database_url: &str, email: &str) -> String {
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .expect("connection");
    let row: Id = diesel::sql_query(
        "SELECT m.workshop_id::text AS id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
    )
    .bind::<diesel::sql_types::Text, _>(email)
    .get_result(&mut conn)
    .await
    .expect("the owner's workshop");
    row.id
}
