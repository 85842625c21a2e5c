//! CarBot's console for workshop owners: leads, live chats, the catalog, the widget and the
//! workshop's settings, live as things happen. Talks only GraphQL to the platform it is served by.

mod api;
mod i18n;
mod live;
mod pages;
mod ui;

use std::rc::Rc;

use i18n::{Lang, t};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The signed-in session. The access token lives in memory only; the refresh token is an
/// HttpOnly cookie the browser keeps (scripts cannot read it).
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub access_token: String,
    pub expires_at: String,
    pub email: String,
    pub workshop: String,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Dashboard,
    Leads,
    Lead(String),
    Chats,
    Services,
    Widget,
    Tokens,
    Settings,
    Plan,
}

impl Route {
    fn parse(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        match path {
            "/leads" => Self::Leads,
            "/chats" => Self::Chats,
            "/services" => Self::Services,
            "/widget" => Self::Widget,
            "/tokens" => Self::Tokens,
            "/settings" => Self::Settings,
            "/plan" => Self::Plan,
            _ => match path.strip_prefix("/leads/") {
                Some(id) if !id.is_empty() => Self::Lead(id.to_owned()),
                _ => Self::Dashboard,
            },
        }
    }

    pub fn path(&self) -> String {
        match self {
            Self::Dashboard => "/".into(),
            Self::Leads => "/leads".into(),
            Self::Lead(id) => format!("/leads/{id}"),
            Self::Chats => "/chats".into(),
            Self::Services => "/services".into(),
            Self::Widget => "/widget".into(),
            Self::Tokens => "/tokens".into(),
            Self::Settings => "/settings".into(),
            Self::Plan => "/plan".into(),
        }
    }
}

/// What every page may use.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub session: Option<Session>,
    pub lang: Lang,
    pub route: Route,
    pub navigate: Callback<Route>,
    pub set_session: Callback<Option<Session>>,
    pub set_lang: Callback<Lang>,
    /// Shows a short notice (new lead, saved, …).
    pub notify: Callback<String>,
}

impl Ctx {
    pub fn token(&self) -> Option<String> {
        self.session.as_ref().map(|s| s.access_token.clone())
    }

    pub fn t(&self, key: &'static str) -> &'static str {
        t(self.lang, key)
    }

    /// Runs a mutation for an action: its refusal (the first user error `refusal` finds) or a
    /// failure becomes a notice; `Some(data)` when it went through.
    pub async fn perform<Q: graphql_client::GraphQLQuery>(
        &self,
        variables: Q::Variables,
        refusal: impl FnOnce(&Q::ResponseData) -> Option<String>,
    ) -> Option<Q::ResponseData>
    where
        Q::Variables: serde::Serialize,
        Q::ResponseData: serde::de::DeserializeOwned,
    {
        match api::run::<Q>(self.token().as_deref(), variables).await {
            Ok(data) => match refusal(&data) {
                Some(message) => {
                    self.notify.emit(message);
                    None
                }
                None => Some(data),
            },
            Err(error) => {
                self.fail(error);
                None
            }
        }
    }

    /// Handles an API error: a finished session signs out, anything else becomes a notice.
    pub fn fail(&self, error: api::ApiError) {
        match error {
            api::ApiError::SignedOut => self.set_session.emit(None),
            api::ApiError::Message(text) => self.notify.emit(text),
        }
    }
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

fn session_from(
    session: Option<(String, String)>,
    viewer: Option<(String, String, String)>,
) -> Option<Session> {
    let (access_token, expires_at) = session?;
    let (email, workshop, role) = viewer?;
    Some(Session {
        access_token,
        expires_at,
        email,
        workshop,
        role,
    })
}

/// Restores the session from the refresh cookie (on start and before the access token expires).
async fn refresh() -> Option<Session> {
    let data = api::run::<api::Refresh>(None, api::refresh::Variables {})
        .await
        .ok()?;
    let payload = data.refresh_session;
    session_from(
        payload.session.map(|s| (s.access_token, s.expires_at)),
        payload
            .viewer
            .map(|v| (v.email, v.workshop.name, format!("{:?}", v.role))),
    )
}

#[function_component(App)]
fn app() -> Html {
    let session = use_state(|| None::<Session>);
    let restoring = use_state(|| true);
    let lang = use_state(|| Lang::De);
    let route = use_state(|| Route::parse(&current_path()));
    let notices = use_state(Vec::<(u32, String)>::new);
    let counter = use_mut_ref(|| 0u32);

    {
        let session = session.clone();
        let restoring = restoring.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                session.set(refresh().await);
                restoring.set(false);
            });
        });
    }
    // Refresh the access token every 10 minutes (it lives 15) while signed in.
    {
        let session = session.clone();
        let signed_in = session.is_some();
        use_effect_with(signed_in, move |signed_in| {
            let interval = signed_in.then(|| {
                gloo_timers::callback::Interval::new(10 * 60 * 1000, move || {
                    let session = session.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        session.set(refresh().await);
                    });
                })
            });
            move || drop(interval)
        });
    }
    // Back and forward buttons.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                route.set(Route::parse(&current_path()));
            });
            let window = web_sys::window().expect("window");
            let _ = window
                .add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "popstate",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }

    let navigate = {
        let route = route.clone();
        Callback::from(move |next: Route| {
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&next.path()));
            }
            route.set(next);
            if let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    let notify = {
        let notices = notices.clone();
        let counter = counter.clone();
        Callback::from(move |text: String| {
            let id = {
                let mut counter = counter.borrow_mut();
                *counter += 1;
                *counter
            };
            let mut next = (*notices).clone();
            next.push((id, text));
            notices.set(next);
            let notices = notices.clone();
            gloo_timers::callback::Timeout::new(6_000, move || {
                notices.set(notices.iter().filter(|(n, _)| *n != id).cloned().collect());
            })
            .forget();
        })
    };
    let ctx = Ctx {
        session: (*session).clone(),
        lang: *lang,
        route: (*route).clone(),
        navigate,
        set_session: {
            let session = session.clone();
            Callback::from(move |next| session.set(next))
        },
        set_lang: {
            let lang = lang.clone();
            Callback::from(move |next| lang.set(next))
        },
        notify,
    };
    let body = if *restoring {
        html! { <div class="centered" aria-busy="true">{ ctx.t("loading") }</div> }
    } else if ctx.session.is_none() {
        html! { <pages::login::Login /> }
    } else {
        html! { <ui::Layout /> }
    };
    html! {
        <ContextProvider<Rc<Ctx>> context={Rc::new(ctx)}>
            { body }
            <div class="notices" role="status" aria-live="polite">
                { for notices.iter().map(|(id, text)| html! { <div class="notice" key={*id}>{ text }</div> }) }
            </div>
        </ContextProvider<Rc<Ctx>>>
    }
}

/// The page's context; every page is inside the provider.
#[hook]
pub fn use_ctx() -> Rc<Ctx> {
    use_context::<Rc<Ctx>>().expect("inside the app")
}

fn main() {
    yew::Renderer::<App>::new().render();
}
