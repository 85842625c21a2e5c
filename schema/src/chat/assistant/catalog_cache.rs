//! Each workshop's catalog, prepared for the assistant ([`CatalogIndex`]) and kept per process
//! until the workshop's catalog revision moves on (a trigger raises it with every change to its
//! services or categories, so every process on the database notices at its next answer). The
//! services' rows are kept beside the index, so that an answer names the services it cites
//! without another statement.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::CatalogEntry;
use super::matching::CatalogIndex;
use crate::auth::Tenant;
use crate::catalog::vehicle_prices_from_json;
use crate::catalog::{service_row_columns, standard};
use crate::db::Conn;
use crate::db::rows::ServiceRow;
use crate::db::schema::{service_categories, services};
use crate::error::ApiResult;
use crate::locale::Locale;

/// Prepared catalogs by workshop, with the revision each was prepared at.
#[derive(Debug, Default)]
pub struct CatalogCache {
    catalogs: Mutex<HashMap<Uuid, (i64, Arc<PreparedCatalog>)>>,
}

/// One workshop's active catalog at one revision.
#[derive(Debug)]
pub struct PreparedCatalog {
    pub index: CatalogIndex,
    services: HashMap<Uuid, ServiceRow>,
}

impl PreparedCatalog {
    /// The rows of `ids` in their order (ids the catalog does not have are left out).
    pub fn services(&self, ids: &[Uuid]) -> Vec<ServiceRow> {
        ids.iter()
            .filter_map(|id| self.services.get(id).cloned())
            .collect()
    }
}

/// Workshops whose catalogs one process keeps; beyond it the cache starts over (a catalog is
/// prepared again in a few milliseconds).
const MAX_WORKSHOPS: usize = 2_000;

impl CatalogCache {
    /// The tenant's active catalog at `revision` (the workshop row's `catalog_revision`).
    pub async fn get(
        &self,
        conn: &mut Conn<'_>,
        tenant: Tenant,
        revision: i64,
    ) -> ApiResult<Arc<PreparedCatalog>> {
        let workshop = tenant.workshop_id();
        if let Some((cached, prepared)) = self.lock().get(&workshop)
            && *cached == revision
        {
            return Ok(prepared.clone());
        }
        let rows = load(conn, tenant).await?;
        let entries = rows.iter().cloned().map(entry).collect();
        let prepared = Arc::new(PreparedCatalog {
            index: CatalogIndex::new(entries),
            services: rows.into_iter().map(|(row, _)| (row.id, row)).collect(),
        });
        let mut catalogs = self.lock();
        if catalogs.len() >= MAX_WORKSHOPS {
            catalogs.clear();
        }
        catalogs.insert(workshop, (revision, prepared.clone()));
        Ok(prepared)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (i64, Arc<PreparedCatalog>)>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.catalogs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A service's row and the standard service it was installed from.
type Row = (ServiceRow, Option<String>);

/// The workshop's active services in catalog order.
async fn load(conn: &mut Conn<'_>, tenant: Tenant) -> ApiResult<Vec<Row>> {
    Ok(tenant
        .services()
        .inner_join(service_categories::table)
        .filter(services::active.eq(true))
        .filter(services::deleted_at.is_null())
        .order((
            service_categories::sort_order,
            services::sort_order,
            services::id,
        ))
        .select((service_row_columns!(), services::standard_name))
        .load(conn)
        .await?)
}

/// A service as the assistant reads it, with the translations of the standard service it was
/// installed from.
fn entry((row, standard): Row) -> CatalogEntry {
    let ServiceRow {
        id,
        name,
        mut aliases,
        description,
        category_name: category,
        min_price_cents: min,
        max_price_cents: max,
        vehicle_prices: prices,
        duration_minutes: duration,
        ..
    } = row;
    // Services installed before the standard catalog had translations get them here, and
    // renamed ones keep only what the owner wrote.
    let standard = standard
        .as_deref()
        .and_then(standard::by_name)
        .filter(|s| s.name == name);
    if let Some(standard) = standard {
        for alias in standard.all_aliases() {
            if !aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias)) {
                aliases.push(alias);
            }
        }
    }
    CatalogEntry {
        id,
        translations: standard
            .map(|s| {
                [Locale::En, Locale::Tr, Locale::Pl]
                    .into_iter()
                    .filter_map(|l| s.translation(l).map(|t| (l, t.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        name,
        aliases,
        category,
        description,
        min_cents: min,
        max_cents: max,
        vehicle_prices: vehicle_prices_from_json(&prices)
            .into_iter()
            .map(|p| {
                (
                    p.vehicle_class,
                    p.price.min.amount_cents,
                    p.price.max.amount_cents,
                )
            })
            .collect(),
        duration_minutes: duration,
    }
}

/// The standard catalog as the assistant sees it right after installation: for tests and the
/// evaluation, without a database.
pub fn standard_entries() -> Vec<CatalogEntry> {
    standard::STANDARD_CATALOG
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let row = ServiceRow {
                id: Uuid::from_u128(i as u128 + 1),
                category_id: Uuid::nil(),
                category_name: s.category.clone(),
                category_sort_order: 0,
                name: s.name.clone(),
                description: s.description.clone(),
                aliases: s.all_aliases(),
                min_price_cents: s.min_cents,
                max_price_cents: s.max_cents,
                vehicle_prices: crate::catalog::vehicle_prices_json(&s.vehicle_prices),
                duration_minutes: s.duration_minutes,
                active: true,
                sort_order: i as i32,
                total_count: 0,
                deleted: false,
                score: 0.0,
            };
            entry((row, Some(s.name.clone())))
        })
        .collect()
}
