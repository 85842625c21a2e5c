//! What staff see at the address of an owner-only page (typed or bookmarked): whom to ask.

use yew::prelude::*;

use crate::components::link::RouteLink;
use crate::ctx::use_ctx;
use crate::i18n::Key;
use crate::route::Route;

#[function_component(OwnersOnly)]
pub fn owners_only() -> Html {
    let ctx = use_ctx();
    html! {
        <section class="stack">
            <div class="callout info" role="status">
                <p>{ ctx.t(Key::OwnersOnly) }</p>
                <RouteLink to={Route::Dashboard}>{ ctx.t(Key::ToConsole) }</RouteLink>
            </div>
        </section>
    }
}
