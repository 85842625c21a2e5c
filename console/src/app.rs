//! The application: restores and refreshes the session, shows notices, and puts the sign-in
//! page, a page opened from an e-mail, or the shell on screen, inside the router that follows
//! the address bar.

use std::rc::Rc;

use yew::prelude::*;
use yew_router::BrowserRouter;
use yew_router::prelude::use_route;

use crate::ctx::{Ctx, use_ctx};
use crate::i18n::{Key, Lang};
use crate::pages::forgot_password::ForgotPassword;
use crate::pages::invitation::Invitation;
use crate::pages::login::Login;
use crate::pages::reset_password::ResetPassword;
use crate::pages::verify_email::VerifyEmail;
use crate::route::Route;
use crate::session::{Session, refresh};
use crate::shell::Layout;

/// What the address shows: the pages opened from e-mails stand alone (an address is confirmed
/// signed in or out; signed in, inside the shell), everything else needs a session.
#[function_component(Screen)]
fn screen() -> Html {
    let ctx = use_ctx();
    let route = use_route::<Route>().unwrap_or_default();
    let signed_in = ctx.session.is_some();
    match route {
        Route::ForgotPassword => html! { <ForgotPassword /> },
        Route::ResetPassword => html! { <ResetPassword /> },
        Route::Invitation => html! { <Invitation /> },
        Route::VerifyEmail if !signed_in => html! { <VerifyEmail /> },
        _ if signed_in => html! { <Layout /> },
        _ => html! { <Login /> },
    }
}

/// Before anyone signs in: the first of the browser's languages that the console speaks,
/// German when it speaks none of them.
fn browser_lang() -> Lang {
    let languages = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| {
            list.iter()
                .filter_map(|l| l.as_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    languages
        .iter()
        .find_map(|tag| {
            let tag = tag.to_ascii_lowercase();
            if tag.starts_with("de") {
                Some(Lang::De)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        })
        .unwrap_or(Lang::De)
}

#[function_component(App)]
pub fn app() -> Html {
    let session = use_state(|| None::<Session>);
    let restoring = use_state(|| true);
    let lang = use_state(browser_lang);
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
    // Signed in, the console speaks the user's language (the one of their e-mails); the switch
    // in the header changes it until the next sign-in or reload.
    {
        let lang = lang.clone();
        let viewer = session
            .as_ref()
            .map(|s| (s.user_id.clone(), s.locale.clone()));
        use_effect_with(viewer, move |viewer| {
            if let Some((_, locale)) = viewer {
                lang.set(Lang::of_locale(locale));
            }
        });
    }
    // Screen readers, the browser's own texts and the tab's title follow the language.
    use_effect_with(*lang, |lang| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(Key::ConsoleTitle.text(*lang));
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", lang.code());
            }
        }
    });
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
    } else {
        html! { <Screen /> }
    };
    html! {
        <BrowserRouter>
            <ContextProvider<Rc<Ctx>> context={Rc::new(ctx)}>
                { body }
                <div class="notices" role="status" aria-live="polite">
                    { for notices.iter().map(|(id, text)| html! { <div class="notice" key={*id}>{ text }</div> }) }
                </div>
            </ContextProvider<Rc<Ctx>>>
        </BrowserRouter>
    }
}
