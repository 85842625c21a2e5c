//! The dashboard: what CarBot brought in a period, beside the period before — KPI cards with
//! their trend, conversations and leads over time, and (Premium and up) peak hours, response
//! time, questions, services, unanswered questions, pages and keys. Every figure links to the
//! leads or chats behind it; every table downloads as CSV. It loads again when a lead arrives.

mod charts;
mod details;
mod exports;
mod figures;
mod period;

use yew::prelude::*;

use crate::api::{self, analytics, analytics_details, workshop_time_zone};
use crate::components::dates::calendar_date;
use crate::components::link::PlanLink;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::{Ctx, use_ctx};
use crate::hooks::reload::use_reload;
use crate::i18n::Key;
use crate::route::Route;
use charts::{Cell, Point};
use details::Drill;
use exports::Exports;
use figures::{Card, Trend, count, money, percent};
use period::{GRAINS, Grain, PRESETS, Preset, Selection};

/// The answer of the first query, and the Premium part when the plan has it.
#[derive(Clone, PartialEq)]
struct Loaded {
    basic: analytics::ResponseData,
    details: Option<analytics_details::AnalyticsDetailsAnalytics>,
}

const fn granularity(grain: Grain) -> analytics::Granularity {
    match grain {
        Grain::Day => analytics::Granularity::DAY,
        Grain::Week => analytics::Granularity::WEEK,
        Grain::Month => analytics::Granularity::MONTH,
    }
}

async fn load(ctx: &Ctx, selection: &Selection) -> Result<Loaded, api::ApiError> {
    let token = ctx.token();
    let basic = api::run::<api::Analytics>(
        token.as_deref(),
        analytics::Variables {
            range: analytics::AnalyticsRangeInput {
                from: selection.from.clone(),
                to: selection.to.clone(),
            },
            client_key_id: selection.client_key_id.clone(),
            granularity: granularity(selection.grain),
        },
    )
    .await?;
    let details = if basic.workshop.plan.limits.advanced_analytics {
        let found = api::run::<api::AnalyticsDetails>(
            token.as_deref(),
            analytics_details::Variables {
                range: analytics_details::AnalyticsRangeInput {
                    from: selection.from.clone(),
                    to: selection.to.clone(),
                },
                client_key_id: selection.client_key_id.clone(),
            },
        )
        .await?;
        Some(found.analytics)
    } else {
        None
    };
    Ok(Loaded { basic, details })
}

