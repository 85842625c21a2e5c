//! Live subscriptions over `graphql-transport-ws`, reconnecting with back-off and resuming
//! after the last event seen (`after:` cursor), so a dropped connection loses nothing.

use std::cell::RefCell;
use std::rc::Rc;

use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};
use yew::Callback;

struct State {
    socket: Option<WebSocket>,
    stopped: bool,
    cursor: Option<String>,
    attempts: u32,
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// A running subscription; dropping it closes the connection.
pub struct Live {
    state: Rc<RefCell<State>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        let mut state = self.state.borrow_mut();
        state.stopped = true;
        if let Some(socket) = state.socket.take() {
            let _ = socket.close();
        }
    }
}

fn url() -> String {
    let location = web_sys::window().expect("window").location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{}/graphql", location.host().unwrap_or_default())
}

/// Subscribes with `token` to an operation (its module's `QUERY` and `OPERATION_NAME`; its only
/// variable is `after`); `on_event` gets each event's typed data. Events must carry a `cursor` field.
pub fn subscribe<Q>(
    token: String,
    (query, operation): (&'static str, &'static str),
    on_event: Callback<Q::ResponseData>,
) -> Live
where
    Q: GraphQLQuery,
    Q::ResponseData: DeserializeOwned + 'static,
{
    let state = Rc::new(RefCell::new(State {
        socket: None,
        stopped: false,
        cursor: None,
        attempts: 0,
        handlers: Vec::new(),
    }));
    connect::<Q>(state.clone(), token, (query, operation), on_event);
    Live { state }
}

fn connect<Q>(
    state: Rc<RefCell<State>>,
    token: String,
    (query, operation): (&'static str, &'static str),
    on_event: Callback<Q::ResponseData>,
) where
    Q: GraphQLQuery,
    Q::ResponseData: DeserializeOwned + 'static,
{
    if state.borrow().stopped {
        return;
    }
    let Ok(socket) = WebSocket::new_with_str(&url(), "graphql-transport-ws") else {
        return;
    };
    let init_socket = socket.clone();
    let init_token = token.clone();
    let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let message = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {init_token}") } });
        let _ = init_socket.send_with_str(&message.to_string());
    });
    let message_socket = socket.clone();
    let message_state = state.clone();
    let message_handler = on_event.clone();
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(text) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|e| e.data().as_string())
        else {
            return;
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        match message["type"].as_str() {
            Some("connection_ack") => {
                message_state.borrow_mut().attempts = 0;
                let after = message_state.borrow().cursor.clone();
                let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "operationName": operation, "variables": { "after": after } } });
                let _ = message_socket.send_with_str(&subscribe.to_string());
            }
            Some("ping") => {
                let _ = message_socket.send_with_str(r#"{"type":"pong"}"#);
            }
            Some("next") => {
                let data = &message["payload"]["data"];
                if let Some(cursor) = data
                    .as_object()
                    .and_then(|o| o.values().next())
                    .and_then(|event| event["cursor"].as_str())
                {
                    message_state.borrow_mut().cursor = Some(cursor.to_owned());
                }
                if let Ok(typed) = serde_json::from_value::<Q::ResponseData>(data.clone()) {
                    message_handler.emit(typed);
                }
            }
            _ => {}
        }
    });
    let close_state = state.clone();
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let code = event.dyn_ref::<CloseEvent>().map_or(0, CloseEvent::code);
        let attempts = {
            let mut state = close_state.borrow_mut();
            state.socket = None;
            if state.stopped || code == 4403 || code == 4401 {
                return;
            }
            state.attempts += 1;
            state.attempts
        };
        let delay = (1_000u32 << attempts.min(5)).min(30_000);
        let state = close_state.clone();
        let token = token.clone();
        let on_event = on_event.clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(delay).await;
            connect::<Q>(state, token, (query, operation), on_event);
        });
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut state = state.borrow_mut();
    state.handlers = vec![on_open, on_message, on_close];
    state.socket = Some(socket);
}
