//! Helpers for the widget's side of the API: client keys, visitors, and live subscriptions.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::{Owner, TestApp};

/// The origin the test widget pages pretend to be on.
pub const SITE: &str = "https://autohaus-nord.de";

pub const MESSAGE_FIELDS: &str = "id role body createdAt offerLeadForm
    citedServices { id name price { min { amountCents } max { amountCents } isFixed } }";

/// A request (or `subscribe` payload) that runs the widget's trusted document `name` by its
/// hash, as the widget sends it.
pub fn persisted(name: &str, variables: Value) -> Value {
    let document = carbot_schema::trusted::TrustedDocuments::widget()
        .documents
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no widget document {name}"));
    json!({ "variables": variables,
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": document.hash } } })
}

/// The `SubmitLeadInput` of a lead with the usual valid fields, `overrides` merged in.
pub fn lead_input(visitor: &Visitor, overrides: Value) -> Value {
    let mut input = json!({
        "conversationId": visitor.conversation_id,
        "name": "Erika Mustermann",
        "phone": "+49 170 1234567",
        "vehicle": { "make": "VW", "model": "Golf", "year": 2017 },
        "consent": true,
    });
    if let (Some(input), Some(overrides)) = (input.as_object_mut(), overrides.as_object()) {
        for (key, value) in overrides {
            input.insert(key.clone(), value.clone());
        }
    }
    input
}

/// A visitor holding a conversation's token.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub conversation_id: String,
    pub token: String,
    pub origin: String,
}

impl TestApp {
    /// POSTs with an `Origin` header, as a browser on that site would.
    pub async fn post_from(
        &self,
        origin: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let body = json!({ "query": query, "variables": variables });
        self.post_body_from(origin, token, &body).await
    }

    /// POSTs `body` as it is, with an `Origin` header.
    pub async fn post_body_from(
        &self,
        origin: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.graphql_url())
            .header("origin", origin)
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// POSTs the widget's trusted document `name` by its hash, as the widget does.
    pub async fn post_document(
        &self,
        origin: &str,
        token: Option<&str>,
        name: &str,
        variables: Value,
    ) -> (u16, Value) {
        self.post_body_from(origin, token, &persisted(name, variables))
            .await
    }

    /// Creates a client key for `origins`; returns (id, key).
    pub async fn client_key(&self, owner: &Owner, origins: &[&str]) -> (String, String) {
        let body = self
            .gql(
                Some(&owner.access_token),
                "mutation($input: CreateClientKeyInput!) { createClientKey(input: $input) {
                    clientKey { id key } userErrors { field code message } } }",
                json!({ "input": { "label": "Website", "allowedOrigins": origins } }),
            )
            .await;
        let payload = &body["data"]["createClientKey"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        (
            payload["clientKey"]["id"].as_str().expect("id").to_owned(),
            payload["clientKey"]["key"]
                .as_str()
                .expect("key")
                .to_owned(),
        )
    }

    /// Starts a conversation from `origin`, with the widget's document.
    pub async fn visitor(&self, key: &str, origin: &str) -> Visitor {
        let (status, body) = self
            .post_document(
                origin,
                None,
                "StartConversation",
                json!({ "input": { "clientKey": key, "pageUrl": format!("{origin}/service") } }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let payload = &body["data"]["startConversation"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        Visitor {
            conversation_id: payload["conversation"]["id"]
                .as_str()
                .expect("conversation id")
                .to_owned(),
            token: payload["visitorToken"].as_str().expect("token").to_owned(),
            origin: origin.to_owned(),
        }
    }

    /// Sends a visitor message with the widget's document; returns the whole response body.
    pub async fn say(&self, visitor: &Visitor, text: &str) -> (u16, Value) {
        self.post_document(
            &visitor.origin,
            Some(&visitor.token),
            "SendMessage",
            json!({ "input": { "conversationId": visitor.conversation_id, "body": text } }),
        )
        .await
    }

    /// A lead from the visitor with the usual valid fields, `overrides` merged in.
    pub async fn submit_lead(&self, visitor: &Visitor, overrides: Value) -> (u16, Value) {
        let input = lead_input(visitor, overrides);
        self.post_from(
            &visitor.origin,
            Some(&visitor.token),
            "mutation($input: SubmitLeadInput!) { submitLead(input: $input) {
                lead { id status estimatedValue { min { amountCents } max { amountCents } }
                       services { id name } overPlanLimit }
                userErrors { field code message } } }",
            json!({ "input": input }),
        )
        .await
    }
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` subscription.
pub struct Live {
    pub socket: Socket,
}

/// Why a subscription could not start: the close code, or the error payload.
#[derive(Debug)]
pub enum Refused {
    Closed(u16),
    Error(Value),
}

impl Live {
    /// Connects with `token` (and `origin`, as a browser sends it) and subscribes.
    pub async fn start(
        app_url: &str,
        token: Option<&str>,
        origin: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Self, Refused> {
        let payload = json!({ "query": query, "variables": variables });
        Self::start_payload(app_url, token, origin, payload).await
    }

    /// [`Live::start`] with the whole `subscribe` payload (e.g. a trusted document's hash).
    pub async fn start_payload(
        app_url: &str,
        token: Option<&str>,
        origin: Option<&str>,
        subscribe: Value,
    ) -> Result<Self, Refused> {
        let mut request = format!("{app_url}/graphql")
            .replace("http://", "ws://")
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().expect("header"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        let mut live = Self { socket };
        let payload = token.map_or(
            json!({}),
            |t| json!({ "authorization": format!("Bearer {t}") }),
        );
        live.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        match live.receive().await {
            Ok(message) if message["type"] == "connection_ack" => {}
            Ok(other) => return Err(Refused::Error(other)),
            Err(code) => return Err(Refused::Closed(code)),
        }
        live.send(json!({ "id": "1", "type": "subscribe", "payload": subscribe }))
            .await;
        Ok(live)
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// The next protocol message, or the close code.
    pub async fn receive(&mut self) -> Result<Value, u16> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("a message in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("json"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or(0, |f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
                _ => return Err(0),
            }
        }
    }

    /// The next `next` payload's data (answers pings on the way); panics on errors.
    pub async fn next_data(&mut self) -> Value {
        loop {
            let message = self.receive().await.expect("an open subscription");
            match message["type"].as_str() {
                Some("next") => {
                    assert!(message["payload"]["errors"].is_null(), "{message}");
                    return message["payload"]["data"].clone();
                }
                Some("ping") => self.send(json!({ "type": "pong" })).await,
                _ => panic!("unexpected message: {message}"),
            }
        }
    }

    /// Data of `next` messages until `done` says stop; returns all seen.
    pub async fn collect_until(&mut self, mut done: impl FnMut(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let data = self.next_data().await;
            let stop = done(&data);
            seen.push(data);
            if stop {
                return seen;
            }
        }
    }
}

pub const CONVERSATION_EVENTS: &str = "subscription($id: ID!, $after: String) {
    conversationEvents(conversationId: $id, after: $after) {
        cursor kind replyId chunk
        message { id role body citedServices { name price { min { amountCents } max { amountCents } } } }
        conversation { id takenOver } } }";

pub const LEAD_EVENTS: &str = "subscription($after: String) { leadEvents(after: $after) {
    cursor kind lead { id status name phone estimatedValue { min { amountCents } max { amountCents } } } } }";

pub const INBOX_EVENTS: &str = "subscription($after: String) { inboxEvents(after: $after) {
    cursor kind conversation { id } message { id role body } } }";
