//! API tokens for integrators: create one (name, scopes, optional expiry; the secret is shown
//! once), list them with their state and query-cost budget, revoke. API access belongs to the
//! Enterprise plan.

use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::confirm::Confirm;
use crate::components::copy_button::CopyButton;
use crate::components::dates::{date, date_time};
use crate::components::field::Field;
use crate::components::link::PlanLink;
use crate::components::load::{Load, failed_view, loading_view};
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::{Key, count, quoted};

use api::create_api_token::ApiScope;

/// Every scope, with its label key and what it allows.
const SCOPES: [(&str, Key, Key); 6] = [
    ("LEADS_READ", Key::TokLeadsRead, Key::TokLeadsReadHint),
    ("LEADS_WRITE", Key::TokLeadsWrite, Key::TokLeadsWriteHint),
    ("CATALOG_READ", Key::TokCatalogRead, Key::TokCatalogReadHint),
    (
        "CATALOG_WRITE",
        Key::TokCatalogWrite,
        Key::TokCatalogWriteHint,
    ),
    (
        "ANALYTICS_READ",
        Key::TokAnalyticsRead,
        Key::TokAnalyticsReadHint,
    ),
    (
        "WEBHOOKS_MANAGE",
        Key::TokWebhooksManage,
        Key::TokWebhooksManageHint,
    ),
];

