//! One client key: its usage, allowed origins (edited in place), the embed code, and revoke. A
//! key the plan pauses (more keys than it allows) says so, and that an upgrade brings it back.

use yew::prelude::*;

use super::ClientKey;
use super::origins::{origin_errors, origin_lines, snippet};
use crate::api;
use crate::components::confirm::{Confirm, ConfirmLook};
use crate::components::copy_button::CopyButton;
use crate::components::dates::date;
use crate::components::field::Area;
use crate::components::link::PlanLink;
use crate::components::user_errors::{error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub(super) struct KeyProps {
    pub(super) item: ClientKey,
    pub(super) on_changed: Callback<()>,
}

#[function_component(KeyCard)]
pub(super) fn key_card(props: &KeyProps) -> Html {
    let ctx = use_ctx();
    let editing = use_state(|| false);
    let origins_text = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let sent = use_state(Vec::<(usize, String)>::new);
    let busy = use_state(|| false);
    let key = &props.item;
    let dom = key.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("revoke-{dom}"));

    {
        let dom = dom.clone();
        use_effect_with((*confirming, *editing), move |(confirming, editing)| {
            if *confirming {
                focus_id(&format!("revoke-yes-{dom}"));
            } else if *editing {
                focus_id(&format!("field-origins-{dom}"));
            }
        });
    }

    let revoke = {
        let (ctx, id, busy, confirming, on_changed) = (
            ctx.clone(),
            key.id.clone(),
            busy.clone(),
            confirming.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |_| {
            let (ctx, id, busy, confirming, on_changed) = (
                ctx.clone(),
                id.clone(),
                busy.clone(),
                confirming.clone(),
                on_changed.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::RevokeClientKey>(
                        api::revoke_client_key::Variables { id },
                        |d| {
                            d.revoke_client_key
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                confirming.set(false);
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::WgRevokedNotice).to_owned());
                    on_changed.emit(());
                }
            });
        })
    };
    let edit = {
        let (editing, origins_text, errors, origins) = (
            editing.clone(),
            origins_text.clone(),
            errors.clone(),
            key.origins.clone(),
        );
        Callback::from(move |_| {
            origins_text.set(origins.join("\n"));
            errors.set(vec![]);
            editing.set(true);
        })
    };
    let stop_editing = {
        let (editing, dom) = (editing.clone(), dom.clone());
        Callback::from(move |_| {
            editing.set(false);
            focus_id(&format!("edit-{dom}"));
        })
    };
    let save_origins = {
        let (ctx, id, busy, editing, origins_text, errors, sent, on_changed, dom) = (
            ctx.clone(),
            key.id.clone(),
            busy.clone(),
            editing.clone(),
            origins_text.clone(),
            errors.clone(),
            sent.clone(),
            props.on_changed.clone(),
            dom.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let lines = origin_lines(&origins_text);
            let allowed_origins = lines.iter().map(|(_, o)| o.clone()).collect();
            sent.set(lines);
            let (ctx, id, busy, editing, errors, on_changed, dom) = (
                ctx.clone(),
                id.clone(),
                busy.clone(),
                editing.clone(),
                errors.clone(),
                on_changed.clone(),
                dom.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateClientKey>(
                    ctx.token().as_deref(),
                    api::update_client_key::Variables {
                        input: api::update_client_key::UpdateClientKeyInput {
                            id,
                            label: None,
                            allowed_origins: Some(allowed_origins),
                        },
                    },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let found = error_paths(
                            data.update_client_key
                                .user_errors
                                .iter()
                                .map(|e| (&e.field, &e.message)),
                        );
                        if found.is_empty() {
                            editing.set(false);
                            ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                            on_changed.emit(());
                            focus_id(&format!("edit-{dom}"));
                        } else {
                            errors.set(found);
                            focus_id(&format!("field-origins-{dom}"));
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let onkeydown = {
        let (editing, confirming, dom) = (editing.clone(), confirming.clone(), dom.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && (*editing || *confirming) {
                focus_id(&if *editing {
                    format!("edit-{dom}")
                } else {
                    format!("revoke-{dom}")
                });
                editing.set(false);
                confirming.set(false);
            }
        })
    };

    let paused = key.active && key.paused;
    let (badge_class, badge) = if !key.active {
        ("off", ctx.t(Key::WgRevoked))
    } else if paused {
        ("paused", ctx.t(Key::WgPaused))
    } else {
        ("on", ctx.t(Key::WgActive))
    };
    let code = snippet(&key.key, &key.script);
    let other = other_errors(&errors, &["allowedOrigins"]);
    html! {
        <article class={classes!("card", "key", (!key.active).then_some("revoked"), paused.then_some("paused"))} {onkeydown}
            aria-labelledby={format!("key-{dom}")}>
            <header class="row">
                <h3 id={format!("key-{dom}")}>{ key.label.clone() }</h3>
                <span class={classes!("badge", badge_class)} id={format!("key-status-{dom}")}>{ badge }</span>
            </header>
            if paused {
                <div class="callout warn paused-hint" id={format!("key-paused-{dom}")}>
                    <p>{ ctx.t(Key::WgPausedHint) }{ " " }<PlanLink /></p>
                </div>
            }
            <p class="mono">{ key.key.clone() }</p>
            <dl class="usage">
                <div><dt>{ ctx.t(Key::WgConversations) }</dt><dd>{ key.conversations }</dd></div>
                <div><dt>{ ctx.t(Key::WgMessages) }</dt><dd>{ key.messages }</dd></div>
                <div><dt>{ ctx.t(Key::Leads) }</dt><dd>{ key.leads }</dd></div>
            </dl>
            <p class="muted small">
                { format!("{} {}", ctx.t(Key::WgCreated), date(ctx.lang, &key.created_at)) }
                { key.revoked_at.as_deref().map(|at| format!(" · {} {}", ctx.t(Key::WgRevokedAt), date(ctx.lang, at))).unwrap_or_default() }
            </p>
            if *editing {
                <form class="stack" onsubmit={save_origins}>
                    <Area label={ctx.t(Key::WgOrigins)} name={format!("origins-{dom}")} rows={4u32}
                        value={(*origins_text).clone()}
                        oninput={{ let t = origins_text.clone(); Callback::from(move |v| t.set(v)) }}
                        hint={ctx.t(Key::WgOriginsHint)}
                        error={origin_errors(&ctx, &errors, &sent)} />
                    { for other.iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
                    <div class="row">
                        <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::Save) }</button>
                        <button type="button" onclick={stop_editing}>{ ctx.t(Key::Cancel) }</button>
                    </div>
                </form>
            } else {
                <div>
                    <h4 class="small-title">{ ctx.t(Key::WgOrigins) }</h4>
                    <ul class="origins">
                        { for key.origins.iter().map(|o| html! { <li class="mono">{ o.clone() }</li> }) }
                    </ul>
                </div>
            }
            if key.active {
                <div class="stack">
                    <h4 class="small-title">{ ctx.t(Key::WgSnippet) }</h4>
                    <pre class="snippet">{ code.clone() }</pre>
                    <div class="row">
                        <CopyButton text={code} label={AttrValue::from(ctx.t(Key::WgCopySnippet))} />
                        if !*editing {
                            <button type="button" id={format!("edit-{dom}")} onclick={edit}>{ ctx.t(Key::WgEditOrigins) }</button>
                        }
                        if !*confirming {
                            <button type="button" class="danger" id={format!("revoke-{dom}")} onclick={ask}>{ ctx.t(Key::WgRevoke) }</button>
                        }
                    </div>
                    if *confirming {
                        <Confirm question={ctx.t(Key::WgRevokeQuestion)} yes={ctx.t(Key::WgRevokeYes)}
                            yes_id={format!("revoke-yes-{dom}")} busy={*busy} on_yes={revoke} on_cancel={dont}
                            look={ConfirmLook::Callout { question_id: format!("revoke-q-{dom}").into() }} />
                    }
                </div>
            }
        </article>
    }
}
