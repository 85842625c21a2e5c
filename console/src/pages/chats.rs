//! Live chats: conversations updating as visitors write; open one, watch the assistant, take
//! over, reply, hand back.

use yew::prelude::*;

use crate::api::inbox_events::InboxEventKind;
use crate::api::{self, conversations};
use crate::components::dates::short_date_time;
use crate::components::drill::Drill;
use crate::components::pager::Pager;
use crate::ctx::{Ctx, use_ctx};
use crate::hooks::query::use_query_params;
use crate::i18n::{Key, visitor_text};
use crate::route::Route;

#[derive(Clone, PartialEq)]
struct Line {
    id: String,
    role: String,
    body: String,
    at: String,
}

#[derive(Clone, PartialEq)]
struct Chat {
    id: String,
    created_at: String,
    taken_over: bool,
    page_url: Option<String>,
    lines: Vec<Line>,
}

/// A conversation of either query (the list's or one by id: the same fields, two generated
/// types).
macro_rules! chat_of {
    ($node:expr) => {{
        let node = $node;
        Chat {
            id: node.id.clone(),
            created_at: node.created_at.clone(),
            taken_over: node.taken_over,
            page_url: node.page_url.clone(),
            lines: node
                .messages
                .edges
                .iter()
                .map(|e| Line {
                    id: e.node.id.clone(),
                    role: format!("{:?}", e.node.role),
                    body: e.node.body.clone(),
                    at: e.node.created_at.clone(),
                })
                .collect(),
        }
    }};
}

/// Conversations per page of the inbox; "load more" fetches the next.
const PAGE: i64 = 20;

/// The conversations loaded so far, and where the next page starts.
#[derive(Clone, PartialEq)]
struct ChatPage {
    chats: Vec<Chat>,
    total_count: i64,
    end_cursor: Option<String>,
    has_next_page: bool,
}

async fn fetch_page(
    ctx: &Ctx,
    filter: conversations::ConversationFilter,
    after: Option<String>,
) -> Result<ChatPage, api::ApiError> {
    let found = api::run::<api::Conversations>(
        ctx.token().as_deref(),
        conversations::Variables {
            first: Some(PAGE),
            after,
            filter: Some(filter),
        },
    )
    .await?
    .conversations;
    Ok(ChatPage {
        chats: found.edges.iter().map(|e| chat_of!(&e.node)).collect(),
        total_count: found.total_count,
        end_cursor: found.page_info.end_cursor,
        has_next_page: found.page_info.has_next_page,
    })
}

/// The conversation a link names, wherever it is in the list.
async fn fetch_one(ctx: &Ctx, id: String) -> Result<Option<Chat>, api::ApiError> {
    let found = api::run::<api::ConversationById>(
        ctx.token().as_deref(),
        api::conversation_by_id::Variables { id },
    )
    .await?;
    Ok(match found.node {
        Some(api::conversation_by_id::ConversationByIdNode::Conversation(node)) => {
            Some(chat_of!(&node))
        }
        _ => None,
    })
}

fn filter_of(drill: &Drill) -> conversations::ConversationFilter {
    let intent = drill.intent.as_deref().and_then(|intent| {
        use conversations::QuestionIntent as I;
        Some(match intent {
            "PRICE" => I::PRICE,
            "DURATION" => I::DURATION,
            "APPOINTMENT" => I::APPOINTMENT,
            "OPENING_HOURS" => I::OPENING_HOURS,
            "CONTACT" => I::CONTACT,
            "SERVICE" => I::SERVICE,
            "GREETING" => I::GREETING,
            "OTHER" => I::OTHER,
            _ => return None,
        })
    });
    let weekday = drill.weekday.as_deref().and_then(|day| {
        use conversations::Weekday as W;
        Some(match day {
            "MONDAY" => W::MONDAY,
            "TUESDAY" => W::TUESDAY,
            "WEDNESDAY" => W::WEDNESDAY,
            "THURSDAY" => W::THURSDAY,
            "FRIDAY" => W::FRIDAY,
            "SATURDAY" => W::SATURDAY,
            "SUNDAY" => W::SUNDAY,
            _ => return None,
        })
    });
    conversations::ConversationFilter {
        client_key_id: drill.client_key.clone(),
        taken_over: None,
        created_after: drill.after.clone(),
        created_before: drill.before.clone(),
        page: drill.page.clone(),
        has_visitor_messages: drill.visitor.then_some(true),
        has_lead: drill.has_lead.then_some(true),
        intent,
        unanswered: drill.unanswered.then_some(true),
        service_id: drill.service.clone(),
        weekday,
        hour: drill.hour,
    }
}