fn scope_of(code: &str) -> ApiScope {
    match code {
        "LEADS_READ" => ApiScope::LEADS_READ,
        "LEADS_WRITE" => ApiScope::LEADS_WRITE,
        "CATALOG_READ" => ApiScope::CATALOG_READ,
        "CATALOG_WRITE" => ApiScope::CATALOG_WRITE,
        "WEBHOOKS_MANAGE" => ApiScope::WEBHOOKS_MANAGE,
        _ => ApiScope::ANALYTICS_READ,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    Active,
    Expired,
    Revoked,
}

#[derive(Clone, Debug, PartialEq)]
struct Token {
    id: String,
    name: String,
    scopes: Vec<String>,
    prefix: String,
    state: State,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    created_at: String,
    /// `(currently available, maximum, restored per second)` of its query-cost budget.
    budget: Option<(i64, i64, i64)>,
}

#[derive(Clone, Debug, PartialEq)]
struct TokenList {
    tokens: Vec<Token>,
    /// False when the plan (or its status) leaves API access out.
    api_access: bool,
    plan: String,
}

fn scope_code(scope: &api::api_tokens::ApiScope) -> String {
    use api::api_tokens::ApiScope as S;
    match scope {
        S::LEADS_READ => "LEADS_READ".into(),
        S::LEADS_WRITE => "LEADS_WRITE".into(),
        S::CATALOG_READ => "CATALOG_READ".into(),
        S::CATALOG_WRITE => "CATALOG_WRITE".into(),
        S::ANALYTICS_READ => "ANALYTICS_READ".into(),
        S::WEBHOOKS_MANAGE => "WEBHOOKS_MANAGE".into(),
        S::Other(other) => other.clone(),
    }
}

/// `YYYY-MM-DD` (a date input) → the end of that day in the browser's time zone, RFC 3339.
fn end_of_day(date: &str) -> Option<String> {
    let mut parts = date.split('-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let local = js_sys::Date::new_with_year_month_day_hr_min_sec(
        year,
        month as i32 - 1,
        day as i32,
        23,
        59,
        59,
    );
    (!local.get_time().is_nan()).then(|| String::from(local.to_iso_string()))
}

#[function_component(Tokens)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let tokens = use_state(|| Load::<TokenList>::Loading);
    let version = use_state(|| 0u32);
    let secret = use_state(|| None::<(String, String)>);

    {
        let (ctx, tokens) = (ctx.clone(), tokens.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::ApiTokens>(
                    ctx.token().as_deref(),
                    api::api_tokens::Variables {},
                )
                .await
                .map(|data| TokenList {
                    tokens: data
                        .api_tokens
                        .edges
                        .into_iter()
                        .map(|edge| {
                            let t = edge.node;
                            Token {
                                id: t.id,
                                name: t.name,
                                scopes: t.scopes.iter().map(scope_code).collect(),
                                prefix: t.prefix,
                                state: if t.revoked_at.is_some() {
                                    State::Revoked
                                } else if t.active {
                                    State::Active
                                } else {
                                    State::Expired
                                },
                                expires_at: t.expires_at,
                                last_used_at: t.last_used_at,
                                created_at: t.created_at,
                                budget: t.cost_budget.map(|b| {
                                    (b.currently_available, b.maximum_available, b.restore_rate)
                                }),
                            }
                        })
                        .collect(),
                    api_access: data.workshop.plan.limits.api_access
                        && !matches!(
                            data.workshop.plan_status,
                            api::api_tokens::PlanStatus::INACTIVE
                                | api::api_tokens::PlanStatus::CANCELED
                        ),
                    plan: data.workshop.plan.name,
                });
                tokens.set(Load::from_result(&ctx, result));
            });
        });
    }
    {
        use_effect_with(secret.is_some(), |shown| {
            if *shown {
                focus_id("token-secret");
            }
        });
    }

    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let on_created = {
        let (secret, reload) = (secret.clone(), reload.clone());
        Callback::from(move |created: (String, String)| {
            secret.set(Some(created));
            reload.emit(());
        })
    };
    let dismiss = {
        let secret = secret.clone();
        Callback::from(move |_| {
            secret.set(None);
            focus_id("field-token-name");
        })
    };

    let body = match &*tokens {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, reload.reform(|_| ())),
        Load::Ready(list) => html! {
            <>
                if !list.api_access {
                    <div class="callout warn" role="note">
                        <p><strong>{ ctx.t(Key::TokEnterprise) }</strong></p>
                        <p>
                            { format!("{} {}. ", ctx.t(Key::TokYourPlan), list.plan) }
                            <PlanLink />
                        </p>
                    </div>
                }
                if let Some((name, value)) = &*secret {
                    <div class="callout secret stack" id="token-secret" tabindex="-1" role="alert">
                        <p><strong>{ format!("{} {}", ctx.t(Key::TokSecretTitle), quoted(ctx.lang, name)) }</strong></p>
                        <pre class="snippet">{ value.clone() }</pre>
                        <p>{ ctx.t(Key::TokSecretOnce) }</p>
                        <div class="row">
                            <CopyButton text={value.clone()} label={AttrValue::from(ctx.t(Key::TokCopy))} />
                            <button type="button" onclick={dismiss}>{ ctx.t(Key::TokSecretDone) }</button>
                        </div>
                    </div>
                }
                <NewToken allowed={list.api_access} on_created={on_created} />
                <h2>{ ctx.t(Key::TokList) }</h2>
                <p class="hint">{ ctx.t(Key::TokBudgetHint) }</p>
                if list.tokens.is_empty() {
                    <div class="empty">{ ctx.t(Key::TokEmpty) }</div>
                } else {
                    <table class="tokens-table">
                        <thead>
                            <tr>
                                <th scope="col">{ ctx.t(Key::TokName) }</th>
                                <th scope="col">{ ctx.t(Key::TokScopes) }</th>
                                <th scope="col">{ ctx.t(Key::TokPrefix) }</th>
                                <th scope="col">{ ctx.t(Key::TokLastUsed) }</th>
                                <th scope="col">{ ctx.t(Key::TokBudget) }</th>
                                <th scope="col">{ ctx.t(Key::Status) }</th>
                                <th scope="col"><span class="visually-hidden">{ ctx.t(Key::SvcActions) }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for list.tokens.iter().map(|t| html! {
                                <TokenRow key={t.id.clone()} item={t.clone()} on_changed={reload.clone()} />
                            }) }
                        </tbody>
                    </table>
                }
            </>
        },
    };

    html! {
        <section class="tokens stack">
            <h1>{ ctx.t(Key::Tokens) }</h1>
            <p class="hint">{ ctx.t(Key::TokIntro) }</p>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NewTokenProps {
    allowed: bool,
    /// `(name, secret)` of the token just made.
    on_created: Callback<(String, String)>,
}

#[function_component(NewToken)]
fn new_token(props: &NewTokenProps) -> Html {
    let ctx = use_ctx();
    let name = use_state(String::new);
    let scopes = use_state(|| vec!["LEADS_READ".to_owned()]);
    let expires = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let refused = use_state(|| None::<String>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, name, scopes, expires, errors, refused, busy, on_created) = (
            ctx.clone(),
            name.clone(),
            scopes.clone(),
            expires.clone(),
            errors.clone(),
            refused.clone(),
            busy.clone(),
            props.on_created.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let expires_at = if expires.is_empty() {
                None
            } else {
                match end_of_day(&expires) {
                    Some(at) => Some(at),
                    None => {
                        errors.set(vec![(
                            "expiresAt".into(),
                            ctx.t(Key::TokDateInvalid).into(),
                        )]);
                        return;
                    }
                }
            };
            let input = api::create_api_token::CreateApiTokenInput {
                name: (*name).clone(),
                scopes: scopes.iter().map(|s| scope_of(s)).collect(),
                expires_at,
            };
            let (ctx, name, expires, errors, refused, busy, on_created) = (
                ctx.clone(),
                name.clone(),
                expires.clone(),
                errors.clone(),
                refused.clone(),
                busy.clone(),
                on_created.clone(),
            );
            busy.set(true);
            refused.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::CreateApiToken>(
                    ctx.token().as_deref(),
                    api::create_api_token::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.create_api_token;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match (payload.secret, payload.api_token) {
                            (Some(secret), Some(token)) if found.is_empty() => {
                                errors.set(vec![]);
                                name.set(String::new());
                                expires.set(String::new());
                                on_created.emit((token.name, secret));
                            }
                            _ => {
                                if let Some((path, _)) = found.first() {
                                    focus_id(match path.as_str() {
                                        "scopes" => "scope-LEADS_READ",
                                        "expiresAt" => "field-token-expires",
                                        _ => "field-token-name",
                                    });
                                }
                                errors.set(found);
                            }
                        }
                    }
                    // PLAN_LIMIT_REACHED (API access is Enterprise) or a network failure.
                    Err(ApiError::Message(message)) => refused.set(Some(message)),
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let toggle = |code: &'static str| {
        let scopes = scopes.clone();
        Callback::from(move |_| {
            let mut next = (*scopes).clone();
            if next.iter().any(|s| s == code) {
                next.retain(|s| s != code);
            } else {
                next.push(code.to_owned());
            }
            scopes.set(next);
        })
    };
    let on_expires = {
        let expires = expires.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            expires.set(input.value());
        })
    };
    let scopes_error = error_for(&errors, "scopes");
    let expires_error = error_for(&errors, "expiresAt");
    let rest = other_errors(&errors, &["name", "scopes", "expiresAt"]);
    let today = {
        let now = js_sys::Date::new_0();
        format!(
            "{}-{:02}-{:02}",
            now.get_full_year(),
            now.get_month() + 1,
            now.get_date()
        )
    };
    html! {
        <form class="card stack" {onsubmit} aria-labelledby="new-token-title" novalidate=true>
            <h2 id="new-token-title">{ ctx.t(Key::TokNew) }</h2>
            <fieldset class="stack plain" disabled={!props.allowed}>
                <Field label={ctx.t(Key::TokName)} name="token-name" value={(*name).clone()}
                    oninput={{ let s = name.clone(); Callback::from(move |v| s.set(v)) }}
                    error={error_for(&errors, "name")} required=true />
                <fieldset class="choices" aria-describedby={scopes_error.as_ref().map(|_| "scopes-error")}>
                    <legend>{ ctx.t(Key::TokScopes) }</legend>
                    { for SCOPES.iter().map(|(code, label, hint)| html! {
                        <label class="check">
                            <input type="checkbox" id={format!("scope-{code}")}
                                checked={scopes.iter().any(|s| s == code)} onchange={toggle(code)} />
                            <span>
                                <span class="mono">{ *code }</span>{ " – " }{ ctx.t(*label) }
                                <span class="muted small block">{ ctx.t(*hint) }</span>
                            </span>
                        </label>
                    }) }
                    if let Some(error) = &scopes_error {
                        <p class="error" id="scopes-error">{ error.clone() }</p>
                    }
                </fieldset>
                <div class="field narrow">
                    <label for="field-token-expires">{ ctx.t(Key::TokExpires) }</label>
                    <input id="field-token-expires" type="date" min={today} value={(*expires).clone()}
                        oninput={on_expires} aria-invalid={expires_error.as_ref().map(|_| "true")}
                        aria-describedby="field-token-expires-hint" />
                    <p class="hint" id="field-token-expires-hint">{ ctx.t(Key::TokExpiresHint) }</p>
                    if let Some(error) = &expires_error {
                        <p class="error">{ error.clone() }</p>
                    }
                </div>
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                if let Some(message) = &*refused {
                    <div class="callout bad" role="alert">
                        <p>{ message.clone() }{ " " }<PlanLink /></p>
                    </div>
                }
                <div class="row">
                    <button class="primary" type="submit" disabled={*busy || !props.allowed}>
                        { ctx.t(Key::TokCreate) }
                    </button>
                </div>
            </fieldset>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    item: Token,
    on_changed: Callback<()>,
}

