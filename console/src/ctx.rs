//! What every page may use: the session, the language, and the ways to sign out and to tell
//! the user something.

use std::rc::Rc;

use yew::prelude::*;

use crate::api;
use crate::i18n::{Key, Lang};
use crate::session::Session;

#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub session: Option<Session>,
    pub lang: Lang,
    pub set_session: Callback<Option<Session>>,
    pub set_lang: Callback<Lang>,
    /// Shows a short notice (new lead, saved, …).
    pub notify: Callback<String>,
}

impl Ctx {
    pub fn token(&self) -> Option<String> {
        self.session.as_ref().map(|s| s.access_token.clone())
    }

    /// Whether the signed-in user owns the workshop the session acts for (staff see no
    /// owner-only pages and actions; the server would refuse them).
    pub fn is_owner(&self) -> bool {
        self.session.as_ref().is_some_and(Session::is_owner)
    }

    /// The text in the language chosen.
    pub fn t(&self, key: Key) -> &'static str {
        key.text(self.lang)
    }

    /// The text in the language chosen, with its `{}` filled in (a name, a date).
    pub fn tf(&self, key: Key, value: &str) -> String {
        self.t(key).replacen("{}", value, 1)
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

    /// Why a request failed, in the language chosen (the server's own messages already are).
    pub fn error_text(&self, error: &api::ApiError) -> String {
        match error {
            api::ApiError::SignedOut => self.t(Key::ErrSignedOut).to_owned(),
            api::ApiError::Unreachable => self.t(Key::ErrUnreachable).to_owned(),
            api::ApiError::TooManyRequests => self.t(Key::ErrTooManyRequests).to_owned(),
            api::ApiError::Unreadable(detail) => {
                format!("{} ({detail})", self.t(Key::ErrUnreadable))
            }
            api::ApiError::Message(text) => text.clone(),
        }
    }

    /// Handles an API error: a finished session signs out, anything else becomes a notice.
    pub fn fail(&self, error: api::ApiError) {
        match error {
            api::ApiError::SignedOut => self.set_session.emit(None),
            other => self.notify.emit(self.error_text(&other)),
        }
    }
}

/// The page's context; every page is inside the provider.
#[hook]
pub fn use_ctx() -> Rc<Ctx> {
    use_context::<Rc<Ctx>>().expect("inside the app")
}
