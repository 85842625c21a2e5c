//! Events: what happened, as one typed enum, and how it reaches live subscribers in this process
//! and in every other.
//!
//! A change runs through [`commit`]: its transaction writes the change and its [`Event`]s into
//! the `events` table, and after the commit the events go to the [`EventBus`]. Subscribers
//! [`follow`] the bus and read the table to resume after the last event they saw, and again
//! whenever the bus reports that it may have dropped something (a Redis reconnect). So a crash
//! between commit and publish, a Redis outage or a dropped WebSocket delays events but loses
//! none. Producers and subscribers use the same [`Event`] type, so the compiler checks both ends.
//!
//! The same statement that stores an event queues it for the workshop's webhook endpoints that
//! want its public type (`webhook_deliveries`, sent by the delivery worker of `crate::webhooks`),
//! so a webhook is queued exactly when its event is committed.

mod bus;
mod follow;

use std::sync::LazyLock;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, TransactionManager};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Notify;
use uuid::Uuid;

pub(crate) use bus::resync_marker;
pub use bus::{Envelope, EventBus, Hub, InProcessEventBus, RESYNC, TOPIC, lagged_subscribers};
pub use follow::{Following, Position, Resume, follow};

use crate::db::{Conn, Statement};
use crate::error::{ApiError, ApiResult};
use crate::ids::{NodeType, encode};
use crate::principal::Tenant;

/// Every event of a workshop. Stored as `kind` plus the variant's fields in `payload`. Events
/// name rows by id and carry no copy of them: a subscriber loads the row as it is now, so an
/// erasure of personal data reaches every replay too, and the event log holds no personal data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// A visitor opened a chat.
    ConversationStarted { conversation_id: Uuid },
    /// A new message (visitor, assistant or owner).
    Message {
        message_id: Uuid,
        conversation_id: Uuid,
    },
    /// The next piece of an assistant reply being written; passing, never stored (its
    /// conversation travels in [`StoredEvent::conversation_id`]).
    ReplyChunk { reply_id: Uuid, chunk: String },
    /// A person of the workshop answers now; the assistant is paused.
    TakenOver { conversation_id: Uuid },
    /// The assistant answers again.
    Released { conversation_id: Uuid },
    /// The conversation's texts were erased (the workshop's erasure, the visitor's own deletion
    /// or retention): open screens load it again, integrators drop their copies.
    ConversationErased { conversation_id: Uuid },
    LeadCreated {
        lead_id: Uuid,
        conversation_id: Option<Uuid>,
    },
    LeadUpdated {
        lead_id: Uuid,
        conversation_id: Option<Uuid>,
        change: LeadChange,
    },
}

/// The stored kinds and the public types integrators know them by (webhooks, `events`).
pub const PUBLIC_TYPES: [(&str, &str); 7] = [
    ("CONVERSATION_STARTED", "conversation.started"),
    ("MESSAGE", "message.created"),
    ("TAKEN_OVER", "conversation.taken_over"),
    ("RELEASED", "conversation.released"),
    ("CONVERSATION_ERASED", "conversation.erased"),
    ("LEAD_CREATED", "lead.created"),
    ("LEAD_UPDATED", "lead.updated"),
];

/// What changed on a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadChange {
    Status,
    Note,
    /// The person's contact data was erased (an erasure, a withdrawn consent or retention).
    Erased,
}