#[function_component(TokenRow)]
fn token_row(props: &RowProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let token = &props.item;
    let dom = token.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("token-revoke-{dom}"));

    {
        let dom = dom.clone();
        use_effect_with(*confirming, move |confirming| {
            if *confirming {
                focus_id(&format!("token-revoke-yes-{dom}"));
            }
        });
    }
    let onkeydown = {
        let (confirming, dom) = (confirming.clone(), dom.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *confirming {
                confirming.set(false);
                focus_id(&format!("token-revoke-{dom}"));
            }
        })
    };
    let revoke = {
        let (ctx, id, busy, confirming, on_changed) = (
            ctx.clone(),
            token.id.clone(),
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
                    .perform::<api::RevokeApiToken>(api::revoke_api_token::Variables { id }, |d| {
                        d.revoke_api_token
                            .user_errors
                            .first()
                            .map(|e| e.message.clone())
                    })
                    .await;
                busy.set(false);
                confirming.set(false);
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::TokRevokedNotice).to_owned());
                    on_changed.emit(());
                }
            });
        })
    };
    let (state_class, state_label) = match token.state {
        State::Active => ("on", ctx.t(Key::TokActive)),
        State::Expired => ("off", ctx.t(Key::TokExpired)),
        State::Revoked => ("off", ctx.t(Key::TokRevoked)),
    };
    html! {
        <tr {onkeydown}>
            <td data-label={ctx.t(Key::TokName)}>
                <strong>{ token.name.clone() }</strong>
                <div class="muted small">{ format!("{} {}", ctx.t(Key::WgCreated), date(ctx.lang, &token.created_at)) }</div>
            </td>
            <td data-label={ctx.t(Key::TokScopes)}>
                <ul class="tags">
                    { for token.scopes.iter().map(|s| html! { <li class="badge mono">{ s.clone() }</li> }) }
                </ul>
            </td>
            <td data-label={ctx.t(Key::TokPrefix)}><span class="mono">{ format!("{}…", token.prefix) }</span></td>
            <td data-label={ctx.t(Key::TokLastUsed)}>
                { token.last_used_at.as_deref().map(|at| date_time(ctx.lang, at)).unwrap_or_else(|| ctx.t(Key::TokNever).to_owned()) }
            </td>
            <td data-label={ctx.t(Key::TokBudget)} class="token-budget">
                if let Some((available, maximum, rate)) = token.budget.filter(|_| token.state == State::Active) {
                    <meter min="0" max={maximum.to_string()} value={available.to_string()}
                        aria-label={ctx.t(Key::TokBudget)}></meter>
                    <div class="small">{ format!("{} / {} {}", count(ctx.lang, available), count(ctx.lang, maximum), ctx.t(Key::TokPoints)) }</div>
                    <div class="muted small">{ format!("+{} {}", count(ctx.lang, rate), ctx.t(Key::TokPerSecond)) }</div>
                } else {
                    <span class="muted">{ "–" }</span>
                }
            </td>
            <td data-label={ctx.t(Key::Status)}>
                <span class={classes!("badge", state_class)}>{ state_label }</span>
                if let Some(at) = &token.expires_at {
                    <div class="muted small">{ format!("{} {}", ctx.t(Key::TokUntil), date(ctx.lang, at)) }</div>
                }
            </td>
            <td class="actions">
                if token.state == State::Active {
                    if *confirming {
                        <Confirm question={ctx.t(Key::TokRevokeQuestion)} yes={ctx.t(Key::TokRevokeYes)}
                            yes_id={format!("token-revoke-yes-{dom}")} busy={*busy} on_yes={revoke} on_cancel={dont} />
                    } else {
                        <button type="button" class="danger" id={format!("token-revoke-{dom}")} onclick={ask}
                            aria-label={format!("{}: {}", token.name, ctx.t(Key::TokRevoke))}>{ ctx.t(Key::TokRevoke) }</button>
                    }
                }
            </td>
        </tr>
    }
}
