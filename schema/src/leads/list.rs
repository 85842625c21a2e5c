//! The `leads` list: filters, search and pages.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::lead::{Lead, LeadRow, LeadStatus};
use crate::auth::ApiScope;
use crate::catalog;
use crate::chat::client_keys;
use crate::context::Ctx;
use crate::db::schema::leads;
use crate::error::ApiResult;
use crate::pagination::{Page, PageInfo, edges};

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
    /// Leads that requested this service.
    pub service_id: Option<ID>,
    /// Leads sent from this page (origin and path, as `analytics.topPages` lists it).
    pub page: Option<String>,
}

#[derive(Default)]
pub struct LeadListQuery;

#[Object]
impl LeadListQuery {
    /// The workshop's leads, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<LeadFilter>,
    ) -> ApiResult<LeadConnection> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsRead))?;
        let filter = filter.unwrap_or_default();
        let page = Page::new(first, after)?;
        let key = client_keys::filter_id(filter.client_key_id.as_ref())?;
        let service = catalog::filter_id(filter.service_id.as_ref())?;
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
            let mut query = tenant.leads().into_boxed();
            if let Some(statuses) = &statuses {
                query = query.filter(leads::status.eq_any(statuses.clone()));
            }
            if let Some(key) = key {
                query = query.filter(leads::client_key_id.eq(key));
            }
            if let Some(service) = service {
                query = query.filter(leads::service_ids.contains(vec![service]));
            }
            if let Some(page) = &filter.page {
                query = query.filter(leads::source_url.eq(page.clone()));
            }
            if let Some(at) = filter.created_after {
                query = query.filter(leads::created_at.ge(at));
            }
            if let Some(at) = filter.created_before {
                query = query.filter(leads::created_at.lt(at));
            }
            if let Some(search) = &search {
                // Every word must appear (folded, substring) or be a close trigram match. Raw SQL:
                // the DSL has neither the `<%` operator nor the project's `carbot_fold`.
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
        let mut conn = ctx.platform().conn().await?;
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
}
