//! The widget's side of a chat: a visitor starts a conversation with a client key and writes;
//! the assistant answers unless a person of the workshop has taken over.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::assistant::vehicle::Vehicle;
use super::client_keys;
use super::conversation::conversation_vehicle;
use super::conversation::{Conversation, ConversationRow};
use super::message::{Message, MessageRole, NewMessage, message_body};
use super::reply::{self, AssistantSetup};
use super::widget_settings::widget_settings;
use crate::accounts::workshop::Locale;
use crate::auth::Authenticator;
use crate::context::Ctx;
use crate::db::Statement;
use crate::db::schema::conversations;
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::events::Event;
use crate::facts::{self, Fact, Place};
use crate::ids::{self, NodeType};
use crate::limits::{HOUR, MINUTE};
use crate::principal::Principal;

/// Abuse limits of the widget (documented in the README).
pub mod abuse_limits {
    pub const MESSAGES_PER_VISITOR_MINUTE: u32 = 10;
    pub const MESSAGES_PER_IP_MINUTE: u32 = 30;
    pub const MESSAGES_PER_KEY_MINUTE: u32 = 300;
    pub const CONVERSATIONS_PER_KEY_HOUR: u32 = 500;
    pub const CONVERSATIONS_PER_IP_HOUR: u32 = 20;
    pub const WIDGET_OPENS_PER_IP_HOUR: u32 = 120;
}

const MAX_PAGE_URL: usize = 2_000;

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

#[derive(InputObject)]
pub struct RecordWidgetOpenInput {
    /// The widget's `cb_pub_…` key.
    pub client_key: String,
    /// The page the chat window was opened on (origin and path).
    pub page_url: Option<String>,
}

#[derive(SimpleObject)]
pub struct RecordWidgetOpenPayload {
    /// Whether the open was counted.
    pub recorded: bool,
    pub user_errors: Vec<UserError>,
}

