//! Webhooks as an integrator meets them: a real receiving server (Node, verifying every delivery
//! with the `standardwebhooks` package, independent of CarBot's signing) gets one signed
//! delivery per lead; a failing receiver gets the same `webhook-id` again on the specification's
//! schedule (the clock advanced by moving the due time in the database); 410 switches the
//! endpoint off and e-mails the owner; a rotated secret signs beside the old one; the delivery
//! log and redelivery; internal addresses, plans, roles and scopes refused.

use std::process::Stdio;
use std::time::Duration;

use carbot_tests::chat::SITE;
use carbot_tests::{Owner, TestApp, error_code, workspace_dir};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The Node receiver, stopped when dropped.
struct Receiver {
    url: String,
    client: reqwest::Client,
    _child: tokio::process::Child,
}

impl Receiver {
    async fn start() -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(
                workspace_dir()
                    .join("tests")
                    .join("browser")
                    .join("webhook-receiver.mjs"),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("running node (./dev test installs it and the standardwebhooks package)");
        let stdout = child.stdout.take().expect("stdout");
        let line = BufReader::new(stdout)
            .lines()
            .next_line()
            .await
            .expect("reading the receiver")
            .expect("the receiver's port");
        let port = serde_json::from_str::<Value>(&line).expect("JSON")["port"]
            .as_u64()
            .expect("a port");
        Self {
            url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            _child: child,
        }
    }

    async fn route(&self, path: &str, secrets: &[&str], statuses: &[u16]) {
        self.client
            .post(format!("{}/_control", self.url))
            .json(&json!({ "path": path, "secrets": secrets, "statuses": statuses }))
            .send()
            .await
            .expect("configuring the receiver");
    }

    async fn log(&self, path: &str) -> Vec<Value> {
        let all: Vec<Value> = self
            .client
            .get(format!("{}/_log", self.url))
            .send()
            .await
            .expect("the receiver's log")
            .json()
            .await
            .expect("JSON");
        all.into_iter().filter(|d| d["path"] == path).collect()
    }

    /// Waits until `path` got `count` deliveries (at most 20 s).
    async fn wait_for(&self, path: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let got = self.log(path).await;
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{path} got {:?}, not {count} deliveries",
            self.log(path).await
        );
    }
}

const ENDPOINT_FIELDS: &str = "id url eventTypes active disabledReason description";

async fn create_endpoint(
    app: &TestApp,
    token: &str,
    url: &str,
    types: &[&str],
) -> (Value, Option<String>) {
    let body = app
        .gql(
            Some(token),
            &format!(
                "mutation($input: CreateWebhookEndpointInput!) {{ createWebhookEndpoint(input: $input) {{
                    endpoint {{ {ENDPOINT_FIELDS} }} secret userErrors {{ field code message }} }} }}"
            ),
            json!({ "input": { "url": url, "eventTypes": types, "description": "Werkstattsoftware" } }),
        )
        .await;
    let payload = body["data"]["createWebhookEndpoint"].clone();
    let secret = payload["secret"].as_str().map(str::to_owned);
    (if payload.is_null() { body } else { payload }, secret)
}

async fn deliveries(app: &TestApp, owner: &Owner, endpoint: &str) -> Vec<Value> {
    let body = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) { totalCount edges { node {
                id messageId eventId eventType status attempts nextAttemptAt lastAttemptAt
                responseStatus responseBody durationMs error payload redeliveryOf } } } }",
            json!({ "id": endpoint }),
        )
        .await;
    body["data"]["webhookDeliveries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.db().await;
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

/// Makes the delivery's next attempt due now (the test clock).
async fn advance(app: &TestApp, message_id: &str) {
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE message_id = $1 AND status = 'PENDING'",
    )
    .bind::<diesel::sql_types::Text, _>(message_id)
    .execute(&mut conn)
    .await
    .expect("advancing the clock");
}

fn seconds_between(later: &Value, earlier: &Value) -> i64 {
    let at = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a time: {v}")))
            .expect("RFC 3339")
    };
    (at(later) - at(earlier)).num_seconds()
}

