//! The state of a question before a step that cannot be undone (see
//! [`Confirm`](crate::components::confirm::Confirm)).

use yew::prelude::*;

use crate::focus::focus_id;

pub struct Confirming {
    /// Whether the question is on screen.
    pub open: UseStateHandle<bool>,
    /// Asks the question.
    pub ask: Callback<MouseEvent>,
    /// Closes it and puts the focus back on the button that asked.
    pub cancel: Callback<MouseEvent>,
}

/// A question asked by the button with id `ask_id`.
#[hook]
pub fn use_confirm(ask_id: String) -> Confirming {
    let open = use_state(|| false);
    let ask = {
        let open = open.clone();
        Callback::from(move |_| open.set(true))
    };
    let cancel = {
        let open = open.clone();
        Callback::from(move |_| {
            open.set(false);
            focus_id(&ask_id);
        })
    };
    Confirming { open, ask, cancel }
}
