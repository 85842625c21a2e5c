//! Benchmarks that compare CarBot with a baseline measured in the same run (the machine is
//! shared and noisy, so only the ratio means something):
//!
//! - `typename`: `{ __typename }` through the GraphQL endpoint vs a bare axum handler that
//!   returns the same bytes;
//! - `search`: `services(filter: {search: …})` through the GraphQL endpoint vs the same SQL run
//!   by `pgbench` with as many clients as the server's pool has connections.
//!
//! `./dev bench [typename|search|all] [seconds-per-round] [connections]`

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

const SEARCH_TEXT: &str = "Bremsen quietschen";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("all", String::as_str);
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let app = carbot_tests::TestApp::new().await;
    if matches!(which, "typename" | "all") {
        typename(&app, seconds, connections).await?;
    }
    if matches!(which, "search" | "all") {
        search(&app, seconds, connections).await?;
    }
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn typename(
    app: &carbot_tests::TestApp,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
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
        bare.push(load(&bare_addr, connections, round, None, BODY).await?);
        graphql.push(load(&carbot_addr, connections, round, None, BODY).await?);
    }
    let (bare, graphql) = (median(bare), median(graphql));
    println!("typename — connections: {connections}, rounds: 3 × {seconds} s each, medians:");
    println!("  bare axum handler:        {bare:>10.0} req/s");
    println!("  GraphQL {{ __typename }}:   {graphql:>10.0} req/s");
    println!("  ratio GraphQL / bare:     {:>10.2}", graphql / bare);
    Ok(())
}

async fn search(
    app: &carbot_tests::TestApp,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    use base64::Engine;
    let owner = app
        .register("bench@autohaus-nord.de", "Autohaus Nord")
        .await;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&owner.workshop_id)?;
    let workshop = String::from_utf8(raw)?
        .trim_start_matches("Workshop:")
        .to_owned();
    let body: &'static str = Box::leak(
        serde_json::json!({
            "query": "query($s: String!) { services(first: 5, filter: {search: $s}) { edges { node { id name } } } }",
            "variables": { "s": SEARCH_TEXT }
        })
        .to_string()
        .into_boxed_str(),
    );
    let bearer: &'static str = Box::leak(format!("Bearer {}", owner.access_token).into_boxed_str());
    let addr = app.url.trim_start_matches("http://").to_owned();

    // The statement the resolver runs, with the same parameters written in.
    let sql = carbot_schema::catalog::SERVICES_SQL
        .replace("$1", &format!("'{workshop}'::uuid"))
        .replace("$2", "NULL::uuid")
        .replace("$3", "NULL::bool")
        .replace("$4", "NULL::text")
        .replace("$5", &format!("'{SEARCH_TEXT}'::text"))
        .replace("$6", "6")
        .replace("$7", "0");
    let script = std::env::temp_dir().join(format!("carbot-search-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        format!(
            "{};\n",
            sql.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
    )?;
    let pool_size = 8;
    let (status, answer) = request_with(&addr, Some(bearer), body).await?;
    anyhow::ensure!(
        status == 200 && answer.contains("Bremsbeläge"),
        "the search answered {status} {answer}"
    );

    let round = Duration::from_secs(seconds);
    let (mut graphql, mut pgbench) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        graphql.push(load(&addr, connections, round, Some(bearer), body).await?);
        pgbench.push(run_pgbench(&app.database_url, &script, pool_size, seconds)?);
    }
    let _ = std::fs::remove_file(&script);
    let (graphql, pgbench) = (median(graphql), median(pgbench));
    println!(
        "search {SEARCH_TEXT:?} — {connections} HTTP connections vs pgbench with {pool_size} clients (the pool size), 3 × {seconds} s, medians:"
    );
    println!("  pgbench, same SQL:        {pgbench:>10.0} tx/s");
    println!("  GraphQL services(search): {graphql:>10.0} req/s");
    println!("  ratio GraphQL / pgbench:  {:>10.2}", graphql / pgbench);
    Ok(())
}

fn run_pgbench(
    database_url: &str,
    script: &std::path::Path,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<f64> {
    let pgbench = std::fs::read_dir("/usr/lib/postgresql")?
        .flatten()
        .map(|e| e.path().join("bin/pgbench"))
        .find(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("pgbench not found (Debian package postgresql)"))?;
    let output = std::process::Command::new(pgbench)
        .args([
            "-n",
            "-M",
            "prepared",
            "-j",
            "2",
            "-c",
            &clients.to_string(),
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(script)
        .arg(database_url.replacen("postgres://", "postgresql://", 1))
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "pgbench failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {text}"))
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

fn graphql_request(
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

async fn request_once(addr: &str) -> anyhow::Result<(u16, String)> {
    request_with(addr, None, BODY).await
}

async fn request_with(
    addr: &str,
    bearer: Option<&'static str>,
    body: &'static str,
) -> anyhow::Result<(u16, String)> {
    let mut sender = connect(addr).await?;
    let response = sender
        .send_request(graphql_request(addr, bearer, body))
        .await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Requests per second over `duration`, with `connections` keep-alive connections.
async fn load(
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