impl Event {
    /// The stored `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ConversationStarted { .. } => "CONVERSATION_STARTED",
            Self::Message { .. } => "MESSAGE",
            Self::ReplyChunk { .. } => "REPLY_CHUNK",
            Self::TakenOver { .. } => "TAKEN_OVER",
            Self::Released { .. } => "RELEASED",
            Self::ConversationErased { .. } => "CONVERSATION_ERASED",
            Self::LeadCreated { .. } => "LEAD_CREATED",
            Self::LeadUpdated { .. } => "LEAD_UPDATED",
        }
    }

    /// The conversation the event is about, if any.
    pub fn conversation_id(&self) -> Option<Uuid> {
        match self {
            Self::ConversationStarted { conversation_id }
            | Self::TakenOver { conversation_id }
            | Self::Released { conversation_id }
            | Self::ConversationErased { conversation_id }
            | Self::Message {
                conversation_id, ..
            } => Some(*conversation_id),
            Self::ReplyChunk { .. } => None,
            Self::LeadCreated {
                conversation_id, ..
            }
            | Self::LeadUpdated {
                conversation_id, ..
            } => *conversation_id,
        }
    }

    /// The lead the event is about, if any.
    pub fn lead_id(&self) -> Option<Uuid> {
        match self {
            Self::LeadCreated { lead_id, .. } | Self::LeadUpdated { lead_id, .. } => Some(*lead_id),
            _ => None,
        }
    }

    /// The public type integrators see in webhooks and in `events` (`lead.created`, …); `None`
    /// for what is never stored.
    pub fn public_type(&self) -> Option<&'static str> {
        let kind = self.kind();
        PUBLIC_TYPES
            .iter()
            .find(|(stored, _)| *stored == kind)
            .map(|(_, public)| *public)
    }

    /// The public `data`: the GraphQL ids of what happened (load the rest with `node(id:)`), and
    /// what changed on a lead. No personal data.
    pub fn public_data(&self) -> Value {
        let id = |node: NodeType, id: Uuid| Value::String(encode(node, id).0);
        let conversation =
            |c: Option<Uuid>| c.map_or(Value::Null, |c| id(NodeType::Conversation, c));
        match self {
            Self::ConversationStarted { conversation_id }
            | Self::TakenOver { conversation_id }
            | Self::Released { conversation_id }
            | Self::ConversationErased { conversation_id } => {
                json!({ "conversationId": conversation(Some(*conversation_id)) })
            }
            Self::Message {
                message_id,
                conversation_id,
            } => json!({
                "messageId": id(NodeType::Message, *message_id),
                "conversationId": conversation(Some(*conversation_id)),
            }),
            Self::ReplyChunk { .. } => Value::Null,
            Self::LeadCreated {
                lead_id,
                conversation_id,
            } => json!({
                "leadId": id(NodeType::Lead, *lead_id),
                "conversationId": conversation(*conversation_id),
            }),
            Self::LeadUpdated {
                lead_id,
                conversation_id,
                change,
            } => json!({
                "leadId": id(NodeType::Lead, *lead_id),
                "conversationId": conversation(*conversation_id),
                "change": change,
            }),
        }
    }

    /// The variant's fields without the tag: the `payload` column.
    fn payload(&self) -> Result<serde_json::Value, serde_json::Error> {
        let mut value = serde_json::to_value(self)?;
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        Ok(value)
    }

    /// The event of a stored `kind` and `payload`; `None` for a kind this version does not know.
    fn from_stored(kind: &str, mut payload: serde_json::Value) -> Option<Self> {
        payload
            .as_object_mut()?
            .insert("kind".into(), serde_json::Value::String(kind.to_owned()));
        serde_json::from_value(payload).ok()
    }
}

/// An event as stored and as sent to subscribers. `id` is `None` for passing events that are
/// not stored (the assistant's reply streaming in). On the bus it travels in the table's shape
/// ([`Wire`]), so that processes of an older and a newer version read each other's events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "Wire", try_from = "Wire")]
pub struct StoredEvent {
    pub id: Option<i64>,
    pub workshop_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub event: Event,
}

/// A [`StoredEvent`] on the bus: the columns of the `events` table.
#[derive(Serialize, Deserialize)]
struct Wire {
    id: Option<i64>,
    workshop_id: Uuid,
    conversation_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    kind: String,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl From<StoredEvent> for Wire {
    fn from(stored: StoredEvent) -> Self {
        Self {
            id: stored.id,
            workshop_id: stored.workshop_id,
            conversation_id: stored.conversation_id,
            lead_id: stored.lead_id,
            kind: stored.event.kind().to_owned(),
            payload: stored.event.payload().unwrap_or_default(),
            created_at: stored.created_at,
        }
    }
}

impl TryFrom<Wire> for StoredEvent {
    type Error = String;

    fn try_from(wire: Wire) -> Result<Self, Self::Error> {
        let event = Event::from_stored(&wire.kind, wire.payload)
            .ok_or_else(|| format!("an event of kind {} this version cannot read", wire.kind))?;
        Ok(Self {
            id: wire.id,
            workshop_id: wire.workshop_id,
            conversation_id: wire.conversation_id,
            lead_id: wire.lead_id,
            created_at: wire.created_at,
            event,
        })
    }
}

impl StoredEvent {
    /// An event about `conversation_id` that is published but not stored.
    pub fn passing(tenant: Tenant, conversation_id: Option<Uuid>, event: Event) -> Self {
        Self {
            id: None,
            workshop_id: tenant.workshop_id(),
            conversation_id: conversation_id.or(event.conversation_id()),
            lead_id: event.lead_id(),
            created_at: Utc::now(),
            event,
        }
    }

