//! The filter a list page takes from its address, so that a figure of the dashboard opens the
//! very leads or chats it counts: `after`/`before` (the period's instants) or `from`/`to` (days
//! on the browser's calendar), `clientKey`, `service`, `page`, `status` (a status or `OPEN`),
//! `intent`, `unanswered`, `hasLead`, `visitor`, `weekday` and `hour` (a cell of the heat map, in
//! the workshop's time zone) and `conversation` (one chat to open). The
//! banner says what is filtered and clears it.

use std::collections::HashMap;

use yew::prelude::*;

use crate::components::dates::date;
use crate::components::link::RouteLink;
use crate::ctx::Ctx;
use crate::i18n::{Key, intent_label, quoted, status_label};
use crate::route::Route;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drill {
    pub after: Option<String>,
    pub before: Option<String>,
    pub client_key: Option<String>,
    pub key_label: Option<String>,
    pub service: Option<String>,
    pub service_name: Option<String>,
    pub page: Option<String>,
    pub status: Option<String>,
    pub intent: Option<String>,
    pub unanswered: bool,
    pub has_lead: bool,
    pub visitor: bool,
    /// `MONDAY` … `SUNDAY`.
    pub weekday: Option<String>,
    pub hour: Option<i64>,
    pub conversation: Option<String>,
}

/// The weekdays as the API names them, with their labels.
const WEEKDAYS: [(&str, Key); 7] = [
    ("MONDAY", Key::SetDayMon),
    ("TUESDAY", Key::SetDayTue),
    ("WEDNESDAY", Key::SetDayWed),
    ("THURSDAY", Key::SetDayThu),
    ("FRIDAY", Key::SetDayFri),
    ("SATURDAY", Key::SetDaySat),
    ("SUNDAY", Key::SetDaySun),
];

/// The API's name of a weekday, 0 = Monday.
pub fn weekday_name(index: usize) -> &'static str {
    WEEKDAYS[index % 7].0
}

/// The first instant of a day (`YYYY-MM-DD`) on the browser's calendar, as RFC 3339.
pub fn day_start(day: &str) -> Option<String> {
    instant(&format!("{day}T00:00:00"), 0.0)
}

/// The first instant after a day: the end of a range that includes it.
pub fn day_end(day: &str) -> Option<String> {
    // Noon plus 12 hours lands in the next day whatever the clock change; then its midnight.
    let next = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!("{day}T12:00:00")));
    if next.get_time().is_nan() {
        return None;
    }
    next.set_date(next.get_date() + 1);
    next.set_hours(0);
    next.to_iso_string().as_string()
}

fn instant(local: &str, shift_ms: f64) -> Option<String> {
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local));
    if at.get_time().is_nan() {
        return None;
    }
    js_sys::Date::new(&(at.get_time() + shift_ms).into())
        .to_iso_string()
        .as_string()
}

impl Drill {
    pub fn from_query(query: &HashMap<String, String>) -> Self {
        let get = |name: &str| query.get(name).cloned();
        let yes = |name: &str| query.get(name).is_some_and(|v| v == "1" || v == "true");
        Self {
            after: get("after").or_else(|| get("from").and_then(|d| day_start(&d))),
            before: get("before").or_else(|| get("to").and_then(|d| day_end(&d))),
            client_key: get("clientKey"),
            key_label: get("keyLabel"),
            service: get("service"),
            service_name: get("serviceName"),
            page: get("page"),
            status: get("status"),
            intent: get("intent"),
            unanswered: yes("unanswered"),
            has_lead: yes("hasLead"),
            visitor: yes("visitor"),
            weekday: get("weekday").filter(|d| WEEKDAYS.iter().any(|(name, _)| name == d)),
            hour: get("hour")
                .and_then(|h| h.parse().ok())
                .filter(|h| (0..24).contains(h)),
            conversation: get("conversation"),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// What is filtered, one phrase each.
    fn phrases(&self, ctx: &Ctx) -> Vec<String> {
        let lang = ctx.lang;
        let mut said = Vec::new();
        if self.after.is_some() || self.before.is_some() {
            // `before` is the first instant after the range: its last day is a second earlier.
            let last = self.before.as_deref().and_then(|b| instant(b, -1000.0));
            said.push(format!(
                "{} {} – {}",
                ctx.t(Key::DrillPeriod),
                self.after
                    .as_deref()
                    .map(|a| date(lang, a))
                    .unwrap_or_default(),
                last.as_deref().map(|b| date(lang, b)).unwrap_or_default()
            ));
        }
        if let Some(status) = &self.status {
            said.push(if status == "OPEN" {
                ctx.t(Key::DrillOpen).to_owned()
            } else {
                status_label(lang, status).to_owned()
            });
        }
        if self.client_key.is_some() {
            said.push(format!(
                "{} {}",
                ctx.t(Key::DbWidgetKeyLabel),
                self.key_label.clone().unwrap_or_default()
            ));
        }
        if self.service.is_some() {
            said.push(format!(
                "{} {}",
                ctx.t(Key::DbService),
                self.service_name
                    .as_deref()
                    .map(|n| quoted(lang, n))
                    .unwrap_or_default()
            ));
        }
        if let Some(page) = &self.page {
            said.push(format!("{} {page}", ctx.t(Key::DbPage)));
        }
        if let Some(intent) = &self.intent {
            said.push(format!(
                "{} {}",
                ctx.t(Key::DbTopic),
                intent_label(lang, intent)
            ));
        }
        if self.unanswered {
            said.push(ctx.t(Key::DrillUnanswered).to_owned());
        }
        if self.has_lead {
            said.push(ctx.t(Key::DrillWithLead).to_owned());
        }
        if self.visitor {
            said.push(ctx.t(Key::DrillWithMessages).to_owned());
        }
        let day = self.weekday.as_deref().and_then(|d| {
            WEEKDAYS
                .iter()
                .find(|(name, _)| *name == d)
                .map(|(_, key)| ctx.t(*key))
        });
        match (day, self.hour) {
            (Some(day), Some(hour)) => {
                said.push(format!("{day} {hour:02}:00–{:02}:00", hour + 1));
            }
            (Some(day), None) => said.push(day.to_owned()),
            (None, Some(hour)) => said.push(format!("{hour:02}:00–{:02}:00", hour + 1)),
            (None, None) => {}
        }
        said
    }

    /// The banner over a filtered list, with the way back to the whole list.
    pub fn banner(&self, ctx: &Ctx, whole: Route) -> Html {
        let phrases = self.phrases(ctx);
        if phrases.is_empty() {
            return Html::default();
        }
        html! {
            <div class="callout info drill" role="status">
                <p>{ ctx.t(Key::DrillFilter) }{ " " }<strong>{ phrases.join(" · ") }</strong></p>
                <RouteLink to={whole}>{ ctx.t(Key::DrillClear) }</RouteLink>
            </div>
        }
    }
}
