//! Events: how a change reaches live subscribers, in this process and in every other.
//!
//! A change writes its event into the `events` table in its own transaction ([`record`]), and
//! after the commit hands it to the [`EventBus`] ([`publish`]). Subscribers [`follow`] the bus and
//! read the table to resume after the last event they saw, and again whenever the bus reports
//! that it may have dropped something (a Redis reconnect). So a crash between commit and publish,
//! a Redis outage or a dropped WebSocket delays events but loses none.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::db::Pool;
use crate::db::schema::events;
use crate::error::ApiResult;

/// One message on the bus; `payload` is a serialized [`StoredEvent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub workshop_id: Uuid,
    pub topic: String,
    pub payload: Arc<str>,
}

/// The topic of workshop events.
pub const TOPIC: &str = "events";
/// Sent to every subscriber when the bus may have missed messages: read the table again.
pub const RESYNC: &str = "resync";

#[async_trait::async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    async fn publish(&self, event: Event);
    /// Events of `workshop_id` on `topic` published after this call, plus [`RESYNC`] markers.
    fn subscribe(&self, workshop_id: Uuid, topic: &str) -> BoxStream<'static, Event>;
    /// `in-process`, `redis` or `redis-degraded`, for `/readyz` and logs.
    fn status(&self) -> &'static str;
}

/// Delivers within this process only: the default without `REDIS_URL`.
#[derive(Debug)]
pub struct InProcessEventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for InProcessEventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(4096).0,
        }
    }
}

#[async_trait::async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, event: Event) {
        // No subscriber is not an error: events are also stored with the change that caused them.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self, workshop_id: Uuid, topic: &str) -> BoxStream<'static, Event> {
        filtered(self.sender.subscribe(), workshop_id, topic)
    }

    fn status(&self) -> &'static str {
        "in-process"
    }
}

