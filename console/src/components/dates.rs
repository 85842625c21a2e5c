//! Dates as the viewer's language writes them, in the browser's time zone: `13.12.2026` in
//! German, `13 Dec 2026` in English (day first and the month by name, so that nobody reads
//! 12/13 the wrong way round).

use crate::i18n::Lang;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn local_date(rfc3339: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    (!date.get_time().is_nan()).then_some(date)
}

/// The day and month: `13.12.` or `13 Dec`.
fn day_month(lang: Lang, d: &js_sys::Date) -> String {
    match lang {
        Lang::De => format!("{:02}.{:02}.", d.get_date(), d.get_month() + 1),
        Lang::En => format!(
            "{} {}",
            d.get_date(),
            MONTHS_EN
                .get(d.get_month() as usize)
                .copied()
                .unwrap_or_default()
        ),
    }
}

fn clock(d: &js_sys::Date) -> String {
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// `2026-12-13T10:00:00Z` → `13.12.2026` / `13 Dec 2026`.
pub fn date(lang: Lang, rfc3339: &str) -> String {
    local_date(rfc3339).map_or_else(
        || rfc3339.to_owned(),
        |d| match lang {
            Lang::De => format!("{}{}", day_month(lang, &d), d.get_full_year()),
            Lang::En => format!("{} {}", day_month(lang, &d), d.get_full_year()),
        },
    )
}

/// `2026-12-13T10:05:00Z` → `13.12.2026, 11:05` / `13 Dec 2026, 11:05`.
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    local_date(rfc3339).map_or_else(
        || rfc3339.to_owned(),
        |d| format!("{}, {}", date(lang, rfc3339), clock(&d)),
    )
}

/// Without the year, for lists of recent things: `13.12. 11:05` / `13 Dec 11:05`.
pub fn short_date_time(lang: Lang, rfc3339: &str) -> String {
    local_date(rfc3339).map_or_else(
        || rfc3339.to_owned(),
        |d| format!("{} {}", day_month(lang, &d), clock(&d)),
    )
}

/// A calendar date without a time (`2026-12-10`) → `10.12.2026` / `10 Dec 2026`.
pub fn calendar_date(lang: Lang, naive: &str) -> String {
    // Noon in the browser's zone keeps the day whatever the offset.
    date(lang, &format!("{naive}T12:00:00"))
}
