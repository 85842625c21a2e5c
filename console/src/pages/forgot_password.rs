//! "Passwort vergessen?": asks for a reset link. The answer is the same for every address (the
//! server tells nobody which addresses have an account), so the page says only where to look.

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::link::RouteLink;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::i18n::Key;
use crate::route::Route;

#[function_component(ForgotPassword)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let email = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let sent_to = use_state(|| None::<String>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, email, errors, sent_to, busy) = (
            ctx.clone(),
            email.clone(),
            errors.clone(),
            sent_to.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, errors, sent_to, busy) =
                (ctx.clone(), errors.clone(), sent_to.clone(), busy.clone());
            let address = (*email).trim().to_owned();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::RequestPasswordReset>(
                    None,
                    api::request_password_reset::Variables {
                        email: address.clone(),
                    },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.request_password_reset;
                        if payload.ok {
                            errors.set(vec![]);
                            sent_to.set(Some(address));
                        } else {
                            errors.set(error_paths(
                                payload.user_errors.iter().map(|e| (&e.field, &e.message)),
                            ));
                        }
                    }
                    Err(error) => errors.set(vec![(String::new(), ctx.error_text(&error))]),
                }
            });
        })
    };
    let rest = other_errors(&errors, &["email"]);
    html! {
        <div class="auth">
            if let Some(address) = &*sent_to {
                <div class="card" role="status" aria-labelledby="auth-title">
                    <h1 id="auth-title">{ ctx.t(Key::ForgotSentTitle) }</h1>
                    <p id="reset-sent">
                        { ctx.t(Key::ForgotSent1) }{ " " }<strong>{ address.clone() }</strong>{ " " }
                        { ctx.t(Key::ForgotSent2) }
                    </p>
                    <p class="hint">{ ctx.t(Key::ForgotSentHint) }</p>
                    <RouteLink to={Route::Dashboard}>{ ctx.t(Key::BackToLogin) }</RouteLink>
                </div>
            } else {
                <form class="card" {onsubmit} aria-labelledby="auth-title" novalidate=true>
                    <h1 id="auth-title">{ ctx.t(Key::ForgotTitle) }</h1>
                    <p class="hint">{ ctx.t(Key::ForgotIntro) }</p>
                    <Field label={ctx.t(Key::Email)} name="email" kind="email" value={(*email).clone()}
                        oninput={{ let email = email.clone(); Callback::from(move |v| email.set(v)) }}
                        error={error_for(&errors, "email")} required=true autocomplete="email" />
                    { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                    <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::ForgotSend) }</button>
                    <RouteLink to={Route::Dashboard}>{ ctx.t(Key::BackToLogin) }</RouteLink>
                </form>
            }
        </div>
    }
}
