//! The widget: client keys (usage, allowed origins, the embed snippet, revoke), a new key, the
//! widget's appearance, and a live preview of the real widget in a frame.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::settings::{
    Area, ColorField, Load, error_paths, failed_view, focus_id, loading_view, other_errors,
    own_origin,
};
use crate::api::{self, ApiError};
use crate::ui::{Field, error_for};
use crate::{Ctx, Route, use_ctx};

#[derive(Clone, Debug, PartialEq)]
struct Key {
    id: String,
    key: String,
    label: String,
    origins: Vec<String>,
    active: bool,
    revoked_at: Option<String>,
    created_at: String,
    conversations: i64,
    messages: i64,
    leads: i64,
}

#[derive(Clone, Debug, PartialEq)]
struct Keys {
    keys: Vec<Key>,
    plan: String,
    /// Active keys the plan allows; `None`: unlimited.
    limit: Option<i64>,
}

impl Keys {
    fn active(&self) -> usize {
        self.keys.iter().filter(|k| k.active).count()
    }

    fn at_limit(&self) -> bool {
        self.limit
            .is_some_and(|limit| self.active() as i64 >= limit)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Look {
    greeting: String,
    bottom_left: bool,
    consent: String,
    /// The workshop's brand colour as stored (empty: the default).
    colour: String,
    workshop: String,
}

/// The line a workshop puts on its website.
fn snippet(key: &str) -> String {
    format!(
        r#"<script src="{}/widget.js" data-client-key="{key}" async></script>"#,
        own_origin()
    )
}

/// Whether `origin` may use a key with these allowed origins (as the server decides it).
fn allows(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    allowed.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.split_once("://*.") {
            Some((scheme, domain)) => origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"))
                .is_some_and(|host| {
                    host.strip_suffix(domain)
                        .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
                }),
            None => origin == pattern,
        }
    })
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The origins typed one per line: `(line number, origin)` of the non-empty lines.
fn origin_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// The errors about the origins sent as `lines`, each with its line number.
fn origin_errors(
    ctx: &Ctx,
    errors: &[(String, String)],
    lines: &[(usize, String)],
) -> Option<String> {
    let messages: Vec<String> = errors
        .iter()
        .filter_map(|(path, message)| {
            if path == "allowedOrigins" {
                return Some(message.clone());
            }
            let index: usize = path.strip_prefix("allowedOrigins.")?.parse().ok()?;
            Some(match lines.get(index) {
                Some((line, origin)) => {
                    format!("{} {line} ({origin}): {message}", ctx.t("wg_line"))
                }
                None => message.clone(),
            })
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join("\n"))
}

/// Copies text to the clipboard; `false` where the browser does not allow it.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    available
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
}

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: AttrValue,
    /// What is copied, for screen readers ("Code kopieren").
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

/// A button that copies `text` and says so ("Kopiert") for a moment.
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyProps) -> Html {
    let ctx = use_ctx();
    let outcome = use_state(|| None::<bool>);
    let onclick = {
        let (outcome, text) = (outcome.clone(), props.text.clone());
        Callback::from(move |_| {
            let outcome = outcome.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(copy_text(&text).await));
                let outcome = outcome.clone();
                gloo_timers::callback::Timeout::new(2_500, move || outcome.set(None)).forget();
            });
        })
    };
    html! {
        <span class="copy">
            <button type="button" {onclick}>
                { props.label.clone().unwrap_or_else(|| ctx.t("pg_copy").into()) }
            </button>
            <span role="status" aria-live="polite" class={classes!("copied", (*outcome == Some(false)).then_some("error"))}>
                { match *outcome {
                    Some(true) => ctx.t("pg_copied"),
                    Some(false) => ctx.t("pg_copy_failed"),
                    None => "",
                } }
            </span>
        </span>
    }
}

fn plan_link(ctx: &Ctx) -> Html {
    let navigate = ctx.navigate.clone();
    let onclick = Callback::from(move |event: MouseEvent| {
        event.prevent_default();
        navigate.emit(Route::Plan);
    });
    html! { <a href={Route::Plan.path()} {onclick}>{ ctx.t("plan_see") }</a> }
}

