//! `send-message`: throughput of the widget's `sendMessage` against a bare axum handler that
//! does the same writes (one transaction: the message, the conversation's counters, the event;
//! then the event's JSON on a tokio broadcast channel) with diesel-async and a bb8 pool of the
//! app's size, on the same database.
//!
//! Two CarBot variants: the built-in assistant answering inside the request (as a visitor meets
//! it), and conversations the owner has taken over, where nobody answers — the like-for-like
//! comparison with the bare handler.
//!
//! The widget's abuse limits hold throughout: every conversation gets at most its 10 messages a
//! minute, every client IP (`X-Forwarded-For`; the test app trusts its proxy) at most 30 messages
//! and 3 conversations, every client key at most 250 messages. So the load moves on to fresh
//! conversations, addresses and keys, made before each round and not timed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use carbot_schema::chat::MessageRow;
use carbot_schema::chat::abuse_limits::{
    CONVERSATIONS_PER_IP_HOUR, MESSAGES_PER_IP_MINUTE, MESSAGES_PER_KEY_MINUTE,
    MESSAGES_PER_VISITOR_MINUTE,
};
use carbot_schema::db::schema::{conversations, events, messages};
use carbot_tests::chat::SITE;
use carbot_tests::{Owner, TestApp};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::bb8::Pool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::aims::{self, Aim};
use crate::client::{Sender, connect};
use crate::{median, statements_so_far, workshop_uuid};

/// The app's pool size in tests (`TestApp`), and so the baseline's.
const POOL_SIZE: u32 = 8;
const TEXT: &str = "Was kostet ein Ölwechsel beim Golf?";
const MESSAGES_PER_CONVERSATION: usize = MESSAGES_PER_VISITOR_MINUTE as usize;
/// Conversations per client IP: its messages stay within the per-IP limit.
const CONVERSATIONS_PER_IP: usize = (MESSAGES_PER_IP_MINUTE / MESSAGES_PER_VISITOR_MINUTE) as usize;
/// Conversations per client key: a sixth below the key's messages a minute.
const CONVERSATIONS_PER_KEY: usize =
    (MESSAGES_PER_KEY_MINUTE / MESSAGES_PER_VISITOR_MINUTE) as usize * 5 / 6;
const _: () = assert!(CONVERSATIONS_PER_IP as u32 <= CONVERSATIONS_PER_IP_HOUR);

const SEND_MESSAGE: &str = "mutation($input: SendMessageInput!) { sendMessage(input: $input) {
    message { id role body createdAt }
    reply { id role body offerLeadForm citedServices { name } }
    userErrors { code message } } }";
const START: &str = "mutation($input: StartConversationInput!) { startConversation(input: $input) {
    conversation { id } visitorToken userErrors { code message } } }";
const TAKE_OVER: &str =
    "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) {
    conversation { takenOver } userErrors { code message } } }";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Bare,
    TakenOver,
    Assistant,
}

impl Variant {
    const ALL: [Self; 3] = [Self::Bare, Self::TakenOver, Self::Assistant];

    fn index(self) -> usize {
        self as usize
    }

    fn path(self) -> &'static str {
        match self {
            Self::Bare => "/messages",
            Self::TakenOver | Self::Assistant => "/graphql",
        }
    }

    /// Whether a response is the success this variant promises (a refused or rate-limited
    /// request must not count as throughput).
    fn check(self, status: u16, body: &str) -> anyhow::Result<()> {
        let ok = status == 200
            && !body.contains("\"errors\"")
            && body.contains("\"userErrors\":[]")
            && match self {
                Self::Bare | Self::TakenOver => body.contains("\"reply\":null"),
                Self::Assistant => body.contains("\"reply\":{"),
            };
        let shown: String = body.chars().take(400).collect();
        anyhow::ensure!(ok, "{self:?}: unexpected answer {status} {shown}");
        Ok(())
    }
}

/// One conversation ready for its messages: what each of its requests carries.
struct Target {
    body: Bytes,
    bearer: Option<HeaderValue>,
    ip: HeaderValue,
}

/// Makes conversations (and the client keys and addresses they need) ahead of the rounds.
struct Supply<'a> {
    app: &'a TestApp,
    owner: Owner,
    workshop: Uuid,
    /// The key the bare handler's conversations belong to (any of the workshop's).
    bare_key: Uuid,
    key: String,
    on_key: usize,
    keys: usize,
    /// Conversations started so far through the API (their addresses follow from it).
    started: usize,
}

fn address(n: usize) -> HeaderValue {
    let n = n + 1;
    HeaderValue::from_str(&format!(
        "10.{}.{}.{}",
        (n >> 16) & 255,
        (n >> 8) & 255,
        n & 255
    ))
    .expect("an address is a valid header")
}

