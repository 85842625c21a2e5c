//! GraphQL over WebSocket (`graphql-transport-ws`) on `/graphql`.
//!
//! async-graphql speaks the protocol; this module adds what it leaves to the server: the token
//! from `connection_init`, the connection-init timeout (4408), the protocol's close codes for a
//! refused token (4403) and for an early `subscribe` (4401), and a close frame on shutdown.
//!
//! A connection's access is not settled once: when access in its workshop changes (a logout, a
//! revoked API token or client key, a removed member or another role, on any process: the
//! event bus carries the notice), it authenticates its token again and closes with 4403 when
//! the token no longer holds or grants something else; it also closes with 4403 when its access
//! or visitor token expires, or its API token reaches its expiry date.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{FromRequestParts, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use carbot_schema::Principal;
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};

use crate::multiplex;
use crate::request::RequestContext;
use crate::state::AppState;

pub const PROTOCOL: &str = "graphql-transport-ws";
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest WebSocket message a client may send (the same as an HTTP request body).
pub const MAX_MESSAGE_BYTES: usize = carbot_schema::request_limits::MAX_BODY_BYTES;
const FORBIDDEN: &str = "Forbidden";

/// `GET /graphql` with `Upgrade`: the handshake for a client that offers [`PROTOCOL`].
pub async fn upgrade(state: AppState, mut parts: Parts, context: RequestContext) -> Response {
    let offered = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == PROTOCOL));
    if !offered {
        return (
            StatusCode::BAD_REQUEST,
            "Offer the graphql-transport-ws subprotocol.",
        )
            .into_response();
    }
    match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => {
            let tracker = state.websockets.clone();
            // Small buffers: most sockets sit idle waiting for events (the default 128 KiB
            // read buffer would dominate each subscriber's memory).
            upgrade
                .protocols([PROTOCOL])
                .read_buffer_size(4 * 1024)
                .write_buffer_size(4 * 1024)
                .max_message_size(MAX_MESSAGE_BYTES)
                .on_upgrade(move |socket| tracker.track_future(serve(socket, state, context)))
        }
        Err(rejection) => rejection.into_response(),
    }
}

/// What an authenticated connection listens to for changes of its access.
struct Access {
    changes: BoxStream<'static, carbot_schema::events::Envelope>,
    token: String,
    principal: Principal,
}

/// The next notice that access changed; pending forever before authentication.
async fn changed(access: &mut Option<Access>) -> Option<()> {
    match access {
        Some(access) => access.changes.next().await.map(|_| ()),
        None => std::future::pending().await,
    }
}

/// Runs requests with the schema that fits the connection's principal.
#[derive(Clone)]
struct ConnectionExecutor {
    state: AppState,
    principal: Arc<OnceLock<Principal>>,
    /// Where the connection comes from, as part of what a shared subscription must match.
    context: Arc<str>,
}

impl ConnectionExecutor {
    fn schema(&self) -> &carbot_schema::CarbotSchema {
        self.state
            .schemas
            .for_principal(self.principal.get().unwrap_or(&Principal::Anonymous))
    }
}

impl Executor for ConnectionExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        self.schema().execute(request).await
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let principal = self.principal.get().unwrap_or(&Principal::Anonymous);
        let request = if principal.may_introspect() {
            request
        } else {
            request.disable_introspection()
        };
        let schema = self.schema().clone();
        let session_data = session_data.unwrap_or_default();
        // Subscribers asking the same thing with the same access share one subscription.
        let Some(key) = multiplex::key(&format!("{principal:?}\n{}", self.context), &request)
        else {
            return schema.execute_stream_with_session_data(request, session_data);
        };
        let async_graphql::Request {
            query,
            operation_name,
            variables,
            extensions,
            introspection_mode,
            ..
        } = request;
        let run: multiplex::Run = Arc::new(move |start: multiplex::Start| {
            let mut request =
                async_graphql::Request::new(query.clone()).variables(variables.clone());
            request.operation_name.clone_from(&operation_name);
            request.extensions = extensions.clone();
            request.introspection_mode = introspection_mode;
            if let Some(position) = start.position {
                request = request.data(position);
            }
            if let Some(cost) = start.cost {
                request = request.data(cost);
            }
            if let Some(resume) = start.resume {
                request = request.data(resume);
            }
            schema.execute_stream_with_session_data(request, session_data.clone())
        });
        let limiter = self.state.services.limiter.clone();
        let payer = principal.clone();
        let charge: multiplex::Charge = Box::new(move |cost| {
            Box::pin(
                async move { carbot_schema::budget::charge(limiter.as_ref(), &payer, cost).await },
            )
        });
        self.state
            .subscriptions
            .subscribe(Some(key), run, Some(charge))
    }
}

/// The operation ids running on one connection, as the protocol requires them to be unique.
#[derive(Default)]
struct Operations(std::sync::Mutex<std::collections::HashSet<String>>);

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