/// The workshop's one endpoint once the platform switched it off (at most 5 s):
/// `{active, disabledReason}`.
async fn switched_off(app: &TestApp, owner: &Owner) -> Value {
    let mut state = Value::Null;
    for _ in 0..50 {
        let body = app
            .gql(
                Some(&owner.access_token),
                "{ webhookEndpoints { active disabledReason } }",
                json!({}),
            )
            .await;
        state = body["data"]["webhookEndpoints"][0].clone();
        if state["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    state
}

async fn send_test(app: &TestApp, owner: &Owner, endpoint: &str) -> Value {
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { sendTestWebhook(input: {id: $id}) {
                delivery { id messageId status } userErrors { code } } }",
            json!({ "id": endpoint }),
        )
        .await;
    let payload = &body["data"]["sendTestWebhook"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    payload["delivery"].clone()
}

#[tokio::test]
async fn a_lead_reaches_the_receiver_signed_once_and_the_log_shows_it() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@webhooks.example", "Autohaus Webhook")
        .await;
    app.subscribe(&owner, "ENTERPRISE").await;
    let receiver = Receiver::start().await;
    let (created, secret) = create_endpoint(
        &app,
        &owner.access_token,
        &format!("{}/leads", receiver.url),
        &["lead.created", "lead.updated"],
    )
    .await;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    let secret = secret.expect("the secret, once");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let endpoint = created["endpoint"]["id"].as_str().expect("id").to_owned();
    assert_eq!(created["endpoint"]["active"], true);
    assert_eq!(
        created["endpoint"]["eventTypes"],
        json!(["lead.created", "lead.updated"])
    );
    // The list never shows the secret again.
    let listed = app
        .gql(
            Some(&owner.access_token),
            "{ webhookEndpoints { id url } webhookEventTypes }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["webhookEndpoints"][0]["id"],
        endpoint.as_str()
    );
    assert!(!listed.to_string().contains(&secret));
    assert!(
        listed["data"]["webhookEventTypes"]
            .as_array()
            .expect("types")
            .contains(&json!("conversation.started"))
    );
    receiver.route("/leads", &[&secret], &[]).await;

    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let (_, lead) = app.submit_lead(&visitor, json!({})).await;
    let lead_id = lead["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{lead}"))
        .to_owned();

    let got = receiver.wait_for("/leads", 1).await;
    let delivery = &got[0];
    assert_eq!(delivery["verifiedWith"], json!([0]), "{delivery}");
    assert_eq!(delivery["method"], "POST");
    assert_eq!(delivery["contentType"], "application/json");
    let body: Value = serde_json::from_str(delivery["body"].as_str().expect("body")).expect("JSON");
    assert_eq!(body["type"], "lead.created");
    assert_eq!(body["data"]["leadId"], lead_id.as_str());
    assert_eq!(
        body["data"]["conversationId"],
        visitor.conversation_id.as_str()
    );
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    // Ids only: the lead's name and phone are not in the message.
    assert!(!delivery["body"].to_string().contains("Mustermann"));
    let message_id = delivery["id"].as_str().expect("webhook-id").to_owned();
    assert!(message_id.starts_with("msg_"), "{message_id}");

    // Exactly one, also a moment later; the conversation's own events were not asked for.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.log("/leads").await.len(), 1);
    let log = deliveries(&app, &owner, &endpoint).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["status"], "SUCCEEDED");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["responseStatus"], 200);
    assert_eq!(log[0]["responseBody"], "ok");
    assert_eq!(log[0]["eventType"], "lead.created");
    assert_eq!(log[0]["messageId"], message_id.as_str());
    assert_eq!(log[0]["payload"], delivery["body"]);
    assert_eq!(log[0]["nextAttemptAt"], Value::Null);
    assert!(log[0]["durationMs"].as_i64().is_some());

    // Redelivery: a new delivery with the same id and body.
    let redelivered = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) {
                delivery { id messageId redeliveryOf } userErrors { code } } }",
            json!({ "id": log[0]["id"] }),
        )
        .await;
    let again = &redelivered["data"]["redeliverWebhook"]["delivery"];
    assert_eq!(again["messageId"], message_id.as_str(), "{redelivered}");
    assert_eq!(again["redeliveryOf"], log[0]["id"]);
    let got = receiver.wait_for("/leads", 2).await;
    assert_eq!(got[1]["id"], message_id.as_str());
    assert_eq!(got[1]["body"], got[0]["body"]);
    assert_eq!(got[1]["verifiedWith"], json!([0]));

    // A secret roll: the new and the old secret both verify for the day of the roll.
    let rotated = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) {
                endpoint { previousSecretExpiresAt } secret userErrors { code } } }",
            json!({ "id": endpoint }),
        )
        .await;
    let new_secret = rotated["data"]["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{rotated}"))
        .to_owned();
    assert_ne!(new_secret, secret);
    let until = &rotated["data"]["rotateWebhookSecret"]["endpoint"]["previousSecretExpiresAt"];
    let hours = seconds_between(until, &json!(chrono::Utc::now().to_rfc3339())) / 3600;
    assert!((23..=24).contains(&hours), "{rotated}");
    receiver
        .route(
            "/leads",
            &[
                &new_secret,
                &secret,
                "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ],
            &[],
        )
        .await;
    send_test(&app, &owner, &endpoint).await;
    let got = receiver.wait_for("/leads", 3).await;
    assert_eq!(got[2]["type"], "webhook.test");
    assert_eq!(got[2]["verifiedWith"], json!([0, 1]), "{}", got[2]);
    assert_eq!(
        got[2]["signature"]
            .as_str()
            .expect("signature")
            .split(' ')
            .count(),
        2
    );
    // Once the roll is over only the new secret signs.
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second'",
    )
    .execute(&mut conn)
    .await
    .expect("ending the roll");
    send_test(&app, &owner, &endpoint).await;
    let got = receiver.wait_for("/leads", 4).await;
    assert_eq!(got[3]["verifiedWith"], json!([0]), "{}", got[3]);

    // Deleting the endpoint stops it: the next lead is not delivered and the log is gone.
    let deleted = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { deletedId userErrors { code } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteWebhookEndpoint"]["deletedId"],
        endpoint.as_str()
    );
    let visitor = app.visitor(&key, SITE).await;
    app.submit_lead(&visitor, json!({})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.log("/leads").await.len(), 4);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM webhook_deliveries").await,
        0
    );
}

