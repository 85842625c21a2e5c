//! Live subscriptions over `graphql-transport-ws`: a conversation's events (the widget and the
//! console), the workshop's inbox, and its leads. Each can resume after a cursor.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::{Conversation, ConversationRow, Message, MessageRow, from_payload, kinds};
use crate::Services;
use crate::auth::{ApiScope, Principal, Tenant, principal};
use crate::catalog::ServiceRow;
use crate::error::ApiError;
use crate::events::{self, StoredEvent};
use crate::ids::{self, NodeType};
use crate::leads::{Lead, LeadRow};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationEventKind {
    /// A new message (visitor, assistant or owner).
    Message,
    /// The next piece of an assistant reply being written; not stored, no cursor.
    ReplyChunk,
    /// A person of the workshop answers now; the assistant is paused.
    TakenOver,
    /// The assistant answers again.
    Released,
}

#[derive(SimpleObject)]
pub struct ConversationEvent {
    /// Pass as `after` to resume after this event; `null` for reply chunks.
    pub cursor: Option<String>,
    pub kind: ConversationEventKind,
    pub message: Option<Message>,
    /// For reply chunks: the id the finished reply will have.
    pub reply_id: Option<ID>,
    pub chunk: Option<String>,
    pub conversation: Option<Conversation>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxEventKind {
    ConversationStarted,
    Message,
    TakenOver,
    Released,
}

#[derive(SimpleObject)]
pub struct InboxEvent {
    pub cursor: String,
    pub kind: InboxEventKind,
    pub conversation: Option<Conversation>,
    pub message: Option<Message>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadEventKind {
    Created,
    Updated,
}

#[derive(SimpleObject)]
pub struct LeadEvent {
    pub cursor: String,
    pub kind: LeadEventKind,
    pub lead: Lead,
}

fn parse_after(after: Option<String>) -> Result<Option<i64>, ApiError> {
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

fn message_of(event: &StoredEvent, tenant: Tenant) -> Option<Message> {
    let row: MessageRow = from_payload(event, "message")?;
    let cited: Option<Vec<ServiceRow>> = from_payload(event, "cited");
    Some(Message { row, tenant, cited })
}

fn conversation_of(event: &StoredEvent, tenant: Tenant) -> Option<Conversation> {
    let row: ConversationRow = from_payload(event, "conversation")?;
    Some(Conversation { row, tenant })
}

fn cursor(event: &StoredEvent) -> Option<String> {
    event.id.map(|id| id.to_string())
}

#[derive(Default)]
pub struct ChatSubscription;

#[Subscription]
impl ChatSubscription {
    /// One conversation's messages, reply chunks and takeovers. The visitor token may follow its
    /// own conversation; the workshop's people (and API tokens with LEADS_READ) any of theirs.
    /// `after`: a cursor to resume after, `"0"` to replay the conversation from its start.
    async fn conversation_events(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = ConversationEvent> + use<>> {
        let principal = principal(ctx);
        let id = ids::decode(NodeType::Conversation, &conversation_id);
        let tenant = match principal {
            Principal::Visitor(_) => {
                id.and_then(|id| principal.visitor_of(id))
                    .ok_or(ApiError::Forbidden(
                        "A visitor token is good for its own conversation only.",
                    ))?
            }
            _ => principal.tenant(Some(ApiScope::LeadsRead))?,
        };
        let after = parse_after(after)?;
        let services = ctx.data_unchecked::<Services>();
        let Some(id) = id else {
            return Err(ApiError::NotFound.into());
        };
        {
            let mut conn = services.pool.get().await.map_err(ApiError::from)?;
            if super::find_conversations(&mut conn, tenant, &[id])
                .await?
                .is_empty()
            {
                return Err(ApiError::NotFound.into());
            }
        }
        let stream = events::follow(
            services.pool.clone(),
            services.events.as_ref(),
            tenant.workshop_id(),
            after,
            move |event| event.conversation_id == Some(id),
        );
        Ok(stream.filter_map(move |event| {
            let converted = match event.kind.as_str() {
                kinds::MESSAGE => Some(ConversationEvent {
                    cursor: cursor(&event),
                    kind: ConversationEventKind::Message,
                    message: message_of(&event, tenant),
                    reply_id: None,
                    chunk: None,
                    conversation: None,
                }),
                kinds::REPLY_CHUNK => Some(ConversationEvent {
                    cursor: None,
                    kind: ConversationEventKind::ReplyChunk,
                    message: None,
                    reply_id: event
                        .payload
                        .get("replyId")
                        .and_then(|v| v.as_str())
                        .and_then(|v| Uuid::parse_str(v).ok())
                        .map(|id| ids::encode(NodeType::Message, id)),
                    chunk: event
                        .payload
                        .get("chunk")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned),
                    conversation: None,
                }),
                kinds::TAKEN_OVER | kinds::RELEASED => Some(ConversationEvent {
                    cursor: cursor(&event),
                    kind: if event.kind == kinds::TAKEN_OVER {
                        ConversationEventKind::TakenOver
                    } else {
                        ConversationEventKind::Released
                    },
                    message: None,
                    reply_id: None,
                    chunk: None,
                    conversation: conversation_of(&event, tenant),
                }),
                _ => None,
            };
            futures_util::future::ready(converted)
        }))
    }

    /// Every new conversation and message of the workshop, for the console's inbox.
    async fn inbox_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = InboxEvent> + use<>> {
        let tenant = principal(ctx).member()?.tenant;
        let after = parse_after(after)?;
        let services = ctx.data_unchecked::<Services>();
        let stream = events::follow(
            services.pool.clone(),
            services.events.as_ref(),
            tenant.workshop_id(),
            after,
            |event| {
                event.id.is_some()
                    && matches!(
                        event.kind.as_str(),
                        kinds::CONVERSATION_STARTED
                            | kinds::MESSAGE
                            | kinds::TAKEN_OVER
                            | kinds::RELEASED
                    )
            },
        );
        Ok(stream.filter_map(move |event| {
            let kind = match event.kind.as_str() {
                kinds::CONVERSATION_STARTED => InboxEventKind::ConversationStarted,
                kinds::MESSAGE => InboxEventKind::Message,
                kinds::TAKEN_OVER => InboxEventKind::TakenOver,
                _ => InboxEventKind::Released,
            };
            futures_util::future::ready(cursor(&event).map(|cursor| InboxEvent {
                cursor,
                kind,
                conversation: conversation_of(&event, tenant),
                message: message_of(&event, tenant),
            }))
        }))
    }

    /// New and changed leads of the workshop (users, and API tokens with LEADS_READ).
    async fn lead_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = LeadEvent> + use<>> {
        let tenant = principal(ctx).tenant(Some(ApiScope::LeadsRead))?;
        let after = parse_after(after)?;
        let services = ctx.data_unchecked::<Services>();
        let stream = events::follow(
            services.pool.clone(),
            services.events.as_ref(),
            tenant.workshop_id(),
            after,
            |event| {
                matches!(
                    event.kind.as_str(),
                    kinds::LEAD_CREATED | kinds::LEAD_UPDATED
                )
            },
        );
        Ok(stream.filter_map(move |event| {
            let lead: Option<LeadRow> = from_payload(&event, "lead");
            futures_util::future::ready(lead.zip(cursor(&event)).map(|(row, cursor)| LeadEvent {
                cursor,
                kind: if event.kind == kinds::LEAD_CREATED {
                    LeadEventKind::Created
                } else {
                    LeadEventKind::Updated
                },
                lead: Lead { row, tenant },
            }))
        }))
    }
}
