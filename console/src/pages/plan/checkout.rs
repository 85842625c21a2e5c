//! Back from Stripe Checkout. `?checkout=success`: Stripe's webhook may arrive after the
//! redirect, so the page asks `billing` every 2 s (for up to 60 s) until the subscription runs
//! (`ACTIVE`, or a Stripe trial) on the plan chosen, then loads the page again, says so and
//! takes the parameter out of the address (`history.replaceState`, through the router).
//! Past 60 s it says the confirmation is late, with a button to check again; the parameter stays,
//! so that a reload keeps waiting. `?checkout=canceled`: nothing changed, and the page says so.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;
use yew_router::prelude::use_navigator;

use super::{Overview, load};
use crate::api::billing::PlanCode;
use crate::api::{self, ApiError};
use crate::ctx::{Ctx, use_ctx};
use crate::hooks::query::use_query_param;
use crate::i18n::Key;
use crate::route::Route;

/// How often and how long the page asks.
const EVERY_MS: u32 = 2_000;
const FOR_MS: f64 = 60_000.0;

/// The plan chosen for Checkout, kept in the tab's session storage across Stripe's pages.
const CHOSEN: &str = "carbot_checkout_plan";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Keeps the plan being paid for, to know its payment when it is confirmed.
pub(super) fn remember_plan(code: &PlanCode) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(CHOSEN, &format!("{code:?}"));
    }
}

fn remembered_plan() -> Option<String> {
    session_storage()?.get_item(CHOSEN).ok().flatten()
}

fn forget_plan() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(CHOSEN);
    }
}

/// Whether the payment has arrived: the subscription runs, on the plan chosen (when known).
fn confirmed(b: &api::billing_status::BillingStatusBilling, chosen: Option<&str>) -> bool {
    use api::billing_status::{BillingManager, PlanStatus};
    let runs = match b.status {
        PlanStatus::ACTIVE => true,
        PlanStatus::TRIALING => b.managed_by == BillingManager::STRIPE,
        _ => false,
    };
    runs && chosen.is_none_or(|code| format!("{:?}", b.plan.code) == code)
}

#[derive(Clone, Debug, PartialEq)]
enum Return {
    /// Not back from Checkout.
    None,
    /// Waiting for the confirmation.
    Pending,
    /// Confirmed: the plan's name.
    Done(String),
    /// Not confirmed within 60 s.
    Late,
    Canceled,
}

/// Asks until the payment is confirmed, the time is up, or the page is left (`alive`).
async fn wait_for_payment(
    ctx: Rc<Ctx>,
    state: UseStateHandle<Return>,
    on_confirmed: Callback<Overview>,
    settle: Callback<()>,
    alive: Rc<Cell<bool>>,
) {
    let chosen = remembered_plan();
    let start = js_sys::Date::now();
    let mut first = true;
    loop {
        if !first {
            if js_sys::Date::now() - start >= FOR_MS {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(EVERY_MS).await;
        }
        first = false;
        if !alive.get() {
            return;
        }
        match api::run::<api::BillingStatus>(
            ctx.token().as_deref(),
            api::billing_status::Variables {},
        )
        .await
        {
            Ok(data) if confirmed(&data.billing, chosen.as_deref()) => {
                // The whole page again (new plan, payment method, invoice), then the notice.
                let fresh = load(&ctx).await;
                if !alive.get() {
                    return;
                }
                if let Ok(fresh) = fresh {
                    on_confirmed.emit(fresh);
                }
                forget_plan();
                state.set(Return::Done(data.billing.plan.name));
                settle.emit(());
                return;
            }
            Err(ApiError::SignedOut) => {
                ctx.fail(ApiError::SignedOut);
                return;
            }
            // Not yet, or a passing failure: ask again.
            _ => {}
        }
    }
    if alive.get() {
        state.set(Return::Late);
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct CheckoutProps {
    /// The page's data, loaded again once the payment is confirmed.
    pub(super) on_confirmed: Callback<Overview>,
}

#[function_component(CheckoutReturn)]
pub(super) fn checkout_return(props: &CheckoutProps) -> Html {
    let ctx = use_ctx();
    let param = use_query_param("checkout");
    let navigator = use_navigator();
    // What the address came with; it stays when the parameter leaves the address.
    let state = use_state(|| match param.as_deref() {
        Some("success") => Return::Pending,
        Some("canceled") => Return::Canceled,
        _ => Return::None,
    });
    let round = use_state(|| 0u32);
    // The same page without `?checkout=…`, so that a reload does not show the notice again.
    let settle = Callback::from(move |()| {
        if let Some(navigator) = &navigator {
            navigator.replace(&Route::Plan);
        }
    });

    {
        let (settle, arrived) = (settle.clone(), (*state).clone());
        use_effect_with((), move |_| match arrived {
            Return::Canceled => {
                forget_plan();
                settle.emit(());
            }
            // A plan remembered from an earlier Checkout that never came back.
            Return::None => forget_plan(),
            _ => {}
        });
    }
    {
        let (ctx, state, on_confirmed) = (ctx.clone(), state.clone(), props.on_confirmed.clone());
        let pending = *state == Return::Pending;
        use_effect_with((pending, *round), move |(pending, _)| {
            let alive = Rc::new(Cell::new(true));
            if *pending {
                wasm_bindgen_futures::spawn_local(wait_for_payment(
                    ctx,
                    state,
                    on_confirmed,
                    settle,
                    alive.clone(),
                ));
            }
            move || alive.set(false)
        });
    }

    match &*state {
        Return::None => html! {},
        Return::Pending => html! {
            <div class="callout info" role="status" aria-busy="true" id="checkout-pending">
                <p>{ ctx.t(Key::PlanCheckoutPending) }</p>
            </div>
        },
        Return::Done(name) => html! {
            <div class="callout secret" role="status" id="checkout-done">
                <p>{ ctx.tf(Key::PlanCheckoutDone, name) }</p>
            </div>
        },
        Return::Late => {
            let again = {
                let (state, round) = (state.clone(), round.clone());
                Callback::from(move |_| {
                    state.set(Return::Pending);
                    round.set(*round + 1);
                })
            };
            html! {
                <div class="callout warn" role="status" id="checkout-late">
                    <p>{ ctx.t(Key::PlanCheckoutSlow) }</p>
                    <button type="button" id="checkout-check-again" onclick={again}>{ ctx.t(Key::PlanCheckAgain) }</button>
                </div>
            }
        }
        Return::Canceled => html! {
            <div class="callout info" role="status" id="checkout-canceled">
                <p>{ ctx.t(Key::PlanCheckoutCanceled) }</p>
            </div>
        },
    }
}
