//! The load generator's HTTP/1.1 client: one keep-alive hyper connection per worker, the same
//! for CarBot and for every baseline.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn connect(addr: &str) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

pub fn graphql_request(
    addr: &str,
    bearer: Option<&'static str>,
    body: &'static str,
) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::post(format!("http://{addr}/graphql"))
        .header("host", addr)
        .header("content-type", "application/json");
    if let Some(bearer) = bearer {
        request = request.header("authorization", bearer);
    }
    request
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a valid request")
}

/// Sends one request on its own connection; returns the status and the body.
pub async fn send_once(request: hyper::Request<Full<Bytes>>) -> anyhow::Result<(u16, String)> {
    let addr = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| anyhow::anyhow!("a request without a host header"))?
        .to_owned();
    let mut sender = connect(&addr).await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

pub async fn request_with(
    addr: &str,
    bearer: Option<&'static str>,
    body: &'static str,
) -> anyhow::Result<(u16, String)> {
    send_once(graphql_request(addr, bearer, body)).await
}

/// Requests per second over `duration`, with `connections` keep-alive connections.
pub async fn load(
    addr: &str,
    connections: usize,
    duration: Duration,
    bearer: Option<&'static str>,
    body: &'static str,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        workers.push(tokio::spawn(async move {
            let mut sender = connect(&addr).await?;
            let mut done = 0u64;
            while started.elapsed() < duration {
                let response = sender
                    .send_request(graphql_request(&addr, bearer, body))
                    .await?;
                anyhow::ensure!(response.status() == 200, "status {}", response.status());
                response.into_body().collect().await?;
                done += 1;
            }
            anyhow::Ok(done)
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}
