//! The link of a password reset e-mail (`/reset-password?token=…`): a new password, and then
//! signed in (every other session of the account has ended).

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::link::RouteLink;
use crate::components::user_errors::{error_for, other_errors};
use crate::ctx::use_ctx;
use crate::hooks::navigate::use_navigate;
use crate::hooks::query::use_query_param;
use crate::i18n::Key;
use crate::route::Route;
use crate::session::SignedIn;

#[function_component(ResetPassword)]
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
                    <h1 id="auth-title">{ ctx.t(Key::ResetTitle) }</h1>
                    <p class="error">{ ctx.t(Key::LinkIncomplete) }</p>
                    <RouteLink to={Route::ForgotPassword}>{ ctx.t(Key::ResetAgain) }</RouteLink>
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
            let input = api::reset_password::ResetPasswordInput {
                token: token.clone(),
                password: (*password).clone(),
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result =
                    api::run::<api::ResetPassword>(None, api::reset_password::Variables { input })
                        .await;
                busy.set(false);
                match result.map(|data| SignedIn::from(data.reset_password)) {
                    Ok(SignedIn {
                        session: Some(session),
                        ..
                    }) => {
                        ctx.notify.emit(ctx.t(Key::ResetDone).to_owned());
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
                <h1 id="auth-title">{ ctx.t(Key::ResetTitle) }</h1>
                <p class="hint">{ ctx.t(Key::ResetIntro) }</p>
                <Field label={ctx.t(Key::NewPassword)} name="new-password" kind="password"
                    value={(*password).clone()}
                    oninput={{ let password = password.clone(); Callback::from(move |v| password.set(v)) }}
                    error={error_for(&errors, "password")} required=true autocomplete="new-password"
                    hint={ctx.t(Key::PasswordHint)} />
                if let Some(message) = token_error {
                    <div class="callout bad" role="alert">
                        <p>{ message }</p>
                        <RouteLink to={Route::ForgotPassword}>{ ctx.t(Key::ResetAgain) }</RouteLink>
                    </div>
                }
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::ResetSave) }</button>
            </form>
        </div>
    }
}