#[tokio::test]
async fn failures_retry_on_schedule_with_the_same_id_and_410_switches_off() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@retries.example", "Autohaus Retry")
        .await;
    app.subscribe(&owner, "ENTERPRISE").await;
    let receiver = Receiver::start().await;
    let (created, secret) = create_endpoint(
        &app,
        &owner.access_token,
        &format!("{}/flaky", receiver.url),
        &["conversation.started"],
    )
    .await;
    let secret = secret.unwrap_or_else(|| panic!("{created}"));
    let endpoint = created["endpoint"]["id"].as_str().expect("id").to_owned();
    receiver.route("/flaky", &[&secret], &[500, 503, 200]).await;

    let (_, key) = app.client_key(&owner, &[SITE]).await;
    app.visitor(&key, SITE).await;
    let got = receiver.wait_for("/flaky", 1).await;
    let message_id = got[0]["id"].as_str().expect("id").to_owned();
    let log = deliveries(&app, &owner, &endpoint).await;
    assert_eq!(log[0]["status"], "PENDING", "{log:?}");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["responseStatus"], 500);
    assert_eq!(log[0]["responseBody"], "nicht jetzt");
    let wait = seconds_between(&log[0]["nextAttemptAt"], &log[0]["lastAttemptAt"]);
    assert!(
        (4..=6).contains(&wait),
        "the second attempt 5 s later: {wait}"
    );

    // The second attempt comes by itself after 5 s.
    let got = receiver.wait_for("/flaky", 2).await;
    assert_eq!(got[1]["id"], message_id.as_str());
    let log = deliveries(&app, &owner, &endpoint).await;
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["responseStatus"], 503);
    let wait = seconds_between(&log[0]["nextAttemptAt"], &log[0]["lastAttemptAt"]);
    assert!(
        (299..=301).contains(&wait),
        "the third attempt 5 min later: {wait}"
    );
    // Five minutes pass.
    advance(&app, &message_id).await;
    let got = receiver.wait_for("/flaky", 3).await;
    assert_eq!(got[2]["id"], message_id.as_str());
    assert!(
        got.iter().all(|d| d["verifiedWith"] == json!([0])),
        "{got:?}"
    );
    assert!(got.iter().all(|d| d["body"] == got[0]["body"]));
    let log = deliveries(&app, &owner, &endpoint).await;
    assert_eq!(log[0]["status"], "SUCCEEDED", "{log:?}");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["nextAttemptAt"], Value::Null);
    let failing = app
        .gql(
            Some(&owner.access_token),
            "{ webhookEndpoints { failingSince } }",
            json!({}),
        )
        .await;
    assert_eq!(
        failing["data"]["webhookEndpoints"][0]["failingSince"],
        Value::Null,
        "a success ends the failing streak"
    );

    // A receiver that is gone: the endpoint is switched off at once and the owner told.
    receiver.route("/flaky", &[&secret], &[410]).await;
    send_test(&app, &owner, &endpoint).await;
    receiver.wait_for("/flaky", 4).await;
    let off = switched_off(&app, &owner).await;
    assert_eq!(off, json!({ "active": false, "disabledReason": "GONE" }));
    let failed = deliveries(&app, &owner, &endpoint)
        .await
        .into_iter()
        .find(|d| d["eventType"] == "webhook.test")
        .expect("the test delivery");
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["attempts"], 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox WHERE kind = 'WEBHOOK_DISABLED' AND recipient = 'owner@retries.example'"
        )
        .await,
        1
    );
    // While it is off, nothing is queued for it; switched on, it gets the next events.
    receiver.route("/flaky", &[&secret], &[200]).await;
    app.visitor(&key, SITE).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.log("/flaky").await.len(), 4);
    let on = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, active: true}) {
                endpoint { active disabledReason } userErrors { code } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(
        on["data"]["updateWebhookEndpoint"]["endpoint"],
        json!({ "active": true, "disabledReason": null }),
        "{on}"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        receiver.log("/flaky").await.len(),
        4,
        "the event of the time it was off was not queued"
    );
    app.visitor(&key, SITE).await;
    let got = receiver.wait_for("/flaky", 5).await;
    assert_eq!(got[4]["type"], "conversation.started");
    assert_eq!(got[4]["verifiedWith"], json!([0]));
}

