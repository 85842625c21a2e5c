//! Webhooks for integrators (Enterprise): add an endpoint (URL, description, event types; its
//! `whsec_…` secret is shown once), pause or resume it, roll its secret (shown once; the old one
//! signs for another 24 hours), send a test, delete it, and read its delivery log with the
//! receiver's response codes, redelivering what failed.

use std::rc::Rc;

use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::confirm::{Confirm, ConfirmLook};
use crate::components::copy_button::CopyButton;
use crate::components::dates::date_time;
use crate::components::field::Field;
use crate::components::link::PlanLink;
use crate::components::load::{Load, failed_view, loading_view};
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::{Ctx, use_ctx};
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::Key;

use api::webhook_deliveries::WebhookDeliveryStatus as Status;
use api::webhook_endpoints::WebhookDisabledReason;

#[derive(Clone, Debug, PartialEq)]
struct Endpoint {
    id: String,
    url: String,
    description: String,
    event_types: Vec<String>,
    active: bool,
    disabled: Option<Key>,
    failing_since: Option<String>,
    previous_secret_until: Option<String>,
    created_at: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Setup {
    endpoints: Vec<Endpoint>,
    event_types: Vec<String>,
    /// False when the plan (or its status) leaves webhooks out.
    allowed: bool,
    plan: String,
}

/// A secret to show once: `(endpoint URL, whsec_…)`.
type Secret = Option<(String, String)>;

/// The DOM id part of a GraphQL id.
fn dom_id(id: &str) -> String {
    id.replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

#[function_component(Webhooks)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let setup = use_state(|| Load::<Setup>::Loading);
    let version = use_state(|| 0u32);
    let secret = use_state(|| None::<(String, String)>);

    {
        let (ctx, setup) = (ctx.clone(), setup.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::WebhookEndpoints>(
                    ctx.token().as_deref(),
                    api::webhook_endpoints::Variables {},
                )
                .await
                .map(|data| Setup {
                    endpoints: data
                        .webhook_endpoints
                        .into_iter()
                        .map(|e| Endpoint {
                            id: e.id,
                            url: e.url,
                            description: e.description,
                            event_types: e.event_types,
                            active: e.active,
                            disabled: e.disabled_reason.map(|r| match r {
                                WebhookDisabledReason::GONE => Key::WhGone,
                                _ => Key::WhFailing,
                            }),
                            failing_since: e.failing_since,
                            previous_secret_until: e.previous_secret_expires_at,
                            created_at: e.created_at,
                        })
                        .collect(),
                    event_types: data.webhook_event_types,
                    allowed: data.workshop.plan.limits.webhooks
                        && !matches!(
                            data.workshop.plan_status,
                            api::webhook_endpoints::PlanStatus::INACTIVE
                                | api::webhook_endpoints::PlanStatus::CANCELED
                        ),
                    plan: data.workshop.plan.name,
                });
                setup.set(Load::from_result(&ctx, result));
            });
        });
    }
    use_effect_with(secret.is_some(), |shown| {
        if *shown {
            focus_id("webhook-secret");
        }
    });

    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let on_secret = {
        let (secret, reload) = (secret.clone(), reload.clone());
        Callback::from(move |shown: (String, String)| {
            secret.set(Some(shown));
            reload.emit(());
        })
    };
    let dismiss = {
        let secret = secret.clone();
        Callback::from(move |_| {
            secret.set(None);
            focus_id("field-webhook-url");
        })
    };

    let body = match &*setup {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, reload.reform(|_| ())),
        Load::Ready(setup) => html! {
            <>
                if !setup.allowed {
                    <div class="callout warn" role="note">
                        <p><strong>{ ctx.t(Key::WhEnterprise) }</strong></p>
                        <p>{ format!("{} {}. ", ctx.t(Key::TokYourPlan), setup.plan) }<PlanLink /></p>
                    </div>
                }
                { secret_callout(&ctx, &secret, dismiss) }
                <NewEndpoint allowed={setup.allowed} event_types={setup.event_types.clone()}
                    on_created={on_secret.clone()} />
                <h2>{ ctx.t(Key::WhList) }</h2>
                if setup.endpoints.is_empty() {
                    <div class="empty">{ ctx.t(Key::WhEmpty) }</div>
                } else {
                    <ul class="webhook-list stack plain">
                        { for setup.endpoints.iter().map(|e| html! {
                            <EndpointCard key={e.id.clone()} item={e.clone()}
                                on_changed={reload.clone()} on_secret={on_secret.clone()} />
                        }) }
                    </ul>
                }
            </>
        },
    };

    html! {
        <section class="webhooks stack">
            <h1>{ ctx.t(Key::Webhooks) }</h1>
            <p class="hint">{ ctx.t(Key::WhIntro) }</p>
            { body }
        </section>
    }
}

