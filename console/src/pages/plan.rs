//! The workshop's plan: status (trial, active, inactive), usage against the plan's limits, and
//! the price list. Paying and changing plans come with billing (Stripe), not yet here.

use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::dates::date_de;
use crate::components::link::RouteLink;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::{Ctx, use_ctx};
use crate::i18n::Key;
use crate::route::Route;

use api::plan_overview::{PlanCode, PlanStatus};

#[derive(Clone, Debug, PartialEq)]
struct Limits {
    client_keys: Option<i64>,
    leads_per_month: Option<i64>,
    ai_chat: bool,
    csv_exports: bool,
    advanced_analytics: bool,
    branding: bool,
    api_access: bool,
    multi_location: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Plan {
    code: PlanCode,
    name: String,
    cents: i64,
    limits: Limits,
}

#[derive(Clone, Debug, PartialEq)]
struct Overview {
    current: Plan,
    status: PlanStatus,
    trial_ends_at: Option<String>,
    plans: Vec<Plan>,
    active_keys: i64,
    leads_this_month: i64,
    leads_total: i64,
}

macro_rules! plan_from {
    ($plan:expr) => {{
        let p = $plan;
        let l = p.limits;
        Plan {
            code: p.code,
            name: p.name,
            cents: p.price.amount_cents,
            limits: Limits {
                client_keys: l.client_keys,
                leads_per_month: l.leads_per_month,
                ai_chat: l.ai_chat,
                csv_exports: l.csv_exports,
                advanced_analytics: l.advanced_analytics,
                branding: l.branding,
                api_access: l.api_access,
                multi_location: l.multi_location,
            },
        }
    }};
}

/// 00:00 UTC on the first of this month: the plan counts leads per UTC calendar month.
fn month_start() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{}-{:02}-01T00:00:00Z",
        now.get_utc_full_year(),
        now.get_utc_month() + 1
    )
}

fn price(cents: i64) -> String {
    if cents % 100 == 0 {
        format!("{} €", cents / 100)
    } else {
        format!("{},{:02} €", cents / 100, cents % 100)
    }
}

/// Days from now until an RFC 3339 time, rounded up.
fn days_until(rfc3339: &str) -> Option<i64> {
    let end = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339)).get_time();
    let now = js_sys::Date::now();
    (!end.is_nan()).then(|| ((end - now) / 86_400_000.0).ceil().max(0.0) as i64)
}

/// One "used of allowed" line with a meter (`None`: unlimited).
fn usage(ctx: &Ctx, id: &str, label: &str, used: i64, limit: Option<i64>) -> Html {
    let of = match limit {
        Some(limit) => format!("{used} / {limit}"),
        None => format!("{used} ({})", ctx.t(Key::PgUnlimited)),
    };
    let over = limit.is_some_and(|limit| used >= limit);
    html! {
        <div class="usage-line">
            <div class="row spread">
                <span id={id.to_owned()}>{ label.to_owned() }</span>
                <strong class={classes!(over.then_some("bad-text"))}>{ of }</strong>
            </div>
            if let Some(limit) = limit {
                <meter aria-labelledby={id.to_owned()} min="0" max={limit.max(1).to_string()}
                    value={used.min(limit.max(1)).to_string()}
                    high={((limit as f64) * 0.8).to_string()} optimum="0" />
            }
        </div>
    }
}

fn features(ctx: &Ctx, limits: &Limits) -> Html {
    let count = |n: Option<i64>, key: Key| match n {
        Some(n) => format!("{n} {}", ctx.t(key)),
        None => format!("{} {}", ctx.t(Key::PgUnlimitedCap), ctx.t(key)),
    };
    let items = [
        (true, count(limits.client_keys, Key::PlanFKeys)),
        (true, count(limits.leads_per_month, Key::PlanFLeads)),
        (limits.ai_chat, ctx.t(Key::PlanFAi).to_owned()),
        (true, ctx.t(Key::PlanFCapture).to_owned()),
        (limits.csv_exports, ctx.t(Key::PlanFCsv).to_owned()),
        (
            limits.advanced_analytics,
            ctx.t(Key::PlanFAnalytics).to_owned(),
        ),
        (limits.branding, ctx.t(Key::PlanFBranding).to_owned()),
        (limits.api_access, ctx.t(Key::PlanFApi).to_owned()),
        (limits.multi_location, ctx.t(Key::PlanFLocations).to_owned()),
    ];
    html! {
        <ul class="features">
            { for items.into_iter().map(|(included, text)| html! {
                <li class={classes!(if included { "yes" } else { "no" })}>
                    <span aria-hidden="true">{ if included { "✓ " } else { "– " } }</span>
                    <span class="visually-hidden">{ if included { ctx.t(Key::PlanIncluded) } else { ctx.t(Key::PlanNotIncluded) } }</span>
                    { text }
                </li>
            }) }
        </ul>
    }
}

