//! The signed-in session and how it comes back from the refresh cookie.

use crate::api;

/// A workshop (location) the user belongs to, and their role there.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub workshop_id: String,
    pub workshop: String,
    pub role: String,
}

/// The signed-in session. The access token lives in memory only; the refresh token is an
/// HttpOnly cookie the browser keeps (scripts cannot read it).
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub access_token: String,
    pub expires_at: String,
    pub user_id: String,
    pub email: String,
    /// The workshop the session acts for.
    pub workshop_id: String,
    pub workshop: String,
    /// `OWNER`, `STAFF` or `PLATFORM_ADMIN`, in the workshop the session acts for.
    pub role: String,
    pub email_verified: bool,
    /// The user's language (`DE`, `EN`, `TR`, `PL`): of their e-mails, and of the console.
    pub locale: String,
    /// Every workshop the user belongs to, in the order they joined.
    pub memberships: Vec<Membership>,
}

impl Session {
    /// Owners (and the platform's admins) change the catalog, keys, team and settings; staff
    /// work conversations and leads.
    pub fn is_owner(&self) -> bool {
        matches!(self.role.as_str(), "OWNER" | "PLATFORM_ADMIN")
    }

    /// The session after the workshop it acts for was renamed.
    pub fn renamed(self, name: String) -> Self {
        let memberships = self
            .memberships
            .into_iter()
            .map(|m| {
                if m.workshop_id == self.workshop_id {
                    Membership {
                        workshop: name.clone(),
                        ..m
                    }
                } else {
                    m
                }
            })
            .collect();
        Self {
            workshop: name,
            memberships,
            ..self
        }
    }

    /// The session after the user chose another language.
    pub fn with_locale(self, locale: String) -> Self {
        Self { locale, ..self }
    }

    /// The session with the viewer as the server sees it now.
    pub fn with_viewer(self, viewer: Viewer) -> Self {
        Self {
            user_id: viewer.user_id,
            email: viewer.email,
            workshop_id: viewer.workshop_id,
            workshop: viewer.workshop,
            role: viewer.role,
            email_verified: viewer.email_verified,
            locale: viewer.locale,
            memberships: viewer.memberships,
            ..self
        }
    }
}

/// The user as `ViewerParts` (graphql/console/session.graphql) describes them.
#[derive(Clone, Debug, PartialEq)]
pub struct Viewer {
    pub user_id: String,
    pub email: String,
    pub workshop_id: String,
    pub workshop: String,
    pub role: String,
    pub email_verified: bool,
    pub locale: String,
    pub memberships: Vec<Membership>,
}

/// What an operation that signs in gave: the session, or the user errors that stopped it as
/// `(field, message)`.
pub struct SignedIn {
    pub session: Option<Session>,
    pub errors: Vec<(String, String)>,
}

// Each operation's module has its own copy of the fragments' types, with the same fields.
macro_rules! from_fragments {
    (viewer: $($viewer:ident),+; session: $($signed:ident),+ $(,)?) => {
        $(
            impl From<api::$viewer::ViewerParts> for Viewer {
                fn from(v: api::$viewer::ViewerParts) -> Self {
                    Self {
                        user_id: v.id,
                        email: v.email,
                        workshop_id: v.workshop.id,
                        workshop: v.workshop.name,
                        role: format!("{:?}", v.role),
                        email_verified: v.email_verified,
                        locale: format!("{:?}", v.locale),
                        memberships: v
                            .memberships
                            .into_iter()
                            .map(|m| Membership {
                                workshop_id: m.workshop.id,
                                workshop: m.workshop.name,
                                role: format!("{:?}", m.role),
                            })
                            .collect(),
                    }
                }
            }
        )+
        $(
            impl From<api::$signed::SessionParts> for SignedIn {
                fn from(p: api::$signed::SessionParts) -> Self {
                    let errors =
                        api::field_errors(p.user_errors.iter().map(|e| (&e.field, &e.message)));
                    let session = match (p.session, p.viewer) {
                        (Some(s), Some(v)) => Some(Session {
                            access_token: s.access_token,
                            expires_at: s.expires_at,
                            ..placeholder()
                        }
                        .with_viewer(v.into())),
                        _ => None,
                    };
                    Self { session, errors }
                }
            }
        )+
    };
}

from_fragments! {
    viewer: login, register, refresh, reset_password, accept_invitation, switch_workshop, current_viewer;
    session: login, register, refresh, reset_password, accept_invitation, switch_workshop,
}

/// A session without a viewer yet, filled in by [`Session::with_viewer`].
fn placeholder() -> Session {
    Session {
        access_token: String::new(),
        expires_at: String::new(),
        user_id: String::new(),
        email: String::new(),
        workshop_id: String::new(),
        workshop: String::new(),
        role: String::new(),
        email_verified: false,
        locale: String::new(),
        memberships: Vec::new(),
    }
}

/// Restores the session from the refresh cookie (on start and before the access token expires).
pub async fn refresh() -> Option<Session> {
    let data = api::run::<api::Refresh>(None, api::refresh::Variables {})
        .await
        .ok()?;
    SignedIn::from(data.refresh_session).session
}

/// The viewer as the server sees it now (after a confirmed address or a new location).
pub async fn current_viewer(token: Option<&str>) -> Result<Viewer, api::ApiError> {
    api::run::<api::CurrentViewer>(token, api::current_viewer::Variables {})
        .await
        .map(|data| data.viewer.into())
}
