//! The export buttons: each CSV of `GET /exports/{name}.csv` for the period on screen, fetched
//! with the session's token and saved as a file (UTF-8 with BOM and `;`, for German Excel).

use yew::prelude::*;

use super::period::Selection;
use crate::api;
use crate::components::link::PlanLink;
use crate::ctx::use_ctx;
use crate::i18n::Key;

/// Every export with its button's wording; the first two are lists, the rest the dashboard's
/// tables.
const EXPORTS: [(&str, Key); 9] = [
    ("leads", Key::DbExLeads),
    ("conversations", Key::DbExConversations),
    ("series", Key::DbExSeries),
    ("peak-hours", Key::DbExPeakHours),
    ("questions", Key::DbExQuestions),
    ("services", Key::DbExServices),
    ("unanswered", Key::DbExUnanswered),
    ("pages", Key::DbExPages),
    ("client-keys", Key::DbExKeys),
];

#[derive(Properties, PartialEq)]
pub struct ExportsProps {
    pub selection: Selection,
    /// The plan's CSV entitlement.
    pub allowed: bool,
}

#[function_component(Exports)]
pub fn exports(props: &ExportsProps) -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| None::<&'static str>);
    if !props.allowed {
        return html! {
            <div class="card wide" id="exports">
                <h2>{ ctx.t(Key::DbExports) }</h2>
                <p class="muted">{ ctx.t(Key::DbExportsPlan) }{ " " }<PlanLink /></p>
            </div>
        };
    }
    let buttons = EXPORTS.iter().map(|(name, label)| {
        let onclick = {
            let (ctx, busy, name) = (ctx.clone(), busy.clone(), *name);
            let selection = props.selection.clone();
            Callback::from(move |_| {
                let (ctx, busy) = (ctx.clone(), busy.clone());
                let path = format!("/exports/{name}.csv?{}", selection.export_query());
                let file = format!("carbot-{name}-{}-{}.csv", selection.from, selection.to);
                busy.set(Some(name));
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::download_file(ctx.token().as_deref(), &path, &file).await;
                    busy.set(None);
                    match result {
                        Ok(()) => {}
                        Err(api::ApiError::SignedOut) => ctx.fail(api::ApiError::SignedOut),
                        Err(error) => ctx
                            .notify
                            .emit(ctx.tf(Key::DbExportFailed, &ctx.error_text(&error))),
                    }
                });
            })
        };
        html! {
            <button type="button" data-export={*name} {onclick} disabled={busy.is_some()}
                    aria-busy={(*busy == Some(*name)).then_some("true")}>
                { ctx.t(*label) }
            </button>
        }
    });
    html! {
        <div class="card wide" id="exports">
            <h2>{ ctx.t(Key::DbExports) }</h2>
            <div class="row">{ for buttons }</div>
        </div>
    }
}
