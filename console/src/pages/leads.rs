use yew::prelude::*;

use crate::use_ctx;

#[function_component(LeadList)]
pub fn list() -> Html {
    let ctx = use_ctx();
    html! { <section><h1>{ ctx.t("leads") }</h1></section> }
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub id: String,
}

#[function_component(LeadDetail)]
pub fn detail(props: &DetailProps) -> Html {
    html! { <section><h1>{ props.id.clone() }</h1></section> }
}
