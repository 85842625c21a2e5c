use yew::prelude::*;

use crate::use_ctx;

#[function_component(WidgetPage)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("widget") }</h1></section> }
}