impl<'a> Supply<'a> {
    async fn new(app: &'a TestApp) -> anyhow::Result<Self> {
        let owner = app
            .register("durchsatz@autohaus-nord.de", "Autohaus Nord")
            .await;
        // Enterprise has no limit on client keys.
        app.subscribe(&owner, "ENTERPRISE").await;
        let workshop = workshop_uuid(&owner)?;
        let (key_id, key) = app.client_key(&owner, &[SITE]).await;
        let bare_key = carbot_schema::ids::decode(carbot_schema::ids::NodeType::ClientKey, &key_id)
            .ok_or_else(|| anyhow::anyhow!("not a client key id: {key_id}"))?;
        Ok(Self {
            app,
            owner,
            workshop,
            bare_key,
            key,
            on_key: 0,
            keys: 1,
            started: 0,
        })
    }

    async fn targets(&mut self, variant: Variant, count: usize) -> anyhow::Result<Vec<Target>> {
        if variant == Variant::Bare {
            return self.bare_targets(count).await;
        }
        let mut plan = Vec::with_capacity(count);
        for _ in 0..count {
            if self.on_key == CONVERSATIONS_PER_KEY {
                self.key = self.app.client_key(&self.owner, &[SITE]).await.1;
                self.on_key = 0;
                self.keys += 1;
            }
            self.on_key += 1;
            plan.push((
                self.key.clone(),
                address(self.started / CONVERSATIONS_PER_IP),
            ));
            self.started += 1;
        }
        let app = self.app;
        let owner_token = self.owner.access_token.clone();
        let made: Vec<anyhow::Result<Target>> = futures_util::stream::iter(plan)
            .map(|(key, ip)| {
                let owner_token = owner_token.clone();
                async move {
                    let (conversation, token) = start(app, &key, &ip).await?;
                    if variant == Variant::TakenOver {
                        let body = app
                            .gql(Some(&owner_token), TAKE_OVER, json!({ "id": conversation }))
                            .await;
                        anyhow::ensure!(
                            body["data"]["takeOverConversation"]["conversation"]["takenOver"]
                                == true,
                            "takeOverConversation: {body}"
                        );
                    }
                    let body = json!({
                        "query": SEND_MESSAGE,
                        "variables": { "input": { "conversationId": conversation, "body": TEXT } }
                    });
                    Ok(Target {
                        body: Bytes::from(body.to_string()),
                        bearer: Some(HeaderValue::from_str(&format!("Bearer {token}"))?),
                        ip,
                    })
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        made.into_iter().collect()
    }

    /// The bare handler's conversations, inserted directly.
    async fn bare_targets(&mut self, count: usize) -> anyhow::Result<Vec<Target>> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        let mut conn = self.app.db().await;
        let ids: Vec<Id> = diesel::sql_query(
            "INSERT INTO conversations (id, workshop_id, client_key_id, page_url)
             SELECT gen_random_uuid(), $1, $2, $3 FROM generate_series(1, $4) RETURNING id",
        )
        .bind::<diesel::sql_types::Uuid, _>(self.workshop)
        .bind::<diesel::sql_types::Uuid, _>(self.bare_key)
        .bind::<diesel::sql_types::Text, _>(format!("{SITE}/service"))
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(count)?)
        .load(&mut conn)
        .await?;
        Ok(ids
            .into_iter()
            .enumerate()
            .map(|(n, Id { id })| Target {
                body: Bytes::from(json!({ "conversationId": id, "body": TEXT }).to_string()),
                bearer: None,
                ip: address(n / CONVERSATIONS_PER_IP),
            })
            .collect())
    }
}

/// `startConversation` from the widget on `ip`; returns the conversation id and visitor token.
async fn start(app: &TestApp, key: &str, ip: &HeaderValue) -> anyhow::Result<(String, String)> {
    let response = app
        .client
        .post(app.graphql_url())
        .header("origin", SITE)
        .header("x-forwarded-for", ip.clone())
        .json(&json!({
            "query": START,
            "variables": { "input": { "clientKey": key, "pageUrl": format!("{SITE}/service") } }
        }))
        .send()
        .await?;
    let body: Value = response.json().await?;
    let payload = &body["data"]["startConversation"];
    match (
        payload["conversation"]["id"].as_str(),
        payload["visitorToken"].as_str(),
    ) {
        (Some(id), Some(token)) => Ok((id.to_owned(), token.to_owned())),
        _ => anyhow::bail!("startConversation: {body}"),
    }
}

fn request(addr: &str, path: &str, target: &Target) -> hyper::Request<Full<Bytes>> {
    let mut request = hyper::Request::post(format!("http://{addr}{path}"))
        .header("host", addr)
        .header("content-type", "application/json")
        .header("origin", SITE)
        .header("x-forwarded-for", target.ip.clone());
    if let Some(bearer) = &target.bearer {
        request = request.header("authorization", bearer.clone());
    }
    request
        .body(Full::new(target.body.clone()))
        .expect("a valid request")
}

struct Outcome {
    rate: f64,
    /// Some worker found no fresh conversation before the round ended.
    ran_out: bool,
}

async fn round(
    addr: &str,
    variant: Variant,
    queue: &Arc<Mutex<VecDeque<Target>>>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let addr = addr.to_owned();
        let queue = queue.clone();
        workers.push(tokio::spawn(async move {
            let mut sender: Sender = connect(&addr).await?;
            let (mut done, mut ran_out) = (0u64, false);
            'conversations: while started.elapsed() < duration {
                let next = queue
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .pop_front();
                let Some(target) = next else {
                    ran_out = true;
                    break;
                };
                for _ in 0..MESSAGES_PER_CONVERSATION {
                    if started.elapsed() >= duration {
                        break 'conversations;
                    }
                    let response = sender
                        .send_request(request(&addr, variant.path(), &target))
                        .await?;
                    let status = response.status().as_u16();
                    let body = response.into_body().collect().await?.to_bytes();
                    variant.check(status, &String::from_utf8_lossy(&body))?;
                    done += 1;
                }
            }
            anyhow::Ok((done, ran_out))
        }));
    }
    let (mut total, mut ran_out) = (0, false);
    for worker in workers {
        let (done, out) = worker.await??;
        total += done;
        ran_out |= out;
    }
    Ok(Outcome {
        rate: total as f64 / started.elapsed().as_secs_f64(),
        ran_out,
    })
}

