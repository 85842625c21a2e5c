//! The stored rows that events carry (a conversation, a message with the services it cited, a
//! lead). They sit here, below every domain, so that one typed event enum can hold them and
//! every domain can read them; the queries that write and read them stay in their domains
//! (`chat/`, `leads/`, `catalog/`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Float4, Int4, Jsonb, Nullable, Text, Uuid as SqlUuid,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::schema::{conversations, leads, messages};

#[derive(Queryable, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = conversations)]
pub struct ConversationRow {
    pub id: Uuid,
    pub workshop_id: Uuid,
    pub client_key_id: Uuid,
    pub locale: String,
    pub page_url: Option<String>,
    pub taken_over_by: Option<Uuid>,
    pub taken_over_at: Option<DateTime<Utc>>,
    pub message_count: i32,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, QueryableByName, Selectable, Serialize, Deserialize, Debug, Clone)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: String,
    pub body: String,
    pub cited_service_ids: Vec<Uuid>,
    pub offer_lead_form: bool,
    pub created_at: DateTime<Utc>,
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
    #[serde(default)]
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub erased_at: Option<DateTime<Utc>>,
}

/// A service with its category, as the catalog's search selects it (`catalog::SERVICES_SQL`,
/// by name) and as it is loaded by id (`catalog::services_by_id`, by position).
#[derive(Queryable, QueryableByName, Debug, Clone, Serialize, Deserialize)]
pub struct ServiceRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub category_id: Uuid,
    #[diesel(sql_type = Text)]
    pub category_name: String,
    #[diesel(sql_type = Int4)]
    pub category_sort_order: i32,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Array<Text>)]
    pub aliases: Vec<String>,
    #[diesel(sql_type = Int4)]
    pub min_price_cents: i32,
    #[diesel(sql_type = Int4)]
    pub max_price_cents: i32,
    #[diesel(sql_type = Jsonb)]
    pub vehicle_prices: serde_json::Value,
    #[diesel(sql_type = Nullable<Int4>)]
    pub duration_minutes: Option<i32>,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = Int4)]
    pub sort_order: i32,
    #[diesel(sql_type = BigInt)]
    pub total_count: i64,
    /// Deleted services are only ever loaded by id (leads still name them).
    #[diesel(sql_type = Bool)]
    pub deleted: bool,
    /// Search relevance (0 without a search text).
    #[diesel(sql_type = Float4)]
    pub score: f32,
}
