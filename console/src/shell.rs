//! The frame around every page: navigation (a sidebar, a bar on phones), the workshop and its
//! switcher, language switch, sign-out, the reminder to confirm the address, the warning after a
//! failed payment (owners), and the page the route names. Staff see only what they may do:
//! leads, chats, the dashboard, the catalog to read and their own settings.

use yew::prelude::*;
use yew_router::prelude::{Switch, use_route};

use crate::api;
use crate::components::link::RouteLink;
use crate::components::load::loading_view;
use crate::components::owners_only::OwnersOnly;
use crate::components::past_due_banner::PastDueBanner;
use crate::components::verify_banner::VerifyBanner;
use crate::components::workshop_switcher::WorkshopSwitcher;
use crate::ctx::use_ctx;
use crate::hooks::switch_workshop::use_workshop_from_address;
use crate::i18n::{Key, Lang};
use crate::pages;
use crate::route::Route;

const NAV: [(Key, Route); 10] = [
    (Key::Dashboard, Route::Dashboard),
    (Key::Leads, Route::Leads),
    (Key::Chats, Route::Chats),
    (Key::Services, Route::Services),
    (Key::Widget, Route::Widget),
    (Key::Tokens, Route::Tokens),
    (Key::Webhooks, Route::Webhooks),
    (Key::Team, Route::Team),
    (Key::Settings, Route::Settings),
    (Key::Plan, Route::Plan),
];

/// Pages for owners only: keys, tokens, webhooks, the team and the plan (the server refuses
/// staff).
fn owner_only(route: &Route) -> bool {
    matches!(
        route,
        Route::Widget | Route::Tokens | Route::Webhooks | Route::Team | Route::Plan
    )
}

/// The page a route names.
fn page(route: Route, owner: bool) -> Html {
    if owner_only(&route) && !owner {
        return html! { <OwnersOnly /> };
    }
    match route {
        Route::Dashboard => html! { <pages::dashboard::Dashboard /> },
        Route::Leads => html! { <pages::leads::LeadList /> },
        Route::Lead { id } => html! { <pages::leads::LeadDetail {id} /> },
        Route::Chats => html! { <pages::chats::Chats /> },
        Route::Services => html! { <pages::services::Services /> },
        Route::Widget => html! { <pages::widget::WidgetPage /> },
        Route::Tokens => html! { <pages::tokens::Tokens /> },
        Route::Webhooks => html! { <pages::webhooks::Webhooks /> },
        Route::Team => html! { <pages::team::Team /> },
        Route::Settings => html! { <pages::settings::Settings /> },
        Route::Plan => html! { <pages::plan::PlanPage /> },
        Route::VerifyEmail => html! { <pages::verify_email::VerifyEmail /> },
        // The signed-out pages stand alone (see `app`); signed in, their address opens the
        // dashboard.
        Route::ForgotPassword | Route::ResetPassword | Route::Invitation => {
            html! { <pages::dashboard::Dashboard /> }
        }
    }
}

#[function_component(Layout)]
pub fn layout() -> Html {
    let ctx = use_ctx();
    let switching = use_workshop_from_address();
    let current = match use_route::<Route>().unwrap_or_default() {
        Route::Lead { .. } => Route::Leads,
        other => other,
    };
    let owner = ctx.is_owner();
    let links = NAV
        .iter()
        .filter(|(_, route)| owner || !owner_only(route))
        .map(|(key, route)| {
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
    let render = Callback::from(move |route: Route| page(route, owner));
    html! {
        <div class="shell">
            <header class="top">
                <span class="brand">{ "CarBot" }</span>
                <WorkshopSwitcher />
                <span class="spacer" />
                <button class="link" id="lang-switch" onclick={toggle_lang}>
                    { ctx.t(Key::LangOther) }<span class="visually-hidden">{ " " }{ ctx.t(Key::LangSwitch) }</span>
                </button>
                <button class="link" onclick={logout}>{ ctx.t(Key::Logout) }</button>
            </header>
            <nav class="nav" aria-label={ctx.t(Key::NavLabel)}>{ for links }</nav>
            // Keyed by the workshop: after a switch every page loads its data again.
            <main class="page" id="main" key={session.workshop_id.clone()}>
                <VerifyBanner />
                <PastDueBanner />
                if switching {
                    { loading_view(&ctx) }
                } else {
                    <Switch<Route> {render} />
                }
            </main>
        </div>
    }
}
