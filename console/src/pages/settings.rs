use yew::prelude::*;

use crate::use_ctx;

#[function_component(Settings)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("settings") }</h1></section> }
}
