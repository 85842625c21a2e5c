//! The application: restores and refreshes the session, follows the address bar, shows
//! notices, and puts the sign-in page or the shell on screen.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::ctx::Ctx;
use crate::i18n::{Key, Lang};
use crate::pages::login::Login;
use crate::route::Route;
use crate::session::{Session, refresh};
use crate::shell::Layout;

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

#[function_component(App)]
pub fn app() -> Html {
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
        html! { <div class="centered" aria-busy="true">{ ctx.t(Key::Loading) }</div> }
    } else if ctx.session.is_none() {
        html! { <Login /> }
    } else {
        html! { <Layout /> }
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
