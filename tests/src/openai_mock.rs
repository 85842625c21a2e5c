//! A local OpenAI for tests: a real HTTP server speaking the chat-completions protocol, streamed
//! (server-sent events) and plain JSON, scripted per test, recording what the client sent.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// What the mock answers. Requests are counted from 0: request `n` fails when `n < fail_first`,
/// otherwise waits `stall` before its first word when `n < stall_first`, then streams `chunks`.
#[derive(Debug, Clone)]
pub struct Script {
    pub chunks: Vec<String>,
    /// Pause before every chunk after the first.
    pub chunk_delay: Duration,
    /// `(prompt_tokens, completion_tokens)` of the final usage chunk; `None` sends none.
    pub usage: Option<(u32, u32)>,
    pub fail_first: usize,
    pub fail_status: u16,
    pub stall_first: usize,
    pub stall: Duration,
}

impl Script {
    /// Streams these chunks at once, then a usage chunk of 50 prompt tokens and one completion
    /// token per chunk.
    pub fn reply<S: Into<String>>(chunks: impl IntoIterator<Item = S>) -> Self {
        let chunks: Vec<String> = chunks.into_iter().map(Into::into).collect();
        let completion = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
        Self {
            chunks,
            chunk_delay: Duration::ZERO,
            usage: Some((50, completion)),
            fail_first: 0,
            fail_status: 503,
            stall_first: 0,
            stall: Duration::ZERO,
        }
    }

    pub fn with_chunk_delay(mut self, delay: Duration) -> Self {
        self.chunk_delay = delay;
        self
    }

    pub fn with_usage(mut self, prompt_tokens: u32, completion_tokens: u32) -> Self {
        self.usage = Some((prompt_tokens, completion_tokens));
        self
    }

    pub fn without_usage(mut self) -> Self {
        self.usage = None;
        self
    }

    /// Answers the first `requests` requests with `status` and an OpenAI error body.
    pub fn failing(mut self, status: u16, requests: usize) -> Self {
        self.fail_status = status;
        self.fail_first = requests;
        self
    }

    /// Sends the headers and the role chunk of the first `requests` requests at once, but the
    /// first word only after `delay`.
    pub fn stalling(mut self, delay: Duration, requests: usize) -> Self {
        self.stall = delay;
        self.stall_first = requests;
        self
    }

    fn text(&self) -> String {
        self.chunks.concat()
    }
}

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub path: String,
    /// The `Authorization` header, e.g. `Bearer sk-…`.
    pub authorization: Option<String>,
    pub body: Value,
}

struct Shared {
    script: Script,
    requests: Mutex<Vec<RecordedRequest>>,
}

/// The running mock; the server stops when this is dropped.
pub struct MockOpenAi {
    /// The API base to configure clients with, e.g. `http://127.0.0.1:41234/v1`.
    pub base_url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl MockOpenAi {
    pub async fn start(script: Script) -> Self {
        let shared = Arc::new(Shared {
            script,
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .route("/chat/completions", post(chat_completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free local port");
        let address = listener.local_addr().expect("a bound address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the mock OpenAI serves");
        });
        Self {
            base_url: format!("http://{address}/v1"),
            shared,
            server,
        }
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for MockOpenAi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "invalid JSON",
        );
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let number = {
        let mut requests = shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        requests.push(RecordedRequest {
            path: uri.path().to_owned(),
            authorization: authorization.clone(),
            body: body.clone(),
        });
        requests.len() - 1
    };
    let script = &shared.script;
    if number < script.fail_first {
        let status =
            StatusCode::from_u16(script.fail_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return match status.as_u16() {
            // Like OpenAI, which quotes (part of) a wrong key back.
            401 => error(
                status,
                "invalid_request_error",
                &format!(
                    "Incorrect API key provided: {}.",
                    authorization
                        .as_deref()
                        .unwrap_or_default()
                        .trim_start_matches("Bearer ")
                ),
            ),
            429 => error(status, "rate_limit_error", "Rate limit reached."),
            _ => error(
                status,
                "server_error",
                "The server had an error while processing your request.",
            ),
        };
    }
    let stall = if number < script.stall_first {
        script.stall
    } else {
        Duration::ZERO
    };
    let model = body["model"].as_str().unwrap_or("gpt-4o-mini").to_owned();
    let id = format!("chatcmpl-mock-{number}");
    if body["stream"].as_bool() == Some(true) {
        stream(script, &id, &model, stall)
    } else {
        tokio::time::sleep(stall).await;
        let mut completion = json!({
            "id": id,
            "object": "chat.completion",
            "created": 1_750_000_000,
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": script.text()},
                "finish_reason": "stop",
            }],
        });
        if let Some(usage) = script.usage {
            completion["usage"] = usage_json(usage);
        }
        axum::Json(completion).into_response()
    }
}

fn stream(script: &Script, id: &str, model: &str, stall: Duration) -> Response {
    let chunk = |choices: Value, usage: Value| {
        let chunk = json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": 1_750_000_000,
            "model": model,
            "choices": choices,
            "usage": usage,
        });
        Bytes::from(format!("data: {chunk}\n\n"))
    };
    let delta = |delta: Value| json!([{"index": 0, "delta": delta, "finish_reason": null}]);

    let mut events = vec![(
        Duration::ZERO,
        chunk(
            delta(json!({"role": "assistant", "content": ""})),
            Value::Null,
        ),
    )];
    for (index, text) in script.chunks.iter().enumerate() {
        let delay = if index == 0 {
            stall
        } else {
            script.chunk_delay
        };
        events.push((delay, chunk(delta(json!({"content": text})), Value::Null)));
    }
    events.push((
        Duration::ZERO,
        chunk(
            json!([{"index": 0, "delta": {}, "finish_reason": "stop"}]),
            Value::Null,
        ),
    ));
    if let Some(usage) = script.usage {
        events.push((Duration::ZERO, chunk(json!([]), usage_json(usage))));
    }
    events.push((Duration::ZERO, Bytes::from_static(b"data: [DONE]\n\n")));

    let body = futures_util::stream::unfold(events.into_iter(), |mut events| async move {
        let (delay, bytes) = events.next()?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Some((Ok::<_, Infallible>(bytes), events))
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

fn usage_json((prompt_tokens, completion_tokens): (u32, u32)) -> Value {
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    })
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({
        "error": {"message": message, "type": kind, "param": null, "code": null}
    });
    (status, axum::Json(body)).into_response()
}
