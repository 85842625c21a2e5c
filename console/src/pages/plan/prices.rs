//! The price list: each plan with what it includes and, where the platform takes payments, a
//! button that starts Stripe Checkout for it (none for the plan that is already paid for).

use yew::prelude::*;

use super::{Overview, paying};
use crate::api::billing::{BillingPlans, BillingPlansLimits, PlanCode};
use crate::ctx::Ctx;
use crate::i18n::{Key, euros};

fn features(ctx: &Ctx, limits: &BillingPlansLimits) -> Html {
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

/// "Basic wählen" without a paid plan; with one, "Auf Premium upgraden" or "Zu Basic wechseln".
fn choose_label(ctx: &Ctx, plan: &BillingPlans, current_cents: i64, paying: bool) -> String {
    let key = if !paying {
        Key::PlanChoose
    } else if plan.price.amount_cents > current_cents {
        Key::PlanUpgrade
    } else {
        Key::PlanSwitchTo
    };
    ctx.tf(key, &plan.name)
}

pub(super) fn price_list(
    ctx: &Ctx,
    o: &Overview,
    checkout: Callback<PlanCode>,
    busy: Option<&str>,
) -> Html {
    let b = &o.billing;
    let paying = paying(b);
    html! {
        <section class="stack" aria-labelledby="price-list">
            <h2 id="price-list">{ ctx.t(Key::PlanPrices) }</h2>
            if !b.configured {
                <div class="callout info" role="note" id="billing-not-configured">
                    <p>{ ctx.t(Key::PlanNotConfigured) }</p>
                </div>
            }
            <div class="plans">
                { for o.plans.iter().map(|p| {
                    let current = p.code == b.plan.code;
                    let id = format!("checkout-{:?}", p.code);
                    let offer = b.configured && !(current && paying);
                    let onclick = {
                        let (checkout, code) = (checkout.clone(), p.code.clone());
                        Callback::from(move |_: MouseEvent| checkout.emit(code.clone()))
                    };
                    let waiting = busy == Some(id.as_str());
                    html! {
                        <article class={classes!("card", "plan", current.then_some("current"))}
                            aria-current={current.then_some("true")}>
                            <h3>{ p.name.clone() }</h3>
                            <p class="plan-price">
                                <strong>{ euros(ctx.lang, p.price.amount_cents, p.price.amount_cents) }</strong>{ " " }{ ctx.t(Key::PlanPerMonth) }
                            </p>
                            if current {
                                <p><span class="badge on">{ ctx.t(Key::PlanYours) }</span></p>
                            }
                            { features(ctx, &p.limits) }
                            if offer {
                                <button type="button" class="primary" id={id} {onclick}
                                    disabled={busy.is_some()} aria-busy={waiting.then_some("true")}>
                                    { if waiting { ctx.t(Key::PlanRedirecting).to_owned() } else { choose_label(ctx, p, b.plan.price.amount_cents, paying) } }
                                </button>
                            }
                        </article>
                    }
                }) }
            </div>
            <p class="hint">{ ctx.t(Key::PlanVat) }</p>
        </section>
    }
}
