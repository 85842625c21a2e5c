//! `fanout`: how fast one message reaches 1,000 live subscribers of a conversation, against a
//! bare WebSocket broadcast server sending the very same text to 1,000 plain WebSocket clients.
//!
//! Both sides are measured the same way: the time is taken just before the publishing HTTP
//! request (`sendOwnerMessage` on a taken-over conversation, so no assistant runs; the bare
//! server's `POST /publish`) and again when a subscriber has the frame; every client parses the
//! frame's JSON to find which message it is. CarBot's figure thus includes its write of the
//! message to the database before the event goes out.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use carbot_tests::TestApp;
use carbot_tests::chat::{CONVERSATION_EVENTS, Live, SITE, Socket};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{ensure_open_files, median, percentile, raw_ws};

const SUBSCRIBERS: usize = 1_000;
const MESSAGES: usize = 50;
/// The load (50 messages a second to 1,000 subscribers: 50,000 deliveries a second),
/// then one message at a time (each fan-out done before the next message).
const CADENCES: [Duration; 2] = [Duration::from_millis(20), Duration::from_millis(200)];
const ROUNDS: usize = 3;
/// How long after the last message a subscriber may still get it before it counts as missing.
const GRACE: Duration = Duration::from_secs(30);
const WARM_UP: &str = "warm-up";

const TAKE_OVER: &str =
    "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) {
    conversation { takenOver } userErrors { code message } } }";
const SEND_OWNER_MESSAGE: &str = "mutation($id: ID!, $body: String!) {
    sendOwnerMessage(input: { conversationId: $id, body: $body }) { message { id } userErrors { code message } } }";

struct Delivery {
    round: usize,
    index: usize,
    at: Instant,
}

/// What one subscriber received.
#[derive(Default)]
struct Inbox {
    warm: AtomicBool,
    /// Deliveries of all subscribers of the side, shared.
    delivered: Arc<AtomicUsize>,
    deliveries: Mutex<Vec<Delivery>>,
    /// The frames themselves (kept by one subscriber per side), for the baseline to send.
    texts: Option<Mutex<Vec<(usize, usize, String)>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn message_body(round: usize, index: usize) -> String {
    format!("Runde {round} Nachricht {index}")
}

fn parse_body(body: &str) -> Option<(usize, usize)> {
    let mut words = body.split_whitespace();
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("Runde"), Some(round), Some("Nachricht"), Some(index)) => {
            Some((round.parse().ok()?, index.parse().ok()?))
        }
        _ => None,
    }
}

