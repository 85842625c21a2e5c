//! A lead: its status pipeline, the GraphQL object with its services, conversation and notes,
//! and loading leads and notes by id.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::catalog::{Service, ServiceLoader};
use crate::chat::{Conversation, ConversationLoader};
use crate::context::Ctx;
use crate::db::Pool;
pub use crate::db::rows::LeadRow;
use crate::db::schema::{lead_notes, leads};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::facts::Place;
use crate::ids::{self, NodeType};
use crate::loaders::{Key, by_tenant};
use crate::money::PriceRange;

impl LeadRow {
    /// Where a fact about this lead happens.
    pub fn place(&self, tenant: Tenant) -> Place {
        Place {
            tenant,
            client_key_id: self.client_key_id,
            conversation_id: self.conversation_id,
        }
    }
}

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
    /// When the owner recorded that the visitor withdrew it (the contact data is then erased).
    pub withdrawn_at: Option<DateTime<Utc>>,
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
        let keys = self.row.service_ids.iter().map(|id| (self.tenant, *id));
        let found = ctx.loader::<ServiceLoader>().load_many(keys).await?;
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
            withdrawn_at: self.row.consent_withdrawn_at,
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
        Ok(ctx
            .loader::<ConversationLoader>()
            .load_one((self.tenant, id))
            .await?
            .map(|row| Conversation {
                row,
                tenant: self.tenant,
            }))
    }
    /// The workshop's notes, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LeadNote>> {
        Ok(ctx
            .loader::<NoteLoader>()
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
    /// When the lead's personal data was erased (`eraseContact`, a withdrawn consent, the
    /// visitor's own deletion or the retention job); `null` while it is kept.
    async fn erased_at(&self) -> Option<DateTime<Utc>> {
        self.row.erased_at
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

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<LeadRow>> {
    Ok(tenant
        .leads()
        .filter(leads::id.eq_any(ids))
        .select(LeadRow::as_select())
        .load(conn)
        .await?)
}

#[derive(SimpleObject)]
pub struct LeadPayload {
    pub lead: Option<Lead>,
    pub user_errors: Vec<UserError>,
}

impl LeadPayload {
    pub(crate) fn errors(errors: UserErrors) -> Self {
        Self {
            lead: None,
            user_errors: errors.into_vec(),
        }
    }
}

pub(crate) fn lead_not_found() -> UserError {
    UserError::new(
        &["leadId"],
        UserErrorCode::NotFound,
        "Diese Anfrage gibt es nicht.",
    )
}

/// Leads by id (what an event names).
pub struct LeadLoader(pub Pool);

impl Loader<Key> for LeadLoader {
    type Value = LeadRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, LeadRow>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for row in find(&mut conn, tenant, &ids).await? {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}

/// A lead's notes, oldest first, for nested fields.
pub struct NoteLoader(pub Pool);

impl Loader<Key> for NoteLoader {
    type Value = Vec<NoteRow>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, Vec<NoteRow>>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found: HashMap<Key, Vec<NoteRow>> = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            let rows: Vec<NoteRow> = tenant
                .lead_notes()
                .filter(lead_notes::lead_id.eq_any(&ids))
                .select(NoteRow::as_select())
                .order((lead_notes::created_at, lead_notes::id))
                .load(&mut conn)
                .await
                .map_err(ApiError::from)?;
            for id in ids {
                found.entry((tenant, id)).or_default();
            }
            for row in rows {
                found.entry((tenant, row.lead_id)).or_default().push(row);
            }
        }
        Ok(found)
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
