//! The link of an invitation into a workshop's team (`/invitation?token=…`): with a password
//! for a new account, or the password of the account the address already has; then signed in
//! to the workshop.

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::link::RouteLink;
use crate::components::user_errors::{error_for, other_errors};
use crate::ctx::use_ctx;
use crate::hooks::navigate::use_navigate;
use crate::hooks::query::use_query_param;
use crate::i18n::{Key, Lang};
use crate::route::Route;
use crate::session::SignedIn;

#[function_component(Invitation)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let token = use_query_param("token");
    let password = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let Some(token) = token else {
        return html! {
            <div class="auth">
                <div class="card" role="alert">
                    <h1 id="auth-title">{ ctx.t(Key::InvTitle) }</h1>
                    <p class="error">{ ctx.t(Key::LinkIncomplete) }</p>
                    <RouteLink to={Route::Dashboard}>{ ctx.t(Key::BackToLogin) }</RouteLink>
                </div>
            </div>
        };
    };
    let onsubmit = {
        let (ctx, password, errors, busy) =
            (ctx.clone(), password.clone(), errors.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, errors, busy, navigate) =
                (ctx.clone(), errors.clone(), busy.clone(), navigate.clone());
            let input = api::accept_invitation::AcceptInvitationInput {
                token: token.clone(),
                password: Some((*password).clone()).filter(|p| !p.is_empty()),
                // A new account's e-mails in the language the console is shown in.
                locale: Some(match ctx.lang {
                    Lang::De => api::accept_invitation::Locale::DE,
                    Lang::En => api::accept_invitation::Locale::EN,
                }),
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // A session of the invited account (signed in here) accepts without a password.
                let result = api::run::<api::AcceptInvitation>(
                    ctx.token().as_deref(),
                    api::accept_invitation::Variables { input },
                )
                .await;
                busy.set(false);
                match result.map(|data| SignedIn::from(data.accept_invitation)) {
                    Ok(SignedIn {
                        session: Some(session),
                        ..
                    }) => {
                        ctx.notify
                            .emit(format!("{} {}", ctx.t(Key::InvWelcome), session.workshop));
                        ctx.set_session.emit(Some(session));
                        navigate.emit(Route::Dashboard);
                    }
                    Ok(SignedIn { errors: found, .. }) => errors.set(found),
                    Err(error) => errors.set(vec![(String::new(), ctx.error_text(&error))]),
                }
            });
        })
    };
    let token_error = error_for(&errors, "token");
    let rest = other_errors(&errors, &["password", "token"]);
    html! {
        <div class="auth">
            <form class="card" {onsubmit} aria-labelledby="auth-title" novalidate=true>
                <h1 id="auth-title">{ ctx.t(Key::InvTitle) }</h1>
                <p>{ ctx.t(Key::InvIntro) }</p>
                <ul class="hint invitation-help">
                    <li>{ ctx.t(Key::InvNewAccount) }</li>
                    <li>{ ctx.t(Key::InvExistingAccount) }</li>
                </ul>
                <Field label={ctx.t(Key::Password)} name="invitation-password" kind="password"
                    value={(*password).clone()}
                    oninput={{ let password = password.clone(); Callback::from(move |v| password.set(v)) }}
                    error={error_for(&errors, "password")} required=true autocomplete="new-password"
                    hint={ctx.t(Key::PasswordHint)} />
                if let Some(message) = token_error {
                    <div class="callout bad" role="alert">
                        <p>{ message }</p>
                        <p class="hint">{ ctx.t(Key::InvAskAgain) }</p>
                    </div>
                }
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::InvAccept) }</button>
            </form>
        </div>
    }
}