impl Operations {
    fn ids(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Err(id)` for a `subscribe` whose id is already running.
    fn client_message(&self, bytes: &[u8]) -> Result<(), String> {
        let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_slice(bytes) else {
            return Ok(());
        };
        match kind.as_str() {
            "subscribe" if !self.ids().insert(id.clone()) => Err(id),
            "complete" => {
                self.ids().remove(&id);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// An operation ends with the server's `complete` or `error`.
    fn server_message(&self, text: &str) {
        if let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_str(text)
            && (kind == "complete" || kind == "error")
        {
            self.ids().remove(&id);
        }
    }
}

async fn serve(socket: WebSocket, state: AppState, context: RequestContext) {
    let principal = Arc::new(OnceLock::new());
    let executor = ConnectionExecutor {
        state: state.clone(),
        principal: principal.clone(),
        context: format!("{context:?}").into(),
    };
    let (mut sink, stream) = socket.split();
    let operations = Arc::new(Operations::default());
    // Small one-value channels: an mpsc channel allocates 32 slots up front, per socket.
    let (duplicate_tx, mut duplicate_rx) = tokio::sync::watch::channel::<Option<String>>(None);
    let input_operations = operations.clone();
    let input = stream
        .take_while(|message| futures_util::future::ready(message.is_ok()))
        .filter_map(move |message| {
            let bytes = match message {
                Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
                Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                _ => None,
            };
            // A second `subscribe` with an id that is still running ends the connection (4409).
            let bytes = bytes.filter(|bytes| match input_operations.client_message(bytes) {
                Ok(()) => true,
                Err(id) => {
                    duplicate_tx.send_replace(Some(id));
                    false
                }
            });
            futures_util::future::ready(bytes)
        });
    let auth_state = state.clone();
    let auth_principal = principal.clone();
    // The token that was accepted, for authenticating again when access changes.
    let (accepted_tx, mut accepted_rx) = tokio::sync::oneshot::channel::<(String, Principal)>();
    let reauth_context = context.clone();
    let protocol =
        async_graphql::http::WebSocket::new(executor, input, WebSocketProtocols::GraphQLWS)
            .on_connection_init(move |payload| async move {
                let token = payload
                    .get("authorization")
                    .or_else(|| payload.get("Authorization"))
                    .and_then(|v| v.as_str())
                    .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
                // Any refusal, of the token or of the page's origin, closes with 4403.
                let principal = context
                    .authenticate(&auth_state, token.as_deref())
                    .await
                    .map_err(|_| async_graphql::Error::new(FORBIDDEN))?;
                let _ = auth_principal.set(principal.clone());
                if let Some(token) = token {
                    let _ = accepted_tx.send((token, principal.clone()));
                }
                let mut data = Data::default();
                context.insert_into(&mut data, principal);
                Ok(data)
            });
    futures_util::pin_mut!(protocol);

    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    let shutdown = state.shutdown.clone();
    let mut access: Option<Access> = None;
    let expiry = tokio::time::sleep(Duration::MAX);
    tokio::pin!(expiry);
    let close = |code: u16, reason: &str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        }))
    };
    loop {
        tokio::select! {
            message = protocol.next() => match message {
                Some(WsMessage::Text(text)) => {
                    operations.server_message(&text);
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = match (code, reason.as_str()) {
                        (1002, FORBIDDEN) => 4403,
                        (1011, _) => 4401,
                        _ => code,
                    };
                    let reason = if code == 4401 { "Unauthorized".to_owned() } else { reason };
                    let _ = sink.send(close(code, &reason)).await;
                    break;
                }
                None => break,
            },
            Ok(()) = duplicate_rx.changed() => {
                let id = duplicate_rx.borrow_and_update().clone().unwrap_or_default();
                let _ = sink.send(close(4409, &format!("Subscriber for {id} already exists"))).await;
                break;
            }
            () = &mut init_deadline, if principal.get().is_none() => {
                let _ = sink.send(close(4408, "Connection initialisation timeout")).await;
                break;
            }
            () = shutdown.cancelled() => {
                let _ = sink.send(close(1001, "Server shutting down")).await;
                break;
            }
            Ok((token, accepted)) = &mut accepted_rx, if !accepted_rx.is_terminated() => {
                if let Some(at) = state.services.auth.expires_at(&token, &accepted) {
                    let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
                    expiry.as_mut().reset(tokio::time::Instant::now() + left);
                }
                access = carbot_schema::auth::access_changes(state.services.events.as_ref(), &accepted)
                    .map(|changes| Access { changes, token, principal: accepted });
            }
            Some(()) = changed(&mut access) => {
                let Some((token, before)) = access.as_ref().map(|a| (a.token.clone(), a.principal.clone())) else {
                    continue;
                };
                let holds = match reauth_context.authenticate(&state, Some(&token)).await {
                    Ok(now) => carbot_schema::auth::same_access(&before, &now),
                    Err(_) => false,
                };
                if !holds {
                    let _ = sink.send(close(4403, FORBIDDEN)).await;
                    break;
                }
            }
            () = &mut expiry => {
                let _ = sink.send(close(4403, FORBIDDEN)).await;
                break;
            }
        }
    }
    let _ = sink.close().await;
}
