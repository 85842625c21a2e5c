//! The errors of the schema layer.
//!
//! Two kinds reach a caller: `userErrors` entries in mutation payloads (input mistakes, see
//! [`UserError`]) and top-level GraphQL errors with a stable `extensions.code` ([`ApiError`]).
//! Internal faults are logged once here with an id; the caller gets the id, never the detail.

use async_graphql::{Enum, ErrorExtensions};

use crate::locale::{CallerLocale, messages};

/// The stable `extensions.code` values of top-level errors (API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    RateLimited,
    PlanLimitReached,
    BadRequest,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::RateLimited => "RATE_LIMITED",
            Self::PlanLimitReached => "PLAN_LIMIT_REACHED",
            Self::BadRequest => "BAD_REQUEST",
            Self::Internal => "INTERNAL",
        }
    }

    /// A refusal of the whole request before it runs (a request error, without `data`).
    pub fn request_error(self, message: impl Into<String>) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new(message, None);
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", self.as_str());
        error.extensions = Some(extensions);
        error
    }
}

/// A top-level error. It has no `Display` on purpose: it reaches callers only through
/// [`ErrorExtensions::extend`], which attaches the code and hides internal detail. Resolvers
/// return it directly (async-graphql asks for `Clone`, hence the shared source).
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated,
    Forbidden(&'static str),
    NotFound,
    RateLimited {
        retry_after_secs: u64,
    },
    PlanLimitReached(String),
    BadRequest(String),
    /// The database did not answer in time (down, restarting, or every connection busy): a
    /// passing fault, reported as `INTERNAL` (API.md's codes) with `retryAfter`, not logged
    /// as a bug.
    Unavailable,
    Internal(std::sync::Arc<anyhow_like::Report>),
}

/// When to try again after [`ApiError::Unavailable`].
pub const UNAVAILABLE_RETRY_SECS: u64 = 2;

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::PlanLimitReached(_) => ErrorCode::PlanLimitReached,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unavailable | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a caller may read.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "Authentication required".into(),
            Self::Forbidden(reason) => (*reason).into(),
            Self::NotFound => "Not found".into(),
            Self::RateLimited { retry_after_secs } => {
                format!("Too many attempts; retry in {retry_after_secs} s")
            }
            Self::PlanLimitReached(reason) | Self::BadRequest(reason) => reason.clone(),
            Self::Unavailable => {
                format!(
                    "The database is not reachable right now; retry in {UNAVAILABLE_RETRY_SECS} s"
                )
            }
            Self::Internal(_) => "Internal error".into(),
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(std::sync::Arc::new(anyhow_like::Report(Box::new(error))))
    }
}

/// A boxed source error; kept tiny on purpose so that the schema crate needs no `anyhow`.
mod anyhow_like {
    #[derive(Debug)]
    pub struct Report(pub Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Display for Report {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}", self.0)?;
            let mut source = self.0.source();
            while let Some(cause) = source {
                write!(f, ": {cause}")?;
                source = cause.source();
            }
            Ok(())
        }
    }

    impl std::error::Error for Report {}
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            // The database went away under the connection (a restart, a failover): the next
            // connection may work again. (Other errors without an SQLSTATE, such as a parameter
            // that does not serialize, stay internal errors.)
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                tracing::warn!(error = info.message(), "the database connection broke");
                Self::Unavailable
            }
            Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info)
                if connection_lost(info.message()) =>
            {
                tracing::warn!(error = info.message(), "the database connection broke");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

/// Whether a driver error without an SQLSTATE says the connection is gone (tokio-postgres:
/// "connection closed", "error communicating with the server: …").
fn connection_lost(message: &str) -> bool {
    message.contains("connection closed") || message.contains("communicating with the server")
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for ApiError {
    fn from(error: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        match error {
            bb8::RunError::TimedOut => {
                tracing::warn!("no database connection in time");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let code = self.code().as_str();
        match self {
            Self::Internal(source) => {
                let error_id = uuid::Uuid::new_v4();
                tracing::error!(%error_id, error = %source, "internal error");
                async_graphql::Error::new(format!("Internal error (id {error_id})")).extend_with(
                    |_, e| {
                        e.set("code", code);
                        e.set("errorId", error_id.to_string());
                    },
                )
            }
            Self::Unavailable => async_graphql::Error::new(self.message()).extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfter", UNAVAILABLE_RETRY_SECS);
            }),
            Self::RateLimited { retry_after_secs } => {
                let retry_after_secs = *retry_after_secs;
                async_graphql::Error::new(self.message()).extend_with(|_, e| {
                    e.set("code", code);
                    e.set("retryAfter", retry_after_secs);
                })
            }
            _ => async_graphql::Error::new(self.message()).extend_with(|_, e| e.set("code", code)),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        error.extend()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Why an input was refused; part of every mutation payload.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A required value is missing or empty.
    Required,
    /// The value is malformed (an e-mail address, a colour, a URL, …).
    Invalid,
    /// The value is longer than allowed.
    TooLong,
    /// The password is too short or too common.
    WeakPassword,
    /// Another account already uses this e-mail address.
    EmailTaken,
    /// The e-mail address and password do not match an account.
    InvalidCredentials,
    /// The refresh token is unknown, expired, revoked or was used before.
    InvalidToken,
    /// The referenced object does not exist (or belongs to another workshop).
    NotFound,
    /// The date lies in the past.
    InPast,
    /// The number is below or above what is allowed.
    OutOfRange,
    /// Another object already has this value (e.g. a service name within its category).
    Duplicate,
    /// The object cannot move from its current state to the requested one (a lead's status).
    InvalidTransition,
    /// The change would leave the workshop without an owner.
    LastOwner,
    /// Online payment is not set up on this platform (no Stripe key); the operator sets plans.
    BillingNotConfigured,
    /// The payment provider could not be reached; nothing was changed, try again.
    BillingUnavailable,
}

/// An input mistake, reported next to the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    /// German, as the code writes it; sent in the caller's language.
    pub message: String,
    pub code: UserErrorCode,
}

/// An input mistake, reported next to the field it concerns.
#[async_graphql::Object]
impl UserError {
    /// Path to the input field, e.g. `["input", "email"]`; empty when the whole input is meant.
    async fn field(&self) -> Option<&[String]> {
        self.field.as_deref()
    }
    /// For people, in the caller's language (the user's, the visitor's conversation's, or the
    /// browser's for anonymous callers; German where no translation exists).
    async fn message(&self, ctx: &async_graphql::Context<'_>) -> String {
        let locale = ctx
            .data_opt::<CallerLocale>()
            .copied()
            .unwrap_or_default()
            .0;
        messages::translate(&self.message, locale).into_owned()
    }
    /// For programs: stable.
    async fn code(&self) -> UserErrorCode {
        self.code
    }
}

impl UserError {
    pub fn new(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        let field = if field.is_empty() {
            None
        } else {
            Some(
                std::iter::once("input")
                    .chain(field.iter().copied())
                    .map(str::to_owned)
                    .collect(),
            )
        };
        Self {
            field,
            message: message.into(),
            code,
        }
    }
}

/// Collects the input mistakes of one mutation before anything is written.
#[derive(Debug, Default)]
pub struct UserErrors(Vec<UserError>);

impl UserErrors {
    pub fn push(&mut self, field: &[&str], code: UserErrorCode, message: impl Into<String>) {
        self.0.push(UserError::new(field, code, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<UserError> {
        self.0
    }
}
