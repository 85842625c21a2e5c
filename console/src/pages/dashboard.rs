//! The day at a glance: leads and chats today and this week with the trend against last week,
//! conversion, open leads by status, and what happens right now.

use yew::prelude::*;

use crate::api::{self, dashboard};
use crate::ctx::use_ctx;
use crate::i18n::{Key, status_label};
use crate::lead_status::STATUSES;

/// Midnight today and 7 and 14 days before, as RFC 3339 (UTC, from the browser's clock).
fn bounds() -> (String, String, String) {
    let now = js_sys::Date::new_0();
    let midnight = js_sys::Date::new_with_year_month_day(
        now.get_full_year(),
        now.get_month() as i32,
        now.get_date() as i32,
    );
    let day = 24.0 * 3600.0 * 1000.0;
    let iso = |ms: f64| {
        js_sys::Date::new(&ms.into())
            .to_iso_string()
            .as_string()
            .unwrap_or_default()
    };
    let today = midnight.get_time();
    (iso(today), iso(today - 7.0 * day), iso(today - 14.0 * day))
}

fn trend(now: i64, before: i64) -> String {
    match (now, before) {
        (_, 0) if now > 0 => "↑".into(),
        (_, 0) => "–".into(),
        _ => {
            let change = (now - before) as f64 / before as f64 * 100.0;
            format!("{}{:.0} %", if change >= 0.0 { "+" } else { "" }, change)
        }
    }
}

#[function_component(Dashboard)]
pub fn dashboard() -> Html {
    let ctx = use_ctx();
    let data = use_state(|| None::<Result<dashboard::ResponseData, String>>);
    let activity = use_state(Vec::<String>::new);
    let reload = use_state(|| 0u32);
    {
        let (ctx, data) = (ctx.clone(), data.clone());
        use_effect_with(*reload, move |_| {
            let (today, week_ago, two_weeks_ago) = bounds();
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::Dashboard>(
                    ctx.token().as_deref(),
                    dashboard::Variables {
                        today,
                        week_ago,
                        two_weeks_ago,
                    },
                )
                .await;
                match result {
                    Ok(found) => data.set(Some(Ok(found))),
                    Err(api::ApiError::SignedOut) => ctx.set_session.emit(None),
                    Err(error) => data.set(Some(Err(error.to_string()))),
                }
            });
        });
    }
    // Live activity: new chats, messages and leads as they happen.
    {
        let (ctx, activity, reload) = (ctx.clone(), activity.clone(), reload.clone());
        use_effect_with(ctx.token(), move |token| {
            let subscriptions = token.clone().map(|token| {
                let push = {
                    let activity = activity.clone();
                    move |line: String| {
                        let mut next = vec![line];
                        next.extend((*activity).iter().take(19).cloned());
                        activity.set(next);
                    }
                };
                let inbox_push = push.clone();
                let inbox = crate::live::subscribe::<api::InboxEvents>(
                    token.clone(),
                    (api::inbox_events::QUERY, api::inbox_events::OPERATION_NAME),
                    Callback::from(move |event: api::inbox_events::ResponseData| {
                        let event = event.inbox_events;
                        let line = match (&event.message, format!("{:?}", event.kind).as_str()) {
                            (Some(m), _) => format!(
                                "{:?}: {}",
                                m.role,
                                m.body.chars().take(80).collect::<String>()
                            ),
                            (None, "CONVERSATION_STARTED") => "Neues Gespräch im Widget".into(),
                            (None, kind) => kind.to_owned(),
                        };
                        inbox_push(line);
                    }),
                );
                let leads = crate::live::subscribe::<api::LeadEvents>(
                    token,
                    (api::lead_events::QUERY, api::lead_events::OPERATION_NAME),
                    Callback::from(move |event: api::lead_events::ResponseData| {
                        let event = event.lead_events;
                        push(format!("{}: {}", ctx.t(Key::NewLead), event.lead.name));
                        reload.set(*reload + 1);
                    }),
                );
                (inbox, leads)
            });
            move || drop(subscriptions)
        });
    }
    let body = match &*data {
        None => html! { <p class="muted" aria-busy="true">{ ctx.t(Key::Loading) }</p> },
        Some(Err(error)) => html! { <p class="error" role="alert">{ error }</p> },
        Some(Ok(d)) => {
            let conversion = if d.all_leads.total_count > 0 {
                format!(
                    "{:.0} %",
                    d.won.total_count as f64 / d.all_leads.total_count as f64 * 100.0
                )
            } else {
                "–".into()
            };
            let open_total = d.open_leads.edges.len().max(1) as f64;
            let bars = STATUSES[..4].iter().map(|status| {
                let count = d
                    .open_leads
                    .edges
                    .iter()
                    .filter(|e| format!("{:?}", e.node.status) == *status)
                    .count();
                html! {
                    <div class="bar-row">
                        <span>{ status_label(ctx.lang, status) }</span>
                        <progress max={open_total.to_string()} value={count.to_string()}
                            aria-label={status_label(ctx.lang, status)}></progress>
                        <strong>{ count }</strong>
                    </div>
                }
            });
            html! {
                <>
                <div class="grid">
                    <div class="card kpi"><div class="muted">{ ctx.t(Key::LeadsToday) }</div><div class="value">{ d.leads_today.total_count }</div></div>
                    <div class="card kpi"><div class="muted">{ ctx.t(Key::LeadsWeek) }</div><div class="value">{ d.this_week.total_count }</div>
                        <div class="trend">{ format!("{} {}", trend(d.this_week.total_count, d.last_week.total_count), ctx.t(Key::VsLastWeek)) }</div></div>
                    <div class="card kpi"><div class="muted">{ ctx.t(Key::ChatsToday) }</div><div class="value">{ d.chats_today.total_count }</div></div>
                    <div class="card kpi"><div class="muted">{ ctx.t(Key::ChatsWeek) }</div><div class="value">{ d.chats_this_week.total_count }</div>
                        <div class="trend">{ format!("{} {}", trend(d.chats_this_week.total_count, d.chats_last_week.total_count), ctx.t(Key::VsLastWeek)) }</div></div>
                    <div class="card kpi"><div class="muted">{ ctx.t(Key::Conversion) }</div><div class="value">{ conversion }</div></div>
                </div>
                <div class="grid two">
                    <div class="card"><h2>{ ctx.t(Key::OpenByStatus) }</h2>{ for bars }</div>
                    <div class="card"><h2>{ ctx.t(Key::Activity) }</h2>
                        if activity.is_empty() { <p class="muted">{ "Noch nichts Neues seit dem Öffnen der Seite." }</p> }
                        <ul class="activity" aria-live="polite">{ for activity.iter().map(|line| html! { <li>{ line }</li> }) }</ul>
                    </div>
                </div>
                </>
            }
        }
    };
    html! { <section><h1>{ ctx.t(Key::Dashboard) }</h1>{ body }</section> }
}
