//! The privacy audit log, for owners: every export, erasure, withdrawn consent, visitor's own
//! deletion and retention run, newest first, with who acted and how many records it touched —
//! never the data itself.

use yew::prelude::*;

use crate::api::{self, privacy_audit_log as log};
use crate::components::dates::date_time;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::{Ctx, use_ctx};
use crate::i18n::Key;

/// Entries per page ("more" loads the next ones).
const PAGE: i64 = 10;

/// What the log has shown so far, and where the next page starts.
#[derive(Clone, Debug, Default, PartialEq)]
struct Entries {
    rows: Vec<log::PrivacyAuditLogPrivacyAuditLogEdgesNode>,
    next: Option<String>,
}

fn action_label(ctx: &Ctx, action: &log::PrivacyAction) -> &'static str {
    ctx.t(match action {
        log::PrivacyAction::EXPORT => Key::PrvActExport,
        log::PrivacyAction::ERASE => Key::PrvActErase,
        log::PrivacyAction::WITHDRAW_CONSENT => Key::PrvActWithdraw,
        log::PrivacyAction::VISITOR_DELETE => Key::PrvActVisitorDelete,
        log::PrivacyAction::RETENTION | log::PrivacyAction::Other(_) => Key::PrvActRetention,
    })
}

/// Who acted: a member of the team by their address, the visitor, or the retention job.
fn actor_label(
    ctx: &Ctx,
    entry: &log::PrivacyAuditLogPrivacyAuditLogEdgesNode,
    members: &[(String, String)],
) -> String {
    match entry.actor.as_str() {
        "VISITOR" => ctx.t(Key::PrvActorVisitor).to_owned(),
        "RETENTION" => ctx.t(Key::PrvActorRetention).to_owned(),
        _ => entry
            .actor_user_id
            .as_ref()
            .and_then(|id| members.iter().find(|(member, _)| member == id))
            .map_or_else(
                || ctx.t(Key::PrvActorFormer).to_owned(),
                |(_, email)| email.clone(),
            ),
    }
}

/// `Anfragen: 1, Chats: 1, Nachrichten: 4` for the kinds the entry counted (zeros left out).
fn counts_text(ctx: &Ctx, counts: &serde_json::Value) -> String {
    let kinds = [
        ("leads", Key::PrvCountLeads),
        ("conversations", Key::PrvCountConversations),
        ("messages", Key::PrvCountMessages),
        ("notes", Key::PrvCountNotes),
        ("emails", Key::PrvCountEmails),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter_map(|(name, key)| {
            let n = counts.get(name)?.as_i64()?;
            (n > 0).then(|| format!("{}: {n}", ctx.t(*key)))
        })
        .collect();
    if parts.is_empty() {
        ctx.t(Key::PrvCountNone).to_owned()
    } else {
        parts.join(", ")
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct PrivacyLogProps {
    /// Changes after an export or erasure on this page: the log loads again.
    pub(super) version: u32,
}

#[function_component(PrivacyLog)]
pub(super) fn privacy_log(props: &PrivacyLogProps) -> Html {
    let ctx = use_ctx();
    let entries = use_state(|| Load::<Entries>::Loading);
    // The team's addresses, to name who acted (the log holds user ids only).
    let members = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let retries = use_state(|| 0u32);
    {
        let (ctx, entries, members) = (ctx.clone(), entries.clone(), members.clone());
        use_effect_with((props.version, *retries), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let token = ctx.token();
                if let Ok(data) =
                    api::run::<api::Members>(token.as_deref(), api::members::Variables {}).await
                {
                    members.set(
                        data.members
                            .edges
                            .into_iter()
                            .map(|e| (e.node.user.id, e.node.user.email))
                            .collect(),
                    );
                }
                let result = api::run::<api::PrivacyAuditLog>(
                    token.as_deref(),
                    log::Variables {
                        first: Some(PAGE),
                        after: None,
                    },
                )
                .await
                .map(|data| {
                    let page = data.privacy_audit_log;
                    Entries {
                        rows: page.edges.into_iter().map(|e| e.node).collect(),
                        next: page
                            .page_info
                            .has_next_page
                            .then_some(page.page_info.end_cursor)
                            .flatten(),
                    }
                });
                entries.set(Load::from_result(&ctx, result));
            });
        });
    }
    let more = {
        let (ctx, entries, busy) = (ctx.clone(), entries.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let Load::Ready(shown) = (*entries).clone() else {
                return;
            };
            let Some(after) = shown.next.clone() else {
                return;
            };
            let (ctx, entries, busy) = (ctx.clone(), entries.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::PrivacyAuditLog>(
                    ctx.token().as_deref(),
                    log::Variables {
                        first: Some(PAGE),
                        after: Some(after),
                    },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let page = data.privacy_audit_log;
                        let mut rows = shown.rows;
                        rows.extend(page.edges.into_iter().map(|e| e.node));
                        let next = page
                            .page_info
                            .has_next_page
                            .then_some(page.page_info.end_cursor)
                            .flatten();
                        entries.set(Load::Ready(Entries { rows, next }));
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let retry = {
        let retries = retries.clone();
        Callback::from(move |_| retries.set(*retries + 1))
    };
    let body = match &*entries {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, retry),
        Load::Ready(shown) if shown.rows.is_empty() => {
            html! { <p class="muted">{ ctx.t(Key::PrvLogEmpty) }</p> }
        }
        Load::Ready(shown) => {
            let rows = shown.rows.iter().map(|entry| {
                html! {
                    <tr key={entry.id.clone()} data-id={entry.id.clone()} data-action={format!("{:?}", entry.action)}>
                        <td data-label={ctx.t(Key::PrvLogWhen)}>{ date_time(ctx.lang, &entry.created_at) }</td>
                        <td data-label={ctx.t(Key::PrvLogAction)}>{ action_label(&ctx, &entry.action) }</td>
                        <td data-label={ctx.t(Key::PrvLogWho)}>{ actor_label(&ctx, entry, &members) }</td>
                        <td data-label={ctx.t(Key::PrvLogCounts)}>{ counts_text(&ctx, &entry.counts) }</td>
                    </tr>
                }
            });
            html! {
                <>
                    <table class="privacy-log-table">
                        <thead><tr>
                            <th>{ ctx.t(Key::PrvLogWhen) }</th><th>{ ctx.t(Key::PrvLogAction) }</th>
                            <th>{ ctx.t(Key::PrvLogWho) }</th><th>{ ctx.t(Key::PrvLogCounts) }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                    if shown.next.is_some() {
                        <div class="row">
                            <button type="button" id="privacy-log-more" onclick={more} disabled={*busy}>
                                { ctx.t(Key::PrvLogMore) }
                            </button>
                        </div>
                    }
                </>
            }
        }
    };
    html! {
        <div class="stack" id="privacy-log" aria-labelledby="privacy-log-title">
            <h3 id="privacy-log-title">{ ctx.t(Key::PrvLog) }</h3>
            <p class="hint">{ ctx.t(Key::PrvLogIntro) }</p>
            { body }
        </div>
    }
}
