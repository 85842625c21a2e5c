//! Benchmarks that compare CarBot with a baseline measured in the same run (the machine is
//! shared and noisy, so only the ratio means something):
//!
//! - `typename`: `{ __typename }` through the GraphQL endpoint vs a bare axum handler that
//!   returns the same bytes;
//! - `search`: `services(filter: {search: …})` through the GraphQL endpoint vs the same SQL run
//!   by `pgbench` with as many clients as the server's pool has connections;
//! - `send-message`: the widget's `sendMessage` (with the built-in assistant answering, and on a
//!   taken-over conversation where nobody answers) vs a bare axum handler doing the same
//!   transaction with diesel-async and publishing on a tokio broadcast channel;
//! - `fanout`: delivery latency of a message to 1,000 `conversationEvents` subscribers vs a bare
//!   axum WebSocket server broadcasting the same text to 1,000 plain WebSocket clients;
//! - `memory`: resident memory per idle `leadEvents` subscription of a `carbot serve` process
//!   vs per idle connection of a bare WebSocket broadcast server process;
//! - `assistant`: the evaluation set answered by the built-in assistant: right first
//!   citations per language and CPU time per answer against folding the question into words;
//! - `statements`: SQL statements per `leads` request with nested fields, for 10, 100 and 1,000
//!   leads (fails when the count grows with the page size);
//! - `analytics`: over a year of one workshop (a million facts), the dashboard's `analytics`
//!   query vs `pgbench` running its statements, and the year's exports downloaded from a
//!   `carbot serve` of their own with its memory sampled (fails when a download grows with the
//!   file);
//! - `load`: the widget under load (k6-style stages to 100 and 200 virtual visitors on 50
//!   workshops) against a release `carbot serve`: p50/p95/p99 per operation, errors, live
//!   deliveries missing, server CPU per answered message;
//! - `workshops`: fan-out across 1,000 workshops on a release `carbot serve` with Redis: server
//!   CPU per delivery with 1,000 workshops connected against one workshop alone, then 10,000
//!   idle subscribers and an event to each workshop (all delivered, the average time).
//!
//! `./dev bench [typename|search|send-message|fanout|memory|statements|assistant|analytics|load|workshops|all]
//! [seconds-per-round] [connections]` (`fanout`, `memory`, `statements`, `assistant`, `load` and
//! `workshops` have fixed sizes and ignore both numbers; `analytics` uses the seconds only). Every figure
//! with an aim is listed at the end beside it; a missed aim fails the run.

mod aims;
mod analytics;
mod assistant;
mod client;
mod endpoint;
mod fanout;
mod load;
mod memory;
mod raw_ws;
mod send_message;
mod statements;
mod workshops;

/// The same allocator as the `carbot` binary, so that both servers run as they would in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BENCHMARKS: [&str; 10] = [
    "typename",
    "search",
    "send-message",
    "fanout",
    "memory",
    "statements",
    "assistant",
    "analytics",
    "load",
    "workshops",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("all", String::as_str);
    if which == raw_ws::CHILD_COMMAND {
        return raw_ws::serve_as_child(args.get(2).and_then(|s| s.parse().ok())).await;
    }
    anyhow::ensure!(
        which == "all" || BENCHMARKS.contains(&which),
        "unknown benchmark {which:?}; choose one of {} or all",
        BENCHMARKS.join(", ")
    );
    // The apps' internal errors, with their ids, should a request fail.
    carbot::init_logging("error", carbot::config::LogFormat::Text);
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let selected = |name: &str| which == "all" || which == name;
    // A benchmark that fails (an assertion, a missed message) does not stop the others.
    let mut failed = Vec::new();
    let mut outcome = |name: &'static str, result: anyhow::Result<()>| {
        if let Err(error) = result {
            eprintln!("{name}: FAILED: {error:#}");
            failed.push(name);
        }
    };
    if selected("typename") || selected("search") {
        let app = carbot_tests::TestApp::new().await;
        if selected("typename") {
            outcome(
                "typename",
                endpoint::typename(&app, seconds, connections).await,
            );
        }
        if selected("search") {
            outcome("search", endpoint::search(&app, seconds, connections).await);
        }
    }
    // Each of these starts its own app on its own database: nothing of one run lingers in the
    // next (rate-limit windows, subscriptions, rows). `statements` comes first, while nothing
    // else runs in the process (its counter is the whole process's).
    if selected("statements") {
        outcome("statements", statements::run().await);
    }
    if selected("assistant") {
        outcome("assistant", assistant::run());
    }
    if selected("send-message") {
        outcome(
            "send-message",
            send_message::run(seconds, connections).await,
        );
    }
    if selected("fanout") {
        outcome("fanout", fanout::run().await);
    }
    if selected("memory") {
        outcome("memory", memory::run().await);
    }
    if selected("analytics") {
        outcome("analytics", analytics::run(seconds).await);
    }
    if selected("load") {
        outcome("load", load::run().await);
    }
    if selected("workshops") {
        outcome("workshops", workshops::run().await);
    }
    let missed = aims::report();
    anyhow::ensure!(failed.is_empty(), "failed: {}", failed.join(", "));
    anyhow::ensure!(missed == 0, "{missed} aim(s) missed");
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The value below which `fraction` of the sorted `values` lie (nearest rank).
fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The server's statement counter.
pub async fn statements_so_far(app: &carbot_tests::TestApp) -> anyhow::Result<u64> {
    let text = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix("carbot_db_statements_total ")?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map(|n| n as u64)
        .ok_or_else(|| anyhow::anyhow!("GET /metrics has no carbot_db_statements_total"))
}

/// The workshop's UUID from the owner's global workshop id.
fn workshop_uuid(owner: &carbot_tests::Owner) -> anyhow::Result<uuid::Uuid> {
    carbot_schema::ids::decode(carbot_schema::ids::NodeType::Workshop, &owner.workshop_id)
        .ok_or_else(|| anyhow::anyhow!("not a workshop id: {}", owner.workshop_id))
}

/// Fails with a clear message when this process may not open `needed` files (sockets).
fn ensure_open_files(needed: u64) -> anyhow::Result<()> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .ok_or_else(|| anyhow::anyhow!("no open-file limit in /proc/self/limits"))?;
    if soft == "unlimited" {
        return Ok(());
    }
    let soft: u64 = soft.parse()?;
    anyhow::ensure!(
        soft >= needed,
        "this benchmark needs about {needed} open sockets but the open-file limit is {soft}: \
         raise it in the shell first (`ulimit -n 8192`) and run it again"
    );
    Ok(())
}
