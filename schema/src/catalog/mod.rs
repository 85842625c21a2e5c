//! The service catalog: categories, services, price ranges and the search customers rely on.

pub mod csv_io;
pub mod edit;
mod loader;
pub mod standard;
pub mod text;
mod vehicle_class;

use async_graphql::{Context, ID, InputObject, MergedObject, Object, SimpleObject};
use diesel::sql_types::{BigInt, Bool, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::{ApiScope, Tenant};
use crate::context::Ctx;
use crate::db::Conn;
pub use crate::db::rows::ServiceRow;
use crate::error::{ApiError, ApiResult, UserError};
use crate::ids::{self, NodeType};
use crate::money::PriceRange;
use crate::pagination::{OffsetPage, PageInfo};
pub use loader::ServiceLoader;
pub use vehicle_class::{
    VehicleClass, VehiclePrice, vehicle_prices_from_json, vehicle_prices_json,
};

#[derive(diesel::QueryableByName, Debug, Clone)]
pub struct CategoryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Int4)]
    pub sort_order: i32,
    #[diesel(sql_type = BigInt)]
    pub total_count: i64,
}

pub struct ServiceCategory {
    pub id: Uuid,
    pub name: String,
    pub sort_order: i32,
}

#[Object]
impl ServiceCategory {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ServiceCategory, self.id)
    }
    async fn name(&self) -> &str {
        &self.name
    }
    async fn sort_order(&self) -> i32 {
        self.sort_order
    }
}

/// A service of the workshop's catalog. Amounts are euro cents, VAT included.
pub struct Service(pub ServiceRow);

#[Object]
impl Service {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Service, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Other names customers use for this service.
    async fn aliases(&self) -> &[String] {
        &self.0.aliases
    }
    async fn category(&self) -> ServiceCategory {
        ServiceCategory {
            id: self.0.category_id,
            name: self.0.category_name.clone(),
            sort_order: self.0.category_sort_order,
        }
    }
    async fn price(&self) -> PriceRange {
        PriceRange::cents(self.0.min_price_cents, self.0.max_price_cents)
    }
    /// Prices for particular vehicle classes, where they differ from the overall range.
    async fn vehicle_prices(&self) -> Vec<VehiclePrice> {
        vehicle_prices_from_json(&self.0.vehicle_prices)
    }
    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
}

#[derive(InputObject, Default)]
pub struct ServiceFilter {
    pub category_id: Option<ID>,
    /// Free text as customers write it: German stemming, missing umlauts and typos are fine.
    pub search: Option<String>,
    /// Only services with a price for this vehicle class.
    pub vehicle_class: Option<VehicleClass>,
    pub active: Option<bool>,
}

#[derive(SimpleObject)]
pub struct ServiceEdge {
    pub cursor: String,
    pub node: Service,
}

#[derive(SimpleObject)]
pub struct ServiceConnection {
    pub edges: Vec<ServiceEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(SimpleObject)]
pub struct ServiceCategoryEdge {
    pub cursor: String,
    pub node: ServiceCategory,
}

