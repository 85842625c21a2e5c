//! Live subscriptions over `graphql-transport-ws`: a conversation's events (the widget and the
//! console) and the workshop's inbox. Each can resume after a cursor.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::conversation::{Conversation, ConversationLoader, find_conversations};
use super::message::{Message, MessageByIdLoader};
use crate::auth::{ApiScope, Principal, Tenant};
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
    /// The conversation's texts were erased: load it again (its messages read as a marker).
    Erased,
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
    /// The conversation's texts were erased: load it again (its messages read as a marker).
    Erased,
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
            events::Following::of(ctx, after),
            move |event| event.conversation_id == Some(id),
        );
        let rows = Rows::of(ctx);
        Ok(stream.filter_map(move |stored| {
            let rows = rows.clone();
            async move {
                let cursor = stored.cursor();
                let event = |kind| ConversationEvent {
                    cursor: cursor.clone(),
                    kind,
                    message: None,
                    reply_id: None,
                    chunk: None,
                    conversation: None,
                };
                match stored.event {
                    Event::Message { message_id, .. } => Some(ConversationEvent {
                        message: Some(rows.message(tenant, message_id).await?),
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
                    Event::TakenOver { conversation_id } => Some(ConversationEvent {
                        conversation: Some(rows.conversation(tenant, conversation_id).await?),
                        ..event(ConversationEventKind::TakenOver)
                    }),
                    Event::Released { conversation_id } => Some(ConversationEvent {
                        conversation: Some(rows.conversation(tenant, conversation_id).await?),
                        ..event(ConversationEventKind::Released)
                    }),
                    Event::ConversationErased { conversation_id } => Some(ConversationEvent {
                        conversation: Some(rows.conversation(tenant, conversation_id).await?),
                        ..event(ConversationEventKind::Erased)
                    }),
                    _ => None,
                }
            }
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
            events::Following::of(ctx, after),
            |stored| {
                stored.id.is_some()
                    && matches!(
                        stored.event,
                        Event::ConversationStarted { .. }
                            | Event::Message { .. }
                            | Event::TakenOver { .. }
                            | Event::Released { .. }
                            | Event::ConversationErased { .. }
                    )
            },
        );
        let rows = Rows::of(ctx);
        Ok(stream.filter_map(move |stored: StoredEvent| {
            let rows = rows.clone();
            async move {
                let cursor = stored.cursor()?;
                let (kind, conversation, message) = match stored.event {
                    Event::ConversationStarted { conversation_id } => (
                        InboxEventKind::ConversationStarted,
                        Some(rows.conversation(tenant, conversation_id).await?),
                        None,
                    ),
                    Event::Message { message_id, .. } => (
                        InboxEventKind::Message,
                        None,
                        Some(rows.message(tenant, message_id).await?),
                    ),
                    Event::TakenOver { conversation_id } => (
                        InboxEventKind::TakenOver,
                        Some(rows.conversation(tenant, conversation_id).await?),
                        None,
                    ),
                    Event::Released { conversation_id } => (
                        InboxEventKind::Released,
                        Some(rows.conversation(tenant, conversation_id).await?),
                        None,
                    ),
                    Event::ConversationErased { conversation_id } => (
                        InboxEventKind::Erased,
                        Some(rows.conversation(tenant, conversation_id).await?),
                        None,
                    ),
                    _ => return None,
                };
                Some(InboxEvent {
                    cursor,
                    kind,
                    conversation,
                    message,
                })
            }
        }))
    }
}

/// The rows events name, loaded as they are now through the schema's shared loaders (which
/// batch the loads of every subscriber of one event into one statement).
#[derive(Clone)]
struct Rows {
    conversations: Arc<DataLoader<ConversationLoader>>,
    messages: Arc<DataLoader<MessageByIdLoader>>,
}

impl Rows {
    fn of(ctx: &Context<'_>) -> Self {
        Self {
            conversations: ctx.shared_loader(),
            messages: ctx.shared_loader(),
        }
    }

    async fn conversation(&self, tenant: Tenant, id: Uuid) -> Option<Conversation> {
        let row = self
            .conversations
            .load_one((tenant, id))
            .await
            .inspect_err(|error| tracing::warn!(?error, "loading the conversation of an event"))
            .ok()??;
        Some(Conversation { row, tenant })
    }

    async fn message(&self, tenant: Tenant, id: Uuid) -> Option<Message> {
        let row = self
            .messages
            .load_one((tenant, id))
            .await
            .inspect_err(|error| tracing::warn!(?error, "loading the message of an event"))
            .ok()??;
        Some(Message::new(row, tenant))
    }
}
