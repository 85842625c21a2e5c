//! Answering a visitor: the catalog search, the assistant, the fall-back, the daily model
//! budget, streaming the reply as it is written, and storing it.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::assistant::builtin::{CatalogAssistant, plan_inactive_answer, question_intent};
use super::assistant::catalog_cache::CatalogCache;
use super::assistant::memory::understand;
use super::assistant::vehicle::Vehicle;
use super::assistant::{Answer, Assistant, AssistantError, Question, Speaker, Turn, WorkshopFacts};
use super::conversation::ConversationRow;
use super::message::{MessageRole, MessageRow, NewMessage};
use crate::accounts::workshop::{self, Locale, WorkshopRow};
use crate::auth::Tenant;
use crate::catalog::{ServiceRow, services_by_id};
use crate::context::Platform;
use crate::db::schema::{assistant_usage, messages};
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

/// Answers `visitor_message`, streams the answer to subscribers and stores it.
pub async fn answer(
    platform: &Platform,
    assistant: &AssistantSetup,
    tenant: Tenant,
    conversation: &ConversationRow,
    visitor_message: &MessageRow,
) -> ApiResult<Replied> {
    let started = Instant::now();
    let mut conn = platform.conn().await?;
    let workshop = workshop::load(&mut conn, tenant).await?;
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
        .load(&mut conn)
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
        .get(&mut conn, tenant, workshop.catalog_revision)
        .await?;
    let understood = understand(
        &catalog,
        &turns,
        &visitor_message.body,
        Locale::parse(&conversation.locale),
    );
    let today_tokens: i64 = tenant
        .assistant_usage()
        .filter(assistant_usage::day.eq(Utc::now().date_naive()))
        .select(assistant_usage::tokens)
        .first(&mut conn)
        .await
        .optional()?
        .unwrap_or(0);
    drop(conn);

    let facts = facts(&workshop);
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
            .filter(|_| today_tokens < assistant.daily_token_budget);
        let mut result = None;
        if let Some(model) = model {
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
    let mut conn = platform.conn().await?;
    // In the answer's order, best match first.
    let mut cited = if answer.cited.is_empty() {
        Vec::new()
    } else {
        services_by_id(&mut conn, tenant, &answer.cited).await?
    };
    cited.sort_by_key(|s| answer.cited.iter().position(|id| *id == s.id));
    if answer.tokens > 0 {
        diesel::insert_into(assistant_usage::table)
            .values((
                assistant_usage::workshop_id.eq(tenant.workshop_id()),
                assistant_usage::day.eq(Utc::now().date_naive()),
                assistant_usage::tokens.eq(i64::from(answer.tokens)),
            ))
            .on_conflict((assistant_usage::workshop_id, assistant_usage::day))
            .do_update()
            .set(assistant_usage::tokens.eq(assistant_usage::tokens + i64::from(answer.tokens)))
            .execute(&mut conn)
            .await?;
    }
    let reply = NewMessage {
        id: reply_id,
        role: MessageRole::Assistant,
        body: answer.body,
        offer_lead_form: answer.offer_lead_form,
        assistant: Some(kind),
        tokens: i32::try_from(answer.tokens).unwrap_or(i32::MAX),
    };
    let row = platform
        .commit(conn, tenant, async |conn| {
            let (row, event) = reply.store(conn, conversation, &cited).await?;
            let cited: Vec<Uuid> = cited.iter().map(|s| s.id).collect();
            let intent = question_intent(&visitor_message.body, !cited.is_empty());
            let place = conversation.place(tenant);
            let answered = Fact::assistant_answer(place, visitor_message.id, intent, cited);
            crate::facts::record(conn, vec![answered]).await?;
            Ok((row, vec![event]))
        })
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
