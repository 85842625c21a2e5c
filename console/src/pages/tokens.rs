use yew::prelude::*;

use crate::use_ctx;

#[function_component(Tokens)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("tokens") }</h1></section> }
}
