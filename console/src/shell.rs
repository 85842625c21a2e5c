//! The frame around every page: navigation (a sidebar, a bar on phones), language switch,
//! sign-out, and the page the route names.

use yew::prelude::*;
use yew_router::prelude::{Switch, use_route};

use crate::api;
use crate::components::link::RouteLink;
use crate::ctx::use_ctx;
use crate::i18n::{Key, Lang};
use crate::pages;
use crate::route::Route;

const NAV: [(Key, Route); 8] = [
    (Key::Dashboard, Route::Dashboard),
    (Key::Leads, Route::Leads),
    (Key::Chats, Route::Chats),
    (Key::Services, Route::Services),
    (Key::Widget, Route::Widget),
    (Key::Tokens, Route::Tokens),
    (Key::Settings, Route::Settings),
    (Key::Plan, Route::Plan),
];

/// The page a route names.
fn page(route: Route) -> Html {
    match route {
        Route::Dashboard => html! { <pages::dashboard::Dashboard /> },
        Route::Leads => html! { <pages::leads::LeadList /> },
        Route::Lead { id } => html! { <pages::leads::LeadDetail {id} /> },
        Route::Chats => html! { <pages::chats::Chats /> },
        Route::Services => html! { <pages::services::Services /> },
        Route::Widget => html! { <pages::widget::WidgetPage /> },
        Route::Tokens => html! { <pages::tokens::Tokens /> },
        Route::Settings => html! { <pages::settings::Settings /> },
        Route::Plan => html! { <pages::plan::PlanPage /> },
    }
}

#[function_component(Layout)]
pub fn layout() -> Html {
    let ctx = use_ctx();
    let current = match use_route::<Route>().unwrap_or_default() {
        Route::Lead { .. } => Route::Leads,
        other => other,
    };
    let links = NAV.iter().map(|(key, route)| {
        let active = *route == current;
        html! {
            <RouteLink to={route.clone()} class={classes!(active.then_some("active"))} current={active}>
                { ctx.t(*key) }
            </RouteLink>
        }
    });
    let logout = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::run::<api::Logout>(ctx.token().as_deref(), api::logout::Variables {})
                    .await;
                ctx.set_session.emit(None);
            });
        })
    };
    let toggle_lang = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.set_lang.emit(if ctx.lang == Lang::De {
                Lang::En
            } else {
                Lang::De
            })
        })
    };
    let session = ctx
        .session
        .clone()
        .unwrap_or_else(|| unreachable!("signed in"));
    html! {
        <div class="shell">
            <header class="top">
                <span class="brand">{ "CarBot" }</span>
                <span class="workshop">{ session.workshop.clone() }</span>
                <button class="link" onclick={toggle_lang} aria-label="Sprache / language">
                    { if ctx.lang == Lang::De { "EN" } else { "DE" } }
                </button>
                <button class="link" onclick={logout}>{ ctx.t(Key::Logout) }</button>
            </header>
            <nav class="nav" aria-label="Navigation">{ for links }</nav>
            <main class="page" id="main"><Switch<Route> render={page} /></main>
        </div>
    }
}
