//! The frame around every page: navigation (a sidebar, a bar on phones), language switch,
//! sign-out, and small shared pieces.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::{Route, pages, use_ctx};

const NAV: [(&str, Route); 8] = [
    ("dashboard", Route::Dashboard),
    ("leads", Route::Leads),
    ("chats", Route::Chats),
    ("services", Route::Services),
    ("widget", Route::Widget),
    ("tokens", Route::Tokens),
    ("settings", Route::Settings),
    ("plan", Route::Plan),
];

#[function_component(Layout)]
pub fn layout() -> Html {
    let ctx = use_ctx();
    let current = match &ctx.route {
        Route::Lead(_) => Route::Leads,
        other => other.clone(),
    };
    let links = NAV.iter().map(|(key, route)| {
        let navigate = ctx.navigate.clone();
        let target = route.clone();
        let onclick = Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            navigate.emit(target.clone());
        });
        let active = *route == current;
        html! {
            <a href={route.path()} {onclick} class={classes!(active.then_some("active"))}
               aria-current={active.then_some("page")}>{ ctx.t(key) }</a>
        }
    });
    let logout = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = crate::api::run::<crate::api::Logout>(
                    ctx.token().as_deref(),
                    crate::api::logout::Variables {},
                )
                .await;
                ctx.set_session.emit(None);
            });
        })
    };
    let toggle_lang = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            ctx.set_lang.emit(if ctx.lang == Lang::De {
                Lang::En
            } else {
                Lang::De
            })
        })
    };
    let page = match &ctx.route {
        Route::Dashboard => html! { <pages::dashboard::Dashboard /> },
        Route::Leads => html! { <pages::leads::LeadList /> },
        Route::Lead(id) => html! { <pages::leads::LeadDetail id={id.clone()} /> },
        Route::Chats => html! { <pages::chats::Chats /> },
        Route::Services => html! { <pages::services::Services /> },
        Route::Widget => html! { <pages::widget::WidgetPage /> },
        Route::Tokens => html! { <pages::tokens::Tokens /> },
        Route::Settings => html! { <pages::settings::Settings /> },
        Route::Plan => html! { <pages::plan::PlanPage /> },
    };
    let session = ctx
        .session
        .clone()
        .unwrap_or_else(|| unreachable!("signed in"));
    html! {
        <div class="shell">
            <header class="top">
                <span class="brand">{ "CarBot" }</span>
                <span class="workshop">{ session.workshop.clone() }</span>
                <button class="link" onclick={toggle_lang} aria-label="Sprache / language">
                    { if ctx.lang == Lang::De { "EN" } else { "DE" } }
                </button>
                <button class="link" onclick={logout}>{ ctx.t("logout") }</button>
            </header>
            <nav class="nav" aria-label="Navigation">{ for links }</nav>
            <main class="page" id="main">{ page }</main>
        </div>
    }
}

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
}

#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let id = format!("field-{}", props.name);
    let error_id = format!("{id}-error");
    let oninput = props.oninput.reform(|event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        input.value()
    });
    html! {
        <div class="field">
            <label for={id.clone()}>{ props.label.clone() }</label>
            <input id={id} name={props.name.clone()} type={props.kind.clone().unwrap_or("text".into())}
                value={props.value.clone()} {oninput} required={props.required}
                aria-invalid={props.error.is_some().then_some("true")}
                aria-describedby={props.error.is_some().then_some(error_id.clone())} />
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{ error }</p>
            }
        </div>
    }
}

/// The message of the user error whose field path ends in `name`.
pub fn error_for(errors: &[(String, String)], name: &str) -> Option<String> {
    errors
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, message)| message.clone())
}
