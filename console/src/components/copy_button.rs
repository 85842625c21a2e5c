//! A button that copies text to the clipboard and says whether it worked.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::ctx::use_ctx;
use crate::i18n::Key;

/// Copies text to the clipboard; `false` where the browser does not allow it.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    available
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
}

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: AttrValue,
    /// What is copied, for screen readers ("Code kopieren").
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

/// A button that copies `text` and says so ("Kopiert") for a moment.
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyProps) -> Html {
    let ctx = use_ctx();
    let outcome = use_state(|| None::<bool>);
    let onclick = {
        let (outcome, text) = (outcome.clone(), props.text.clone());
        Callback::from(move |_| {
            let outcome = outcome.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(copy_text(&text).await));
                let outcome = outcome.clone();
                gloo_timers::callback::Timeout::new(2_500, move || outcome.set(None)).forget();
            });
        })
    };
    html! {
        <span class="copy">
            <button type="button" {onclick}>
                { props.label.clone().unwrap_or_else(|| ctx.t(Key::PgCopy).into()) }
            </button>
            <span role="status" aria-live="polite" class={classes!("copied", (*outcome == Some(false)).then_some("error"))}>
                { match *outcome {
                    Some(true) => ctx.t(Key::PgCopied),
                    Some(false) => ctx.t(Key::PgCopyFailed),
                    None => "",
                } }
            </span>
        </span>
    }
}
