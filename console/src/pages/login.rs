//! Sign in or create a workshop account; the way to a forgotten password.

use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::field::Field;
use crate::components::link::RouteLink;
use crate::components::user_errors::error_for;
use crate::ctx::use_ctx;
use crate::i18n::{Key, Lang};
use crate::route::Route;
use crate::session::SignedIn;

#[function_component(Login)]
pub fn login() -> Html {
    let ctx = use_ctx();
    let registering = use_state(|| false);
    let email = use_state(String::new);
    let password = use_state(String::new);
    let workshop = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, registering, email, password, workshop, errors, busy) = (
            ctx.clone(),
            registering.clone(),
            email.clone(),
            password.clone(),
            workshop.clone(),
            errors.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, errors, busy) = (ctx.clone(), errors.clone(), busy.clone());
            let (email, password, workshop, registering) = (
                (*email).clone(),
                (*password).clone(),
                (*workshop).clone(),
                *registering,
            );
            let lang = ctx.lang;
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result: Result<SignedIn, ApiError> = if registering {
                    api::run::<api::Register>(
                        None,
                        api::register::Variables {
                            input: api::register::RegisterInput {
                                email,
                                password,
                                workshop_name: workshop,
                                // The language the owner registered in: their e-mails', the
                                // console's and the new workshop's.
                                locale: match lang {
                                    Lang::De => api::register::Locale::DE,
                                    Lang::En => api::register::Locale::EN,
                                },
                            },
                        },
                    )
                    .await
                    .map(|data| data.register.into())
                } else {
                    api::run::<api::Login>(
                        None,
                        api::login::Variables {
                            input: api::login::LoginInput { email, password },
                        },
                    )
                    .await
                    .map(|data| data.login.into())
                };
                busy.set(false);
                match result {
                    Ok(SignedIn {
                        session: Some(session),
                        ..
                    }) => ctx.set_session.emit(Some(session)),
                    Ok(SignedIn { errors: found, .. }) => errors.set(found),
                    Err(error) => errors.set(vec![(String::new(), ctx.error_text(&error))]),
                }
            });
        })
    };
    let general = errors
        .iter()
        .find(|(field, _)| field.is_empty() || field == "input")
        .map(|(_, m)| m.clone());
    let toggle = {
        let registering = registering.clone();
        let errors = errors.clone();
        Callback::from(move |_| {
            errors.set(vec![]);
            registering.set(!*registering);
        })
    };
    let setter = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    html! {
        <div class="auth">
            <form class="card" {onsubmit} aria-labelledby="auth-title">
                <h1 id="auth-title">{ if *registering { ctx.t(Key::Register) } else { ctx.t(Key::Login) } }</h1>
                if *registering {
                    <Field label={ctx.t(Key::WorkshopName)} name="workshopName" value={(*workshop).clone()}
                        oninput={setter(&workshop)} error={error_for(&errors, "workshopName")} required=true />
                }
                <Field label={ctx.t(Key::Email)} name="email" kind="email" value={(*email).clone()}
                    oninput={setter(&email)} error={error_for(&errors, "email")} required=true />
                <Field label={ctx.t(Key::Password)} name="password" kind="password" value={(*password).clone()}
                    oninput={setter(&password)} error={error_for(&errors, "password")} required=true
                    autocomplete={if *registering { "new-password" } else { "current-password" }} />
                if let Some(message) = general {
                    <p class="error" role="alert">{ message }</p>
                }
                <button class="primary" type="submit" disabled={*busy}>
                    { if *registering { ctx.t(Key::Register) } else { ctx.t(Key::Login) } }
                </button>
                <button class="link" type="button" onclick={toggle}>
                    { if *registering { ctx.t(Key::HaveAccount) } else { ctx.t(Key::NoAccount) } }
                </button>
                if !*registering {
                    <RouteLink to={Route::ForgotPassword} class="center">{ ctx.t(Key::ForgotLink) }</RouteLink>
                }
            </form>
        </div>
    }
}
