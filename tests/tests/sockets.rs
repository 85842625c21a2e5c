//! Open WebSockets obey revocation: a logout, a revoked API token, a removed member, another
//! role, a revoked client key and an expired access token close the affected subscriptions
//! within a second with 4403, also when the socket is on another process (Redis carries the
//! notice), and leave the others open.

use std::time::{Duration, Instant};

use carbot_schema::auth::tokens::JwtKeys;
use carbot_tests::chat::{CONVERSATION_EVENTS, LEAD_EVENTS, Live, SITE};
use carbot_tests::redis::TestRedis;
use carbot_tests::{JWT_SECRET, Owner, TestApp, TestOptions};
use serde_json::json;

/// Waits for the socket's close code (at most `within`).
async fn closed(live: &mut Live, within: Duration) -> u16 {
    let started = Instant::now();
    let code = tokio::time::timeout(within, async {
        loop {
            match live.receive().await {
                Err(code) => return code,
                Ok(message) if message["type"] == "ping" => {
                    live.send(json!({ "type": "pong" })).await;
                }
                Ok(_) => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("still open after {within:?}"));
    assert!(started.elapsed() <= within);
    code
}

/// The socket is still open: a `ping` is answered with `pong`.
async fn open(live: &mut Live) {
    live.send(json!({ "type": "ping" })).await;
    let answer = tokio::time::timeout(Duration::from_secs(5), live.receive())
        .await
        .expect("an answer");
    assert_eq!(
        answer.map(|m| m["type"].clone()),
        Ok(json!("pong")),
        "the socket should be open"
    );
}

async fn leads_socket(url: &str, token: &str) -> Live {
    Live::start(url, Some(token), None, LEAD_EVENTS, json!({}))
        .await
        .unwrap_or_else(|e| panic!("subscribing: {e:?}"))
}

async fn gql_ok(app: &TestApp, owner: &Owner, query: &str, variables: serde_json::Value) {
    let body = app.gql(Some(&owner.access_token), query, variables).await;
    assert!(body["errors"].is_null(), "{body}");
}

const SECOND: Duration = Duration::from_millis(1500);

#[tokio::test(flavor = "multi_thread")]
async fn revocations_close_exactly_the_affected_sockets() {
    let app = TestApp::new().await;
    let owner = app
        .register("owner@sockets.example", "Autohaus Socket")
        .await;
    let staff = app.member(&owner, "staff@sockets.example", "STAFF").await;
    let promoted = app
        .member(&owner, "promoted@sockets.example", "STAFF")
        .await;
    let (token_id, token) = app.api_token(&owner, &["LEADS_READ"]).await;
    let (_, other_token) = app.api_token(&owner, &["LEADS_READ"]).await;
    let (key_id, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;

    let mut owner_socket = leads_socket(&app.url, &owner.access_token).await;
    let mut staff_socket = leads_socket(&app.url, &staff.access_token).await;
    let mut promoted_socket = leads_socket(&app.url, &promoted.access_token).await;
    let mut token_socket = leads_socket(&app.url, &token).await;
    let mut other_token_socket = leads_socket(&app.url, &other_token).await;
    let mut visitor_socket = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id }),
    )
    .await
    .expect("the visitor's subscription");
    for live in [
        &mut owner_socket,
        &mut staff_socket,
        &mut promoted_socket,
        &mut token_socket,
        &mut other_token_socket,
        &mut visitor_socket,
    ] {
        open(live).await;
    }

    // A revoked API token: its socket closes, the other token's stays.
    gql_ok(
        &app,
        &owner,
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { userErrors { code } } }",
        json!({ "id": token_id }),
    )
    .await;
    assert_eq!(closed(&mut token_socket, SECOND).await, 4403);
    open(&mut other_token_socket).await;

    // A removed member, and one given another role.
    gql_ok(
        &app,
        &owner,
        "mutation($id: ID!) { removeMember(input: {userId: $id}) { userErrors { code } } }",
        json!({ "id": staff.user_id }),
    )
    .await;
    assert_eq!(closed(&mut staff_socket, SECOND).await, 4403);
    gql_ok(
        &app,
        &owner,
        "mutation($id: ID!) { updateMemberRole(input: {userId: $id, role: OWNER}) { userErrors { code } } }",
        json!({ "id": promoted.user_id }),
    )
    .await;
    assert_eq!(closed(&mut promoted_socket, SECOND).await, 4403);
    open(&mut owner_socket).await;

    // A revoked client key ends its visitors' sockets.
    gql_ok(
        &app,
        &owner,
        "mutation($id: ID!) { revokeClientKey(input: {id: $id}) { userErrors { code } } }",
        json!({ "id": key_id }),
    )
    .await;
    assert_eq!(closed(&mut visitor_socket, SECOND).await, 4403);
    open(&mut owner_socket).await;

    // Logout ends the session's sockets; the API token's socket lives on.
    gql_ok(&app, &owner, "mutation { logout { ok } }", json!({})).await;
    assert_eq!(closed(&mut owner_socket, SECOND).await, 4403);
    open(&mut other_token_socket).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_access_token_closes_its_socket() {
    let app = TestApp::new().await;
    let owner = app
        .register("expiry@sockets.example", "Autohaus Ablauf")
        .await;
    let keys = JwtKeys::new(JWT_SECRET.as_bytes());
    let claims = keys.verify(&owner.access_token).expect("a valid token");
    // Issued so that it expires two seconds from now.
    let (short, expires_at) = keys.issue(
        claims.sub,
        claims.wid,
        claims.sid,
        chrono::Utc::now() - carbot_schema::auth::tokens::ACCESS_TOKEN_TTL
            + chrono::Duration::seconds(2),
    );
    let mut live = leads_socket(&app.url, &short).await;
    open(&mut live).await;
    assert_eq!(closed(&mut live, Duration::from_secs(4)).await, 4403);
    // The token's `exp` has whole seconds: it ends within the second before `expires_at`.
    assert!(
        chrono::Utc::now() >= expires_at - chrono::Duration::seconds(1),
        "closed before the token expired"
    );
    let mut fresh = leads_socket(&app.url, &owner.access_token).await;
    open(&mut fresh).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_token_reaching_its_expiry_date_closes_its_socket() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::new().await;
    let owner = app
        .register("token-expiry@sockets.example", "Autohaus Frist")
        .await;
    let (_, token) = app.api_token(&owner, &["LEADS_READ"]).await;
    // The token ends two seconds from now (the API refuses dates in the past, not near ones).
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE api_tokens SET expires_at = now() + interval '2 seconds'")
        .execute(&mut conn)
        .await
        .expect("expiry");
    let until = chrono::Utc::now() + chrono::Duration::seconds(2);
    let mut live = leads_socket(&app.url, &token).await;
    open(&mut live).await;
    assert_eq!(closed(&mut live, Duration::from_secs(4)).await, 4403);
    assert!(
        chrono::Utc::now() >= until - chrono::Duration::milliseconds(100),
        "closed before the token expired"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logout_on_one_process_closes_the_socket_on_another() {
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
    let owner = a.register("cross@sockets.example", "Autohaus Zwei").await;
    let mut on_b = leads_socket(&b.url, &owner.access_token).await;
    open(&mut on_b).await;
    gql_ok(&a, &owner, "mutation { logout { ok } }", json!({})).await;
    assert_eq!(closed(&mut on_b, SECOND).await, 4403);
}
