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

/// "See plans": the way from a refusal that a larger plan lifts to the plan page.
#[function_component(PlanLink)]
pub fn plan_link() -> Html {
    let ctx = use_ctx();
    html! { <RouteLink to={Route::Plan}>{ ctx.t(Key::PlanSee) }</RouteLink> }
}