fn secret_callout(
    ctx: &Ctx,
    secret: &UseStateHandle<Secret>,
    dismiss: Callback<MouseEvent>,
) -> Html {
    let Some((url, value)) = &**secret else {
        return html! {};
    };
    html! {
        <div class="callout secret stack" id="webhook-secret" tabindex="-1" role="alert">
            <p><strong>{ format!("{} {url}", ctx.t(Key::WhSecretTitle)) }</strong></p>
            <pre class="snippet">{ value.clone() }</pre>
            <p>{ ctx.t(Key::WhSecretOnce) }</p>
            <div class="row">
                <CopyButton text={value.clone()} label={AttrValue::from(ctx.t(Key::TokCopy))} />
                <button type="button" onclick={dismiss}>{ ctx.t(Key::TokSecretDone) }</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NewEndpointProps {
    allowed: bool,
    event_types: Vec<String>,
    on_created: Callback<(String, String)>,
}

#[function_component(NewEndpoint)]
fn new_endpoint(props: &NewEndpointProps) -> Html {
    let ctx = use_ctx();
    let url = use_state(String::new);
    let description = use_state(String::new);
    let types = use_state(|| vec!["lead.created".to_owned()]);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, url, description, types, errors, busy, on_created) = (
            ctx.clone(),
            url.clone(),
            description.clone(),
            types.clone(),
            errors.clone(),
            busy.clone(),
            props.on_created.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let input = api::create_webhook_endpoint::CreateWebhookEndpointInput {
                url: url.trim().to_owned(),
                event_types: (*types).clone(),
                description: (*description).clone(),
            };
            let (ctx, url, description, errors, busy, on_created) = (
                ctx.clone(),
                url.clone(),
                description.clone(),
                errors.clone(),
                busy.clone(),
                on_created.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::CreateWebhookEndpoint>(
                    ctx.token().as_deref(),
                    api::create_webhook_endpoint::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.create_webhook_endpoint;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match (payload.secret, payload.endpoint) {
                            (Some(secret), Some(endpoint)) if found.is_empty() => {
                                errors.set(vec![]);
                                url.set(String::new());
                                description.set(String::new());
                                on_created.emit((endpoint.url, secret));
                            }
                            _ => {
                                if let Some((path, _)) = found.first() {
                                    focus_id(match path.as_str() {
                                        "eventTypes" => "webhook-types",
                                        "description" => "field-webhook-description",
                                        _ => "field-webhook-url",
                                    });
                                }
                                errors.set(found);
                            }
                        }
                    }
                    Err(ApiError::Message(message)) => errors.set(vec![("".into(), message)]),
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let toggle = |code: String| {
        let types = types.clone();
        Callback::from(move |_| {
            let mut next = (*types).clone();
            if next.contains(&code) {
                next.retain(|t| *t != code);
            } else {
                next.push(code.clone());
            }
            types.set(next);
        })
    };
    let types_error = error_for(&errors, "eventTypes");
    let rest = other_errors(&errors, &["url", "description", "eventTypes"]);
    html! {
        <form class="card stack" {onsubmit} aria-labelledby="new-webhook-title" novalidate=true>
            <h2 id="new-webhook-title">{ ctx.t(Key::WhNew) }</h2>
            <fieldset class="stack plain" disabled={!props.allowed}>
                <Field label={ctx.t(Key::WhUrl)} name="webhook-url" kind={AttrValue::from("url")}
                    value={(*url).clone()} hint={AttrValue::from(ctx.t(Key::WhUrlHint))}
                    oninput={{ let s = url.clone(); Callback::from(move |v| s.set(v)) }}
                    error={error_for(&errors, "url")} required=true />
                <Field label={ctx.t(Key::WhDescription)} name="webhook-description"
                    value={(*description).clone()}
                    oninput={{ let s = description.clone(); Callback::from(move |v| s.set(v)) }}
                    error={error_for(&errors, "description")} />
                <fieldset class="choices" id="webhook-types" tabindex="-1"
                    aria-describedby={types_error.as_ref().map(|_| "webhook-types-error")}>
                    <legend>{ ctx.t(Key::WhEventTypes) }</legend>
                    { for props.event_types.iter().map(|code| html! {
                        <label class="check">
                            <input type="checkbox" id={format!("webhook-type-{}", code.replace('.', "-"))}
                                checked={types.contains(code)} onchange={toggle(code.clone())} />
                            <span class="mono">{ code.clone() }</span>
                        </label>
                    }) }
                    if let Some(error) = &types_error {
                        <p class="error" id="webhook-types-error">{ error.clone() }</p>
                    }
                </fieldset>
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy || !props.allowed}>
                        { ctx.t(Key::WhCreate) }
                    </button>
                </div>
            </fieldset>
        </form>
    }
}

/// A button's action: `run` with the page's context, the button's `busy` set meanwhile.
fn act<F, Fut>(ctx: &Rc<Ctx>, busy: &UseStateHandle<bool>, run: F) -> Callback<MouseEvent>
where
    F: Fn(Rc<Ctx>) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (ctx, busy) = (ctx.clone(), busy.clone());
    Callback::from(move |_: MouseEvent| {
        let work = run(ctx.clone());
        let busy = busy.clone();
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            work.await;
            busy.set(false);
        });
    })
}

