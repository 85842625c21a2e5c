//! Under a long list: how much of it is on screen, and the button that loads the next page, so
//! that every lead and every chat can be reached.

use yew::prelude::*;

use crate::ctx::use_ctx;
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub shown: usize,
    pub total: i64,
    /// Whether the server has more after the last one shown.
    pub more: bool,
    pub busy: bool,
    pub on_more: Callback<MouseEvent>,
}

#[function_component(Pager)]
pub fn pager(props: &PagerProps) -> Html {
    let ctx = use_ctx();
    let shown = ctx
        .t(Key::Shown)
        .replacen("{}", &props.shown.to_string(), 1)
        .replacen("{}", &props.total.to_string(), 1);
    html! {
        <div class="pager row">
            <span class="muted" role="status">{ shown }</span>
            if props.more {
                <button type="button" class="load-more" onclick={props.on_more.clone()}
                        disabled={props.busy} aria-busy={props.busy.then_some("true")}>
                    { ctx.t(Key::LoadMore) }
                </button>
            }
        </div>
    }
}