#[function_component(PlanPage)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let overview = use_state(|| Load::<Overview>::Loading);
    let version = use_state(|| 0u32);

    {
        let (ctx, overview) = (ctx.clone(), overview.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result: Result<Overview, ApiError> = api::run::<api::PlanOverview>(
                    ctx.token().as_deref(),
                    api::plan_overview::Variables {
                        month_start: month_start(),
                    },
                )
                .await
                .map(|data| Overview {
                    current: plan_from!(data.workshop.plan),
                    status: data.workshop.plan_status,
                    trial_ends_at: data.workshop.trial_ends_at,
                    plans: data.plans.into_iter().map(|p| plan_from!(p)).collect(),
                    active_keys: data
                        .client_keys
                        .edges
                        .iter()
                        .filter(|e| e.node.active)
                        .count() as i64,
                    leads_this_month: data.leads_this_month.total_count,
                    leads_total: data.leads.total_count,
                });
                overview.set(Load::from_result(&ctx, result));
            });
        });
    }

    let body = match &*overview {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, {
            let version = version.clone();
            Callback::from(move |_| version.set(*version + 1))
        }),
        Load::Ready(o) => {
            let (status_class, status_label) = match o.status {
                PlanStatus::TRIAL => ("trial", ctx.t(Key::PlanTrial)),
                PlanStatus::ACTIVE => ("on", ctx.t(Key::PlanActive)),
                _ => ("off", ctx.t(Key::PlanInactive)),
            };
            let widget_link = html! {
                <RouteLink to={Route::Widget}>{ ctx.t(Key::PlanManageKeys) }</RouteLink>
            };
            html! {
                <>
                    <div class="plan-top">
                        <section class="card stack" aria-labelledby="current-plan">
                            <h2 id="current-plan">{ ctx.t(Key::PlanCurrent) }</h2>
                            <div class="row">
                                <span class="plan-name">{ o.current.name.clone() }</span>
                                <span class={classes!("badge", status_class)}>{ status_label }</span>
                            </div>
                            <p>{ format!("{} {}", price(o.current.cents), ctx.t(Key::PlanPerMonth)) }</p>
                            if o.status == PlanStatus::TRIAL {
                                if let Some(end) = &o.trial_ends_at {
                                    <p>
                                        { format!("{} {}", ctx.t(Key::PlanTrialUntil), date_de(end)) }
                                        { days_until(end).map(|d| format!(" ({d} {})", ctx.t(Key::PlanDaysLeft))).unwrap_or_default() }
                                    </p>
                                }
                            }
                            if o.status == PlanStatus::INACTIVE {
                                <div class="callout warn">
                                    <p>{ ctx.t(Key::PlanInactiveText) }</p>
                                    if let Some(end) = &o.trial_ends_at {
                                        <p class="muted small">{ format!("{} {}", ctx.t(Key::PlanTrialEnded), date_de(end)) }</p>
                                    }
                                </div>
                            }
                        </section>
                        <section class="card stack" aria-labelledby="plan-usage">
                            <h2 id="plan-usage">{ ctx.t(Key::PlanUsage) }</h2>
                            { usage(&ctx, "usage-keys", ctx.t(Key::PlanActiveKeys), o.active_keys, o.current.limits.client_keys) }
                            { usage(&ctx, "usage-leads", ctx.t(Key::PlanLeadsMonth), o.leads_this_month, o.current.limits.leads_per_month) }
                            <p class="muted small">
                                { format!("{}: {}", ctx.t(Key::PlanLeadsTotal), o.leads_total) }
                            </p>
                            if o.current.limits.leads_per_month.is_some_and(|l| o.leads_this_month >= l) {
                                <p class="small">{ ctx.t(Key::PlanLeadsOver) }</p>
                            }
                            <p class="small">{ widget_link }</p>
                        </section>
                    </div>
                    <div class="callout info" role="note">
                        <p>{ ctx.t(Key::PlanBillingSoon) }</p>
                    </div>
                    <section class="stack" aria-labelledby="price-list">
                        <h2 id="price-list">{ ctx.t(Key::PlanPrices) }</h2>
                        <div class="plans">
                            { for o.plans.iter().map(|p| {
                                let current = p.code == o.current.code;
                                html! {
                                    <article class={classes!("card", "plan", current.then_some("current"))}
                                        aria-current={current.then_some("true")}>
                                        <h3>{ p.name.clone() }</h3>
                                        <p class="plan-price">
                                            <strong>{ price(p.cents) }</strong>{ " " }{ ctx.t(Key::PlanPerMonth) }
                                        </p>
                                        if current {
                                            <p><span class="badge on">{ ctx.t(Key::PlanYours) }</span></p>
                                        }
                                        { features(&ctx, &p.limits) }
                                    </article>
                                }
                            }) }
                        </div>
                        <p class="hint">{ ctx.t(Key::PlanVat) }</p>
                    </section>
                </>
            }
        }
    };
    html! {
        <section class="plan-page stack">
            <h1>{ ctx.t(Key::Plan) }</h1>
            { body }
        </section>
    }
}
