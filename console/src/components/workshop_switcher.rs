//! The workshop in the header: its name, a switch between the user's locations when there is
//! more than one, and for owners a way to add a location (Enterprise).

use yew::prelude::*;
use yew_router::prelude::use_route;

use crate::api;
use crate::components::field::Field;
use crate::components::link::PlanLink;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::navigate::use_navigate;
use crate::hooks::switch_workshop::switch_to;
use crate::i18n::Key;
use crate::route::Route;
use crate::session::current_viewer;

#[function_component(WorkshopSwitcher)]
pub fn workshop_switcher() -> Html {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let route = use_route::<Route>().unwrap_or_default();
    let busy = use_state(|| false);
    let adding = use_state(|| false);
    // Following a link out of the form (to the plans) closes it.
    {
        let adding = adding.clone();
        use_effect_with(route.clone(), move |_| adding.set(false));
    }
    let Some(session) = ctx.session.clone() else {
        return html! {};
    };

    let on_switch = {
        let (ctx, busy, current) = (ctx.clone(), busy.clone(), session.workshop_id.clone());
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let wanted = select.value();
            if wanted == current {
                return;
            }
            let (ctx, busy, navigate, route) =
                (ctx.clone(), busy.clone(), navigate.clone(), route.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let switched = switch_to(&ctx, wanted).await;
                busy.set(false);
                // A lead belongs to one workshop: the list of the new one instead.
                if switched && matches!(route, Route::Lead { .. }) {
                    navigate.emit(Route::Leads);
                }
            });
        })
    };
    let toggle = {
        let adding = adding.clone();
        Callback::from(move |_| {
            let open = !*adding;
            adding.set(open);
            focus_id(if open {
                "field-location-name"
            } else {
                "new-location"
            });
        })
    };
    let close = {
        let adding = adding.clone();
        Callback::from(move |()| {
            adding.set(false);
            focus_id("new-location");
        })
    };

    html! {
        <div class="workshop-switcher">
            if session.memberships.len() > 1 {
                <label for="workshop-switch" class="visually-hidden">{ ctx.t(Key::LocSwitch) }</label>
                <select id="workshop-switch" onchange={on_switch} disabled={*busy}
                    aria-busy={busy.then_some("true")}>
                    { for session.memberships.iter().map(|m| html! {
                        <option value={m.workshop_id.clone()} selected={m.workshop_id == session.workshop_id}>
                            { m.workshop.clone() }
                        </option>
                    }) }
                </select>
            } else {
                <span class="workshop" id="workshop-name">{ session.workshop.clone() }</span>
            }
            if session.is_owner() {
                <button type="button" class="link" id="new-location" onclick={toggle}
                    aria-expanded={adding.to_string()} aria-controls="new-location-panel">
                    <span aria-hidden="true">{ "+ " }</span>{ ctx.t(Key::LocNew) }
                </button>
            }
            if *adding {
                <NewLocation on_close={close} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NewLocationProps {
    on_close: Callback<()>,
}

/// Whether the plan includes several locations, and its name (to explain a refusal).
#[derive(Clone, PartialEq)]
struct PlanInfo {
    allows: bool,
    name: String,
}

#[function_component(NewLocation)]
fn new_location(props: &NewLocationProps) -> Html {
    let ctx = use_ctx();
    let name = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let refused = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let plan = use_state(|| None::<PlanInfo>);

    {
        let (ctx, plan) = (ctx.clone(), plan.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::LocationPlan>(
                    ctx.token().as_deref(),
                    api::location_plan::Variables {},
                )
                .await;
                if let Ok(data) = result {
                    plan.set(Some(PlanInfo {
                        allows: data.workshop.plan.limits.multi_location
                            && !matches!(
                                data.workshop.plan_status,
                                api::location_plan::PlanStatus::INACTIVE
                                    | api::location_plan::PlanStatus::CANCELED
                            ),
                        name: data.workshop.plan.name,
                    }));
                }
            });
        });
    }

    let onsubmit = {
        let (ctx, name, errors, refused, busy, on_close) = (
            ctx.clone(),
            name.clone(),
            errors.clone(),
            refused.clone(),
            busy.clone(),
            props.on_close.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, errors, refused, busy, on_close) = (
                ctx.clone(),
                errors.clone(),
                refused.clone(),
                busy.clone(),
                on_close.clone(),
            );
            let wanted = (*name).trim().to_owned();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::CreateLocation>(
                    ctx.token().as_deref(),
                    api::create_location::Variables { name: wanted },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.create_location;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match payload.workshop.filter(|_| found.is_empty()) {
                            Some(workshop) => {
                                ctx.notify.emit(format!(
                                    "{} {}",
                                    ctx.t(Key::LocCreated),
                                    workshop.name
                                ));
                                // The switcher lists it from the viewer's memberships.
                                match current_viewer(ctx.token().as_deref()).await {
                                    Ok(viewer) => {
                                        if let Some(session) = ctx.session.clone() {
                                            ctx.set_session.emit(Some(session.with_viewer(viewer)));
                                        }
                                    }
                                    Err(error) => ctx.fail(error),
                                }
                                on_close.emit(());
                            }
                            None => {
                                errors.set(found);
                                focus_id("field-location-name");
                            }
                        }
                    }
                    // PLAN_LIMIT_REACHED (several locations are Enterprise's) or a network
                    // failure: shown in the form, with the way to the plans.
                    Err(api::ApiError::Message(message)) => refused.set(Some(message)),
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let rest = other_errors(&errors, &["name"]);
    let plan_refuses = plan.as_ref().is_some_and(|p| !p.allows);
    html! {
        <div class="card panel location-panel" id="new-location-panel" role="dialog"
            aria-labelledby="new-location-title" {onkeydown}>
            <h2 id="new-location-title">{ ctx.t(Key::LocNewTitle) }</h2>
            <p class="hint">{ ctx.t(Key::LocNewHint) }</p>
            if plan_refuses {
                <div class="callout warn" role="alert" id="location-plan-limit">
                    <p>
                        { ctx.t(Key::LocPlanLimit) }{ " " }
                        { format!("{} {}.", ctx.t(Key::TokYourPlan), plan.as_ref().map(|p| p.name.clone()).unwrap_or_default()) }
                    </p>
                    <p><PlanLink /></p>
                </div>
            }
            <form class="stack" {onsubmit} novalidate=true>
                <Field label={ctx.t(Key::LocName)} name="location-name" value={(*name).clone()}
                    oninput={{ let name = name.clone(); Callback::from(move |v| name.set(v)) }}
                    error={error_for(&errors, "name")} required=true />
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                if let Some(message) = &*refused {
                    <div class="callout bad" role="alert">
                        <p>{ message.clone() }</p>
                    </div>
                }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::LocCreate) }</button>
                    <button type="button" onclick={cancel}>{ ctx.t(Key::Cancel) }</button>
                </div>
            </form>
        </div>
    }
}
