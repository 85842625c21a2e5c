//! The widget: client keys (usage, allowed origins, the embed snippet, revoke), a new key, the
//! widget's appearance, and a live preview of the real widget in a frame.

mod appearance;
mod key_card;
mod new_key;
mod origins;
mod preview;

use yew::prelude::*;

use appearance::Appearance;
use key_card::KeyCard;
use new_key::NewKey;
use origins::{allows, own_origin};
use preview::Preview;

use crate::api;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::use_ctx;
use crate::i18n::Key;

#[derive(Clone, Debug, PartialEq)]
struct ClientKey {
    id: String,
    key: String,
    label: String,
    origins: Vec<String>,
    active: bool,
    /// Paused because the plan allows fewer keys; back on upgrade.
    paused: bool,
    revoked_at: Option<String>,
    created_at: String,
    conversations: i64,
    messages: i64,
    leads: i64,
    /// This release's widget script and its integrity hash, for the embed code.
    script: (String, String),
}

impl ClientKey {
    fn working(&self) -> bool {
        self.active && !self.paused
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Keys {
    keys: Vec<ClientKey>,
    plan: String,
    /// Active keys the plan allows; `None`: unlimited.
    limit: Option<i64>,
}

impl Keys {
    /// Keys that work: not revoked, not paused by the plan.
    fn active(&self) -> usize {
        self.keys.iter().filter(|k| k.working()).count()
    }

    fn paused(&self) -> usize {
        self.keys.iter().filter(|k| k.active && k.paused).count()
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
                    let script = (data.widget_script.url, data.widget_script.integrity);
                    let mut list = Keys {
                        keys: data
                            .client_keys
                            .edges
                            .into_iter()
                            .map(|edge| {
                                let k = edge.node;
                                ClientKey {
                                    id: k.id,
                                    key: k.key,
                                    label: k.label,
                                    origins: k.allowed_origins,
                                    active: k.active,
                                    paused: k.paused_by_plan,
                                    revoked_at: k.revoked_at,
                                    created_at: k.created_at,
                                    conversations: k.usage.conversations,
                                    messages: k.usage.messages,
                                    leads: k.usage.leads,
                                    script: script.clone(),
                                }
                            })
                            .collect(),
                        plan: data.workshop.plan.name,
                        limit: data.workshop.plan.limits.client_keys,
                    };
                    // Working keys first, then paused, then revoked (newest first within each).
                    list.keys.sort_by_key(|k| (!k.active, k.paused));
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
                    { format!("{}: {}", ctx.t(Key::WgActiveKeys), list.active()) }
                    { match list.limit {
                        Some(limit) => format!(" / {limit} ({} {})", ctx.t(Key::PlanWord), list.plan),
                        None => format!(" ({} {}, {})", ctx.t(Key::PlanWord), list.plan, ctx.t(Key::PgUnlimited)),
                    } }
                    if list.paused() > 0 {
                        { format!(" · {} {}", list.paused(), ctx.t(Key::WgPausedCount)) }
                    }
                </p>
                if list.keys.is_empty() {
                    <div class="empty">{ ctx.t(Key::WgNoKeys) }</div>
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
            let working = list.keys.iter().filter(|k| k.working());
            Some(
                working
                    .clone()
                    .find(|k| allows(&k.origins, &origin))
                    .or_else(|| list.keys.iter().find(|k| k.working()))
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
                    <h3>{ ctx.t(Key::WgPreview) }</h3>
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
            <h1>{ ctx.t(Key::Widget) }</h1>
            <section class="stack" aria-labelledby="keys-title">
                <h2 id="keys-title">{ ctx.t(Key::WgKeys) }</h2>
                <p class="hint">{ ctx.t(Key::WgKeysHint) }</p>
                { keys_section }
            </section>
            <section class="stack" aria-labelledby="look-title">
                <h2 id="look-title">{ ctx.t(Key::WgLook) }</h2>
                { look_section }
            </section>
        </section>
    }
}