pub async fn run(seconds: u64, connections: usize) -> anyhow::Result<()> {
    let app = TestApp::new().await;
    let mut supply = Supply::new(&app).await?;
    let carbot_addr = app.url.trim_start_matches("http://").to_owned();
    let bare_addr = bare::start(&app.database_url, supply.workshop).await?;
    let queues: [Arc<Mutex<VecDeque<Target>>>; 3] = Default::default();
    // Requests a second each variant is expected to reach, to size the supply of conversations.
    let mut expected = [1_000.0_f64; 3];
    let mut rates: [Vec<f64>; 3] = Default::default();
    // A warm-up round of a second each (not counted), then three alternating rounds.
    for (round_number, length) in std::iter::once(Duration::from_secs(1))
        .chain(std::iter::repeat_n(Duration::from_secs(seconds), 3))
        .enumerate()
    {
        for variant in Variant::ALL {
            let i = variant.index();
            let addr = if variant == Variant::Bare {
                &bare_addr
            } else {
                &carbot_addr
            };
            for attempt in 0.. {
                let needed = (expected[i] * length.as_secs_f64() * 1.5
                    / MESSAGES_PER_CONVERSATION as f64)
                    .ceil() as usize
                    + 2 * connections;
                let queued = queues[i]
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .len();
                if queued < needed {
                    let fresh = supply.targets(variant, needed - queued).await?;
                    queues[i]
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .extend(fresh);
                }
                let outcome = round(addr, variant, &queues[i], connections, length).await?;
                expected[i] = expected[i].max(outcome.rate);
                if outcome.ran_out && attempt < 3 {
                    // Too few conversations were ready: this round measured set-up, not load.
                    expected[i] *= 2.0;
                    continue;
                }
                anyhow::ensure!(
                    !outcome.ran_out,
                    "{variant:?}: ran out of conversations four times"
                );
                if round_number > 0 {
                    rates[i].push(outcome.rate);
                }
                break;
            }
        }
    }
    let [bare, taken_over, assistant] = rates.map(median);
    let answered = statements_per_message(&app, &mut supply, Variant::Assistant).await?;
    let unanswered = statements_per_message(&app, &mut supply, Variant::TakenOver).await?;
    println!(
        "send-message — {connections} connections, rounds: 3 × {seconds} s each (after 1 s warm-up), medians:"
    );
    println!("  bare axum + diesel-async (same transaction, broadcast): {bare:>8.0} req/s");
    println!("  sendMessage, taken over (nobody answers):              {taken_over:>8.0} req/s");
    println!("  sendMessage, built-in assistant answers in-request:    {assistant:>8.0} req/s");
    println!(
        "  {}",
        aims::check(
            "send-message: taken over / bare",
            taken_over / bare,
            Aim::AtLeast(0.8)
        )
    );
    println!(
        "  {}",
        aims::check(
            "send-message: assistant answers / bare",
            assistant / bare,
            Aim::AtLeast(0.3)
        )
    );
    println!(
        "  SQL statements per message, one at a time (median of {STATEMENT_RUNS}; runs {}–{} answered, {}–{} taken over):",
        answered[0],
        answered[STATEMENT_RUNS - 1],
        unanswered[0],
        unanswered[STATEMENT_RUNS - 1],
    );
    println!(
        "  {}",
        aims::check(
            "send-message: statements per answered message",
            answered[answered.len() / 2] as f64,
            Aim::AtMost(6.0)
        )
    );
    println!(
        "    taken over (nobody answers): {}",
        unanswered[unanswered.len() / 2]
    );
    println!(
        "  ({} conversations started through the API on {} client keys)",
        supply.started, supply.keys
    );
    Ok(())
}

