//! Answering a visitor: the catalog search, the assistant, the fall-back, the daily model
//! budget, streaming the reply as it is written, and storing it.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::assistant::builtin::{CatalogAssistant, plan_inactive_answer, question_intent};
use super::assistant::catalog_cache::CatalogCache;
use super::assistant::memory::understand;
use super::assistant::vehicle::Vehicle;
use super::assistant::{Answer, Assistant, AssistantError, Question, Speaker, Turn, WorkshopFacts};
use super::conversation::ConversationRow;
use super::message::{MessageRole, MessageRow, NewMessage};
use crate::accounts::workshop::{Locale, WorkshopRow};
use crate::auth::Tenant;
use crate::catalog::ServiceRow;
use crate::context::Platform;
use crate::db::schema::{assistant_usage, conversations, messages, workshops};
use crate::db::{Conn, Statement};
use crate::error::ApiResult;
use crate::events::Event;
use crate::facts::Fact;
use crate::plans::{Entitlements, Feature};

/// Which assistant answers, and how much of the model a workshop may use per day.
#[derive(Debug, Clone)]
pub struct AssistantSetup {
    /// The configured model; `None` means the built-in assistant answers everything.
    pub model: Option<Arc<dyn Assistant>>,
    pub builtin: Arc<CatalogAssistant>,
    /// Model tokens per workshop and day; beyond it the built-in assistant answers.
    pub daily_token_budget: i64,
    /// The workshops' catalogs, prepared for answering.
    pub catalogs: Arc<CatalogCache>,
}

impl Default for AssistantSetup {
    fn default() -> Self {
        Self {
            model: None,
            builtin: Arc::new(CatalogAssistant),
            daily_token_budget: 200_000,
            catalogs: Arc::default(),
        }
    }
}

const HISTORY: i64 = 20;

