//! A link to one of the console's pages: a real `href` (open in a new tab works), and a click
//! that moves within the console without loading the page again.

use yew::prelude::*;
use yew_router::Routable;

use crate::ctx::use_ctx;
use crate::hooks::navigate::use_navigate;
use crate::i18n::Key;
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct RouteLinkProps {
    pub to: Route,
    #[prop_or_default]
    pub class: Classes,
    /// Marks the link as the page on screen (`aria-current="page"`).
    #[prop_or_default]
    pub current: bool,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(RouteLink)]
pub fn route_link(props: &RouteLinkProps) -> Html {
    let navigate = use_navigate();
    let onclick = {
        let to = props.to.clone();
        Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            navigate.emit(to.clone());
        })
    };
    html! {
        <a href={props.to.to_path()} {onclick} class={props.class.clone()}
           aria-current={props.current.then_some("page")}>{ props.children.clone() }</a>
    }
}

#[derive(Properties, PartialEq)]
pub struct FilterLinkProps {
    /// A list page (leads or chats).
    pub to: Route,
    /// The filter, as the page reads it from its address (`?service=…&after=…`).
    pub query: Vec<(&'static str, String)>,
    #[prop_or_default]
    pub class: Classes,
    /// A longer description for assistive technology and the tooltip.
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A link to a list filtered to what a figure counts: the dashboard's drill-down. Like
/// [`RouteLink`], a real address (bookmarkable, opens in a new tab) and an in-console move.
#[function_component(FilterLink)]
pub fn filter_link(props: &FilterLinkProps) -> Html {
    let navigator = yew_router::prelude::use_navigator().expect("inside the router");
    let href = filter_href(&props.to, &props.query);
    let onclick = {
        let (to, query) = (props.to.clone(), props.query.clone());
        Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            if navigator.push_with_query(&to, &query).is_ok()
                && let Some(window) = web_sys::window()
            {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    html! {
        <a href={href} {onclick} class={props.class.clone()} title={props.title.clone()}>
            { props.children.clone() }
        </a>
    }
}

/// `/leads?service=…&after=…`, every value encoded.
pub fn filter_href(to: &Route, query: &[(&'static str, String)]) -> String {
    let pairs: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{name}={}", js_sys::encode_uri_component(value)))
        .collect();
    if pairs.is_empty() {
        to.to_path()
    } else {
        format!("{}?{}", to.to_path(), pairs.join("&"))
    }
}

/// "See plans": the way from a refusal that a larger plan lifts to the plan page.
#[function_component(PlanLink)]
pub fn plan_link() -> Html {
    let ctx = use_ctx();
    html! { <RouteLink to={Route::Plan}>{ ctx.t(Key::PlanSee) }</RouteLink> }
}