#[function_component(Dashboard)]
pub fn dashboard() -> Html {
    let ctx = use_ctx();
    // The workshop's time zone first: the presets count its days.
    let zone = use_state(|| None::<String>);
    let selection = use_state(|| None::<Selection>);
    let data = use_state(|| Load::<Loaded>::Loading);
    let reload = use_reload();
    {
        let (ctx, zone, selection, data) =
            (ctx.clone(), zone.clone(), selection.clone(), data.clone());
        use_effect_with(reload.0, move |_| {
            if zone.is_none() {
                wasm_bindgen_futures::spawn_local(async move {
                    let found = api::run::<api::WorkshopTimeZone>(
                        ctx.token().as_deref(),
                        workshop_time_zone::Variables {},
                    )
                    .await;
                    match found {
                        Ok(found) => {
                            let time_zone = found.workshop.time_zone;
                            selection.set(Some(Selection::initial(&time_zone)));
                            zone.set(Some(time_zone));
                        }
                        Err(error) => data.set(Load::from_result(&ctx, Err(error))),
                    }
                });
            }
        });
    }
    {
        let (ctx, data) = (ctx.clone(), data.clone());
        use_effect_with(((*selection).clone(), reload.0), move |(selection, _)| {
            if let Some(selection) = selection.as_ref().filter(|s| s.is_valid()) {
                let selection = selection.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = load(&ctx, &selection).await;
                    data.set(Load::from_result(&ctx, result));
                });
            }
        });
    }
    // A new lead changes the figures: load them again.
    {
        let reload = reload.clone();
        use_effect_with(ctx.token(), move |token| {
            let live = token.clone().map(|token| {
                crate::live::subscribe::<api::LeadEvents>(
                    token,
                    (api::lead_events::QUERY, api::lead_events::OPERATION_NAME),
                    Callback::from(move |_: api::lead_events::ResponseData| {
                        reload.dispatch(());
                    }),
                )
            });
            move || drop(live)
        });
    }
    let keys = match &*data {
        Load::Ready(loaded) => loaded
            .basic
            .client_keys
            .edges
            .iter()
            .map(|e| {
                (
                    e.node.id.clone(),
                    e.node.label.clone(),
                    e.node.revoked_at.is_some(),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let picker = match (&*zone, &*selection) {
        (Some(zone), Some(current)) => picker(&ctx, &selection, current, zone, &keys),
        _ => Html::default(),
    };
    let body = match (&*data, &*selection) {
        (_, Some(current)) if !current.is_valid() => {
            html! { <p class="error" role="alert">{ ctx.t(Key::DbRangeInvalid) }</p> }
        }
        (Load::Failed(message), _) => {
            let reload = reload.clone();
            failed_view(&ctx, message, Callback::from(move |_| reload.dispatch(())))
        }
        (Load::Ready(loaded), Some(current)) => figures_view(&ctx, current, loaded),
        _ => loading_view(&ctx),
    };
    html! {
        <section class="dashboard">
            <h1>{ ctx.t(Key::Dashboard) }</h1>
            { picker }
            { body }
        </section>
    }
}

/// The period, the grouping and the key.
fn picker(
    ctx: &Ctx,
    handle: &UseStateHandle<Option<Selection>>,
    selection: &Selection,
    zone: &str,
    keys: &[(String, String, bool)],
) -> Html {
    let change = |apply: fn(&mut Selection, String, &str)| {
        let (handle, current, zone) = (handle.clone(), selection.clone(), zone.to_owned());
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let mut next = current.clone();
            apply(&mut next, input.value(), &zone);
            handle.set(Some(next));
        })
    };
    let on_preset = change(|s, value, zone| {
        s.preset = Preset::parse(&value);
        if let Some((from, to)) = s.preset.range(zone) {
            (s.from, s.to) = (from, to);
        }
    });
    let on_from = change(|s, value, _| {
        s.preset = Preset::Custom;
        s.from = value;
    });
    let on_to = change(|s, value, _| {
        s.preset = Preset::Custom;
        s.to = value;
    });
    let on_grain = change(|s, value, _| s.grain = Grain::parse(&value));
    let on_key = change(|s, value, _| s.client_key_id = (!value.is_empty()).then_some(value));
    html! {
        <div class="toolbar" role="group" aria-label={ctx.t(Key::DbPeriod)}>
            <div class="field">
                <label for="dash-preset">{ ctx.t(Key::DbPeriod) }</label>
                <select id="dash-preset" onchange={on_preset}>
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.code()} selected={selection.preset == *p}>{ ctx.t(p.label()) }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="dash-from">{ ctx.t(Key::From) }</label>
                <input id="dash-from" type="date" value={selection.from.clone()} max={selection.to.clone()} onchange={on_from} />
            </div>
            <div class="field">
                <label for="dash-to">{ ctx.t(Key::To) }</label>
                <input id="dash-to" type="date" value={selection.to.clone()} min={selection.from.clone()} onchange={on_to} />
            </div>
            <div class="field">
                <label for="dash-grain">{ ctx.t(Key::DbGranularity) }</label>
                <select id="dash-grain" onchange={on_grain}>
                    { for GRAINS.iter().map(|g| html! {
                        <option value={g.code()} selected={selection.grain == *g}>{ ctx.t(g.label()) }</option>
                    }) }
                </select>
            </div>
            if keys.len() > 1 || selection.client_key_id.is_some() {
                <div class="field">
                    <label for="dash-key">{ ctx.t(Key::DbWidgetKeyLabel) }</label>
                    <select id="dash-key" onchange={on_key}>
                        <option value="" selected={selection.client_key_id.is_none()}>{ ctx.t(Key::DbAllKeys) }</option>
                        { for keys.iter().map(|(id, label, revoked)| html! {
                            <option value={id.clone()} selected={selection.client_key_id.as_ref() == Some(id)}>
                                { if *revoked { format!("{label} ✕") } else { label.clone() } }
                            </option>
                        }) }
                    </select>
                </div>
            }
        </div>
    }
}

