//! `workshops`: fan-out across many workshops, against a release `carbot serve` of its own on
//! Redis (the benchmark's own `redis-server`), so that the server's CPU is measured apart from
//! the clients'.
//!
//! Events are published to Redis by this process through the platform's own bus, as another
//! `carbot serve` publishes them: one event (a conversation taken over) is read, resolved and
//! sent by the server without a request or a write of its own, so that the figures are those
//! of delivery alone.
//!
//! 1. CPU per delivery: 100 events a second for 10 s to one workshop's 5 `conversationEvents`
//!    subscribers, with no other workshop connected (one a second would be too little CPU to
//!    read; one conversation's subscription resolves its events one after the other, and 100
//!    a second is well within what it keeps up with); then with 1,000 workshops of 5
//!    subscribers each connected, one event a second to each workshop. The aim: the second
//!    within 1.2× of the first (an event's cost does not grow with the workshops connected).
//! 2. 10,000 idle subscribers (1,000 workshops, 5 `conversationEvents` and 5 `inboxEvents` each),
//!    then one event to every workshop at once: all 10,000 delivered, on average within 1 s.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use carbot_schema::events::{Envelope, Event, EventBus, StoredEvent};
use carbot_schema::ids::{self, NodeType};
use carbot_tests::TestApp;
use carbot_tests::chat::{CONVERSATION_EVENTS, INBOX_EVENTS, Live, SITE, persisted};
use carbot_tests::redis::TestRedis;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::aims::{self, Aim};
use crate::memory::Server;
use crate::{ensure_open_files, percentile, workshop_uuid};

const WORKSHOPS: usize = 1_000;
const SUBSCRIBERS: usize = 5;
/// Events a second to the one workshop connected alone (part 1).
const ALONE_EVENTS_PER_SECOND: usize = 100;
const MEASURED: Duration = Duration::from_secs(10);
/// How long after the last event a delivery may still come before it counts as missing.
const GRACE: Duration = Duration::from_secs(10);
/// Sockets opened at once.
const OPENING: usize = 64;

struct Workshop {
    token: String,
    id: Uuid,
    conversation: Uuid,
    conversation_gid: String,
    /// When this workshop's event of part 2 was published.
    published: OnceLock<Instant>,
}

