//! Where the workshop stands: its plan and status, the dates that matter, the payment method,
//! the way to Stripe's portal, and the usage against the plan's limits.

use yew::prelude::*;

use crate::api::billing::{
    BillingBilling, BillingBillingPaymentMethod, BillingManager, PaymentMethodKind, PlanStatus,
    Quota,
};
use crate::components::dates::date;
use crate::components::link::RouteLink;
use crate::ctx::Ctx;
use crate::i18n::{Key, euros};
use crate::route::Route;

/// The badge's class and German (or English) label of a status.
fn status_badge(ctx: &Ctx, status: &PlanStatus) -> (&'static str, &'static str) {
    match status {
        PlanStatus::TRIALING => ("trial", ctx.t(Key::PlanTrial)),
        PlanStatus::ACTIVE => ("on", ctx.t(Key::PlanActive)),
        PlanStatus::PAST_DUE => ("warn", ctx.t(Key::PlanPastDue)),
        PlanStatus::CANCELED => ("off", ctx.t(Key::PlanCanceled)),
        _ => ("off", ctx.t(Key::PlanInactive)),
    }
}

/// Days from now until an RFC 3339 time, rounded up.
fn days_until(rfc3339: &str) -> Option<i64> {
    let end = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339)).get_time();
    let now = js_sys::Date::now();
    (!end.is_nan()).then(|| ((end - now) / 86_400_000.0).ceil().max(0.0) as i64)
}

