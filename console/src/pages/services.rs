//! The service catalog: categories and services with their prices; "+" adds a service, each row
//! edits its price and active flag in place; CSV import (checked first) and export; the
//! standard German catalog.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::settings::{Area, Load, error_paths, failed_view, focus_id, other_errors};
use crate::api::{self, ApiError};
use crate::i18n::euros;
use crate::ui::{Field, error_for};
use crate::{Ctx, Route, use_ctx};

const PAGE_SIZE: i64 = 100;
/// Larger files are refused before reading (the server takes 5,000 rows at most).
const MAX_CSV_BYTES: f64 = 2_000_000.0;

#[derive(Clone, Debug, PartialEq)]
struct Category {
    id: String,
    name: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Catalog {
    categories: Vec<Category>,
    /// False when the plan (or its status) leaves CSV exports out.
    csv_exports: bool,
    plan: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    name: String,
    description: String,
    category: String,
    active: bool,
    min: i64,
    max: i64,
    duration: Option<i64>,
    vehicle_classes: usize,
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
struct List {
    rows: Vec<Row>,
    total: i64,
    next: Option<String>,
    loading: bool,
    loaded: bool,
    error: Option<String>,
}

enum ListAction {
    Loading,
    Replace(Vec<Row>, i64, Option<String>),
    Append(Vec<Row>, Option<String>),
    Failed(String),
    Update(Row),
    Remove(String),
}

impl Reducible for List {
    type Action = ListAction;

    fn reduce(self: std::rc::Rc<Self>, action: ListAction) -> std::rc::Rc<Self> {
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
        std::rc::Rc::new(next)
    }
}

async fn fetch(
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

/// Euros as typed (`49`, `49,90`, `1.200`, `12.5 €`) in cents; `None` when it is no amount.
fn parse_euros(text: &str) -> Option<i64> {
    let text: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return None;
    }
    let normal = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else if text.rsplit_once('.').is_some_and(|(_, d)| d.len() == 3) {
        text.replace('.', "")
    } else {
        text
    };
    let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 7
    {
        return None;
    }
    let euros: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(euros * 100 + cents)
}

/// Cents as an amount to edit: `49` or `49,90`.
fn amount_text(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{},{:02}", cents / 100, cents % 100)
    }
}

/// Checks the typed prices: `(min, max)` in cents, or the errors under the price fields. An
/// empty maximum means a fixed price.
fn prices(ctx: &Ctx, min: &str, max: &str) -> Result<(i64, i64), Vec<(String, String)>> {
    let mut errors = Vec::new();
    let low = parse_euros(min);
    if low.is_none() {
        errors.push((
            "minPriceCents".to_owned(),
            ctx.t("svc_amount_invalid").to_owned(),
        ));
    }
    let high = if max.trim().is_empty() {
        low
    } else {
        let high = parse_euros(max);
        if high.is_none() {
            errors.push((
                "maxPriceCents".to_owned(),
                ctx.t("svc_amount_invalid").to_owned(),
            ));
        }
        high
    };
    match (low, high) {
        (Some(low), Some(high)) if errors.is_empty() => Ok((low, high)),
        _ => Err(errors),
    }
}

fn duration_text(ctx: &Ctx, minutes: Option<i64>) -> String {
    match minutes {
        None => "–".to_owned(),
        Some(m) if m >= 60 && m % 60 == 0 => format!("{} {}", m / 60, ctx.t("svc_hours_short")),
        Some(m) if m >= 60 => format!(
            "{} {} {} {}",
            m / 60,
            ctx.t("svc_hours_short"),
            m % 60,
            ctx.t("svc_minutes_short")
        ),
        Some(m) => format!("{m} {}", ctx.t("svc_minutes_short")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Panel {
    None,
    Add,
    Import,
}

#[function_component(Services)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let catalog = use_state(|| Load::<Catalog>::Loading);
    let catalog_version = use_state(|| 0u32);
    let category = use_state(String::new);
    let search = use_state(String::new);
    let query = use_state(String::new);
    let list = use_reducer(List::default);
    let list_version = use_state(|| 0u32);
    // Answers to older requests (an earlier search text) are dropped.
    let sequence = use_mut_ref(|| 0u32);
    let panel = use_state(|| Panel::None);
    let export_refused = use_state(|| None::<String>);
    let busy = use_state(|| false);

    {
        let (ctx, catalog) = (ctx.clone(), catalog.clone());
        use_effect_with(*catalog_version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::Categories>(
                    ctx.token().as_deref(),
                    api::categories::Variables {},
                )
                .await
                .map(|data| Catalog {
                    categories: data
                        .service_categories
                        .edges
                        .into_iter()
                        .map(|e| Category {
                            id: e.node.id,
                            name: e.node.name,
                        })
                        .collect(),
                    csv_exports: data.workshop.plan.limits.csv_exports
                        && data.workshop.plan_status != api::categories::PlanStatus::INACTIVE,
                    plan: data.workshop.plan.name,
                });
                catalog.set(Load::from_result(&ctx, result));
            });
        });
    }
    // The search runs once typing pauses.
    {
        let query = query.clone();
        use_effect_with((*search).clone(), move |text| {
            let text = text.clone();
            let timer = gloo_timers::callback::Timeout::new(250, move || query.set(text));
            move || drop(timer)
        });
    }
    {
        let (ctx, list, sequence) = (ctx.clone(), list.clone(), sequence.clone());
        use_effect_with(
            ((*category).clone(), (*query).clone(), *list_version),
            move |(category, query, _)| {
                let (category, query) = (category.clone(), query.clone());
                let mine = {
                    let mut sequence = sequence.borrow_mut();
                    *sequence += 1;
                    *sequence
                };
                list.dispatch(ListAction::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = fetch(&ctx, &category, &query, None).await;
                    if *sequence.borrow() != mine {
                        return;
                    }
                    match result {
                        Ok((rows, total, next)) => {
                            list.dispatch(ListAction::Replace(rows, total, next))
                        }
                        Err(ApiError::Message(message)) => {
                            list.dispatch(ListAction::Failed(message))
                        }
                        Err(error) => ctx.fail(error),
                    }
                });
            },
        );
    }

    let reload = {
        let list_version = list_version.clone();
        Callback::from(move |()| list_version.set(*list_version + 1))
    };
    let reload_all = {
        let (list_version, catalog_version) = (list_version.clone(), catalog_version.clone());
        Callback::from(move |()| {
            list_version.set(*list_version + 1);
            catalog_version.set(*catalog_version + 1);
        })
    };
    let more = {
        let (ctx, list, category, query, sequence) = (
            ctx.clone(),
            list.clone(),
            category.clone(),
            query.clone(),
            sequence.clone(),
        );
        Callback::from(move |_| {
            let Some(after) = list.next.clone() else {
                return;
            };
            let (ctx, list, category, query, sequence) = (
                ctx.clone(),
                list.clone(),
                (*category).clone(),
                (*query).clone(),
                sequence.clone(),
            );
            let mine = *sequence.borrow();
            list.dispatch(ListAction::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let result = fetch(&ctx, &category, &query, Some(after)).await;
                if *sequence.borrow() != mine {
                    return;
                }
                match result {
                    Ok((rows, _, next)) => list.dispatch(ListAction::Append(rows, next)),
                    Err(ApiError::Message(message)) => list.dispatch(ListAction::Failed(message)),
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let open = |which: Panel| {
        let panel = panel.clone();
        Callback::from(move |_| panel.set(if *panel == which { Panel::None } else { which }))
    };
    let close = |return_to: &'static str| {
        let panel = panel.clone();
        Callback::from(move |()| {
            panel.set(Panel::None);
            focus_id(return_to);
        })
    };
    let export = {
        let (ctx, catalog, export_refused, busy) = (
            ctx.clone(),
            catalog.clone(),
            export_refused.clone(),
            busy.clone(),
        );
        Callback::from(move |_| {
            let (ctx, export_refused, busy) = (ctx.clone(), export_refused.clone(), busy.clone());
            let plan_allows = !matches!(&*catalog, Load::Ready(c) if !c.csv_exports);
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::ExportServices>(
                    ctx.token().as_deref(),
                    api::export_services::Variables {},
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.export_services;
                        match (payload.csv, payload.user_errors.first()) {
                            (Some(csv), None) => {
                                export_refused.set(None);
                                api::download("leistungen.csv", &csv, "text/csv;charset=utf-8");
                            }
                            (_, Some(error)) => export_refused.set(Some(error.message.clone())),
                            (None, None) => {}
                        }
                    }
                    // PLAN_LIMIT_REACHED comes as a top-level error: show it where the
                    // button is, with the way to a plan that includes exports.
                    Err(ApiError::Message(message)) if !plan_allows => {
                        export_refused.set(Some(message))
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let install = {
        let (ctx, busy, reload_all) = (ctx.clone(), busy.clone(), reload_all.clone());
        Callback::from(move |_| {
            let (ctx, busy, reload_all) = (ctx.clone(), busy.clone(), reload_all.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::InstallStandardCatalog>(
                    ctx.token().as_deref(),
                    api::install_standard_catalog::Variables {},
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.install_standard_catalog;
                        if let Some(error) = payload.user_errors.first() {
                            ctx.notify.emit(error.message.clone());
                        } else if payload.installed_count == 0 {
                            ctx.notify.emit(ctx.t("svc_installed_none").to_owned());
                        } else {
                            ctx.notify.emit(format!(
                                "{}: {}",
                                ctx.t("svc_installed"),
                                payload.installed_count
                            ));
                        }
                        reload_all.emit(());
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let on_category = {
        let category = category.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            category.set(select.value());
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            search.set(input.value());
        })
    };
    let on_update = {
        let list = list.clone();
        Callback::from(move |row: Row| list.dispatch(ListAction::Update(row)))
    };
    let on_remove = {
        let list = list.clone();
        Callback::from(move |id: String| list.dispatch(ListAction::Remove(id)))
    };

    let categories = match &*catalog {
        Load::Ready(c) => c.categories.clone(),
        _ => vec![],
    };
    let filtered = !category.is_empty() || !query.trim().is_empty();
    let plan_link = {
        let navigate = ctx.navigate.clone();
        let onclick = Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            navigate.emit(Route::Plan);
        });
        html! { <a href={Route::Plan.path()} {onclick}>{ ctx.t("plan_see") }</a> }
    };

    let body = if let Some(message) = list.error.clone().filter(|_| !list.loaded) {
        failed_view(&ctx, &message, reload.reform(|_| ()))
    } else if !list.loaded {
        super::settings::loading_view(&ctx)
    } else if list.rows.is_empty() && !filtered {
        html! {
            <div class="empty stack">
                <p>{ ctx.t("svc_empty") }</p>
                <div><button class="primary" type="button" onclick={install.clone()} disabled={*busy}>
                    { ctx.t("svc_install") }
                </button></div>
            </div>
        }
    } else if list.rows.is_empty() {
        html! { <div class="empty">{ ctx.t("svc_none_found") }</div> }
    } else {
        html! {
            <>
                <table class="services-table" aria-busy={list.loading.then_some("true")}>
                    <caption class="muted">
                        { format!("{} {}", list.total, ctx.t("svc_count")) }
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{ ctx.t("svc_name") }</th>
                            <th scope="col">{ ctx.t("svc_category") }</th>
                            <th scope="col">{ ctx.t("svc_price") }</th>
                            <th scope="col">{ ctx.t("svc_duration") }</th>
                            <th scope="col">{ ctx.t("svc_active") }</th>
                            <th scope="col"><span class="visually-hidden">{ ctx.t("svc_actions") }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { for list.rows.iter().map(|row| html! {
                            <ServiceItem key={row.id.clone()} row={row.clone()}
                                on_update={on_update.clone()} on_remove={on_remove.clone()} />
                        }) }
                    </tbody>
                </table>
                if let Some(message) = &list.error {
                    <p class="error" role="alert">{ message.clone() }</p>
                }
                if list.next.is_some() {
                    <div class="row">
                        <button type="button" onclick={more} disabled={list.loading}>
                            { if list.loading { ctx.t("loading") } else { ctx.t("svc_more") } }
                        </button>
                    </div>
                }
            </>
        }
    };

    html! {
        <section class="services stack">
            <div class="page-head">
                <h1>{ ctx.t("services") }</h1>
                <button id="add-service" class="primary" type="button" onclick={open(Panel::Add)}
                    aria-expanded={(*panel == Panel::Add).to_string()} aria-controls="add-service-panel">
                    <span aria-hidden="true">{ "+ " }</span>{ ctx.t("svc_add") }
                </button>
            </div>
            if let Load::Failed(message) = &*catalog {
                { failed_view(&ctx, message, Callback::from({
                    let catalog_version = catalog_version.clone();
                    move |_| catalog_version.set(*catalog_version + 1)
                })) }
            }
            if *panel == Panel::Add {
                <AddService categories={categories.clone()} preselected={(*category).clone()}
                    on_close={close("add-service")} on_created={reload.clone()} />
            }
            <div class="toolbar">
                <div class="field">
                    <label for="svc-category">{ ctx.t("svc_category") }</label>
                    <select id="svc-category" onchange={on_category}>
                        <option value="" selected={category.is_empty()}>{ ctx.t("all") }</option>
                        { for categories.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={*category == c.id}>{ c.name.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field grow">
                    <label for="svc-search">{ ctx.t("search") }</label>
                    <input id="svc-search" type="search" value={(*search).clone()} oninput={on_search}
                        placeholder={ctx.t("svc_search_placeholder")} autocomplete="off" />
                </div>
            </div>
            <div class="row">
                <button type="button" id="import-services" onclick={open(Panel::Import)}
                    aria-expanded={(*panel == Panel::Import).to_string()}>{ ctx.t("svc_import") }</button>
                <button type="button" onclick={export} disabled={*busy}>{ ctx.t("svc_export") }</button>
                <button type="button" onclick={install} disabled={*busy}>{ ctx.t("svc_install") }</button>
            </div>
            if let Some(message) = &*export_refused {
                <div class="callout warn" role="alert">
                    <p>{ message.clone() }{ " " }{ plan_link }</p>
                </div>
            }
            if *panel == Panel::Import {
                <ImportPanel on_close={close("import-services")} on_imported={reload_all.clone()} />
            }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ItemProps {
    row: Row,
    on_update: Callback<Row>,
    on_remove: Callback<String>,
}

#[function_component(ServiceItem)]
fn service_item(props: &ItemProps) -> Html {
    let ctx = use_ctx();
    let editing = use_state(|| false);
    let min = use_state(String::new);
    let max = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let confirming = use_state(|| false);
    let row = &props.row;
    let dom = row.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");

    {
        let dom = dom.clone();
        use_effect_with((*editing, *confirming), move |(editing, confirming)| {
            if *editing {
                focus_id(&format!("min-{dom}"));
            } else if *confirming {
                focus_id(&format!("delete-yes-{dom}"));
            }
        });
    }

    let toggle = {
        let (ctx, row, on_update) = (ctx.clone(), row.clone(), props.on_update.clone());
        Callback::from(move |_| {
            let before = row.clone();
            let after = Row {
                active: !row.active,
                ..row.clone()
            };
            // Shown at once; put back if the server refuses.
            on_update.emit(after.clone());
            let (ctx, on_update) = (ctx.clone(), on_update.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateService>(
                    ctx.token().as_deref(),
                    api::update_service::Variables {
                        id: after.id.clone(),
                        min_price_cents: None,
                        max_price_cents: None,
                        active: Some(after.active),
                    },
                )
                .await;
                match result {
                    Ok(data) => {
                        if let Some(error) = data.update_service.user_errors.first() {
                            on_update.emit(before);
                            ctx.notify.emit(error.message.clone());
                        }
                    }
                    Err(error) => {
                        on_update.emit(before);
                        ctx.fail(error);
                    }
                }
            });
        })
    };
    let edit = {
        let (editing, min, max, errors, row) = (
            editing.clone(),
            min.clone(),
            max.clone(),
            errors.clone(),
            row.clone(),
        );
        Callback::from(move |_| {
            min.set(amount_text(row.min));
            max.set(amount_text(row.max));
            errors.set(vec![]);
            editing.set(true);
        })
    };
    let stop = {
        let (editing, errors, dom) = (editing.clone(), errors.clone(), dom.clone());
        Callback::from(move |_| {
            editing.set(false);
            errors.set(vec![]);
            focus_id(&format!("edit-{dom}"));
        })
    };
    let save = {
        let (ctx, row, min, max, errors, busy, editing, on_update, dom) = (
            ctx.clone(),
            row.clone(),
            min.clone(),
            max.clone(),
            errors.clone(),
            busy.clone(),
            editing.clone(),
            props.on_update.clone(),
            dom.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (low, high) = match prices(&ctx, &min, &max) {
                Ok(amounts) => amounts,
                Err(found) => {
                    focus_id(&format!("min-{dom}"));
                    return errors.set(found);
                }
            };
            let (ctx, row, errors, busy, editing, on_update, dom) = (
                ctx.clone(),
                row.clone(),
                errors.clone(),
                busy.clone(),
                editing.clone(),
                on_update.clone(),
                dom.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateService>(
                    ctx.token().as_deref(),
                    api::update_service::Variables {
                        id: row.id.clone(),
                        min_price_cents: Some(low),
                        max_price_cents: Some(high),
                        active: None,
                    },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.update_service;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match payload.service.filter(|_| found.is_empty()) {
                            Some(service) => {
                                on_update.emit(Row {
                                    min: service.price.min.amount_cents,
                                    max: service.price.max.amount_cents,
                                    active: service.active,
                                    ..row
                                });
                                errors.set(vec![]);
                                editing.set(false);
                                focus_id(&format!("edit-{dom}"));
                            }
                            None => {
                                focus_id(&format!("min-{dom}"));
                                errors.set(found);
                            }
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let dont = {
        let (confirming, dom) = (confirming.clone(), dom.clone());
        Callback::from(move |_| {
            confirming.set(false);
            focus_id(&format!("delete-{dom}"));
        })
    };
    let delete = {
        let (ctx, id, busy, confirming, on_remove) = (
            ctx.clone(),
            row.id.clone(),
            busy.clone(),
            confirming.clone(),
            props.on_remove.clone(),
        );
        Callback::from(move |_| {
            let (ctx, id, busy, confirming, on_remove) = (
                ctx.clone(),
                id.clone(),
                busy.clone(),
                confirming.clone(),
                on_remove.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::DeleteService>(
                        api::delete_service::Variables { id: id.clone() },
                        |d| {
                            d.delete_service
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                confirming.set(false);
                if done.is_some() {
                    ctx.notify.emit(ctx.t("svc_deleted").to_owned());
                    on_remove.emit(id);
                    focus_id("add-service");
                }
            });
        })
    };
    let onkeydown = {
        let (editing, confirming, errors, dom) = (
            editing.clone(),
            confirming.clone(),
            errors.clone(),
            dom.clone(),
        );
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && (*editing || *confirming) {
                event.prevent_default();
                focus_id(&if *editing {
                    format!("edit-{dom}")
                } else {
                    format!("delete-{dom}")
                });
                editing.set(false);
                confirming.set(false);
                errors.set(vec![]);
            }
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            state.set(input.value());
        })
    };

    let price = if *editing {
        let min_error = error_for(&errors, "minPriceCents");
        let max_error = error_for(&errors, "maxPriceCents");
        let rest = other_errors(&errors, &["minPriceCents", "maxPriceCents"]);
        html! {
            <form class="price-edit" onsubmit={save}>
                <div class="row">
                    <label class="mini">
                        <span>{ ctx.t("svc_from") }</span>
                        <input id={format!("min-{dom}")} inputmode="decimal" value={(*min).clone()}
                            oninput={set(&min)} aria-invalid={min_error.as_ref().map(|_| "true")} />
                    </label>
                    <label class="mini">
                        <span>{ ctx.t("svc_to") }</span>
                        <input id={format!("max-{dom}")} inputmode="decimal" value={(*max).clone()}
                            oninput={set(&max)} aria-invalid={max_error.as_ref().map(|_| "true")} />
                    </label>
                    <span aria-hidden="true">{ "€" }</span>
                </div>
                <p class="hint">{ ctx.t("svc_fixed_hint") }</p>
                { for min_error.iter().chain(max_error.iter()).chain(rest.iter()).map(|m| html! {
                    <p class="error" role="alert">{ m.clone() }</p>
                }) }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy}>{ ctx.t("save") }</button>
                    <button type="button" onclick={stop}>{ ctx.t("cancel") }</button>
                </div>
            </form>
        }
    } else {
        html! {
            <>
                <strong class="price">{ euros(row.min, row.max) }</strong>
                if row.min == row.max {
                    <span class="muted small">{ " " }{ ctx.t("svc_fixed") }</span>
                }
                if row.vehicle_classes > 0 {
                    <div class="muted small">
                        { format!("{} {}", row.vehicle_classes, ctx.t("svc_vehicle_classes")) }
                    </div>
                }
            </>
        }
    };

    html! {
        <tr class={classes!((!row.active).then_some("inactive"))} {onkeydown}>
            <td data-label={ctx.t("svc_name")}>
                <strong>{ row.name.clone() }</strong>
                if !row.description.is_empty() {
                    <div class="muted small clamp">{ row.description.clone() }</div>
                }
            </td>
            <td data-label={ctx.t("svc_category")}>{ row.category.clone() }</td>
            <td data-label={ctx.t("svc_price")}>{ price }</td>
            <td data-label={ctx.t("svc_duration")}>{ duration_text(&ctx, row.duration) }</td>
            <td data-label={ctx.t("svc_active")}>
                <label class="switch">
                    <input type="checkbox" role="switch" checked={row.active} onchange={toggle}
                        aria-label={format!("{}: {}", row.name, ctx.t("svc_active"))} />
                    <span>{ if row.active { ctx.t("svc_on") } else { ctx.t("svc_off") } }</span>
                </label>
            </td>
            <td class="actions">
                if *confirming {
                    <div class="confirm" role="group" aria-label={ctx.t("svc_delete_question")}>
                        <span>{ ctx.t("svc_delete_question") }</span>
                        <button type="button" class="danger" id={format!("delete-yes-{dom}")}
                            onclick={delete} disabled={*busy}>{ ctx.t("svc_delete_yes") }</button>
                        <button type="button" onclick={dont}>{ ctx.t("cancel") }</button>
                    </div>
                } else {
                    if !*editing {
                        <button type="button" id={format!("edit-{dom}")} onclick={edit}
                            aria-label={format!("{}: {}", row.name, ctx.t("svc_edit_price"))}>{ ctx.t("svc_edit_price") }</button>
                    }
                    <button type="button" class="danger" id={format!("delete-{dom}")} onclick={ask}
                        aria-label={format!("{}: {}", row.name, ctx.t("svc_delete"))}>{ ctx.t("svc_delete") }</button>
                }
            </td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct AddProps {
    categories: Vec<Category>,
    /// The category filtered for, if any: the likely one for the new service.
    preselected: String,
    on_close: Callback<()>,
    on_created: Callback<()>,
}

#[function_component(AddService)]
fn add_service(props: &AddProps) -> Html {
    let ctx = use_ctx();
    let category = use_state(|| {
        if props.preselected.is_empty() {
            props
                .categories
                .first()
                .map(|c| c.id.clone())
                .unwrap_or_default()
        } else {
            props.preselected.clone()
        }
    });
    let name = use_state(String::new);
    let description = use_state(String::new);
    let min = use_state(String::new);
    let max = use_state(String::new);
    let duration = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    use_effect_with((), |_| focus_id("field-new-service-name"));
    // The categories may arrive after the panel opened.
    {
        let category = category.clone();
        use_effect_with(props.categories.clone(), move |categories| {
            if category.is_empty()
                && let Some(first) = categories.first()
            {
                category.set(first.id.clone());
            }
        });
    }

    let onsubmit = {
        let (ctx, category, name, description, min, max, duration, errors, busy) = (
            ctx.clone(),
            category.clone(),
            name.clone(),
            description.clone(),
            min.clone(),
            max.clone(),
            duration.clone(),
            errors.clone(),
            busy.clone(),
        );
        let (on_close, on_created) = (props.on_close.clone(), props.on_created.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let mut found = Vec::new();
            let amounts = prices(&ctx, &min, &max).map_err(|e| found.extend(e)).ok();
            let minutes = match duration.trim() {
                "" => None,
                text => match text.parse::<i64>() {
                    Ok(m) if m > 0 => Some(m),
                    _ => {
                        found.push((
                            "durationMinutes".to_owned(),
                            ctx.t("svc_duration_invalid").to_owned(),
                        ));
                        None
                    }
                },
            };
            if category.is_empty() {
                found.push((
                    "categoryId".to_owned(),
                    ctx.t("svc_category_missing").to_owned(),
                ));
            }
            let Some((low, high)) = amounts.filter(|_| found.is_empty()) else {
                let first = [
                    "categoryId",
                    "minPriceCents",
                    "maxPriceCents",
                    "durationMinutes",
                ]
                .into_iter()
                .find(|path| found.iter().any(|(p, _)| p == path));
                focus_id(match first {
                    Some("categoryId") => "field-new-service-category",
                    Some("maxPriceCents") => "field-new-service-max",
                    Some("durationMinutes") => "field-new-service-duration",
                    _ => "field-new-service-min",
                });
                return errors.set(found);
            };
            let input = api::create_service::CreateServiceInput {
                category_id: (*category).clone(),
                name: (*name).clone(),
                description: (*description).clone(),
                min_price_cents: low,
                max_price_cents: high,
                vehicle_prices: vec![],
                duration_minutes: minutes,
                aliases: vec![],
                active: true,
            };
            let (ctx, errors, busy, on_close, on_created) = (
                ctx.clone(),
                errors.clone(),
                busy.clone(),
                on_close.clone(),
                on_created.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::CreateService>(
                    ctx.token().as_deref(),
                    api::create_service::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.create_service;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match payload.service.filter(|_| found.is_empty()) {
                            Some(service) => {
                                ctx.notify.emit(format!(
                                    "{}: {}",
                                    ctx.t("svc_created"),
                                    service.name
                                ));
                                on_created.emit(());
                                on_close.emit(());
                            }
                            None => {
                                let first = [
                                    ("categoryId", "field-new-service-category"),
                                    ("name", "field-new-service-name"),
                                    ("description", "field-new-service-description"),
                                    ("minPriceCents", "field-new-service-min"),
                                    ("maxPriceCents", "field-new-service-max"),
                                    ("durationMinutes", "field-new-service-duration"),
                                ]
                                .into_iter()
                                .find(|(path, _)| found.iter().any(|(p, _)| p == path));
                                if let Some((_, id)) = first {
                                    focus_id(id);
                                }
                                errors.set(found);
                            }
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_close.emit(());
            }
        })
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let on_category = {
        let category = category.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            category.set(select.value());
        })
    };
    let category_error = error_for(&errors, "categoryId");
    let rest = other_errors(
        &errors,
        &[
            "categoryId",
            "name",
            "description",
            "minPriceCents",
            "maxPriceCents",
            "durationMinutes",
        ],
    );
    html! {
        <form id="add-service-panel" class="card stack panel" {onsubmit} {onkeydown}
            role="region" aria-labelledby="add-service-title" novalidate=true>
            <h2 id="add-service-title">{ ctx.t("svc_add") }</h2>
            <div class="field">
                <label for="field-new-service-category">{ ctx.t("svc_category") }</label>
                <select id="field-new-service-category" onchange={on_category}
                    aria-invalid={category_error.as_ref().map(|_| "true")}>
                    { for props.categories.iter().map(|c| html! {
                        <option value={c.id.clone()} selected={*category == c.id}>{ c.name.clone() }</option>
                    }) }
                </select>
                if let Some(error) = category_error {
                    <p class="error">{ error }</p>
                }
            </div>
            <Field label={ctx.t("svc_name")} name="new-service-name" value={(*name).clone()}
                oninput={set(&name)} error={error_for(&errors, "name")} required=true />
            <Area label={ctx.t("svc_description")} name="new-service-description"
                value={(*description).clone()} oninput={set(&description)}
                error={error_for(&errors, "description")} />
            <div class="three">
                <Field label={ctx.t("svc_min_price")} name="new-service-min" value={(*min).clone()}
                    oninput={set(&min)} error={error_for(&errors, "minPriceCents")} required=true />
                <Field label={ctx.t("svc_max_price")} name="new-service-max" value={(*max).clone()}
                    oninput={set(&max)} error={error_for(&errors, "maxPriceCents")} />
                <Field label={ctx.t("svc_duration_minutes")} name="new-service-duration" kind="number"
                    value={(*duration).clone()} oninput={set(&duration)}
                    error={error_for(&errors, "durationMinutes")} />
            </div>
            <p class="hint">{ ctx.t("svc_price_hint") }</p>
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t("save") }</button>
                <button type="button" onclick={cancel}>{ ctx.t("cancel") }</button>
            </div>
        </form>
    }
}

/// The outcome of a check (dry run): rows that would be imported and the refused ones.
#[derive(Clone, Debug, PartialEq)]
struct Checked {
    valid: i64,
    errors: Vec<(i64, String)>,
}

#[derive(Properties, PartialEq)]
struct ImportProps {
    on_close: Callback<()>,
    on_imported: Callback<()>,
}

#[function_component(ImportPanel)]
fn import_panel(props: &ImportProps) -> Html {
    let ctx = use_ctx();
    let csv = use_state(String::new);
    let checked = use_state(|| None::<Checked>);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    use_effect_with((), |_| focus_id("field-import-csv"));

    // `dry_run`: check only; `all_or_nothing`: one bad row stops the import.
    let run = {
        let (ctx, csv, checked, errors, busy) = (
            ctx.clone(),
            csv.clone(),
            checked.clone(),
            errors.clone(),
            busy.clone(),
        );
        let (on_close, on_imported) = (props.on_close.clone(), props.on_imported.clone());
        move |dry_run: bool, all_or_nothing: bool| {
            let (ctx, csv, checked, errors, busy, on_close, on_imported) = (
                ctx.clone(),
                csv.clone(),
                checked.clone(),
                errors.clone(),
                busy.clone(),
                on_close.clone(),
                on_imported.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                let (ctx, text, checked, errors, busy, on_close, on_imported) = (
                    ctx.clone(),
                    (*csv).clone(),
                    checked.clone(),
                    errors.clone(),
                    busy.clone(),
                    on_close.clone(),
                    on_imported.clone(),
                );
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::run::<api::ImportServices>(
                        ctx.token().as_deref(),
                        api::import_services::Variables {
                            csv: text,
                            dry_run: Some(dry_run),
                            all_or_nothing: Some(all_or_nothing),
                        },
                    )
                    .await;
                    busy.set(false);
                    let payload = match result {
                        Ok(data) => data.import_services,
                        Err(error) => return ctx.fail(error),
                    };
                    let found =
                        error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                    if !found.is_empty() {
                        checked.set(None);
                        errors.set(found);
                        focus_id("field-import-csv");
                        return;
                    }
                    errors.set(vec![]);
                    let rows: Vec<(i64, String)> = payload
                        .errors
                        .into_iter()
                        .map(|e| (e.line, e.message))
                        .collect();
                    if dry_run || (payload.imported == 0 && !rows.is_empty()) {
                        checked.set(Some(Checked {
                            valid: payload.imported,
                            errors: rows,
                        }));
                        focus_id("import-result");
                    } else {
                        ctx.notify
                            .emit(format!("{}: {}", ctx.t("svc_imported"), payload.imported));
                        on_imported.emit(());
                        on_close.emit(());
                    }
                });
            })
        }
    };
    let on_text = {
        let (csv, checked) = (csv.clone(), checked.clone());
        Callback::from(move |value: String| {
            csv.set(value);
            checked.set(None);
        })
    };
    let on_file = {
        let (ctx, csv, checked, errors) =
            (ctx.clone(), csv.clone(), checked.clone(), errors.clone());
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let file = js_sys::Reflect::get(&input, &"files".into())
                .ok()
                .and_then(|files| js_sys::Reflect::get(&files, &0.into()).ok())
                .and_then(|file| file.dyn_into::<web_sys::Blob>().ok());
            let Some(file) = file else {
                return;
            };
            if file.size() > MAX_CSV_BYTES {
                errors.set(vec![("csv".into(), ctx.t("svc_file_too_big").into())]);
                return;
            }
            let (csv, checked, errors) = (csv.clone(), checked.clone(), errors.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(text) = JsFuture::from(file.text()).await {
                    csv.set(text.as_string().unwrap_or_default());
                    checked.set(None);
                    errors.set(vec![]);
                }
            });
        })
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_close.emit(());
            }
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let empty = csv.trim().is_empty();
    let result = checked.as_ref().map(|c| {
        html! {
            <div id="import-result" class="stack" tabindex="-1" role="status">
                <p>
                    <strong>{ format!("{}: {}", ctx.t("svc_rows_ok"), c.valid) }</strong>
                    if !c.errors.is_empty() {
                        { format!(" · {}: {}", ctx.t("svc_rows_bad"), c.errors.len()) }
                    }
                </p>
                if !c.errors.is_empty() {
                    <div class="scroll">
                        <table class="import-errors">
                            <thead><tr>
                                <th scope="col">{ ctx.t("wg_line") }</th>
                                <th scope="col">{ ctx.t("error") }</th>
                            </tr></thead>
                            <tbody>
                                { for c.errors.iter().map(|(line, message)| html! {
                                    <tr><td>{ line }</td><td>{ message.clone() }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </div>
        }
    });
    let ready = checked.as_ref().filter(|c| c.valid > 0).cloned();
    html! {
        <section class="card stack panel" role="region" aria-labelledby="import-title" {onkeydown}>
            <h2 id="import-title">{ ctx.t("svc_import") }</h2>
            <p class="hint">
                { ctx.t("svc_import_hint") }{ " " }
                <code class="wrap">{ "category,name,aliases,description,min_cents,max_cents,duration_minutes,vehicle_prices,active" }</code>
            </p>
            <div class="field">
                <label for="import-file">{ ctx.t("svc_import_file") }</label>
                <input id="import-file" type="file" accept=".csv,text/csv,text/plain" onchange={on_file} />
            </div>
            <Area label={ctx.t("svc_import_text")} name="import-csv" rows={8u32} value={(*csv).clone()}
                oninput={on_text} error={error_for(&errors, "csv")} />
            { for other_errors(&errors, &["csv"]).iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
            { for result }
            <div class="row">
                <button type="button" class={classes!(ready.is_none().then_some("primary"))}
                    onclick={run(true, false)} disabled={*busy || empty}>{ ctx.t("svc_check") }</button>
                if let Some(c) = &ready {
                    if c.errors.is_empty() {
                        <button type="button" class="primary" onclick={run(false, true)} disabled={*busy}>
                            { format!("{} ({})", ctx.t("svc_import_now"), c.valid) }
                        </button>
                    } else {
                        <button type="button" class="primary" onclick={run(false, false)} disabled={*busy}>
                            { format!("{} ({})", ctx.t("svc_import_valid_only"), c.valid) }
                        </button>
                    }
                }
                <button type="button" onclick={close}>{ ctx.t("pg_close") }</button>
            </div>
        </section>
    }
}
