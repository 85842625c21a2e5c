//! Privacy, for owners: how long the workshop keeps chats, closed requests and events, the
//! address of its privacy notice, a person's data exported or erased, and the log of all that.

use yew::prelude::*;

use crate::api;
use crate::components::confirm::{Confirm, ConfirmLook};
use crate::components::field::Field;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::i18n::Key;

use super::privacy_log::PrivacyLog;

#[derive(Clone, Debug, Default, PartialEq)]
struct Retention {
    conversations: String,
    closed_leads: String,
    events: String,
    notice_url: String,
}

#[function_component(PrivacySettings)]
pub(super) fn privacy_settings() -> Html {
    let ctx = use_ctx();
    let form = use_state(Retention::default);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    // Bumped by every export and erasure below: the log shows them.
    let logged = use_state(|| 0u32);
    {
        let (ctx, form) = (ctx.clone(), form.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::run::<api::PrivacySettings>(
                    ctx.token().as_deref(),
                    api::privacy_settings::Variables {},
                )
                .await
                {
                    Ok(data) => {
                        let s = data.privacy_settings;
                        form.set(Retention {
                            conversations: s.conversation_retention_days.to_string(),
                            closed_leads: s.closed_lead_retention_days.to_string(),
                            events: s.event_retention_days.to_string(),
                            notice_url: s.privacy_notice_url.unwrap_or_default(),
                        });
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        });
    }
    let onsubmit = {
        let (ctx, form, errors, busy) = (ctx.clone(), form.clone(), errors.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let days = |text: &str| text.trim().parse::<i64>().ok();
            let (Some(conversations), Some(closed), Some(events)) = (
                days(&form.conversations),
                days(&form.closed_leads),
                days(&form.events),
            ) else {
                errors.set(vec![(String::new(), ctx.t(Key::NotMinutesInvalid).into())]);
                return;
            };
            let url = form.notice_url.trim().to_owned();
            let input = api::update_privacy_settings::UpdatePrivacySettingsInput {
                conversation_retention_days: Some(conversations),
                closed_lead_retention_days: Some(closed),
                event_retention_days: Some(events),
                privacy_notice_url: (!url.is_empty()).then_some(url),
            };
            let (ctx, errors, busy) = (ctx.clone(), errors.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdatePrivacySettings>(
                    ctx.token().as_deref(),
                    api::update_privacy_settings::Variables { input },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.update_privacy_settings;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        if found.is_empty() {
                            errors.set(vec![]);
                            ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                        } else {
                            errors.set(found);
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let set = |apply: fn(&mut Retention, String)| {
        let form = form.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        })
    };
    let fields = [
        "conversationRetentionDays",
        "closedLeadRetentionDays",
        "eventRetentionDays",
        "privacyNoticeUrl",
    ];
    let rest = other_errors(&errors, &fields);
    html! {
        <section class="card stack" id="privacy" aria-labelledby="privacy-title">
            <h2 id="privacy-title">{ ctx.t(Key::PrvTitle) }</h2>
            <p class="hint">{ ctx.t(Key::PrvIntro) }</p>
            <form class="stack" id="privacy-retention" {onsubmit} novalidate=true>
                <div class="narrow-box stack">
                    <Field label={ctx.t(Key::PrvConversations)} name="retention-conversations" kind="number"
                        value={form.conversations.clone()} oninput={set(|f, v| f.conversations = v)}
                        error={error_for(&errors, fields[0])} />
                    <Field label={ctx.t(Key::PrvClosedLeads)} name="retention-closed-leads" kind="number"
                        value={form.closed_leads.clone()} oninput={set(|f, v| f.closed_leads = v)}
                        error={error_for(&errors, fields[1])} />
                    <Field label={ctx.t(Key::PrvEvents)} name="retention-events" kind="number"
                        value={form.events.clone()} oninput={set(|f, v| f.events = v)}
                        error={error_for(&errors, fields[2])} />
                </div>
                <Field label={ctx.t(Key::PrvNotice)} name="privacy-notice-url" kind="url"
                    value={form.notice_url.clone()} oninput={set(|f, v| f.notice_url = v)}
                    error={error_for(&errors, fields[3])} hint={ctx.t(Key::PrvNoticeHint)} />
                { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
                <div class="row">
                    <button type="submit" disabled={*busy}>{ ctx.t(Key::PrvSave) }</button>
                </div>
            </form>
            <ContactRequests on_done={{ let logged = logged.clone(); Callback::from(move |()| logged.set(*logged + 1)) }} />
            <PrivacyLog version={*logged} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ContactRequestsProps {
    /// An export or erasure went through (and is in the log).
    on_done: Callback<()>,
}

/// Export or erase everything the workshop holds about one person.
#[function_component(ContactRequests)]
fn contact_requests(props: &ContactRequestsProps) -> Html {
    let ctx = use_ctx();
    let email = use_state(String::new);
    let phone = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let asking = use_state(|| false);
    let result = use_state(|| None::<String>);
    let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());

    let export = {
        let (ctx, email, phone, errors, busy, done) = (
            ctx.clone(),
            email.clone(),
            phone.clone(),
            errors.clone(),
            busy.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let input = api::export_contact_data::ExportContactDataInput {
                email: given(&email),
                phone: given(&phone),
                lead_id: None,
            };
            let (ctx, errors, busy, done) =
                (ctx.clone(), errors.clone(), busy.clone(), done.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let data = api::run::<api::ExportContactData>(
                    ctx.token().as_deref(),
                    api::export_contact_data::Variables { input },
                )
                .await;
                busy.set(false);
                match data {
                    Ok(data) => {
                        let payload = data.export_contact_data;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        errors.set(found);
                        if let (Some(json), Some(summary)) = (payload.json, payload.summary) {
                            api::download(ctx.t(Key::PrvExportJson), &json, "application/json");
                            api::download(ctx.t(Key::PrvExportText), &summary, "text/plain");
                            done.emit(());
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let erase = {
        let (ctx, email, phone, errors, busy, asking, result, done) = (
            ctx.clone(),
            email.clone(),
            phone.clone(),
            errors.clone(),
            busy.clone(),
            asking.clone(),
            result.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let input = api::erase_contact::EraseContactInput {
                email: given(&email),
                phone: given(&phone),
                lead_id: None,
            };
            let (ctx, errors, busy, asking, result, done) = (
                ctx.clone(),
                errors.clone(),
                busy.clone(),
                asking.clone(),
                result.clone(),
                done.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let data = api::run::<api::EraseContact>(
                    ctx.token().as_deref(),
                    api::erase_contact::Variables { input },
                )
                .await;
                busy.set(false);
                asking.set(false);
                match data {
                    Ok(data) => {
                        let payload = data.erase_contact;
                        errors.set(error_paths(
                            payload.user_errors.iter().map(|e| (&e.field, &e.message)),
                        ));
                        if payload.erased.is_some() {
                            done.emit(());
                        }
                        result.set(payload.erased.map(|e| {
                            format!(
                                "{}: {} / {} / {} / {} / {} ({})",
                                ctx.t(Key::PrvErased),
                                e.leads,
                                e.conversations,
                                e.messages,
                                e.notes,
                                e.emails,
                                ctx.t(Key::PrvErasedCounts)
                            )
                        }));
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let rest = other_errors(&errors, &["email", "phone"]);
    html! {
        <div class="stack" id="privacy-requests">
            <h3>{ ctx.t(Key::PrvRequests) }</h3>
            <p class="hint">{ ctx.t(Key::PrvRequestsIntro) }</p>
            <Field label={ctx.t(Key::Email)} name="privacy-email" kind="email" value={(*email).clone()}
                oninput={{ let email = email.clone(); Callback::from(move |v| email.set(v)) }}
                error={error_for(&errors, "email")} />
            <Field label={ctx.t(Key::PrvPhone)} name="privacy-phone" kind="tel" value={(*phone).clone()}
                oninput={{ let phone = phone.clone(); Callback::from(move |v| phone.set(v)) }}
                error={error_for(&errors, "phone")} />
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button type="button" id="privacy-export" onclick={export} disabled={*busy}>{ ctx.t(Key::PrvExport) }</button>
                <button type="button" class="danger" id="privacy-erase" disabled={*busy}
                    onclick={{ let asking = asking.clone(); Callback::from(move |_| asking.set(true)) }}>
                    { ctx.t(Key::PrvErase) }
                </button>
            </div>
            if *asking {
                <Confirm question={ctx.t(Key::PrvEraseAsk)} yes={ctx.t(Key::PrvEraseYes)}
                    yes_id="privacy-erase-yes" busy={*busy} on_yes={erase}
                    on_cancel={{ let asking = asking.clone(); Callback::from(move |_| asking.set(false)) }}
                    look={ConfirmLook::Callout { question_id: "privacy-erase-question".into() }} />
            }
            if let Some(done) = &*result {
                <p class="callout ok" role="status" id="privacy-erased">{ done.clone() }</p>
            }
        </div>
    }
}
