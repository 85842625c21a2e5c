//! Dates as German readers write them, in the browser's time zone.

fn local_date(rfc3339: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    (!date.get_time().is_nan()).then_some(date)
}

/// `2026-12-13T10:00:00Z` → `13.12.2026` in the browser's time zone.
pub fn date_de(rfc3339: &str) -> String {
    local_date(rfc3339).map_or_else(
        || rfc3339.to_owned(),
        |d| {
            format!(
                "{:02}.{:02}.{}",
                d.get_date(),
                d.get_month() + 1,
                d.get_full_year()
            )
        },
    )
}

/// `2026-12-13T10:05:00Z` → `13.12.2026, 11:05` in the browser's time zone.
pub fn date_time_de(rfc3339: &str) -> String {
    local_date(rfc3339).map_or_else(
        || rfc3339.to_owned(),
        |d| {
            format!(
                "{}, {:02}:{:02}",
                date_de(rfc3339),
                d.get_hours(),
                d.get_minutes()
            )
        },
    )
}
