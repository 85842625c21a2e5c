//! The request context, built alike for HTTP and WebSocket: the client's address, the page's
//! origin and the principal behind the token. Each transport only finds the token (the
//! `Authorization` header, the `connection_init` payload) and answers a refusal its own way.

use std::net::SocketAddr;

use async_graphql::Data;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use carbot_schema::auth::{RequestOrigin, origin_allowed};
use carbot_schema::error::ApiError;
use carbot_schema::locale::{CallerLocale, Locale};
use carbot_schema::{ClientIp, Principal};

use crate::state::AppState;

/// Who is asking from where, as the resolvers read it from the request's data.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub client_ip: ClientIp,
    pub origin: RequestOrigin,
    /// The browser's language (`Accept-Language`), for callers without one of their own.
    pub accept_language: Option<Locale>,
}

/// Why a request gets no principal.
#[derive(Debug)]
pub enum Refusal {
    /// The token is not accepted (unknown, expired, revoked, or its workshop over a limit).
    Token(ApiError),
    /// A widget key used from a page its allowed origins do not name.
    Origin,
}

impl RequestContext {
    /// The context of the request (for a WebSocket, of its upgrade request).
    pub async fn from_parts(state: &AppState, parts: &mut Parts) -> Self {
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, &())
            .await
            .map_or(SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
        Self {
            client_ip: client_ip(state, &parts.headers, peer),
            origin: request_origin(&parts.headers),
            accept_language: parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language),
        }
    }

    /// The principal behind `token` (anonymous without one); a visitor's page must be one that
    /// its key allows.
    pub async fn authenticate(
        &self,
        state: &AppState,
        token: Option<&str>,
    ) -> Result<Principal, Refusal> {
        let principal = match token {
            None => Principal::Anonymous,
            Some(token) => state
                .services
                .auth
                .authenticate(token)
                .await
                .map_err(Refusal::Token)?,
        };
        if let Principal::Visitor(visitor) = &principal
            && !self
                .origin
                .0
                .as_deref()
                .is_some_and(|o| origin_allowed(&visitor.allowed_origins, o))
        {
            return Err(Refusal::Origin);
        }
        Ok(principal)
    }

    /// Puts the context and the principal where the resolvers look for them.
    pub fn insert_into(self, data: &mut Data, principal: Principal) {
        let locale = principal
            .locale()
            .or(self.accept_language)
            .unwrap_or_default();
        data.insert(CallerLocale(locale));
        data.insert(principal);
        data.insert(self.client_ip);
        data.insert(self.origin);
    }
}

/// The peer's address, or behind a trusted proxy the first `X-Forwarded-For` entry.
fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> ClientIp {
    let forwarded = state
        .trust_proxy
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .split(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    ClientIp(forwarded.unwrap_or(peer.ip()))
}

/// The browser's `Origin` header, which the widget's key checks.
fn request_origin(headers: &HeaderMap) -> RequestOrigin {
    RequestOrigin(
        headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    )
}
