//! Throughput of the GraphQL endpoint itself: `typename` against a bare axum handler returning
//! the same bytes, `search` against the same SQL run by `pgbench`.

use std::time::Duration;

use axum::routing::post;

use crate::client::{load, request_with};
use crate::{median, workshop_uuid};

const BODY: &str = r#"{"query":"{ __typename }"}"#;
const ANSWER: &str = r#"{"data":{"__typename":"Query"}}"#;

const SEARCH_TEXT: &str = "Bremsen quietschen";

pub async fn typename(
    app: &carbot_tests::TestApp,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    let carbot_addr = app.url.trim_start_matches("http://").to_owned();
    let bare_addr = bare_server().await?;

    // Check both answer the same bytes before measuring.
    for addr in [&carbot_addr, &bare_addr] {
        let (status, body) = request_with(addr, None, BODY).await?;
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
    println!(
        "  {}",
        crate::aims::check(
            "typename: GraphQL / bare",
            graphql / bare,
            crate::aims::Aim::AtLeast(0.65)
        )
    );
    Ok(())
}

pub async fn search(
    app: &carbot_tests::TestApp,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    let owner = app
        .register("bench@autohaus-nord.de", "Autohaus Nord")
        .await;
    let workshop = workshop_uuid(&owner)?;
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
    // pgbench reads a statement per line: drop the SQL's `--` comments before joining its
    // lines (a comment would swallow the rest of the statement).
    let one_line = sql
        .lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(&script, format!("{one_line};\n"))?;
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
    println!(
        "  {}",
        crate::aims::check(
            "search: GraphQL / pgbench",
            graphql / pgbench,
            crate::aims::Aim::AtLeast(0.8)
        )
    );
    Ok(())
}

pub(crate) fn run_pgbench(
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
        // The session settings of the platform's own connections (`carbot_schema::db`).
        .env("PGOPTIONS", "-c jit=off")
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
