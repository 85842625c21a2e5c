//! Settings: the user's own account (password, sign-in address, the language of their e-mails)
//! and notifications, for everyone; for owners also the lead reminder time and the workshop's
//! profile, legal notice and opening hours, and privacy (retention, a person's data exported or
//! erased, the privacy log).

mod account;
mod notifications;
mod privacy;
mod privacy_log;
mod workshop;

use yew::prelude::*;

use account::{ChangeEmail, ChangePassword, EmailLanguage};
use notifications::{Notifications, Notify};
use privacy::PrivacySettings;
use workshop::WorkshopProfile;

use crate::api;
use crate::components::load::{Load, failed_view, loading_view};
use crate::ctx::use_ctx;
use crate::i18n::Key;

/// The account's settings as the server has them.
#[derive(Clone, Debug, PartialEq)]
struct Account {
    email: String,
    locale: String,
    notify: Notify,
    reminder_minutes: i64,
}

#[function_component(Settings)]
pub fn page() -> Html {
    let ctx = use_ctx();
    let account = use_state(|| Load::<Account>::Loading);
    let version = use_state(|| 0u32);

    {
        let (ctx, account) = (ctx.clone(), account.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::run::<api::AccountSettings>(
                    ctx.token().as_deref(),
                    api::account_settings::Variables {},
                )
                .await
                .map(|data| Account {
                    email: data.viewer.email,
                    locale: format!("{:?}", data.viewer.locale),
                    notify: Notify {
                        new_lead: data.viewer.notification_settings.new_lead,
                        reminder: data.viewer.notification_settings.reminder,
                        daily_summary: data.viewer.notification_settings.daily_summary,
                    },
                    reminder_minutes: data.workshop.lead_reminder_minutes,
                });
                account.set(Load::from_result(&ctx, result));
            });
        });
    }
    let retry = {
        let version = version.clone();
        Callback::from(move |_| version.set(*version + 1))
    };
    let personal = match &*account {
        Load::Loading => loading_view(&ctx),
        Load::Failed(message) => failed_view(&ctx, message, retry),
        Load::Ready(account) => html! {
            <>
                <section class="stack" aria-labelledby="account-title">
                    <h2 id="account-title">{ ctx.t(Key::AccTitle) }</h2>
                    <div class="settings-cards">
                        <ChangePassword />
                        <ChangeEmail current={account.email.clone()} />
                        <EmailLanguage locale={account.locale.clone()} />
                    </div>
                </section>
                <Notifications notify={account.notify.clone()} reminder_minutes={account.reminder_minutes} />
            </>
        },
    };
    html! {
        <section class="settings stack">
            <h1>{ ctx.t(Key::Settings) }</h1>
            { personal }
            if ctx.is_owner() {
                <WorkshopProfile />
                <PrivacySettings />
            }
        </section>
    }
}
