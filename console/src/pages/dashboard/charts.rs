//! The dashboard's pictures, drawn as SVG and CSS by the console: conversations and leads over
//! time, and the peak-hour heat map. Each comes with its numbers as text (a table, cell titles)
//! for screen readers and for reading exact values.

use yew::prelude::*;

use super::figures::count;
use crate::components::dates::calendar_date;
use crate::components::drill::weekday_name;
use crate::components::link::FilterLink;
use crate::ctx::Ctx;
use crate::i18n::{Key, Lang};
use crate::route::Route;

/// One point of the series (a day, week or month).
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub start: String,
    pub end: String,
    /// The instants the point spans in the workshop's time zone (its drill-down).
    pub starts_at: String,
    pub ends_at: String,
    pub widget_opens: i64,
    pub conversations: i64,
    pub visitor_messages: i64,
    pub leads: i64,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

/// The smallest of 1, 2, 5 × 10ⁿ at or above `max`: round grid lines.
fn scale(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * step >= max {
                return factor * step;
            }
        }
        step *= 10;
    }
}

fn period_label(lang: Lang, point: &Point) -> String {
    if point.start == point.end {
        calendar_date(lang, &point.start)
    } else {
        format!(
            "{} – {}",
            calendar_date(lang, &point.start),
            calendar_date(lang, &point.end)
        )
    }
}

/// Bars of conversations and leads per point, with a table of every figure below.
pub fn series(ctx: &Ctx, points: &[Point]) -> Html {
    let lang = ctx.lang;
    let top = scale(
        points
            .iter()
            .map(|p| p.conversations.max(p.leads))
            .max()
            .unwrap_or(0)
            .max(1),
    );
    let plot_width = WIDTH - LEFT - 8.0;
    let plot_height = HEIGHT - BOTTOM - TOP;
    let slot = plot_width / points.len().max(1) as f64;
    let bar = (slot * 0.4).max(1.0);
    let y = |n: i64| TOP + plot_height * (1.0 - n as f64 / top as f64);
    let grid = [0, top / 2, top].into_iter().map(|n| {
        html! {
            <g class="grid-line">
                <line x1={LEFT.to_string()} x2={(WIDTH - 8.0).to_string()} y1={y(n).to_string()} y2={y(n).to_string()} />
                <text x={(LEFT - 6.0).to_string()} y={(y(n) + 4.0).to_string()} text-anchor="end">{ count(lang, n) }</text>
            </g>
        }
    });
    let bars = points.iter().enumerate().map(|(i, point)| {
        let x = LEFT + slot * i as f64 + (slot - 2.0 * bar) / 2.0;
        let title = format!(
            "{}: {} {}, {} {}",
            period_label(lang, point),
            count(lang, point.conversations),
            ctx.t(Key::DbConversations),
            count(lang, point.leads),
            ctx.t(Key::DbLeads)
        );
        html! {
            <g class="point">
                <title>{ title }</title>
                <rect class="conversations" x={x.to_string()} width={bar.to_string()}
                      y={y(point.conversations).to_string()} height={(y(0) - y(point.conversations)).to_string()} />
                <rect class="leads" x={(x + bar).to_string()} width={bar.to_string()}
                      y={y(point.leads).to_string()} height={(y(0) - y(point.leads)).to_string()} />
            </g>
        }
    });
    // The first, the middle and the last point's start under the axis.
    let mut ticks: Vec<usize> = vec![0, points.len() / 2, points.len().saturating_sub(1)];
    ticks.dedup();
    let labels = ticks.into_iter().filter(|i| *i < points.len()).map(|i| {
        let x = LEFT + slot * (i as f64 + 0.5);
        html! {
            <text x={x.to_string()} y={(HEIGHT - 8.0).to_string()} text-anchor="middle">
                { calendar_date(lang, &points[i].start) }
            </text>
        }
    });
    let rows = points.iter().map(|point| {
        let range = vec![
            ("after", point.starts_at.clone()),
            ("before", point.ends_at.clone()),
        ];
        let mut chats = range.clone();
        chats.push(("visitor", "1".to_owned()));
        html! {
            <tr>
                <td>{ period_label(lang, point) }</td>
                <td>{ count(lang, point.widget_opens) }</td>
                <td><FilterLink to={Route::Chats} query={chats}>{ count(lang, point.conversations) }</FilterLink></td>
                <td>{ count(lang, point.visitor_messages) }</td>
                <td><FilterLink to={Route::Leads} query={range}>{ count(lang, point.leads) }</FilterLink></td>
            </tr>
        }
    });
    html! {
        <div class="card chart-card">
            <h2>{ ctx.t(Key::DbSeries) }</h2>
            <svg class="series-chart" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img"
                 aria-label={ctx.t(Key::DbSeriesLabel)}>
                { for grid }
                { for bars }
                { for labels }
            </svg>
            <p class="legend">
                <span class="swatch conversations"></span>{ ctx.t(Key::DbConversations) }
                <span class="swatch leads"></span>{ ctx.t(Key::DbLeads) }
            </p>
            <details>
                <summary>{ ctx.t(Key::DbSeriesTable) }</summary>
                <div class="table-scroll">
                    <table class="series-table">
                        <thead><tr>
                            <th>{ ctx.t(Key::DbPeriod) }</th><th>{ ctx.t(Key::DbWidgetOpens) }</th>
                            <th>{ ctx.t(Key::DbConversations) }</th><th>{ ctx.t(Key::DbVisitorMessages) }</th>
                            <th>{ ctx.t(Key::DbLeads) }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            </details>
        </div>
    }
}

