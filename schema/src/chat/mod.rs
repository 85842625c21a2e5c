//! Conversations between visitors, the assistant and the workshop's people: the widget API
//! (`startConversation`, `sendMessage`), the owner's live takeover, and the events that stream
//! it all to the widget and the console.

pub mod assistant;
pub mod keys;
pub mod loaders;
pub mod reply;
pub mod subscriptions;

use std::time::Duration;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ClientIp;
use crate::Services;
use crate::accounts::workshop::Locale;
use crate::auth::{ApiScope, Principal, RequestOrigin, Tenant, principal};
use crate::catalog::{Service, ServiceRow};
use crate::db::schema::{conversations, messages};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::events::{self, StoredEvent, Subject};
use crate::ids::{self, NodeType};
use crate::pagination::{Page, PageInfo, edges};
use loaders::Loaders;

/// Longest visitor or owner message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
const MAX_PAGE_URL: usize = 2_000;

/// Abuse limits of the widget (documented in the README).
pub mod abuse_limits {
    use std::time::Duration;
    pub const MINUTE: Duration = Duration::from_secs(60);
    pub const HOUR: Duration = Duration::from_secs(3_600);
    pub const MESSAGES_PER_VISITOR_MINUTE: u32 = 10;
    pub const MESSAGES_PER_IP_MINUTE: u32 = 30;
    pub const MESSAGES_PER_KEY_MINUTE: u32 = 300;
    pub const CONVERSATIONS_PER_KEY_HOUR: u32 = 500;
    pub const CONVERSATIONS_PER_IP_HOUR: u32 = 20;
}

pub mod kinds {
    pub const CONVERSATION_STARTED: &str = "CONVERSATION_STARTED";
    pub const MESSAGE: &str = "MESSAGE";
    pub const REPLY_CHUNK: &str = "REPLY_CHUNK";
    pub const TAKEN_OVER: &str = "TAKEN_OVER";
    pub const RELEASED: &str = "RELEASED";
    pub const LEAD_CREATED: &str = "LEAD_CREATED";
    pub const LEAD_UPDATED: &str = "LEAD_UPDATED";
}

#[derive(Queryable, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = conversations)]
pub struct ConversationRow {
    pub id: Uuid,
    pub workshop_id: Uuid,
    pub client_key_id: Uuid,
    pub locale: String,
    pub page_url: Option<String>,
    pub taken_over_by: Option<Uuid>,
    pub taken_over_at: Option<DateTime<Utc>>,
    pub message_count: i32,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, QueryableByName, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: String,
    pub body: String,
    pub cited_service_ids: Vec<Uuid>,
    pub offer_lead_form: bool,
    pub created_at: DateTime<Utc>,
}

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

    fn parse(text: &str) -> Self {
        match text {
            "ASSISTANT" => Self::Assistant,
            "OWNER" => Self::Owner,
            _ => Self::Visitor,
        }
    }
}

/// A chat between a visitor of the workshop's website and the workshop (its assistant or its
/// people).
pub struct Conversation {
    pub row: ConversationRow,
    pub tenant: Tenant,
}

#[Object]
impl Conversation {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Conversation, self.row.id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn locale(&self) -> Locale {
        Locale::parse(&self.row.locale)
    }
    /// The page the visitor opened the chat on.
    async fn page_url(&self) -> Option<&str> {
        self.row.page_url.as_deref()
    }
    /// The client key the widget used.
    async fn client_key_id(&self) -> ID {
        ids::encode(NodeType::ClientKey, self.row.client_key_id)
    }
    /// True while a person of the workshop answers and the assistant is paused.
    async fn taken_over(&self) -> bool {
        self.row.taken_over_at.is_some()
    }
    async fn taken_over_at(&self) -> Option<DateTime<Utc>> {
        self.row.taken_over_at
    }
    async fn message_count(&self) -> i32 {
        self.row.message_count
    }
    async fn last_message_at(&self) -> Option<DateTime<Utc>> {
        self.row.last_message_at
    }
    /// The messages, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<MessageConnection> {
        let page = Page::new(first, after)?;
        let rows = if page.after.is_none() {
            let loaders = ctx.data_unchecked::<std::sync::Arc<Loaders>>();
            let all = loaders
                .messages
                .load_one((self.tenant, self.row.id))
                .await?
                .unwrap_or_default();
            all.into_iter().take(page.limit() as usize).collect()
        } else {
            let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
            messages_page(&mut conn, self.tenant, self.row.id, &page).await?
        };
        let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
        Ok(MessageConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| MessageEdge {
                    cursor,
                    node: Message::new(row, self.tenant),
                })
                .collect(),
            page_info,
            total_count: i64::from(self.row.message_count),
        })
    }
}

