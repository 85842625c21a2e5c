//! The integrator's limits: query-cost budgets (`extensions.cost`, leaky buckets per API token
//! and workshop, refused before execution with `RATE_LIMITED` and `Retry-After`, shared through
//! Redis) and trusted documents (a widget visitor runs only the widget's documents).

use std::time::{Duration, Instant};

use carbot_schema::trusted::TrustedDocuments;
use carbot_tests::chat::{Live, Refused, SITE, persisted};
use carbot_tests::redis::TestRedis;
use carbot_tests::{Owner, TestApp, TestOptions, error_code};
use serde_json::{Value, json};

/// Three full pages of the catalog: about 4,500 points requested, nearly as many actual.
const CATALOG_PAGES: &str =
    "{ a: services(first: 100) { ...Page } b: services(first: 100) { ...Page }
    c: services(first: 100) { ...Page } }
    fragment Page on ServiceConnection { edges { node { id name description durationMinutes active
        price { min { amountCents currency } max { amountCents currency } isFixed } } } }";

/// A POST with the token; returns (status, Retry-After, body).
async fn call(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> (u16, Option<u64>, Value) {
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry_after, response.json().await.expect("json"))
}

fn cost(body: &Value) -> &Value {
    &body["extensions"]["cost"]
}

fn available(body: &Value) -> f64 {
    cost(body)["throttleStatus"]["currentlyAvailable"]
        .as_f64()
        .unwrap_or_else(|| panic!("no throttle status: {body}"))
}

async fn notes(app: &TestApp, owner: &Owner, lead_id: &str) -> usize {
    let body = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Lead { notes { id } } } }",
            json!({ "id": lead_id }),
        )
        .await;
    body["data"]["node"]["notes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .len()
}

