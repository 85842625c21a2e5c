//! CSV import: a file or pasted text, checked first (a dry run lists the refused rows), then
//! imported whole or only its valid rows.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::api;
use crate::components::field::Area;
use crate::components::user_errors::{error_for, error_paths, other_errors};
use crate::ctx::use_ctx;
use crate::focus::focus_id;
use crate::i18n::Key;

/// Larger files are refused before reading (the server takes 5,000 rows at most).
const MAX_CSV_BYTES: f64 = 2_000_000.0;

/// The outcome of a check (dry run): rows that would be imported and the refused ones.
#[derive(Clone, Debug, PartialEq)]
struct Checked {
    valid: i64,
    errors: Vec<(i64, String)>,
}

#[derive(Properties, PartialEq)]
pub(super) struct ImportProps {
    pub(super) on_close: Callback<()>,
    pub(super) on_imported: Callback<()>,
}

#[function_component(ImportPanel)]
pub(super) fn import_panel(props: &ImportProps) -> Html {
    let ctx = use_ctx();
    let csv = use_state(String::new);
    let checked = use_state(|| None::<Checked>);
    let errors = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);

    use_effect_with((), |_| focus_id("field-import-csv"));

    // `dry_run`: check only; `all_or_nothing`: one bad row stops the import.
    let run = {
        let (ctx, csv, checked, errors, busy) = (
            ctx.clone(),
            csv.clone(),
            checked.clone(),
            errors.clone(),
            busy.clone(),
        );
        let (on_close, on_imported) = (props.on_close.clone(), props.on_imported.clone());
        move |dry_run: bool, all_or_nothing: bool| {
            let (ctx, csv, checked, errors, busy, on_close, on_imported) = (
                ctx.clone(),
                csv.clone(),
                checked.clone(),
                errors.clone(),
                busy.clone(),
                on_close.clone(),
                on_imported.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                let (ctx, text, checked, errors, busy, on_close, on_imported) = (
                    ctx.clone(),
                    (*csv).clone(),
                    checked.clone(),
                    errors.clone(),
                    busy.clone(),
                    on_close.clone(),
                    on_imported.clone(),
                );
                busy.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = api::run::<api::ImportServices>(
                        ctx.token().as_deref(),
                        api::import_services::Variables {
                            csv: text,
                            dry_run: Some(dry_run),
                            all_or_nothing: Some(all_or_nothing),
                        },
                    )
                    .await;
                    busy.set(false);
                    let payload = match result {
                        Ok(data) => data.import_services,
                        Err(error) => return ctx.fail(error),
                    };
                    let found =
                        error_paths(payload.user_errors.iter().map(|e| (&e.field, &e.message)));
                    if !found.is_empty() {
                        checked.set(None);
                        errors.set(found);
                        focus_id("field-import-csv");
                        return;
                    }
                    errors.set(vec![]);
                    let rows: Vec<(i64, String)> = payload
                        .errors
                        .into_iter()
                        .map(|e| (e.line, e.message))
                        .collect();
                    if dry_run || (payload.imported == 0 && !rows.is_empty()) {
                        checked.set(Some(Checked {
                            valid: payload.imported,
                            errors: rows,
                        }));
                        focus_id("import-result");
                    } else {
                        ctx.notify.emit(format!(
                            "{}: {}",
                            ctx.t(Key::SvcImported),
                            payload.imported
                        ));
                        on_imported.emit(());
                        on_close.emit(());
                    }
                });
            })
        }
    };
    let on_text = {
        let (csv, checked) = (csv.clone(), checked.clone());
        Callback::from(move |value: String| {
            csv.set(value);
            checked.set(None);
        })
    };
    let on_file = {
        let (ctx, csv, checked, errors) =
            (ctx.clone(), csv.clone(), checked.clone(), errors.clone());
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let file = js_sys::Reflect::get(&input, &"files".into())
                .ok()
                .and_then(|files| js_sys::Reflect::get(&files, &0.into()).ok())
                .and_then(|file| file.dyn_into::<web_sys::Blob>().ok());
            let Some(file) = file else {
                return;
            };
            if file.size() > MAX_CSV_BYTES {
                errors.set(vec![("csv".into(), ctx.t(Key::SvcFileTooBig).into())]);
                return;
            }
            let (csv, checked, errors) = (csv.clone(), checked.clone(), errors.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(text) = JsFuture::from(file.text()).await {
                    csv.set(text.as_string().unwrap_or_default());
                    checked.set(None);
                    errors.set(vec![]);
                }
            });
        })
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_close.emit(());
            }
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let empty = csv.trim().is_empty();
    let result = checked.as_ref().map(|c| {
        html! {
            <div id="import-result" class="stack" tabindex="-1" role="status">
                <p>
                    <strong>{ format!("{}: {}", ctx.t(Key::SvcRowsOk), c.valid) }</strong>
                    if !c.errors.is_empty() {
                        { format!(" · {}: {}", ctx.t(Key::SvcRowsBad), c.errors.len()) }
                    }
                </p>
                if !c.errors.is_empty() {
                    <div class="scroll">
                        <table class="import-errors">
                            <thead><tr>
                                <th scope="col">{ ctx.t(Key::WgLine) }</th>
                                <th scope="col">{ ctx.t(Key::Error) }</th>
                            </tr></thead>
                            <tbody>
                                { for c.errors.iter().map(|(line, message)| html! {
                                    <tr><td>{ line }</td><td>{ message.clone() }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </div>
        }
    });
    let ready = checked.as_ref().filter(|c| c.valid > 0).cloned();
    html! {
        <section class="card stack panel" role="region" aria-labelledby="import-title" {onkeydown}>
            <h2 id="import-title">{ ctx.t(Key::SvcImport) }</h2>
            <p class="hint">
                { ctx.t(Key::SvcImportHint) }{ " " }
                <code class="wrap">{ "category,name,aliases,description,min_cents,max_cents,duration_minutes,vehicle_prices,active" }</code>
            </p>
            <div class="field">
                <label for="import-file">{ ctx.t(Key::SvcImportFile) }</label>
                <input id="import-file" type="file" accept=".csv,text/csv,text/plain" onchange={on_file} />
            </div>
            <Area label={ctx.t(Key::SvcImportText)} name="import-csv" rows={8u32} value={(*csv).clone()}
                oninput={on_text} error={error_for(&errors, "csv")} />
            { for other_errors(&errors, &["csv"]).iter().map(|m| html! { <p class="error">{ m.clone() }</p> }) }
            { for result }
            <div class="row">
                <button type="button" class={classes!(ready.is_none().then_some("primary"))}
                    onclick={run(true, false)} disabled={*busy || empty}>{ ctx.t(Key::SvcCheck) }</button>
                if let Some(c) = &ready {
                    if c.errors.is_empty() {
                        <button type="button" class="primary" onclick={run(false, true)} disabled={*busy}>
                            { format!("{} ({})", ctx.t(Key::SvcImportNow), c.valid) }
                        </button>
                    } else {
                        <button type="button" class="primary" onclick={run(false, false)} disabled={*busy}>
                            { format!("{} ({})", ctx.t(Key::SvcImportValidOnly), c.valid) }
                        </button>
                    }
                }
                <button type="button" onclick={close}>{ ctx.t(Key::PgClose) }</button>
            </div>
        </section>
    }
}
