//! The service catalog: categories and services with their prices; "+" adds a service, each row
//! edits its price and active flag in place; CSV import (checked first) and export; the
//! standard German catalog. Staff read the catalog; changing it is for owners.

mod add;
mod import;
mod list;
mod prices;
mod row;

use yew::prelude::*;

use add::AddService;
use import::ImportPanel;
use list::{Catalog, Category, List, ListAction, Row, fetch};
use row::ServiceItem;

use crate::api::{self, ApiError};
use crate::components::link::PlanLink;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

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
                        && !matches!(
                            data.workshop.plan_status,
                            api::categories::PlanStatus::INACTIVE
                                | api::categories::PlanStatus::CANCELED
                        ),
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
                                api::download(
                                    ctx.t(Key::SvcExportFile),
                                    &csv,
                                    "text/csv;charset=utf-8",
                                );
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
                            ctx.notify.emit(ctx.t(Key::SvcInstalledNone).to_owned());
                        } else {
                            ctx.notify.emit(format!(
                                "{}: {}",
                                ctx.t(Key::SvcInstalled),
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
    let owner = ctx.is_owner();

    let body = if let Some(message) = list.error.clone().filter(|_| !list.loaded) {
        failed_view(&ctx, &message, reload.reform(|_| ()))
    } else if !list.loaded {
        loading_view(&ctx)
    } else if list.rows.is_empty() && !filtered {
        html! {
            <div class="empty stack">
                <p>{ ctx.t(Key::SvcEmpty) }</p>
                if owner {
                    <div><button class="primary" type="button" onclick={install.clone()} disabled={*busy}>
                        { ctx.t(Key::SvcInstall) }
                    </button></div>
                }
            </div>
        }
    } else if list.rows.is_empty() {
        html! { <div class="empty">{ ctx.t(Key::SvcNoneFound) }</div> }
    } else {
        html! {
            <>
                <table class="services-table" aria-busy={list.loading.then_some("true")}>
                    <caption class="muted">
                        { format!("{} {}", list.total, ctx.t(Key::SvcCount)) }
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{ ctx.t(Key::SvcName) }</th>
                            <th scope="col">{ ctx.t(Key::SvcCategory) }</th>
                            <th scope="col">{ ctx.t(Key::SvcPrice) }</th>
                            <th scope="col">{ ctx.t(Key::SvcDuration) }</th>
                            <th scope="col">{ ctx.t(Key::SvcActive) }</th>
                            <th scope="col"><span class="visually-hidden">{ ctx.t(Key::SvcActions) }</span></th>
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
                            { if list.loading { ctx.t(Key::Loading) } else { ctx.t(Key::SvcMore) } }
                        </button>
                    </div>
                }
            </>
        }
    };

    html! {
        <section class="services stack">
            <div class="page-head">
                <h1>{ ctx.t(Key::Services) }</h1>
                if owner {
                    <button id="add-service" class="primary" type="button" onclick={open(Panel::Add)}
                        aria-expanded={(*panel == Panel::Add).to_string()} aria-controls="add-service-panel">
                        <span aria-hidden="true">{ "+ " }</span>{ ctx.t(Key::SvcAdd) }
                    </button>
                }
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
                    <label for="svc-category">{ ctx.t(Key::SvcCategory) }</label>
                    <select id="svc-category" onchange={on_category}>
                        <option value="" selected={category.is_empty()}>{ ctx.t(Key::All) }</option>
                        { for categories.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={*category == c.id}>{ c.name.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field grow">
                    <label for="svc-search">{ ctx.t(Key::Search) }</label>
                    <input id="svc-search" type="search" value={(*search).clone()} oninput={on_search}
                        placeholder={ctx.t(Key::SvcSearchPlaceholder)} autocomplete="off" />
                </div>
            </div>
            <div class="row">
                if owner {
                    <button type="button" id="import-services" onclick={open(Panel::Import)}
                        aria-expanded={(*panel == Panel::Import).to_string()}>{ ctx.t(Key::SvcImport) }</button>
                }
                <button type="button" onclick={export} disabled={*busy}>{ ctx.t(Key::SvcExport) }</button>
                if owner {
                    <button type="button" onclick={install} disabled={*busy}>{ ctx.t(Key::SvcInstall) }</button>
                }
            </div>
            if let Some(message) = &*export_refused {
                <div class="callout warn" role="alert">
                    <p>{ message.clone() }{ " " }<PlanLink /></p>
                </div>
            }
            if *panel == Panel::Import {
                <ImportPanel on_close={close("import-services")} on_imported={reload_all.clone()} />
            }
            { body }
        </section>
    }
}
