//! The workshop's plan and what it pays (`billing`, owners only): status, trial or period end,
//! payment method, usage against the plan's limits, the price list with a Stripe Checkout per
//! plan, the Stripe customer portal, and the invoices. Coming back from Checkout
//! (`?checkout=success|canceled`) the page waits for the payment's confirmation (see
//! [`checkout`]). Without Stripe on the platform (`configured: false`) the operator sets plans,
//! and the page says so instead of offering to pay.

mod checkout;
mod invoices;
mod prices;
mod status;

use yew::prelude::*;

use checkout::{CheckoutReturn, remember_plan};
use invoices::invoice_list;
use prices::price_list;
use status::{current_plan, usage_card};

use crate::api::{self, ApiError};
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::{Ctx, use_ctx};
use crate::i18n::Key;

use api::billing::{BillingManager, PlanCode, PlanStatus};

/// What the page shows: the `Billing` operation's answer as it came.
type Overview = api::billing::ResponseData;

/// Loads the page's data (again after Checkout confirmed a payment).
async fn load(ctx: &Ctx) -> Result<Overview, ApiError> {
    api::run::<api::Billing>(ctx.token().as_deref(), api::billing::Variables {}).await
}

/// Whether the current plan is paid for (or set by the operator): then the price list offers
/// no Checkout for it; in a free trial, after cancellation or inactive it does.
fn paying(billing: &api::billing::BillingBilling) -> bool {
    match billing.status {
        PlanStatus::ACTIVE | PlanStatus::PAST_DUE => true,
        PlanStatus::TRIALING => billing.managed_by == BillingManager::STRIPE,
        _ => false,
    }
}

/// An address the server gave to open (Stripe's pages, invoices): only `https:` and `http:`.
fn web_url(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// Leaves the console for a page of Stripe's. Should the browser bring this page back from its
/// cache (the back button), the buttons work again after a few seconds.
async fn go_to(url: &str, busy: UseStateHandle<Option<String>>) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
    gloo_timers::future::TimeoutFuture::new(8_000).await;
    busy.set(None);
}

/// A mutation's answer: the address to go to, or the user errors as messages.
enum Outcome {
    Go(String),
    Refused(Vec<String>),
}

/// The messages of a payload's user errors (`BILLING_NOT_CONFIGURED` in the console's own
/// words), or the address when there are none.
macro_rules! outcome {
    ($ctx:expr, $payload:expr, $module:ident) => {{
        let payload = $payload;
        let messages: Vec<String> = payload
            .user_errors
            .iter()
            .map(|e| match e.code {
                api::$module::UserErrorCode::BILLING_NOT_CONFIGURED => {
                    $ctx.t(Key::PlanNotConfigured).to_owned()
                }
                _ => e.message.clone(),
            })
            .collect();
        match payload.url.as_deref().and_then(web_url) {
            Some(url) if messages.is_empty() => Outcome::Go(url.to_owned()),
            _ if messages.is_empty() => Outcome::Refused(vec![$ctx.t(Key::PlanNoUrl).to_owned()]),
            _ => Outcome::Refused(messages),
        }
    }};
}

fn checkout_plan(code: &PlanCode) -> api::start_checkout::PlanCode {
    use api::start_checkout::PlanCode as Wanted;
    match code {
        PlanCode::BASIC => Wanted::BASIC,
        PlanCode::PREMIUM => Wanted::PREMIUM,
        PlanCode::ENTERPRISE => Wanted::ENTERPRISE,
        PlanCode::Other(other) => Wanted::Other(other.clone()),
    }
}

#[function_component(PlanPage)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let overview = use_state(|| Load::<Overview>::Loading);
    let version = use_state(|| 0u32);
    // The id of the button whose request runs (then every billing button waits).
    let busy = use_state(|| None::<String>);
    let refusals = use_state(Vec::<String>::new);

    {
        let (ctx, overview) = (ctx.clone(), overview.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = load(&ctx).await;
                overview.set(Load::from_result(&ctx, result));
            });
        });
    }

    // Each runs its mutation and leaves for the address it returns; what stops it stays on the
    // page above the price list.
    let checkout = {
        let (ctx, busy, refusals) = (ctx.clone(), busy.clone(), refusals.clone());
        Callback::from(move |code: PlanCode| {
            let (ctx, busy, refusals) = (ctx.clone(), busy.clone(), refusals.clone());
            busy.set(Some(format!("checkout-{code:?}")));
            refusals.set(Vec::new());
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::StartCheckout>(
                    ctx.token().as_deref(),
                    api::start_checkout::Variables {
                        plan: checkout_plan(&code),
                    },
                )
                .await;
                match result.map(|data| outcome!(ctx, data.start_checkout, start_checkout)) {
                    Ok(Outcome::Go(url)) => {
                        remember_plan(&code);
                        go_to(&url, busy).await;
                    }
                    Ok(Outcome::Refused(messages)) => {
                        busy.set(None);
                        refusals.set(messages);
                    }
                    Err(error) => {
                        busy.set(None);
                        ctx.fail(error);
                    }
                }
            });
        })
    };
    let manage = {
        let (ctx, busy, refusals) = (ctx.clone(), busy.clone(), refusals.clone());
        Callback::from(move |_: MouseEvent| {
            let (ctx, busy, refusals) = (ctx.clone(), busy.clone(), refusals.clone());
            busy.set(Some("manage-billing".into()));
            refusals.set(Vec::new());
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::OpenBillingPortal>(
                    ctx.token().as_deref(),
                    api::open_billing_portal::Variables {},
                )
                .await;
                match result
                    .map(|data| outcome!(ctx, data.open_billing_portal, open_billing_portal))
                {
                    Ok(Outcome::Go(url)) => go_to(&url, busy).await,
                    Ok(Outcome::Refused(messages)) => {
                        busy.set(None);
                        refusals.set(messages);
                    }
                    Err(error) => {
                        busy.set(None);
                        ctx.fail(error);
                    }
                }
            });
        })
    };
    let on_confirmed = {
        let overview = overview.clone();
        Callback::from(move |fresh: Overview| overview.set(Load::Ready(fresh)))
    };

    let body = match &*overview {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, {
            let version = version.clone();
            Callback::from(move |_| version.set(*version + 1))
        }),
        Load::Ready(o) => {
            let billing = &o.billing;
            html! {
                <>
                    <div class="plan-top">
                        { current_plan(&ctx, billing, manage, busy.as_deref()) }
                        { usage_card(&ctx, billing) }
                    </div>
                    if !refusals.is_empty() {
                        <div class="callout bad" role="alert" id="billing-error">
                            { for refusals.iter().map(|m| html! { <p>{ m.clone() }</p> }) }
                        </div>
                    }
                    { price_list(&ctx, o, checkout, busy.as_deref()) }
                    if billing.configured || !billing.invoices.edges.is_empty() {
                        { invoice_list(&ctx, billing) }
                    }
                </>
            }
        }
    };
    html! {
        <section class="plan-page stack">
            <h1>{ ctx.t(Key::Plan) }</h1>
            <CheckoutReturn {on_confirmed} />
            { body }
        </section>
    }
}
