//! `submitLead`: a visitor's request from the widget. The input is parsed into a checked
//! [`NewLead`] first; then the lead is priced from the catalog and stored with its consent.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::lead::{Lead, LeadPayload, LeadRow};
use crate::accounts::validate::{email_problem, phone_problem};
use crate::accounts::workshop::Locale;
use crate::auth::Tenant;
use crate::catalog::{ServiceRow, VehicleClass, services_by_id, vehicle_prices_from_json};
use crate::chat::assistant::vehicle::Vehicle;
use crate::chat::consent::{self, ConsentVersion};
use crate::chat::widget_settings::widget_settings;
use crate::chat::{ConversationRow, find_conversations};
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::{leads, messages};
use crate::error::{ApiError, ApiResult, UserErrorCode, UserErrors};
use crate::events::Event;
use crate::facts::{self, Fact};
use crate::ids::{self, NodeType};
use crate::limits::HOUR;
use crate::mail::Mailer;
use crate::plans::{Entitlements, Quota};

const MAX_NAME: usize = 100;
const MAX_TEXT: usize = 2_000;
const MAX_VEHICLE_TEXT: usize = 60;
const MAX_SERVICES: usize = 20;
const LEADS_PER_CONVERSATION_HOUR: u32 = 5;
const MAX_SUBMISSION_ID: usize = 64;

