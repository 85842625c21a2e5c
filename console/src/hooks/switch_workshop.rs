//! Moving the session to another workshop (location) the user belongs to: from the switcher in
//! the header, or from an e-mail link that names the workshop (`/leads/…?workshop=…`).

use yew::prelude::*;
use yew_router::prelude::{use_navigator, use_route};

use crate::api;
use crate::ctx::{Ctx, use_ctx};
use crate::hooks::query::use_query_param;
use crate::i18n::Key;
use crate::route::Route;
use crate::session::SignedIn;

/// Switches to the workshop `workshop_id`: `switchWorkshop` ends the current session and opens
/// one for that workshop (its refresh cookie replaces the old one); the new access token
/// replaces the one in memory, and the shell, keyed by the workshop, loads every page's data
/// again. `true` when the session now acts for that workshop.
pub async fn switch_to(ctx: &Ctx, workshop_id: String) -> bool {
    let result = api::run::<api::SwitchWorkshop>(
        ctx.token().as_deref(),
        api::switch_workshop::Variables { workshop_id },
    )
    .await;
    match result {
        Ok(data) => {
            let signed = SignedIn::from(data.switch_workshop);
            match signed.session {
                Some(session) => {
                    ctx.notify
                        .emit(format!("{} {}", ctx.t(Key::LocSwitched), session.workshop));
                    ctx.set_session.emit(Some(session));
                    true
                }
                None => {
                    let message = signed
                        .errors
                        .into_iter()
                        .map(|(_, m)| m)
                        .next()
                        .unwrap_or_else(|| ctx.t(Key::Error).to_owned());
                    ctx.notify.emit(message);
                    false
                }
            }
        }
        Err(error) => {
            ctx.fail(error);
            false
        }
    }
}

/// Follows `?workshop=` in the address (links in lead e-mails and daily summaries): when the
/// session acts for another of the user's workshops, it switches there first; then the
/// parameter leaves the address. `true` while the page should wait for the switch.
#[hook]
pub fn use_workshop_from_address() -> bool {
    let ctx = use_ctx();
    let wanted = use_query_param("workshop");
    let route = use_route::<Route>().unwrap_or_default();
    let navigator = use_navigator();
    let switching = use_state(|| false);
    let needs_switch = |ctx: &Ctx, wanted: &str| {
        ctx.session.as_ref().is_some_and(|s| {
            s.workshop_id != wanted && s.memberships.iter().any(|m| m.workshop_id == wanted)
        })
    };
    let waiting = wanted.as_deref().is_some_and(|w| needs_switch(&ctx, w));
    {
        let (ctx, switching) = (ctx.clone(), switching.clone());
        use_effect_with(wanted, move |wanted| {
            if let Some(wanted) = wanted.clone() {
                // The same page without the parameter, so that a reload does not switch again.
                let settle = move || {
                    if let Some(navigator) = navigator {
                        navigator.replace(&route);
                    }
                };
                if needs_switch(&ctx, &wanted) {
                    switching.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        switch_to(&ctx, wanted).await;
                        switching.set(false);
                        settle();
                    });
                } else {
                    // Already there, or not one of the user's workshops: the page stays.
                    settle();
                }
            }
        });
    }
    waiting || *switching
}
