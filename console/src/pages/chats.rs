use yew::prelude::*;

use crate::use_ctx;

#[function_component(Chats)]
pub fn page() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("chats") }</h1></section> }
}
