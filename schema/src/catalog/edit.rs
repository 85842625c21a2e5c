//! Creating, changing and deleting services. Every input is checked as a whole before anything
//! is written; mistakes come back as `userErrors` next to their field.

use std::collections::BTreeMap;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{Service, VehicleClass, services_by_id, vehicle_prices_json};
use crate::auth::{ApiScope, Tenant};
use crate::context::Ctx;
use crate::db::schema::{service_categories, services};
use crate::db::{Conn, is_unique_violation};
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};

pub const MAX_NAME: usize = 120;
pub const MAX_DESCRIPTION: usize = 2_000;
/// 1,000,000 €.
pub const MAX_AMOUNT_CENTS: i32 = 100_000_000;
pub const MAX_ALIASES: usize = 20;
pub const MAX_ALIAS: usize = 80;
/// One week.
pub const MAX_DURATION_MINUTES: i32 = 7 * 24 * 60;

#[derive(InputObject, Debug, Clone)]
pub struct VehiclePriceInput {
    pub vehicle_class: VehicleClass,
    pub min_price_cents: i32,
    pub max_price_cents: i32,
}

#[derive(InputObject, Debug)]
pub struct CreateServiceInput {
    pub category_id: ID,
    pub name: String,
    #[graphql(default)]
    pub description: String,
    /// Euro cents, VAT included; a fixed price has min = max.
    pub min_price_cents: i32,
    pub max_price_cents: i32,
    #[graphql(default)]
    pub vehicle_prices: Vec<VehiclePriceInput>,
    pub duration_minutes: Option<i32>,
    #[graphql(default)]
    pub aliases: Vec<String>,
    #[graphql(default = true)]
    pub active: bool,
}

/// Changes to a service; absent fields stay as they are.
#[derive(InputObject, Debug)]
pub struct UpdateServiceInput {
    pub id: ID,
    pub category_id: Option<ID>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub min_price_cents: Option<i32>,
    pub max_price_cents: Option<i32>,
    pub vehicle_prices: Option<Vec<VehiclePriceInput>>,
    pub duration_minutes: MaybeUndefined<i32>,
    pub aliases: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(InputObject, Debug)]
pub struct DeleteServiceInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ServicePayload {
    pub service: Option<Service>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DeleteServicePayload {
    pub deleted_service_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

impl ServicePayload {
    fn refused(errors: UserErrors) -> Self {
        Self {
            service: None,
            user_errors: errors.into_vec(),
        }
    }
}

/// A service as it will be stored, after checking.
#[derive(Debug, Clone)]
pub struct ServiceDraft {
    pub category_id: Uuid,
    pub name: String,
    pub description: String,
    pub min_cents: i32,
    pub max_cents: i32,
    pub vehicle_prices: BTreeMap<VehicleClass, (i32, i32)>,
    pub duration_minutes: Option<i32>,
    pub aliases: Vec<String>,
    pub active: bool,
}

/// The stored columns of a checked draft, for inserts and updates alike.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct ServiceColumns<'a> {
    category_id: Uuid,
    name: &'a str,
    description: &'a str,
    aliases: &'a Vec<String>,
    min_price_cents: i32,
    max_price_cents: i32,
    vehicle_prices: serde_json::Value,
    duration_minutes: Option<i32>,
    active: bool,
    updated_at: chrono::DateTime<Utc>,
}

impl ServiceDraft {
    pub fn columns(&self) -> ServiceColumns<'_> {
        ServiceColumns {
            category_id: self.category_id,
            name: &self.name,
            description: &self.description,
            aliases: &self.aliases,
            min_price_cents: self.min_cents,
            max_price_cents: self.max_cents,
            vehicle_prices: vehicle_prices_json(&self.vehicle_prices),
            duration_minutes: self.duration_minutes,
            active: self.active,
            updated_at: Utc::now(),
        }
    }
}

fn check_amount(errors: &mut UserErrors, field: &[&str], cents: i32) {
    if cents < 0 {
        errors.push(
            field,
            UserErrorCode::OutOfRange,
            "Preise können nicht negativ sein.",
        );
    } else if cents > MAX_AMOUNT_CENTS {
        errors.push(
            field,
            UserErrorCode::OutOfRange,
            "Preise über 1.000.000 € sind nicht möglich.",
        );
    }
}