/// Reads frames until the socket closes; the same for CarBot's subscribers and the baseline's.
async fn read(mut socket: Socket, inbox: Arc<Inbox>) {
    while let Some(Ok(frame)) = socket.next().await {
        let Message::Text(text) = frame else { continue };
        let at = Instant::now();
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match message["type"].as_str() {
            Some("ping") => {
                let pong = Message::Text(json!({ "type": "pong" }).to_string().into());
                if socket.send(pong).await.is_err() {
                    break;
                }
            }
            Some("next") => {
                let body = message["payload"]["data"]["conversationEvents"]["message"]["body"]
                    .as_str()
                    .unwrap_or_default();
                if body == WARM_UP {
                    inbox.warm.store(true, Ordering::Relaxed);
                } else if let Some((round, index)) = parse_body(body) {
                    lock(&inbox.deliveries).push(Delivery { round, index, at });
                    inbox.delivered.fetch_add(1, Ordering::Relaxed);
                    if let Some(texts) = &inbox.texts {
                        lock(texts).push((round, index, text.as_str().to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// One side's subscribers.
struct Audience {
    name: &'static str,
    inboxes: Vec<Arc<Inbox>>,
    delivered: Arc<AtomicUsize>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Audience {
    /// Closes the clients' sockets (the servers see them go).
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

impl Audience {
    fn listen(name: &'static str, sockets: Vec<Socket>) -> Self {
        let delivered = Arc::new(AtomicUsize::new(0));
        let inboxes: Vec<Arc<Inbox>> = (0..sockets.len())
            .map(|n| {
                Arc::new(Inbox {
                    delivered: delivered.clone(),
                    texts: (n == 0).then(Mutex::default),
                    ..Inbox::default()
                })
            })
            .collect();
        let readers = sockets
            .into_iter()
            .zip(&inboxes)
            .map(|(socket, inbox)| tokio::spawn(read(socket, inbox.clone())))
            .collect();
        Self {
            name,
            inboxes,
            delivered,
            readers,
        }
    }

    fn warm(&self) -> usize {
        self.inboxes
            .iter()
            .filter(|i| i.warm.load(Ordering::Relaxed))
            .count()
    }

    /// Publishes the warm-up message until every subscriber has had it: then all are live.
    async fn warm_up<F: Future<Output = anyhow::Result<Duration>>>(
        &self,
        publish: impl Fn() -> F,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.warm() < self.inboxes.len() {
            anyhow::ensure!(
                Instant::now() < deadline,
                "{}: only {} of {} subscribers are live after a minute",
                self.name,
                self.warm(),
                self.inboxes.len()
            );
            publish().await?;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    /// Publishes `MESSAGES` messages `interval` apart and measures their delivery.
    async fn round<F>(
        &self,
        round: usize,
        interval: Duration,
        publish: impl Fn(usize) -> F,
    ) -> anyhow::Result<RoundResult>
    where
        F: Future<Output = anyhow::Result<Duration>> + Send + 'static,
    {
        let mut sent = Vec::with_capacity(MESSAGES);
        let mut requests = Vec::with_capacity(MESSAGES);
        let delivered_before = self.delivered.load(Ordering::Relaxed);
        let mut tick = tokio::time::interval(interval);
        for index in 0..MESSAGES {
            tick.tick().await;
            sent.push(Instant::now());
            requests.push(tokio::spawn(publish(index)));
        }
        let mut request_ms = Vec::with_capacity(MESSAGES);
        for request in requests {
            request_ms.push(request.await??.as_secs_f64() * 1e3);
        }
        let expected = self.inboxes.len() * MESSAGES;
        let deadline = Instant::now() + GRACE;
        while self.delivered.load(Ordering::Relaxed) - delivered_before < expected
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (mut latencies, mut missing, mut duplicates) = (Vec::with_capacity(expected), 0, 0);
        for inbox in &self.inboxes {
            let mut seen = [false; MESSAGES];
            for delivery in lock(&inbox.deliveries).iter().filter(|d| d.round == round) {
                if std::mem::replace(&mut seen[delivery.index], true) {
                    duplicates += 1;
                } else {
                    latencies.push((delivery.at - sent[delivery.index]).as_secs_f64() * 1e3);
                }
            }
            missing += seen.iter().filter(|s| !**s).count();
        }
        latencies.sort_by(f64::total_cmp);
        request_ms.sort_by(f64::total_cmp);
        Ok(RoundResult {
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or(f64::NAN),
            request_p50: percentile(&request_ms, 0.50),
            missing,
            duplicates,
        })
    }

    /// The frames subscriber 0 received in `round`, by message index.
    fn texts(&self, round: usize) -> anyhow::Result<Vec<String>> {
        let mut texts = vec![None; MESSAGES];
        if let Some(kept) = &self.inboxes[0].texts {
            for (r, index, text) in lock(kept).iter() {
                if *r == round {
                    texts[*index] = Some(text.clone());
                }
            }
        }
        texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.ok_or_else(|| anyhow::anyhow!("subscriber 0 missed message {i}")))
            .collect()
    }
}

struct RoundResult {
    p50: f64,
    p99: f64,
    max: f64,
    request_p50: f64,
    missing: usize,
    duplicates: usize,
}

/// Opens `count` sockets with `open`, a few at a time.
async fn open_all<F>(count: usize, open: impl Fn() -> F) -> anyhow::Result<Vec<Socket>>
where
    F: Future<Output = anyhow::Result<Socket>>,
{
    futures_util::stream::iter((0..count).map(|_| open()))
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// POSTs and returns how long the request took.
async fn timed_post(request: reqwest::RequestBuilder) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let body = response.text().await?;
    anyhow::ensure!(
        status == 200 && !body.contains("\"errors\"") && !body.contains("\"code\""),
        "publishing failed: {status} {body}"
    );
    Ok(started.elapsed())
}

pub async fn run() -> anyhow::Result<()> {
    // Both sides' clients and servers live in this process: four sockets per subscriber.
    ensure_open_files(4 * SUBSCRIBERS as u64 + 512)?;
    let app = TestApp::new().await;
    let owner = app
        .register("fanout@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let conversation = visitor.conversation_id.clone();
    let taken = app
        .gql(
            Some(&owner.access_token),
            TAKE_OVER,
            json!({ "id": conversation }),
        )
        .await;
    anyhow::ensure!(
        taken["data"]["takeOverConversation"]["conversation"]["takenOver"] == true,
        "takeOverConversation: {taken}"
    );

    let carbot = Audience::listen(
        "CarBot",
        open_all(SUBSCRIBERS, || async {
            Live::start(
                &app.url,
                Some(&owner.access_token),
                None,
                CONVERSATION_EVENTS,
                json!({ "id": conversation }),
            )
            .await
            .map(|live| live.socket)
            .map_err(|refused| anyhow::anyhow!("subscription refused: {refused:?}"))
        })
        .await?,
    );
    let raw_addr = raw_ws::start().await?;
    let raw = Audience::listen(
        "bare WebSocket",
        open_all(SUBSCRIBERS, || async {
            Ok(
                tokio_tungstenite::connect_async(format!("ws://{raw_addr}/ws"))
                    .await?
                    .0,
            )
        })
        .await?,
    );

    let client = reqwest::Client::new();
    let graphql = app.graphql_url();
    let publish_url = format!("http://{raw_addr}/publish");
    let carbot_publish = |body: String| {
        timed_post(
            client
                .post(&graphql)
                .bearer_auth(&owner.access_token)
                .json(&json!({
                    "query": SEND_OWNER_MESSAGE,
                    "variables": { "id": conversation, "body": body }
                })),
        )
    };
    let raw_publish = |text: String| timed_post(client.post(&publish_url).body(text));
    carbot.warm_up(|| carbot_publish(WARM_UP.into())).await?;
    let warm_up_frame = json!({ "id": "1", "type": "next", "payload": { "data": {
        "conversationEvents": { "message": { "body": WARM_UP } } } } });
    raw.warm_up(|| raw_publish(warm_up_frame.to_string()))
        .await?;

    let mut failures = 0;
    for (cadence, interval) in CADENCES.into_iter().enumerate() {
        let (mut carbot_rounds, mut raw_rounds) = (Vec::new(), Vec::new());
        for n in 0..ROUNDS {
            let round = cadence * ROUNDS + n;
            carbot_rounds.push(
                carbot
                    .round(round, interval, |index| {
                        carbot_publish(message_body(round, index))
                    })
                    .await?,
            );
            let texts = carbot.texts(round)?;
            raw_rounds.push(
                raw.round(round, interval, |index| raw_publish(texts[index].clone()))
                    .await?,
            );
        }
        failures += report(interval, &raw_rounds, &carbot_rounds);
    }
    anyhow::ensure!(
        failures == 0,
        "some subscribers missed messages or got them twice"
    );
    Ok(())
}

/// Prints one cadence's results; returns the missing and duplicate deliveries.
fn report(interval: Duration, raw: &[RoundResult], carbot: &[RoundResult]) -> usize {
    println!(
        "fanout — {SUBSCRIBERS} subscribers of one conversation, {ROUNDS} rounds × {MESSAGES} messages {} ms apart, medians of the rounds:",
        interval.as_millis()
    );
    println!(
        "                               p50 ms    p99 ms    max ms   missing   publish request p50"
    );
    let mut p99 = Vec::new();
    let mut failures = 0;
    for (name, rounds) in [
        ("bare WebSocket broadcast:", raw),
        ("CarBot conversationEvents:", carbot),
    ] {
        let pick = |f: fn(&RoundResult) -> f64| median(rounds.iter().map(f).collect());
        let missing: usize = rounds.iter().map(|r| r.missing).sum();
        let duplicates: usize = rounds.iter().map(|r| r.duplicates).sum();
        failures += missing + duplicates;
        p99.push(pick(|r| r.p99));
        println!(
            "  {name:<27} {:>8.1}  {:>8.1}  {:>8.1}  {missing:>8}   {:>8.1} ms{}",
            pick(|r| r.p50),
            pick(|r| r.p99),
            pick(|r| r.max),
            pick(|r| r.request_p50),
            if duplicates > 0 {
                format!("   duplicates: {duplicates}")
            } else {
                String::new()
            }
        );
    }
    let (name, aim) = if interval < Duration::from_millis(100) {
        ("fanout 50/s: p99 CarBot / bare", 1.3)
    } else {
        ("fanout 5/s: p99 CarBot / bare", 1.1)
    };
    println!(
        "  {}",
        crate::aims::check(name, p99[1] / p99[0], crate::aims::Aim::AtMost(aim))
    );
    println!(
        "  missing: {failures} (of {} deliveries per side)",
        ROUNDS * MESSAGES * SUBSCRIBERS
    );
    failures
}
