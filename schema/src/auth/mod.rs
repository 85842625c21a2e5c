//! Who is calling, and for which workshop.
//!
//! The transport (HTTP header or `connection_init`) turns a bearer token into a [`Principal`]
//! with [`Authenticator::authenticate`]. Resolvers never take a workshop id from the client: they
//! ask the principal for a [`Tenant`], a handle only this module can make, and every query for
//! tenant data takes one. A resolver that forgets to authorise cannot name a workshop at all.

pub mod passwords;
pub mod tokens;

use async_graphql::{Context, Enum};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::billing::{Entitlements, Feature};
use crate::db::Pool;
use crate::db::schema::{
    api_tokens, client_keys, conversations, memberships, sessions, users, workshops,
};
use crate::error::{ApiError, ApiResult};
use tokens::{API_TOKEN_PREFIX, JwtKeys, hash_secret};

/// A user's role in the workshop the session acts for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Staff,
    /// Operates the platform; acts with owner rights in the workshop the session is for.
    PlatformAdmin,
}

impl Role {
    pub(crate) fn from_membership(role: &str, is_platform_admin: bool) -> Self {
        match (is_platform_admin, role) {
            (true, _) => Self::PlatformAdmin,
            (false, "OWNER") => Self::Owner,
            _ => Self::Staff,
        }
    }
}

/// What an integrator's API token may do.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiScope {
    LeadsRead,
    LeadsWrite,
    CatalogRead,
    CatalogWrite,
    AnalyticsRead,
}

impl ApiScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeadsRead => "LEADS_READ",
            Self::LeadsWrite => "LEADS_WRITE",
            Self::CatalogRead => "CATALOG_READ",
            Self::CatalogWrite => "CATALOG_WRITE",
            Self::AnalyticsRead => "ANALYTICS_READ",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::LeadsRead,
            Self::LeadsWrite,
            Self::CatalogRead,
            Self::CatalogWrite,
            Self::AnalyticsRead,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The authenticated caller of one request or WebSocket connection.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    User {
        user_id: Uuid,
        workshop_id: Uuid,
        session_id: Uuid,
        role: Role,
    },
    ApiToken {
        token_id: Uuid,
        workshop_id: Uuid,
        scopes: Vec<ApiScope>,
    },
    /// A widget visitor: one conversation, nothing else.
    Visitor(Visitor),
}

/// What a visitor token proves: a live conversation started with a key that is still active.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub conversation_id: Uuid,
    pub workshop_id: Uuid,
    pub client_key_id: Uuid,
    /// The key's allowed origins, checked against every request's `Origin`.
    pub allowed_origins: std::sync::Arc<[String]>,
}

/// Proof that the caller may act for this workshop. Only this module constructs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tenant {
    workshop_id: Uuid,
}

impl Tenant {
    pub fn workshop_id(&self) -> Uuid {
        self.workshop_id
    }
}

/// A signed-in user acting for their workshop.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub tenant: Tenant,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub role: Role,
}

