//! Messages: the object, a conversation's pages of them, and storing a new one.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::conversation::ConversationRow;
use crate::auth::Tenant;
use crate::catalog::{Service, ServiceLoader, ServiceRow};
use crate::context::Ctx;
use crate::context::Platform;
pub use crate::db::rows::MessageRow;
use crate::db::schema::messages;
use crate::db::{Pool, Statement};
use crate::error::{ApiError, ApiResult, UserErrorCode, UserErrors};
use crate::events::{EVENT_DELIVERIES, EVENT_ID, Event};
use crate::ids::{self, NodeType};
use crate::loaders::{Key, by_tenant};
use crate::pagination::{Page, PageInfo};

/// Longest visitor or owner message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRole {
    Visitor,
    Assistant,
    Owner,
}

impl MessageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "VISITOR",
            Self::Assistant => "ASSISTANT",
            Self::Owner => "OWNER",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "ASSISTANT" => Self::Assistant,
            "OWNER" => Self::Owner,
            _ => Self::Visitor,
        }
    }
}

/// One message of a conversation.
pub struct Message {
    pub row: MessageRow,
    pub tenant: Tenant,
    /// The cited services when they travelled with the message (live events).
    pub cited: Option<Vec<ServiceRow>>,
}

impl Message {
    pub fn new(row: MessageRow, tenant: Tenant) -> Self {
        Self {
            row,
            tenant,
            cited: None,
        }
    }
}

