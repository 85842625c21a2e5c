//! Each workshop's catalog, prepared for the assistant ([`CatalogIndex`]) and kept per process
//! until the workshop's catalog revision moves on (a trigger raises it with every change to its
//! services or categories, so every process on the database notices at its next answer).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::CatalogEntry;
use super::matching::CatalogIndex;
use crate::auth::Tenant;
use crate::catalog::standard;
use crate::catalog::vehicle_prices_from_json;
use crate::db::Conn;
use crate::db::schema::{service_categories, services};
use crate::error::ApiResult;
use crate::locale::Locale;

/// Prepared catalogs by workshop, with the revision each was prepared at.
#[derive(Debug, Default)]
pub struct CatalogCache {
    catalogs: Mutex<HashMap<Uuid, (i64, Arc<CatalogIndex>)>>,
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
    ) -> ApiResult<Arc<CatalogIndex>> {
        let workshop = tenant.workshop_id();
        if let Some((cached, index)) = self.lock().get(&workshop)
            && *cached == revision
        {
            return Ok(index.clone());
        }
        let index = Arc::new(CatalogIndex::new(load(conn, tenant).await?));
        let mut catalogs = self.lock();
        if catalogs.len() >= MAX_WORKSHOPS {
            catalogs.clear();
        }
        catalogs.insert(workshop, (revision, index.clone()));
        Ok(index)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, (i64, Arc<CatalogIndex>)>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.catalogs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type Row = (
    Uuid,
    String,
    Vec<String>,
    String,
    String,
    i32,
    i32,
    serde_json::Value,
    Option<i32>,
    Option<String>,
);

/// The workshop's active services in catalog order, each with the translations of the
/// standard service it was installed from.
async fn load(conn: &mut Conn<'_>, tenant: Tenant) -> ApiResult<Vec<CatalogEntry>> {
    let rows: Vec<Row> = tenant
        .services()
        .inner_join(service_categories::table)
        .filter(services::active.eq(true))
        .filter(services::deleted_at.is_null())
        .order((
            service_categories::sort_order,
            services::sort_order,
            services::id,
        ))
        .select((
            services::id,
            services::name,
            services::aliases,
            services::description,
            service_categories::name,
            services::min_price_cents,
            services::max_price_cents,
            services::vehicle_prices,
            services::duration_minutes,
            services::standard_name,
        ))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(entry).collect())
}

fn entry(row: Row) -> CatalogEntry {
    let (id, name, mut aliases, description, category, min, max, prices, duration, standard) = row;
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
            entry((
                Uuid::from_u128(i as u128 + 1),
                s.name.clone(),
                s.all_aliases(),
                s.description.clone(),
                s.category.clone(),
                s.min_cents,
                s.max_cents,
                crate::catalog::vehicle_prices_json(&s.vehicle_prices),
                s.duration_minutes,
                Some(s.name.clone()),
            ))
        })
        .collect()
}
