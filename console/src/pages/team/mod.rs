//! The team: who works in the workshop and as what; owners invite colleagues (by e-mail, as
//! owner or staff), withdraw open invitations, change roles and remove members. The server's
//! refusals (the last owner, someone already in the team) are shown where they happened.

mod invitations;
mod invite;
mod members;

use yew::prelude::*;

use invitations::{Invitations, Pending};
use invite::InviteForm;
use members::{Member, MemberRow};

use crate::api;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::use_ctx;
use crate::i18n::Key;

/// A role as the server names it (`OWNER`, `STAFF`, …).
fn role_code<T: std::fmt::Debug>(role: &T) -> String {
    format!("{role:?}")
}

#[function_component(Team)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let owner = ctx.is_owner();
    let members = use_state(|| Load::<Vec<Member>>::Loading);
    let pending = use_state(|| Load::<Vec<Pending>>::Loading);
    let version = use_state(|| 0u32);

    {
        let (ctx, members, pending) = (ctx.clone(), members.clone(), pending.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result =
                    api::run::<api::Members>(ctx.token().as_deref(), api::members::Variables {})
                        .await
                        .map(|data| {
                            data.members
                                .edges
                                .into_iter()
                                .map(|edge| Member {
                                    user_id: edge.node.user.id,
                                    email: edge.node.user.email,
                                    role: role_code(&edge.node.role),
                                    joined_at: edge.node.joined_at,
                                    email_verified: edge.node.email_verified,
                                })
                                .collect()
                        });
                members.set(Load::from_result(&ctx, result));
                // Open invitations are the owners' business (staff are refused them).
                if ctx.is_owner() {
                    let result = api::run::<api::Invitations>(
                        ctx.token().as_deref(),
                        api::invitations::Variables {},
                    )
                    .await
                    .map(|data| {
                        data.invitations
                            .edges
                            .into_iter()
                            .map(|edge| Pending {
                                id: edge.node.id,
                                email: edge.node.email,
                                role: role_code(&edge.node.role),
                                expires_at: edge.node.expires_at,
                                // The address took no mail: the colleague never got the link.
                                undeliverable: matches!(
                                    edge.node.delivery,
                                    Some(
                                        api::invitations::Delivery::BOUNCED
                                            | api::invitations::Delivery::SUPPRESSED
                                            | api::invitations::Delivery::FAILED
                                    )
                                ),
                            })
                            .collect()
                    });
                    pending.set(Load::from_result(&ctx, result));
                }
            });
        });
    }
    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let retry = reload.reform(|_: MouseEvent| ());
    let own_id = ctx
        .session
        .as_ref()
        .map(|s| s.user_id.clone())
        .unwrap_or_default();

    let list = match &*members {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, retry.clone()),
        Load::Ready(list) => html! {
            <table class="team-table" id="members">
                <caption class="muted">{ format!("{} {}", list.len(), ctx.t(Key::TeamCount)) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ ctx.t(Key::Email) }</th>
                        <th scope="col">{ ctx.t(Key::TeamRole) }</th>
                        <th scope="col">{ ctx.t(Key::TeamJoined) }</th>
                        <th scope="col"><span class="visually-hidden">{ ctx.t(Key::SvcActions) }</span></th>
                    </tr>
                </thead>
                <tbody>
                    { for list.iter().map(|member| html! {
                        <MemberRow key={member.user_id.clone()} member={member.clone()}
                            is_self={member.user_id == own_id} can_manage={owner}
                            on_changed={reload.clone()} />
                    }) }
                </tbody>
            </table>
        },
    };

    html! {
        <section class="team stack">
            <h1>{ ctx.t(Key::Team) }</h1>
            <p class="hint">{ ctx.t(Key::TeamIntro) }</p>
            { list }
            if owner {
                <InviteForm on_invited={reload.clone()} />
                { match &*pending {
                    Load::Loading => loading_view(&ctx),
                    Load::Failed(message) => failed_view(&ctx, message, retry),
                    Load::Ready(list) => html! { <Invitations list={list.clone()} on_changed={reload} /> },
                } }
            }
        </section>
    }
}