/// What the assistant may tell about the workshop.
pub(crate) fn facts(row: &WorkshopRow) -> WorkshopFacts {
    let address = [
        row.street.clone(),
        match (&row.postal_code, &row.city) {
            (Some(code), Some(city)) => Some(format!("{code} {city}")),
            (None, Some(city)) => Some(city.clone()),
            _ => None,
        },
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    WorkshopFacts {
        name: row.name.clone(),
        phone: row.phone.clone(),
        email: row.email.clone(),
        website: row.website.clone(),
        address: (!address.is_empty()).then_some(address),
        opening_hours: serde_json::from_value(row.opening_hours.clone()).unwrap_or_default(),
        time_zone: row.time_zone.clone(),
    }
}

/// A stored answer.
pub struct Replied {
    pub message: MessageRow,
    /// The services it quotes, best first.
    pub cited: Vec<ServiceRow>,
    /// The visitor's vehicle as far as the conversation tells it.
    pub vehicle: Option<Vehicle>,
}

/// What answering a conversation needs to know besides its messages, read with the
/// conversation in one statement ([`open`]).
pub struct Opened {
    pub conversation: ConversationRow,
    pub workshop: WorkshopRow,
    /// The model tokens the workshop used today (UTC).
    pub model_tokens_today: i64,
}

/// The tenant's conversation with its workshop and the workshop's model usage of the day.
pub async fn open(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    conversation_id: Uuid,
) -> ApiResult<Option<Opened>> {
    let used_today = assistant_usage::table
        .filter(assistant_usage::workshop_id.eq(tenant.workshop_id()))
        .filter(assistant_usage::day.eq(Utc::now().date_naive()))
        .select(assistant_usage::tokens)
        .single_value();
    let found: Option<(ConversationRow, WorkshopRow, Option<i64>)> = tenant
        .conversations()
        .inner_join(workshops::table)
        .filter(conversations::id.eq(conversation_id))
        .select((
            ConversationRow::as_select(),
            WorkshopRow::as_select(),
            used_today,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(conversation, workshop, tokens)| Opened {
        conversation,
        workshop,
        model_tokens_today: tokens.unwrap_or(0),
    }))
}

/// Answers `visitor_message`, streams the answer to subscribers and stores it, on the
/// request's connection: with the built-in assistant the whole answer runs on it (reading the
/// history, the catalog when its revision moved on, and one statement writing the answer, its
/// usage, its fact and its event); a model's answer gives the connection back while the model
/// writes.
pub async fn answer(
    platform: &Platform,
    assistant: &AssistantSetup,
    conn: Conn<'_>,
    tenant: Tenant,
    opened: &Opened,
    visitor_message: &MessageRow,
) -> ApiResult<Replied> {
    let started = Instant::now();
    let Opened {
        conversation,
        workshop,
        model_tokens_today,
    } = opened;
    let mut conn = Some(conn);
    let held = conn.as_mut().expect("the request's connection");
    let entitlements = Entitlements::new(
        &workshop.plan_code,
        &workshop.billing_status,
        workshop.trial_ends_at,
        workshop.access_until,
        Utc::now(),
    );
    let mut history: Vec<MessageRow> = tenant
        .messages()
        .filter(messages::conversation_id.eq(conversation.id))
        .filter(messages::id.ne(visitor_message.id))
        .select(MessageRow::as_select())
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(HISTORY)
        .load(held)
        .await?;
    history.reverse();
    let turns: Vec<Turn> = history
        .iter()
        .map(|m| Turn {
            speaker: match MessageRole::parse(&m.role) {
                MessageRole::Visitor => Speaker::Visitor,
                MessageRole::Assistant => Speaker::Assistant,
                MessageRole::Owner => Speaker::Owner,
            },
            text: m.body.clone(),
            cited: m.cited_service_ids.clone(),
        })
        .collect();
    let catalog = assistant
        .catalogs
        .get(held, tenant, workshop.catalog_revision)
        .await?;
    let understood = understand(
        &catalog.index,
        &turns,
        &visitor_message.body,
        Locale::parse(&conversation.locale),
    );

    let facts = facts(workshop);
    let question = Question {
        workshop: &facts,
        locale: understood.locale,
        history: &turns,
        text: &visitor_message.body,
        catalog: &understood.entries,
        memory: &understood.memory,
        now: Utc::now(),
    };
    let reply_id = Uuid::now_v7();
    let (answer, kind) = if !entitlements.allows(Feature::AiChat) {
        (plan_inactive_answer(question.locale), "builtin")
    } else {
        let model = assistant
            .model
            .as_ref()
            .filter(|_| *model_tokens_today < assistant.daily_token_budget);
        let mut result = None;
        if let Some(model) = model {
            // A model takes seconds: the pool's connection is not held meanwhile.
            conn = None;
            match run(
                platform,
                tenant,
                conversation,
                reply_id,
                model.as_ref(),
                &question,
            )
            .await
            {
                Ok(answer) => result = Some((answer, model.kind())),
                Err(error) => {
                    tracing::warn!(%error, "the model failed; the built-in assistant answers")
                }
            }
        } else if assistant.model.is_some() {
            tracing::info!(workshop = %tenant.workshop_id(), "daily model budget used up; the built-in assistant answers");
        }
        match result {
            Some(found) => found,
            None => {
                let builtin = assistant.builtin.clone();
                let answer = run(
                    platform,
                    tenant,
                    conversation,
                    reply_id,
                    builtin.as_ref(),
                    &question,
                )
                .await
                .unwrap_or_else(|_| plan_inactive_answer(question.locale));
                (answer, "builtin")
            }
        }
    };
    let mut conn = match conn {
        Some(conn) => conn,
        None => platform.conn().await?,
    };
    // In the answer's order, best match first.
    let cited = catalog.services(&answer.cited);
    let mut statement = Statement::with();
    if answer.tokens > 0 {
        let workshop = statement.bind::<SqlUuid, _>(tenant.workshop_id());
        let day = statement.bind::<Date, _>(Utc::now().date_naive());
        let tokens = statement.bind::<BigInt, _>(i64::from(answer.tokens));
        statement.sql(&format!(
            "used_tokens AS (
                INSERT INTO assistant_usage (workshop_id, day, tokens)
                VALUES ({workshop}, {day}, {tokens})
                ON CONFLICT (workshop_id, day)
                DO UPDATE SET tokens = assistant_usage.tokens + EXCLUDED.tokens
             ), "
        ));
    }
    let cited_ids: Vec<Uuid> = cited.iter().map(|s| s.id).collect();
    let intent = question_intent(&visitor_message.body, !cited_ids.is_empty());
    let answered = Fact::assistant_answer(
        conversation.place(tenant),
        visitor_message.id,
        intent,
        cited_ids,
    );
    let reply = NewMessage {
        id: reply_id,
        role: MessageRole::Assistant,
        body: answer.body,
        offer_lead_form: answer.offer_lead_form,
        assistant: Some(kind),
        tokens: i32::try_from(answer.tokens).unwrap_or(i32::MAX),
    };
    crate::facts::write(&mut statement, vec![answered]);
    statement.sql(", ");
    let row = reply
        .write(platform, &mut conn, statement, tenant, conversation, &cited)
        .await?;
    tracing::debug!(
        assistant = kind,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "answered"
    );
    Ok(Replied {
        message: row,
        cited,
        vehicle: understood.memory.vehicle,
    })
}

/// Runs one assistant, forwarding its text to the conversation's subscribers as it comes.
async fn run(
    platform: &Platform,
    tenant: Tenant,
    conversation: &ConversationRow,
    reply_id: Uuid,
    assistant: &dyn Assistant,
    question: &Question<'_>,
) -> Result<Answer, AssistantError> {
    let (sender, mut receiver) = mpsc::unbounded_channel::<String>();
    let platform = platform.clone();
    let conversation_id = conversation.id;
    let forward = tokio::spawn(async move {
        while let Some(chunk) = receiver.recv().await {
            let event = Event::ReplyChunk { reply_id, chunk };
            platform
                .publish_passing(tenant, conversation_id, event)
                .await;
        }
    });
    let answer = assistant.answer(question, &sender).await;
    drop(sender);
    let _ = forward.await;
    answer
}
