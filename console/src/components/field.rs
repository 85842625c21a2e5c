//! Labelled form fields with their `userErrors` message: a line of text and a text area.

use yew::prelude::*;

/// A labelled form field with its error from `userErrors`.
#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    pub name: AttrValue,
    #[prop_or_default]
    pub kind: Option<AttrValue>,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub required: bool,
    /// What a password manager or the browser may fill in (`current-password`, `new-password`, …).
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let id = format!("field-{}", props.name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (&props.error, &props.hint) {
        (Some(_), Some(_)) => Some(format!("{error_id} {hint_id}")),
        (Some(_), None) => Some(error_id.clone()),
        (None, Some(_)) => Some(hint_id.clone()),
        (None, None) => None,
    };
    let oninput = props.oninput.reform(|event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        input.value()
    });
    html! {
        <div class="field">
            <label for={id.clone()}>{ props.label.clone() }</label>
            <input id={id} name={props.name.clone()} type={props.kind.clone().unwrap_or("text".into())}
                value={props.value.clone()} {oninput} required={props.required}
                autocomplete={props.autocomplete.clone()}
                aria-invalid={props.error.is_some().then_some("true")}
                aria-describedby={described} />
            if let Some(hint) = &props.hint {
                <p class="hint" id={hint_id}>{ hint.clone() }</p>
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{ error }</p>
            }
        </div>
    }
}

/// A text area with its label and `userErrors` message, like [`Field`].
#[derive(Properties, PartialEq)]
pub struct AreaProps {
    pub label: AttrValue,
    pub name: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or(3)]
    pub rows: u32,
    #[prop_or_default]
    pub maxlength: Option<u32>,
}

#[function_component(Area)]
pub fn area(props: &AreaProps) -> Html {
    let id = format!("field-{}", props.name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (&props.error, &props.hint) {
        (Some(_), Some(_)) => Some(format!("{error_id} {hint_id}")),
        (Some(_), None) => Some(error_id.clone()),
        (None, Some(_)) => Some(hint_id.clone()),
        (None, None) => None,
    };
    let oninput = props.oninput.reform(|event: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
        area.value()
    });
    html! {
        <div class="field">
            <label for={id.clone()}>{ props.label.clone() }</label>
            <textarea id={id} name={props.name.clone()} rows={props.rows.to_string()}
                value={props.value.clone()} {oninput}
                maxlength={props.maxlength.map(|m| m.to_string())}
                aria-invalid={props.error.is_some().then_some("true")}
                aria-describedby={described} />
            if let Some(hint) = &props.hint {
                <p class="hint" id={hint_id}>{ hint.clone() }</p>
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{ error }</p>
            }
        </div>
    }
}
