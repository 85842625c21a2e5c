//! Leads: a filtered list or a pipeline by status, live as new ones arrive, and a lead's detail
//! with contact, car, services, estimated value, notes, status, the conversation and the consent,
//! which an owner records as withdrawn (the lead's personal data is then erased).

use yew::prelude::*;

use crate::api::{self, lead_detail, leads, update_lead_status};
use crate::components::confirm::{Confirm, ConfirmLook};
use crate::components::dates::{calendar_date, short_date_time};
use crate::components::drill::{Drill, day_end, day_start};
use crate::components::link::RouteLink;
use crate::components::pager::Pager;
use crate::ctx::use_ctx;
use crate::hooks::confirm::use_confirm;
use crate::hooks::navigate::use_navigate;
use crate::hooks::query::use_query_params;
use crate::hooks::reload::use_reload;
use crate::i18n::{ERASED_MARKER, Key, euros, quoted, status_label, visitor_text};
use crate::lead_status::{STATUSES, next_statuses};
use crate::route::Route;

fn status_text<T: std::fmt::Debug>(status: &T) -> String {
    format!("{status:?}")
}

fn to_status(text: &str) -> Option<leads::LeadStatus> {
    Some(match text {
        "NEW" => leads::LeadStatus::NEW,
        "CONTACTED" => leads::LeadStatus::CONTACTED,
        "QUOTED" => leads::LeadStatus::QUOTED,
        "BOOKED" => leads::LeadStatus::BOOKED,
        "WON" => leads::LeadStatus::WON,
        "LOST" => leads::LeadStatus::LOST,
        _ => return None,
    })
}

/// The statuses of open leads (`?status=OPEN`, the dashboard's pipeline value).
const OPEN: [&str; 4] = ["NEW", "CONTACTED", "QUOTED", "BOOKED"];

/// A page size that keeps a long list quick; "load more" fetches the next.
const PAGE: i64 = 50;

/// The leads loaded so far, and where the next page starts.
#[derive(Clone, PartialEq)]
struct Page {
    edges: Vec<leads::LeadsLeadsEdges>,
    total_count: i64,
    end_cursor: Option<String>,
    has_next_page: bool,
}

async fn fetch_page(
    ctx: &crate::ctx::Ctx,
    filter: leads::LeadFilter,
    after: Option<String>,
) -> Result<Page, api::ApiError> {
    let found = api::run::<api::Leads>(
        ctx.token().as_deref(),
        leads::Variables {
            first: Some(PAGE),
            after,
            filter: Some(filter),
        },
    )
    .await?
    .leads;
    Ok(Page {
        edges: found.edges,
        total_count: found.total_count,
        end_cursor: found.page_info.end_cursor,
        has_next_page: found.page_info.has_next_page,
    })
}

/// The filter as an effect's dependency (the generated input type compares by its debug form).
#[derive(Clone)]
struct FilterKey(leads::LeadFilter);

impl FilterKey {
    fn of(filter: &leads::LeadFilter) -> Self {
        Self(filter.clone())
    }
}

impl PartialEq for FilterKey {
    fn eq(&self, other: &Self) -> bool {
        format!("{:?}", self.0) == format!("{:?}", other.0)
    }
}

