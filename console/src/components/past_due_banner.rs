//! The warning on every page while the workshop's last payment failed (`PAST_DUE`): by when the
//! payment method must be updated (`graceEndsAt`) before the AI answers pause, and the way to the
//! plan page. Owners only: `billing` refuses staff, who could not change the payment anyway, so
//! staff see no banner.

use yew::prelude::*;

use crate::api;
use crate::components::dates::date;
use crate::components::link::RouteLink;
use crate::ctx::use_ctx;
use crate::i18n::Key;
use crate::route::Route;

#[function_component(PastDueBanner)]
pub fn past_due_banner() -> Html {
    let ctx = use_ctx();
    // `Some(grace end)` while the payment is overdue.
    let past_due = use_state(|| None::<Option<String>>);
    let owner = ctx.is_owner();

    {
        let (ctx, past_due) = (ctx.clone(), past_due.clone());
        use_effect_with(owner, move |owner| {
            if *owner {
                wasm_bindgen_futures::spawn_local(async move {
                    // A failure leaves the banner out; the page itself reports its own.
                    if let Ok(data) = api::run::<api::BillingStatus>(
                        ctx.token().as_deref(),
                        api::billing_status::Variables {},
                    )
                    .await
                    {
                        let billing = data.billing;
                        past_due.set(
                            (billing.status == api::billing_status::PlanStatus::PAST_DUE)
                                .then_some(billing.grace_ends_at),
                        );
                    }
                });
            } else {
                past_due.set(None);
            }
        });
    }

    let Some(grace) = (*past_due).clone().filter(|_| owner) else {
        return html! {};
    };
    let text = match grace.as_deref() {
        Some(end) => ctx.tf(Key::PastDueText, &date(ctx.lang, end)),
        None => ctx.t(Key::PastDueTextNoDate).to_owned(),
    };
    html! {
        <div class="callout warn past-due-banner" role="status" id="past-due-banner">
            <p>{ text }</p>
            <RouteLink to={Route::Plan}>{ ctx.t(Key::PastDueLink) }</RouteLink>
        </div>
    }
}
