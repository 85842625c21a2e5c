//! One service in the table: its price edited in place, its active switch, and delete (for
//! owners; staff read them).

use yew::prelude::*;

use super::list::Row;
use super::prices::{amount_text, duration_text, prices};
use crate::api;
use crate::components::confirm::Confirm;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::{Key, euros};

#[derive(Properties, PartialEq)]
pub(super) struct ItemProps {
    pub(super) row: Row,
    pub(super) on_update: Callback<Row>,
    pub(super) on_remove: Callback<String>,
}

#[function_component(ServiceItem)]
pub(super) fn service_item(props: &ItemProps) -> Html {
    let ctx = use_ctx();
    let editing = use_state(|| false);
    let min = use_state(String::new);
    let max = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let row = &props.row;
    let owner = ctx.is_owner();
    let dom = row.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("delete-{dom}"));

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
    let lang = ctx.lang;
    let edit = {
        let (editing, min, max, errors, row) = (
            editing.clone(),
            min.clone(),
            max.clone(),
            errors.clone(),
            row.clone(),
        );
        Callback::from(move |_| {
            min.set(amount_text(lang, row.min));
            max.set(amount_text(lang, row.max));
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
                    ctx.notify.emit(ctx.t(Key::SvcDeleted).to_owned());
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
                        <span>{ ctx.t(Key::SvcFrom) }</span>
                        <input id={format!("min-{dom}")} inputmode="decimal" value={(*min).clone()}
                            oninput={set(&min)} aria-invalid={min_error.as_ref().map(|_| "true")} />
                    </label>
                    <label class="mini">
                        <span>{ ctx.t(Key::SvcTo) }</span>
                        <input id={format!("max-{dom}")} inputmode="decimal" value={(*max).clone()}
                            oninput={set(&max)} aria-invalid={max_error.as_ref().map(|_| "true")} />
                    </label>
                    <span aria-hidden="true">{ "€" }</span>
                </div>
                <p class="hint">{ ctx.t(Key::SvcFixedHint) }</p>
                { for min_error.iter().chain(max_error.iter()).chain(rest.iter()).map(|m| html! {
                    <p class="error" role="alert">{ m.clone() }</p>
                }) }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::Save) }</button>
                    <button type="button" onclick={stop}>{ ctx.t(Key::Cancel) }</button>
                </div>
            </form>
        }
    } else {
        html! {
            <>
                <strong class="price">{ euros(ctx.lang, row.min, row.max) }</strong>
                if row.min == row.max {
                    <span class="muted small">{ " " }{ ctx.t(Key::SvcFixed) }</span>
                }
                if row.vehicle_classes > 0 {
                    <div class="muted small">
                        { format!("{} {}", row.vehicle_classes, ctx.t(Key::SvcVehicleClasses)) }
                    </div>
                }
            </>
        }
    };

    html! {
        <tr class={classes!((!row.active).then_some("inactive"))} {onkeydown}>
            <td data-label={ctx.t(Key::SvcName)}>
                <strong>{ row.name.clone() }</strong>
                if !row.description.is_empty() {
                    <div class="muted small clamp">{ row.description.clone() }</div>
                }
            </td>
            <td data-label={ctx.t(Key::SvcCategory)}>{ row.category.clone() }</td>
            <td data-label={ctx.t(Key::SvcPrice)}>{ price }</td>
            <td data-label={ctx.t(Key::SvcDuration)}>{ duration_text(&ctx, row.duration) }</td>
            <td data-label={ctx.t(Key::SvcActive)}>
                if owner {
                    <label class="switch">
                        <input type="checkbox" role="switch" checked={row.active} onchange={toggle}
                            aria-label={format!("{}: {}", row.name, ctx.t(Key::SvcActive))} />
                        <span>{ if row.active { ctx.t(Key::SvcOn) } else { ctx.t(Key::SvcOff) } }</span>
                    </label>
                } else {
                    <span class={classes!("badge", if row.active { "on" } else { "off" })}>
                        { if row.active { ctx.t(Key::SvcOn) } else { ctx.t(Key::SvcOff) } }
                    </span>
                }
            </td>
            <td class="actions">
                if owner {
                    if *confirming {
                        <Confirm question={ctx.t(Key::SvcDeleteQuestion)} yes={ctx.t(Key::SvcDeleteYes)}
                            yes_id={format!("delete-yes-{dom}")} busy={*busy} on_yes={delete} on_cancel={dont} />
                    } else {
                        if !*editing {
                            <button type="button" id={format!("edit-{dom}")} onclick={edit}
                                aria-label={format!("{}: {}", row.name, ctx.t(Key::SvcEditPrice))}>{ ctx.t(Key::SvcEditPrice) }</button>
                        }
                        <button type="button" class="danger" id={format!("delete-{dom}")} onclick={ask}
                            aria-label={format!("{}: {}", row.name, ctx.t(Key::SvcDelete))}>{ ctx.t(Key::SvcDelete) }</button>
                    }
                }
            </td>
        </tr>
    }
}
