use yew::prelude::*;

use crate::use_ctx;

#[function_component(Dashboard)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("dashboard") }</h1></section> }
}