const STATEMENT_RUNS: usize = 5;

/// The SQL statements of `sendMessage`, one request at a time on a fresh conversation (the
/// token check included), sorted: the process's counter before and after each request.
async fn statements_per_message(
    app: &TestApp,
    supply: &mut Supply<'_>,
    variant: Variant,
) -> anyhow::Result<Vec<u64>> {
    let addr = app.url.trim_start_matches("http://").to_owned();
    let target = supply
        .targets(variant, 1)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no conversation was made"))?;
    let mut sender: Sender = connect(&addr).await?;
    let mut counts = Vec::with_capacity(STATEMENT_RUNS);
    for _ in 0..STATEMENT_RUNS {
        let before = statements_so_far(app).await?;
        let response = sender
            .send_request(request(&addr, variant.path(), &target))
            .await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        let after = statements_so_far(app).await?;
        variant.check(status, &String::from_utf8_lossy(&body))?;
        counts.push(after - before);
    }
    counts.sort_unstable();
    Ok(counts)
}

/// The baseline server.
mod bare {
    use super::*;

    #[derive(Clone)]
    struct Bare {
        pool: Pool<AsyncPgConnection>,
        workshop_id: Uuid,
        events: broadcast::Sender<Arc<str>>,
    }

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Input {
        conversation_id: Uuid,
        body: String,
    }

    type Failure = (StatusCode, String);

    fn failed(error: impl std::fmt::Display) -> Failure {
        (StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }

    async fn send(
        State(bare): State<Bare>,
        axum::Json(input): axum::Json<Input>,
    ) -> Result<axum::Json<Value>, Failure> {
        let workshop_id = bare.workshop_id;
        let conversation_id = input.conversation_id;
        let mut conn = bare.pool.get().await.map_err(failed)?;
        let (row, event_id, created_at) = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                let row: MessageRow = diesel::insert_into(messages::table)
                    .values((
                        messages::id.eq(Uuid::now_v7()),
                        messages::conversation_id.eq(conversation_id),
                        messages::workshop_id.eq(workshop_id),
                        messages::role.eq("VISITOR"),
                        messages::body.eq(input.body),
                    ))
                    .returning(MessageRow::as_returning())
                    .get_result(conn)
                    .await?;
                diesel::update(conversations::table.find(conversation_id))
                    .set((
                        conversations::message_count.eq(conversations::message_count + 1),
                        conversations::last_message_at.eq(row.created_at),
                    ))
                    .execute(conn)
                    .await?;
                let payload = json!({ "messageId": row.id, "conversationId": conversation_id });
                let (event_id, created_at): (i64, DateTime<Utc>) =
                    diesel::insert_into(events::table)
                        .values((
                            events::workshop_id.eq(workshop_id),
                            events::conversation_id.eq(Some(conversation_id)),
                            events::kind.eq("MESSAGE"),
                            events::payload.eq(&payload),
                        ))
                        .returning((events::id, events::created_at))
                        .get_result(conn)
                        .await?;
                Ok((row, event_id, created_at))
            })
            .await
            .map_err(failed)?;
        drop(conn);
        let event = carbot_schema::events::StoredEvent {
            id: Some(event_id),
            workshop_id,
            conversation_id: Some(conversation_id),
            lead_id: None,
            created_at,
            event: carbot_schema::events::Event::Message {
                message_id: row.id,
                conversation_id,
            },
        };
        let _ = bare
            .events
            .send(serde_json::to_string(&event).map_err(failed)?.into());
        Ok(axum::Json(json!({ "data": { "sendMessage": {
            "message": { "id": row.id, "role": row.role, "body": row.body, "createdAt": row.created_at },
            "reply": null,
            "userErrors": [],
        } } })))
    }

    /// Starts the bare handler on its own pool; returns its address.
    pub async fn start(database_url: &str, workshop_id: Uuid) -> anyhow::Result<String> {
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .build(AsyncDieselConnectionManager::<AsyncPgConnection>::new(
                database_url,
            ))
            .await?;
        let router = axum::Router::new()
            .route("/messages", post(send))
            .with_state(Bare {
                pool,
                workshop_id,
                events: broadcast::channel(4096).0,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(addr)
    }
}