/// The lead a submission id already stored in the conversation.
async fn submitted(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: Tenant,
    conversation_id: Uuid,
    submission_id: &str,
) -> ApiResult<Option<LeadRow>> {
    Ok(tenant
        .leads()
        .filter(leads::conversation_id.eq(conversation_id))
        .filter(leads::submission_id.eq(submission_id))
        .select(LeadRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(InputObject, Default)]
pub struct VehicleInput {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
}

#[derive(InputObject)]
pub struct SubmitLeadInput {
    pub conversation_id: ID,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vehicle: Option<VehicleInput>,
    /// Services the visitor asks for; without any, the assistant's best match of each answer.
    pub service_ids: Option<Vec<ID>>,
    pub preferred_date: Option<NaiveDate>,
    pub message: Option<String>,
    /// The visitor agrees to the consent text the widget shows (`widgetConfig.consentText`).
    pub consent: bool,
    /// The version of the consent text the widget showed (`widgetConfig.consentVersion`); the
    /// lead stores that very text. Without it, the text the widget shows in the conversation's
    /// language.
    pub consent_version: Option<ID>,
    /// An id the widget makes for this submission (at most 64 characters). Sent again after a
    /// network error, it answers with the lead already stored instead of storing a second one.
    pub submission_id: Option<String>,
}

/// A lead as the visitor submitted it, every field checked.
struct NewLead {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    make: Option<String>,
    model: Option<String>,
    year: Option<i32>,
    preferred_date: Option<NaiveDate>,
    message: Option<String>,
}

/// The well-formed service ids of the input, without repeats (to look up before parsing).
fn requested_service_ids(input: &SubmitLeadInput) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for id in input.service_ids.iter().flatten() {
        if let Some(id) = ids::decode(NodeType::Service, id)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

fn optional(
    errors: &mut UserErrors,
    field: &[&str],
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(
            field,
            UserErrorCode::TooLong,
            format!("Höchstens {max} Zeichen."),
        );
    }
    Some(value)
}

impl NewLead {
    /// The checked lead, or every problem of the input. `known` are the requested services
    /// that exist in the workshop's catalog.
    fn parse(
        input: SubmitLeadInput,
        today: NaiveDate,
        known: &[ServiceRow],
    ) -> Result<Self, UserErrors> {
        let mut errors = UserErrors::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            errors.push(
                &["name"],
                UserErrorCode::Required,
                "Bitte Ihren Namen angeben.",
            );
        } else if name.chars().count() > MAX_NAME {
            errors.push(
                &["name"],
                UserErrorCode::TooLong,
                format!("Höchstens {MAX_NAME} Zeichen."),
            );
        }
        let email = optional(&mut errors, &["email"], input.email, 254).map(|e| e.to_lowercase());
        if let Some(problem) = email.as_deref().and_then(email_problem) {
            errors.push(&["email"], UserErrorCode::Invalid, problem);
        }
        let phone = optional(&mut errors, &["phone"], input.phone, 40);
        if let Some(problem) = phone.as_deref().and_then(phone_problem) {
            errors.push(&["phone"], UserErrorCode::Invalid, problem);
        }
        if email.is_none() && phone.is_none() {
            for field in ["email", "phone"] {
                errors.push(
                    &[field],
                    UserErrorCode::Required,
                    "Bitte E-Mail-Adresse oder Telefonnummer angeben, damit wir Sie erreichen.",
                );
            }
        }
        if !input.consent {
            errors.push(
                &["consent"],
                UserErrorCode::Required,
                "Bitte stimmen Sie der Verarbeitung Ihrer Angaben zu.",
            );
        }
        let vehicle = input.vehicle.unwrap_or_default();
        let make = optional(
            &mut errors,
            &["vehicle", "make"],
            vehicle.make,
            MAX_VEHICLE_TEXT,
        );
        let model = optional(
            &mut errors,
            &["vehicle", "model"],
            vehicle.model,
            MAX_VEHICLE_TEXT,
        );
        let this_year = today.year();
        if vehicle
            .year
            .is_some_and(|y| !(1900..=this_year + 1).contains(&y))
        {
            errors.push(
                &["vehicle", "year"],
                UserErrorCode::OutOfRange,
                format!("Baujahr zwischen 1900 und {}.", this_year + 1),
            );
        }
        if let Some(date) = input.preferred_date {
            if date < today {
                errors.push(
                    &["preferredDate"],
                    UserErrorCode::InPast,
                    "Das Datum liegt in der Vergangenheit.",
                );
            } else if date > today + chrono::Duration::days(366) {
                errors.push(
                    &["preferredDate"],
                    UserErrorCode::OutOfRange,
                    "Höchstens ein Jahr im Voraus.",
                );
            }
        }
        let message = optional(&mut errors, &["message"], input.message, MAX_TEXT);
        let requested = input.service_ids.unwrap_or_default();
        if requested.len() > MAX_SERVICES {
            errors.push(
                &["serviceIds"],
                UserErrorCode::TooLong,
                format!("Höchstens {MAX_SERVICES} Leistungen."),
            );
        }
        let mut service_ids = Vec::new();
        for (index, id) in requested.iter().enumerate() {
            match ids::decode(NodeType::Service, id) {
                Some(id) if !service_ids.contains(&id) => service_ids.push(id),
                Some(_) => {}
                None => errors.push(
                    &["serviceIds", &index.to_string()],
                    UserErrorCode::NotFound,
                    "Diese Leistung gibt es nicht.",
                ),
            }
        }
        // Well-formed ids the catalog does not have, by their place among the distinct ids.
        for (index, id) in service_ids.iter().enumerate() {
            if !known.iter().any(|s| s.id == *id) {
                errors.push(
                    &["serviceIds", &index.to_string()],
                    UserErrorCode::NotFound,
                    "Diese Leistung gibt es nicht.",
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            name,
            email,
            phone,
            make,
            model,
            year: vehicle.year,
            preferred_date: input.preferred_date,
            message,
        })
    }

    /// The vehicle class the make or model names, for the class's prices.
    fn vehicle_class(&self) -> Option<VehicleClass> {
        [self.make.as_deref(), self.model.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|text| Vehicle::in_text(text).and_then(|v| v.vehicle_class))
    }
}

/// Without a choice of the visitor, the services the assistant quoted in this conversation: the
/// best match of each answer (an answer may name close alternatives too).
async fn quoted_services(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    conversation_id: Uuid,
) -> ApiResult<Vec<ServiceRow>> {
    let cited: Vec<Vec<Uuid>> = tenant
        .messages()
        .filter(messages::conversation_id.eq(conversation_id))
        .select(messages::cited_service_ids)
        .order(messages::created_at.desc())
        .limit(20)
        .load(conn)
        .await?;
    let mut ids: Vec<Uuid> = Vec::new();
    for id in cited.into_iter().filter_map(|ids| ids.into_iter().next()) {
        if !ids.contains(&id) && ids.len() < 5 {
            ids.push(id);
        }
    }
    services_by_id(conn, tenant, &ids).await
}

/// The sum of the services' ranges (for the vehicle class where the catalog prices it);
/// `None` without services.
fn estimate(services: &[ServiceRow], class: Option<VehicleClass>) -> Option<(i32, i32)> {
    let (mut min, mut max) = (0i64, 0i64);
    for service in services {
        let price = class
            .and_then(|class| {
                vehicle_prices_from_json(&service.vehicle_prices)
                    .into_iter()
                    .find(|p| p.vehicle_class == class)
            })
            .map(|p| (p.price.min.amount_cents, p.price.max.amount_cents))
            .unwrap_or((service.min_price_cents, service.max_price_cents));
        min += i64::from(price.0);
        max += i64::from(price.1);
    }
    (!services.is_empty()).then(|| {
        (
            i32::try_from(min).unwrap_or(i32::MAX),
            i32::try_from(max).unwrap_or(i32::MAX),
        )
    })
}

/// The consent text the visitor was shown: the version the widget names (refused when this
/// workshop's widget never served it), or for a widget that names none the text it shows in
/// the conversation's language.
async fn shown_consent(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    conversation: &ConversationRow,
    version: Option<ID>,
) -> ApiResult<Result<ConsentVersion, UserErrors>> {
    let Some(version) = version else {
        let locale = Locale::parse(&conversation.locale);
        let text = widget_settings(conn, tenant).await?.consent(locale);
        let id = consent::served(conn, tenant, locale, &text).await?;
        return Ok(Ok(ConsentVersion {
            id,
            locale: locale.as_str().to_owned(),
            text,
        }));
    };
    let found = match ids::decode(NodeType::ConsentVersion, &version) {
        Some(id) => consent::find(conn, tenant, id).await?,
        None => None,
    };
    Ok(found.ok_or_else(|| {
        let mut errors = UserErrors::default();
        errors.push(
            &["consentVersion"],
            UserErrorCode::Invalid,
            "Diesen Einwilligungstext hat das Widget nicht angezeigt. Bitte laden Sie die Seite neu.",
        );
        errors
    }))
}

#[derive(Default)]
pub struct SubmitLeadMutation;

#[Object]
impl SubmitLeadMutation {
    /// A visitor's request from the widget, with consent. Never refused for the plan's monthly
    /// limit: beyond it the lead is kept and flagged `overPlanLimit`.
    async fn submit_lead(
        &self,
        ctx: &Context<'_>,
        input: SubmitLeadInput,
    ) -> ApiResult<LeadPayload> {
        let (tenant, conversation_id) = ctx.principal().visitor_conversation(
            ids::decode(NodeType::Conversation, &input.conversation_id),
            "Leads come from visitors through the widget.",
        )?;
        let platform = ctx.platform();
        let today = Utc::now().date_naive();
        let submission_id = input
            .submission_id
            .as_deref()
            .map(str::trim)
            .map(str::to_owned);
        if let Some(id) = &submission_id
            && (id.is_empty() || id.chars().count() > MAX_SUBMISSION_ID)
        {
            let mut errors = UserErrors::default();
            errors.push(
                &["submissionId"],
                UserErrorCode::Invalid,
                format!("Höchstens {MAX_SUBMISSION_ID} Zeichen."),
            );
            return Ok(LeadPayload::errors(errors));
        }
        let mut conn = platform.conn().await?;
        // Sent again (the answer was lost on the way): the lead it stored.
        if let Some(id) = &submission_id
            && let Some(row) = submitted(&mut conn, tenant, conversation_id, id).await?
        {
            return Ok(LeadPayload {
                lead: Some(Lead { row, tenant }),
                user_errors: vec![],
            });
        }
        let conversation = find_conversations(&mut conn, tenant, &[conversation_id])
            .await?
            .pop()
            .ok_or(ApiError::NotFound)?;
        let mut found = services_by_id(&mut conn, tenant, &requested_service_ids(&input)).await?;
        let consent_version = input.consent_version.clone();
        let lead = match NewLead::parse(input, today, &found) {
            Ok(lead) => lead,
            Err(errors) => return Ok(LeadPayload::errors(errors)),
        };
        platform
            .limit(
                &format!("leads:conversation:{conversation_id}"),
                LEADS_PER_CONVERSATION_HOUR,
                HOUR,
            )
            .await?;
        if found.is_empty() {
            found = quoted_services(&mut conn, tenant, conversation_id).await?;
        }
        let estimate = estimate(&found, lead.vehicle_class());
        let entitlements = Entitlements::load(&mut conn, tenant).await?;
        let consent = match shown_consent(&mut conn, tenant, &conversation, consent_version).await?
        {
            Ok(consent) => consent,
            Err(error) => return Ok(LeadPayload::errors(error)),
        };
        let ip = ctx.client_ip().map(|ip| ip.to_string());
        let service_ids: Vec<Uuid> = found.iter().map(|s| s.id).collect();
        let mailer = ctx.service::<Mailer>();
        let row = platform
            .commit(conn, tenant, async move |conn| {
                // Two copies of one submission at once: the second waits, then finds the first.
                if let Some(id) = &submission_id {
                    diesel::sql_query(
                        "SELECT pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2, 0))",
                    )
                    .bind::<diesel::sql_types::Uuid, _>(conversation.id)
                    .bind::<diesel::sql_types::Text, _>(id)
                    .execute(conn)
                    .await?;
                    if let Some(row) = submitted(conn, tenant, conversation.id, id).await? {
                        return Ok((row, vec![]));
                    }
                }
                let month_start = today.with_day(1).unwrap_or(today);
                let this_month: i64 = tenant
                    .leads()
                    .filter(
                        leads::created_at.ge(month_start
                            .and_hms_opt(0, 0, 0)
                            .unwrap_or_default()
                            .and_utc()),
                    )
                    .count()
                    .get_result(conn)
                    .await?;
                let over_plan_limit =
                    entitlements.remaining(Quota::LeadsPerMonth, this_month) == Some(0);
                let row: LeadRow = diesel::insert_into(leads::table)
                    .values((
                        leads::id.eq(Uuid::now_v7()),
                        leads::workshop_id.eq(tenant.workshop_id()),
                        leads::conversation_id.eq(conversation.id),
                        leads::client_key_id.eq(conversation.client_key_id),
                        leads::name.eq(lead.name),
                        leads::email.eq(lead.email),
                        leads::phone.eq(lead.phone),
                        leads::vehicle_make.eq(lead.make),
                        leads::vehicle_model.eq(lead.model),
                        leads::vehicle_year.eq(lead.year),
                        leads::service_ids.eq(service_ids),
                        leads::preferred_date.eq(lead.preferred_date),
                        leads::message.eq(lead.message),
                        leads::consent_text.eq(consent.text),
                        leads::consent_text_id.eq(consent.id),
                        leads::consent_locale.eq(consent.locale),
                        leads::consent_at.eq(Utc::now()),
                        leads::consent_ip.eq(ip),
                        leads::source_url.eq(conversation.page_url.clone()),
                        leads::estimated_min_cents.eq(estimate.map(|e| e.0)),
                        leads::estimated_max_cents.eq(estimate.map(|e| e.1)),
                        leads::over_plan_limit.eq(over_plan_limit),
                        leads::submission_id.eq(&submission_id),
                    ))
                    .returning(LeadRow::as_returning())
                    .get_result(conn)
                    .await?;
                // The owner hears of it by e-mail if and only if the lead is stored.
                super::notify::new_lead(conn, mailer, tenant, &row).await?;
                let submitted = Fact::lead_submitted(
                    conversation.place(tenant),
                    row.id,
                    row.source_url.clone(),
                    row.service_ids.clone(),
                );
                facts::record(conn, vec![submitted]).await?;
                let created = Event::LeadCreated {
                    lead_id: row.id,
                    conversation_id: row.conversation_id,
                };
                Ok((row, vec![created]))
            })
            .await?;
        mailer.wake();
        if row.over_plan_limit {
            tracing::info!(workshop = %tenant.workshop_id(), "lead captured beyond the plan's monthly allowance");
        }
        Ok(LeadPayload {
            lead: Some(Lead { row, tenant }),
            user_errors: vec![],
        })
    }
}
