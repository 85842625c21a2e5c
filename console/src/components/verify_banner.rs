//! The reminder on every page while the signed-in user's address is not confirmed (lead e-mails
//! wait for it), with a button that sends the link again.

use yew::prelude::*;

use crate::api;
use crate::ctx::use_ctx;
use crate::i18n::Key;

#[function_component(VerifyBanner)]
pub fn verify_banner() -> Html {
    let ctx = use_ctx();
    let busy = use_state(|| false);
    let sent = use_state(|| false);
    let Some(session) = ctx.session.clone().filter(|s| !s.email_verified) else {
        return html! {};
    };
    let resend = {
        let (ctx, busy, sent) = (ctx.clone(), busy.clone(), sent.clone());
        Callback::from(move |_| {
            let (ctx, busy, sent) = (ctx.clone(), busy.clone(), sent.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let done = ctx
                    .perform::<api::RequestEmailVerification>(
                        api::request_email_verification::Variables {},
                        |d| {
                            d.request_email_verification
                                .user_errors
                                .first()
                                .map(|e| e.message.clone())
                        },
                    )
                    .await;
                busy.set(false);
                if done.is_some() {
                    sent.set(true);
                    ctx.notify.emit(ctx.t(Key::VerLinkSent).to_owned());
                }
            });
        })
    };
    html! {
        <div class="callout warn verify-banner" role="status" id="verify-banner">
            <p>
                <strong>{ ctx.t(Key::VerBannerTitle) }</strong>{ " " }
                { ctx.t(Key::VerBannerText) }{ " " }<span class="mono">{ session.email }</span>
            </p>
            <div class="row">
                <button type="button" id="resend-verification" onclick={resend} disabled={*busy}>
                    { ctx.t(Key::VerResend) }
                </button>
                if *sent {
                    <span class="muted small">{ ctx.t(Key::VerLinkSent) }</span>
                }
            </div>
        </div>
    }
}
