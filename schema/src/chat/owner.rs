//! The workshop's side of a chat: a person takes a conversation over (the assistant pauses),
//! writes to the visitor, and hands it back.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::conversation::{Conversation, ConversationRow, load_conversation};
use super::message::{Message, MessageRole, NewMessage, message_body};
use crate::context::{Ctx, Platform};
use crate::db::schema::conversations;
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::events::Event;
use crate::facts::{self, Answered, Fact};
use crate::ids::{self, NodeType};
use crate::principal::Member;

#[derive(InputObject)]
pub struct ConversationInput {
    pub conversation_id: ID,
}

#[derive(SimpleObject)]
pub struct ConversationPayload {
    pub conversation: Option<Conversation>,
    pub user_errors: Vec<UserError>,
}

impl ConversationPayload {
    fn not_found() -> Self {
        Self {
            conversation: None,
            user_errors: vec![conversation_not_found()],
        }
    }
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

fn conversation_not_found() -> UserError {
    UserError::new(
        &["conversationId"],
        UserErrorCode::NotFound,
        "Dieses Gespräch gibt es nicht.",
    )
}

/// Pauses the assistant (a person answers from now on) or hands the conversation back to it.
/// `None` when the member's workshop has no such conversation.
async fn set_taken_over(
    platform: &Platform,
    member: Member,
    id: Uuid,
    taken_over: bool,
) -> ApiResult<Option<ConversationRow>> {
    let tenant = member.tenant;
    let conn = platform.conn().await?;
    platform
        .commit(conn, tenant, async move |conn| {
            let row: Option<ConversationRow> =
                diesel::update(tenant.conversations().filter(conversations::id.eq(id)))
                    .set((
                        conversations::taken_over_by.eq(taken_over.then_some(member.user_id)),
                        conversations::taken_over_at.eq(taken_over.then_some(Utc::now())),
                    ))
                    .returning(ConversationRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?;
            if let Some(row) = row.as_ref().filter(|_| taken_over) {
                facts::record(conn, vec![Fact::taken_over(row.place(tenant))]).await?;
            }
            let events = row
                .iter()
                .map(|row| {
                    let conversation_id = row.id;
                    if taken_over {
                        Event::TakenOver { conversation_id }
                    } else {
                        Event::Released { conversation_id }
                    }
                })
                .collect();
            Ok((row, events))
        })
        .await
}

async fn take_over_or_release(
    ctx: &Context<'_>,
    input: ConversationInput,
    taken_over: bool,
) -> ApiResult<ConversationPayload> {
    let member = ctx.principal().member()?;
    let Some(id) = ids::decode(NodeType::Conversation, &input.conversation_id) else {
        return Ok(ConversationPayload::not_found());
    };
    Ok(
        match set_taken_over(ctx.platform(), member, id, taken_over).await? {
            Some(row) => ConversationPayload {
                conversation: Some(Conversation {
                    row,
                    tenant: member.tenant,
                }),
                user_errors: vec![],
            },
            None => ConversationPayload::not_found(),
        },
    )
}

#[derive(Default)]
pub struct OwnerMutation;

#[Object]
impl OwnerMutation {
    async fn take_over_conversation(
        &self,
        ctx: &Context<'_>,
        input: ConversationInput,
    ) -> ApiResult<ConversationPayload> {
        take_over_or_release(ctx, input, true).await
    }

    // A person of the workshop writes to the visitor. Writing takes the conversation over (the
    // assistant stops answering) if that has not happened yet.
    async fn send_owner_message(
        &self,
        ctx: &Context<'_>,
        input: SendOwnerMessageInput,
    ) -> ApiResult<SendOwnerMessagePayload> {
        let member = ctx.principal().member()?;
        let tenant = member.tenant;
        let platform = ctx.platform();
        let mut errors = UserErrors::default();
        let body = message_body(&mut errors, &input.body);
        let id = ids::decode(NodeType::Conversation, &input.conversation_id);
        let mut conn = platform.conn().await?;
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
            if set_taken_over(platform, member, conversation.id, true)
                .await?
                .is_none()
            {
                return Ok(SendOwnerMessagePayload {
                    message: None,
                    user_errors: vec![conversation_not_found()],
                });
            }
            conn = platform.conn().await?;
        }
        let row = platform
            .commit(conn, tenant, async |conn| {
                let (row, event) = NewMessage::written(MessageRole::Owner, body)
                    .store(conn, &conversation, &[])
                    .await?;
                let place = conversation.place(tenant);
                facts::record(conn, vec![Fact::owner_message(place, row.id)]).await?;
                let answered = Answered::Conversation(conversation.id);
                facts::first_response(conn, tenant, answered, row.created_at).await?;
                Ok((row, vec![event]))
            })
            .await?;
        Ok(SendOwnerMessagePayload {
            message: Some(Message::new(row, tenant)),
            user_errors: vec![],
        })
    }

    async fn release_conversation(
        &self,
        ctx: &Context<'_>,
        input: ConversationInput,
    ) -> ApiResult<ConversationPayload> {
        take_over_or_release(ctx, input, false).await
    }
}