#[function_component(WidgetPage)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let keys = use_state(|| Load::<Keys>::Loading);
    let keys_version = use_state(|| 0u32);
    let look = use_state(|| Load::<Look>::Loading);
    let look_version = use_state(|| 0u32);
    let preview_version = use_state(|| 0u32);

    {
        let (ctx, keys) = (ctx.clone(), keys.clone());
        use_effect_with(*keys_version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::ClientKeys>(
                    ctx.token().as_deref(),
                    api::client_keys::Variables {},
                )
                .await
                .map(|data| {
                    let mut list = Keys {
                        keys: data
                            .client_keys
                            .edges
                            .into_iter()
                            .map(|edge| {
                                let k = edge.node;
                                Key {
                                    id: k.id,
                                    key: k.key,
                                    label: k.label,
                                    origins: k.allowed_origins,
                                    active: k.active,
                                    revoked_at: k.revoked_at,
                                    created_at: k.created_at,
                                    conversations: k.usage.conversations,
                                    messages: k.usage.messages,
                                    leads: k.usage.leads,
                                }
                            })
                            .collect(),
                        plan: data.workshop.plan.name,
                        limit: data.workshop.plan.limits.client_keys,
                    };
                    // Active keys first (newest first within each group).
                    list.keys.sort_by_key(|k| !k.active);
                    list
                });
                keys.set(Load::from_result(&ctx, result));
            });
        });
    }
    {
        let (ctx, look) = (ctx.clone(), look.clone());
        use_effect_with(*look_version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::WidgetSettings>(
                    ctx.token().as_deref(),
                    api::widget_settings::Variables {},
                )
                .await
                .map(|data| {
                    let w = data.widget_settings;
                    Look {
                        greeting: w.greeting,
                        bottom_left: w.position
                            == api::widget_settings::WidgetPosition::BOTTOM_LEFT,
                        consent: w.consent_text,
                        colour: data.workshop.brand_color.unwrap_or_default(),
                        workshop: w.workshop_name,
                    }
                });
                look.set(Load::from_result(&ctx, result));
            });
        });
    }

    let reload_keys = {
        let keys_version = keys_version.clone();
        Callback::from(move |()| keys_version.set(*keys_version + 1))
    };
    let on_saved = {
        let (look_version, preview_version) = (look_version.clone(), preview_version.clone());
        Callback::from(move |()| {
            look_version.set(*look_version + 1);
            preview_version.set(*preview_version + 1);
        })
    };

    let keys_section = match &*keys {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, reload_keys.reform(|_| ())),
        Load::Ready(list) => html! {
            <>
                <p class="muted">
                    { format!("{}: {}", ctx.t("wg_active_keys"), list.active()) }
                    { match list.limit {
                        Some(limit) => format!(" / {limit} ({} {})", ctx.t("plan_word"), list.plan),
                        None => format!(" ({} {}, {})", ctx.t("plan_word"), list.plan, ctx.t("pg_unlimited")),
                    } }
                </p>
                if list.keys.is_empty() {
                    <div class="empty">{ ctx.t("wg_no_keys") }</div>
                } else {
                    <div class="keys">
                        { for list.keys.iter().map(|key| html! {
                            <KeyCard key={key.id.clone()} item={key.clone()} on_changed={reload_keys.clone()} />
                        }) }
                    </div>
                }
                <NewKey at_limit={list.at_limit()} on_created={reload_keys.clone()} />
            </>
        },
    };

    let preview_key = match &*keys {
        Load::Ready(list) => {
            let origin = own_origin();
            let active = list.keys.iter().filter(|k| k.active);
            Some(
                active
                    .clone()
                    .find(|k| allows(&k.origins, &origin))
                    .or_else(|| list.keys.iter().find(|k| k.active))
                    .cloned(),
            )
        }
        _ => None,
    };

    let look_section = match &*look {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(
            &ctx,
            message,
            Callback::from({
                let look_version = look_version.clone();
                move |_| look_version.set(*look_version + 1)
            }),
        ),
        Load::Ready(current) => html! {
            <div class="look">
                <Appearance look={current.clone()} on_saved={on_saved.clone()} />
                <div class="stack">
                    <h3>{ ctx.t("wg_preview") }</h3>
                    { match &preview_key {
                        None => loading_view(&ctx),
                        Some(key) => html! {
                            <Preview item={key.clone()} workshop={current.workshop.clone()}
                                version={*preview_version} on_changed={reload_keys.clone()} />
                        },
                    } }
                </div>
            </div>
        },
    };

    html! {
        <section class="widget-page stack">
            <h1>{ ctx.t("widget") }</h1>
            <section class="stack" aria-labelledby="keys-title">
                <h2 id="keys-title">{ ctx.t("wg_keys") }</h2>
                <p class="hint">{ ctx.t("wg_keys_hint") }</p>
                { keys_section }
            </section>
            <section class="stack" aria-labelledby="look-title">
                <h2 id="look-title">{ ctx.t("wg_look") }</h2>
                { look_section }
            </section>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct KeyProps {
    item: Key,
    on_changed: Callback<()>,
}

#[function_component(KeyCard)]
fn key_card(props: &KeyProps) -> Html {
    let ctx = use_ctx();
    let confirming = use_state(|| false);
    let editing = use_state(|| false);
    let origins_text = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let sent = use_state(Vec::<(usize, String)>::new);
    let busy = use_state(|| false);
    let key = &props.item;
    let dom = key.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");

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

    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let dont = {
        let (confirming, dom) = (confirming.clone(), dom.clone());
        Callback::from(move |_| {
            confirming.set(false);
            focus_id(&format!("revoke-{dom}"));
        })
    };
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
                    ctx.notify.emit(ctx.t("wg_revoked_notice").to_owned());
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
                            ctx.notify.emit(ctx.t("pg_saved").to_owned());
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

    let code = snippet(&key.key);
    let other = other_errors(&errors, &["allowedOrigins"]);
    html! {
        <article class={classes!("card", "key", (!key.active).then_some("revoked"))} {onkeydown}
            aria-labelledby={format!("key-{dom}")}>
            <header class="row">
                <h3 id={format!("key-{dom}")}>{ key.label.clone() }</h3>
                <span class={classes!("badge", if key.active { "on" } else { "off" })}>
                    { if key.active { ctx.t("wg_active") } else { ctx.t("wg_revoked") } }
                </span>
            </header>
            <p class="mono">{ key.key.clone() }</p>
            <dl class="usage">
                <div><dt>{ ctx.t("wg_conversations") }</dt><dd>{ key.conversations }</dd></div>
                <div><dt>{ ctx.t("wg_messages") }</dt><dd>{ key.messages }</dd></div>
                <div><dt>{ ctx.t("leads") }</dt><dd>{ key.leads }</dd></div>
            </dl>
            <p class="muted small">
                { format!("{} {}", ctx.t("wg_created"), super::settings::date_de(&key.created_at)) }
                { key.revoked_at.as_deref().map(|at| format!(" · {} {}", ctx.t("wg_revoked_at"), super::settings::date_de(at))).unwrap_or_default() }
            </p>
            if *editing {
                <form class="stack" onsubmit={save_origins}>
                    <Area label={ctx.t("wg_origins")} name={format!("origins-{dom}")} rows={4u32}
                        value={(*origins_text).clone()}
                        oninput={{ let t = origins_text.clone(); Callback::from(move |v| t.set(v)) }}
                        hint={ctx.t("wg_origins_hint")}
                        error={origin_errors(&ctx, &errors, &sent)} />
                    { for other.iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
                    <div class="row">
                        <button class="primary" type="submit" disabled={*busy}>{ ctx.t("save") }</button>
                        <button type="button" onclick={stop_editing}>{ ctx.t("cancel") }</button>
                    </div>
                </form>
            } else {
                <div>
                    <h4 class="small-title">{ ctx.t("wg_origins") }</h4>
                    <ul class="origins">
                        { for key.origins.iter().map(|o| html! { <li class="mono">{ o.clone() }</li> }) }
                    </ul>
                </div>
            }
            if key.active {
                <div class="stack">
                    <h4 class="small-title">{ ctx.t("wg_snippet") }</h4>
                    <pre class="snippet">{ code.clone() }</pre>
                    <div class="row">
                        <CopyButton text={code} label={AttrValue::from(ctx.t("wg_copy_snippet"))} />
                        if !*editing {
                            <button type="button" id={format!("edit-{dom}")} onclick={edit}>{ ctx.t("wg_edit_origins") }</button>
                        }
                        if !*confirming {
                            <button type="button" class="danger" id={format!("revoke-{dom}")} onclick={ask}>{ ctx.t("wg_revoke") }</button>
                        }
                    </div>
                    if *confirming {
                        <div class="callout bad" role="alertdialog" aria-labelledby={format!("revoke-q-{dom}")}>
                            <p id={format!("revoke-q-{dom}")}>{ ctx.t("wg_revoke_question") }</p>
                            <div class="row">
                                <button type="button" class="danger" id={format!("revoke-yes-{dom}")}
                                    onclick={revoke} disabled={*busy}>{ ctx.t("wg_revoke_yes") }</button>
                                <button type="button" onclick={dont}>{ ctx.t("cancel") }</button>
                            </div>
                        </div>
                    }
                </div>
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct NewKeyProps {
    at_limit: bool,
    on_created: Callback<()>,
}

#[function_component(NewKey)]
fn new_key(props: &NewKeyProps) -> Html {
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
                            ctx.notify.emit(ctx.t("wg_created_notice").to_owned());
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
            <h3 id="new-key-title">{ ctx.t("wg_new_key") }</h3>
            if props.at_limit {
                <div class="callout warn">
                    <p>{ ctx.t("wg_limit_reached") }{ " " }{ plan_link(&ctx) }</p>
                </div>
            }
            <Field label={ctx.t("wg_label")} name="new-key-label" value={(*label).clone()}
                oninput={{ let s = label.clone(); Callback::from(move |v| s.set(v)) }}
                error={error_for(&errors, "label")} required=true />
            <Area label={ctx.t("wg_origins")} name="new-key-origins" rows={3u32} value={(*origins).clone()}
                oninput={{ let s = origins.clone(); Callback::from(move |v| s.set(v)) }}
                hint={ctx.t("wg_origins_hint")} error={origin_errors(&ctx, &errors, &sent)} />
            <div>
                <button type="button" class="link" onclick={add_own}>
                    { format!("{} ({})", ctx.t("wg_add_console"), own_origin()) }
                </button>
            </div>
            { for other.iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
            if let Some(message) = refused.as_ref().filter(|_| !props.at_limit) {
                <div class="callout bad" role="alert">
                    <p>{ message.clone() }{ " " }{ plan_link(&ctx) }</p>
                </div>
            }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t("wg_create") }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct AppearanceProps {
    look: Look,
    on_saved: Callback<()>,
}

#[function_component(Appearance)]
fn appearance(props: &AppearanceProps) -> Html {
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
                    ctx.notify.emit(ctx.t("pg_saved").to_owned());
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
        <form class="card stack" {onsubmit} aria-label={ctx.t("wg_look")}>
            <Area label={ctx.t("wg_greeting")} name="greeting" value={(*greeting).clone()}
                oninput={set(&greeting)} error={error_for(&errors, "greeting")}
                hint={ctx.t("wg_default_hint")} maxlength={300u32} />
            <fieldset class="choices">
                <legend>{ ctx.t("wg_position") }</legend>
                <label class="check">
                    <input type="radio" name="position" checked={!*bottom_left} onchange={position(false)} />
                    { ctx.t("wg_bottom_right") }
                </label>
                <label class="check">
                    <input type="radio" name="position" checked={*bottom_left} onchange={position(true)} />
                    { ctx.t("wg_bottom_left") }
                </label>
            </fieldset>
            <ColorField label={ctx.t("wg_colour")} name="brandColor" value={(*colour).clone()}
                oninput={set(&colour)} error={error_for(&errors, "brandColor")} />
            <Area label={ctx.t("wg_consent")} name="consentText" value={(*consent).clone()} rows={4u32}
                oninput={set(&consent)} error={error_for(&errors, "consentText")}
                hint={ctx.t("wg_default_hint")} maxlength={1000u32} />
            { for other.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>
                    { if *busy { ctx.t("pg_saving") } else { ctx.t("save") } }
                </button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct PreviewProps {
    /// The first active key (one that allows this console, where there is one).
    item: Option<Key>,
    workshop: String,
    /// Changes after each save, to load the widget again.
    version: u32,
    on_changed: Callback<()>,
}

/// The real widget on a sample page: a frame whose document embeds the snippet. The frame
/// shares the console's origin, so the key must allow it.
#[function_component(Preview)]
fn preview(props: &PreviewProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let origin = own_origin();
    let Some(key) = props.item.clone() else {
        return html! { <div class="empty">{ ctx.t("wg_preview_no_key") }</div> };
    };
    if !allows(&key.origins, &origin) {
        let allow = {
            let (ctx, busy, problem, on_changed, origin) = (
                ctx.clone(),
                busy.clone(),
                problem.clone(),
                props.on_changed.clone(),
                origin.clone(),
            );
            let key = key.clone();
            Callback::from(move |_| {
                let (ctx, busy, problem, on_changed) = (
                    ctx.clone(),
                    busy.clone(),
                    problem.clone(),
                    on_changed.clone(),
                );
                let mut origins = key.origins.clone();
                origins.push(origin.clone());
                let id = key.id.clone();
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::run::<api::UpdateClientKey>(
                        ctx.token().as_deref(),
                        api::update_client_key::Variables {
                            input: api::update_client_key::UpdateClientKeyInput {
                                id,
                                label: None,
                                allowed_origins: Some(origins),
                            },
                        },
                    )
                    .await;
                    busy.set(false);
                    match result {
                        Ok(data) => match data.update_client_key.user_errors.first() {
                            Some(error) => problem.set(Some(error.message.clone())),
                            None => {
                                problem.set(None);
                                on_changed.emit(());
                            }
                        },
                        Err(error) => ctx.fail(error),
                    }
                });
            })
        };
        return html! {
            <div class="callout warn">
                <p>
                    { ctx.t("wg_preview_origin_1") }{ " " }<span class="mono">{ origin.clone() }</span>{ " " }
                    { ctx.t("wg_preview_origin_2") }{ " „" }{ key.label.clone() }{ "“." }
                </p>
                <button type="button" class="primary" onclick={allow} disabled={*busy}>
                    { format!("{} {}", ctx.t("wg_preview_allow"), origin) }
                </button>
                if let Some(message) = &*problem {
                    <p class="error" role="alert">{ message.clone() }</p>
                }
            </div>
        };
    }
    let document = format!(
        concat!(
            "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>{title}</title></head><body>",
            "<h1>{workshop}</h1><p>{text}</p>",
            "<script src=\"{origin}/widget.js\" data-client-key=\"{key}\" async></script>",
            "</body></html>"
        ),
        title = escape_html(ctx.t("wg_preview")),
        workshop = escape_html(&props.workshop),
        text = escape_html(ctx.t("wg_preview_page")),
        origin = escape_html(&origin),
        key = escape_html(&key.key),
    );
    html! {
        <div class="stack">
            <iframe key={props.version.to_string()} class="preview" srcdoc={document}
                title={ctx.t("wg_preview")} />
            <p class="hint">
                { format!("{} „{}“. {}", ctx.t("wg_preview_key"), key.label, ctx.t("wg_preview_real")) }
            </p>
        </div>
    }
}
