//! A `#RRGGBB` colour: a text field and the browser's colour picker, kept in step.

use yew::prelude::*;

use super::field::Field;
use crate::ctx::use_ctx;
use crate::i18n::Key;

#[derive(Properties, PartialEq)]
pub struct ColorProps {
    pub label: AttrValue,
    pub name: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub error: Option<String>,
}

#[function_component(ColorField)]
pub fn color_field(props: &ColorProps) -> Html {
    let ctx = use_ctx();
    let valid = props.value.len() == 7
        && props.value.starts_with('#')
        && props.value[1..].chars().all(|c| c.is_ascii_hexdigit());
    let picker_value = if valid {
        props.value.to_lowercase()
    } else {
        "#1f6feb".to_owned()
    };
    let onpick = props.oninput.reform(|event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        input.value().to_uppercase()
    });
    html! {
        <div class="color-field">
            <Field label={props.label.clone()} name={props.name.clone()} value={props.value.clone()}
                oninput={props.oninput.clone()} error={props.error.clone()} />
            <input type="color" class="swatch" value={picker_value} oninput={onpick}
                aria-label={format!("{} – {}", props.label, ctx.t(Key::SetPickColour))} />
        </div>
    }
}
