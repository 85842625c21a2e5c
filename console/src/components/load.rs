//! A section's data while it loads, when it failed (with a retry), or once it is there.

use yew::prelude::*;

use crate::api::ApiError;
use crate::ctx::Ctx;
use crate::i18n::Key;

/// A page's data: on its way, refused, or there.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Failed(String),
    Ready(T),
}

impl<T> Load<T> {
    /// A request's outcome; a finished session signs out (and shows as failed meanwhile).
    pub fn from_result(ctx: &Ctx, result: Result<T, ApiError>) -> Self {
        match result {
            Ok(value) => Self::Ready(value),
            Err(ApiError::SignedOut) => {
                ctx.fail(ApiError::SignedOut);
                Self::Failed(ctx.error_text(&ApiError::SignedOut))
            }
            Err(error) => Self::Failed(ctx.error_text(&error)),
        }
    }
}

/// The "loading" line of a section.
pub fn loading_view(ctx: &Ctx) -> Html {
    html! { <p class="muted" aria-busy="true" role="status">{ ctx.t(Key::Loading) }</p> }
}

/// A section that could not load, with a retry button.
pub fn failed_view(ctx: &Ctx, message: &str, retry: Callback<MouseEvent>) -> Html {
    html! {
        <div class="callout bad" role="alert">
            <p>{ ctx.t(Key::PgLoadFailed) }{ " " }{ message.to_owned() }</p>
            <button type="button" onclick={retry}>{ ctx.t(Key::PgRetry) }</button>
        </div>
    }
}
