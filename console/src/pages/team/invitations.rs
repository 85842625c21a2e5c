//! Invitations not yet accepted: to whom, as what, until when; withdrawing one stops its link.

use yew::prelude::*;

use crate::api;
use crate::components::confirm::Confirm;
use crate::components::dates::date;
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::hooks::confirm::{Confirming, use_confirm};
use crate::i18n::{Key, role_label};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pending {
    pub(super) id: String,
    pub(super) email: String,
    pub(super) role: String,
    pub(super) expires_at: String,
    pub(super) undeliverable: bool,
}

#[derive(Properties, PartialEq)]
pub(super) struct InvitationsProps {
    pub(super) list: Vec<Pending>,
    pub(super) on_changed: Callback<()>,
}

#[function_component(Invitations)]
pub(super) fn invitations(props: &InvitationsProps) -> Html {
    let ctx = use_ctx();
    html! {
        <section class="stack" aria-labelledby="pending-title">
            <h2 id="pending-title">{ ctx.t(Key::TeamPending) }</h2>
            if props.list.is_empty() {
                <p class="muted">{ ctx.t(Key::TeamNoPending) }</p>
            } else {
                <table class="team-table" id="invitations">
                    <thead>
                        <tr>
                            <th scope="col">{ ctx.t(Key::Email) }</th>
                            <th scope="col">{ ctx.t(Key::TeamRole) }</th>
                            <th scope="col">{ ctx.t(Key::TeamExpires) }</th>
                            <th scope="col"><span class="visually-hidden">{ ctx.t(Key::SvcActions) }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { for props.list.iter().map(|item| html! {
                            <PendingRow key={item.id.clone()} item={item.clone()} on_changed={props.on_changed.clone()} />
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    item: Pending,
    on_changed: Callback<()>,
}

#[function_component(PendingRow)]
fn pending_row(props: &RowProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let item = &props.item;
    let dom = item.id.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let Confirming {
        open: confirming,
        ask,
        cancel: dont,
    } = use_confirm(format!("invitation-revoke-{dom}"));

    {
        let dom = dom.clone();
        use_effect_with(*confirming, move |confirming| {
            if *confirming {
                focus_id(&format!("invitation-revoke-yes-{dom}"));
            }
        });
    }
    let revoke = {
        let (ctx, id, busy, confirming, on_changed) = (
            ctx.clone(),
            item.id.clone(),
            busy.clone(),
            confirming.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |_| {
            let (ctx, id, busy, confirming, on_changed) = (
                ctx.clone(),
                id.clone(),
                busy.clone(),
                confirming.clone(),
                on_changed.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::RevokeInvitation>(
                        api::revoke_invitation::Variables { id },
                        |d| {
                            d.revoke_invitation
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                confirming.set(false);
                if done.is_some() {
                    ctx.notify.emit(ctx.t(Key::TeamRevoked).to_owned());
                    on_changed.emit(());
                }
            });
        })
    };
    let onkeydown = {
        let (confirming, dom) = (confirming.clone(), dom.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *confirming {
                confirming.set(false);
                focus_id(&format!("invitation-revoke-{dom}"));
            }
        })
    };
    html! {
        <tr {onkeydown} data-email={item.email.clone()}>
            <td data-label={ctx.t(Key::Email)}>
                <span class="mono">{ item.email.clone() }</span>
                if item.undeliverable {
                    { " " }<span class="badge off">{ ctx.t(Key::TeamUndeliverable) }</span>
                }
            </td>
            <td data-label={ctx.t(Key::TeamRole)}>{ role_label(ctx.lang, &item.role) }</td>
            <td data-label={ctx.t(Key::TeamExpires)}>{ date(ctx.lang, &item.expires_at) }</td>
            <td class="actions">
                if *confirming {
                    <Confirm question={ctx.t(Key::TeamRevokeQuestion)} yes={ctx.t(Key::TeamRevokeYes)}
                        yes_id={format!("invitation-revoke-yes-{dom}")} busy={*busy} on_yes={revoke} on_cancel={dont} />
                } else {
                    <button type="button" class="danger" id={format!("invitation-revoke-{dom}")} onclick={ask}
                        aria-label={format!("{}: {}", item.email, ctx.t(Key::TeamRevokeAction))}>{ ctx.t(Key::TeamRevokeAction) }</button>
                }
            </td>
        </tr>
    }
}
