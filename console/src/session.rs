//! The signed-in session and how it comes back from the refresh cookie.

use crate::api;

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

/// A session from a payload's token and viewer (both are there once signed in).
pub fn session_from(
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
pub async fn refresh() -> Option<Session> {
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
