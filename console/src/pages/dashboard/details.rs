//! The Premium part of the dashboard: response time, what visitors asked, which services they
//! wanted, what the catalog could not answer, where conversations start and what each widget key
//! brought. Every count links to the list behind it.

use yew::prelude::*;

use super::figures::{count, duration, percent};
use crate::api::analytics_details::AnalyticsDetailsAnalytics as Details;
use crate::components::dates::short_date_time;
use crate::components::link::FilterLink;
use crate::ctx::Ctx;
use crate::i18n::{Key, intent_label, quoted};
use crate::route::Route;

/// The period's (and key's) filter, to which each link adds its own.
pub type Drill = Vec<(&'static str, String)>;

fn with(drill: &Drill, name: &'static str, value: String) -> Drill {
    let mut query = drill.clone();
    query.push((name, value));
    query
}

fn empty_row(ctx: &Ctx, columns: usize) -> Html {
    html! { <tr><td colspan={columns.to_string()} class="muted">{ ctx.t(Key::DbNothingYet) }</td></tr> }
}

pub fn response_time(ctx: &Ctx, details: &Details) -> Html {
    let time = &details.response_time;
    let shown =
        |seconds: Option<f64>| seconds.map_or_else(|| "–".to_owned(), |s| duration(ctx.lang, s));
    html! {
        <div class="card" id="response-time">
            <h2>{ ctx.t(Key::DbResponseTime) }</h2>
            <p class="muted small">{ ctx.t(Key::DbResponded).replacen("{}", &count(ctx.lang, time.responded), 1).replacen("{}", &count(ctx.lang, time.leads), 1) }</p>
            <table class="compact">
                <thead><tr><th></th><th>{ ctx.t(Key::DbMedian) }</th><th>{ ctx.t(Key::DbP90) }</th></tr></thead>
                <tbody>
                    <tr><td>{ ctx.t(Key::DbOpeningHours) }</td>
                        <td data-figure="opening-median">{ shown(time.opening_hours_median_seconds) }</td>
                        <td>{ shown(time.opening_hours_p90_seconds) }</td></tr>
                    <tr><td>{ ctx.t(Key::DbAllHours) }</td>
                        <td data-figure="median">{ shown(time.median_seconds) }</td>
                        <td>{ shown(time.p90_seconds) }</td></tr>
                </tbody>
            </table>
        </div>
    }
}

pub fn top_questions(ctx: &Ctx, details: &Details, drill: &Drill) -> Html {
    let rows = details.top_questions.iter().map(|q| {
        let intent = format!("{:?}", q.intent);
        let share = (q.questions > 0).then(|| percent(ctx.lang, q.matched as f64 / q.questions as f64));
        html! {
            <tr>
                <td>{ intent_label(ctx.lang, &intent) }</td>
                <td><FilterLink to={Route::Chats} query={with(drill, "intent", intent.clone())}>{ count(ctx.lang, q.questions) }</FilterLink></td>
                <td>{ share.unwrap_or_default() }</td>
            </tr>
        }
    });
    html! {
        <div class="card" id="top-questions">
            <h2>{ ctx.t(Key::DbTopQuestions) }</h2>
            <table class="compact">
                <thead><tr><th>{ ctx.t(Key::DbTopic) }</th><th>{ ctx.t(Key::DbQuestions) }</th><th>{ ctx.t(Key::DbMatched) }</th></tr></thead>
                <tbody>
                    if details.top_questions.is_empty() { { empty_row(ctx, 3) } }
                    { for rows }
                </tbody>
            </table>
        </div>
    }
}

pub fn top_services(ctx: &Ctx, details: &Details, drill: &Drill) -> Html {
    let rows = details.top_services.iter().map(|s| {
        let name = s.service.as_ref().map_or_else(|| ctx.t(Key::DbDeletedService).to_owned(), |s| s.name.clone());
        let query = with(&with(drill, "service", s.service_id.clone()), "serviceName", name.clone());
        html! {
            <tr>
                <td>{ name }</td>
                <td><FilterLink to={Route::Leads} query={query.clone()}>{ count(ctx.lang, s.leads) }</FilterLink></td>
                <td><FilterLink to={Route::Chats} query={query}>{ count(ctx.lang, s.answers) }</FilterLink></td>
            </tr>
        }
    });
    html! {
        <div class="card" id="top-services">
            <h2>{ ctx.t(Key::DbTopServices) }</h2>
            <table class="compact">
                <thead><tr><th>{ ctx.t(Key::DbService) }</th><th>{ ctx.t(Key::DbLeads) }</th><th>{ ctx.t(Key::DbAnswers) }</th></tr></thead>
                <tbody>
                    if details.top_services.is_empty() { { empty_row(ctx, 3) } }
                    { for rows }
                </tbody>
            </table>
        </div>
    }
}

pub fn unanswered(ctx: &Ctx, details: &Details, drill: &Drill) -> Html {
    let rows = details.unanswered_questions.iter().map(|q| {
        let open = q.conversation.as_ref().map(|c| {
            html! { <FilterLink to={Route::Chats} query={vec![("conversation", c.id.clone())]}>{ ctx.t(Key::DbOpenConversation) }</FilterLink> }
        });
        html! {
            <tr>
                <td class="question">{ quoted(ctx.lang, &q.question) }</td>
                <td>{ count(ctx.lang, q.count) }</td>
                <td class="hide-phone">{ short_date_time(ctx.lang, &q.last_asked_at) }</td>
                <td>{ open.unwrap_or_default() }</td>
            </tr>
        }
    });
    html! {
        <div class="card wide" id="unanswered">
            <h2>{ ctx.t(Key::DbUnanswered) }</h2>
            <p class="muted small">{ ctx.t(Key::DbUnansweredHint) }{ " " }
                <FilterLink to={Route::Chats} query={with(drill, "unanswered", "1".to_owned())}>{ ctx.t(Key::DbAllUnanswered) }</FilterLink>
            </p>
            <div class="table-scroll">
                <table class="compact">
                    <thead><tr><th>{ ctx.t(Key::DbQuestion) }</th><th>{ ctx.t(Key::DbCount) }</th>
                        <th class="hide-phone">{ ctx.t(Key::DbLastAsked) }</th><th></th></tr></thead>
                    <tbody>
                        if details.unanswered_questions.is_empty() { { empty_row(ctx, 4) } }
                        { for rows }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

pub fn top_pages(ctx: &Ctx, details: &Details, drill: &Drill) -> Html {
    let rows = details.top_pages.iter().map(|p| {
        html! {
            <tr>
                <td class="page-url">{ p.page.clone() }</td>
                <td><FilterLink to={Route::Chats} query={with(&with(drill, "page", p.page.clone()), "visitor", "1".to_owned())}>{ count(ctx.lang, p.conversations) }</FilterLink></td>
                <td><FilterLink to={Route::Leads} query={with(drill, "page", p.page.clone())}>{ count(ctx.lang, p.leads) }</FilterLink></td>
            </tr>
        }
    });
    html! {
        <div class="card" id="top-pages">
            <h2>{ ctx.t(Key::DbTopPages) }</h2>
            <div class="table-scroll">
                <table class="compact">
                    <thead><tr><th>{ ctx.t(Key::DbPage) }</th><th>{ ctx.t(Key::DbConversations) }</th><th>{ ctx.t(Key::DbLeads) }</th></tr></thead>
                    <tbody>
                        if details.top_pages.is_empty() { { empty_row(ctx, 3) } }
                        { for rows }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

pub fn client_keys(ctx: &Ctx, details: &Details, drill: &Drill) -> Html {
    // The period's filter without a key: each row names its own.
    let drill: Drill = drill
        .iter()
        .filter(|(name, _)| !matches!(*name, "clientKey" | "keyLabel"))
        .cloned()
        .collect();
    let rows = details.client_keys.iter().map(|k| {
        let keyed = with(&with(&drill, "clientKey", k.client_key_id.clone()), "keyLabel", k.label.clone());
        html! {
            <tr>
                <td>{ k.label.clone() }</td>
                <td class="hide-phone">{ count(ctx.lang, k.widget_opens) }</td>
                <td><FilterLink to={Route::Chats} query={with(&keyed, "visitor", "1".to_owned())}>{ count(ctx.lang, k.conversations) }</FilterLink></td>
                <td class="hide-phone">{ count(ctx.lang, k.visitor_messages) }</td>
                <td><FilterLink to={Route::Leads} query={keyed.clone()}>{ count(ctx.lang, k.leads) }</FilterLink></td>
            </tr>
        }
    });
    html! {
        <div class="card" id="client-keys">
            <h2>{ ctx.t(Key::DbKeys) }</h2>
            <table class="compact">
                <thead><tr><th>{ ctx.t(Key::DbWidgetKeyLabel) }</th><th class="hide-phone">{ ctx.t(Key::DbWidgetOpens) }</th>
                    <th>{ ctx.t(Key::DbConversations) }</th><th class="hide-phone">{ ctx.t(Key::DbVisitorMessages) }</th>
                    <th>{ ctx.t(Key::DbLeads) }</th></tr></thead>
                <tbody>
                    if details.client_keys.is_empty() { { empty_row(ctx, 5) } }
                    { for rows }
                </tbody>
            </table>
        </div>
    }
}