    /// The cursor a subscriber resumes after; `None` for passing events.
    pub fn cursor(&self) -> Option<String> {
        self.id.map(|id| id.to_string())
    }
}

/// The event id a subscription resumes after (its `after:` argument), read back from
/// [`StoredEvent::cursor`].
pub fn parse_cursor(after: Option<String>) -> ApiResult<Option<i64>> {
    after
        .map(|cursor| {
            cursor
                .parse::<i64>()
                .ok()
                .filter(|id| *id >= 0)
                .ok_or_else(|| ApiError::BadRequest("`after` is not an event cursor.".into()))
        })
        .transpose()
}

#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = crate::db::schema::events, check_for_backend(diesel::pg::Pg))]
struct EventRow {
    id: i64,
    workshop_id: Uuid,
    conversation_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    kind: String,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl EventRow {
    fn into_stored(self) -> Option<StoredEvent> {
        let event = Event::from_stored(&self.kind, self.payload);
        if event.is_none() {
            tracing::warn!(id = self.id, kind = %self.kind, "skipping an event this version cannot read");
        }
        Some(StoredEvent {
            id: Some(self.id),
            workshop_id: self.workshop_id,
            conversation_id: self.conversation_id,
            lead_id: self.lead_id,
            created_at: self.created_at,
            event: event?,
        })
    }
}

/// The public message of an event, as webhooks send it and `events` lists it:
/// `{type, timestamp, data}`.
pub fn public_message(public_type: &str, at: DateTime<Utc>, event: &Event) -> Value {
    json!({
        "type": public_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": event.public_data(),
    })
}

/// Woken when this process committed an event that has webhook deliveries to send.
pub fn deliveries_queued() -> &'static Notify {
    static QUEUED: LazyLock<Notify> = LazyLock::new(Notify::new);
    &QUEUED
}

#[derive(QueryableByName)]
struct Recorded {
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = BigInt)]
    deliveries: i64,
}

/// Stores an event and queues its webhook deliveries, in one statement; runs inside the
/// transaction of the change it reports (see [`commit`]). Returns the stored event and whether
/// a delivery was queued.
async fn record(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    event: Event,
) -> ApiResult<(StoredEvent, bool)> {
    let mut statement = Statement::with();
    let pending = write_event(&mut statement, tenant, event)?;
    statement.sql(&format!(" SELECT {EVENT_ID}, {EVENT_DELIVERIES}"));
    let recorded: Recorded = statement.query().get_result(conn).await?;
    Ok(pending.into_stored(recorded.event_id, recorded.deliveries))
}

/// What the final `SELECT` of a statement with [`write_event`]'s parts reads: the event's id
/// and how many webhook deliveries it queued.
pub const EVENT_ID: &str = "(SELECT id FROM event_row) AS event_id";
pub const EVENT_DELIVERIES: &str = "(SELECT count(*) FROM event_deliveries) AS deliveries";

/// Appends the `WITH` parts that store `event` and queue its webhook deliveries to a statement
/// whose text is at a `WITH` list (after `WITH ` or a part and `, `): `event_row` and
/// `event_deliveries`. The statement's final `SELECT` reads [`EVENT_ID`] and
/// [`EVENT_DELIVERIES`]; with them [`PendingEvent::stored`] says what to publish once the
/// statement ran (it commits by itself, or with the caller's transaction).
pub fn write_event(
    statement: &mut Statement,
    tenant: Tenant,
    event: Event,
) -> ApiResult<PendingEvent> {
    let payload = event.payload().map_err(ApiError::internal)?;
    // Stored at the precision PostgreSQL keeps, so that the body's timestamp is the row's.
    let created_at = Utc::now().trunc_subsecs(6);
    let public_type = event.public_type();
    let body = public_type.map(|t| public_message(t, created_at, &event).to_string());
    let workshop = statement.bind::<SqlUuid, _>(tenant.workshop_id());
    let conversation = statement.bind::<Nullable<SqlUuid>, _>(event.conversation_id());
    let lead = statement.bind::<Nullable<SqlUuid>, _>(event.lead_id());
    let kind = statement.bind::<Text, _>(event.kind());
    let payload = statement.bind::<Jsonb, _>(payload);
    let at = statement.bind::<Timestamptz, _>(created_at);
    let public_type = statement.bind::<Nullable<Text>, _>(public_type);
    let body = statement.bind::<Nullable<Text>, _>(body);
    statement.sql(&format!(
        "event_row AS (
            INSERT INTO events (workshop_id, conversation_id, lead_id, kind, payload, created_at)
            VALUES ({workshop}, {conversation}, {lead}, {kind}, {payload}, {at}) RETURNING id
         ), event_deliveries AS (
            INSERT INTO webhook_deliveries (id, workshop_id, endpoint_id, event_id, message_id,
                event_type, body)
            SELECT gen_random_uuid(), {workshop}, w.id, e.id, 'msg_' || e.id, {public_type}, {body}
            FROM event_row e, webhook_endpoints w
            WHERE {public_type} IS NOT NULL AND w.workshop_id = {workshop} AND w.active
              AND {public_type} = ANY (w.event_types)
              AND EXISTS (SELECT 1 FROM workshops s WHERE s.id = {workshop} AND s.plan_code = 'ENTERPRISE')
            RETURNING 1
         )"
    ));
    Ok(PendingEvent {
        tenant,
        event,
        created_at,
    })
}

