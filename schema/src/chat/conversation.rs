//! Conversations: the object, the `conversations` list, and loading them by id.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::assistant::vehicle::Vehicle;
use super::client_keys;
use super::message::{
    Message, MessageConnection, MessageEdge, MessageLoader, MessageRole, MessageRow, messages_page,
};
use crate::accounts::workshop::{Locale, Weekday};
use crate::auth::{ApiScope, Tenant};
use crate::catalog;
use crate::context::Ctx;
use crate::db::Pool;
pub use crate::db::rows::ConversationRow;
use crate::db::schema::{conversations, facts};
use crate::error::{ApiError, ApiResult};
use crate::facts::{Place, QuestionIntent};
use crate::ids::{self, NodeType};
use crate::loaders::{Key, by_tenant};
use crate::pagination::{Page, PageInfo, edges};

impl ConversationRow {
    /// Where a fact about this conversation happens.
    pub fn place(&self, tenant: Tenant) -> Place {
        Place {
            tenant,
            client_key_id: Some(self.client_key_id),
            conversation_id: Some(self.id),
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
    /// The visitor's vehicle as far as the conversation tells it (make and model, year,
    /// vehicle class, HSN/TSN); `null` when no message named one.
    async fn vehicle(&self, ctx: &Context<'_>) -> ApiResult<Option<Vehicle>> {
        let mut conn = ctx.platform().conn().await?;
        conversation_vehicle(&mut conn, self.tenant, self.row.id).await
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
        let rows: Vec<MessageRow> = if page.after.is_none() {
            let all = ctx
                .loader::<MessageLoader>()
                .load_one((self.tenant, self.row.id))
                .await?
                .unwrap_or_default();
            all.into_iter().take(page.limit() as usize).collect()
        } else {
            let mut conn = ctx.platform().conn().await?;
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
    /// Only conversations started on this page (origin and path).
    pub page: Option<String>,
    /// Only conversations in which the visitor wrote (true), or only opened windows (false):
    /// `analytics` counts the first kind as conversations.
    pub has_visitor_messages: Option<bool>,
    /// Only conversations that led to a lead (true) or did not (false).
    pub has_lead: Option<bool>,
    /// Only conversations with a question the assistant read as this.
    pub intent: Option<QuestionIntent>,
    /// Only conversations with a question the catalog could not answer (`analytics.
    /// unansweredQuestions`).
    pub unanswered: Option<bool>,
    /// Only conversations in which the assistant quoted this service or a lead requested it.
    pub service_id: Option<ID>,
    /// Only conversations started on this weekday of the workshop's time zone (a cell of
    /// `analytics.peakHours`, with `hour`).
    pub weekday: Option<Weekday>,
    /// Only conversations started in this hour (0–23) of the workshop's time zone.
    pub hour: Option<i32>,
}

/// `conversations.created_at` in the workshop's time zone, for `extract(… FROM …)`.
const LOCAL_START: &str = "conversations.created_at AT TIME ZONE \
    (SELECT w.time_zone FROM workshops w WHERE w.id = conversations.workshop_id))";

/// The tenant's conversations with these ids (those that exist).
/// Visitor messages read for the vehicle: the latest ones, enough for any chat worth reading.
const VEHICLE_MESSAGES: i64 = 50;

/// What the visitor's messages say about their vehicle, later messages over earlier ones.
pub async fn conversation_vehicle(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    conversation_id: Uuid,
) -> ApiResult<Option<Vehicle>> {
    use crate::db::schema::messages;
    let mut bodies: Vec<String> = tenant
        .messages()
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::role.eq(MessageRole::Visitor.as_str()))
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(VEHICLE_MESSAGES)
        .select(messages::body)
        .load(conn)
        .await?;
    bodies.reverse();
    Ok(bodies
        .iter()
        .filter_map(|b| Vehicle::in_text(b))
        .reduce(Vehicle::updated))
}

pub async fn find_conversations(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<ConversationRow>> {
    Ok(tenant
        .conversations()
        .filter(conversations::id.eq_any(ids))
        .select(ConversationRow::as_select())
        .load(conn)
        .await?)
}

/// One of the tenant's conversations.
pub async fn load_conversation(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Uuid,
) -> ApiResult<Option<ConversationRow>> {
    Ok(tenant
        .conversations()
        .filter(conversations::id.eq(id))
        .select(ConversationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// Conversations, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ConversationFilter>,
    ) -> ApiResult<ConversationConnection> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsRead))?;
        let filter = filter.unwrap_or_default();
        let page = Page::new(first, after)?;
        let key = client_keys::filter_id(filter.client_key_id.as_ref())?;
        let service = catalog::filter_id(filter.service_id.as_ref())?;
        if filter.hour.is_some_and(|h| !(0..24).contains(&h)) {
            return Err(ApiError::BadRequest(
                "`filter.hour` must be between 0 and 23.".into(),
            ));
        }
        // ISO weekday numbers: Monday 1 … Sunday 7.
        let weekday = filter.weekday.and_then(|day| {
            Weekday::ALL
                .iter()
                .position(|d| *d == day)
                .and_then(|i| i32::try_from(i + 1).ok())
        });
        let mut conn = ctx.platform().conn().await?;
        // The conversation's facts of one kind.
        let facts_of = |kind: &'static str| {
            facts::table
                .filter(facts::conversation_id.eq(conversations::id.nullable()))
                .filter(facts::kind.eq(kind))
        };
        let filtered = || {
            let mut query = tenant.conversations().into_boxed();
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
            if let Some(page) = &filter.page {
                query = query.filter(conversations::page_url.eq(page.clone()));
            }
            match filter.has_visitor_messages {
                Some(true) => query = query.filter(exists(facts_of("VISITOR_MESSAGE"))),
                Some(false) => query = query.filter(not(exists(facts_of("VISITOR_MESSAGE")))),
                None => {}
            }
            match filter.has_lead {
                Some(true) => query = query.filter(exists(facts_of("LEAD_SUBMITTED"))),
                Some(false) => query = query.filter(not(exists(facts_of("LEAD_SUBMITTED")))),
                None => {}
            }
            if let Some(intent) = filter.intent {
                let asked = facts_of("ASSISTANT_ANSWER").filter(facts::intent.eq(intent.as_str()));
                query = query.filter(exists(asked));
            }
            let unanswered = || {
                facts_of("ASSISTANT_ANSWER")
                    .filter(facts::matched.eq(false))
                    .filter(
                        facts::intent.eq_any(QuestionIntent::WANT_THE_CATALOG.map(|i| i.as_str())),
                    )
            };
            match filter.unanswered {
                Some(true) => query = query.filter(exists(unanswered())),
                Some(false) => query = query.filter(not(exists(unanswered()))),
                None => {}
            }
            if let Some(service) = service {
                let named = facts::table
                    .filter(facts::conversation_id.eq(conversations::id.nullable()))
                    .filter(facts::kind.eq_any(["ASSISTANT_ANSWER", "LEAD_SUBMITTED"]))
                    .filter(facts::service_ids.contains(vec![service]));
                query = query.filter(exists(named));
            }
            if let Some(weekday) = weekday {
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                        "extract(isodow FROM {LOCAL_START} = "
                    ))
                    .bind::<diesel::sql_types::Integer, _>(weekday),
                );
            }
            if let Some(hour) = filter.hour {
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                        "extract(hour FROM {LOCAL_START} = "
                    ))
                    .bind::<diesel::sql_types::Integer, _>(hour),
                );
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
}

/// Conversations by id for nested fields (a lead's conversation).
pub struct ConversationLoader(pub Pool);

impl Loader<Key> for ConversationLoader {
    type Value = ConversationRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, ConversationRow>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for row in find_conversations(&mut conn, tenant, &ids).await? {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}