impl Principal {
    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Self::Anonymous)
    }

    /// Users and API tokens may introspect the schema; visitors and anonymous callers not.
    pub fn may_introspect(&self) -> bool {
        matches!(self, Self::User { .. } | Self::ApiToken { .. })
    }

    /// The tenant of `conversation_id` when this is its visitor.
    pub fn visitor_of(&self, conversation_id: Uuid) -> Option<Tenant> {
        match self {
            Self::Visitor(v) if v.conversation_id == conversation_id => Some(Tenant {
                workshop_id: v.workshop_id,
            }),
            _ => None,
        }
    }

    /// Any authenticated caller's workshop; an API token must hold `scope` when one is named.
    pub fn tenant(&self, scope: Option<ApiScope>) -> ApiResult<Tenant> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::Visitor(_) => Err(VISITOR_ONLY),
            Self::User { workshop_id, .. } => Ok(Tenant {
                workshop_id: *workshop_id,
            }),
            Self::ApiToken {
                workshop_id,
                scopes,
                ..
            } => match scope {
                Some(needed) if !scopes.contains(&needed) => Err(ApiError::Forbidden(
                    "This API token lacks the scope for this field.",
                )),
                _ => Ok(Tenant {
                    workshop_id: *workshop_id,
                }),
            },
        }
    }

    /// A signed-in user of any role.
    pub fn member(&self) -> ApiResult<Member> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::Visitor(_) => Err(VISITOR_ONLY),
            Self::ApiToken { .. } => Err(ApiError::Forbidden(
                "This field is for signed-in users only.",
            )),
            Self::User {
                user_id,
                workshop_id,
                session_id,
                role,
            } => Ok(Member {
                tenant: Tenant {
                    workshop_id: *workshop_id,
                },
                user_id: *user_id,
                session_id: *session_id,
                role: *role,
            }),
        }
    }

    /// An owner, or an API token holding `scope`: who may change the workshop's data.
    pub fn writer(&self, scope: ApiScope) -> ApiResult<Tenant> {
        match self {
            Self::ApiToken { .. } => self.tenant(Some(scope)),
            _ => Ok(self.owner()?.tenant),
        }
    }

    /// A signed-in owner (or platform admin) of the workshop.
    pub fn owner(&self) -> ApiResult<Member> {
        let member = self.member()?;
        match member.role {
            Role::Owner | Role::PlatformAdmin => Ok(member),
            Role::Staff => Err(ApiError::Forbidden(
                "Only the workshop's owner may do this.",
            )),
        }
    }
}

const VISITOR_ONLY: ApiError =
    ApiError::Forbidden("A visitor token is good for its own conversation only.");

/// The `Origin` header of the HTTP request or WebSocket handshake, if the browser sent one.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin(pub Option<String>);

/// Whether a browser `Origin` (`scheme://host[:port]`) matches one of a key's allowed origins;
/// `https://*.example.de` matches every subdomain of `example.de` (not `example.de` itself).
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    allowed.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.split_once("://*.") {
            Some((scheme, domain)) => origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"))
                .is_some_and(|host| {
                    host.strip_suffix(domain)
                        .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
                }),
            None => origin == pattern,
        }
    })
}

/// Shorthand for resolvers.
pub fn principal<'a>(ctx: &'a Context<'_>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&Principal::Anonymous)
}

/// The tenant of a conversation the caller just started (and holds the visitor token of).
pub(crate) fn visitor_tenant(conversation: &crate::chat::ConversationRow) -> Tenant {
    Tenant {
        workshop_id: conversation.workshop_id,
    }
}

/// A tenant handle for a workshop that a session was just created for (register, login,
/// refresh): authentication happened in this very request, not in the transport.
pub(crate) fn tenant_of_new_session(workshop_id: Uuid) -> Tenant {
    Tenant { workshop_id }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
struct ActiveApiToken {
    id: Uuid,
    workshop_id: Uuid,
    scopes: Vec<String>,
    last_used_at: Option<chrono::DateTime<Utc>>,
    #[diesel(select_expression = workshops::plan_code)]
    plan_code: String,
    #[diesel(select_expression = workshops::trial_ends_at)]
    trial_ends_at: Option<chrono::DateTime<Utc>>,
    #[diesel(select_expression = workshops::subscription_active)]
    subscription_active: bool,
}

/// Turns bearer tokens into principals.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pool: Pool,
    keys: JwtKeys,
}

impl Authenticator {
    pub fn new(pool: Pool, keys: JwtKeys) -> Self {
        Self { pool, keys }
    }

    pub fn keys(&self) -> &JwtKeys {
        &self.keys
    }

    /// `Err(Unauthenticated)` for any token that is malformed, forged, expired or revoked.
    pub async fn authenticate(&self, bearer: &str) -> ApiResult<Principal> {
        if bearer.starts_with(API_TOKEN_PREFIX) {
            return self.api_token(bearer).await;
        }
        if let Some(claims) = self.keys.verify_visitor(bearer) {
            return self.visitor(claims).await;
        }
        let claims = self.keys.verify(bearer).ok_or(ApiError::Unauthenticated)?;
        let mut conn = self.pool.get().await?;
        let row: Option<(String, bool)> = sessions::table
            .inner_join(users::table)
            .inner_join(
                memberships::table.on(memberships::user_id
                    .eq(sessions::user_id)
                    .and(memberships::workshop_id.eq(sessions::workshop_id))),
            )
            .filter(sessions::id.eq(claims.sid))
            .filter(sessions::user_id.eq(claims.sub))
            .filter(sessions::workshop_id.eq(claims.wid))
            .filter(sessions::revoked_at.is_null())
            .select((memberships::role, users::is_platform_admin))
            .first(&mut conn)
            .await
            .optional()?;
        let (role, is_platform_admin) = row.ok_or(ApiError::Unauthenticated)?;
        Ok(Principal::User {
            user_id: claims.sub,
            workshop_id: claims.wid,
            session_id: claims.sid,
            role: Role::from_membership(&role, is_platform_admin),
        })
    }