#[function_component(Chats)]
pub fn chats() -> Html {
    let ctx = use_ctx();
    let drill = Drill::from_query(&use_query_params());
    let chats = use_state(|| None::<Result<ChatPage, String>>);
    let more_busy = use_state(|| false);
    let selected = use_state(|| None::<String>);
    let draft = use_state(String::new);
    let events = use_reducer(|| EventLog(Vec::new()));
    {
        let (ctx, chats, selected) = (ctx.clone(), chats.clone(), selected.clone());
        // Loaded again after an erasure, so no erased text stays on the screen.
        use_effect_with((drill.clone(), events.erasures()), move |(drill, _)| {
            let drill = drill.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut result = fetch_page(&ctx, filter_of(&drill), None).await;
                // A link to one conversation opens it, even when it is further down the list.
                if let (Ok(page), Some(id)) = (&mut result, &drill.conversation) {
                    if !page.chats.iter().any(|chat| &chat.id == id) {
                        match fetch_one(&ctx, id.clone()).await {
                            Ok(Some(chat)) => page.chats.insert(0, chat),
                            Ok(None) => {}
                            Err(error) => ctx.fail(error),
                        }
                    }
                    selected.set(Some(id.clone()));
                }
                match result {
                    Ok(page) => chats.set(Some(Ok(page))),
                    Err(api::ApiError::SignedOut) => ctx.set_session.emit(None),
                    Err(error) => chats.set(Some(Err(ctx.error_text(&error)))),
                }
            });
        });
    }
    let load_more = {
        let (ctx, chats, more_busy, drill) =
            (ctx.clone(), chats.clone(), more_busy.clone(), drill.clone());
        Callback::from(move |_| {
            let Some(Ok(loaded)) = (*chats).clone() else {
                return;
            };
            let Some(cursor) = loaded.end_cursor.clone() else {
                return;
            };
            let (ctx, chats, more_busy, filter) = (
                ctx.clone(),
                chats.clone(),
                more_busy.clone(),
                filter_of(&drill),
            );
            more_busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match fetch_page(&ctx, filter, Some(cursor)).await {
                    Ok(next) => {
                        let mut merged = loaded;
                        for chat in next.chats {
                            if !merged.chats.iter().any(|c| c.id == chat.id) {
                                merged.chats.push(chat);
                            }
                        }
                        merged.total_count = next.total_count;
                        merged.end_cursor = next.end_cursor;
                        merged.has_next_page = next.has_next_page;
                        chats.set(Some(Ok(merged)));
                    }
                    Err(error) => ctx.fail(error),
                }
                more_busy.set(false);
            });
        })
    };
    {
        let events = events.clone();
        use_effect_with(ctx.token(), move |token| {
            let live = token.clone().map(|token| {
                crate::live::subscribe::<api::InboxEvents>(
                    token,
                    (api::inbox_events::QUERY, api::inbox_events::OPERATION_NAME),
                    Callback::from(move |event: api::inbox_events::ResponseData| {
                        events.dispatch(event.inbox_events)
                    }),
                )
            });
            move || drop(live)
        });
    }
    // Apply live events to the loaded list (the reducer keeps them in order).
    let list: Vec<Chat> = {
        let mut list = match &*chats {
            Some(Ok(page)) => page.chats.clone(),
            _ => Vec::new(),
        };
        // New conversations join the whole inbox only: a filtered list shows what the filter
        // matched when it loaded.
        let unfiltered = drill.is_empty();
        for event in &events.0 {
            if let Some(c) = &event.conversation {
                match list.iter_mut().find(|chat| chat.id == c.id) {
                    Some(chat) => chat.taken_over = c.taken_over,
                    None if !unfiltered => {}
                    None => list.insert(
                        0,
                        Chat {
                            id: c.id.clone(),
                            created_at: c.created_at.clone(),
                            taken_over: c.taken_over,
                            page_url: c.page_url.clone(),
                            lines: Vec::new(),
                        },
                    ),
                }
            }
            if let Some(m) = &event.message
                && let Some(chat) = list.iter_mut().find(|chat| chat.id == m.conversation_id)
                && !chat.lines.iter().any(|line| line.id == m.id)
            {
                chat.lines.push(Line {
                    id: m.id.clone(),
                    role: format!("{:?}", m.role),
                    body: m.body.clone(),
                    at: m.created_at.clone(),
                });
            }
        }
        list
    };
    let act = |take: bool| {
        let (ctx, selected) = (ctx.clone(), selected.clone());
        Callback::from(move |_| {
            let Some(id) = (*selected).clone() else {
                return;
            };
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // The change itself arrives as an inbox event; only a refusal needs saying.
                if take {
                    ctx.perform::<api::TakeOver>(api::take_over::Variables { id }, |d| {
                        d.take_over_conversation
                            .user_errors
                            .first()
                            .map(|e| e.message.clone())
                    })
                    .await;
                } else {
                    ctx.perform::<api::Release>(api::release::Variables { id }, |d| {
                        d.release_conversation
                            .user_errors
                            .first()
                            .map(|e| e.message.clone())
                    })
                    .await;
                }
            });
        })
    };
    let send = {
        let (ctx, selected, draft) = (ctx.clone(), selected.clone(), draft.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (Some(id), body) = ((*selected).clone(), (*draft).clone()) else {
                return;
            };
            if body.trim().is_empty() {
                return;
            }
            let (ctx, draft) = (ctx.clone(), draft.clone());
            draft.set(String::new());
            wasm_bindgen_futures::spawn_local(async move {
                let sent = ctx
                    .perform::<api::SendOwnerMessage>(
                        api::send_owner_message::Variables {
                            id,
                            body: body.clone(),
                        },
                        |d| {
                            d.send_owner_message
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                // Not sent: the text goes back into the box.
                if sent.is_none() {
                    draft.set(body);
                }
            });
        })
    };
    let on_draft = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            draft.set(input.value());
        })
    };
    let on_key = {
        let send_form = send.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && !event.shift_key() {
                event.prevent_default();
                if let Ok(submit) = web_sys::SubmitEvent::new("submit") {
                    send_form.emit(submit);
                }
            }
        })
    };
    let inbox = list.iter().map(|chat| {
        let select = {
            let selected = selected.clone();
            let id = chat.id.clone();
            Callback::from(move |_| selected.set(Some(id.clone())))
        };
        let last = chat.lines.last().map(|l| visitor_text(ctx.lang, &l.body).chars().take(60).collect::<String>()).unwrap_or_default();
        let active = selected.as_deref() == Some(chat.id.as_str());
        html! {
            <button key={chat.id.clone()} class={classes!(active.then_some("active"))} onclick={select} aria-pressed={active.to_string()}>
                <strong>
                    { short_date_time(ctx.lang, &chat.created_at) }
                    if chat.taken_over {
                        <span aria-hidden="true">{ " · 🧑‍🔧" }</span><span class="visually-hidden">{ " · " }{ ctx.t(Key::ChatTakenOverMark) }</span>
                    }
                </strong>
                <span class="muted">{ last }</span>
            </button>
        }
    });
    let current = selected
        .as_ref()
        .and_then(|id| list.iter().find(|chat| &chat.id == id))
        .cloned();
    let detail = match current {
        None => html! { <div class="empty">{ ctx.t(Key::ChatSelect) }</div> },
        Some(chat) => html! {
            <div class="stack">
                <div class="row">
                    <strong>{ if chat.taken_over { ctx.t(Key::TakenOver) } else { ctx.t(Key::AssistantActive) } }</strong>
                    if chat.taken_over {
                        <button onclick={act(false)}>{ ctx.t(Key::Release) }</button>
                    } else {
                        <button class="primary" onclick={act(true)}>{ ctx.t(Key::TakeOver) }</button>
                    }
                    if let Some(url) = &chat.page_url { <span class="muted">{ url }</span> }
                </div>
                <div class="transcript" aria-live="polite">
                    { for chat.lines.iter().map(|line| html! {
                        <div key={line.id.clone()} class={classes!("bubble", line.role.clone())}>{ visitor_text(ctx.lang, &line.body) }<small>{ short_date_time(ctx.lang, &line.at) }</small></div>
                    }) }
                </div>
                <form class="composer" onsubmit={send}>
                    <label for="owner-reply" class="visually-hidden">{ ctx.t(Key::Reply) }</label>
                    <textarea id="owner-reply" rows="2" value={(*draft).clone()} oninput={on_draft} onkeydown={on_key} placeholder={ctx.t(Key::Reply)} />
                    <button class="primary" type="submit">{ ctx.t(Key::Send) }</button>
                </form>
            </div>
        },
    };
    let body = match &*chats {
        None => html! { <p class="muted" aria-busy="true">{ ctx.t(Key::Loading) }</p> },
        Some(Err(error)) => html! { <p class="error" role="alert">{ error }</p> },
        Some(Ok(_)) if list.is_empty() => {
            html! { <div class="empty">{ ctx.t(Key::EmptyChats) }</div> }
        }
        Some(Ok(page)) => {
            html! {
                <div class="chat">
                    <div class="inbox">
                        { for inbox }
                        <Pager shown={page.chats.len()} total={page.total_count} more={page.has_next_page}
                               busy={*more_busy} on_more={load_more} />
                    </div>
                    { detail }
                </div>
            }
        }
    };
    html! {
        <section>
            <h1>{ ctx.t(Key::Chats) }</h1>
            { drill.banner(&ctx, Route::Chats) }
            { body }
        </section>
    }
}

/// Inbox events received since the page opened, oldest first.
#[derive(PartialEq)]
struct EventLog(Vec<api::inbox_events::InboxEventsInboxEvents>);

impl Reducible for EventLog {
    type Action = api::inbox_events::InboxEventsInboxEvents;

    fn reduce(self: std::rc::Rc<Self>, action: Self::Action) -> std::rc::Rc<Self> {
        let mut events = self.0.clone();
        // An erased conversation's messages leave the log: the list loads again and shows them
        // as the server now has them.
        if let (InboxEventKind::ERASED, Some(erased)) = (&action.kind, &action.conversation) {
            events.retain(|event| {
                event
                    .message
                    .as_ref()
                    .is_none_or(|m| m.conversation_id != erased.id)
            });
        }
        events.push(action);
        std::rc::Rc::new(Self(events))
    }
}

impl EventLog {
    /// How many erasures arrived: the list loads again after each.
    fn erasures(&self) -> usize {
        self.0
            .iter()
            .filter(|event| matches!(event.kind, InboxEventKind::ERASED))
            .count()
    }
}
