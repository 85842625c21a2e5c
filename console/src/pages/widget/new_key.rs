//! A new client key: its label and allowed origins, within the plan's number of keys.

use yew::prelude::*;

use super::origins::{origin_errors, origin_lines, own_origin};
use crate::api::{self, ApiError};
use crate::components::field::{Area, Field};
use crate::components::link::PlanLink;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub(super) struct NewKeyProps {
    pub(super) at_limit: bool,
    pub(super) on_created: Callback<()>,
}

#[function_component(NewKey)]
pub(super) fn new_key(props: &NewKeyProps) -> Html {
    let ctx = use_ctx();
    let label = use_state(String::new);
    let origins = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let sent = use_state(Vec::<(usize, String)>::new);
    let refused = use_state(|| None::<String>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, label, origins, errors, sent, refused, busy, on_created) = (
            ctx.clone(),
            label.clone(),
            origins.clone(),
            errors.clone(),
            sent.clone(),
            refused.clone(),
            busy.clone(),
            props.on_created.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let lines = origin_lines(&origins);
            let input = api::create_client_key::CreateClientKeyInput {
                label: (*label).clone(),
                allowed_origins: lines.iter().map(|(_, o)| o.clone()).collect(),
            };
            sent.set(lines);
            let (ctx, label, origins, errors, refused, busy, on_created) = (
                ctx.clone(),
                label.clone(),
                origins.clone(),
                errors.clone(),
                refused.clone(),
                busy.clone(),
                on_created.clone(),
            );
            busy.set(true);
            refused.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::CreateClientKey>(
                    ctx.token().as_deref(),
                    api::create_client_key::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.create_client_key;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        if payload.client_key.is_some() && found.is_empty() {
                            errors.set(vec![]);
                            label.set(String::new());
                            origins.set(String::new());
                            ctx.notify.emit(ctx.t(Key::WgCreatedNotice).to_owned());
                            on_created.emit(());
                        } else {
                            if found.iter().any(|(p, _)| p == "label") {
                                focus_id("field-new-key-label");
                            } else {
                                focus_id("field-new-key-origins");
                            }
                            errors.set(found);
                        }
                    }
                    // Beyond the plan's keys (PLAN_LIMIT_REACHED) or a network failure.
                    Err(ApiError::Message(message)) => refused.set(Some(message)),
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let add_own = {
        let origins = origins.clone();
        Callback::from(move |_| {
            let own = own_origin();
            if !origin_lines(&origins).iter().any(|(_, o)| *o == own) {
                let mut text = (*origins).trim_end().to_owned();
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&own);
                origins.set(text);
            }
        })
    };
    let other = other_errors(&errors, &["label", "allowedOrigins"]);
    html! {
        <form class="card stack new-key" {onsubmit} aria-labelledby="new-key-title">
            <h3 id="new-key-title">{ ctx.t(Key::WgNewKeyTitle) }</h3>
            if props.at_limit {
                <div class="callout warn">
                    <p>{ ctx.t(Key::WgLimitReached) }{ " " }<PlanLink /></p>
                </div>
            }
            <Field label={ctx.t(Key::WgLabel)} name="new-key-label" value={(*label).clone()}
                oninput={{ let s = label.clone(); Callback::from(move |v| s.set(v)) }}
                error={error_for(&errors, "label")} required=true />
            <Area label={ctx.t(Key::WgOrigins)} name="new-key-origins" rows={3u32} value={(*origins).clone()}
                oninput={{ let s = origins.clone(); Callback::from(move |v| s.set(v)) }}
                hint={ctx.t(Key::WgOriginsHint)} error={origin_errors(&ctx, &errors, &sent)} />
            <div>
                <button type="button" class="link" onclick={add_own}>
                    { format!("{} ({})", ctx.t(Key::WgAddConsole), own_origin()) }
                </button>
            </div>
            { for other.iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
            if let Some(message) = refused.as_ref().filter(|_| !props.at_limit) {
                <div class="callout bad" role="alert">
                    <p>{ message.clone() }{ " " }<PlanLink /></p>
                </div>
            }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::WgCreate) }</button>
            </div>
        </form>
    }
}