#[function_component(LeadList)]
pub fn list() -> Html {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let drill = Drill::from_query(&use_query_params());
    let status = use_state(String::new);
    let search = use_state(String::new);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let pipeline = use_state(|| false);
    let data = use_state(|| None::<Result<Page, String>>);
    let more_busy = use_state(|| false);
    let reload = use_reload();

    // New leads arrive live: a notice and a fresh list.
    {
        let (ctx, reload) = (ctx.clone(), reload.clone());
        use_effect_with(ctx.token(), move |token| {
            let live = token.clone().map(|token| {
                let ctx = ctx.clone();
                crate::live::subscribe::<api::LeadEvents>(
                    token,
                    (api::lead_events::QUERY, api::lead_events::OPERATION_NAME),
                    Callback::from(move |event: api::lead_events::ResponseData| {
                        let event = event.lead_events;
                        if status_text(&event.kind) == "CREATED" {
                            ctx.notify.emit(format!(
                                "{}: {}",
                                ctx.t(Key::NewLead),
                                event.lead.name
                            ));
                        }
                        reload.dispatch(());
                    }),
                )
            });
            move || drop(live)
        });
    }
    // The filter: the address's (a drill-down from the dashboard), refined by the toolbar.
    let filter = {
        let statuses = match (status.as_str(), drill.status.as_deref()) {
            ("", None) => None,
            ("", Some("OPEN")) => Some(OPEN.iter().filter_map(|s| to_status(s)).collect()),
            ("", Some(drilled)) => to_status(drilled).map(|s| vec![s]),
            (chosen, _) => to_status(chosen).map(|s| vec![s]),
        };
        leads::LeadFilter {
            status: statuses,
            search: (!search.trim().is_empty()).then(|| (*search).clone()),
            created_after: day_start(&from).or_else(|| drill.after.clone()),
            created_before: day_end(&to).or_else(|| drill.before.clone()),
            client_key_id: drill.client_key.clone(),
            service_id: drill.service.clone(),
            page: drill.page.clone(),
        }
    };
    {
        let (ctx, data) = (ctx.clone(), data.clone());
        use_effect_with((FilterKey::of(&filter), reload.0), move |(key, _)| {
            let filter = key.0.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = fetch_page(&ctx, filter, None).await;
                match result {
                    Ok(page) => data.set(Some(Ok(page))),
                    Err(api::ApiError::SignedOut) => ctx.set_session.emit(None),
                    Err(error) => data.set(Some(Err(ctx.error_text(&error)))),
                }
            });
        });
    }
    let load_more = {
        let (ctx, data, more_busy, filter) =
            (ctx.clone(), data.clone(), more_busy.clone(), filter.clone());
        Callback::from(move |_| {
            let Some(Ok(loaded)) = (*data).clone() else {
                return;
            };
            let Some(cursor) = loaded.end_cursor.clone() else {
                return;
            };
            let (ctx, data, more_busy, filter) =
                (ctx.clone(), data.clone(), more_busy.clone(), filter.clone());
            more_busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match fetch_page(&ctx, filter, Some(cursor)).await {
                    Ok(next) => {
                        let mut merged = loaded;
                        merged.edges.extend(next.edges);
                        merged.total_count = next.total_count;
                        merged.end_cursor = next.end_cursor;
                        merged.has_next_page = next.has_next_page;
                        data.set(Some(Ok(merged)));
                    }
                    Err(error) => ctx.fail(error),
                }
                more_busy.set(false);
            });
        })
    };

    let bind = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            state.set(input.value());
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            search.set(input.value());
        })
    };
    let open = |id: String| {
        let navigate = navigate.clone();
        Callback::from(move |_| navigate.emit(Route::Lead { id: id.clone() }))
    };
    let toggle = {
        let pipeline = pipeline.clone();
        Callback::from(move |_| pipeline.set(!*pipeline))
    };
    let body = match &*data {
        None => html! { <p class="muted" aria-busy="true">{ ctx.t(Key::Loading) }</p> },
        Some(Err(error)) => html! { <p class="error" role="alert">{ error }</p> },
        Some(Ok(found)) if found.edges.is_empty() => {
            html! { <div class="empty">{ ctx.t(Key::EmptyLeads) }</div> }
        }
        Some(Ok(found)) if *pipeline => {
            let columns = STATUSES.iter().map(|column| {
                let cards = found
                    .edges
                    .iter()
                    .filter(|e| status_text(&e.node.status) == *column)
                    .map(|e| {
                        let lead = &e.node;
                        html! {
                            <div class="card" role="button" tabindex="0" onclick={open(lead.id.clone())}
                                 onkeydown={{
                                     let open = open(lead.id.clone());
                                     Callback::from(move |event: KeyboardEvent| if event.key() == "Enter" { open.emit(MouseEvent::new("click").expect("event")) })
                                 }}>
                                <strong>{ visitor_text(ctx.lang, &lead.name) }</strong>
                                <div class="muted">{ short_date_time(ctx.lang, &lead.created_at) }</div>
                            </div>
                        }
                    });
                html! {
                    <div class="column">
                        <h2>{ status_label(ctx.lang, column) }</h2>
                        { for cards }
                    </div>
                }
            });
            html! { <div class="pipeline">{ for columns }</div> }
        }
        Some(Ok(found)) => {
            let rows = found.edges.iter().map(|e| {
                let lead = &e.node;
                let status = status_text(&lead.status);
                let value = lead
                    .estimated_value
                    .as_ref()
                    .map(|v| euros(ctx.lang, v.min.amount_cents, v.max.amount_cents))
                    .unwrap_or_default();
                let vehicle = [lead.vehicle.make.clone(), lead.vehicle.model.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                html! {
                    <tr class="clickable" onclick={open(lead.id.clone())}>
                        <td>
                            <RouteLink to={Route::Lead { id: lead.id.clone() }}>{ visitor_text(ctx.lang, &lead.name) }</RouteLink>
                            if lead.over_plan_limit {
                                <span class="badge" title={ctx.t(Key::LeadOverLimitShort)}>
                                    <span aria-hidden="true">{ "⚠" }</span>
                                    <span class="visually-hidden">{ ctx.t(Key::LeadOverLimitShort) }</span>
                                </span>
                            }
                        </td>
                        <td><span class={classes!("badge", status.clone())}>{ status_label(ctx.lang, &status) }</span></td>
                        <td class="hide-phone">{ vehicle }</td>
                        <td class="hide-phone">{ value }</td>
                        <td>{ short_date_time(ctx.lang, &lead.created_at) }</td>
                    </tr>
                }
            });
            html! {
                <table>
                    <thead><tr>
                        <th>{ ctx.t(Key::Contact) }</th><th>{ ctx.t(Key::Status) }</th>
                        <th class="hide-phone">{ ctx.t(Key::Vehicle) }</th><th class="hide-phone">{ ctx.t(Key::Value) }</th>
                        <th>{ ctx.t(Key::Created) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        }
    };
    let total = match &*data {
        Some(Ok(found)) => found.total_count.to_string(),
        _ => String::new(),
    };
    let pager = match &*data {
        Some(Ok(found)) if !found.edges.is_empty() => html! {
            <Pager shown={found.edges.len()} total={found.total_count} more={found.has_next_page}
                   busy={*more_busy} on_more={load_more} />
        },
        _ => Html::default(),
    };
    html! {
        <section>
            <h1>{ ctx.t(Key::Leads) } <span class="muted">{ format!(" {total}") }</span></h1>
            { drill.banner(&ctx, Route::Leads) }
            <div class="toolbar">
                <div class="field">
                    <label for="lead-status">{ ctx.t(Key::Status) }</label>
                    <select id="lead-status" onchange={bind(&status)}>
                        <option value="" selected={status.is_empty()}>{ ctx.t(Key::All) }</option>
                        { for STATUSES.iter().map(|s| html! { <option value={*s} selected={*status == *s}>{ status_label(ctx.lang, s) }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="lead-search">{ ctx.t(Key::Search) }</label>
                    <input id="lead-search" type="search" value={(*search).clone()} oninput={on_search} />
                </div>
                <div class="field">
                    <label for="lead-from">{ ctx.t(Key::From) }</label>
                    <input id="lead-from" type="date" value={(*from).clone()} onchange={bind(&from)} />
                </div>
                <div class="field">
                    <label for="lead-to">{ ctx.t(Key::To) }</label>
                    <input id="lead-to" type="date" value={(*to).clone()} onchange={bind(&to)} />
                </div>
                <button onclick={toggle} aria-pressed={pipeline.to_string()}>
                    { if *pipeline { ctx.t(Key::List) } else { ctx.t(Key::Pipeline) } }
                </button>
            </div>
            { body }
            { pager }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub id: String,
}

#[function_component(LeadDetail)]
pub fn detail(props: &DetailProps) -> Html {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let lead = use_state(|| None::<Result<lead_detail::LeadDetailNodeOnLead, String>>);
    let note = use_state(String::new);
    let reload = use_reload();
    let withdrawing = use_confirm("lead-withdraw".to_owned());
    let withdraw_busy = use_state(|| false);
    let withdraw_errors = use_state(Vec::<String>::new);
    // Withdrawn on this page: the lead then says so, not only that it is erased.
    let withdrawn = use_state(|| false);
    // Changed elsewhere (another person, an integrator, an erasure): the page shows it as it now
    // is, so no erased text stays on the screen.
    {
        let (reload, id) = (reload.clone(), props.id.clone());
        use_effect_with((ctx.token(), id), move |(token, id)| {
            let live = token.clone().map(|token| {
                let id = id.clone();
                crate::live::subscribe::<api::LeadEvents>(
                    token,
                    (api::lead_events::QUERY, api::lead_events::OPERATION_NAME),
                    Callback::from(move |event: api::lead_events::ResponseData| {
                        if event.lead_events.lead.id == id {
                            reload.dispatch(());
                        }
                    }),
                )
            });
            move || drop(live)
        });
    }
    {
        let (ctx, lead) = (ctx.clone(), lead.clone());
        use_effect_with((props.id.clone(), reload.0), move |(id, _)| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::LeadDetail>(
                    ctx.token().as_deref(),
                    lead_detail::Variables { id },
                )
                .await;
                match result {
                    Ok(lead_detail::ResponseData {
                        node: Some(lead_detail::LeadDetailNode::Lead(found)),
                    }) => lead.set(Some(Ok(found))),
                    Ok(_) => lead.set(Some(Err(ctx.t(Key::LeadNotFound).into()))),
                    Err(api::ApiError::SignedOut) => ctx.set_session.emit(None),
                    Err(error) => lead.set(Some(Err(ctx.error_text(&error)))),
                }
            });
        });
    }
    let back = {
        let navigate = navigate.clone();
        Callback::from(move |_| navigate.emit(Route::Leads))
    };
    let found = match &*lead {
        None => return html! { <p class="muted" aria-busy="true">{ ctx.t(Key::Loading) }</p> },
        Some(Err(error)) => {
            return html! { <section><button onclick={back}>{ ctx.t(Key::Back) }</button><p class="error" role="alert">{ error }</p></section> };
        }
        Some(Ok(found)) => found.clone(),
    };
    let status = status_text(&found.status);
    let change_status = {
        let (ctx, reload, id) = (ctx.clone(), reload.clone(), found.id.clone());
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let next = match select.value().as_str() {
                "CONTACTED" => update_lead_status::LeadStatus::CONTACTED,
                "QUOTED" => update_lead_status::LeadStatus::QUOTED,
                "BOOKED" => update_lead_status::LeadStatus::BOOKED,
                "WON" => update_lead_status::LeadStatus::WON,
                "LOST" => update_lead_status::LeadStatus::LOST,
                _ => return,
            };
            let (ctx, reload, id) = (ctx.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                ctx.perform::<api::UpdateLeadStatus>(
                    update_lead_status::Variables { id, status: next },
                    |d| {
                        d.update_lead_status
                            .user_errors
                            .first()
                            .map(|e| e.message.clone())
                    },
                )
                .await;
                // Moved or refused: the page shows the lead's status as it now is.
                reload.dispatch(());
            });
        })
    };
    let add_note = {
        let (ctx, reload, note, id) = (ctx.clone(), reload.clone(), note.clone(), found.id.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let body = (*note).clone();
            let (ctx, reload, note, id) = (ctx.clone(), reload.clone(), note.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let added = ctx
                    .perform::<api::AddLeadNote>(api::add_lead_note::Variables { id, body }, |d| {
                        d.add_lead_note
                            .user_errors
                            .first()
                            .map(|e| e.message.clone())
                    })
                    .await;
                if added.is_some() {
                    note.set(String::new());
                    reload.dispatch(());
                }
            });
        })
    };
    let withdraw = {
        let (ctx, reload, id) = (ctx.clone(), reload.clone(), found.id.clone());
        let (open, busy, errors, withdrawn) = (
            withdrawing.open.clone(),
            withdraw_busy.clone(),
            withdraw_errors.clone(),
            withdrawn.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (ctx, reload, id) = (ctx.clone(), reload.clone(), id.clone());
            let (open, busy, errors, withdrawn) = (
                open.clone(),
                busy.clone(),
                errors.clone(),
                withdrawn.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::WithdrawLeadConsent>(
                    ctx.token().as_deref(),
                    api::withdraw_lead_consent::Variables { lead_id: id },
                )
                .await;
                busy.set(false);
                open.set(false);
                match result {
                    Ok(data) => {
                        let refused: Vec<String> = data
                            .withdraw_lead_consent
                            .user_errors
                            .into_iter()
                            .map(|e| e.message)
                            .collect();
                        if refused.is_empty() {
                            withdrawn.set(true);
                            reload.dispatch(());
                        }
                        errors.set(refused);
                    }
                    Err(error) => ctx.fail(error),
                }
            });
        })
    };
    let erased = found.name == ERASED_MARKER;
    let on_note = {
        let note = note.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            note.set(input.value());
        })
    };
    let vehicle = [
        found.vehicle.make.clone(),
        found.vehicle.model.clone(),
        found.vehicle.year.map(|y| y.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let messages = found
        .conversation
        .as_ref()
        .map(|c| c.messages.edges.clone())
        .unwrap_or_default();
    html! {
        <section class="stack">
            <div class="row">
                <button onclick={back}>{ format!("← {}", ctx.t(Key::Back)) }</button>
                <h1>{ visitor_text(ctx.lang, &found.name) }</h1>
                <span class={classes!("badge", status.clone())}>{ status_label(ctx.lang, &status) }</span>
            </div>
            if erased {
                <p class="callout ok" role="status" id="lead-erased">
                    { if *withdrawn { ctx.t(Key::LeadWithdrawn) } else { ctx.t(Key::LeadErased) } }
                </p>
            }
            if found.over_plan_limit {
                <p class="notice-inline">{ ctx.t(Key::LeadOverLimit) }</p>
            }
            <div class="grid">
                <div class="card">
                    <h2>{ ctx.t(Key::Contact) }</h2>
                    if let Some(phone) = &found.phone { <p><a href={format!("tel:{phone}")}>{ phone }</a></p> }
                    if let Some(email) = &found.email { <p><a href={format!("mailto:{email}")}>{ email }</a></p> }
                    <p class="muted">{ short_date_time(ctx.lang, &found.created_at) }</p>
                </div>
                <div class="card">
                    <h2>{ ctx.t(Key::Vehicle) }</h2>
                    <p>{ if vehicle.is_empty() { "–".to_owned() } else { vehicle } }</p>
                    if let Some(date) = &found.preferred_date { <p>{ format!("{}: {}", ctx.t(Key::LeadPreferredDate), calendar_date(ctx.lang, date)) }</p> }
                </div>
                <div class="card">
                    <h2>{ ctx.t(Key::Value) }</h2>
                    <p class="kpi"><span class="value">{ found.estimated_value.as_ref().map(|v| euros(ctx.lang, v.min.amount_cents, v.max.amount_cents)).unwrap_or_else(|| "–".into()) }</span></p>
                    <ul>
                        { for found.services.iter().map(|s| html! { <li>{ &s.name }{ " · " }{ euros(ctx.lang, s.price.min.amount_cents, s.price.max.amount_cents) }</li> }) }
                    </ul>
                    if found.services.is_empty() { <p class="muted">{ ctx.t(Key::ServicesMissing) }</p> }
                </div>
                <div class="card">
                    <h2>{ ctx.t(Key::Status) }</h2>
                    <label for="lead-next-status" class="muted">{ ctx.t(Key::LeadChangeStatus) }</label>
                    <select id="lead-next-status" onchange={change_status} disabled={next_statuses(&status).is_empty()}>
                        <option value="" selected=true>{ status_label(ctx.lang, &status) }</option>
                        { for next_statuses(&status).into_iter().map(|s| html! { <option value={s}>{ format!("→ {}", status_label(ctx.lang, s)) }</option> }) }
                    </select>
                </div>
            </div>
            if let Some(message) = &found.message {
                <div class="card"><h2>{ ctx.t(Key::MessageFrom) }</h2><p class="pre">{ message }</p></div>
            }
            <div class="card">
                <h2>{ ctx.t(Key::Notes) }</h2>
                <ul class="notes">
                    { for found.notes.iter().map(|n| html! { <li key={n.id.clone()}><p class="pre">{ &n.body }</p><small class="muted">{ short_date_time(ctx.lang, &n.created_at) }</small></li> }) }
                </ul>
                <form class="composer" onsubmit={add_note}>
                    <label for="lead-note" class="visually-hidden">{ ctx.t(Key::AddNote) }</label>
                    <textarea id="lead-note" rows="2" value={(*note).clone()} oninput={on_note} placeholder={ctx.t(Key::AddNote)} />
                    <button class="primary" type="submit" disabled={note.trim().is_empty()}>{ ctx.t(Key::Save) }</button>
                </form>
            </div>
            <div class="card">
                <h2>{ ctx.t(Key::Transcript) }</h2>
                <div class="transcript">
                    { for messages.iter().map(|e| {
                        let m = &e.node;
                        let role = status_text(&m.role);
                        html! { <div class={classes!("bubble", role.clone())} key={m.id.clone()}>{ visitor_text(ctx.lang, &m.body) }<small>{ short_date_time(ctx.lang, &m.created_at) }</small></div> }
                    }) }
                </div>
            </div>
            <div class="card stack" id="lead-consent" aria-labelledby="lead-consent-title">
                <h2 id="lead-consent-title">{ ctx.t(Key::LeadConsent) }</h2>
                <p class="muted">{ format!("{} ({})", quoted(ctx.lang, &found.consent.text), short_date_time(ctx.lang, &found.consent.given_at)) }</p>
                if ctx.is_owner() && !erased {
                    <p class="hint">{ ctx.t(Key::LeadWithdrawHint) }</p>
                    <div class="row">
                        <button type="button" class="danger" id="lead-withdraw" onclick={withdrawing.ask.clone()}
                            disabled={*withdraw_busy}>{ ctx.t(Key::LeadWithdraw) }</button>
                    </div>
                    if *withdrawing.open {
                        <Confirm question={ctx.t(Key::LeadWithdrawAsk)} yes={ctx.t(Key::LeadWithdrawYes)}
                            yes_id="lead-withdraw-yes" busy={*withdraw_busy} on_yes={withdraw}
                            on_cancel={withdrawing.cancel.clone()}
                            look={ConfirmLook::Callout { question_id: "lead-withdraw-question".into() }} />
                    }
                }
                { for withdraw_errors.iter().map(|m| html! { <p class="error" role="alert">{ m.clone() }</p> }) }
            </div>
        </section>
    }
}