/// Checks a draft and tidies it (trimmed names, no empty or repeated aliases).
pub fn check(errors: &mut UserErrors, draft: &mut ServiceDraft) {
    draft.name = draft.name.trim().to_owned();
    draft.description = draft.description.trim().to_owned();
    if draft.name.is_empty() {
        errors.push(
            &["name"],
            UserErrorCode::Required,
            "Bitte geben Sie der Leistung einen Namen.",
        );
    } else if draft.name.chars().count() > MAX_NAME {
        errors.push(
            &["name"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_NAME} Zeichen."),
        );
    } else if draft.name.chars().any(char::is_control) {
        errors.push(
            &["name"],
            UserErrorCode::Invalid,
            "Der Name enthält unzulässige Zeichen.",
        );
    }
    if draft.description.chars().count() > MAX_DESCRIPTION {
        errors.push(
            &["description"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_DESCRIPTION} Zeichen."),
        );
    }
    check_amount(errors, &["minPriceCents"], draft.min_cents);
    check_amount(errors, &["maxPriceCents"], draft.max_cents);
    if draft.min_cents > draft.max_cents {
        errors.push(
            &["maxPriceCents"],
            UserErrorCode::Invalid,
            "Der Höchstpreis muss mindestens so hoch sein wie der Mindestpreis.",
        );
    }
    for (class, (min, max)) in &draft.vehicle_prices {
        let field = ["vehiclePrices", class.as_str()];
        if min > max || *min < draft.min_cents || *max > draft.max_cents {
            errors.push(
                &field,
                UserErrorCode::OutOfRange,
                "Fahrzeugklassen-Preise müssen innerhalb der Preisspanne liegen.",
            );
        }
    }
    if draft
        .duration_minutes
        .is_some_and(|m| !(1..=MAX_DURATION_MINUTES).contains(&m))
    {
        errors.push(
            &["durationMinutes"],
            UserErrorCode::OutOfRange,
            "Dauer zwischen 1 Minute und einer Woche.",
        );
    }
    draft.aliases = draft
        .aliases
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    draft.aliases.dedup();
    if draft.aliases.len() > MAX_ALIASES
        || draft.aliases.iter().any(|a| a.chars().count() > MAX_ALIAS)
    {
        errors.push(
            &["aliases"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_ALIASES} Suchbegriffe mit je {MAX_ALIAS} Zeichen."),
        );
    }
}

fn vehicle_prices(
    errors: &mut UserErrors,
    input: &[VehiclePriceInput],
) -> BTreeMap<VehicleClass, (i32, i32)> {
    let mut prices = BTreeMap::new();
    for price in input {
        if prices
            .insert(
                price.vehicle_class,
                (price.min_price_cents, price.max_price_cents),
            )
            .is_some()
        {
            errors.push(
                &["vehiclePrices", price.vehicle_class.as_str()],
                UserErrorCode::Duplicate,
                "Jede Fahrzeugklasse nur einmal.",
            );
        }
    }
    prices
}

/// The category, if it is one of the tenant's.
async fn category(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    errors: &mut UserErrors,
    id: &ID,
) -> ApiResult<Option<Uuid>> {
    let found = match ids::decode(NodeType::ServiceCategory, id) {
        None => None,
        Some(id) => tenant
            .service_categories()
            .filter(service_categories::id.eq(id))
            .select(service_categories::id)
            .first::<Uuid>(conn)
            .await
            .optional()?,
    };
    if found.is_none() {
        errors.push(
            &["categoryId"],
            UserErrorCode::NotFound,
            "Diese Kategorie gibt es nicht.",
        );
    }
    Ok(found)
}

fn duplicate() -> UserErrors {
    let mut errors = UserErrors::default();
    errors.push(
        &["name"],
        UserErrorCode::Duplicate,
        "In dieser Kategorie gibt es bereits eine Leistung mit diesem Namen.",
    );
    errors
}

/// The payload after a write: the stored service, or DUPLICATE when its name is taken.
async fn written(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    id: Uuid,
    result: QueryResult<usize>,
) -> ApiResult<ServicePayload> {
    match result {
        Err(e) if is_unique_violation(&e, "services_name_per_category") => {
            return Ok(ServicePayload::refused(duplicate()));
        }
        other => other?,
    };
    let row = services_by_id(conn, tenant, &[id]).await?.pop();
    Ok(ServicePayload {
        service: row.map(Service),
        user_errors: vec![],
    })
}

fn not_found(field: &str) -> UserErrors {
    let mut errors = UserErrors::default();
    errors.push(
        &[field],
        UserErrorCode::NotFound,
        "Diese Leistung gibt es nicht.",
    );
    errors
}

#[derive(Default)]
pub struct ServiceEditMutation;

