//! The period the dashboard shows: a preset counted back from today, or two days picked. Days
//! are the workshop's (its time zone, as the server counts them), not the browser's: at 23:30
//! in London it is already tomorrow in Berlin.

use wasm_bindgen::JsCast;

use crate::i18n::Key;

/// The ways to pick a period, in the order the picker lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Last7,
    Last30,
    Last90,
    ThisMonth,
    LastMonth,
    Custom,
}

pub const PRESETS: [Preset; 6] = [
    Preset::Last7,
    Preset::Last30,
    Preset::Last90,
    Preset::ThisMonth,
    Preset::LastMonth,
    Preset::Custom,
];

impl Preset {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Last7 => "7",
            Self::Last30 => "30",
            Self::Last90 => "90",
            Self::ThisMonth => "this-month",
            Self::LastMonth => "last-month",
            Self::Custom => "custom",
        }
    }

    pub fn parse(code: &str) -> Self {
        PRESETS
            .into_iter()
            .find(|p| p.code() == code)
            .unwrap_or(Self::Custom)
    }

    pub const fn label(self) -> Key {
        match self {
            Self::Last7 => Key::DbLast7,
            Self::Last30 => Key::DbLast30,
            Self::Last90 => Key::DbLast90,
            Self::ThisMonth => Key::DbThisMonth,
            Self::LastMonth => Key::DbLastMonth,
            Self::Custom => Key::DbCustom,
        }
    }

    /// The first and the last day (`YYYY-MM-DD`, both included) as counted in `zone`; `None`
    /// for a custom period.
    pub fn range(self, zone: &str) -> Option<(String, String)> {
        let (year, month, day) = today_in(zone);
        // JavaScript's dates carry a day 0 or below into the months before.
        let at = |m: i32, d: i32| ymd(&js_sys::Date::new_with_year_month_day(year, m, d));
        Some(match self {
            Self::Last7 => (at(month, day - 6), at(month, day)),
            Self::Last30 => (at(month, day - 29), at(month, day)),
            Self::Last90 => (at(month, day - 89), at(month, day)),
            Self::ThisMonth => (at(month, 1), at(month, day)),
            Self::LastMonth => (at(month - 1, 1), at(month, 0)),
            Self::Custom => return None,
        })
    }
}

/// Today's year, month (0-based, as JavaScript counts) and day in the time zone `zone`; the
/// browser's own when the browser does not know the zone.
fn today_in(zone: &str) -> (u32, i32, i32) {
    let now = js_sys::Date::new_0();
    let local = (
        now.get_full_year(),
        now.get_month() as i32,
        now.get_date() as i32,
    );
    let options = js_sys::Object::new();
    if js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into()).is_err() {
        return local;
    }
    // Swedish writes dates as ISO does (`2026-12-03`); an unknown zone throws, caught here.
    let text = js_sys::Reflect::get(&now, &"toLocaleDateString".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call2(&now, &"sv-SE".into(), &options).ok())
        .and_then(|v| v.as_string());
    let parsed = text.and_then(|text| {
        let mut parts = text.split('-').map(|p| p.trim().parse::<i32>().ok());
        let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
        Some((u32::try_from(year).ok()?, month - 1, day))
    });
    parsed.unwrap_or(local)
}

/// A local date as `YYYY-MM-DD`.
fn ymd(date: &js_sys::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// How the series is grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
    Month,
}

pub const GRAINS: [Grain; 3] = [Grain::Day, Grain::Week, Grain::Month];

impl Grain {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    pub fn parse(code: &str) -> Self {
        GRAINS
            .into_iter()
            .find(|g| g.code() == code)
            .unwrap_or(Self::Day)
    }

    pub const fn label(self) -> Key {
        match self {
            Self::Day => Key::DbByDay,
            Self::Week => Key::DbByWeek,
            Self::Month => Key::DbByMonth,
        }
    }
}

/// What the dashboard is asked to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub preset: Preset,
    pub from: String,
    pub to: String,
    pub grain: Grain,
    pub client_key_id: Option<String>,
}

impl Selection {
    /// The workshop's last 30 days by day, every key.
    pub fn initial(zone: &str) -> Self {
        let (from, to) = Preset::Last30.range(zone).unwrap_or_default();
        Self {
            preset: Preset::Last30,
            from,
            to,
            grain: Grain::Day,
            client_key_id: None,
        }
    }

    /// Both days set and in order (ISO dates compare as text).
    pub fn is_valid(&self) -> bool {
        self.from.len() == 10 && self.to.len() == 10 && self.from <= self.to
    }

    /// The export route's query: `from`, `to`, `granularity` and the key when one is chosen.
    pub fn export_query(&self) -> String {
        let mut query = format!(
            "from={}&to={}&granularity={}",
            self.from,
            self.to,
            self.grain.code()
        );
        if let Some(key) = &self.client_key_id {
            query.push_str("&clientKeyId=");
            query.push_str(&String::from(js_sys::encode_uri_component(key)));
        }
        query
    }
}
