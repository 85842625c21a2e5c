//! The signed-in user's own account: the password, the sign-in address (changed once the new
//! address is confirmed by its link), and the language of their e-mails.

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::{Key, Lang};

const LOCALES: [(&str, &str); 4] = [
    ("DE", "Deutsch"),
    ("EN", "English"),
    ("TR", "Türkçe"),
    ("PL", "Polski"),
];

fn setter(state: &UseStateHandle<String>) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |value: String| state.set(value))
}

#[function_component(ChangePassword)]
pub(super) fn change_password() -> Html {
    let ctx = use_ctx();
    let current = use_state(String::new);
    let next = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, current, next, errors, busy) = (
            ctx.clone(),
            current.clone(),
            next.clone(),
            errors.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, current, next, errors, busy) = (
                ctx.clone(),
                current.clone(),
                next.clone(),
                errors.clone(),
                busy.clone(),
            );
            let input = api::change_password::ChangePasswordInput {
                current_password: (*current).clone(),
                new_password: (*next).clone(),
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::ChangePassword>(
                    ctx.token().as_deref(),
                    api::change_password::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) if data.change_password.ok => {
                        errors.set(vec![]);
                        current.set(String::new());
                        next.set(String::new());
                        ctx.notify.emit(ctx.t(Key::AccPasswordChanged).to_owned());
                    }
                    Ok(data) => {
                        let found = error_paths(
                            data.change_password
                                .user_errors
                                .iter()
                                .map(|e| (&e.field, &e.message)),
                        );
                        if found.iter().any(|(f, _)| f == "currentPassword") {
                            focus_id("field-current-password");
                        } else {
                            focus_id("field-changed-password");
                        }
                        errors.set(found);
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let rest = other_errors(&errors, &["currentPassword", "newPassword"]);
    html! {
        <form class="card stack" id="change-password" {onsubmit} novalidate=true aria-labelledby="change-password-title">
            <h3 id="change-password-title">{ ctx.t(Key::AccPassword) }</h3>
            <Field label={ctx.t(Key::AccCurrentPassword)} name="current-password" kind="password"
                value={(*current).clone()} oninput={setter(&current)} autocomplete="current-password"
                error={error_for(&errors, "currentPassword")} required=true />
            <Field label={ctx.t(Key::NewPassword)} name="changed-password" kind="password"
                value={(*next).clone()} oninput={setter(&next)} autocomplete="new-password"
                error={error_for(&errors, "newPassword")} required=true hint={ctx.t(Key::AccPasswordHint)} />
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::AccPasswordSave) }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct ChangeEmailProps {
    pub(super) current: String,
}

#[function_component(ChangeEmail)]
pub(super) fn change_email(props: &ChangeEmailProps) -> Html {
    let ctx = use_ctx();
    let email = use_state(String::new);
    let password = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let sent_to = use_state(|| None::<String>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, email, password, errors, sent_to, busy) = (
            ctx.clone(),
            email.clone(),
            password.clone(),
            errors.clone(),
            sent_to.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, email, password, errors, sent_to, busy) = (
                ctx.clone(),
                email.clone(),
                password.clone(),
                errors.clone(),
                sent_to.clone(),
                busy.clone(),
            );
            let address = (*email).trim().to_owned();
            let input = api::change_email::ChangeEmailInput {
                new_email: address.clone(),
                password: (*password).clone(),
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::ChangeEmail>(
                    ctx.token().as_deref(),
                    api::change_email::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) if data.change_email.ok => {
                        errors.set(vec![]);
                        email.set(String::new());
                        password.set(String::new());
                        sent_to.set(Some(address));
                    }
                    Ok(data) => {
                        let found = error_paths(
                            data.change_email
                                .user_errors
                                .iter()
                                .map(|e| (&e.field, &e.message)),
                        );
                        if found.iter().any(|(f, _)| f == "newEmail") {
                            focus_id("field-new-email");
                        } else {
                            focus_id("field-email-password");
                        }
                        errors.set(found);
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let rest = other_errors(&errors, &["newEmail", "password"]);
    html! {
        <form class="card stack" id="change-email" {onsubmit} novalidate=true aria-labelledby="change-email-title">
            <h3 id="change-email-title">{ ctx.t(Key::AccEmail) }</h3>
            <p class="small">{ ctx.t(Key::AccEmailNow) }{ " " }<strong class="mono">{ props.current.clone() }</strong></p>
            <Field label={ctx.t(Key::AccNewEmail)} name="new-email" kind="email" value={(*email).clone()}
                oninput={setter(&email)} error={error_for(&errors, "newEmail")} required=true autocomplete="email" />
            <Field label={ctx.t(Key::AccCurrentPassword)} name="email-password" kind="password"
                value={(*password).clone()} oninput={setter(&password)} autocomplete="current-password"
                error={error_for(&errors, "password")} required=true />
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            if let Some(address) = &*sent_to {
                <div class="callout info" role="status">
                    <p>{ ctx.t(Key::AccEmailSent1) }{ " " }<strong>{ address.clone() }</strong>{ " " }{ ctx.t(Key::AccEmailSent2) }</p>
                </div>
            }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::AccEmailSave) }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct LanguageProps {
    /// `DE`, `EN`, `TR` or `PL`.
    pub(super) locale: String,
}

#[function_component(EmailLanguage)]
pub(super) fn email_language(props: &LanguageProps) -> Html {
    let ctx = use_ctx();
    let locale = use_state(|| props.locale.clone());
    let busy = use_state(|| false);
    let onchange = {
        let (ctx, locale, busy) = (ctx.clone(), locale.clone(), busy.clone());
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let wanted = select.value();
            let value = match wanted.as_str() {
                "EN" => api::update_profile::Locale::EN,
                "TR" => api::update_profile::Locale::TR,
                "PL" => api::update_profile::Locale::PL,
                _ => api::update_profile::Locale::DE,
            };
            let (ctx, locale, busy) = (ctx.clone(), locale.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::UpdateProfile>(
                        api::update_profile::Variables { locale: value },
                        |d| {
                            d.update_profile
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                if done.is_some() {
                    locale.set(wanted.clone());
                    // The console follows the user's language (see `app`), in its words.
                    let lang = Lang::of_locale(&wanted);
                    ctx.notify.emit(Key::PgSaved.text(lang).to_owned());
                    if let Some(session) = ctx.session.clone() {
                        ctx.set_session.emit(Some(session.with_locale(wanted)));
                    }
                }
            });
        })
    };
    html! {
        <div class="card stack" id="email-language">
            <h3>{ ctx.t(Key::AccLanguage) }</h3>
            <div class="field">
                <label for="field-email-locale">{ ctx.t(Key::AccLanguageLabel) }</label>
                <select id="field-email-locale" {onchange} disabled={*busy}>
                    { for LOCALES.iter().map(|(code, name)| html! {
                        <option value={*code} selected={*locale == *code}>{ *name }</option>
                    }) }
                </select>
                <p class="hint">{ ctx.t(Key::AccLanguageHint) }</p>
            </div>
        </div>
    }
}