#[tokio::test]
async fn internal_addresses_plans_roles_and_scopes_are_refused() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@refused.example", "Autohaus Refused")
        .await;
    // Premium has no webhooks.
    app.subscribe(&owner, "PREMIUM").await;
    let (refused, _) = create_endpoint(
        &app,
        &owner.access_token,
        "http://127.0.0.1:9/hook",
        &["lead.created"],
    )
    .await;
    assert_eq!(error_code(&refused), "PLAN_LIMIT_REACHED", "{refused}");
    app.subscribe(&owner, "ENTERPRISE").await;

    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://192.168.178.1/hook",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:10.0.0.1]/",
        "ftp://example.com/hook",
        "https://user:secret@example.com/hook",
    ] {
        let (payload, secret) =
            create_endpoint(&app, &owner.access_token, url, &["lead.created"]).await;
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "url"]),
            "{url}: {payload}"
        );
        assert_eq!(
            payload["userErrors"][0]["code"], "INVALID",
            "{url}: {payload}"
        );
        assert!(secret.is_none() && payload["endpoint"].is_null());
    }
    let (payload, _) = create_endpoint(
        &app,
        &owner.access_token,
        "http://127.0.0.1:9/",
        &["lead.deleted"],
    )
    .await;
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["input", "eventTypes"]),
        "{payload}"
    );
    let (payload, _) = create_endpoint(&app, &owner.access_token, "http://127.0.0.1:9/", &[]).await;
    assert_eq!(payload["userErrors"][0]["code"], "REQUIRED", "{payload}");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM webhook_endpoints").await,
        0
    );

    // Staff may not; a token needs WEBHOOKS_MANAGE.
    let staff = app.member(&owner, "staff@refused.example", "STAFF").await;
    let (refused, _) = create_endpoint(
        &app,
        &staff.access_token,
        "http://127.0.0.1:9/",
        &["lead.created"],
    )
    .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let listed = app
        .gql(
            Some(&staff.access_token),
            "{ webhookEndpoints { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&listed), "FORBIDDEN", "{listed}");
    let (_, reader) = app.api_token(&owner, &["LEADS_READ"]).await;
    let (refused, _) =
        create_endpoint(&app, &reader, "http://127.0.0.1:9/", &["lead.created"]).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let (_, manager) = app.api_token(&owner, &["WEBHOOKS_MANAGE"]).await;
    let (created, secret) =
        create_endpoint(&app, &manager, "http://127.0.0.1:9/", &["lead.created"]).await;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    assert!(secret.is_some());

    // Another workshop sees none of it.
    let other = app
        .register("other@refused.example", "Autohaus Anders")
        .await;
    app.subscribe(&other, "ENTERPRISE").await;
    let theirs = app
        .gql(
            Some(&other.access_token),
            "{ webhookEndpoints { id } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs["data"]["webhookEndpoints"], json!([]), "{theirs}");
    let endpoint = created["endpoint"]["id"].clone();
    let foreign = app
        .gql(
            Some(&other.access_token),
            "mutation($id: ID!) { sendTestWebhook(input: {id: $id}) { userErrors { code } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(
        foreign["data"]["sendTestWebhook"]["userErrors"][0]["code"], "NOT_FOUND",
        "{foreign}"
    );
}

const EVENTS: &str = "query($after: String, $first: Int, $types: [String!]) {
    events(after: $after, first: $first, types: $types) {
        edges { cursor node { id type timestamp data } } pageInfo { hasNextPage endCursor } } }";

