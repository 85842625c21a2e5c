//! Answering a visitor: the catalog search, the assistant, the fall-back, the daily model
//! budget, streaming the reply as it is written, and storing it.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::assistant::builtin::CatalogAssistant;
use super::assistant::{
    Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker, Turn, WorkshopFacts,
};
use super::conversation::ConversationRow;
use super::message::{MessageRole, MessageRow, NewMessage};
use crate::accounts::workshop::{self, Locale, WorkshopRow};
use crate::auth::Tenant;
use crate::catalog::{ServiceQuery, ServiceRow, find_services, vehicle_prices_from_json};
use crate::context::Platform;
use crate::db::schema::{assistant_usage, messages};
use crate::error::ApiResult;
use crate::events::Event;
use crate::plans::{Entitlements, Feature};

/// Which assistant answers, and how much of the model a workshop may use per day.
#[derive(Debug, Clone)]
pub struct AssistantSetup {
    /// The configured model; `None` means the built-in assistant answers everything.
    pub model: Option<Arc<dyn Assistant>>,
    pub builtin: Arc<CatalogAssistant>,
    /// Model tokens per workshop and day; beyond it the built-in assistant answers.
    pub daily_token_budget: i64,
}

impl Default for AssistantSetup {
    fn default() -> Self {
        Self {
            model: None,
            builtin: Arc::new(CatalogAssistant),
            daily_token_budget: 200_000,
        }
    }
}

const HISTORY: i64 = 20;
const CATALOG_MATCHES: i64 = 5;

fn facts(row: &WorkshopRow) -> WorkshopFacts {
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

fn entry(row: &ServiceRow) -> CatalogEntry {
    CatalogEntry {
        id: row.id,
        name: row.name.clone(),
        category: row.category_name.clone(),
        description: row.description.clone(),
        min_cents: row.min_price_cents,
        max_cents: row.max_price_cents,
        vehicle_prices: vehicle_prices_from_json(&row.vehicle_prices)
            .into_iter()
            .map(|p| {
                (
                    p.vehicle_class,
                    p.price.min.amount_cents,
                    p.price.max.amount_cents,
                )
            })
            .collect(),
        duration_minutes: row.duration_minutes,
        score: row.score,
    }
}

/// What the visitor sees when the workshop's plan has lapsed: no answers, but the request form.
fn plan_inactive_answer(locale: Locale) -> Answer {
    Answer {
        body: match locale {
            Locale::De => "Vielen Dank für Ihre Nachricht! Hinterlassen Sie uns gern Ihre Kontaktdaten über das Anfrageformular – wir melden uns schnellstmöglich bei Ihnen.".into(),
            _ => "Thank you for your message! Please leave your contact details in the request form and we will get back to you as soon as possible.".into(),
        },
        cited: vec![],
        tokens: 0,
        offer_lead_form: true,
    }
}

/// Answers `visitor_message`, streams the answer to subscribers and stores it.
pub async fn answer(
    platform: &Platform,
    assistant: &AssistantSetup,
    tenant: Tenant,
    conversation: &ConversationRow,
    visitor_message: &MessageRow,
) -> ApiResult<(MessageRow, Vec<ServiceRow>)> {
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
        })
        .collect();
    let search = |text: &str| ServiceQuery {
        active: Some(true),
        search: Some(text.to_owned()),
        ..ServiceQuery::default()
    };
    let mut found = find_services(
        &mut conn,
        tenant,
        &search(&visitor_message.body),
        CATALOG_MATCHES,
        0,
    )
    .await?;
    if found.is_empty()
        && let Some(previous) = turns.iter().rev().find(|t| t.speaker == Speaker::Visitor)
    {
        found = find_services(
            &mut conn,
            tenant,
            &search(&previous.text),
            CATALOG_MATCHES,
            0,
        )
        .await?;
    }
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
    let catalog: Vec<CatalogEntry> = found.iter().map(entry).collect();
    let question = Question {
        workshop: &facts,
        locale: Locale::parse(&conversation.locale),
        history: &turns,
        text: &visitor_message.body,
        catalog: &catalog,
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
    // In the search's order, best match first.
    let cited: Vec<ServiceRow> = found
        .iter()
        .filter(|s| answer.cited.contains(&s.id))
        .cloned()
        .collect();
    let mut conn = platform.conn().await?;
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
            Ok((row, vec![event]))
        })
        .await?;
    tracing::debug!(
        assistant = kind,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "answered"
    );
    Ok((row, cited))
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
