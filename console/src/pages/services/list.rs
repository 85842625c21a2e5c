//! The catalog as the page holds it: the categories, and the services loaded so far (a page
//! at a time) with the changes made in place.

use std::rc::Rc;

use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::ctx::Ctx;

const PAGE_SIZE: i64 = 100;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Category {
    pub(super) id: String,
    pub(super) name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Catalog {
    pub(super) categories: Vec<Category>,
    /// False when the plan (or its status) leaves CSV exports out.
    pub(super) csv_exports: bool,
    pub(super) plan: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) category: String,
    pub(super) active: bool,
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) duration: Option<i64>,
    pub(super) vehicle_classes: usize,
}

fn row_from(node: api::services::ServicesServicesEdgesNode) -> Row {
    Row {
        id: node.id,
        name: node.name,
        description: node.description,
        category: node.category.name,
        active: node.active,
        min: node.price.min.amount_cents,
        max: node.price.max.amount_cents,
        duration: node.duration_minutes,
        vehicle_classes: node.vehicle_prices.len(),
    }
}

/// The list as shown: the rows loaded so far and where the next page starts.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct List {
    pub(super) rows: Vec<Row>,
    pub(super) total: i64,
    pub(super) next: Option<String>,
    pub(super) loading: bool,
    pub(super) loaded: bool,
    pub(super) error: Option<String>,
}

pub(super) enum ListAction {
    Loading,
    Replace(Vec<Row>, i64, Option<String>),
    Append(Vec<Row>, Option<String>),
    Failed(String),
    Update(Row),
    Remove(String),
}

impl Reducible for List {
    type Action = ListAction;

    fn reduce(self: Rc<Self>, action: ListAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ListAction::Loading => next.loading = true,
            ListAction::Replace(rows, total, cursor) => {
                next = List {
                    rows,
                    total,
                    next: cursor,
                    loading: false,
                    loaded: true,
                    error: None,
                };
            }
            ListAction::Append(rows, cursor) => {
                next.rows.extend(rows);
                next.next = cursor;
                next.loading = false;
            }
            ListAction::Failed(message) => {
                next.loading = false;
                next.error = Some(message);
            }
            ListAction::Update(row) => {
                if let Some(old) = next.rows.iter_mut().find(|r| r.id == row.id) {
                    *old = row;
                }
            }
            ListAction::Remove(id) => {
                let before = next.rows.len();
                next.rows.retain(|r| r.id != id);
                if next.rows.len() < before {
                    next.total -= 1;
                }
            }
        }
        Rc::new(next)
    }
}

pub(super) async fn fetch(
    ctx: &Ctx,
    category: &str,
    search: &str,
    after: Option<String>,
) -> Result<(Vec<Row>, i64, Option<String>), ApiError> {
    let data = api::run::<api::Services>(
        ctx.token().as_deref(),
        api::services::Variables {
            first: Some(PAGE_SIZE),
            after,
            filter: Some(api::services::ServiceFilter {
                category_id: (!category.is_empty()).then(|| category.to_owned()),
                search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
                vehicle_class: None,
                active: None,
            }),
        },
    )
    .await?;
    let services = data.services;
    let next = services
        .page_info
        .has_next_page
        .then_some(services.page_info.end_cursor)
        .flatten();
    Ok((
        services
            .edges
            .into_iter()
            .map(|e| row_from(e.node))
            .collect(),
        services.total_count,
        next,
    ))
}
