//! Leads: the requests visitors leave through the widget, with their consent, estimated value
//! and the workshop's follow-up (status, notes).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::validate::{email_problem, phone_problem};
use crate::auth::{ApiScope, Principal, Tenant, principal};
use crate::billing::{Entitlements, Feature, Quota};
use crate::catalog::{Service, services_by_id};
use crate::chat::assistant::builtin::vehicle_class_in;
use crate::chat::keys;
use crate::chat::loaders::Loaders;
use crate::chat::{Conversation, abuse_limits, kinds, limit};
use crate::db::schema::{lead_notes, leads, messages};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::events::{self, Subject};
use crate::ids::{self, NodeType};
use crate::money::PriceRange;
use crate::pagination::{Page, PageInfo, edges};
use crate::{ClientIp, Services};

const MAX_NAME: usize = 100;
const MAX_TEXT: usize = 2_000;
const MAX_VEHICLE_TEXT: usize = 60;
const MAX_SERVICES: usize = 20;
const MAX_NOTE: usize = 5_000;
const LEADS_PER_CONVERSATION_HOUR: u32 = 5;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadStatus {
    New,
    Contacted,
    Quoted,
    Booked,
    Won,
    Lost,
}

impl LeadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::Contacted => "CONTACTED",
            Self::Quoted => "QUOTED",
            Self::Booked => "BOOKED",
            Self::Won => "WON",
            Self::Lost => "LOST",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "CONTACTED" => Self::Contacted,
            "QUOTED" => Self::Quoted,
            "BOOKED" => Self::Booked,
            "WON" => Self::Won,
            "LOST" => Self::Lost,
            _ => Self::New,
        }
    }

    fn rank(self) -> u8 {
        match self {
            Self::New => 0,
            Self::Contacted => 1,
            Self::Quoted => 2,
            Self::Booked => 3,
            Self::Won | Self::Lost => 4,
        }
    }

    /// The pipeline moves forward (steps may be skipped: a call can end in a booking); WON
    /// follows BOOKED; any open lead can be LOST; WON and LOST are final.
    pub fn may_become(self, next: Self) -> bool {
        match (self, next) {
            (Self::Won | Self::Lost, _) => false,
            (_, Self::Lost) => true,
            (Self::Booked, Self::Won) => true,
            (_, Self::Won) => false,
            (from, to) => to.rank() > from.rank(),
        }
    }
}

