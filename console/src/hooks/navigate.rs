//! Moving to another page of the console.

use yew::prelude::*;
use yew_router::prelude::use_navigator;

use crate::route::Route;

/// Opens a page (a new history entry, so the back button returns) at its top.
#[hook]
pub fn use_navigate() -> Callback<Route> {
    let navigator = use_navigator().expect("inside the router");
    Callback::from(move |next: Route| {
        navigator.push(&next);
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    })
}
