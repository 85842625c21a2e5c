//! One member of the team: the address, the role (owners change it), since when, and removal
//! after a question.

use yew::prelude::*;

use crate::api;
use crate::components::confirm::Confirm;
use crate::components::dates::date;
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::{Key, role_label};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Member {
    pub(super) user_id: String,
    pub(super) email: String,
    pub(super) role: String,
    pub(super) joined_at: String,
    pub(super) email_verified: bool,
}

#[derive(Properties, PartialEq)]
pub(super) struct MemberProps {
    pub(super) member: Member,
    /// The signed-in user's own row.
    pub(super) is_self: bool,
    /// Owners change roles and remove members.
    pub(super) can_manage: bool,
    pub(super) on_changed: Callback<()>,
}

fn role_input(code: &str) -> api::update_member_role::Role {
    match code {
        "OWNER" => api::update_member_role::Role::OWNER,
        _ => api::update_member_role::Role::STAFF,
    }
}

#[function_component(MemberRow)]
pub(super) fn member_row(props: &MemberProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let refusal = use_state(|| None::<String>);
    // A refused change puts the choice back: the select is made anew.
    let attempt = use_state(|| 0u32);
    let member = &props.member;
    let dom = member
        .user_id
        .replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("member-remove-{dom}"));

    {
        let dom = dom.clone();
        use_effect_with(*confirming, move |confirming| {
            if *confirming {
                focus_id(&format!("member-remove-yes-{dom}"));
            }
        });
    }
    let change_role = {
        let (ctx, user_id, busy, refusal, attempt, on_changed) = (
            ctx.clone(),
            member.user_id.clone(),
            busy.clone(),
            refusal.clone(),
            attempt.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let role = role_input(&select.value());
            let (ctx, user_id, busy, refusal, attempt, on_changed) = (
                ctx.clone(),
                user_id.clone(),
                busy.clone(),
                refusal.clone(),
                attempt.clone(),
                on_changed.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateMemberRole>(
                    ctx.token().as_deref(),
                    api::update_member_role::Variables {
                        input: api::update_member_role::UpdateMemberRoleInput { user_id, role },
                    },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => match data.update_member_role.user_errors.first() {
                        Some(error) => {
                            refusal.set(Some(error.message.clone()));
                            attempt.set(*attempt + 1);
                        }
                        None => {
                            refusal.set(None);
                            ctx.notify.emit(ctx.t(Key::TeamRoleChanged).to_owned());
                            on_changed.emit(());
                        }
                    },
                    Err(error) => {
                        attempt.set(*attempt + 1);
                        ctx.fail(error);
                    }
                }
            });
        })
    };
    let remove = {
        let (ctx, user_id, busy, refusal, confirming, on_changed) = (
            ctx.clone(),
            member.user_id.clone(),
            busy.clone(),
            refusal.clone(),
            confirming.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |_| {
            let (ctx, user_id, busy, refusal, confirming, on_changed) = (
                ctx.clone(),
                user_id.clone(),
                busy.clone(),
                refusal.clone(),
                confirming.clone(),
                on_changed.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::RemoveMember>(
                    ctx.token().as_deref(),
                    api::remove_member::Variables { user_id },
                )
                .await;
                busy.set(false);
                confirming.set(false);
                match result {
                    Ok(data) => match data.remove_member.user_errors.first() {
                        Some(error) => refusal.set(Some(error.message.clone())),
                        None => {
                            ctx.notify.emit(ctx.t(Key::TeamRemoved).to_owned());
                            on_changed.emit(());
                        }
                    },
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let onkeydown = {
        let (confirming, dom) = (confirming.clone(), dom.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *confirming {
                confirming.set(false);
                focus_id(&format!("member-remove-{dom}"));
            }
        })
    };
    let changeable = props.can_manage && matches!(member.role.as_str(), "OWNER" | "STAFF");
    let role = if changeable {
        html! {
            <select id={format!("member-role-{dom}")} key={*attempt} onchange={change_role}
                disabled={*busy} aria-label={format!("{}: {}", member.email, ctx.t(Key::TeamRole))}>
                { for ["OWNER", "STAFF"].iter().map(|code| html! {
                    <option value={*code} selected={member.role == *code}>{ role_label(ctx.lang, code) }</option>
                }) }
            </select>
        }
    } else {
        html! { <span class={classes!("badge", member.role.clone())}>{ role_label(ctx.lang, &member.role) }</span> }
    };
    html! {
        <tr {onkeydown} data-email={member.email.clone()}>
            <td data-label={ctx.t(Key::Email)}>
                <strong class="mono">{ member.email.clone() }</strong>
                if props.is_self {
                    <span class="muted">{ " " }{ ctx.t(Key::TeamYou) }</span>
                }
                if !member.email_verified {
                    <div class="muted small">{ ctx.t(Key::TeamUnverified) }</div>
                }
            </td>
            <td data-label={ctx.t(Key::TeamRole)}>
                { role }
                if let Some(message) = &*refusal {
                    <p class="error" role="alert">{ message.clone() }</p>
                }
            </td>
            <td data-label={ctx.t(Key::TeamJoined)}>{ date(ctx.lang, &member.joined_at) }</td>
            <td class="actions">
                if props.can_manage {
                    if *confirming {
                        <Confirm question={format!("{} {}", member.email, ctx.t(Key::TeamRemoveQuestion))}
                            yes={ctx.t(Key::TeamRemoveYes)} yes_id={format!("member-remove-yes-{dom}")}
                            busy={*busy} on_yes={remove} on_cancel={dont} />
                    } else {
                        <button type="button" class="danger" id={format!("member-remove-{dom}")} onclick={ask}
                            aria-label={format!("{}: {}", member.email, ctx.t(Key::TeamRemove))}>{ ctx.t(Key::TeamRemove) }</button>
                    }
                }
            </td>
        </tr>
    }
}
