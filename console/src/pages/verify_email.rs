//! The link that confirms an address (`/verify-email?token=…`, after registering or changing the
//! address): confirms it once and says so. Signed out it stands alone; signed in it is a page of
//! the console, and the reminder about the address goes away.

use yew::prelude::*;

use crate::api;
use crate::components::link::RouteLink;
use crate::ctx::use_ctx;
use crate::hooks::query::use_query_param;
use crate::i18n::Key;
use crate::route::Route;
use crate::session::current_viewer;

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Checking,
    /// The confirmed address.
    Confirmed(String),
    Refused(String),
}

#[function_component(VerifyEmail)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let token = use_query_param("token");
    let outcome = use_state(|| Outcome::Checking);

    {
        let (ctx, outcome) = (ctx.clone(), outcome.clone());
        // Once per link: each link works once.
        use_effect_with(token, move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Some(token) = token else {
                    outcome.set(Outcome::Refused(ctx.t(Key::LinkIncomplete).to_owned()));
                    return;
                };
                let result = api::run::<api::VerifyEmail>(
                    ctx.token().as_deref(),
                    api::verify_email::Variables { token },
                )
                .await;
                match result {
                    Ok(data) => {
                        let payload = data.verify_email;
                        match (payload.email, payload.user_errors.first()) {
                            (Some(email), None) => {
                                outcome.set(Outcome::Confirmed(email));
                                // Signed in: the session learns that the address is confirmed
                                // (or changed), from the server rather than by guessing whose
                                // link this was.
                                if let Some(session) = ctx.session.clone()
                                    && let Ok(viewer) =
                                        current_viewer(Some(&session.access_token)).await
                                {
                                    ctx.set_session.emit(Some(session.with_viewer(viewer)));
                                }
                            }
                            (_, Some(error)) => {
                                outcome.set(Outcome::Refused(error.message.clone()))
                            }
                            (None, None) => {
                                outcome.set(Outcome::Refused(ctx.t(Key::Error).to_owned()))
                            }
                        }
                    }
                    Err(error) => outcome.set(Outcome::Refused(ctx.error_text(&error))),
                }
            });
        });
    }

    let signed_in = ctx.session.is_some();
    let next = if signed_in {
        html! { <RouteLink to={Route::Dashboard}>{ ctx.t(Key::ToConsole) }</RouteLink> }
    } else {
        html! { <RouteLink to={Route::Dashboard}>{ ctx.t(Key::BackToLogin) }</RouteLink> }
    };
    let body = match &*outcome {
        Outcome::Checking => html! {
            <p class="muted" aria-busy="true" role="status">{ ctx.t(Key::VerChecking) }</p>
        },
        Outcome::Confirmed(email) => html! {
            <div class="callout secret" role="status" id="verify-result">
                <p>{ ctx.t(Key::VerConfirmed1) }{ " " }<strong>{ email.clone() }</strong>{ " " }{ ctx.t(Key::VerConfirmed2) }</p>
                { next }
            </div>
        },
        Outcome::Refused(message) => html! {
            <div class="callout bad" role="alert" id="verify-result">
                <p>{ message.clone() }</p>
                <p class="hint">{ if signed_in { ctx.t(Key::VerRefusedSignedIn) } else { ctx.t(Key::VerRefusedSignedOut) } }</p>
                { next }
            </div>
        },
    };
    if signed_in {
        html! {
            <section class="stack narrow-page">
                <h1>{ ctx.t(Key::VerTitle) }</h1>
                { body }
            </section>
        }
    } else {
        html! {
            <div class="auth">
                <div class="card">
                    <h1 id="auth-title">{ ctx.t(Key::VerTitle) }</h1>
                    { body }
                </div>
            </div>
        }
    }
}