async fn messages_page(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    conversation_id: Uuid,
    page: &Page,
) -> ApiResult<Vec<MessageRow>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::workshop_id.eq(tenant.workshop_id()))
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
        let loaders = ctx.data_unchecked::<std::sync::Arc<Loaders>>();
        let keys = self
            .row
            .cited_service_ids
            .iter()
            .map(|id| (self.tenant, *id));
        let found = loaders.services.load_many(keys).await?;
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

#[derive(SimpleObject)]
pub struct ConversationEdge {
    pub cursor: String,
    pub node: Conversation,
}

#[derive(SimpleObject)]
pub struct ConversationConnection {
    pub edges: Vec<ConversationEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(InputObject, Default)]
pub struct ConversationFilter {
    pub client_key_id: Option<ID>,
    /// Only conversations a person currently answers (true) or the assistant (false).
    pub taken_over: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

pub async fn find_conversations(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<ConversationRow>> {
    Ok(conversations::table
        .filter(conversations::workshop_id.eq(tenant.workshop_id()))
        .filter(conversations::id.eq_any(ids))
        .select(ConversationRow::as_select())
        .load(conn)
        .await?)
}

pub async fn list_conversations(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: ConversationFilter,
) -> ApiResult<ConversationConnection> {
    let tenant = principal(ctx).tenant(Some(ApiScope::LeadsRead))?;
    let page = Page::new(first, after)?;
    let key = keys::filter_id(filter.client_key_id.as_ref())?;
    let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
    let filtered = || {
        let mut query = conversations::table
            .filter(conversations::workshop_id.eq(tenant.workshop_id()))
            .into_boxed();
        if let Some(key) = key {
            query = query.filter(conversations::client_key_id.eq(key));
        }
        match filter.taken_over {
            Some(true) => query = query.filter(conversations::taken_over_at.is_not_null()),
            Some(false) => query = query.filter(conversations::taken_over_at.is_null()),
            None => {}
        }
        if let Some(at) = filter.created_after {
            query = query.filter(conversations::created_at.ge(at));
        }
        if let Some(at) = filter.created_before {
            query = query.filter(conversations::created_at.lt(at));
        }
        query
    };
    let mut query = filtered()
        .select(ConversationRow::as_select())
        .order((conversations::created_at.desc(), conversations::id.desc()))
        .limit(page.limit());
    if let Some((at, id)) = page.after {
        query = query.filter(
            conversations::created_at
                .lt(at)
                .or(conversations::created_at
                    .eq(at)
                    .and(conversations::id.lt(id))),
        );
    }
    let rows = query.load(&mut conn).await?;
    let total_count = filtered().count().get_result(&mut conn).await?;
    let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
    Ok(ConversationConnection {
        edges: edges
            .into_iter()
            .map(|(cursor, row)| ConversationEdge {
                cursor,
                node: Conversation { row, tenant },
            })
            .collect(),
        page_info,
        total_count,
    })
}

/// A message's text, trimmed and checked; `None` with a user error when unusable.
fn message_body(errors: &mut UserErrors, body: &str) -> Option<String> {
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

pub(crate) async fn limit(
    services: &Services,
    key: String,
    limit: u32,
    window: Duration,
) -> ApiResult<()> {
    services
        .limiter
        .hit(&key, limit, window)
        .await
        .map_err(|retry| ApiError::RateLimited {
            retry_after_secs: retry.secs(),
        })
}

#[derive(InputObject)]
pub struct StartConversationInput {
    /// The widget's `cb_pub_…` key.
    pub client_key: String,
    pub locale: Option<Locale>,
    /// The page the chat was opened on.
    pub page_url: Option<String>,
}

#[derive(SimpleObject)]
pub struct StartConversationPayload {
    pub conversation: Option<Conversation>,
    /// Good for this conversation only, for 30 days.
    pub visitor_token: Option<String>,
    pub user_errors: Vec<UserError>,
}

pub async fn start_conversation(
    ctx: &Context<'_>,
    input: StartConversationInput,
) -> ApiResult<StartConversationPayload> {
    use abuse_limits::*;
    let services = ctx.data_unchecked::<Services>();
    let origin = ctx.data_opt::<RequestOrigin>().cloned().unwrap_or_default();
    let ip = ctx.data_opt::<ClientIp>().map(|ip| ip.0.to_string());
    let refused = |field: &str, code, message: &str| StartConversationPayload {
        conversation: None,
        visitor_token: None,
        user_errors: vec![UserError::new(&[field], code, message)],
    };
    let page_url = input
        .page_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    if let Some(url) = &page_url
        && (url.chars().count() > MAX_PAGE_URL
            || !(url.starts_with("https://") || url.starts_with("http://")))
    {
        return Ok(refused(
            "pageUrl",
            UserErrorCode::Invalid,
            "Keine gültige Seitenadresse.",
        ));
    }
    if let Some(ip) = &ip {
        limit(
            services,
            format!("conversations:ip:{ip}"),
            CONVERSATIONS_PER_IP_HOUR,
            HOUR,
        )
        .await?;
    }
    let mut conn = services.pool.get().await?;
    let Some(key) = keys::active_key(&mut conn, &input.client_key, &origin).await? else {
        return Ok(refused(
            "clientKey",
            UserErrorCode::NotFound,
            "Dieser Client-Key ist unbekannt oder wurde widerrufen.",
        ));
    };
    limit(
        services,
        format!("conversations:key:{}", key.id),
        CONVERSATIONS_PER_KEY_HOUR,
        HOUR,
    )
    .await?;
    let locale = match input.locale {
        Some(locale) => locale,
        None => keys::widget_settings(&mut conn, key.workshop_id)
            .await?
            .locale(),
    };
    let id = Uuid::now_v7();
    let (row, event) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row: ConversationRow = diesel::insert_into(conversations::table)
                .values((
                    conversations::id.eq(id),
                    conversations::workshop_id.eq(key.workshop_id),
                    conversations::client_key_id.eq(key.id),
                    conversations::locale.eq(locale.as_str()),
                    conversations::page_url.eq(page_url),
                ))
                .returning(ConversationRow::as_returning())
                .get_result(conn)
                .await?;
            let event = events::record(
                conn,
                Subject {
                    workshop_id: row.workshop_id,
                    conversation_id: Some(row.id),
                    lead_id: None,
                },
                kinds::CONVERSATION_STARTED,
                serde_json::json!({ "conversation": row }),
            )
            .await?;
            Ok((row, event))
        })
        .await?;
    drop(conn);
    events::publish(services.events.as_ref(), &[event]).await;
    let token =
        services
            .auth
            .keys()
            .issue_visitor(row.id, row.workshop_id, row.client_key_id, Utc::now());
    let tenant = crate::auth::visitor_tenant(&row);
    Ok(StartConversationPayload {
        conversation: Some(Conversation { row, tenant }),
        visitor_token: Some(token),
        user_errors: vec![],
    })
}

/// Stores a message (and its event) and bumps the conversation's counters, in one transaction.
pub(crate) async fn store_message(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    message: NewMessage,
    cited: &[ServiceRow],
) -> ApiResult<(MessageRow, StoredEvent)> {
    let cited = cited.to_vec();
    let conversation_id = conversation.id;
    let workshop_id = conversation.workshop_id;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row: MessageRow = diesel::insert_into(messages::table)
            .values((
                messages::id.eq(message.id),
                messages::conversation_id.eq(conversation_id),
                messages::workshop_id.eq(workshop_id),
                messages::role.eq(message.role.as_str()),
                messages::body.eq(message.body),
                messages::cited_service_ids.eq(cited.iter().map(|s| s.id).collect::<Vec<_>>()),
                messages::offer_lead_form.eq(message.offer_lead_form),
                messages::assistant.eq(message.assistant),
                messages::tokens.eq(message.tokens),
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
        let event = events::record(
            conn,
            Subject {
                workshop_id,
                conversation_id: Some(conversation_id),
                lead_id: None,
            },
            kinds::MESSAGE,
            serde_json::json!({ "message": row, "cited": cited }),
        )
        .await?;
        Ok((row, event))
    })
    .await
}

pub(crate) struct NewMessage {
    pub id: Uuid,
    pub role: MessageRole,
    pub body: String,
    pub offer_lead_form: bool,
    pub assistant: Option<&'static str>,
    pub tokens: i32,
}

async fn load_conversation(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Uuid,
) -> ApiResult<Option<ConversationRow>> {
    Ok(conversations::table
        .filter(conversations::id.eq(id))
        .filter(conversations::workshop_id.eq(tenant.workshop_id()))
        .select(ConversationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(InputObject)]
pub struct SendMessageInput {
    pub conversation_id: ID,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct SendMessagePayload {
    pub message: Option<Message>,
    /// The assistant's answer; `null` while a person of the workshop has taken over.
    pub reply: Option<Message>,
    pub user_errors: Vec<UserError>,
}

/// The visitor's conversation, or why the caller may not write to it.
fn visitor_conversation(principal: &Principal, id: &ID) -> ApiResult<(Tenant, Uuid)> {
    let conversation = ids::decode(NodeType::Conversation, id);
    match (principal, conversation) {
        (Principal::Anonymous, _) => Err(ApiError::Unauthenticated),
        (Principal::Visitor(_), Some(conversation)) => principal
            .visitor_of(conversation)
            .map(|tenant| (tenant, conversation))
            .ok_or(ApiError::Forbidden(
                "A visitor token is good for its own conversation only.",
            )),
        (Principal::Visitor(_), None) => Err(ApiError::Forbidden(
            "A visitor token is good for its own conversation only.",
        )),
        _ => Err(ApiError::Forbidden(
            "Messages of visitors come from the widget; use sendOwnerMessage.",
        )),
    }
}

pub async fn send_message(
    ctx: &Context<'_>,
    input: SendMessageInput,
) -> ApiResult<SendMessagePayload> {
    use abuse_limits::*;
    let services = ctx.data_unchecked::<Services>();
    let principal = principal(ctx);
    let (tenant, conversation_id) = visitor_conversation(principal, &input.conversation_id)?;
    let Principal::Visitor(visitor) = principal else {
        return Err(ApiError::Unauthenticated);
    };
    let mut errors = UserErrors::default();
    let body = message_body(&mut errors, &input.body);
    let Some(body) = body else {
        return Ok(SendMessagePayload {
            message: None,
            reply: None,
            user_errors: errors.into_vec(),
        });
    };
    limit(
        services,
        format!("messages:conversation:{conversation_id}"),
        MESSAGES_PER_VISITOR_MINUTE,
        MINUTE,
    )
    .await?;
    if let Some(ip) = ctx.data_opt::<ClientIp>() {
        limit(
            services,
            format!("messages:ip:{}", ip.0),
            MESSAGES_PER_IP_MINUTE,
            MINUTE,
        )
        .await?;
    }
    limit(
        services,
        format!("messages:key:{}", visitor.client_key_id),
        MESSAGES_PER_KEY_MINUTE,
        MINUTE,
    )
    .await?;
    let mut conn = services.pool.get().await?;
    let conversation = load_conversation(&mut conn, tenant, conversation_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (row, event) = store_message(
        &mut conn,
        &conversation,
        NewMessage {
            id: Uuid::now_v7(),
            role: MessageRole::Visitor,
            body,
            offer_lead_form: false,
            assistant: None,
            tokens: 0,
        },
        &[],
    )
    .await?;
    drop(conn);
    events::publish(services.events.as_ref(), &[event]).await;
    let reply = if conversation.taken_over_at.is_some() {
        None
    } else {
        Some(reply::answer(services, tenant, &conversation, &row).await?)
    };
    Ok(SendMessagePayload {
        message: Some(Message::new(row, tenant)),
        reply: reply.map(|(row, cited)| Message {
            row,
            tenant,
            cited: Some(cited),
        }),
        user_errors: vec![],
    })
}

#[derive(InputObject)]
pub struct ConversationInput {
    pub conversation_id: ID,
}

#[derive(SimpleObject)]
pub struct ConversationPayload {
    pub conversation: Option<Conversation>,
    pub user_errors: Vec<UserError>,
}

fn conversation_not_found() -> UserError {
    UserError::new(
        &["conversationId"],
        UserErrorCode::NotFound,
        "Dieses Gespräch gibt es nicht.",
    )
}

/// Pauses the assistant: from now on a person of the workshop answers.
pub async fn take_over(
    ctx: &Context<'_>,
    input: ConversationInput,
) -> ApiResult<ConversationPayload> {
    set_taken_over(ctx, input, true).await
}

/// Hands the conversation back to the assistant.
pub async fn release(
    ctx: &Context<'_>,
    input: ConversationInput,
) -> ApiResult<ConversationPayload> {
    set_taken_over(ctx, input, false).await
}

async fn set_taken_over(
    ctx: &Context<'_>,
    input: ConversationInput,
    taken_over: bool,
) -> ApiResult<ConversationPayload> {
    let member = principal(ctx).member()?;
    let tenant = member.tenant;
    let Some(id) = ids::decode(NodeType::Conversation, &input.conversation_id) else {
        return Ok(ConversationPayload {
            conversation: None,
            user_errors: vec![conversation_not_found()],
        });
    };
    let services = ctx.data_unchecked::<Services>();
    let mut conn = services.pool.get().await?;
    let result = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let now = Utc::now();
            let row: Option<ConversationRow> = diesel::update(
                conversations::table
                    .filter(conversations::id.eq(id))
                    .filter(conversations::workshop_id.eq(tenant.workshop_id())),
            )
            .set((
                conversations::taken_over_by.eq(taken_over.then_some(member.user_id)),
                conversations::taken_over_at.eq(taken_over.then_some(now)),
            ))
            .returning(ConversationRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(row) = row else {
                return Ok(None);
            };
            let event = events::record(
                conn,
                Subject {
                    workshop_id: row.workshop_id,
                    conversation_id: Some(row.id),
                    lead_id: None,
                },
                if taken_over {
                    kinds::TAKEN_OVER
                } else {
                    kinds::RELEASED
                },
                serde_json::json!({ "conversation": row }),
            )
            .await?;
            Ok(Some((row, event)))
        })
        .await?;
    drop(conn);
    let Some((row, event)) = result else {
        return Ok(ConversationPayload {
            conversation: None,
            user_errors: vec![conversation_not_found()],
        });
    };
    events::publish(services.events.as_ref(), &[event]).await;
    Ok(ConversationPayload {
        conversation: Some(Conversation { row, tenant }),
        user_errors: vec![],
    })
}

#[derive(InputObject)]
pub struct SendOwnerMessageInput {
    pub conversation_id: ID,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct SendOwnerMessagePayload {
    pub message: Option<Message>,
    pub user_errors: Vec<UserError>,
}

/// A person of the workshop writes to the visitor. Writing takes the conversation over (the
/// assistant stops answering) if that has not happened yet.
pub async fn send_owner_message(
    ctx: &Context<'_>,
    input: SendOwnerMessageInput,
) -> ApiResult<SendOwnerMessagePayload> {
    let member = principal(ctx).member()?;
    let tenant = member.tenant;
    let services = ctx.data_unchecked::<Services>();
    let mut errors = UserErrors::default();
    let body = message_body(&mut errors, &input.body);
    let id = ids::decode(NodeType::Conversation, &input.conversation_id);
    let mut conn = services.pool.get().await?;
    let conversation = match id {
        Some(id) => load_conversation(&mut conn, tenant, id).await?,
        None => None,
    };
    let (Some(body), Some(conversation)) = (body, conversation) else {
        // A missing conversation is reported unless the message itself was the problem.
        if errors.is_empty() {
            errors.push(
                &["conversationId"],
                UserErrorCode::NotFound,
                "Dieses Gespräch gibt es nicht.",
            );
        }
        return Ok(SendOwnerMessagePayload {
            message: None,
            user_errors: errors.into_vec(),
        });
    };
    if conversation.taken_over_at.is_none() {
        drop(conn);
        let payload = set_taken_over(
            ctx,
            ConversationInput {
                conversation_id: input.conversation_id.clone(),
            },
            true,
        )
        .await?;
        if !payload.user_errors.is_empty() {
            return Ok(SendOwnerMessagePayload {
                message: None,
                user_errors: payload.user_errors,
            });
        }
        conn = services.pool.get().await?;
    }
    let (row, event) = store_message(
        &mut conn,
        &conversation,
        NewMessage {
            id: Uuid::now_v7(),
            role: MessageRole::Owner,
            body,
            offer_lead_form: false,
            assistant: None,
            tokens: 0,
        },
        &[],
    )
    .await?;
    drop(conn);
    events::publish(services.events.as_ref(), &[event]).await;
    Ok(SendOwnerMessagePayload {
        message: Some(Message::new(row, tenant)),
        user_errors: vec![],
    })
}

#[derive(Default)]
pub struct ChatQuery;

#[Object]
impl ChatQuery {
    /// The widget's public appearance for a client key; refused for pages the key does not allow.
    async fn widget_config(
        &self,
        ctx: &Context<'_>,
        client_key: String,
    ) -> async_graphql::Result<keys::WidgetConfig> {
        Ok(keys::widget_config(ctx, &client_key).await?)
    }

    /// The widget's current appearance, for the console (signed-in users).
    async fn widget_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<keys::WidgetConfig> {
        let tenant = principal(ctx).member()?.tenant;
        let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
        Ok(keys::widget_settings(&mut conn, tenant.workshop_id())
            .await?
            .into_config())
    }

    /// The workshop's client keys with their usage, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn client_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<keys::ClientKeyConnection> {
        Ok(keys::list(ctx, first, after).await?)
    }

    /// Conversations, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ConversationFilter>,
    ) -> async_graphql::Result<ConversationConnection> {
        Ok(list_conversations(ctx, first, after, filter.unwrap_or_default()).await?)
    }
}

#[derive(Default)]
pub struct ChatMutation;

#[Object]
impl ChatMutation {
    async fn create_client_key(
        &self,
        ctx: &Context<'_>,
        input: keys::CreateClientKeyInput,
    ) -> async_graphql::Result<keys::ClientKeyPayload> {
        Ok(keys::create(ctx, input).await?)
    }

    async fn update_client_key(
        &self,
        ctx: &Context<'_>,
        input: keys::UpdateClientKeyInput,
    ) -> async_graphql::Result<keys::ClientKeyPayload> {
        Ok(keys::update(ctx, input).await?)
    }

    async fn revoke_client_key(
        &self,
        ctx: &Context<'_>,
        input: keys::RevokeClientKeyInput,
    ) -> async_graphql::Result<keys::ClientKeyPayload> {
        Ok(keys::revoke(ctx, input).await?)
    }

    async fn update_widget_settings(
        &self,
        ctx: &Context<'_>,
        input: keys::UpdateWidgetSettingsInput,
    ) -> async_graphql::Result<keys::UpdateWidgetSettingsPayload> {
        Ok(keys::update_widget_settings(ctx, input).await?)
    }

    /// Starts a chat from the widget; checks the key and the page's origin.
    async fn start_conversation(
        &self,
        ctx: &Context<'_>,
        input: StartConversationInput,
    ) -> async_graphql::Result<StartConversationPayload> {
        Ok(start_conversation(ctx, input).await?)
    }

    /// A visitor's message; answered by the assistant unless a person has taken over.
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        input: SendMessageInput,
    ) -> async_graphql::Result<SendMessagePayload> {
        Ok(send_message(ctx, input).await?)
    }

    async fn take_over_conversation(
        &self,
        ctx: &Context<'_>,
        input: ConversationInput,
    ) -> async_graphql::Result<ConversationPayload> {
        Ok(take_over(ctx, input).await?)
    }

    async fn send_owner_message(
        &self,
        ctx: &Context<'_>,
        input: SendOwnerMessageInput,
    ) -> async_graphql::Result<SendOwnerMessagePayload> {
        Ok(send_owner_message(ctx, input).await?)
    }

    async fn release_conversation(
        &self,
        ctx: &Context<'_>,
        input: ConversationInput,
    ) -> async_graphql::Result<ConversationPayload> {
        Ok(release(ctx, input).await?)
    }
}

/// Event payloads carry the objects they report.
pub(crate) fn from_payload<T: serde::de::DeserializeOwned>(
    event: &StoredEvent,
    field: &str,
) -> Option<T> {
    serde_json::from_value(event.payload.get(field)?.clone()).ok()
}