/// `visa` → `Visa`: the brands Stripe names in lower case, as their owners write them.
fn brand_name(brand: &str) -> String {
    match brand.to_ascii_lowercase().as_str() {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" | "american_express" => "American Express".into(),
        "diners" => "Diners Club".into(),
        "discover" => "Discover".into(),
        "jcb" => "JCB".into(),
        "unionpay" => "UnionPay".into(),
        "cartes_bancaires" => "Cartes Bancaires".into(),
        _ => {
            let mut chars = brand.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// "Visa •••• 4242", "SEPA-Lastschrift •••• 3000".
fn payment_method(ctx: &Ctx, method: &BillingBillingPaymentMethod) -> String {
    let brand = method.brand.as_deref().filter(|b| !b.is_empty());
    let name = match (&method.kind, brand) {
        (PaymentMethodKind::SEPA_DEBIT, _) => ctx.t(Key::PlanSepa).to_owned(),
        (PaymentMethodKind::CARD, Some(brand)) => brand_name(brand),
        (PaymentMethodKind::CARD, None) => ctx.t(Key::PlanCard).to_owned(),
        (_, Some(brand)) => brand_name(brand),
        (_, None) => ctx.t(Key::PlanOtherMethod).to_owned(),
    };
    match method.last4.as_deref().filter(|l| !l.is_empty()) {
        Some(last4) => format!("{name} •••• {last4}"),
        None => name,
    }
}

/// The line with the date that matters for the status.
fn dates(ctx: &Ctx, b: &BillingBilling) -> Html {
    let trial_end = b.trial_ends_at.as_deref();
    let period_end = b.current_period_end.as_deref();
    match (&b.status, trial_end, period_end) {
        (PlanStatus::TRIALING | PlanStatus::ACTIVE | PlanStatus::PAST_DUE, _, Some(end))
            if b.cancel_at_period_end =>
        {
            html! { <p id="plan-ends">{ format!("{} {}.", ctx.t(Key::PlanEndsOn), date(ctx.lang, end)) }</p> }
        }
        (PlanStatus::TRIALING, Some(end), _) => html! {
            <p id="plan-trial-end">
                { format!("{} {}", ctx.t(Key::PlanTrialUntil), date(ctx.lang, end)) }
                { days_until(end).map(|d| format!(" ({d} {})", ctx.t(Key::PlanDaysLeft))).unwrap_or_default() }
            </p>
        },
        (PlanStatus::ACTIVE | PlanStatus::PAST_DUE, _, Some(end)) => {
            let key = if b.managed_by == BillingManager::STRIPE {
                Key::PlanRenewsOn
            } else {
                Key::PlanPeriodUntil
            };
            html! { <p id="plan-period-end">{ format!("{} {}", ctx.t(key), date(ctx.lang, end)) }</p> }
        }
        _ => html! {},
    }
}

/// The current plan: name, status, price, dates, payment method and the way to the portal.
pub(super) fn current_plan(
    ctx: &Ctx,
    b: &BillingBilling,
    manage: Callback<MouseEvent>,
    busy: Option<&str>,
) -> Html {
    let (status_class, status_label) = status_badge(ctx, &b.status);
    let stripe = b.configured && b.managed_by == BillingManager::STRIPE;
    let method = match &b.payment_method {
        Some(method) => Some(payment_method(ctx, method)),
        None => stripe.then(|| ctx.t(Key::PlanNoPaymentMethod).to_owned()),
    };
    html! {
        <section class="card stack" aria-labelledby="current-plan">
            <h2 id="current-plan">{ ctx.t(Key::PlanCurrent) }</h2>
            <div class="row">
                <span class="plan-name" id="plan-name">{ b.plan.name.clone() }</span>
                <span class={classes!("badge", status_class)} id="plan-status">{ status_label }</span>
            </div>
            <p>{ format!("{} {}", euros(ctx.lang, b.plan.price.amount_cents, b.plan.price.amount_cents), ctx.t(Key::PlanPerMonth)) }</p>
            { dates(ctx, b) }
            if b.status == PlanStatus::PAST_DUE {
                if let Some(end) = &b.grace_ends_at {
                    <p class="bad-text" id="plan-grace-end">{ format!("{} {}", ctx.t(Key::PlanGraceUntil), date(ctx.lang, end)) }</p>
                }
            }
            if let Some(method) = method {
                <p>
                    { ctx.t(Key::PlanPaymentMethod) }{ " " }
                    <span id="payment-method">{ method }</span>
                </p>
            }
            if b.managed_by == BillingManager::MANUAL {
                <p class="muted small">{ ctx.t(Key::PlanManagedByOperator) }</p>
            }
            if b.status == PlanStatus::CANCELED {
                <div class="callout warn"><p>{ ctx.t(Key::PlanCanceledText) }</p></div>
            }
            if b.status == PlanStatus::INACTIVE {
                <div class="callout warn">
                    <p>{ ctx.t(Key::PlanInactiveText) }</p>
                    if let Some(end) = &b.trial_ends_at {
                        <p class="muted small">{ format!("{} {}", ctx.t(Key::PlanTrialEnded), date(ctx.lang, end)) }</p>
                    }
                </div>
            }
            if stripe {
                <div class="stack">
                    <div class="row">
                        <button type="button" id="manage-billing" onclick={manage} disabled={busy.is_some()}
                            aria-busy={(busy == Some("manage-billing")).then_some("true")}>
                            { if busy == Some("manage-billing") { ctx.t(Key::PlanRedirecting) } else { ctx.t(Key::PlanManage) } }
                        </button>
                    </div>
                    <p class="hint">{ ctx.t(Key::PlanManageHint) }</p>
                </div>
            }
        </section>
    }
}

/// One "used of allowed" line with a meter (`None`: unlimited).
fn usage_line(ctx: &Ctx, id: &str, label: &str, used: i64, limit: Option<i64>) -> Html {
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

/// The usage against the plan's limits, as the server counts it.
pub(super) fn usage_card(ctx: &Ctx, b: &BillingBilling) -> Html {
    let over = |quota: Quota, strictly: bool| {
        b.usage.iter().any(|u| {
            u.quota == quota
                && u.limit
                    .is_some_and(|l| if strictly { u.used > l } else { u.used >= l })
        })
    };
    let lines = b.usage.iter().filter_map(|u| {
        let (id, key) = match u.quota {
            Quota::CLIENT_KEYS => ("usage-keys", Key::PlanActiveKeys),
            Quota::LEADS_PER_MONTH => ("usage-leads", Key::PlanLeadsMonth),
            Quota::LOCATIONS => ("usage-locations", Key::PlanLocations),
            Quota::Other(_) => return None,
        };
        Some(usage_line(ctx, id, ctx.t(key), u.used, u.limit))
    });
    html! {
        <section class="card stack" aria-labelledby="plan-usage">
            <h2 id="plan-usage">{ ctx.t(Key::PlanUsage) }</h2>
            { for lines }
            if over(Quota::LEADS_PER_MONTH, false) {
                <p class="small">{ ctx.t(Key::PlanLeadsOver) }</p>
            }
            if over(Quota::CLIENT_KEYS, true) {
                <p class="small">{ ctx.t(Key::PlanKeysOver) }</p>
            }
            <p class="small">
                <RouteLink to={Route::Widget}>{ ctx.t(Key::PlanManageKeys) }</RouteLink>
            </p>
        </section>
    }
}
