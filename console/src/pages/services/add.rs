//! The "+" panel: a new service with its category, name, description, price and duration.

use yew::prelude::*;

use super::list::Category;
use super::prices::prices;
use crate::api;
use crate::components::field::{Area, Field};
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub(super) struct AddProps {
    pub(super) categories: Vec<Category>,
    /// The category filtered for, if any: the likely one for the new service.
    pub(super) preselected: String,
    pub(super) on_close: Callback<()>,
    pub(super) on_created: Callback<()>,
}

#[function_component(AddService)]
pub(super) fn add_service(props: &AddProps) -> Html {
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
                            ctx.t(Key::SvcDurationInvalid).to_owned(),
                        ));
                        None
                    }
                },
            };
            if category.is_empty() {
                found.push((
                    "categoryId".to_owned(),
                    ctx.t(Key::SvcCategoryMissing).to_owned(),
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
                                    ctx.t(Key::SvcCreated),
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
            <h2 id="add-service-title">{ ctx.t(Key::SvcAdd) }</h2>
            <div class="field">
                <label for="field-new-service-category">{ ctx.t(Key::SvcCategory) }</label>
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
            <Field label={ctx.t(Key::SvcName)} name="new-service-name" value={(*name).clone()}
                oninput={set(&name)} error={error_for(&errors, "name")} required=true />
            <Area label={ctx.t(Key::SvcDescription)} name="new-service-description"
                value={(*description).clone()} oninput={set(&description)}
                error={error_for(&errors, "description")} />
            <div class="three">
                <Field label={ctx.t(Key::SvcMinPrice)} name="new-service-min" value={(*min).clone()}
                    oninput={set(&min)} error={error_for(&errors, "minPriceCents")} required=true />
                <Field label={ctx.t(Key::SvcMaxPrice)} name="new-service-max" value={(*max).clone()}
                    oninput={set(&max)} error={error_for(&errors, "maxPriceCents")} />
                <Field label={ctx.t(Key::SvcDurationMinutes)} name="new-service-duration" kind="number"
                    value={(*duration).clone()} oninput={set(&duration)}
                    error={error_for(&errors, "durationMinutes")} />
            </div>
            <p class="hint">{ ctx.t(Key::SvcPriceHint) }</p>
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::Save) }</button>
                <button type="button" onclick={cancel}>{ ctx.t(Key::Cancel) }</button>
            </div>
        </form>
    }
}