/// Every event after `after`, page by page (`first` each); returns them and the last cursor.
async fn replay_all(
    app: &TestApp,
    token: &str,
    after: Option<String>,
    first: i64,
) -> (Vec<Value>, Option<String>) {
    let (mut events, mut cursor) = (Vec::new(), after);
    loop {
        let body = app
            .gql(
                Some(token),
                EVENTS,
                json!({ "after": cursor, "first": first }),
            )
            .await;
        let page = &body["data"]["events"];
        let edges = page["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        events.extend(edges.iter().map(|e| e["node"].clone()));
        cursor = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        if page["pageInfo"]["hasNextPage"] != true {
            return (events, cursor);
        }
    }
}

#[tokio::test]
async fn events_replay_what_webhooks_sent_in_commit_order_without_skipping_a_late_commit() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@replay.example", "Autohaus Replay")
        .await;
    app.subscribe(&owner, "ENTERPRISE").await;
    let receiver = Receiver::start().await;
    let every: Vec<&str> = vec![
        "conversation.started",
        "message.created",
        "conversation.taken_over",
        "conversation.released",
        "lead.created",
        "lead.updated",
    ];
    let (created, secret) = create_endpoint(
        &app,
        &owner.access_token,
        &format!("{}/all", receiver.url),
        &every,
    )
    .await;
    receiver
        .route(
            "/all",
            &[&secret.unwrap_or_else(|| panic!("{created}"))],
            &[],
        )
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    app.submit_lead(&visitor, json!({})).await;
    // conversation.started, two messages (question and answer), lead.created.
    receiver.wait_for("/all", 4).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let sent = receiver.log("/all").await;

    let (_, reader) = app.api_token(&owner, &["LEADS_READ"]).await;
    // A transaction of another test on the cluster may hold the newest events back a moment.
    let (mut replayed, mut cursor) = (Vec::new(), None);
    for _ in 0..50 {
        (replayed, cursor) = replay_all(&app, &reader, None, 2).await;
        if replayed.len() >= sent.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(replayed.len(), sent.len(), "{replayed:?}");
    let mut ids = Vec::new();
    for event in &replayed {
        // Deliveries of one round go out side by side: matched by their webhook-id.
        let message_id = format!("msg_{}", event["id"].as_str().expect("id"));
        let delivered = sent
            .iter()
            .find(|d| d["id"] == message_id.as_str())
            .unwrap_or_else(|| panic!("no webhook for {event}"));
        let body: Value =
            serde_json::from_str(delivered["body"].as_str().expect("body")).expect("JSON");
        assert_eq!(event["type"], body["type"], "{event} / {body}");
        assert_eq!(event["data"], body["data"]);
        assert_eq!(
            seconds_between(&event["timestamp"], &body["timestamp"]),
            0,
            "{event} / {body}"
        );
        ids.push(
            event["id"]
                .as_str()
                .expect("id")
                .parse::<i64>()
                .expect("number"),
        );
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    let types: Vec<&str> = replayed.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types[0], "conversation.started");
    assert_eq!(types.last(), Some(&"lead.created"));
    let leads_only = app
        .gql(Some(&reader), EVENTS, json!({ "types": ["lead.created"] }))
        .await;
    assert_eq!(
        leads_only["data"]["events"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{leads_only}"
    );
    let unknown = app
        .gql(Some(&reader), EVENTS, json!({ "types": ["lead.deleted"] }))
        .await;
    assert_eq!(error_code(&unknown), "BAD_REQUEST", "{unknown}");

    // A writer takes an event id now and commits late; meanwhile others commit events with
    // higher ids. Nothing behind the cursor: the later events wait for the late one.
    let w = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
        }
        let mut conn = app.db().await;
        diesel::sql_query(
            "SELECT m.workshop_id::text AS id FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = 'owner@replay.example'",
        )
        .get_result::<Id>(&mut conn)
        .await
        .expect("the workshop")
        .id
    };
    let mut slow = app.db().await;
    use diesel_async::SimpleAsyncConnection;
    slow.batch_execute(&format!(
        "BEGIN; INSERT INTO events (workshop_id, kind, payload)
         VALUES ('{w}', 'CONVERSATION_STARTED', '{{\"conversationId\": \"00000000-0000-0000-0000-000000000077\"}}')"
    ))
    .await
    .expect("the slow writer");
    app.visitor(&key, SITE).await;
    receiver.wait_for("/all", sent.len() + 1).await;
    let (waiting, same_cursor) = replay_all(&app, &reader, cursor.clone(), 10).await;
    assert_eq!(
        waiting,
        Vec::<Value>::new(),
        "held back while an older writer runs"
    );
    assert_eq!(same_cursor, cursor);
    slow.batch_execute("COMMIT").await.expect("committing late");
    let mut late = Vec::new();
    for _ in 0..50 {
        (late, _) = replay_all(&app, &reader, cursor.clone(), 10).await;
        if late.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(late.len(), 2, "{late:?}");
    let late_ids: Vec<i64> = late
        .iter()
        .map(|e| e["id"].as_str().expect("id").parse().expect("number"))
        .collect();
    assert!(
        late_ids[0] < late_ids[1],
        "the late commit has the lower id and comes first: {late_ids:?}"
    );
    assert_eq!(
        late[0]["data"]["conversationId"],
        carbot_schema::ids::encode(
            carbot_schema::ids::NodeType::Conversation,
            "00000000-0000-0000-0000-000000000077"
                .parse()
                .expect("uuid")
        )
        .0
    );
    // Visitors and scopes without leads get nothing.
    let (_, catalog) = app.api_token(&owner, &["CATALOG_READ"]).await;
    let refused = app.gql(Some(&catalog), EVENTS, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let (_, refused) = app
        .post_from(&visitor.origin, Some(&visitor.token), EVENTS, json!({}))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert!(refused["data"].is_null(), "{refused}");
}

#[tokio::test]
async fn an_endpoint_failing_for_five_days_is_switched_off_and_its_delivery_waits() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@failing.example", "Autohaus Failing")
        .await;
    app.subscribe(&owner, "ENTERPRISE").await;
    let receiver = Receiver::start().await;
    let (created, secret) = create_endpoint(
        &app,
        &owner.access_token,
        &format!("{}/down", receiver.url),
        &["lead.created"],
    )
    .await;
    let secret = secret.unwrap_or_else(|| panic!("{created}"));
    let endpoint = created["endpoint"]["id"].as_str().expect("id").to_owned();
    receiver.route("/down", &[&secret], &[500]).await;
    // Failing since five days and a minute: the next failure switches it off.
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute'",
    )
    .execute(&mut conn)
    .await
    .expect("the failing streak");
    send_test(&app, &owner, &endpoint).await;
    receiver.wait_for("/down", 1).await;
    let off = switched_off(&app, &owner).await;
    assert_eq!(off, json!({ "active": false, "disabledReason": "FAILING" }));
    // The delivery is not given up: it waits for the endpoint to be switched on.
    let log = deliveries(&app, &owner, &endpoint).await;
    assert_eq!(log[0]["status"], "PENDING", "{log:?}");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox WHERE kind = 'WEBHOOK_DISABLED' AND recipient = 'owner@failing.example'"
        )
        .await,
        1
    );
    // Not sent again while off, even when due.
    advance(&app, log[0]["messageId"].as_str().expect("id")).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.log("/down").await.len(), 1);
}