/// One cell of the peak-hour matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// 0 = Monday.
    pub weekday: usize,
    pub hour: i64,
    pub conversations: i64,
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("Mo", "Mon"),
    ("Di", "Tue"),
    ("Mi", "Wed"),
    ("Do", "Thu"),
    ("Fr", "Fri"),
    ("Sa", "Sat"),
    ("So", "Sun"),
];

pub fn weekday_short(lang: Lang, weekday: usize) -> &'static str {
    let (de, en) = WEEKDAYS[weekday % 7];
    if lang == Lang::De { de } else { en }
}

/// The shade of a cell, 0 (none) to 4 (the busiest hour's).
fn level(conversations: i64, max: i64) -> i64 {
    if conversations == 0 || max == 0 {
        0
    } else {
        (conversations * 4 + max - 1) / max
    }
}

/// Weekdays down, hours across, darker where more conversations started.
pub fn heat_map(
    ctx: &Ctx,
    cells: &[Cell],
    time_zone: &str,
    drill: &[(&'static str, String)],
) -> Html {
    let lang = ctx.lang;
    let max = cells.iter().map(|c| c.conversations).max().unwrap_or(0);
    let rows = (0..7).map(|weekday| {
        let day = weekday_short(lang, weekday);
        let cells = cells.iter().filter(|c| c.weekday == weekday).map(|cell| {
            let title = format!(
                "{day} {:02}:00–{:02}:00: {} {}",
                cell.hour,
                cell.hour + 1,
                count(lang, cell.conversations),
                ctx.t(Key::DbConversations)
            );
            let class = classes!("heat-cell", format!("l{}", level(cell.conversations, max)));
            if cell.conversations == 0 {
                return html! {
                    <span {class} role="cell" title={title.clone()}>
                        <span class="visually-hidden">{ title }</span>
                    </span>
                };
            }
            // The conversations behind the cell: the period's, on that weekday and hour.
            let mut query = drill.to_vec();
            query.push(("visitor", "1".to_owned()));
            query.push(("weekday", weekday_name(cell.weekday).to_owned()));
            query.push(("hour", cell.hour.to_string()));
            html! {
                <span {class} role="cell">
                    <FilterLink to={Route::Chats} {query} title={AttrValue::from(title.clone())}>
                        <span class="visually-hidden">{ title }</span>
                    </FilterLink>
                </span>
            }
        });
        html! {
            <div class="heat-row" role="row">
                <span class="heat-day" role="rowheader">{ day }</span>
                { for cells }
            </div>
        }
    });
    let hours = (0..24).map(|hour| {
        html! { <span class="heat-hour">{ if hour % 6 == 0 { hour.to_string() } else { String::new() } }</span> }
    });
    html! {
        <div class="card">
            <h2>{ ctx.t(Key::DbPeakHours) }</h2>
            <p class="muted small">{ ctx.tf(Key::DbPeakHoursHint, time_zone) }</p>
            <div class="heatmap" role="table" aria-label={ctx.t(Key::DbPeakHours)}>
                { for rows }
                <div class="heat-row hours" aria-hidden="true"><span></span>{ for hours }</div>
            </div>
            <p class="legend small">
                { ctx.t(Key::DbFewer) }
                { for (0..5).map(|l| html! { <span class={classes!("heat-cell", "key", format!("l{l}"))}></span> }) }
                { ctx.t(Key::DbMore) }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_lines_fall_on_round_numbers() {
        assert_eq!(scale(1), 1);
        assert_eq!(scale(3), 5);
        assert_eq!(scale(7), 10);
        assert_eq!(scale(11), 20);
        assert_eq!(scale(480), 500);
    }

    #[test]
    fn the_busiest_hour_is_darkest() {
        assert_eq!(level(0, 10), 0);
        assert_eq!(level(1, 10), 1);
        assert_eq!(level(5, 10), 2);
        assert_eq!(level(10, 10), 4);
    }
}
