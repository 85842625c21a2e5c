//! GraphQL over WebSocket (`graphql-transport-ws`) on `/graphql`.

use std::time::Duration;

use carbot_tests::TestApp;
use carbot_tests::serde_json::{Value, json};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp) -> Socket {
    let mut request = app
        .graphql_url()
        .replace("http://", "ws://")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next protocol message, or the close frame's code.
async fn receive(socket: &mut Socket) -> Result<Value, u16> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .expect("an answer in time");
        match message {
            Some(Ok(Message::Text(text))) => {
                return Ok(carbot_tests::serde_json::from_str(&text).expect("json"));
            }
            Some(Ok(Message::Close(frame))) => return Err(frame.map_or(0, |f| u16::from(f.code))),
            Some(Ok(_)) => continue,
            other => panic!("connection ended without a close frame: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_run_over_the_socket_with_the_token_from_connection_init() {
    let app = TestApp::new().await;
    let owner = app.register("ws@autohaus-nord.de", "Autohaus Nord").await;
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", owner.access_token) } })).await;
    assert_eq!(
        receive(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ viewer { email } }" } }),
    )
    .await;
    let next = receive(&mut socket).await.expect("next");
    assert_eq!(next["type"], "next");
    assert_eq!(next["payload"]["data"]["viewer"]["email"], owner.email);
    assert_eq!(
        receive(&mut socket).await.expect("complete"),
        json!({ "id": "1", "type": "complete" })
    );

    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await.expect("pong")["type"], "pong");
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_sockets_get_no_introspection() {
    let app = TestApp::new().await;
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(
        receive(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(&mut socket, json!({ "id": "i", "type": "subscribe", "payload": { "query": "{ __schema { types { name } } }" } })).await;
    let answer = receive(&mut socket).await.expect("answer");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_in_connection_init_closes_with_4403() {
    let app = TestApp::new().await;
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged.token.here" } })).await;
    assert_eq!(receive(&mut socket).await, Err(4403));
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribing_before_connection_init_closes_with_4401() {
    let app = TestApp::new().await;
    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ plans { code } }" } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await, Err(4401));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_without_init_closes_with_4408() {
    let app = TestApp::new().await;
    let mut socket = connect(&app).await;
    assert_eq!(receive(&mut socket).await, Err(4408));
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_sends_a_close_frame() {
    let mut app = TestApp::new().await;
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(
        receive(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let (closed, ()) = tokio::join!(receive(&mut socket), app.shut_down());
    assert_eq!(closed, Err(u16::from(CloseCode::Away)));
}

#[tokio::test(flavor = "multi_thread")]
async fn sockets_without_the_protocol_are_refused() {
    let app = TestApp::new().await;
    let request = app
        .graphql_url()
        .replace("http://", "ws://")
        .into_client_request()
        .expect("request");
    let refused = tokio_tungstenite::connect_async(request).await;
    assert!(refused.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_connection_init_closes_with_4429() {
    let app = TestApp::new().await;
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(
        receive(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await, Err(4429));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_operation_id_used_again_closes_with_4409() {
    let app = TestApp::new().await;
    let owner = app
        .register("ws-ids@autohaus-nord.de", "Autohaus Nord")
        .await;
    let mut socket = connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", owner.access_token) } });
    send(&mut socket, init).await;
    assert_eq!(
        receive(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let subscribe = json!({ "id": "leads", "type": "subscribe", "payload": { "query": "subscription { leadEvents { kind } }" } });
    send(&mut socket, subscribe.clone()).await;
    // A finished operation's id may be used again; a running one may not.
    send(
        &mut socket,
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ plans { code } }" } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await.expect("next")["type"], "next");
    assert_eq!(
        receive(&mut socket).await.expect("complete")["type"],
        "complete"
    );
    send(
        &mut socket,
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ plans { code } }" } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await.expect("next")["type"], "next");
    assert_eq!(
        receive(&mut socket).await.expect("complete")["type"],
        "complete"
    );
    send(&mut socket, subscribe).await;
    assert_eq!(receive(&mut socket).await, Err(4409));
}

/// `carbot_shared_subscriptions` as `/metrics` shows it (no other test of this file scrapes).
async fn shared_subscriptions(app: &TestApp) -> f64 {
    let metrics = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("carbot_shared_subscriptions "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("the gauge is on /metrics: {metrics}"))
}

async fn eventually_shared(app: &TestApp, wanted: f64) {
    for _ in 0..100 {
        if shared_subscriptions(app).await == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "carbot_shared_subscriptions stayed {} instead of {wanted}",
        shared_subscriptions(app).await
    );
}

fn body(data: &Value) -> Option<&str> {
    data["conversationEvents"]["message"]["body"].as_str()
}

fn bodies(events: &[Value]) -> Vec<String> {
    events.iter().filter_map(body).map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sockets_asking_the_same_thing_share_one_subscription() {
    use carbot_tests::chat::{CONVERSATION_EVENTS, Live, SITE};
    let app = TestApp::new().await;
    let owner = app.register("geteilt@werkstatt.de", "Geteilt GmbH").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let id = visitor.conversation_id.clone();
    let taken = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) { userErrors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        taken["data"]["takeOverConversation"]["userErrors"],
        json!([]),
        "{taken}"
    );
    let send = |body: String| {
        app.gql(
            Some(&owner.access_token),
            "mutation($id: ID!, $body: String!) { sendOwnerMessage(input: { conversationId: $id, body: $body }) { userErrors { code } } }",
            json!({ "id": id, "body": body }),
        )
    };
    let start = |variables: Value| {
        Live::start(
            &app.url,
            Some(&owner.access_token),
            None,
            CONVERSATION_EVENTS,
            variables,
        )
    };
    let mut first = start(json!({ "id": id })).await.expect("subscribed");
    let mut second = start(json!({ "id": id })).await.expect("subscribed");
    // One that replays the conversation runs on its own.
    let mut replaying = start(json!({ "id": id, "after": "0" }))
        .await
        .expect("subscribed");
    eventually_shared(&app, 1.0).await;

    // Until the shared subscription listens, messages may go by unheard: probe.
    let mut heard = None;
    for attempt in 0..40 {
        send(format!("Probe {attempt}")).await;
        if let Ok(data) = tokio::time::timeout(Duration::from_millis(500), first.next_data()).await
        {
            heard = body(&data).map(str::to_owned);
            break;
        }
    }
    let heard = heard.expect("the shared subscription hears the conversation");
    let probes = second
        .collect_until(|data| body(data) == Some(heard.as_str()))
        .await;
    assert_eq!(bodies(&probes).last(), Some(&heard));

    for n in 0..3 {
        send(format!("Nachricht {n}")).await;
    }
    let last = |data: &Value| body(data) == Some("Nachricht 2");
    let (a, b) = (
        first.collect_until(last).await,
        second.collect_until(last).await,
    );
    assert_eq!(a, b, "both subscribers get the very same events");
    assert_eq!(
        bodies(&a),
        ["Nachricht 0", "Nachricht 1", "Nachricht 2"].map(String::from)
    );
    let replayed = bodies(&replaying.collect_until(last).await);
    assert!(replayed.contains(&heard), "{replayed:?}");

    // The shared subscription ends with its last socket; the other ends no other's.
    drop(first);
    send("Nur noch einer".into()).await;
    let rest = second.collect_until(|data| body(data) == Some("Nur noch einer"));
    assert_eq!(bodies(&rest.await), ["Nur noch einer"]);
    drop(second);
    eventually_shared(&app, 0.0).await;
}
