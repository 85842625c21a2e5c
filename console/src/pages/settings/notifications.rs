//! The e-mails the user gets for this workshop (new leads, reminders, the daily summary), and
//! for owners how long a new lead may wait before the reminder goes out.

use yew::prelude::*;

use crate::api;
use crate::components::field::Field;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::i18n::Key;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Notify {
    pub(super) new_lead: bool,
    pub(super) reminder: bool,
    pub(super) daily_summary: bool,
}

/// The three e-mails: their field in the input, the switch's id, label and explanation.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    NewLead,
    Reminder,
    DailySummary,
}

impl Kind {
    const ALL: [Self; 3] = [Self::NewLead, Self::Reminder, Self::DailySummary];

    fn id(self) -> &'static str {
        match self {
            Self::NewLead => "notify-newLead",
            Self::Reminder => "notify-reminder",
            Self::DailySummary => "notify-dailySummary",
        }
    }

    fn texts(self) -> (Key, Key) {
        match self {
            Self::NewLead => (Key::NotNewLead, Key::NotNewLeadHint),
            Self::Reminder => (Key::NotReminder, Key::NotReminderHint),
            Self::DailySummary => (Key::NotSummary, Key::NotSummaryHint),
        }
    }

    fn get(self, notify: &Notify) -> bool {
        match self {
            Self::NewLead => notify.new_lead,
            Self::Reminder => notify.reminder,
            Self::DailySummary => notify.daily_summary,
        }
    }

    fn set(self, notify: &mut Notify, on: bool) {
        match self {
            Self::NewLead => notify.new_lead = on,
            Self::Reminder => notify.reminder = on,
            Self::DailySummary => notify.daily_summary = on,
        }
    }

    /// The input that changes only this one.
    fn input(self, on: bool) -> api::update_notification_settings::UpdateNotificationSettingsInput {
        let mut input = api::update_notification_settings::UpdateNotificationSettingsInput {
            new_lead: None,
            reminder: None,
            daily_summary: None,
        };
        match self {
            Self::NewLead => input.new_lead = Some(on),
            Self::Reminder => input.reminder = Some(on),
            Self::DailySummary => input.daily_summary = Some(on),
        }
        input
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct NotificationsProps {
    pub(super) notify: Notify,
    pub(super) reminder_minutes: i64,
}

#[function_component(Notifications)]
pub(super) fn notifications(props: &NotificationsProps) -> Html {
    let ctx = use_ctx();
    let notify = use_state(|| props.notify.clone());
    let busy = use_state(|| false);
    let verified = ctx.session.as_ref().is_some_and(|s| s.email_verified);

    let toggle = |kind: Kind| {
        let (ctx, notify, busy) = (ctx.clone(), notify.clone(), busy.clone());
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let on = input.checked();
            let before = (*notify).clone();
            let mut after = before.clone();
            kind.set(&mut after, on);
            // Shown at once; put back if the server refuses.
            notify.set(after);
            let (ctx, notify, busy) = (ctx.clone(), notify.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::UpdateNotificationSettings>(
                        api::update_notification_settings::Variables {
                            input: kind.input(on),
                        },
                        |d| {
                            d.update_notification_settings
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                match done.and_then(|d| d.update_notification_settings.notification_settings) {
                    Some(saved) => {
                        notify.set(Notify {
                            new_lead: saved.new_lead,
                            reminder: saved.reminder,
                            daily_summary: saved.daily_summary,
                        });
                        ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                    }
                    None => notify.set(before),
                }
            });
        })
    };
    html! {
        <section class="card stack" id="notifications" aria-labelledby="notifications-title">
            <h2 id="notifications-title">{ ctx.t(Key::NotTitle) }</h2>
            <p class="hint">{ ctx.t(Key::NotIntro) }</p>
            if !verified {
                <p class="callout warn">{ ctx.t(Key::NotUnverified) }</p>
            }
            <div class="stack">
                { for Kind::ALL.iter().map(|kind| {
                    let (label, hint) = kind.texts();
                    let on = kind.get(&notify);
                    html! {
                        <div class="toggle">
                            <label class="switch">
                                <input type="checkbox" role="switch" id={kind.id()} checked={on}
                                    onchange={toggle(*kind)} disabled={*busy}
                                    aria-describedby={format!("{}-hint", kind.id())} />
                                <span><strong>{ ctx.t(label) }</strong></span>
                            </label>
                            <p class="hint" id={format!("{}-hint", kind.id())}>{ ctx.t(hint) }</p>
                        </div>
                    }
                }) }
            </div>
            if ctx.is_owner() {
                <ReminderTime minutes={props.reminder_minutes} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ReminderProps {
    minutes: i64,
}

/// How long a new lead may wait before one reminder e-mail goes out (the workshop's setting,
/// for everyone who gets reminders).
#[function_component(ReminderTime)]
fn reminder_time(props: &ReminderProps) -> Html {
    let ctx = use_ctx();
    let minutes = use_state(|| props.minutes.to_string());
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let onsubmit = {
        let (ctx, minutes, errors, busy) =
            (ctx.clone(), minutes.clone(), errors.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Ok(value) = minutes.trim().parse::<i64>() else {
                errors.set(vec![(
                    "leadReminderMinutes".into(),
                    ctx.t(Key::NotMinutesInvalid).into(),
                )]);
                return;
            };
            let (ctx, minutes, errors, busy) =
                (ctx.clone(), minutes.clone(), errors.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::UpdateLeadReminder>(
                    ctx.token().as_deref(),
                    api::update_lead_reminder::Variables { minutes: value },
                )
                .await;
                busy.set(false);
                match result {
                    Ok(data) => {
                        let payload = data.update_workshop;
                        let found =
                            error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                        match payload.workshop.filter(|_| found.is_empty()) {
                            Some(workshop) => {
                                errors.set(vec![]);
                                minutes.set(workshop.lead_reminder_minutes.to_string());
                                ctx.notify.emit(ctx.t(Key::PgSaved).to_owned());
                            }
                            None => errors.set(found),
                        }
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let rest = other_errors(&errors, &["leadReminderMinutes"]);
    html! {
        <form class="stack" id="reminder-time" {onsubmit} novalidate=true>
            <div class="narrow-box">
                <Field label={ctx.t(Key::NotMinutes)} name="reminder-minutes" kind="number"
                    value={(*minutes).clone()}
                    oninput={{ let minutes = minutes.clone(); Callback::from(move |v| minutes.set(v)) }}
                    error={error_for(&errors, "leadReminderMinutes")} hint={ctx.t(Key::NotMinutesHint)} />
            </div>
            { for rest.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            <div class="row">
                <button type="submit" disabled={*busy}>{ ctx.t(Key::NotMinutesSave) }</button>
            </div>
        </form>
    }
}