/// An event [`write_event`] added to a statement that has not run yet.
#[must_use = "a written event is published after its statement ran"]
pub struct PendingEvent {
    tenant: Tenant,
    event: Event,
    created_at: DateTime<Utc>,
}

impl PendingEvent {
    /// The event as stored, with the id and the delivery count the statement returned: to
    /// [`Stored::publish`] once it committed.
    pub fn stored(self, id: i64, deliveries: i64) -> Stored {
        let (event, deliveries_queued) = self.into_stored(id, deliveries);
        Stored {
            events: vec![event],
            deliveries_queued,
        }
    }

    fn into_stored(self, id: i64, deliveries: i64) -> (StoredEvent, bool) {
        (
            StoredEvent {
                id: Some(id),
                workshop_id: self.tenant.workshop_id(),
                conversation_id: self.event.conversation_id(),
                lead_id: self.event.lead_id(),
                created_at: self.created_at,
                event: self.event,
            },
            deliveries > 0,
        )
    }
}

/// A stored event in replay order: the writing transaction's id, then the event's.
pub struct Replayed {
    pub xid: i64,
    pub event: StoredEvent,
}

#[derive(QueryableByName)]
struct ReplayRow {
    #[diesel(sql_type = BigInt)]
    xid: i64,
    #[diesel(embed)]
    row: EventRow,
}

/// The tenant's stored events after `after` (a transaction id and event id) in replay order,
/// of the stored `kinds` (all when `None`), at most `limit`. Only events of transactions older
/// than every running one are listed, so an event that commits later never sorts before what
/// was already listed.
pub async fn replay(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    after: Option<(i64, i64)>,
    kinds: Option<&[&str]>,
    limit: i64,
) -> ApiResult<Vec<Replayed>> {
    let (xid, id) = after.unwrap_or((-1, -1));
    let rows: Vec<ReplayRow> = diesel::sql_query(
        "SELECT xid, id, workshop_id, conversation_id, lead_id, kind, payload, created_at
         FROM events
         WHERE workshop_id = $1 AND (xid, id) > ($2, $3)
           AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
           AND ($4::text[] IS NULL OR kind = ANY ($4))
         ORDER BY xid, id LIMIT $5",
    )
    .bind::<SqlUuid, _>(tenant.workshop_id())
    .bind::<BigInt, _>(xid)
    .bind::<BigInt, _>(id)
    .bind::<Nullable<diesel::sql_types::Array<Text>>, _>(kinds)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let xid = r.xid;
            r.row.into_stored().map(|event| Replayed { xid, event })
        })
        .collect())
}

/// Runs `change` in one transaction of `conn`, stores the events it reports in the same
/// transaction, commits, returns the connection to the pool and only then publishes the events.
/// `change` returns its result and its events (none when it changed nothing); when it fails,
/// nothing is written.
pub async fn commit<T>(
    bus: &dyn EventBus,
    mut conn: Conn<'_>,
    tenant: Tenant,
    change: impl AsyncFnOnce(&mut AsyncPgConnection) -> ApiResult<(T, Vec<Event>)>,
) -> ApiResult<T> {
    // What `AsyncConnection::transaction` does, spelled out: its bounds ask for a `Send` future
    // of the closure, which a generic caller like this one cannot name.
    type Transactions = <AsyncPgConnection as AsyncConnection>::TransactionManager;
    let conn_ref: &mut AsyncPgConnection = &mut conn;
    Transactions::begin_transaction(conn_ref).await?;
    let written = async {
        let (value, events) = change(conn_ref).await?;
        let stored = store(conn_ref, tenant, events).await?;
        Ok::<_, ApiError>((value, stored))
    }
    .await;
    let (value, stored) = match written {
        Ok(written) => {
            Transactions::commit_transaction(conn_ref).await?;
            written
        }
        Err(error) => {
            if let Err(rollback) = Transactions::rollback_transaction(conn_ref).await {
                tracing::warn!(error = %rollback, "rolling back a failed change");
            }
            return Err(error);
        }
    };
    drop(conn);
    stored.publish(bus).await;
    Ok(value)
}