    async fn visitor(&self, claims: tokens::VisitorClaims) -> ApiResult<Principal> {
        let mut conn = self.pool.get().await?;
        let allowed_origins: Option<Vec<String>> = conversations::table
            .inner_join(client_keys::table)
            .filter(conversations::id.eq(claims.sub))
            .filter(conversations::workshop_id.eq(claims.wid))
            .filter(client_keys::id.eq(claims.kid))
            .filter(client_keys::revoked_at.is_null())
            .select(client_keys::allowed_origins)
            .first(&mut conn)
            .await
            .optional()?;
        let allowed_origins = allowed_origins.ok_or(ApiError::Unauthenticated)?;
        Ok(Principal::Visitor(Visitor {
            conversation_id: claims.sub,
            workshop_id: claims.wid,
            client_key_id: claims.kid,
            allowed_origins: allowed_origins.into(),
        }))
    }

    async fn api_token(&self, bearer: &str) -> ApiResult<Principal> {
        let mut conn = self.pool.get().await?;
        let now = Utc::now();
        let row: Option<ActiveApiToken> = api_tokens::table
            .inner_join(workshops::table)
            .filter(api_tokens::token_hash.eq(hash_secret(bearer)))
            .filter(api_tokens::revoked_at.is_null())
            .filter(
                api_tokens::expires_at
                    .is_null()
                    .or(api_tokens::expires_at.gt(now)),
            )
            .select(ActiveApiToken::as_select())
            .first(&mut conn)
            .await
            .optional()?;
        let ActiveApiToken {
            id: token_id,
            workshop_id,
            scopes,
            last_used_at,
            plan_code,
            trial_ends_at,
            subscription_active,
        } = row.ok_or(ApiError::Unauthenticated)?;
        // API access belongs to the plan: a workshop that leaves Enterprise keeps its tokens,
        // but they answer PLAN_LIMIT_REACHED until it returns.
        Entitlements::new(&plan_code, trial_ends_at, subscription_active, now)
            .require(Feature::ApiAccess)?;
        // Minute precision is enough for "last used", and spares a write per request.
        if last_used_at.is_none_or(|at| now - at > chrono::Duration::minutes(1)) {
            diesel::update(api_tokens::table.find(token_id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(&mut conn)
                .await?;
        }
        Ok(Principal::ApiToken {
            token_id,
            workshop_id,
            scopes: scopes.iter().filter_map(|s| ApiScope::parse(s)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins_match_exactly_or_by_subdomain_wildcard() {
        let allowed = vec![
            "https://autohaus-nord.de".to_owned(),
            "https://*.autohaus-nord.de".to_owned(),
            "http://127.0.0.1:8080".to_owned(),
        ];
        for ok in [
            "https://autohaus-nord.de",
            "https://www.autohaus-nord.de",
            "https://a.b.autohaus-nord.de",
            "HTTPS://WWW.Autohaus-Nord.de",
            "http://127.0.0.1:8080",
        ] {
            assert!(origin_allowed(&allowed, ok), "{ok} should be allowed");
        }
        for refused in [
            "http://autohaus-nord.de",
            "https://autohaus-nord.de.evil.com",
            "https://evilautohaus-nord.de",
            "https://.autohaus-nord.de",
            "https://autohaus-nord.de:8443",
            "http://127.0.0.1:8081",
            "null",
            "",
        ] {
            assert!(
                !origin_allowed(&allowed, refused),
                "{refused} should be refused"
            );
        }
    }
}
