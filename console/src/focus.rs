//! Keyboard focus for forms and panels that open, close and report mistakes.

use wasm_bindgen::JsCast;

/// Moves the keyboard focus to the element with this id once the pending render is done (the
/// element may appear only with it: the button that replaces a closed form, say).
pub fn focus_id(id: &str) {
    let id = id.to_owned();
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    })
    .forget();
}
