//! A live preview: the real widget with a real key on a sample page in a frame.

use yew::prelude::*;

use super::ClientKey;
use super::origins::{allows, escape_html, own_origin};
use crate::api;
use crate::ctx::use_ctx;
use crate::i18n::{Key, quoted};

#[derive(Properties, PartialEq)]
pub(super) struct PreviewProps {
    /// The first active key (one that allows this console, where there is one).
    pub(super) item: Option<ClientKey>,
    pub(super) workshop: String,
    /// Changes after each save, to load the widget again.
    pub(super) version: u32,
    pub(super) on_changed: Callback<()>,
}

/// The real widget on a sample page: a frame whose document embeds the snippet. The frame
/// shares the console's origin, so the key must allow it.
#[function_component(Preview)]
pub(super) fn preview(props: &PreviewProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let origin = own_origin();
    let Some(key) = props.item.clone() else {
        return html! { <div class="empty">{ ctx.t(Key::WgPreviewKeyMissing) }</div> };
    };
    if !allows(&key.origins, &origin) {
        let allow = {
            let (ctx, busy, problem, on_changed, origin) = (
                ctx.clone(),
                busy.clone(),
                problem.clone(),
                props.on_changed.clone(),
                origin.clone(),
            );
            let key = key.clone();
            Callback::from(move |_| {
                let (ctx, busy, problem, on_changed) = (
                    ctx.clone(),
                    busy.clone(),
                    problem.clone(),
                    on_changed.clone(),
                );
                let mut origins = key.origins.clone();
                origins.push(origin.clone());
                let id = key.id.clone();
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::run::<api::UpdateClientKey>(
                        ctx.token().as_deref(),
                        api::update_client_key::Variables {
                            input: api::update_client_key::UpdateClientKeyInput {
                                id,
                                label: None,
                                allowed_origins: Some(origins),
                            },
                        },
                    )
                    .await;
                    busy.set(false);
                    match result {
                        Ok(data) => match data.update_client_key.user_errors.first() {
                            Some(error) => problem.set(Some(error.message.clone())),
                            None => {
                                problem.set(None);
                                on_changed.emit(());
                            }
                        },
                        Err(error) => ctx.fail(error),
                    }
                });
            })
        };
        return html! {
            <div class="callout warn">
                <p>
                    { ctx.t(Key::WgPreviewOrigin1) }{ " " }<span class="mono">{ origin.clone() }</span>{ " " }
                    { ctx.t(Key::WgPreviewOrigin2) }{ " " }{ quoted(ctx.lang, &key.label) }{ "." }
                </p>
                <button type="button" class="primary" onclick={allow} disabled={*busy}>
                    { format!("{} {}", ctx.t(Key::WgPreviewAllow), origin) }
                </button>
                if let Some(message) = &*problem {
                    <p class="error" role="alert">{ message.clone() }</p>
                }
            </div>
        };
    }
    let document = format!(
        concat!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>{title}</title></head><body>",
            "<h1>{workshop}</h1><p>{text}</p>",
            "<script src=\"{origin}/widget.js\" data-client-key=\"{key}\" async></script>",
            "</body></html>"
        ),
        lang = ctx.lang.code(),
        title = escape_html(ctx.t(Key::WgPreview)),
        workshop = escape_html(&props.workshop),
        text = escape_html(ctx.t(Key::WgPreviewPage)),
        origin = escape_html(&origin),
        key = escape_html(&key.key),
    );
    html! {
        <div class="stack">
            <iframe key={props.version.to_string()} class="preview" srcdoc={document}
                title={ctx.t(Key::WgPreview)} />
            <p class="hint">
                { format!("{} {}. {}", ctx.t(Key::WgPreviewKeyNote), quoted(ctx.lang, &key.label), ctx.t(Key::WgPreviewReal)) }
            </p>
        </div>
    }
}