/// A receiver's events for one workshop and topic. A lagging receiver gets a [`RESYNC`]
/// instead of what it missed, and catches up from the table.
pub(crate) fn filtered(
    receiver: broadcast::Receiver<Event>,
    workshop_id: Uuid,
    topic: &str,
) -> BoxStream<'static, Event> {
    let topic = topic.to_owned();
    futures_util::stream::unfold(receiver, move |mut receiver| {
        let topic = topic.clone();
        async move {
            loop {
                match receiver.recv().await {
                    Ok(event)
                        if event.topic == RESYNC
                            || (event.workshop_id == workshop_id && event.topic == topic) =>
                    {
                        return Some((event, receiver));
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((resync_marker(), receiver));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
    .boxed()
}

pub(crate) fn resync_marker() -> Event {
    Event {
        workshop_id: Uuid::nil(),
        topic: RESYNC.into(),
        payload: Arc::from(""),
    }
}

/// An event as stored and as sent to subscribers. `id` is `None` for passing events that are
/// not stored (the assistant's reply streaming in).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredEvent {
    pub id: Option<i64>,
    pub workshop_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable)]
struct EventRow {
    id: i64,
    workshop_id: Uuid,
    conversation_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    kind: String,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        Self {
            id: Some(row.id),
            workshop_id: row.workshop_id,
            conversation_id: row.conversation_id,
            lead_id: row.lead_id,
            kind: row.kind,
            payload: row.payload,
            created_at: row.created_at,
        }
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject {
    pub workshop_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
}

/// Stores an event; call inside the transaction of the change it reports.
pub async fn record(
    conn: &mut AsyncPgConnection,
    subject: Subject,
    kind: &str,
    payload: serde_json::Value,
) -> ApiResult<StoredEvent> {
    let row: EventRow = diesel::insert_into(events::table)
        .values((
            events::workshop_id.eq(subject.workshop_id),
            events::conversation_id.eq(subject.conversation_id),
            events::lead_id.eq(subject.lead_id),
            events::kind.eq(kind),
            events::payload.eq(payload),
        ))
        .returning((
            events::id,
            events::workshop_id,
            events::conversation_id,
            events::lead_id,
            events::kind,
            events::payload,
            events::created_at,
        ))
        .get_result(conn)
        .await?;
    Ok(row.into())
}

/// Hands committed (or passing) events to the bus.
pub async fn publish(bus: &dyn EventBus, events: &[StoredEvent]) {
    for event in events {
        match serde_json::to_string(event) {
            Ok(payload) => {
                bus.publish(Event {
                    workshop_id: event.workshop_id,
                    topic: TOPIC.into(),
                    payload: payload.into(),
                })
                .await
            }
            Err(error) => tracing::error!(%error, "serializing an event"),
        }
    }
}

/// At most this many stored events are replayed per read of the table.
const REPLAY_BATCH: i64 = 500;
/// Recently delivered event ids, to drop a live copy of a replayed event.
const REMEMBERED: usize = 2_048;

type Filter = Arc<dyn Fn(&StoredEvent) -> bool + Send + Sync>;

struct Follower {
    live: BoxStream<'static, Event>,
    pending: VecDeque<StoredEvent>,
    pool: Pool,
    workshop_id: Uuid,
    filter: Filter,
    /// Highest stored event id delivered (or the resume point).
    last_id: Option<i64>,
    since: DateTime<Utc>,
    delivered: BTreeSet<i64>,
    catch_up: bool,
}

impl Follower {
    fn remember(&mut self, id: i64) -> bool {
        if !self.delivered.insert(id) {
            return false;
        }
        if self.delivered.len() > REMEMBERED {
            self.delivered.pop_first();
        }
        self.last_id = Some(self.last_id.map_or(id, |last| last.max(id)));
        true
    }

    async fn read_table(&mut self) -> ApiResult<bool> {
        let mut conn = self.pool.get().await?;
        let mut query = events::table
            .filter(events::workshop_id.eq(self.workshop_id))
            .order(events::id)
            .limit(REPLAY_BATCH)
            .into_boxed();
        query = match self.last_id {
            Some(last) => query.filter(events::id.gt(last)),
            None => query.filter(events::created_at.ge(self.since)),
        };
        let rows: Vec<EventRow> = query.load(&mut conn).await?;
        drop(conn);
        let full = rows.len() as i64 == REPLAY_BATCH;
        for event in rows.into_iter().map(StoredEvent::from) {
            let id = event.id.unwrap_or_default();
            let wanted = (self.filter)(&event);
            if self.remember(id) && wanted {
                self.pending.push_back(event);
            }
        }
        Ok(full)
    }
}

/// The workshop's events that pass `filter`, live, after replaying stored ones after `after`
/// (`Some(0)` replays from the start, `None` only what happens from now on).
pub fn follow(
    pool: Pool,
    bus: &dyn EventBus,
    workshop_id: Uuid,
    after: Option<i64>,
    filter: impl Fn(&StoredEvent) -> bool + Send + Sync + 'static,
) -> BoxStream<'static, StoredEvent> {
    // Subscribe before reading the table, so that nothing falls between the two.
    let follower = Follower {
        live: bus.subscribe(workshop_id, TOPIC),
        pending: VecDeque::new(),
        pool,
        workshop_id,
        filter: Arc::new(filter),
        last_id: after,
        since: Utc::now(),
        delivered: BTreeSet::new(),
        catch_up: after.is_some(),
    };
    futures_util::stream::unfold(follower, |mut f| async move {
        loop {
            if let Some(event) = f.pending.pop_front() {
                return Some((event, f));
            }
            if f.catch_up {
                match f.read_table().await {
                    Ok(more) => f.catch_up = more,
                    Err(_) => {
                        // The database is away: try again on the next live event.
                        f.catch_up = false;
                    }
                }
                continue;
            }
            let event = f.live.next().await?;
            if event.topic == RESYNC {
                f.catch_up = true;
                continue;
            }
            let Ok(stored) = serde_json::from_str::<StoredEvent>(&event.payload) else {
                continue;
            };
            if let Some(id) = stored.id
                && !f.remember(id)
            {
                continue;
            }
            if (f.filter)(&stored) {
                return Some((stored, f));
            }
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_get_only_their_workshop_and_topic() {
        let bus = InProcessEventBus::default();
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let mut stream = bus.subscribe(mine, "leads");
        let event = |workshop_id, topic: &str, payload: &str| Event {
            workshop_id,
            topic: topic.into(),
            payload: payload.into(),
        };
        bus.publish(event(other, "leads", "foreign")).await;
        bus.publish(event(mine, "chat", "other topic")).await;
        bus.publish(event(mine, "leads", "mine")).await;
        let received = stream.next().await.expect("an event");
        assert_eq!(&*received.payload, "mine");
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_to_resync() {
        let (sender, receiver) = broadcast::channel(2);
        let workshop = Uuid::new_v4();
        let mut stream = filtered(receiver, workshop, TOPIC);
        for n in 0..5 {
            sender
                .send(Event {
                    workshop_id: workshop,
                    topic: TOPIC.into(),
                    payload: n.to_string().into(),
                })
                .expect("a receiver");
        }
        assert_eq!(stream.next().await.expect("marker").topic, RESYNC);
    }
}