#[test]
fn every_budget_fits_the_costliest_valid_operation() {
    let limit = carbot_schema::request_limits::MAX_COMPLEXITY as u32;
    assert!(carbot_schema::budget::CONSOLE.maximum >= limit);
    const { assert!(carbot_schema::budget::TEAM.maximum >= carbot_schema::budget::CONSOLE.maximum) };
    for plan in carbot_schema::plans::PLANS {
        if let Some(size) = plan.limits.api_cost_budget {
            assert!(size.maximum >= limit, "{:?}", plan.code);
            assert!(size.restore_per_second > 0);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tokens_budget_drains_refuses_before_running_and_refills() {
    let app = TestApp::new().await;
    let owner = app.register("budget@werkstatt.de", "Budget GmbH").await;
    let (_, token) = app
        .api_token(&owner, &["CATALOG_READ", "LEADS_READ", "LEADS_WRITE"])
        .await;
    let (key_id, key) = app.client_key(&owner, &[SITE]).await;
    let _ = key_id;
    let visitor = app.visitor(&key, SITE).await;
    let (_, lead) = app.submit_lead(&visitor, json!({})).await;
    let lead_id = lead["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("lead")
        .to_owned();

    // The plan documents the size; every response to the token reports it.
    let plans = app
        .gql(
            None,
            "{ plans { code limits { apiCostBudget { maximumAvailable restoreRate } } } }",
            json!({}),
        )
        .await;
    let enterprise = plans["data"]["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["code"] == "ENTERPRISE")
        .expect("enterprise")["limits"]["apiCostBudget"]
        .clone();
    assert_eq!(
        enterprise,
        json!({ "maximumAvailable": 10000, "restoreRate": 500 })
    );

    let (status, _, first) = call(&app, &token, CATALOG_PAGES, json!({})).await;
    assert_eq!(status, 200, "{first}");
    let requested = cost(&first)["requestedQueryCost"]
        .as_u64()
        .expect("requested");
    let actual = cost(&first)["actualQueryCost"].as_u64().expect("actual");
    assert_eq!(requested, 4_500, "{first}");
    // Three pages of 100 services: each field of each returned service once.
    assert_eq!(actual, 3 * (2 + 100 * 14), "{first}");
    assert_eq!(cost(&first)["throttleStatus"]["maximumAvailable"], 10_000);
    assert_eq!(cost(&first)["throttleStatus"]["restoreRate"], 500);
    let after_first = available(&first);
    assert!(
        after_first <= 10_000.0 - actual as f64 + 500.0 && after_first >= 10_000.0 - actual as f64,
        "{first}"
    );

    // Drain until the catalog query does not fit any more.
    let mut refused = None;
    for _ in 0..6 {
        let (status, retry_after, body) = call(&app, &token, CATALOG_PAGES, json!({})).await;
        if status == 429 {
            refused = Some((retry_after, body));
            break;
        }
        assert_eq!(status, 200, "{body}");
    }
    let (retry_after, body) = refused.expect("the budget ran out");
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    assert!(body.get("data").is_none(), "refused before it ran: {body}");
    let left = available(&body);
    assert!(left < requested as f64, "{body}");
    let retry_after = retry_after.expect("Retry-After");
    let expected = ((requested as f64 - left) / 500.0).ceil() as u64;
    assert!(
        retry_after.abs_diff(expected) <= 1,
        "Retry-After {retry_after}, expected about {expected}: {body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry_after);

    // A mutation that does not fit is refused before anything runs: no note is written.
    let note = "mutation($input: AddLeadNoteInput!) { addLeadNote(input: $input) {
        note { id } userErrors { code }
        lead { conversation {
            a: messages(first: 100) { ...M } b: messages(first: 100) { ...M }
            c: messages(first: 100) { ...M } d: messages(first: 100) { ...M }
            e: messages(first: 100) { ...M } } } } }
        fragment M on MessageConnection { edges { node { id role body createdAt citedServices { id name } } } }";
    let input = json!({ "input": { "leadId": lead_id, "body": "Rückruf vereinbart" } });
    let (status, _, body) = call(&app, &token, note, input.clone()).await;
    assert_eq!(status, 429, "{body}");
    assert!(cost(&body)["requestedQueryCost"].as_u64().expect("cost") >= requested);
    assert_eq!(
        notes(&app, &owner, &lead_id).await,
        0,
        "the refused mutation wrote nothing"
    );

    // The bucket refills at its rate: measured with cheap queries a second apart.
    let (_, _, before) = call(&app, &token, "{ __typename }", json!({})).await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, _, after) = call(&app, &token, "{ __typename }", json!({})).await;
    let elapsed = started.elapsed().as_secs_f64();
    let gained = available(&after) - available(&before);
    assert!(
        gained >= 500.0 * (elapsed - 0.5) && gained <= 500.0 * (elapsed + 0.5) + 2.0,
        "gained {gained} in {elapsed:.2} s"
    );

    // Once Retry-After has passed, the same mutation runs.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let (status, _, body) = call(&app, &token, note, input).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["addLeadNote"]["userErrors"],
        json!([]),
        "{body}"
    );
    assert_eq!(notes(&app, &owner, &lead_id).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_have_their_own_budget_and_visitors_none() {
    let app = TestApp::new().await;
    let owner = app.register("konsole@werkstatt.de", "Konsole GmbH").await;
    let body = app
        .gql(Some(&owner.access_token), "{ viewer { email } }", json!({}))
        .await;
    let throttle = &cost(&body)["throttleStatus"];
    assert_eq!(throttle["maximumAvailable"], 100_000, "{body}");
    assert_eq!(throttle["restoreRate"], 5_000, "{body}");
    assert!(cost(&body)["requestedQueryCost"].as_u64().expect("cost") >= 2);

    // A token's draws do not touch the owner's budget, and the owner's not the token's.
    let (_, token) = app.api_token(&owner, &["CATALOG_READ"]).await;
    let (_, _, drawn) = call(&app, &token, CATALOG_PAGES, json!({})).await;
    assert!(available(&drawn) < 6_000.0, "{drawn}");
    let body = app
        .gql(Some(&owner.access_token), CATALOG_PAGES, json!({}))
        .await;
    assert!(available(&body) > 90_000.0, "{body}");

    // Widget visitors and anonymous callers keep their own per-action limits: no bucket, and
    // their responses stay as small as they were.
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let (status, body) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("extensions").is_none(), "{body}");
    let anonymous = app.gql(None, "{ plans { code } }", json!({})).await;
    assert!(anonymous.get("extensions").is_none(), "{anonymous}");
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_on_one_redis_share_a_tokens_budget() {
    let redis = TestRedis::start();
    let first = TestApp::with(TestOptions {
        redis_url: Some(redis.url.clone()),
        ..Default::default()
    })
    .await;
    let second = TestApp::with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_url: Some(redis.url.clone()),
        ..Default::default()
    })
    .await;
    let owner = first.register("geteilt@werkstatt.de", "Geteilt GmbH").await;
    let (_, token) = first.api_token(&owner, &["CATALOG_READ"]).await;
    let (_, _, body) = call(&first, &token, CATALOG_PAGES, json!({})).await;
    let actual = cost(&body)["actualQueryCost"].as_f64().expect("actual");
    let (_, _, body) = call(&second, &token, "{ __typename }", json!({})).await;
    let seen = available(&body);
    assert!(
        seen < 10_000.0 - actual + 1_000.0,
        "the second process sees the first one's draw: {body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_runs_only_the_widgets_documents() {
    let app = TestApp::with(TestOptions {
        trusted_documents_only: true,
        ..Default::default()
    })
    .await;
    let owner = app.register("vertraut@werkstatt.de", "Vertraut GmbH").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let documents = TrustedDocuments::widget();
    // The widget's own documents, by hash.
    let (status, body) = app
        .post_document(
            SITE,
            None,
            "StartConversation",
            json!({ "input": { "clientKey": key, "pageUrl": format!("{SITE}/") } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let started = &body["data"]["startConversation"];
    let token = started["visitorToken"].as_str().expect("token").to_owned();
    let conversation = started["conversation"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = app
        .post_document(
            SITE,
            Some(&token),
            "SendMessage",
            json!({ "input": { "conversationId": conversation, "body": "Was kostet ein Ölwechsel?" } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["data"]["sendMessage"]["reply"]["body"].is_string(),
        "{body}"
    );

    // The same text sent as `query` is the same document.
    let text = documents
        .documents
        .iter()
        .find(|d| d.name == "SendMessage")
        .expect("SendMessage")
        .text
        .to_string();
    let as_text = json!({ "query": text,
        "variables": { "input": { "conversationId": conversation, "body": "Und Bremsen?" } } });
    let (status, body) = app.post_body_from(SITE, Some(&token), &as_text).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");

    // Anything else is refused: an arbitrary document, an unknown hash, a hash with another text.
    let arbitrary = json!({ "query": "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }",
        "variables": { "input": { "conversationId": conversation, "body": "Hallo" } } });
    let (status, body) = app.post_body_from(SITE, Some(&token), &arbitrary).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let (status, body) = app
        .post_body_from(SITE, Some(&token), &json!({ "query": "{ __typename }" }))
        .await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{body}");
    let unknown = json!({ "variables": {}, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } } });
    let (status, body) = app.post_body_from(SITE, Some(&token), &unknown).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    let mut mismatched = persisted("Download", json!({ "id": conversation }));
    mismatched["query"] = json!("{ __typename }");
    let (status, body) = app.post_body_from(SITE, Some(&token), &mismatched).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");

    // Anonymous callers reach the widget's fields only through its documents; the accounts'
    // front door stays open to any document.
    let direct = json!({
        "query": "query($k: String!) { widgetConfig(clientKey: $k) { workshopName } }",
        "variables": { "k": key },
    });
    let (status, body) = app.post_body_from(SITE, None, &direct).await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{body}");
    let hidden = json!({
        "query": "query($k: String!) { ...W } fragment W on Query { widgetConfig(clientKey: $k) { workshopName } }",
        "variables": { "k": key },
    });
    let (status, body) = app.post_body_from(SITE, None, &hidden).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "FORBIDDEN"),
        "behind a fragment: {body}"
    );
    let (status, body) = app
        .post_body_from(SITE, None, &json!({ "query": "{ plans { code } }" }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["plans"][0]["code"], "BASIC");

    // Subscriptions too: the widget's by hash, nothing else.
    let persisted_events = persisted(
        "ConversationEvents",
        json!({ "id": conversation, "after": "0" }),
    );
    let mut live = Live::start_payload(&app.url, Some(&token), Some(SITE), persisted_events)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let first = live.next_data().await;
    assert!(first["conversationEvents"]["kind"].is_string(), "{first}");
    let arbitrary = json!({ "query": "subscription($id: ID!) { conversationEvents(conversationId: $id) { kind } }",
        "variables": { "id": conversation } });
    match Live::start_payload(&app.url, Some(&token), Some(SITE), arbitrary).await {
        Ok(mut live) => {
            // graphql-transport-ws: a refused operation is a `next` with errors (then
            // `complete`), or an `error` message.
            let message = live.receive().await.expect("an answer");
            let errors = match message["type"].as_str() {
                Some("next") => &message["payload"]["errors"],
                Some("error") => &message["payload"],
                _ => panic!("unexpected: {message}"),
            };
            assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{message}");
            assert!(message["payload"]["data"].is_null(), "{message}");
        }
        Err(Refused::Error(message)) => panic!("connection refused: {message}"),
        Err(Refused::Closed(code)) => panic!("closed: {code}"),
    }
}