fn figures_view(ctx: &Ctx, selection: &Selection, loaded: &Loaded) -> Html {
    let lang = ctx.lang;
    let a = &loaded.basic.analytics;
    let t = &a.totals;
    // The lists behind the figures: the period's exact instants, and the key when one is chosen.
    let mut drill: Drill = vec![
        ("after", a.period.starts_at.clone()),
        ("before", a.period.ends_at.clone()),
    ];
    if let Some(key) = &selection.client_key_id {
        drill.push(("clientKey", key.clone()));
        if let Some(edge) = loaded
            .basic
            .client_keys
            .edges
            .iter()
            .find(|e| e.node.id == *key)
        {
            drill.push(("keyLabel", edge.node.label.clone()));
        }
    }
    let plus = |name: &'static str, value: &str| {
        let mut query = drill.clone();
        query.push((name, value.to_owned()));
        query
    };
    let rate = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |v| percent(lang, v));
    let cards = [
        Card {
            id: "widget-opens",
            label: Key::DbWidgetOpens,
            value: count(lang, t.widget_opens.value),
            previous: count(lang, t.widget_opens.previous),
            trend: Trend::of(t.widget_opens.value, t.widget_opens.previous),
            detail: None,
            link: None,
        },
        Card {
            id: "conversations",
            label: Key::DbConversations,
            value: count(lang, t.conversations.value),
            previous: count(lang, t.conversations.previous),
            trend: Trend::of(t.conversations.value, t.conversations.previous),
            detail: None,
            link: Some((Route::Chats, plus("visitor", "1"))),
        },
        Card {
            id: "visitor-messages",
            label: Key::DbVisitorMessages,
            value: count(lang, t.visitor_messages.value),
            previous: count(lang, t.visitor_messages.previous),
            trend: Trend::of(t.visitor_messages.value, t.visitor_messages.previous),
            detail: None,
            link: None,
        },
        Card {
            id: "leads",
            label: Key::DbLeads,
            value: count(lang, t.leads.value),
            previous: count(lang, t.leads.previous),
            trend: Trend::of(t.leads.value, t.leads.previous),
            detail: None,
            link: Some((Route::Leads, drill.clone())),
        },
        Card {
            id: "conversation-to-lead",
            label: Key::DbConversationToLead,
            value: rate(t.conversation_to_lead.value),
            previous: rate(t.conversation_to_lead.previous),
            trend: Trend::of_rates(
                t.conversation_to_lead.value,
                t.conversation_to_lead.previous,
            ),
            detail: Some(
                ctx.t(Key::DbOf)
                    .replacen("{}", &count(lang, t.conversation_to_lead.numerator), 1)
                    .replacen("{}", &count(lang, t.conversation_to_lead.denominator), 1),
            ),
            link: Some((Route::Chats, plus("hasLead", "1"))),
        },
        Card {
            id: "lead-to-won",
            label: Key::DbLeadToWon,
            value: rate(t.lead_to_won.value),
            previous: rate(t.lead_to_won.previous),
            trend: Trend::of_rates(t.lead_to_won.value, t.lead_to_won.previous),
            detail: Some(
                ctx.t(Key::DbOf)
                    .replacen("{}", &count(lang, t.lead_to_won.numerator), 1)
                    .replacen("{}", &count(lang, t.lead_to_won.denominator), 1),
            ),
            link: Some((Route::Leads, plus("status", "WON"))),
        },
        Card {
            id: "pipeline-value",
            label: Key::DbPipelineValue,
            value: money(lang, t.pipeline_value.value.amount_cents),
            previous: money(lang, t.pipeline_value.previous.amount_cents),
            trend: Trend::of(
                t.pipeline_value.value.amount_cents,
                t.pipeline_value.previous.amount_cents,
            ),
            detail: None,
            link: Some((Route::Leads, plus("status", "OPEN"))),
        },
        Card {
            id: "won-value",
            label: Key::DbWonValue,
            value: money(lang, t.won_value.value.amount_cents),
            previous: money(lang, t.won_value.previous.amount_cents),
            trend: Trend::of(
                t.won_value.value.amount_cents,
                t.won_value.previous.amount_cents,
            ),
            detail: None,
            link: Some((Route::Leads, plus("status", "WON"))),
        },
    ];
    let points: Vec<Point> = a
        .series
        .iter()
        .map(|p| Point {
            start: p.start.clone(),
            end: p.end.clone(),
            starts_at: p.starts_at.clone(),
            ends_at: p.ends_at.clone(),
            widget_opens: p.widget_opens,
            conversations: p.conversations,
            visitor_messages: p.visitor_messages,
            leads: p.leads,
        })
        .collect();
    let compared = format!(
        "{} – {}",
        calendar_date(lang, &a.previous_period.from),
        calendar_date(lang, &a.previous_period.to)
    );
    let premium = match &loaded.details {
        Some(details) => {
            let cells: Vec<Cell> = details
                .peak_hours
                .iter()
                .map(|c| Cell {
                    weekday: weekday_index(&format!("{:?}", c.weekday)),
                    hour: c.hour,
                    conversations: c.conversations,
                })
                .collect();
            html! {
                <div class="grid two">
                    { charts::heat_map(ctx, &cells, &a.time_zone, &drill) }
                    { details::response_time(ctx, details) }
                    { details::top_questions(ctx, details, &drill) }
                    { details::top_services(ctx, details, &drill) }
                    { details::unanswered(ctx, details, &drill) }
                    { details::top_pages(ctx, details, &drill) }
                    { details::client_keys(ctx, details, &drill) }
                </div>
            }
        }
        None => html! {
            <div class="callout info upgrade" id="analytics-upgrade">
                <p>{ ctx.t(Key::DbUpgrade) }</p>
                <PlanLink />
            </div>
        },
    };
    html! {
        <>
            <p class="muted small">
                { ctx.tf(Key::DbComparedWith, &compared) }{ " · " }{ ctx.tf(Key::DbTimeZone, &a.time_zone) }
            </p>
            <div class="grid kpis">{ for cards.iter().map(|card| card.view(ctx)) }</div>
            { charts::series(ctx, &points) }
            { premium }
            <Exports selection={selection.clone()} allowed={loaded.basic.workshop.plan.limits.csv_exports} />
        </>
    }
}

fn weekday_index(name: &str) -> usize {
    [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ]
    .iter()
    .position(|day| *day == name)
    .unwrap_or(0)
}