#[derive(Queryable, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = leads)]
pub struct LeadRow {
    pub id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub client_key_id: Option<Uuid>,
    pub status: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vehicle_make: Option<String>,
    pub vehicle_model: Option<String>,
    pub vehicle_year: Option<i32>,
    pub service_ids: Vec<Uuid>,
    pub preferred_date: Option<NaiveDate>,
    pub message: Option<String>,
    pub consent_text: String,
    pub consent_at: DateTime<Utc>,
    pub source_url: Option<String>,
    pub estimated_min_cents: Option<i32>,
    pub estimated_max_cents: Option<i32>,
    pub over_plan_limit: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Vehicle {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
}

/// The consent as the visitor gave it.
#[derive(SimpleObject, Debug, Clone)]
pub struct Consent {
    /// The exact text the visitor agreed to.
    pub text: String,
    pub given_at: DateTime<Utc>,
}

/// A visitor's request to the workshop.
pub struct Lead {
    pub row: LeadRow,
    pub tenant: Tenant,
}

#[Object]
impl Lead {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Lead, self.row.id)
    }
    async fn status(&self) -> LeadStatus {
        LeadStatus::parse(&self.row.status)
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn email(&self) -> Option<&str> {
        self.row.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.row.phone.as_deref()
    }
    async fn vehicle(&self) -> Vehicle {
        Vehicle {
            make: self.row.vehicle_make.clone(),
            model: self.row.vehicle_model.clone(),
            year: self.row.vehicle_year,
        }
    }
    /// The services the visitor asked for (deleted ones included).
    async fn services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Service>> {
        let loaders = ctx.data_unchecked::<std::sync::Arc<Loaders>>();
        let keys = self.row.service_ids.iter().map(|id| (self.tenant, *id));
        let found = loaders.services.load_many(keys).await?;
        Ok(self
            .row
            .service_ids
            .iter()
            .filter_map(|id| found.get(&(self.tenant, *id)).cloned().map(Service))
            .collect())
    }
    /// The sum of the requested services' ranges (for the visitor's vehicle class where known).
    async fn estimated_value(&self) -> Option<PriceRange> {
        Some(PriceRange::cents(
            self.row.estimated_min_cents?,
            self.row.estimated_max_cents?,
        ))
    }
    async fn preferred_date(&self) -> Option<NaiveDate> {
        self.row.preferred_date
    }
    async fn message(&self) -> Option<&str> {
        self.row.message.as_deref()
    }
    async fn consent(&self) -> Consent {
        Consent {
            text: self.row.consent_text.clone(),
            given_at: self.row.consent_at,
        }
    }
    /// The page the visitor was on.
    async fn source_url(&self) -> Option<&str> {
        self.row.source_url.as_deref()
    }
    async fn client_key_id(&self) -> Option<ID> {
        self.row
            .client_key_id
            .map(|id| ids::encode(NodeType::ClientKey, id))
    }
    /// Captured beyond the plan's monthly allowance: kept in full; upgrade to lift the limit.
    async fn over_plan_limit(&self) -> bool {
        self.row.over_plan_limit
    }
    async fn conversation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Conversation>> {
        let Some(id) = self.row.conversation_id else {
            return Ok(None);
        };
        let loaders = ctx.data_unchecked::<std::sync::Arc<Loaders>>();
        Ok(loaders
            .conversations
            .load_one((self.tenant, id))
            .await?
            .map(|row| Conversation {
                row,
                tenant: self.tenant,
            }))
    }
    /// The workshop's notes, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LeadNote>> {
        let loaders = ctx.data_unchecked::<std::sync::Arc<Loaders>>();
        Ok(loaders
            .notes
            .load_one((self.tenant, self.row.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(LeadNote)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

#[derive(Queryable, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = lead_notes)]
pub struct NoteRow {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub author_id: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A note of the workshop on a lead.
pub struct LeadNote(pub NoteRow);

#[Object]
impl LeadNote {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::LeadNote, self.0.id)
    }
    /// Plain text.
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn author_id(&self) -> Option<ID> {
        self.0.author_id.map(|id| ids::encode(NodeType::User, id))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct LeadEdge {
    pub cursor: String,
    pub node: Lead,
}

#[derive(SimpleObject)]
pub struct LeadConnection {
    pub edges: Vec<LeadEdge>,
    pub page_info: PageInfo,
    /// All leads the filter matches (counted only when this field is selected).
    pub total_count: i64,
}

#[derive(InputObject, Default)]
pub struct LeadFilter {
    pub status: Option<Vec<LeadStatus>>,
    /// Name, e-mail, phone, vehicle or message; typos are fine.
    pub search: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub client_key_id: Option<ID>,
}

pub async fn find(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<LeadRow>> {
    Ok(leads::table
        .filter(leads::workshop_id.eq(tenant.workshop_id()))
        .filter(leads::id.eq_any(ids))
        .select(LeadRow::as_select())
        .load(conn)
        .await?)
}

pub async fn list(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: LeadFilter,
) -> ApiResult<LeadConnection> {
    let tenant = principal(ctx).tenant(Some(ApiScope::LeadsRead))?;
    let page = Page::new(first, after)?;
    let key = keys::filter_id(filter.client_key_id.as_ref())?;
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(100).collect::<String>());
    let statuses: Option<Vec<&str>> = filter
        .status
        .as_ref()
        .map(|s| s.iter().map(|s| s.as_str()).collect());
    let filtered = || {
        let mut query = leads::table
            .filter(leads::workshop_id.eq(tenant.workshop_id()))
            .into_boxed();
        if let Some(statuses) = &statuses {
            query = query.filter(leads::status.eq_any(statuses.clone()));
        }
        if let Some(key) = key {
            query = query.filter(leads::client_key_id.eq(key));
        }
        if let Some(at) = filter.created_after {
            query = query.filter(leads::created_at.ge(at));
        }
        if let Some(at) = filter.created_before {
            query = query.filter(leads::created_at.lt(at));
        }
        if let Some(search) = &search {
            // Every word must appear (folded, substring) or be a close trigram match.
            for word in search.split_whitespace().take(5) {
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "(search_text LIKE '%' || carbot_fold(",
                    )
                    .bind::<diesel::sql_types::Text, _>(word.to_owned())
                    .sql(") || '%' OR carbot_fold(")
                    .bind::<diesel::sql_types::Text, _>(word.to_owned())
                    .sql(") <% search_text)"),
                );
            }
        }
        query
    };
    let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
    let mut query = filtered()
        .select(LeadRow::as_select())
        .order((leads::created_at.desc(), leads::id.desc()))
        .limit(page.limit());
    if let Some((at, id)) = page.after {
        query = query.filter(
            leads::created_at
                .lt(at)
                .or(leads::created_at.eq(at).and(leads::id.lt(id))),
        );
    }
    let rows = query.load(&mut conn).await?;
    // Counting costs a statement; only when asked for.
    let total_count = if ctx.look_ahead().field("totalCount").exists() {
        filtered().count().get_result(&mut conn).await?
    } else {
        0
    };
    let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
    Ok(LeadConnection {
        edges: edges
            .into_iter()
            .map(|(cursor, row)| LeadEdge {
                cursor,
                node: Lead { row, tenant },
            })
            .collect(),
        page_info,
        total_count,
    })
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
}

#[derive(SimpleObject)]
pub struct LeadPayload {
    pub lead: Option<Lead>,
    pub user_errors: Vec<UserError>,
}

impl LeadPayload {
    fn errors(errors: UserErrors) -> Self {
        Self {
            lead: None,
            user_errors: errors.into_vec(),
        }
    }
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

pub async fn submit(ctx: &Context<'_>, input: SubmitLeadInput) -> ApiResult<LeadPayload> {
    let principal = principal(ctx);
    let conversation_id = ids::decode(NodeType::Conversation, &input.conversation_id);
    let tenant = match principal {
        Principal::Anonymous => return Err(ApiError::Unauthenticated),
        Principal::Visitor(_) => conversation_id
            .and_then(|id| principal.visitor_of(id))
            .ok_or(ApiError::Forbidden(
                "A visitor token is good for its own conversation only.",
            ))?,
        _ => {
            return Err(ApiError::Forbidden(
                "Leads come from visitors through the widget.",
            ));
        }
    };
    let Some(conversation_id) = conversation_id else {
        return Err(ApiError::NotFound);
    };
    let services = ctx.data_unchecked::<Services>();
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
    let this_year = Utc::now().year();
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
    let today = Utc::now().date_naive();
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
    let mut conn = services.pool.get().await?;
    let conversation = crate::chat::find_conversations(&mut conn, tenant, &[conversation_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let mut found = services_by_id(&mut conn, tenant, &service_ids).await?;
    for (index, id) in service_ids.iter().enumerate() {
        if !found.iter().any(|s| s.id == *id) {
            errors.push(
                &["serviceIds", &index.to_string()],
                UserErrorCode::NotFound,
                "Diese Leistung gibt es nicht.",
            );
        }
    }
    if !errors.is_empty() {
        return Ok(LeadPayload::errors(errors));
    }
    limit(
        services,
        format!("leads:conversation:{conversation_id}"),
        LEADS_PER_CONVERSATION_HOUR,
        abuse_limits::HOUR,
    )
    .await?;
    if found.is_empty() {
        // Without a choice, the services the assistant quoted in this conversation.
        let cited: Vec<Vec<Uuid>> = messages::table
            .filter(messages::conversation_id.eq(conversation_id))
            .filter(messages::workshop_id.eq(tenant.workshop_id()))
            .select(messages::cited_service_ids)
            .order(messages::created_at.desc())
            .limit(20)
            .load(&mut conn)
            .await?;
        // The best match of each answer (an answer may name close alternatives too).
        let mut ids: Vec<Uuid> = Vec::new();
        for id in cited.into_iter().filter_map(|ids| ids.into_iter().next()) {
            if !ids.contains(&id) && ids.len() < 5 {
                ids.push(id);
            }
        }
        found = services_by_id(&mut conn, tenant, &ids).await?;
    }
    let class = [make.as_deref(), model.as_deref()]
        .into_iter()
        .flatten()
        .find_map(vehicle_class_in);
    let (mut min, mut max) = (0i64, 0i64);
    for service in &found {
        let price = class
            .and_then(|class| {
                crate::catalog::vehicle_prices_from_json(&service.vehicle_prices)
                    .into_iter()
                    .find(|p| p.vehicle_class == class)
            })
            .map(|p| (p.price.min.amount_cents, p.price.max.amount_cents))
            .unwrap_or((service.min_price_cents, service.max_price_cents));
        min += i64::from(price.0);
        max += i64::from(price.1);
    }
    let estimate = (!found.is_empty()).then(|| {
        (
            i32::try_from(min).unwrap_or(i32::MAX),
            i32::try_from(max).unwrap_or(i32::MAX),
        )
    });
    let entitlements = Entitlements::load(&mut conn, tenant).await?;
    let settings = crate::chat::keys::widget_settings(&mut conn, tenant.workshop_id()).await?;
    let consent_text = settings.consent(crate::accounts::workshop::Locale::parse(
        &conversation.locale,
    ));
    let ip = ctx.data_opt::<ClientIp>().map(|ip| ip.0.to_string());
    let service_ids: Vec<Uuid> = found.iter().map(|s| s.id).collect();
    let (row, event) = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let month_start = today.with_day(1).unwrap_or(today);
            let this_month: i64 = leads::table
                .filter(leads::workshop_id.eq(tenant.workshop_id()))
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
            let now = Utc::now();
            let row: LeadRow = diesel::insert_into(leads::table)
                .values((
                    leads::id.eq(Uuid::now_v7()),
                    leads::workshop_id.eq(tenant.workshop_id()),
                    leads::conversation_id.eq(conversation.id),
                    leads::client_key_id.eq(conversation.client_key_id),
                    leads::name.eq(name),
                    leads::email.eq(email),
                    leads::phone.eq(phone),
                    leads::vehicle_make.eq(make),
                    leads::vehicle_model.eq(model),
                    leads::vehicle_year.eq(vehicle.year),
                    leads::service_ids.eq(service_ids),
                    leads::preferred_date.eq(input.preferred_date),
                    leads::message.eq(message),
                    leads::consent_text.eq(consent_text),
                    leads::consent_at.eq(now),
                    leads::consent_ip.eq(ip),
                    leads::source_url.eq(conversation.page_url.clone()),
                    leads::estimated_min_cents.eq(estimate.map(|e| e.0)),
                    leads::estimated_max_cents.eq(estimate.map(|e| e.1)),
                    leads::over_plan_limit.eq(over_plan_limit),
                ))
                .returning(LeadRow::as_returning())
                .get_result(conn)
                .await?;
            let event = events::record(
                conn,
                Subject {
                    workshop_id: tenant.workshop_id(),
                    conversation_id: Some(conversation.id),
                    lead_id: Some(row.id),
                },
                kinds::LEAD_CREATED,
                serde_json::json!({ "lead": row }),
            )
            .await?;
            Ok((row, event))
        })
        .await?;
    drop(conn);
    if row.over_plan_limit {
        tracing::info!(workshop = %tenant.workshop_id(), "lead captured beyond the plan's monthly allowance");
    }
    events::publish(services.events.as_ref(), &[event]).await;
    Ok(LeadPayload {
        lead: Some(Lead { row, tenant }),
        user_errors: vec![],
    })
}

fn lead_not_found() -> UserError {
    UserError::new(
        &["leadId"],
        UserErrorCode::NotFound,
        "Diese Anfrage gibt es nicht.",
    )
}

#[derive(InputObject)]
pub struct UpdateLeadStatusInput {
    pub lead_id: ID,
    pub status: LeadStatus,
}

pub async fn update_status(
    ctx: &Context<'_>,
    input: UpdateLeadStatusInput,
) -> ApiResult<LeadPayload> {
    let tenant = principal(ctx).tenant(Some(ApiScope::LeadsWrite))?;
    let Some(id) = ids::decode(NodeType::Lead, &input.lead_id) else {
        return Ok(LeadPayload {
            lead: None,
            user_errors: vec![lead_not_found()],
        });
    };
    let services = ctx.data_unchecked::<Services>();
    let mut conn = services.pool.get().await?;
    let next = input.status;
    let result = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let current: Option<String> = leads::table
                .filter(leads::id.eq(id))
                .filter(leads::workshop_id.eq(tenant.workshop_id()))
                .select(leads::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(current) = current else {
                return Ok(Err(lead_not_found()));
            };
            let current = LeadStatus::parse(&current);
            if !current.may_become(next) {
                return Ok(Err(UserError::new(
                    &["status"],
                    UserErrorCode::InvalidTransition,
                    format!(
                        "Eine Anfrage im Status {} kann nicht zu {} wechseln.",
                        current.as_str(),
                        next.as_str()
                    ),
                )));
            }
            let row: LeadRow = diesel::update(leads::table.find(id))
                .set((
                    leads::status.eq(next.as_str()),
                    leads::updated_at.eq(Utc::now()),
                ))
                .returning(LeadRow::as_returning())
                .get_result(conn)
                .await?;
            let event = events::record(
                conn,
                Subject {
                    workshop_id: tenant.workshop_id(),
                    conversation_id: row.conversation_id,
                    lead_id: Some(id),
                },
                kinds::LEAD_UPDATED,
                serde_json::json!({ "lead": row, "change": "STATUS" }),
            )
            .await?;
            Ok(Ok((row, event)))
        })
        .await?;
    drop(conn);
    match result {
        Ok((row, event)) => {
            events::publish(services.events.as_ref(), &[event]).await;
            Ok(LeadPayload {
                lead: Some(Lead { row, tenant }),
                user_errors: vec![],
            })
        }
        Err(error) => Ok(LeadPayload {
            lead: None,
            user_errors: vec![error],
        }),
    }
}

#[derive(InputObject)]
pub struct AddLeadNoteInput {
    pub lead_id: ID,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct AddLeadNotePayload {
    pub note: Option<LeadNote>,
    pub lead: Option<Lead>,
    pub user_errors: Vec<UserError>,
}

pub async fn add_note(ctx: &Context<'_>, input: AddLeadNoteInput) -> ApiResult<AddLeadNotePayload> {
    let principal = principal(ctx);
    let tenant = principal.tenant(Some(ApiScope::LeadsWrite))?;
    let author = principal.member().ok().map(|m| m.user_id);
    let refused = |error| AddLeadNotePayload {
        note: None,
        lead: None,
        user_errors: vec![error],
    };
    let body = input.body.trim().to_owned();
    if body.is_empty() {
        return Ok(refused(UserError::new(
            &["body"],
            UserErrorCode::Required,
            "Bitte eine Notiz eingeben.",
        )));
    }
    if body.chars().count() > MAX_NOTE {
        return Ok(refused(UserError::new(
            &["body"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_NOTE} Zeichen."),
        )));
    }
    let Some(id) = ids::decode(NodeType::Lead, &input.lead_id) else {
        return Ok(refused(lead_not_found()));
    };
    let services = ctx.data_unchecked::<Services>();
    let mut conn = services.pool.get().await?;
    let result = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let lead: Option<LeadRow> = diesel::update(
                leads::table
                    .filter(leads::id.eq(id))
                    .filter(leads::workshop_id.eq(tenant.workshop_id())),
            )
            .set(leads::updated_at.eq(Utc::now()))
            .returning(LeadRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(lead) = lead else {
                return Ok(None);
            };
            let note: NoteRow = diesel::insert_into(lead_notes::table)
                .values((
                    lead_notes::id.eq(Uuid::now_v7()),
                    lead_notes::lead_id.eq(id),
                    lead_notes::workshop_id.eq(tenant.workshop_id()),
                    lead_notes::author_id.eq(author),
                    lead_notes::body.eq(body),
                ))
                .returning(NoteRow::as_returning())
                .get_result(conn)
                .await?;
            let event = events::record(
                conn,
                Subject {
                    workshop_id: tenant.workshop_id(),
                    conversation_id: lead.conversation_id,
                    lead_id: Some(id),
                },
                kinds::LEAD_UPDATED,
                serde_json::json!({ "lead": lead, "change": "NOTE" }),
            )
            .await?;
            Ok(Some((lead, note, event)))
        })
        .await?;
    drop(conn);
    let Some((lead, note, event)) = result else {
        return Ok(refused(lead_not_found()));
    };
    events::publish(services.events.as_ref(), &[event]).await;
    Ok(AddLeadNotePayload {
        note: Some(LeadNote(note)),
        lead: Some(Lead { row: lead, tenant }),
        user_errors: vec![],
    })
}

#[derive(SimpleObject)]
pub struct ExportLeadsPayload {
    /// CSV (comma-separated, UTF-8); cells that spreadsheets would run as formulas are defused.
    pub csv: String,
}

/// All leads as CSV, newest first (Premium and Enterprise).
pub async fn export(ctx: &Context<'_>) -> ApiResult<ExportLeadsPayload> {
    let tenant = principal(ctx).tenant(Some(ApiScope::LeadsRead))?;
    let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
    Entitlements::load(&mut conn, tenant)
        .await?
        .require(Feature::CsvExport)?;
    let rows: Vec<LeadRow> = leads::table
        .filter(leads::workshop_id.eq(tenant.workshop_id()))
        .select(LeadRow::as_select())
        .order((leads::created_at.desc(), leads::id.desc()))
        .load(&mut conn)
        .await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let defuse = |cell: &str| -> String {
        if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            cell.to_owned()
        }
    };
    let header = [
        "created_at",
        "status",
        "name",
        "email",
        "phone",
        "vehicle_make",
        "vehicle_model",
        "vehicle_year",
        "preferred_date",
        "estimated_min_cents",
        "estimated_max_cents",
        "message",
        "over_plan_limit",
    ];
    writer.write_record(header).map_err(ApiError::internal)?;
    for row in rows {
        let cells = [
            row.created_at.to_rfc3339(),
            row.status,
            row.name,
            row.email.unwrap_or_default(),
            row.phone.unwrap_or_default(),
            row.vehicle_make.unwrap_or_default(),
            row.vehicle_model.unwrap_or_default(),
            row.vehicle_year.map(|y| y.to_string()).unwrap_or_default(),
            row.preferred_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            row.estimated_min_cents
                .map(|c| c.to_string())
                .unwrap_or_default(),
            row.estimated_max_cents
                .map(|c| c.to_string())
                .unwrap_or_default(),
            row.message.unwrap_or_default(),
            row.over_plan_limit.to_string(),
        ];
        writer
            .write_record(cells.iter().map(|c| defuse(c)))
            .map_err(ApiError::internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.into_error()))?;
    Ok(ExportLeadsPayload {
        csv: String::from_utf8(bytes).map_err(ApiError::internal)?,
    })
}

#[derive(Default)]
pub struct LeadsQuery;

#[Object]
impl LeadsQuery {
    /// The workshop's leads, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<LeadFilter>,
    ) -> async_graphql::Result<LeadConnection> {
        Ok(list(ctx, first, after, filter.unwrap_or_default()).await?)
    }
}

#[derive(Default)]
pub struct LeadsMutation;

#[Object]
impl LeadsMutation {
    /// A visitor's request from the widget, with consent. Never refused for the plan's monthly
    /// limit: beyond it the lead is kept and flagged `overPlanLimit`.
    async fn submit_lead(
        &self,
        ctx: &Context<'_>,
        input: SubmitLeadInput,
    ) -> async_graphql::Result<LeadPayload> {
        Ok(submit(ctx, input).await?)
    }

    async fn update_lead_status(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadStatusInput,
    ) -> async_graphql::Result<LeadPayload> {
        Ok(update_status(ctx, input).await?)
    }

    async fn add_lead_note(
        &self,
        ctx: &Context<'_>,
        input: AddLeadNoteInput,
    ) -> async_graphql::Result<AddLeadNotePayload> {
        Ok(add_note(ctx, input).await?)
    }

    async fn export_leads(&self, ctx: &Context<'_>) -> async_graphql::Result<ExportLeadsPayload> {
        Ok(export(ctx).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::LeadStatus::*;

    #[test]
    fn the_pipeline_moves_forward_and_ends_in_won_or_lost() {
        for (from, to) in [
            (New, Contacted),
            (New, Booked),
            (Contacted, Quoted),
            (Quoted, Booked),
            (Booked, Won),
            (New, Lost),
            (Booked, Lost),
        ] {
            assert!(from.may_become(to), "{from:?} → {to:?}");
        }
        for (from, to) in [
            (Contacted, New),
            (New, Won),
            (Quoted, Won),
            (Won, Lost),
            (Lost, New),
            (New, New),
            (Booked, Quoted),
        ] {
            assert!(!from.may_become(to), "{from:?} → {to:?}");
        }
    }
}