#[Object]
impl ServiceEditMutation {
    /// Adds a service ("+" in the console) to one of the workshop's categories.
    async fn create_service(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceInput,
    ) -> ApiResult<ServicePayload> {
        let tenant = ctx.principal().writer(ApiScope::CatalogWrite)?;
        let mut conn = ctx.platform().conn().await?;
        let mut errors = UserErrors::default();
        let category_id = category(&mut conn, tenant, &mut errors, &input.category_id).await?;
        let mut draft = ServiceDraft {
            category_id: category_id.unwrap_or_default(),
            name: input.name,
            description: input.description,
            min_cents: input.min_price_cents,
            max_cents: input.max_price_cents,
            vehicle_prices: vehicle_prices(&mut errors, &input.vehicle_prices),
            duration_minutes: input.duration_minutes,
            aliases: input.aliases,
            active: input.active,
        };
        check(&mut errors, &mut draft);
        if !errors.is_empty() {
            return Ok(ServicePayload::refused(errors));
        }
        let id = Uuid::now_v7();
        let next_sort: Option<i32> = tenant
            .services()
            .select(diesel::dsl::max(services::sort_order))
            .first(&mut conn)
            .await?;
        let inserted = diesel::insert_into(services::table)
            .values((
                services::id.eq(id),
                services::workshop_id.eq(tenant.workshop_id()),
                draft.columns(),
                services::sort_order.eq(next_sort.map_or(0, |s| s + 1)),
            ))
            .execute(&mut conn)
            .await;
        written(&mut conn, tenant, id, inserted).await
    }

    async fn update_service(
        &self,
        ctx: &Context<'_>,
        input: UpdateServiceInput,
    ) -> ApiResult<ServicePayload> {
        let tenant = ctx.principal().writer(ApiScope::CatalogWrite)?;
        let mut conn = ctx.platform().conn().await?;
        let Some(id) = ids::decode(NodeType::Service, &input.id) else {
            return Ok(ServicePayload::refused(not_found("id")));
        };
        let current = services_by_id(&mut conn, tenant, &[id]).await?.pop();
        let Some(current) = current.filter(|service| !service.deleted) else {
            return Ok(ServicePayload::refused(not_found("id")));
        };
        let mut errors = UserErrors::default();
        let category_id = match &input.category_id {
            Some(category_id) => category(&mut conn, tenant, &mut errors, category_id)
                .await?
                .unwrap_or(current.category_id),
            None => current.category_id,
        };
        let current_prices = super::vehicle_prices_from_json(&current.vehicle_prices)
            .into_iter()
            .map(|p| {
                (
                    p.vehicle_class,
                    (p.price.min.amount_cents, p.price.max.amount_cents),
                )
            })
            .collect();
        let mut draft = ServiceDraft {
            category_id,
            name: input.name.unwrap_or(current.name),
            description: input.description.unwrap_or(current.description),
            min_cents: input.min_price_cents.unwrap_or(current.min_price_cents),
            max_cents: input.max_price_cents.unwrap_or(current.max_price_cents),
            vehicle_prices: match &input.vehicle_prices {
                Some(prices) => vehicle_prices(&mut errors, prices),
                None => current_prices,
            },
            duration_minutes: match input.duration_minutes {
                MaybeUndefined::Undefined => current.duration_minutes,
                MaybeUndefined::Null => None,
                MaybeUndefined::Value(minutes) => Some(minutes),
            },
            aliases: input.aliases.unwrap_or(current.aliases),
            active: input.active.unwrap_or(current.active),
        };
        check(&mut errors, &mut draft);
        if !errors.is_empty() {
            return Ok(ServicePayload::refused(errors));
        }
        let updated = diesel::update(tenant.services().filter(services::id.eq(id)))
            .set(draft.columns())
            .execute(&mut conn)
            .await;
        written(&mut conn, tenant, id, updated).await
    }
}

#[derive(Default)]
pub struct ServiceDeleteMutation;

#[Object]
impl ServiceDeleteMutation {
    /// Removes a service from the catalog; leads that name it keep showing it.
    // Soft delete: the service leaves the catalog and the search, old leads still show it.
    async fn delete_service(
        &self,
        ctx: &Context<'_>,
        input: DeleteServiceInput,
    ) -> ApiResult<DeleteServicePayload> {
        let tenant = ctx.principal().writer(ApiScope::CatalogWrite)?;
        let refused = || DeleteServicePayload {
            deleted_service_id: None,
            user_errors: not_found("id").into_vec(),
        };
        let Some(id) = ids::decode(NodeType::Service, &input.id) else {
            return Ok(refused());
        };
        let mut conn = ctx.platform().conn().await?;
        let deleted = diesel::update(
            tenant
                .services()
                .filter(services::id.eq(id))
                .filter(services::deleted_at.is_null()),
        )
        .set(services::deleted_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
        Ok(if deleted == 1 {
            DeleteServicePayload {
                deleted_service_id: Some(input.id),
                user_errors: vec![],
            }
        } else {
            refused()
        })
    }
}
