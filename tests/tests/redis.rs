//! Several `carbot serve` processes on one PostgreSQL and one Redis act as one platform: a
//! visitor on one process and the owner on another see each other live, rate limits hold
//! across them, and Redis going away degrades delivery without losing an event.

use std::time::Duration;

use carbot_tests::chat::{INBOX_EVENTS, LEAD_EVENTS, Live, SITE, lead_input, persisted};
use carbot_tests::redis::TestRedis;
use carbot_tests::serde_json::{Value, json};
use carbot_tests::serve::{Serve, on};
use carbot_tests::{Owner, TestApp, TestOptions, error_code, new_database};

/// A real `carbot serve` process on the shared database and Redis.
struct Process;

impl Process {
    fn start(database_url: &str, redis_url: &str, prefix: &str) -> Serve {
        Serve::start(&[
            ("DATABASE_URL", database_url),
            ("REDIS_URL", redis_url),
            ("CARBOT_REDIS_PREFIX", prefix),
        ])
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_on_one_process_and_the_owner_on_another_see_each_other() {
    let redis = TestRedis::start();
    let database_url = new_database().await;
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let a = Process::start(&database_url, &redis.url, &prefix);
    let b = Process::start(&database_url, &redis.url, &prefix);
    let on_a = on(&a.url, &database_url).await;
    let on_b = on(&b.url, &database_url).await;

    let owner = on_a
        .register("zwei@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = on_b.client_key(&owner, &[SITE]).await;
    // "0": replay from the start, so that nothing published before the subscription is set up
    // on the server is missed.
    let mut leads = Live::start(
        &b.url,
        Some(&owner.access_token),
        None,
        LEAD_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("lead events on B");
    let mut inbox = Live::start(
        &b.url,
        Some(&owner.access_token),
        None,
        INBOX_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("inbox on B");

    let visitor = on_a.visitor(&key, SITE).await;
    // As the widget subscribes: its trusted document, by hash (the processes run as in
    // production).
    let mut widget = Live::start_payload(
        &a.url,
        Some(&visitor.token),
        Some(SITE),
        persisted(
            "ConversationEvents",
            json!({ "id": visitor.conversation_id, "after": "0" }),
        ),
    )
    .await
    .expect("widget on A");
    let started = inbox.next_data().await;
    assert_eq!(started["inboxEvents"]["kind"], "CONVERSATION_STARTED");

    let (_, sent) = on_a.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert!(
        sent["data"]["sendMessage"]["reply"]["body"].is_string(),
        "{sent}"
    );
    let seen_on_b = inbox
        .collect_until(|d| d["inboxEvents"]["message"]["role"] == "ASSISTANT")
        .await;
    assert!(
        seen_on_b
            .iter()
            .any(|d| d["inboxEvents"]["message"]["body"] == "Was kostet ein Ölwechsel?"),
        "the owner on B sees the visitor on A: {seen_on_b:?}"
    );

    let reply = on_b
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { sendOwnerMessage(input: { conversationId: $id, body: \"Grüße von Prozess B\" }) { userErrors { code } } }",
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    assert_eq!(
        reply["data"]["sendOwnerMessage"]["userErrors"],
        json!([]),
        "{reply}"
    );
    let on_widget = widget
        .collect_until(|d| d["conversationEvents"]["message"]["role"] == "OWNER")
        .await;
    assert_eq!(
        on_widget.last().expect("events")["conversationEvents"]["message"]["body"],
        "Grüße von Prozess B"
    );

    let (_, lead) = on_a
        .post_document(
            SITE,
            Some(&visitor.token),
            "SubmitLead",
            json!({ "input": lead_input(&visitor, json!({})) }),
        )
        .await;
    assert!(
        lead["data"]["submitLead"]["lead"]["id"].is_string(),
        "{lead}"
    );
    let created = leads.next_data().await;
    assert_eq!(created["leadEvents"]["kind"], "CREATED");
    assert_eq!(created["leadEvents"]["lead"]["name"], "Erika Mustermann");
    drop(redis);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_hold_across_processes() {
    let redis = TestRedis::start();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let options = |database_url: Option<String>| TestOptions {
        database_url,
        redis_url: Some(redis.url.clone()),
        redis_prefix: Some(prefix.clone()),
        ..TestOptions::default()
    };
    let a = TestApp::with(options(None)).await;
    let b = TestApp::with(options(Some(a.database_url.clone()))).await;
    let owner = a.register("limit@autohaus-nord.de", "Autohaus Nord").await;
    let (_, key) = a.client_key(&owner, &[SITE]).await;
    let visitor = a.visitor(&key, SITE).await;
    for n in 0..10 {
        let app = if n % 2 == 0 { &a } else { &b };
        let (_, body) = app.say(&visitor, &format!("Nachricht {n}")).await;
        assert!(body["errors"].is_null(), "{n}: {body}");
    }
    for app in [&a, &b] {
        let (_, body) = app.say(&visitor, "Eine zu viel").await;
        assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_redis_the_platform_degrades_and_catches_up_afterwards() {
    let mut redis = TestRedis::start();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let options = |database_url: Option<String>| TestOptions {
        database_url,
        redis_url: Some(redis.url.clone()),
        redis_prefix: Some(prefix.clone()),
        ..TestOptions::default()
    };
    let a = TestApp::with(options(None)).await;
    let b = TestApp::with(options(Some(a.database_url.clone()))).await;
    let owner = a
        .register("ausfall@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = a.client_key(&owner, &[SITE]).await;
    let visitor = a.visitor(&key, SITE).await;
    let mut inbox = Live::start(
        &b.url,
        Some(&owner.access_token),
        None,
        INBOX_EVENTS,
        json!({}),
    )
    .await
    .expect("inbox on B");

    redis.stop();
    let ready: Value = a
        .client
        .get(format!("{}/readyz", a.url))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    let mut degraded = ready["status"] == "degraded";
    for _ in 0..40 {
        if degraded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let ready: Value = a
            .client
            .get(format!("{}/readyz", a.url))
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("json");
        degraded = ready["status"] == "degraded";
    }
    assert!(degraded, "readyz reports the degraded bus");

    // The chat goes on while Redis is away.
    let (status, body) = a.say(&visitor, "Ist Redis weg?").await;
    assert_eq!(status, 200);
    assert!(
        body["data"]["sendMessage"]["reply"]["body"].is_string(),
        "{body}"
    );

    redis.restart();
    let seen = inbox
        .collect_until(|d| d["inboxEvents"]["message"]["body"] == "Ist Redis weg?")
        .await;
    assert!(
        !seen.is_empty(),
        "B catches up from the database once Redis is back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_that_falls_behind_catches_up_from_the_table_and_hears_only_its_workshop() {
    use carbot_schema::auth::{Principal, Role};
    use carbot_schema::events::{Event, EventBus, follow, lagged_subscribers};
    use carbot_schema::ids::{NodeType, decode};
    use carbot_schema::redis_backend::RedisEventBus;
    use futures_util::StreamExt;

    let redis = TestRedis::start();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let app = TestApp::with(TestOptions {
        redis_url: Some(redis.url.clone()),
        redis_prefix: Some(prefix.clone()),
        ..TestOptions::default()
    })
    .await;
    let owner = app.register("langsam@werkstatt.de", "Langsam GmbH").await;
    let neighbour = app.register("nachbar@werkstatt.de", "Nachbar GmbH").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let take = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) { userErrors { code } } }",
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    assert_eq!(
        take["data"]["takeOverConversation"]["userErrors"],
        json!([]),
        "{take}"
    );

    // A second process's view of the bus: subscribers of both workshops that do not read yet.
    let bus = RedisEventBus::connect(&redis.url, &prefix)
        .await
        .expect("redis bus");
    for _ in 0..50 {
        if bus.status() == "redis" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pool = carbot_schema::db::connect_pool(&app.database_url, 2)
        .await
        .expect("pool");
    let tenant = |owner: &Owner| {
        Principal::User {
            user_id: uuid::Uuid::nil(),
            workshop_id: decode(NodeType::Workshop, &owner.workshop_id).expect("workshop id"),
            session_id: uuid::Uuid::nil(),
            role: Role::Owner,
            locale: carbot_schema::locale::Locale::De,
        }
        .tenant(None)
        .expect("tenant")
    };
    let messages =
        |event: &carbot_schema::events::StoredEvent| matches!(event.event, Event::Message { .. });
    let mut slow = follow(pool.clone(), &bus, tenant(&owner), None, messages);
    let mut other = follow(pool, &bus, tenant(&neighbour), None, |_| true);
    let lagged_before = lagged_subscribers();

    // More messages than a subscriber's queue holds, while it does not read.
    const SENT: usize = 200;
    for n in 0..SENT {
        let body = app
            .gql(
                Some(&owner.access_token),
                "mutation($id: ID!, $body: String!) { sendOwnerMessage(input: { conversationId: $id, body: $body }) { userErrors { code } } }",
                json!({ "id": visitor.conversation_id, "body": format!("Nachricht {n}") }),
            )
            .await;
        assert_eq!(
            body["data"]["sendOwnerMessage"]["userErrors"],
            json!([]),
            "{body}"
        );
    }
    let mut ids = Vec::new();
    let mut messages_seen = std::collections::BTreeSet::new();
    while ids.len() < SENT {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), slow.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {SENT} events", ids.len()))
            .expect("the stream goes on");
        if let Event::Message { message_id, .. } = event.event {
            assert!(messages_seen.insert(message_id), "a message twice");
        }
        ids.push(event.id.expect("a stored event"));
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    assert!(
        lagged_subscribers() > lagged_before,
        "the subscriber did fall behind"
    );
    // The neighbour's subscriber heard none of it.
    let heard = tokio::time::timeout(std::time::Duration::from_millis(500), other.next()).await;
    assert!(heard.is_err(), "another workshop's event: {heard:?}");
    drop(redis);
}
