//! The WebSocket baseline: axum's WebSocket and a tokio broadcast channel, nothing else.
//! `GET /ws` subscribes a socket; `POST /publish` sends the request's body as one text frame to
//! every socket. It runs inside the benchmark (`fanout`) or as a child process of its own
//! (`memory`, which measures the process's memory). Its WebSocket settings are axum's defaults
//! (a 128 KiB read buffer per socket), unless the child is given a read buffer size.

use std::io::{Read, Write};

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::{get, post};
use tokio::sync::broadcast;

/// `bench __raw-ws-server [read-buffer-bytes]` serves the baseline, prints its address and runs
/// until its stdin closes (so that it never outlives the benchmark).
pub const CHILD_COMMAND: &str = "__raw-ws-server";

/// As many messages as CarBot's in-process event bus keeps for a slow subscriber.
const CAPACITY: usize = 4096;

#[derive(Clone)]
struct Hub {
    sender: broadcast::Sender<Utf8Bytes>,
    read_buffer: Option<usize>,
}

async fn subscribe(upgrade: WebSocketUpgrade, State(hub): State<Hub>) -> Response {
    // Subscribed before the handshake completes: a connected client misses nothing.
    let receiver = hub.sender.subscribe();
    let upgrade = match hub.read_buffer {
        Some(bytes) => upgrade.read_buffer_size(bytes),
        None => upgrade,
    };
    upgrade.on_upgrade(move |socket| forward(socket, receiver))
}

async fn forward(mut socket: WebSocket, mut receiver: broadcast::Receiver<Utf8Bytes>) {
    loop {
        tokio::select! {
            text = receiver.recv() => match text {
                Ok(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn publish(State(hub): State<Hub>, body: String) {
    let _ = hub.sender.send(body.into());
}

async fn listen() -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    Ok((listener, addr))
}

fn router(read_buffer: Option<usize>) -> axum::Router {
    axum::Router::new()
        .route("/ws", get(subscribe))
        .route("/publish", post(publish))
        .with_state(Hub {
            sender: broadcast::channel(CAPACITY).0,
            read_buffer,
        })
}

/// Starts the baseline in this process; returns its address.
pub async fn start() -> anyhow::Result<String> {
    let (listener, addr) = listen().await?;
    tokio::spawn(async move { axum::serve(listener, router(None)).await });
    Ok(addr)
}

pub async fn serve_as_child(read_buffer: Option<usize>) -> anyhow::Result<()> {
    let (listener, addr) = listen().await?;
    tokio::spawn(async move { axum::serve(listener, router(read_buffer)).await });
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{addr}")?;
    stdout.flush()?;
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await??;
    Ok(())
}
