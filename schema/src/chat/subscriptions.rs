//! Live subscriptions over `graphql-transport-ws`: a conversation's events (the widget and the
//! console) and the workshop's inbox. Each can resume after a cursor.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};

use super::conversation::{Conversation, find_conversations};
use super::message::Message;
use crate::auth::{ApiScope, Principal};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::events::{self, Event, StoredEvent};
use crate::ids::{self, NodeType};

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
        let principal = ctx.principal();
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
        let after = events::parse_cursor(after)?;
        let platform = ctx.platform();
        let Some(id) = id else {
            return Err(ApiError::NotFound.into());
        };
        {
            let mut conn = platform.conn().await?;
            if find_conversations(&mut conn, tenant, &[id])
                .await?
                .is_empty()
            {
                return Err(ApiError::NotFound.into());
            }
        }
        let stream = events::follow(
            platform.pool.clone(),
            platform.events.as_ref(),
            tenant,
            after,
            move |event| event.conversation_id == Some(id),
        );
        Ok(stream.filter_map(move |stored| {
            let cursor = stored.cursor();
            let event = |kind| ConversationEvent {
                cursor: cursor.clone(),
                kind,
                message: None,
                reply_id: None,
                chunk: None,
                conversation: None,
            };
            let converted = match stored.event {
                Event::Message { message, cited } => Some(ConversationEvent {
                    message: Some(Message {
                        row: message,
                        tenant,
                        cited: Some(cited),
                    }),
                    ..event(ConversationEventKind::Message)
                }),
                Event::ReplyChunk {
                    reply_id, chunk, ..
                } => Some(ConversationEvent {
                    cursor: None,
                    reply_id: Some(ids::encode(NodeType::Message, reply_id)),
                    chunk: Some(chunk),
                    ..event(ConversationEventKind::ReplyChunk)
                }),
                Event::TakenOver { conversation } => Some(ConversationEvent {
                    conversation: Some(Conversation {
                        row: conversation,
                        tenant,
                    }),
                    ..event(ConversationEventKind::TakenOver)
                }),
                Event::Released { conversation } => Some(ConversationEvent {
                    conversation: Some(Conversation {
                        row: conversation,
                        tenant,
                    }),
                    ..event(ConversationEventKind::Released)
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
        let tenant = ctx.principal().member()?.tenant;
        let after = events::parse_cursor(after)?;
        let platform = ctx.platform();
        let stream = events::follow(
            platform.pool.clone(),
            platform.events.as_ref(),
            tenant,
            after,
            |stored| {
                stored.id.is_some()
                    && matches!(
                        stored.event,
                        Event::ConversationStarted { .. }
                            | Event::Message { .. }
                            | Event::TakenOver { .. }
                            | Event::Released { .. }
                    )
            },
        );
        Ok(stream.filter_map(move |stored: StoredEvent| {
            let cursor = stored.cursor();
            let conversation = |row| Some(Conversation { row, tenant });
            let (kind, conversation, message) = match stored.event {
                Event::ConversationStarted { conversation: row } => {
                    (InboxEventKind::ConversationStarted, conversation(row), None)
                }
                Event::Message { message, cited } => (
                    InboxEventKind::Message,
                    None,
                    Some(Message {
                        row: message,
                        tenant,
                        cited: Some(cited),
                    }),
                ),
                Event::TakenOver { conversation: row } => {
                    (InboxEventKind::TakenOver, conversation(row), None)
                }
                Event::Released { conversation: row } => {
                    (InboxEventKind::Released, conversation(row), None)
                }
                _ => return futures_util::future::ready(None),
            };
            futures_util::future::ready(cursor.map(|cursor| InboxEvent {
                cursor,
                kind,
                conversation,
                message,
            }))
        }))
    }
}
