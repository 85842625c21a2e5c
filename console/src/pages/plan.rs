use yew::prelude::*;

use crate::use_ctx;

#[function_component(PlanPage)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("plan") }</h1></section> }
}
