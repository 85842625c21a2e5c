//! `load`: the widget under load, modelled on the founders' k6 plan — virtual visitors ramp to
//! 100 and then to 200, on 50 workshops, against a release `carbot serve` of its own (so that
//! the load generator's CPU does not count). Each visitor loads the widget's settings, starts a
//! conversation, follows it live (as the widget does) and asks three price questions the
//! built-in assistant answers, a second apart; then it starts over. Every workshop's owner
//! follows the inbox. All requests are the widget's trusted documents, sent by their hash.
//!
//! Reported: p50/p95/p99 and errors per operation, live deliveries missing (visitors' own
//! conversations and the owners' inboxes), and the server's CPU seconds per answered message.
//! Aims (the k6 plan's thresholds): p95 < 500 ms for every operation, errors < 1 %, nothing
//! missing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use carbot_tests::chat::{INBOX_EVENTS, Live, SITE, persisted};
use carbot_tests::{Owner, TestApp};
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::aims::{self, Aim};
use crate::client::{Sender, connect};
use crate::memory::Server;
use crate::{ensure_open_files, percentile};

const WORKSHOPS: usize = 50;
const MAX_VISITORS: usize = 200;
const QUESTIONS_PER_CONVERSATION: usize = 3;
const THINK: Duration = Duration::from_secs(1);
/// k6's `stages`: ramp to a number of virtual visitors over a time, then hold it.
const STAGES: [(Duration, usize); 5] = [
    (Duration::from_secs(15), 100),
    (Duration::from_secs(30), 100),
    (Duration::from_secs(15), 200),
    (Duration::from_secs(30), 200),
    (Duration::from_secs(10), 0),
];
/// How long a live event may take after its request before it counts as missing.
const GRACE: Duration = Duration::from_secs(10);

const QUESTIONS: [&str; 6] = [
    "Was kostet ein Ölwechsel beim Golf?",
    "Wie teuer ist die Inspektion für einen Passat?",
    "Bremsen quietschen vorne, was kostet neue Beläge?",
    "Was kostet der Reifenwechsel?",
    "Preis für HU mit AU?",
    "Klimaanlage warten lassen, was kostet das?",
];

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Operation {
    WidgetConfig,
    StartConversation,
    Subscribe,
    SendMessage,
}

impl Operation {
    const ALL: [Self; 4] = [
        Self::WidgetConfig,
        Self::StartConversation,
        Self::Subscribe,
        Self::SendMessage,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::WidgetConfig => "widgetConfig",
            Self::StartConversation => "startConversation",
            Self::Subscribe => "conversationEvents (until acknowledged)",
            Self::SendMessage => "sendMessage (answered)",
        }
    }
}

/// What all visitors measured.
#[derive(Default)]
struct Record {
    latencies: Mutex<HashMap<Operation, Vec<f64>>>,
    errors: Mutex<HashMap<Operation, usize>>,
    first_errors: Mutex<Vec<String>>,
    /// MESSAGE events a visitor's own subscription should have had and did not.
    missing_own: AtomicUsize,
    conversations: AtomicUsize,
    answered: AtomicUsize,
}

impl Record {
    fn took(&self, operation: Operation, started: Instant) {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        lock(&self.latencies).entry(operation).or_default().push(ms);
    }