#[derive(Properties, PartialEq)]
struct CardProps {
    item: Endpoint,
    on_changed: Callback<()>,
    on_secret: Callback<(String, String)>,
}

#[function_component(EndpointCard)]
fn endpoint_card(props: &CardProps) -> Html {
    let ctx = use_ctx();
    let endpoint = &props.item;
    let dom = dom_id(&endpoint.id);
    let busy = use_state(|| false);
    let log_version = use_state(|| 0u32);
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("webhook-delete-{dom}"));
    {
        let dom = dom.clone();
        use_effect_with(*confirming, move |confirming| {
            if *confirming {
                focus_id(&format!("webhook-delete-yes-{dom}"));
            }
        });
    }

    let toggle = {
        let (id, active, on_changed) = (
            endpoint.id.clone(),
            endpoint.active,
            props.on_changed.clone(),
        );
        act(&ctx, &busy, move |ctx| {
            let (id, on_changed) = (id.clone(), on_changed.clone());
            async move {
                let input = api::update_webhook_endpoint::UpdateWebhookEndpointInput {
                    id,
                    url: None,
                    event_types: None,
                    description: None,
                    active: Some(!active),
                };
                let done = ctx
                    .perform::<api::UpdateWebhookEndpoint>(
                        api::update_webhook_endpoint::Variables { input },
                        |d| {
                            d.update_webhook_endpoint
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                if done.is_some() {
                    on_changed.emit(());
                }
            }
        })
    };
    let rotate = {
        let (id, on_secret) = (endpoint.id.clone(), props.on_secret.clone());
        act(&ctx, &busy, move |ctx| {
            let (id, on_secret) = (id.clone(), on_secret.clone());
            async move {
                let data = ctx
                    .perform::<api::RotateWebhookSecret>(
                        api::rotate_webhook_secret::Variables { id },
                        |d| {
                            d.rotate_webhook_secret
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await
                    .map(|d| d.rotate_webhook_secret);
                if let Some((Some(endpoint), Some(secret))) = data.map(|p| (p.endpoint, p.secret)) {
                    on_secret.emit((endpoint.url, secret));
                }
            }
        })
    };
    let test = {
        let (id, log_version) = (endpoint.id.clone(), log_version.clone());
        act(&ctx, &busy, move |ctx| {
            let (id, log_version) = (id.clone(), log_version.clone());
            async move {
                let done = ctx
                    .perform::<api::SendTestWebhook>(
                        api::send_test_webhook::Variables { id },
                        |d| {
                            d.send_test_webhook
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::WhTestSent).to_owned());
                    log_version.set(*log_version + 1);
                }
            }
        })
    };
    let delete = {
        let (id, on_changed, confirming) = (
            endpoint.id.clone(),
            props.on_changed.clone(),
            confirming.clone(),
        );
        act(&ctx, &busy, move |ctx| {
            let (id, on_changed, confirming) = (id.clone(), on_changed.clone(), confirming.clone());
            async move {
                let done = ctx
                    .perform::<api::DeleteWebhookEndpoint>(
                        api::delete_webhook_endpoint::Variables { id },
                        |d| {
                            d.delete_webhook_endpoint
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                confirming.set(false);
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::WhDeleted).to_owned());
                    on_changed.emit(());
                }
            }
        })
    };

    let (state_class, state_label) = match (endpoint.active, endpoint.disabled) {
        (true, _) => ("on", ctx.t(Key::WhActive)),
        (false, Some(reason)) => ("bad", ctx.t(reason)),
        (false, None) => ("off", ctx.t(Key::WhPaused)),
    };
    let title_id = format!("webhook-title-{dom}");
    html! {
        <li class="card stack webhook" aria-labelledby={title_id.clone()}>
            <div class="row spread">
                <h3 id={title_id} class="mono break">{ endpoint.url.clone() }</h3>
                <span class={classes!("badge", state_class)}>{ state_label }</span>
            </div>
            if !endpoint.description.is_empty() {
                <p>{ endpoint.description.clone() }</p>
            }
            <ul class="tags" aria-label={ctx.t(Key::WhEventTypes)}>
                { for endpoint.event_types.iter().map(|t| html! { <li class="badge mono">{ t.clone() }</li> }) }
            </ul>
            <p class="muted small">
                { format!("{} {}", ctx.t(Key::WgCreated), date_time(ctx.lang, &endpoint.created_at)) }
                if let Some(since) = &endpoint.failing_since {
                    { format!(" · {} {}", ctx.t(Key::WhFailingSince), date_time(ctx.lang, since)) }
                }
                if let Some(until) = &endpoint.previous_secret_until {
                    { format!(" · {} {}", ctx.t(Key::WhPreviousSecret), date_time(ctx.lang, until)) }
                }
            </p>
            <div class="row">
                <button type="button" id={format!("webhook-test-{dom}")} onclick={test}
                    disabled={*busy}>{ ctx.t(Key::WhSendTest) }</button>
                <button type="button" id={format!("webhook-rotate-{dom}")} onclick={rotate}
                    disabled={*busy}>{ ctx.t(Key::WhRotate) }</button>
                <button type="button" id={format!("webhook-toggle-{dom}")} onclick={toggle} disabled={*busy}>
                    { ctx.t(if endpoint.active { Key::WhPause } else { Key::WhResume }) }
                </button>
                if !*confirming {
                    <button type="button" class="danger" id={format!("webhook-delete-{dom}")} onclick={ask}
                        aria-label={format!("{}: {}", endpoint.url, ctx.t(Key::WhDelete))}>{ ctx.t(Key::WhDelete) }</button>
                }
            </div>
            if *confirming {
                <Confirm question={ctx.t(Key::WhDeleteQuestion)} yes={ctx.t(Key::WhDeleteYes)}
                    yes_id={format!("webhook-delete-yes-{dom}")} busy={*busy} on_yes={delete} on_cancel={dont}
                    look={ConfirmLook::Callout { question_id: AttrValue::from(format!("webhook-delete-q-{dom}")) }} />
            }
            <Deliveries endpoint_id={endpoint.id.clone()} version={*log_version} />
        </li>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Delivery {
    id: String,
    event_type: String,
    status: Status,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_attempt_at: Option<String>,
    response_status: Option<i64>,
    duration_ms: Option<i64>,
    error: Option<String>,
    created_at: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Log {
    deliveries: Vec<Delivery>,
    total: i64,
    next: Option<String>,
}

#[derive(Properties, PartialEq)]
struct DeliveriesProps {
    endpoint_id: String,
    /// Bumped when the card sent something (a test), to load the log again.
    version: u32,
}

fn status_filter(value: &str) -> Option<Status> {
    match value {
        "PENDING" => Some(Status::PENDING),
        "SUCCEEDED" => Some(Status::SUCCEEDED),
        "FAILED" => Some(Status::FAILED),
        _ => None,
    }
}

#[function_component(Deliveries)]
fn deliveries(props: &DeliveriesProps) -> Html {
    let ctx = use_ctx();
    let log = use_state(|| Load::<Log>::Loading);
    let filter = use_state(String::new);
    let reloads = use_state(|| 0u32);
    let dom = dom_id(&props.endpoint_id);

    let load = {
        let (ctx, log, filter, endpoint_id) = (
            ctx.clone(),
            log.clone(),
            filter.clone(),
            props.endpoint_id.clone(),
        );
        move |after: Option<String>| {
            let (ctx, log, filter, endpoint_id) = (
                ctx.clone(),
                log.clone(),
                filter.clone(),
                endpoint_id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::WebhookDeliveries>(
                    ctx.token().as_deref(),
                    api::webhook_deliveries::Variables {
                        endpoint_id,
                        status: status_filter(&filter),
                        after: after.clone(),
                    },
                )
                .await
                .map(|data| {
                    let page = data.webhook_deliveries;
                    let mut deliveries = match (&*log, after.is_some()) {
                        (Load::Ready(earlier), true) => earlier.deliveries.clone(),
                        _ => Vec::new(),
                    };
                    deliveries.extend(page.edges.into_iter().map(|edge| {
                        let d = edge.node;
                        Delivery {
                            id: d.id,
                            event_type: d.event_type,
                            status: d.status,
                            attempts: d.attempts,
                            next_attempt_at: d.next_attempt_at,
                            last_attempt_at: d.last_attempt_at,
                            response_status: d.response_status,
                            duration_ms: d.duration_ms,
                            error: d.error,
                            created_at: d.created_at,
                        }
                    }));
                    Log {
                        deliveries,
                        total: page.total_count,
                        next: page
                            .page_info
                            .has_next_page
                            .then_some(page.page_info.end_cursor)
                            .flatten(),
                    }
                });
                log.set(Load::from_result(&ctx, result));
            });
        }
    };
    {
        let load = load.clone();
        use_effect_with((props.version, (*filter).clone(), *reloads), move |_| {
            load(None)
        });
    }
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            filter.set(select.value());
        })
    };
    let reload = {
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| reloads.set(*reloads + 1))
    };
    let redelivered = {
        let reloads = reloads.clone();
        Callback::from(move |()| reloads.set(*reloads + 1))
    };

    let table = match &*log {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, Callback::from(|_| ())),
        Load::Ready(log) if log.deliveries.is_empty() => {
            html! { <div class="empty">{ ctx.t(Key::WhNoDeliveries) }</div> }
        }
        Load::Ready(log) => {
            let more = log.next.clone().map(|after| {
                let load = load.clone();
                Callback::from(move |_: MouseEvent| load(Some(after.clone())))
            });
            html! {
                <>
                    <table class="deliveries-table">
                        <caption class="visually-hidden">{ ctx.t(Key::WhDeliveries) }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ ctx.t(Key::WhWhen) }</th>
                                <th scope="col">{ ctx.t(Key::WhEvent) }</th>
                                <th scope="col">{ ctx.t(Key::Status) }</th>
                                <th scope="col">{ ctx.t(Key::WhResponse) }</th>
                                <th scope="col">{ ctx.t(Key::WhAttempts) }</th>
                                <th scope="col"><span class="visually-hidden">{ ctx.t(Key::SvcActions) }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for log.deliveries.iter().map(|d| html! {
                                <DeliveryRow key={d.id.clone()} item={d.clone()} on_redelivered={redelivered.clone()} />
                            }) }
                        </tbody>
                    </table>
                    <p class="muted small">{ format!("{} {}", log.total, ctx.t(Key::WhDeliveriesCount)) }</p>
                    if let Some(more) = more {
                        <button type="button" onclick={more}>{ ctx.t(Key::WhMore) }</button>
                    }
                </>
            }
        }
    };
    let filter_id = format!("webhook-filter-{dom}");
    html! {
        <section class="stack" aria-label={ctx.t(Key::WhDeliveries)}>
            <div class="row spread">
                <h4>{ ctx.t(Key::WhDeliveries) }</h4>
                <div class="row">
                    <label for={filter_id.clone()} class="visually-hidden">{ ctx.t(Key::Status) }</label>
                    <select id={filter_id} onchange={on_filter}>
                        <option value="" selected={filter.is_empty()}>{ ctx.t(Key::All) }</option>
                        <option value="PENDING" selected={*filter == "PENDING"}>{ ctx.t(Key::WhPending) }</option>
                        <option value="SUCCEEDED" selected={*filter == "SUCCEEDED"}>{ ctx.t(Key::WhSucceeded) }</option>
                        <option value="FAILED" selected={*filter == "FAILED"}>{ ctx.t(Key::WhFailed) }</option>
                    </select>
                    <button type="button" onclick={reload}>{ ctx.t(Key::WhRefresh) }</button>
                </div>
            </div>
            { table }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    item: Delivery,
    on_redelivered: Callback<()>,
}