#[derive(SimpleObject)]
pub struct ServiceCategoryConnection {
    pub edges: Vec<ServiceCategoryEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// A filter's `serviceId` (leads, conversations): a service id or a clear refusal.
pub fn filter_id(id: Option<&ID>) -> ApiResult<Option<Uuid>> {
    id.map(|id| {
        ids::decode(NodeType::Service, id)
            .ok_or_else(|| ApiError::BadRequest("`serviceId` is not a service id.".into()))
    })
    .transpose()
}

/// Longest search text taken into account.
const MAX_SEARCH_CHARS: usize = 200;

/// The catalog query. With a search text, each word of it scores like in a search engine: a
/// word found by German full-text search (stemmed, umlauts folded) counts by its weight in the
/// service (name and aliases above description) times how rare it is in this catalog, so that
/// "wechseln" matters less than "Zahnriemen". A word found nowhere (a typo, say) counts by its
/// trigram similarity to the service's names, likewise weighted by rarity. Stop words count not.
/// A service whose whole name appears in the text comes first.
pub const SERVICES_SQL: &str = "
WITH candidates AS (
    SELECT s.*, c.name AS category_name, c.sort_order AS category_sort_order
    FROM services s
    JOIN service_categories c ON c.id = s.category_id
    WHERE s.workshop_id = $1 AND s.deleted_at IS NULL
      AND ($2::uuid IS NULL OR s.category_id = $2)
      AND ($3::bool IS NULL OR s.active = $3)
      AND ($4::text IS NULL OR s.vehicle_prices ? $4)
), words AS (
    SELECT DISTINCT w, plainto_tsquery('german', w) AS tq
    FROM regexp_split_to_table(carbot_fold(coalesce($5, '')), '\\W+') AS w
    WHERE w <> ''
), weighted AS MATERIALIZED (
    SELECT w, tq, numnode(tq) > 0 AS meaningful,
           (SELECT count(*) FROM candidates c WHERE c.search_document @@ tq) AS exact,
           (SELECT count(*) FROM candidates c WHERE length(w) >= 4 AND strict_word_similarity(w, c.search_text) >= 0.5) AS fuzzy,
           (SELECT count(*) FROM candidates) AS n
    FROM words
), scored AS (
    SELECT c.*, (
        SELECT coalesce(sum(CASE
            WHEN wt.exact > 0 AND c.search_document @@ wt.tq
                THEN ts_rank(c.search_document, wt.tq) * ln(1 + wt.n::float8 / wt.exact) * 10
            WHEN wt.meaningful AND wt.exact = 0 AND wt.fuzzy > 0 AND length(wt.w) >= 4
                 AND strict_word_similarity(wt.w, c.search_text) >= 0.5
                THEN strict_word_similarity(wt.w, c.search_text) * ln(1 + wt.n::float8 / wt.fuzzy) * 6
            ELSE 0 END), 0)
        FROM weighted wt
    ) + CASE
        -- The service's whole name in the text beats services that only mention the word.
        WHEN $5 IS NOT NULL AND position(
            ' ' || trim(regexp_replace(carbot_fold(c.name), '\\W+', ' ', 'g')) || ' '
            IN ' ' || regexp_replace(carbot_fold($5), '\\W+', ' ', 'g') || ' ') > 0 THEN 10
        ELSE 0 END AS score
    FROM candidates c
)
SELECT id, category_id, category_name, category_sort_order, name, description, aliases,
       min_price_cents, max_price_cents, vehicle_prices, duration_minutes, active, sort_order,
       count(*) OVER () AS total_count, false AS deleted, score::float4 AS score
FROM scored
WHERE $5 IS NULL OR score > 0
ORDER BY score DESC, category_sort_order, sort_order, id
LIMIT $6 OFFSET $7";

/// Services of the tenant's workshop, filtered and (with `search`) ranked.
/// What to look for in the catalog; `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct ServiceQuery {
    pub category_id: Option<Uuid>,
    pub active: Option<bool>,
    pub vehicle_class: Option<VehicleClass>,
    pub search: Option<String>,
}

pub async fn find_services(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    query: &ServiceQuery,
    limit: i64,
    offset: i64,
) -> ApiResult<Vec<ServiceRow>> {
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(MAX_SEARCH_CHARS).collect::<String>());
    // Raw SQL: German full-text search, trigram similarity and the weighting CTEs are beyond
    // the DSL.
    Ok(diesel::sql_query(SERVICES_SQL)
        .bind::<SqlUuid, _>(tenant.workshop_id())
        .bind::<Nullable<SqlUuid>, _>(query.category_id)
        .bind::<Nullable<Bool>, _>(query.active)
        .bind::<Nullable<Text>, _>(query.vehicle_class.map(VehicleClass::as_str))
        .bind::<Nullable<Text>, _>(search)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)
        .await?)
}

/// The columns of a [`ServiceRow`] by position, for a query of `services` joined with
/// `service_categories` (no total, no score).
macro_rules! service_row_columns {
    () => {{
        use crate::db::schema::{service_categories, services};
        use diesel::{ExpressionMethods, IntoSql};
        (
            services::id,
            services::category_id,
            service_categories::name,
            service_categories::sort_order,
            services::name,
            services::description,
            services::aliases,
            services::min_price_cents,
            services::max_price_cents,
            services::vehicle_prices,
            services::duration_minutes,
            services::active,
            services::sort_order,
            0_i64.into_sql::<diesel::sql_types::BigInt>(),
            services::deleted_at.is_not_null(),
            0_f32.into_sql::<diesel::sql_types::Float4>(),
        )
    }};
}
pub(crate) use service_row_columns;