    fn failed(&self, operation: Operation, why: String) {
        *lock(&self.errors).entry(operation).or_default() += 1;
        let mut first = lock(&self.first_errors);
        if first.len() < 5 {
            first.push(format!("{}: {why}", operation.name()));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A workshop of the test: its key, and the inbox events its owner should get and got.
struct Workshop {
    key: String,
    expected: AtomicUsize,
    received: Arc<AtomicUsize>,
}

pub async fn run() -> anyhow::Result<()> {
    // Per visitor a keep-alive HTTP connection and a WebSocket, both ends in view of the
    // open-file limit of this process (the server is another).
    ensure_open_files(4 * MAX_VISITORS as u64 + 512)?;
    let app = TestApp::new().await;
    let mut owners: Vec<Owner> = Vec::with_capacity(WORKSHOPS);
    let mut workshops = Vec::with_capacity(WORKSHOPS);
    for n in 0..WORKSHOPS {
        let owner = app
            .register_from(
                &format!("last{n}@werkstatt-{n}.de"),
                &format!("Werkstatt {n}"),
                &format!("10.250.{}.{}", n / 200, n % 200 + 1),
            )
            .await;
        let (_, key) = app.client_key(&owner, &[SITE]).await;
        owners.push(owner);
        workshops.push(Workshop {
            key,
            expected: AtomicUsize::new(0),
            received: Arc::default(),
        });
    }
    let workshops = Arc::new(workshops);
    let server = Server::carbot_with(
        &app.database_url,
        &[
            ("CARBOT_TRUST_PROXY", "true"),
            ("CARBOT_BACKUP_SCHEDULE", "off"),
        ],
    )
    .await?;
    let url = format!("http://{}", server.addr);
    let addr = server.addr.clone();

    // The owners' inboxes.
    let mut inboxes = Vec::with_capacity(WORKSHOPS);
    for (owner, workshop) in owners.iter().zip(workshops.iter()) {
        let mut live = Live::start(
            &url,
            Some(&owner.access_token),
            None,
            INBOX_EVENTS,
            json!({}),
        )
        .await
        .map_err(|refused| anyhow::anyhow!("inbox refused: {refused:?}"))?;
        let received = workshop.received.clone();
        inboxes.push(tokio::spawn(async move {
            while let Some(Ok(message)) = live.socket.next().await {
                if let Message::Text(text) = message
                    && text.contains("\"next\"")
                {
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }

    let record = Arc::new(Record::default());
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let total: Duration = STAGES.iter().map(|(d, _)| *d).sum();
    let mut visitors: Vec<(
        Arc<std::sync::atomic::AtomicBool>,
        tokio::task::JoinHandle<()>,
    )> = Vec::new();
    let mut leaving = Vec::new();
    let mut peak = 0;
    while started.elapsed() < total {
        let wanted = wanted_visitors(started.elapsed());
        peak = peak.max(wanted);
        while visitors.len() < wanted {
            let n = visitors.len();
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let task = tokio::spawn(visitor(
                n,
                addr.clone(),
                url.clone(),
                workshops.clone(),
                record.clone(),
                stop.clone(),
            ));
            visitors.push((stop, task));
        }
        while visitors.len() > wanted {
            // It ends after its conversation; the rest go on meanwhile.
            let (stop, task) = visitors.pop().expect("a visitor");
            stop.store(true, Ordering::Relaxed);
            leaving.push(task);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (stop, _) in &visitors {
        stop.store(true, Ordering::Relaxed);
    }
    for task in visitors.into_iter().map(|(_, task)| task).chain(leaving) {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    let cpu = server.cpu_seconds()? - cpu_before;
    // The inboxes' last events.
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline
        && workshops
            .iter()
            .any(|w| w.received.load(Ordering::Relaxed) < w.expected.load(Ordering::Relaxed))
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (mut inbox_missing, mut inbox_expected, mut inbox_extra) = (0, 0, 0);
    for workshop in workshops.iter() {
        let expected = workshop.expected.load(Ordering::Relaxed);
        let received = workshop.received.load(Ordering::Relaxed);
        inbox_expected += expected;
        inbox_missing += expected.saturating_sub(received);
        inbox_extra += received.saturating_sub(expected);
    }
    for inbox in inboxes {
        inbox.abort();
    }

    let answered = record.answered.load(Ordering::Relaxed);
    println!(
        "load — {WORKSHOPS} workshops, virtual visitors ramping 0→100→200→0 over {} s (peak {peak}), \
         {} cores, release carbot serve of its own:",
        total.as_secs(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "  operation                                  count   errors    p50 ms    p95 ms    p99 ms"
    );
    let latencies = lock(&record.latencies);
    let errors = lock(&record.errors);
    let (mut all_requests, mut all_errors) = (0, 0);
    let mut p95s = Vec::new();
    for operation in Operation::ALL {
        let mut ms = latencies.get(&operation).cloned().unwrap_or_default();
        ms.sort_by(f64::total_cmp);
        let failed = errors.get(&operation).copied().unwrap_or(0);
        all_requests += ms.len() + failed;
        all_errors += failed;
        let p95 = percentile(&ms, 0.95);
        p95s.push((operation, p95));
        println!(
            "  {:<40} {:>7}  {:>7}  {:>8.1}  {:>8.1}  {:>8.1}",
            operation.name(),
            ms.len() + failed,
            failed,
            percentile(&ms, 0.50),
            p95,
            percentile(&ms, 0.99),
        );
    }
    for why in lock(&record.first_errors).iter() {
        println!("    error: {why}");
    }
    let missing_own = record.missing_own.load(Ordering::Relaxed);
    println!(
        "  conversations: {}, answered messages: {answered} ({:.1} a second)",
        record.conversations.load(Ordering::Relaxed),
        answered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  live deliveries missing: {missing_own} of the visitors' own MESSAGE events, \
         {inbox_missing} of {inbox_expected} inbox events ({inbox_extra} more than expected)"
    );
    println!(
        "  server CPU: {cpu:.1} s over {:.0} s, {:.2} ms per answered message (PostgreSQL's not included)",
        elapsed.as_secs_f64(),
        1000.0 * cpu / answered.max(1) as f64
    );
    for (operation, p95) in p95s {
        println!(
            "  {}",
            aims::check(
                &format!("load: p95 ms of {}", operation.name()),
                p95,
                Aim::AtMost(500.0)
            )
        );
    }
    println!(
        "  {}",
        aims::check(
            "load: errors %",
            100.0 * all_errors as f64 / all_requests.max(1) as f64,
            Aim::AtMost(1.0)
        )
    );
    println!(
        "  {}",
        aims::check(
            "load: live deliveries missing",
            (missing_own + inbox_missing) as f64,
            Aim::AtMost(0.0)
        )
    );
    Ok(())
}

/// The number of virtual visitors the stages ask for `elapsed` into the run.
fn wanted_visitors(elapsed: Duration) -> usize {
    let mut from = 0;
    let mut stage_start = Duration::ZERO;
    for (length, to) in STAGES {
        if elapsed < stage_start + length {
            let done = (elapsed - stage_start).as_secs_f64() / length.as_secs_f64();
            return (from as f64 + (to as f64 - from as f64) * done).round() as usize;
        }
        stage_start += length;
        from = to;
    }
    0
}

/// One virtual visitor: conversations one after the other until told to stop.
async fn visitor(
    n: usize,
    addr: String,
    url: String,
    workshops: Arc<Vec<Workshop>>,
    record: Arc<Record>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let workshop = &workshops[n % WORKSHOPS];
    let mut sender: Option<Sender> = None;
    let mut round = 0usize;
    while !stop.load(Ordering::Relaxed) {
        // A new address per conversation keeps every visitor within the per-address limits.
        let ip = format!("10.{}.{}.{}", 1 + n / 250, n % 250, round % 250 + 1);
        round += 1;
        if sender.is_none() {
            match connect(&addr).await {
                Ok(s) => sender = Some(s),
                Err(error) => {
                    record.failed(Operation::WidgetConfig, format!("connect: {error}"));
                    tokio::time::sleep(THINK).await;
                    continue;
                }
            }
        }
        let conversation = conversation(
            sender.as_mut().expect("connected"),
            &addr,
            &url,
            &ip,
            workshop,
            &record,
            n,
        )
        .await;
        if conversation.is_err() {
            // A broken connection is made again.
            sender = None;
        }
        tokio::time::sleep(THINK).await;
    }
}

/// One conversation of a visitor; `Err` when the HTTP connection broke.
async fn conversation(
    sender: &mut Sender,
    addr: &str,
    url: &str,
    ip: &str,
    workshop: &Workshop,
    record: &Record,
    n: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = persisted(
        "WidgetConfig",
        json!({ "key": workshop.key, "locale": "DE" }),
    );
    match post(sender, addr, ip, None, &config).await? {
        Ok(body) if body["data"]["widgetConfig"]["workshopName"].is_string() => {
            record.took(Operation::WidgetConfig, started)
        }
        Ok(body) => record.failed(Operation::WidgetConfig, body.to_string()),
        Err(status) => record.failed(Operation::WidgetConfig, format!("status {status}")),
    }

    let started = Instant::now();
    let start = persisted(
        "StartConversation",
        json!({ "input": { "clientKey": workshop.key, "pageUrl": format!("{SITE}/preise") } }),
    );
    let (conversation_id, token) = match post(sender, addr, ip, None, &start).await? {
        Ok(body) => {
            let payload = &body["data"]["startConversation"];
            match (
                payload["conversation"]["id"].as_str(),
                payload["visitorToken"].as_str(),
            ) {
                (Some(id), Some(token)) => {
                    record.took(Operation::StartConversation, started);
                    (id.to_owned(), token.to_owned())
                }
                _ => {
                    record.failed(Operation::StartConversation, body.to_string());
                    return Ok(());
                }
            }
        }
        Err(status) => {
            record.failed(Operation::StartConversation, format!("status {status}"));
            return Ok(());
        }
    };
    record.conversations.fetch_add(1, Ordering::Relaxed);
    workshop.expected.fetch_add(1, Ordering::Relaxed);

    // The widget follows its conversation from its start (`after: "0"`, as it resumes from its
    // last cursor), so that a message written before the subscription is in place is not
    // missed; its MESSAGE events are counted as they come.
    let started = Instant::now();
    let subscribe = persisted(
        "ConversationEvents",
        json!({ "id": conversation_id, "after": "0" }),
    );
    let live = Live::start_payload(url, Some(&token), Some(SITE), subscribe).await;
    let own = Arc::new(AtomicUsize::new(0));
    let follower = match live {
        Ok(mut live) => {
            record.took(Operation::Subscribe, started);
            let own = own.clone();
            Some(tokio::spawn(async move {
                while let Some(Ok(message)) = live.socket.next().await {
                    if let Message::Text(text) = message
                        && text.contains("\"kind\":\"MESSAGE\"")
                    {
                        own.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }))
        }
        Err(refused) => {
            record.failed(Operation::Subscribe, format!("{refused:?}"));
            None
        }
    };

    let mut expected_own = 0;
    for q in 0..QUESTIONS_PER_CONVERSATION {
        let started = Instant::now();
        let send = persisted(
            "SendMessage",
            json!({ "input": {
                "conversationId": conversation_id,
                "body": QUESTIONS[(n + q) % QUESTIONS.len()],
            } }),
        );
        match post(sender, addr, ip, Some(&token), &send).await? {
            Ok(body) if body["data"]["sendMessage"]["reply"]["body"].is_string() => {
                record.took(Operation::SendMessage, started);
                record.answered.fetch_add(1, Ordering::Relaxed);
                // The visitor's message and the answer, in the inbox and in the widget.
                workshop.expected.fetch_add(2, Ordering::Relaxed);
                expected_own += 2;
            }
            Ok(body) => record.failed(Operation::SendMessage, body.to_string()),
            Err(status) => record.failed(Operation::SendMessage, format!("status {status}")),
        }
        tokio::time::sleep(THINK).await;
    }
    if let Some(follower) = follower {
        let deadline = Instant::now() + GRACE;
        while own.load(Ordering::Relaxed) < expected_own && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        follower.abort();
        let got = own.load(Ordering::Relaxed);
        record
            .missing_own
            .fetch_add(expected_own.saturating_sub(got), Ordering::Relaxed);
    }
    Ok(())
}

/// POSTs a GraphQL request as the widget on `SITE` from `ip`; the body, or the status when it
/// was not 200. `Err` only when the connection broke.
async fn post(
    sender: &mut Sender,
    addr: &str,
    ip: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Result<Value, u16>> {
    let mut request = hyper::Request::post(format!("http://{addr}/graphql"))
        .header("host", addr)
        .header("content-type", "application/json")
        .header("origin", SITE)
        .header("x-forwarded-for", ip);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Full::new(Bytes::from(body.to_string())))?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await?.to_bytes();
    if status != 200 {
        return Ok(Err(status));
    }
    let value: Value = serde_json::from_slice(&bytes)?;
    if value.get("errors").is_some() {
        return Ok(Ok(json!({ "errors": value["errors"] })));
    }
    Ok(Ok(value))
}
