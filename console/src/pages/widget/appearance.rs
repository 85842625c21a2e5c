//! The widget's appearance: greeting, position, brand colour and consent text.

use yew::prelude::*;

use super::Look;
use crate::api;
use crate::components::color_field::ColorField;
use crate::components::field::Area;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub(super) struct AppearanceProps {
    pub(super) look: Look,
    pub(super) on_saved: Callback<()>,
}

#[function_component(Appearance)]
pub(super) fn appearance(props: &AppearanceProps) -> Html {
    let ctx = use_ctx();
    let greeting = use_state(|| props.look.greeting.clone());
    let bottom_left = use_state(|| props.look.bottom_left);
    let consent = use_state(|| props.look.consent.clone());
    let colour = use_state(|| props.look.colour.clone());
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, greeting, bottom_left, consent, colour, errors, busy, on_saved) = (
            ctx.clone(),
            greeting.clone(),
            bottom_left.clone(),
            consent.clone(),
            colour.clone(),
            errors.clone(),
            busy.clone(),
            props.on_saved.clone(),
        );
        let stored_colour = props.look.colour.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            use api::update_widget_settings::{UpdateWidgetSettingsInput, WidgetPosition};
            let input = UpdateWidgetSettingsInput {
                greeting: Some((*greeting).clone()),
                position: Some(if *bottom_left {
                    WidgetPosition::BOTTOM_LEFT
                } else {
                    WidgetPosition::BOTTOM_RIGHT
                }),
                consent_text: Some((*consent).clone()),
            };
            let new_colour = (*colour != stored_colour).then(|| (*colour).trim().to_owned());
            let (ctx, errors, busy, on_saved) =
                (ctx.clone(), errors.clone(), busy.clone(), on_saved.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let token = ctx.token();
                let mut found = Vec::new();
                if let Some(brand_color) = new_colour {
                    match api::run::<api::UpdateBrandColor>(
                        token.as_deref(),
                        api::update_brand_color::Variables {
                            brand_color: Some(brand_color),
                        },
                    )
                    .await
                    {
                        Ok(data) => found.extend(error_paths(
                            data.update_workshop
                                .user_errors
                                .iter()
                                .map(|e| (&e.field, &e.message)),
                        )),
                        Err(error) => {
                            busy.set(false);
                            return ctx.fail(error);
                        }
                    }
                    // A refused colour stops here: nothing else is saved half-way.
                    if !found.is_empty() {
                        busy.set(false);
                        focus_id("field-brandColor");
                        return errors.set(found);
                    }
                }
                match api::run::<api::UpdateWidgetSettings>(
                    token.as_deref(),
                    api::update_widget_settings::Variables { input },
                )
                .await
                {
                    Ok(data) => found.extend(error_paths(
                        data.update_widget_settings
                            .user_errors
                            .iter()
                            .map(|e| (&e.field, &e.message)),
                    )),
                    Err(error) => {
                        busy.set(false);
                        return ctx.fail(error);
                    }
                }
                busy.set(false);
                if found.is_empty() {
                    errors.set(vec![]);
                    ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                    on_saved.emit(());
                } else {
                    let first = ["greeting", "consentText"]
                        .into_iter()
                        .find(|name| found.iter().any(|(path, _)| path == name));
                    focus_id(&format!("field-{}", first.unwrap_or("greeting")));
                    errors.set(found);
                }
            });
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let position = |left: bool| {
        let bottom_left = bottom_left.clone();
        Callback::from(move |_| bottom_left.set(left))
    };
    let other = other_errors(
        &errors,
        &["greeting", "consentText", "brandColor", "position"],
    );
    html! {
        <form class="card stack" {onsubmit} aria-label={ctx.t(Key::WgLook)}>
            <Area label={ctx.t(Key::WgGreeting)} name="greeting" value={(*greeting).clone()}
                oninput={set(&greeting)} error={error_for(&errors, "greeting")}
                hint={ctx.t(Key::WgDefaultHint)} maxlength={300u32} />
            <fieldset class="choices">
                <legend>{ ctx.t(Key::WgPosition) }</legend>
                <label class="check">
                    <input type="radio" name="position" checked={!*bottom_left} onchange={position(false)} />
                    { ctx.t(Key::WgBottomRight) }
                </label>
                <label class="check">
                    <input type="radio" name="position" checked={*bottom_left} onchange={position(true)} />
                    { ctx.t(Key::WgBottomLeft) }
                </label>
            </fieldset>
            <ColorField label={ctx.t(Key::WgColour)} name="brandColor" value={(*colour).clone()}
                oninput={set(&colour)} error={error_for(&errors, "brandColor")} />
            <Area label={ctx.t(Key::WgConsent)} name="consentText" value={(*consent).clone()} rows={4u32}
                oninput={set(&consent)} error={error_for(&errors, "consentText")}
                hint={ctx.t(Key::WgDefaultHint)} maxlength={1000u32} />
            { for other.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>
                    { if *busy { ctx.t(Key::PgSaving) } else { ctx.t(Key::Save) } }
                </button>
            </div>
        </form>
    }
}