/// Services by id within the tenant's workshop (deleted ones too: old leads still name them).
pub async fn services_by_id(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<ServiceRow>> {
    use crate::db::schema::{service_categories, services};
    use diesel::{ExpressionMethods, QueryDsl};
    Ok(tenant
        .services()
        .inner_join(service_categories::table)
        .filter(services::id.eq_any(ids))
        .select(service_row_columns!())
        .load(conn)
        .await?)
}

/// Raw SQL: `count(*) OVER ()` gives the total with the page in one statement.
pub async fn categories(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    ids: Option<&[Uuid]>,
    limit: i64,
    offset: i64,
) -> ApiResult<Vec<CategoryRow>> {
    Ok(diesel::sql_query(
        "SELECT id, name, sort_order, count(*) OVER () AS total_count FROM service_categories
         WHERE workshop_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2))
         ORDER BY sort_order, id LIMIT $3 OFFSET $4",
    )
    .bind::<SqlUuid, _>(tenant.workshop_id())
    .bind::<Nullable<diesel::sql_types::Array<SqlUuid>>, _>(ids)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?)
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The workshop's service categories in display order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn service_categories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ServiceCategoryConnection> {
        let tenant = ctx.principal().tenant(Some(ApiScope::CatalogRead))?;
        let page = OffsetPage::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let rows = categories(&mut conn, tenant, None, page.first + 1, page.offset).await?;
        let total_count = <[_]>::first(&rows).map_or(0, |r| r.total_count);
        let (edges, page_info) = page.edges(rows);
        Ok(ServiceCategoryConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, r)| ServiceCategoryEdge {
                    cursor,
                    node: ServiceCategory {
                        id: r.id,
                        name: r.name,
                        sort_order: r.sort_order,
                    },
                })
                .collect(),
            page_info,
            total_count,
        })
    }

    /// The workshop's services: in catalog order, or by relevance when `filter.search` is given.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ServiceFilter>,
    ) -> ApiResult<ServiceConnection> {
        let tenant = ctx.principal().tenant(Some(ApiScope::CatalogRead))?;
        let page = OffsetPage::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let category_id = match &filter.category_id {
            None => None,
            Some(id) => Some(ids::decode(NodeType::ServiceCategory, id).ok_or_else(|| {
                ApiError::BadRequest("`categoryId` is not a service category id.".into())
            })?),
        };
        let mut conn = ctx.platform().conn().await?;
        let query = ServiceQuery {
            category_id,
            active: filter.active,
            vehicle_class: filter.vehicle_class,
            search: filter.search,
        };
        let rows = find_services(&mut conn, tenant, &query, page.first + 1, page.offset).await?;
        let total_count = <[_]>::first(&rows).map_or(0, |r| r.total_count);
        let (edges, page_info) = page.edges(rows);
        Ok(ServiceConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| ServiceEdge {
                    cursor,
                    node: Service(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }
}

#[derive(SimpleObject)]
pub struct InstallStandardCatalogPayload {
    /// Services added; those already in the catalog were kept as they are.
    pub installed_count: i32,
    pub user_errors: Vec<UserError>,
}

#[derive(MergedObject, Default)]
pub struct CatalogMutation(
    edit::ServiceEditMutation,
    csv_io::CsvMutation,
    edit::ServiceDeleteMutation,
    StandardCatalogMutation,
);

#[derive(Default)]
pub struct StandardCatalogMutation;

#[Object]
impl StandardCatalogMutation {
    /// Adds the standard German catalog's services that the workshop does not have (again).
    async fn install_standard_catalog(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<InstallStandardCatalogPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut conn = ctx.platform().conn().await?;
        let installed = {
            use diesel_async::AsyncConnection;
            conn.transaction::<_, diesel::result::Error, _>(async |conn| {
                standard::install(conn, tenant).await
            })
            .await
            .map_err(ApiError::from)?
        };
        Ok(InstallStandardCatalogPayload {
            installed_count: i32::try_from(installed).unwrap_or(i32::MAX),
            user_errors: vec![],
        })
    }
}
