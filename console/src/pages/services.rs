use yew::prelude::*;

use crate::use_ctx;

#[function_component(Services)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("services") }</h1></section> }
}