#[function_component(DeliveryRow)]
fn delivery_row(props: &RowProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let d = &props.item;
    let redeliver = {
        let (id, on_redelivered) = (d.id.clone(), props.on_redelivered.clone());
        act(&ctx, &busy, move |ctx| {
            let (id, on_redelivered) = (id.clone(), on_redelivered.clone());
            async move {
                let done = ctx
                    .perform::<api::RedeliverWebhook>(
                        api::redeliver_webhook::Variables { delivery_id: id },
                        |d| {
                            d.redeliver_webhook
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::WhRedelivered).to_owned());
                    on_redelivered.emit(());
                }
            }
        })
    };
    let (class, label) = match d.status {
        Status::SUCCEEDED => ("on", ctx.t(Key::WhSucceeded)),
        Status::FAILED => ("bad", ctx.t(Key::WhFailed)),
        _ => ("off", ctx.t(Key::WhPending)),
    };
    let response = match (d.response_status, &d.error) {
        (Some(code), _) => code.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "–".to_owned(),
    };
    html! {
        <tr>
            <td data-label={ctx.t(Key::WhWhen)}>{ date_time(ctx.lang, d.last_attempt_at.as_deref().unwrap_or(&d.created_at)) }</td>
            <td data-label={ctx.t(Key::WhEvent)} class="mono">{ d.event_type.clone() }</td>
            <td data-label={ctx.t(Key::Status)}>
                <span class={classes!("badge", class)}>{ label }</span>
                if let Some(next) = &d.next_attempt_at {
                    <div class="muted small">{ format!("{} {}", ctx.t(Key::WhNextAttempt), date_time(ctx.lang, next)) }</div>
                }
            </td>
            <td data-label={ctx.t(Key::WhResponse)} class="delivery-response">
                <span class="mono">{ response }</span>
                if let Some(ms) = d.duration_ms {
                    <span class="muted small">{ format!(" · {ms} ms") }</span>
                }
            </td>
            <td data-label={ctx.t(Key::WhAttempts)}>{ d.attempts }</td>
            <td class="actions">
                if d.status != Status::PENDING {
                    <button type="button" onclick={redeliver} disabled={*busy}>{ ctx.t(Key::WhRedeliver) }</button>
                }
            </td>
        </tr>
    }
}
