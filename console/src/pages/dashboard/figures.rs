//! Numbers as the viewer's language writes them, and the KPI cards with their trend against the
//! previous period.

use yew::prelude::*;

use crate::components::link::FilterLink;
use crate::ctx::Ctx;
use crate::i18n::{Key, Lang, euros};
use crate::route::Route;

pub use crate::i18n::count;

/// A share (0.125) as `12,5 %` / `12.5%`.
pub fn percent(lang: Lang, share: f64) -> String {
    let value = format!("{:.1}", share * 100.0);
    let value = value.strip_suffix(".0").unwrap_or(&value);
    match lang {
        Lang::De => format!("{} %", value.replace('.', ",")),
        Lang::En => format!("{value}%"),
    }
}

/// A duration: `< 1 Min.`, `42 Min.`, `3 Std. 5 Min.`, `2 T. 4 Std.` (English `min`, `h`, `d`).
pub fn duration(lang: Lang, seconds: f64) -> String {
    let minutes = (seconds / 60.0).round() as i64;
    let (min, hours, days) = match lang {
        Lang::De => ("Min.", "Std.", "T."),
        Lang::En => ("min", "h", "d"),
    };
    match minutes {
        0 => format!("< 1 {min}"),
        1..60 => format!("{minutes} {min}"),
        60..1440 => match minutes % 60 {
            0 => format!("{} {hours}", minutes / 60),
            rest => format!("{} {hours} {rest} {min}", minutes / 60),
        },
        _ => match (minutes / 60) % 24 {
            0 => format!("{} {days}", minutes / 1440),
            rest => format!("{} {days} {rest} {hours}", minutes / 1440),
        },
    }
}

/// Cents as an amount of euros (`1.250 €`).
pub fn money(lang: Lang, cents: i64) -> String {
    euros(lang, cents, cents)
}

/// How a figure moved against the previous period.
#[derive(Clone, Debug, PartialEq)]
pub enum Trend {
    /// A relative change (0.12 = +12 %).
    Change(f64),
    /// A change of a rate, in percentage points (0.032 = +3.2 points).
    Points(f64),
    /// Something now, nothing before.
    New,
    /// Nothing either time.
    None,
}

impl Trend {
    /// From the two counts (or cents).
    pub fn of(value: i64, previous: i64) -> Self {
        match (value, previous) {
            (0, 0) => Self::None,
            (_, 0) => Self::New,
            _ => Self::Change((value - previous) as f64 / previous as f64),
        }
    }

    /// From two rates, either missing when its denominator was 0.
    pub fn of_rates(value: Option<f64>, previous: Option<f64>) -> Self {
        match (value, previous) {
            (Some(now), Some(before)) => Self::Points(now - before),
            (Some(_), None) => Self::New,
            _ => Self::None,
        }
    }

    fn direction(&self) -> Option<(&'static str, &'static str, Key)> {
        let delta = match self {
            Self::Change(delta) | Self::Points(delta) => *delta,
            Self::New => 1.0,
            Self::None => return None,
        };
        Some(if delta > 1e-9 {
            ("up", "↑", Key::DbUp)
        } else if delta < -1e-9 {
            ("down", "↓", Key::DbDown)
        } else {
            ("same", "→", Key::DbSame)
        })
    }

    fn text(&self, lang: Lang) -> String {
        let signed = |text: String, delta: f64| {
            if delta > 0.0 {
                format!("+{text}")
            } else if delta < 0.0 {
                format!("−{}", text.trim_start_matches('-'))
            } else {
                text
            }
        };
        match self {
            Self::Change(delta) => signed(percent(lang, *delta), *delta),
            Self::Points(delta) => {
                let points = format!("{:.1}", delta * 100.0);
                let points = match lang {
                    Lang::De => format!("{} Pp.", points.replace('.', ",")),
                    Lang::En => format!("{points} pp"),
                };
                signed(points, *delta)
            }
            Self::New => Key::DbNew.text(lang).to_owned(),
            Self::None => "–".to_owned(),
        }
    }

    pub fn view(&self, lang: Lang) -> Html {
        match self.direction() {
            Some((class, arrow, said)) => html! {
                <span class={classes!("trend", class)}>
                    <span aria-hidden="true">{ arrow }</span>
                    <span class="visually-hidden">{ said.text(lang) }</span>
                    { " " }{ self.text(lang) }
                </span>
            },
            None => html! { <span class="trend same">{ self.text(lang) }</span> },
        }
    }
}

/// One KPI card: the figure, its trend and the previous period's figure; the figure links to
/// the list behind it where there is one.
pub struct Card {
    pub id: &'static str,
    pub label: Key,
    pub value: String,
    pub previous: String,
    pub trend: Trend,
    /// A share's `numerator of denominator`, under the value.
    pub detail: Option<String>,
    pub link: Option<(Route, Vec<(&'static str, String)>)>,
}

impl Card {
    pub fn view(&self, ctx: &Ctx) -> Html {
        let value = match &self.link {
            Some((to, query)) => html! {
                <FilterLink to={to.clone()} query={query.clone()} class="value">{ self.value.clone() }</FilterLink>
            },
            None => html! { <span class="value">{ self.value.clone() }</span> },
        };
        html! {
            <div class="card kpi" id={format!("kpi-{}", self.id)} data-kpi={self.id}>
                <div class="muted">{ ctx.t(self.label) }</div>
                { value }
                if let Some(detail) = &self.detail { <div class="muted small">{ detail.clone() }</div> }
                <div>{ self.trend.view(ctx.lang) }{ " " }<span class="muted small">{ ctx.tf(Key::DbPrevious, &self.previous) }</span></div>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(count(Lang::De, 1_234_567), "1.234.567");
        assert_eq!(count(Lang::En, 1_234), "1,234");
        assert_eq!(count(Lang::De, 999), "999");
        assert_eq!(percent(Lang::De, 0.125), "12,5 %");
        assert_eq!(percent(Lang::En, 0.5), "50%");
        assert_eq!(duration(Lang::De, 20.0), "< 1 Min.");
        assert_eq!(duration(Lang::De, 42.0 * 60.0), "42 Min.");
        assert_eq!(duration(Lang::De, 3.0 * 3600.0 + 300.0), "3 Std. 5 Min.");
        assert_eq!(duration(Lang::En, 2.0 * 86_400.0), "2 d");
        assert_eq!(duration(Lang::En, 26.0 * 3600.0), "1 d 2 h");
    }

    #[test]
    fn trends_compare_with_the_period_before() {
        assert_eq!(Trend::of(0, 0), Trend::None);
        assert_eq!(Trend::of(3, 0), Trend::New);
        assert_eq!(Trend::of(15, 10), Trend::Change(0.5));
        assert_eq!(Trend::of(5, 10).text(Lang::De), "−50 %");
        assert_eq!(Trend::of(15, 10).text(Lang::En), "+50%");
        assert_eq!(
            Trend::of_rates(Some(0.25), Some(0.2)).text(Lang::De),
            "+5,0 Pp."
        );
        assert_eq!(Trend::of_rates(None, Some(0.2)), Trend::None);
    }
}
