//! Throughput of `{ __typename }` through CarBot's GraphQL endpoint compared with a bare axum
//! handler that returns the same bytes, measured in the same run (the machine is shared and
//! noisy, so only the ratio means something).
//!
//! `./dev bench [seconds-per-round] [connections]`

use std::time::{Duration, Instant};

use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

/// The same allocator as the `carbot` binary, so that both servers run as they would in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BODY: &str = r#"{"query":"{ __typename }"}"#;
const ANSWER: &str = r#"{"data":{"__typename":"Query"}}"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);

    let app = carbot_tests::TestApp::new().await;
    let carbot_addr = app.url.trim_start_matches("http://").to_owned();
    let bare_addr = bare_server().await?;

    // Check both answer the same bytes before measuring.
    for addr in [&carbot_addr, &bare_addr] {
        let (status, body) = request_once(addr).await?;
        anyhow::ensure!(
            status == 200 && body == ANSWER,
            "{addr} answered {status} {body}"
        );
    }

    let round = Duration::from_secs(seconds);
    let (mut bare, mut graphql) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        bare.push(load(&bare_addr, connections, round).await?);
        graphql.push(load(&carbot_addr, connections, round).await?);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (bare, graphql) = (median(&mut bare), median(&mut graphql));
    println!("connections: {connections}, rounds: 3 × {seconds} s each, medians:");
    println!("  bare axum handler:        {bare:>10.0} req/s");
    println!("  GraphQL {{ __typename }}:   {graphql:>10.0} req/s");
    println!("  ratio GraphQL / bare:     {:>10.2}", graphql / bare);
    Ok(())
}

async fn bare_server() -> anyhow::Result<String> {
    let router = axum::Router::new().route(
        "/graphql",
        post(|| async {
            (
                [(
                    "content-type",
                    "application/graphql-response+json; charset=utf-8",
                )],
                ANSWER,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: &str) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

fn graphql_request(addr: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::post(format!("http://{addr}/graphql"))
        .header("host", addr)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(BODY.as_bytes())))
        .expect("a valid request")
}

async fn request_once(addr: &str) -> anyhow::Result<(u16, String)> {
    let mut sender = connect(addr).await?;
    let response = sender.send_request(graphql_request(addr)).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Requests per second over `duration`, with `connections` keep-alive connections.
async fn load(addr: &str, connections: usize, duration: Duration) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        workers.push(tokio::spawn(async move {
            let mut sender = connect(&addr).await?;
            let mut done = 0u64;
            while started.elapsed() < duration {
                let response = sender.send_request(graphql_request(&addr)).await?;
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
