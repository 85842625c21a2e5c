//! The question before a step that cannot be undone (delete a service, revoke a key or a
//! token): the step's own button and a way back.

use yew::prelude::*;

use crate::ctx::use_ctx;
use crate::i18n::Key;

/// How the question stands on the page.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ConfirmLook {
    /// In a table's row, in place of the row's buttons.
    #[default]
    Inline,
    /// A callout of its own under the buttons, an alert dialog labelled by its question
    /// (the element with `question_id`).
    Callout { question_id: AttrValue },
}

#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    pub question: AttrValue,
    /// The label of the button that takes the step ("Ja, widerrufen").
    pub yes: AttrValue,
    /// The id of that button, where the focus goes when the question opens.
    pub yes_id: AttrValue,
    /// While the step runs, its button is disabled.
    pub busy: bool,
    pub on_yes: Callback<MouseEvent>,
    pub on_cancel: Callback<MouseEvent>,
    #[prop_or_default]
    pub look: ConfirmLook,
}

#[function_component(Confirm)]
pub fn confirm(props: &ConfirmProps) -> Html {
    let ctx = use_ctx();
    let yes = html! {
        <button type="button" class="danger" id={props.yes_id.clone()}
            onclick={props.on_yes.clone()} disabled={props.busy}>{ props.yes.clone() }</button>
    };
    let cancel = html! {
        <button type="button" onclick={props.on_cancel.clone()}>{ ctx.t(Key::Cancel) }</button>
    };
    match &props.look {
        ConfirmLook::Inline => html! {
            <div class="confirm" role="group" aria-label={props.question.clone()}>
                <span>{ props.question.clone() }</span>
                { yes }
                { cancel }
            </div>
        },
        ConfirmLook::Callout { question_id } => html! {
            <div class="callout bad" role="alertdialog" aria-labelledby={question_id.clone()}>
                <p id={question_id.clone()}>{ props.question.clone() }</p>
                <div class="row">
                    { yes }
                    { cancel }
                </div>
            </div>
        },
    }
}