/// What the subscribers received, all together.
#[derive(Default)]
struct Received {
    frames: AtomicUsize,
    /// Part 2: each delivery's latency after its workshop's event was published.
    timing: AtomicBool,
    latencies_ms: Mutex<Vec<f64>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub async fn run() -> anyhow::Result<()> {
    // Ten thousand sockets in this process (the server's are its own).
    ensure_open_files((2 * WORKSHOPS * SUBSCRIBERS + 1_024) as u64)?;
    let redis = TestRedis::start();
    let prefix = format!("bench{}", Uuid::new_v4().simple());
    let app = TestApp::new().await;
    let started = Instant::now();
    let workshops = Arc::new(set_up(&app).await?);
    eprintln!(
        "workshops: {WORKSHOPS} workshops set up in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let server = Server::carbot_with(
        &app.database_url,
        &[
            ("REDIS_URL", redis.url.as_str()),
            ("CARBOT_REDIS_PREFIX", prefix.as_str()),
            ("CARBOT_BACKUP_SCHEDULE", "off"),
        ],
    )
    .await?;
    let url = format!("http://{}", server.addr);
    let bus = carbot_schema::redis_backend::RedisEventBus::connect(&redis.url, &prefix).await?;
    let received = Arc::new(Received::default());
    let mut readers = Vec::new();

    // 1. One workshop alone, then all of them.
    readers.extend(subscribe(&url, &workshops, 0..1, CONVERSATION_EVENTS, &received).await?);
    let alone = measure(
        &server,
        &bus,
        &workshops[..1],
        ALONE_EVENTS_PER_SECOND,
        &received,
    )
    .await?;
    readers.extend(
        subscribe(
            &url,
            &workshops,
            1..WORKSHOPS,
            CONVERSATION_EVENTS,
            &received,
        )
        .await?,
    );
    let all = measure(&server, &bus, &workshops, WORKSHOPS, &received).await?;
    println!(
        "workshops — server CPU per delivery, events for {} s, {SUBSCRIBERS} subscribers per workshop, release carbot serve on Redis, {} cores:",
        MEASURED.as_secs(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "                                          deliveries   missing   CPU s   µs per delivery"
    );
    for (name, m) in [
        ("1 workshop connected, 100 events/s:", &alone),
        ("1,000 workshops, 1 event/s to each:", &all),
    ] {
        println!(
            "  {name:<40} {:>10}  {:>8}  {:>6.2}  {:>10.1}",
            m.delivered,
            m.expected.saturating_sub(m.delivered),
            m.cpu,
            m.per_delivery_us()
        );
    }
    println!(
        "  {}",
        aims::check(
            "workshops: CPU per delivery, 1,000 workshops / 1",
            all.per_delivery_us() / alone.per_delivery_us(),
            Aim::AtMost(1.2)
        )
    );
    let missing =
        alone.expected.saturating_sub(alone.delivered) + all.expected.saturating_sub(all.delivered);

    // 2. Twice as many subscribers, idle; then an event to each workshop at once.
    readers.extend(subscribe(&url, &workshops, 0..WORKSHOPS, INBOX_EVENTS, &received).await?);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_mb = server.rss_kib().await? / 1024.0;
    let before = received.frames.load(Ordering::Relaxed);
    received.timing.store(true, Ordering::Relaxed);
    let burst = Instant::now();
    let mut next_id = event_ids();
    for workshop in workshops.iter() {
        let _ = workshop.published.set(Instant::now());
        bus.publish(taken_over(workshop, next_id())).await;
    }
    let publishing = burst.elapsed();
    let expected = 2 * SUBSCRIBERS * WORKSHOPS;
    let deadline = Instant::now() + GRACE;
    while received.frames.load(Ordering::Relaxed) - before < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = received.frames.load(Ordering::Relaxed) - before;
    let mut latencies = lock(&received.latencies_ms).clone();
    latencies.sort_by(f64::total_cmp);
    let average = latencies.iter().sum::<f64>() / latencies.len().max(1) as f64;
    println!(
        "workshops — {expected} idle subscribers ({WORKSHOPS} workshops × {SUBSCRIBERS} conversationEvents + {SUBSCRIBERS} inboxEvents; server {rss_mb:.0} MB resident), then one event to each workshop ({:.0} ms to publish all):",
        publishing.as_secs_f64() * 1e3
    );
    println!(
        "  delivered {delivered} of {expected}; after its event: average {average:.0} ms, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  {}",
        aims::check(
            "workshops: 10,000 idle, average ms to deliver",
            average,
            Aim::AtMost(1_000.0)
        )
    );
    println!(
        "  {}",
        aims::check(
            "workshops: deliveries missing",
            (missing + expected.saturating_sub(delivered)) as f64,
            Aim::AtMost(0.0)
        )
    );
    for reader in readers {
        reader.abort();
    }
    drop(server);
    drop(redis);
    Ok(())
}

struct Measured {
    expected: usize,
    delivered: usize,
    cpu: f64,
}

impl Measured {
    fn per_delivery_us(&self) -> f64 {
        1e6 * self.cpu / self.delivered.max(1) as f64
    }
}

/// Event ids far above the table's, so that no follower takes one for an event it has seen.
fn event_ids() -> impl FnMut() -> i64 {
    let mut next = (1_i64 << 40) + i64::from(rand_start());
    move || {
        next += 1;
        next
    }
}

fn rand_start() -> u32 {
    Uuid::new_v4().as_u128() as u32
}

fn taken_over(workshop: &Workshop, id: i64) -> Envelope {
    let event = StoredEvent {
        id: Some(id),
        workshop_id: workshop.id,
        conversation_id: Some(workshop.conversation),
        lead_id: None,
        created_at: chrono::Utc::now(),
        event: Event::TakenOver {
            conversation_id: workshop.conversation,
        },
    };
    let payload = serde_json::to_string(&event).expect("an event serializes");
    Envelope::of_event(&event, payload)
}

/// `per_second` events a second for `MEASURED`, spread over `workshops` in turn; the server's
/// CPU from the first event until the last delivery.
async fn measure(
    server: &Server,
    bus: &dyn EventBus,
    workshops: &[Workshop],
    per_second: usize,
    received: &Received,
) -> anyhow::Result<Measured> {
    // Let the sockets opened last settle before the reading.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = received.frames.load(Ordering::Relaxed);
    let cpu_before = server.cpu_seconds()?;
    let total = per_second * MEASURED.as_secs() as usize;
    let interval = Duration::from_secs(1) / per_second as u32;
    let started = tokio::time::Instant::now();
    let mut next_id = event_ids();
    for n in 0..total {
        tokio::time::sleep_until(started + interval * n as u32).await;
        bus.publish(taken_over(&workshops[n % workshops.len()], next_id()))
            .await;
    }
    let expected = total * SUBSCRIBERS;
    let deadline = Instant::now() + GRACE;
    while received.frames.load(Ordering::Relaxed) - before < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Measured {
        expected,
        delivered: received.frames.load(Ordering::Relaxed) - before,
        cpu: server.cpu_seconds()? - cpu_before,
    })
}

/// `SUBSCRIBERS` subscriptions of `query` for each workshop of `range`, each read by a task
/// that counts its frames.
async fn subscribe(
    url: &str,
    workshops: &Arc<Vec<Workshop>>,
    range: std::ops::Range<usize>,
    query: &'static str,
    received: &Arc<Received>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let jobs = range.flat_map(|n| std::iter::repeat_n(n, SUBSCRIBERS));
    futures_util::stream::iter(jobs)
        .map(|n| async move {
            let workshop = &workshops[n];
            let live = Live::start(
                url,
                Some(&workshop.token),
                None,
                query,
                json!({ "id": workshop.conversation_gid }),
            )
            .await
            .map_err(|refused| anyhow::anyhow!("subscription refused: {refused:?}"))?;
            Ok::<_, anyhow::Error>(tokio::spawn(read(
                live,
                received.clone(),
                workshops.clone(),
                n,
            )))
        })
        .buffer_unordered(OPENING)
        .try_collect()
        .await
}

/// Counts the subscription's frames; in part 2 also how long each took after its event.
async fn read(mut live: Live, received: Arc<Received>, workshops: Arc<Vec<Workshop>>, n: usize) {
    while let Some(Ok(frame)) = live.socket.next().await {
        let Message::Text(text) = frame else { continue };
        if !text.contains("\"next\"") {
            continue;
        }
        let at = Instant::now();
        received.frames.fetch_add(1, Ordering::Relaxed);
        if received.timing.load(Ordering::Relaxed)
            && let Some(published) = workshops[n].published.get()
        {
            lock(&received.latencies_ms).push(1e3 * (at - *published).as_secs_f64());
        }
    }
}

/// Registers the workshops (each from its own address, as the limits want) and starts a
/// conversation on each.
async fn set_up(app: &TestApp) -> anyhow::Result<Vec<Workshop>> {
    futures_util::stream::iter(0..WORKSHOPS)
        .map(|n| async move {
            let address = format!("10.251.{}.{}", n / 200, n % 200 + 1);
            let owner = app
                .register_from(
                    &format!("chef{n}@betrieb-{n}.de"),
                    &format!("Betrieb {n}"),
                    &address,
                )
                .await;
            let (_, key) = app.client_key(&owner, &[SITE]).await;
            let body: Value = app
                .client
                .post(app.graphql_url())
                .header("origin", SITE)
                .header("x-forwarded-for", &address)
                .json(&persisted(
                    "StartConversation",
                    json!({ "input": { "clientKey": key, "pageUrl": format!("{SITE}/service") } }),
                ))
                .send()
                .await?
                .json()
                .await?;
            let conversation_gid = body["data"]["startConversation"]["conversation"]["id"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("startConversation: {body}"))?
                .to_owned();
            Ok::<_, anyhow::Error>(Workshop {
                id: workshop_uuid(&owner)?,
                conversation: ids::decode(NodeType::Conversation, &conversation_gid)
                    .ok_or_else(|| anyhow::anyhow!("not a conversation id: {conversation_gid}"))?,
                conversation_gid,
                token: owner.access_token,
                published: OnceLock::new(),
            })
        })
        .buffered(8)
        .try_collect()
        .await
}