/// A page address as the widget sends it: trimmed, `None` when empty, refused when it is not
/// an http(s) address or too long.
fn page_url(given: Option<String>) -> Result<Option<String>, UserError> {
    let url = given.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(url) = &url
        && (url.chars().count() > MAX_PAGE_URL
            || !(url.starts_with("https://") || url.starts_with("http://")))
    {
        return Err(UserError::new(
            &["pageUrl"],
            UserErrorCode::Invalid,
            "Keine gültige Seitenadresse.",
        ));
    }
    Ok(url)
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
    /// The visitor's vehicle as far as the conversation tells it, for the request form.
    pub vehicle: Option<Vehicle>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct VisitorMutation;

#[Object]
impl VisitorMutation {
    /// Starts a chat from the widget; checks the key and the page's origin.
    async fn start_conversation(
        &self,
        ctx: &Context<'_>,
        input: StartConversationInput,
    ) -> ApiResult<StartConversationPayload> {
        use abuse_limits::*;
        let platform = ctx.platform();
        let refused = |field: &str, code, message: &str| StartConversationPayload {
            conversation: None,
            visitor_token: None,
            user_errors: vec![UserError::new(&[field], code, message)],
        };
        let page_url = match page_url(input.page_url) {
            Ok(url) => url,
            Err(error) => {
                return Ok(StartConversationPayload {
                    conversation: None,
                    visitor_token: None,
                    user_errors: vec![error],
                });
            }
        };
        if let Some(ip) = ctx.client_ip() {
            platform
                .limit(
                    &format!("conversations:ip:{ip}"),
                    CONVERSATIONS_PER_IP_HOUR,
                    HOUR,
                )
                .await?;
        }
        let mut conn = platform.conn().await?;
        let Some(key) = client_keys::active_key(&mut conn, &input.client_key, ctx.origin()).await?
        else {
            return Ok(refused(
                "clientKey",
                UserErrorCode::NotFound,
                "Dieser Client-Key ist unbekannt oder wurde widerrufen.",
            ));
        };
        platform
            .limit(
                &format!("conversations:key:{}", key.id),
                CONVERSATIONS_PER_KEY_HOUR,
                HOUR,
            )
            .await?;
        let tenant = key.tenant;
        let locale = match input.locale {
            Some(locale) => locale,
            None => widget_settings(&mut conn, tenant).await?.locale(),
        };
        let row = platform
            .commit(conn, tenant, async move |conn| {
                let row: ConversationRow = diesel::insert_into(conversations::table)
                    .values((
                        conversations::id.eq(Uuid::now_v7()),
                        conversations::workshop_id.eq(tenant.workshop_id()),
                        conversations::client_key_id.eq(key.id),
                        conversations::locale.eq(locale.as_str()),
                        conversations::page_url.eq(&page_url),
                    ))
                    .returning(ConversationRow::as_returning())
                    .get_result(conn)
                    .await?;
                facts::record(
                    conn,
                    vec![Fact::conversation_started(row.place(tenant), page_url)],
                )
                .await?;
                let started = Event::ConversationStarted {
                    conversation_id: row.id,
                };
                Ok((row, vec![started]))
            })
            .await?;
        let token = ctx.service::<Authenticator>().keys().issue_visitor(
            row.id,
            row.workshop_id,
            row.client_key_id,
            Utc::now(),
        );
        Ok(StartConversationPayload {
            conversation: Some(Conversation { row, tenant }),
            visitor_token: Some(token),
            user_errors: vec![],
        })
    }

    /// The visitor opened the chat window: counted as a widget open in the workshop's analytics.
    /// Checks the key and the page's origin like `startConversation`.
    async fn record_widget_open(
        &self,
        ctx: &Context<'_>,
        input: RecordWidgetOpenInput,
    ) -> ApiResult<RecordWidgetOpenPayload> {
        let refused = |error| RecordWidgetOpenPayload {
            recorded: false,
            user_errors: vec![error],
        };
        let page = match page_url(input.page_url) {
            Ok(url) => url,
            Err(error) => return Ok(refused(error)),
        };
        let platform = ctx.platform();
        if let Some(ip) = ctx.client_ip() {
            platform
                .limit(
                    &format!("widget-opens:ip:{ip}"),
                    abuse_limits::WIDGET_OPENS_PER_IP_HOUR,
                    HOUR,
                )
                .await?;
        }
        let mut conn = platform.conn().await?;
        let Some(key) = client_keys::active_key(&mut conn, &input.client_key, ctx.origin()).await?
        else {
            return Ok(refused(UserError::new(
                &["clientKey"],
                UserErrorCode::NotFound,
                "Dieser Client-Key ist unbekannt oder wurde widerrufen.",
            )));
        };
        let place = Place {
            tenant: key.tenant,
            client_key_id: Some(key.id),
            conversation_id: None,
        };
        facts::record(&mut conn, vec![Fact::widget_opened(place, page)]).await?;
        Ok(RecordWidgetOpenPayload {
            recorded: true,
            user_errors: vec![],
        })
    }

    /// A visitor's message; answered by the assistant unless a person has taken over.
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        input: SendMessageInput,
    ) -> ApiResult<SendMessagePayload> {
        use abuse_limits::*;
        let platform = ctx.platform();
        let principal = ctx.principal();
        let (tenant, conversation_id) = principal.visitor_conversation(
            ids::decode(NodeType::Conversation, &input.conversation_id),
            "Messages of visitors come from the widget; use sendOwnerMessage.",
        )?;
        let Principal::Visitor(visitor) = principal else {
            return Err(ApiError::Unauthenticated);
        };
        let mut errors = UserErrors::default();
        let Some(body) = message_body(&mut errors, &input.body) else {
            return Ok(SendMessagePayload {
                message: None,
                reply: None,
                vehicle: None,
                user_errors: errors.into_vec(),
            });
        };
        platform
            .limit(
                &format!("messages:conversation:{conversation_id}"),
                MESSAGES_PER_VISITOR_MINUTE,
                MINUTE,
            )
            .await?;
        if let Some(ip) = ctx.client_ip() {
            platform
                .limit(&format!("messages:ip:{ip}"), MESSAGES_PER_IP_MINUTE, MINUTE)
                .await?;
        }
        platform
            .limit(
                &format!("messages:key:{}", visitor.client_key_id),
                MESSAGES_PER_KEY_MINUTE,
                MINUTE,
            )
            .await?;
        // One connection for the whole request: the conversation with its workshop, the
        // message, and the answer (see `reply::answer`).
        let mut conn = platform.conn().await?;
        let opened = reply::open(&mut conn, tenant, conversation_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let conversation = &opened.conversation;
        let message = NewMessage::written(MessageRole::Visitor, body);
        let mut statement = Statement::with();
        let fact = Fact::visitor_message(conversation.place(tenant), message.id);
        facts::write(&mut statement, vec![fact]);
        statement.sql(", ");
        let row = message
            .write(platform, &mut conn, statement, tenant, conversation, &[])
            .await?;
        let (reply, vehicle) = if conversation.taken_over_at.is_some() {
            let vehicle = conversation_vehicle(&mut conn, tenant, conversation.id).await?;
            (None, vehicle)
        } else {
            let assistant = ctx.service::<AssistantSetup>();
            let replied = reply::answer(platform, assistant, conn, tenant, &opened, &row).await?;
            let reply = Message {
                row: replied.message,
                tenant,
                cited: Some(replied.cited),
            };
            (Some(reply), replied.vehicle)
        };
        Ok(SendMessagePayload {
            message: Some(Message::new(row, tenant)),
            reply,
            vehicle,
            user_errors: vec![],
        })
    }
}
