//! Inviting a colleague: the address and the role; the link goes out by e-mail and works for
//! 7 days.

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::{Key, role_label};

#[derive(Properties, PartialEq)]
pub(super) struct InviteProps {
    pub(super) on_invited: Callback<()>,
}

#[function_component(InviteForm)]
pub(super) fn invite_form(props: &InviteProps) -> Html {
    let ctx = use_ctx();
    let email = use_state(String::new);
    let role = use_state(|| "STAFF".to_owned());
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    let onsubmit = {
        let (ctx, email, role, errors, busy, on_invited) = (
            ctx.clone(),
            email.clone(),
            role.clone(),
            errors.clone(),
            busy.clone(),
            props.on_invited.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, email, errors, busy, on_invited) = (
                ctx.clone(),
                email.clone(),
                errors.clone(),
                busy.clone(),
                on_invited.clone(),
            );
            let input = api::invite_member::InviteMemberInput {
                email: (*email).trim().to_owned(),
                role: if *role == "OWNER" {
                    api::invite_member::Role::OWNER
                } else {
                    api::invite_member::Role::STAFF
                },
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::InviteMember>(
                    ctx.token().as_deref(),
                    api::invite_member::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.invite_member;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match payload.invitation.filter(|_| found.is_empty()) {
                            Some(invitation) => {
                                errors.set(vec![]);
                                email.set(String::new());
                                ctx.notify.emit(format!(
                                    "{} {}",
                                    ctx.t(Key::TeamInvited),
                                    invitation.email
                                ));
                                on_invited.emit(());
                            }
                            None => {
                                errors.set(found);
                                focus_id("field-invite-email");
                            }
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            role.set(select.value());
        })
    };
    let rest = other_errors(&errors, &["email", "role"]);
    html! {
        <form class="card stack" id="invite-form" {onsubmit} novalidate=true aria-labelledby="invite-title">
            <h2 id="invite-title">{ ctx.t(Key::TeamInvite) }</h2>
            <p class="hint">{ ctx.t(Key::TeamInviteHint) }</p>
            <div class="two">
                <Field label={ctx.t(Key::Email)} name="invite-email" kind="email" value={(*email).clone()}
                    oninput={{ let email = email.clone(); Callback::from(move |v| email.set(v)) }}
                    error={error_for(&errors, "email")} required=true />
                <div class="field">
                    <label for="field-invite-role">{ ctx.t(Key::TeamRole) }</label>
                    <select id="field-invite-role" onchange={on_role}>
                        { for ["STAFF", "OWNER"].iter().map(|code| html! {
                            <option value={*code} selected={*role == *code}>{ role_label(ctx.lang, code) }</option>
                        }) }
                    </select>
                    <p class="hint">{ if *role == "OWNER" { ctx.t(Key::TeamOwnerHint) } else { ctx.t(Key::TeamStaffHint) } }</p>
                    if let Some(error) = error_for(&errors, "role") {
                        <p class="error">{ error }</p>
                    }
                </div>
            </div>
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button class="primary" type="submit" disabled={*busy}>{ ctx.t(Key::TeamSendInvite) }</button>
            </div>
        </form>
    }
}