#[Object]
impl Message {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Message, self.row.id)
    }
    async fn conversation_id(&self) -> ID {
        ids::encode(NodeType::Conversation, self.row.conversation_id)
    }
    async fn role(&self) -> MessageRole {
        MessageRole::parse(&self.row.role)
    }
    /// Plain text, exactly as written; never HTML.
    async fn body(&self) -> &str {
        &self.row.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// For assistant replies: the suggestion to leave a request (the lead form).
    async fn offer_lead_form(&self) -> bool {
        self.row.offer_lead_form
    }
    /// The catalog entries an assistant reply quoted.
    async fn cited_services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Service>> {
        if let Some(cited) = &self.cited {
            return Ok(cited.iter().cloned().map(Service).collect());
        }
        if self.row.cited_service_ids.is_empty() {
            return Ok(vec![]);
        }
        let keys = self
            .row
            .cited_service_ids
            .iter()
            .map(|id| (self.tenant, *id));
        let found = ctx.loader::<ServiceLoader>().load_many(keys).await?;
        Ok(self
            .row
            .cited_service_ids
            .iter()
            .filter_map(|id| found.get(&(self.tenant, *id)).cloned().map(Service))
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct MessageEdge {
    pub cursor: String,
    pub node: Message,
}

#[derive(SimpleObject)]
pub struct MessageConnection {
    pub edges: Vec<MessageEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// A page of a conversation's messages after a cursor, oldest first.
pub(crate) async fn messages_page(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    conversation_id: Uuid,
    page: &Page,
) -> ApiResult<Vec<MessageRow>> {
    let mut query = tenant
        .messages()
        .filter(messages::conversation_id.eq(conversation_id))
        .select(MessageRow::as_select())
        .order((messages::created_at, messages::id))
        .limit(page.limit())
        .into_boxed();
    if let Some((at, id)) = page.after {
        query = query.filter(
            messages::created_at
                .gt(at)
                .or(messages::created_at.eq(at).and(messages::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

/// A message's text, trimmed and checked; `None` with a user error when unusable.
pub(crate) fn message_body(errors: &mut UserErrors, body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        errors.push(
            &["body"],
            UserErrorCode::Required,
            "Bitte eine Nachricht eingeben.",
        );
        return None;
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        errors.push(
            &["body"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_MESSAGE_CHARS} Zeichen."),
        );
        return None;
    }
    Some(body.to_owned())
}

/// A message to store.
pub(crate) struct NewMessage {
    pub id: Uuid,
    pub role: MessageRole,
    pub body: String,
    pub offer_lead_form: bool,
    pub assistant: Option<&'static str>,
    pub tokens: i32,
}

impl NewMessage {
    /// A visitor's or a person's message (not the assistant's).
    pub fn written(role: MessageRole, body: String) -> Self {
        Self {
            id: Uuid::now_v7(),
            role,
            body,
            offer_lead_form: false,
            assistant: None,
            tokens: 0,
        }
    }

    /// Stores the message and bumps the conversation's counters; call inside the change's
    /// transaction (`Platform::commit`) and report the returned event.
    pub async fn store(
        self,
        conn: &mut AsyncPgConnection,
        conversation: &ConversationRow,
        cited: &[ServiceRow],
    ) -> ApiResult<(MessageRow, Event)> {
        let mut statement = Statement::with();
        let event = self.write_parts(&mut statement, conversation, cited);
        statement.sql(" SELECT * FROM new_message");
        let row: MessageRow = statement.query().get_result(conn).await?;
        Ok((row, event))
    }

    /// Writes the message, the conversation's counters, the message's event and its webhook
    /// deliveries in one statement, which commits by itself, then publishes the event.
    /// `statement` is at a `WITH` list, with the caller's parts followed by `, ` (the message's
    /// facts, the assistant's usage of the day): they are written in the same statement.
    pub async fn write(
        self,
        platform: &Platform,
        conn: &mut AsyncPgConnection,
        mut statement: Statement,
        tenant: Tenant,
        conversation: &ConversationRow,
        cited: &[ServiceRow],
    ) -> ApiResult<MessageRow> {
        let event = self.write_parts(&mut statement, conversation, cited);
        statement.sql(", ");
        let event = crate::events::write_event(&mut statement, tenant, event)?;
        statement.sql(&format!(
            " SELECT new_message.*, {EVENT_ID}, {EVENT_DELIVERIES} FROM new_message"
        ));
        let written: Written = statement.query().get_result(conn).await?;
        platform
            .publish(event.stored(written.event_id, written.deliveries))
            .await;
        Ok(written.message)
    }

    /// The `WITH` parts `new_message` (the message's row) and `counted_message` (the
    /// conversation's counters); returns the message's event.
    fn write_parts(
        self,
        statement: &mut Statement,
        conversation: &ConversationRow,
        cited: &[ServiceRow],
    ) -> Event {
        let event = Event::Message {
            message_id: self.id,
            conversation_id: conversation.id,
        };
        let values = [
            statement.bind::<SqlUuid, _>(self.id),
            statement.bind::<SqlUuid, _>(conversation.id),
            statement.bind::<SqlUuid, _>(conversation.workshop_id),
            statement.bind::<Text, _>(self.role.as_str()),
            statement.bind::<Text, _>(self.body),
            statement.bind::<Array<SqlUuid>, _>(cited.iter().map(|s| s.id).collect::<Vec<_>>()),
            statement.bind::<Bool, _>(self.offer_lead_form),
            statement.bind::<Nullable<Text>, _>(self.assistant),
            statement.bind::<Int4, _>(self.tokens),
        ];
        statement.sql(&format!(
            "new_message AS (
                INSERT INTO messages (id, conversation_id, workshop_id, role, body,
                    cited_service_ids, offer_lead_form, assistant, tokens)
                VALUES ({}) RETURNING *
             ), counted_message AS (
                UPDATE conversations
                SET message_count = message_count + 1, last_message_at = m.created_at
                FROM new_message m WHERE conversations.id = m.conversation_id
             )",
            values.join(", ")
        ));
        event
    }
}

#[derive(QueryableByName)]
struct Written {
    #[diesel(embed)]
    message: MessageRow,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = BigInt)]
    deliveries: i64,
}

/// Messages by their own id (what an event names).
pub struct MessageByIdLoader(pub Pool);

impl Loader<Key> for MessageByIdLoader {
    type Value = MessageRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, MessageRow>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            let rows: Vec<MessageRow> = tenant
                .messages()
                .filter(messages::id.eq_any(&ids))
                .select(MessageRow::as_select())
                .load(&mut conn)
                .await
                .map_err(ApiError::from)?;
            for row in rows {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}

/// Messages per conversation a nested `messages` field can show without paging.
pub const NESTED_MESSAGES: i64 = 101;

/// The first [`NESTED_MESSAGES`] messages of each conversation, oldest first (a page of leads
/// with their conversations takes one statement).
pub struct MessageLoader(pub Pool);

impl Loader<Key> for MessageLoader {
    type Value = Vec<MessageRow>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, Vec<MessageRow>>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found: HashMap<Key, Vec<MessageRow>> = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            // Raw SQL: the DSL has no window functions (the first n messages of each of many
            // conversations in one statement).
            let rows: Vec<MessageRow> = diesel::sql_query(
                "SELECT id, conversation_id, role, body, cited_service_ids, offer_lead_form, created_at
                 FROM (SELECT m.*, row_number() OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS n
                       FROM messages m WHERE m.workshop_id = $1 AND m.conversation_id = ANY($2)) ranked
                 WHERE n <= $3 ORDER BY conversation_id, created_at, id",
            )
            .bind::<SqlUuid, _>(tenant.workshop_id())
            .bind::<Array<SqlUuid>, _>(&ids)
            .bind::<BigInt, _>(NESTED_MESSAGES)
            .load(&mut conn)
            .await
            .map_err(ApiError::from)?;
            for id in ids {
                found.entry((tenant, id)).or_default();
            }
            for message in rows {
                found
                    .entry((tenant, message.conversation_id))
                    .or_default()
                    .push(message);
            }
        }
        Ok(found)
    }
}