/// Events stored in a transaction that has not committed yet; [`Stored::publish`] them after it
/// did.
#[must_use = "stored events are published after their transaction commits"]
pub struct Stored {
    events: Vec<StoredEvent>,
    deliveries_queued: bool,
}

impl Stored {
    /// Hands the events to the bus and wakes the webhook worker when they queued deliveries.
    pub async fn publish(self, bus: &dyn EventBus) {
        if self.deliveries_queued {
            deliveries_queued().notify_one();
        }
        publish(bus, &self.events).await;
    }
}

/// Stores `events` (and queues their webhook deliveries) in the caller's transaction; for work
/// that runs its own transaction, such as the retention job. Changes of requests use [`commit`].
pub async fn store(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    events: Vec<Event>,
) -> ApiResult<Stored> {
    let mut stored = Stored {
        events: Vec::with_capacity(events.len()),
        deliveries_queued: false,
    };
    for event in events {
        let (event, deliveries) = record(conn, tenant, event).await?;
        stored.events.push(event);
        stored.deliveries_queued |= deliveries;
    }
    Ok(stored)
}

/// The bus topic that says "access in this workshop changed": a session ended, an API token or
/// client key was revoked, a member was removed or given another role. Open WebSockets of the
/// workshop authenticate again and close when their token no longer holds (`crate::auth`).
pub const ACCESS_TOPIC: &str = "access";

/// Tells every process that access in `workshop_id` changed; after the change committed.
pub async fn access_changed(bus: &dyn EventBus, workshop_id: Uuid) {
    bus.publish(Envelope::new(workshop_id, ACCESS_TOPIC, "changed".into()))
        .await;
}

/// Hands committed (or passing) events to the bus.
pub async fn publish(bus: &dyn EventBus, events: &[StoredEvent]) {
    for event in events {
        match serde_json::to_string(event) {
            Ok(payload) => bus.publish(Envelope::of_event(event, payload)).await,
            Err(error) => tracing::error!(%error, "serializing an event"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_events_keep_the_table_format_and_read_back() {
        let event = Event::TakenOver {
            conversation_id: Uuid::now_v7(),
        };
        let payload = event.payload().expect("payload");
        assert!(payload.get("conversationId").is_some());
        assert!(payload.get("kind").is_none(), "the kind has its own column");
        let read = Event::from_stored(event.kind(), payload).expect("readable");
        assert!(
            matches!(read, Event::TakenOver { conversation_id } if Some(conversation_id) == event.conversation_id())
        );
    }

    #[test]
    fn on_the_bus_an_event_has_the_table_shape() {
        let tenant = crate::principal::test_tenant(Uuid::now_v7());
        let conversation = Uuid::now_v7();
        let chunk = StoredEvent::passing(
            tenant,
            Some(conversation),
            Event::ReplyChunk {
                reply_id: Uuid::now_v7(),
                chunk: "Hallo".into(),
            },
        );
        let wire: serde_json::Value = serde_json::to_value(&chunk).expect("serializable");
        assert_eq!(wire["kind"], "REPLY_CHUNK");
        assert_eq!(wire["payload"]["chunk"], "Hallo");
        assert!(wire["payload"].get("replyId").is_some());
        assert_eq!(wire["conversation_id"], conversation.to_string());
        let read: StoredEvent = serde_json::from_value(wire).expect("readable");
        assert_eq!(read.conversation_id, Some(conversation));
        assert!(matches!(read.event, Event::ReplyChunk { chunk, .. } if chunk == "Hallo"));
    }

    #[test]
    fn an_unknown_kind_is_not_read() {
        assert!(Event::from_stored("SOMETHING_NEW", serde_json::json!({})).is_none());
    }
}
