//! Authentication: the transport (HTTP header or `connection_init`) turns a bearer token into a
//! [`Principal`] with [`Authenticator::authenticate`]; passwords and token formats. What a
//! principal may do, and the [`Tenant`] handle it grants, are in [`crate::principal`].

pub mod passwords;
pub mod tokens;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

pub use crate::context::RequestOrigin;
use crate::db::Pool;
use crate::db::schema::{
    api_tokens, client_keys, conversations, memberships, sessions, users, workshops,
};
use crate::error::{ApiError, ApiResult};
use crate::locale::Locale;
use crate::plans::{Entitlements, Feature};
pub use crate::principal::{ApiScope, Member, Principal, Role, Tenant, Visitor};
use tokens::{API_TOKEN_PREFIX, JwtKeys, hash_secret};

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

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
struct ActiveApiToken {
    id: Uuid,
    workshop_id: Uuid,
    scopes: Vec<String>,
    expires_at: Option<chrono::DateTime<Utc>>,
    last_used_at: Option<chrono::DateTime<Utc>>,
    #[diesel(select_expression = workshops::plan_code)]
    plan_code: String,
    #[diesel(select_expression = workshops::trial_ends_at)]
    trial_ends_at: Option<chrono::DateTime<Utc>>,
    #[diesel(select_expression = workshops::billing_status)]
    billing_status: String,
    #[diesel(select_expression = workshops::access_until)]
    access_until: Option<chrono::DateTime<Utc>>,
}

/// What an open connection of `principal` hears when access in its workshop changes: it then
/// authenticates its token again (a [`crate::events::RESYNC`] marker means notices may have
/// been missed: authenticate again too). `None` for an anonymous connection.
pub fn access_changes(
    bus: &dyn crate::events::EventBus,
    principal: &Principal,
) -> Option<futures_util::stream::BoxStream<'static, crate::events::Envelope>> {
    let tenant = match principal {
        Principal::Visitor(visitor) => principal.visitor_of(visitor.conversation_id)?,
        Principal::Anonymous => return None,
        _ => principal.tenant(None).ok()?,
    };
    Some(bus.subscribe(tenant, crate::events::ACCESS_TOPIC))
}

/// Whether two principals of one token grant the same: a changed role or scope set ends a
/// connection too.
pub fn same_access(before: &Principal, now: &Principal) -> bool {
    match (before, now) {
        (Principal::User { role: a, .. }, Principal::User { role: b, .. }) => a == b,
        (Principal::ApiToken { scopes: a, .. }, Principal::ApiToken { scopes: b, .. }) => a == b,
        (Principal::Visitor(_), Principal::Visitor(_)) => true,
        _ => false,
    }
}

impl Authenticator {
    /// When the access of `bearer`, which authenticated as `principal`, ends by itself: an
    /// access or visitor token's `exp`, an API token's expiry date; `None` when it does not.
    pub fn expires_at(&self, bearer: &str, principal: &Principal) -> Option<DateTime<Utc>> {
        if let Principal::ApiToken { expires_at, .. } = principal {
            return *expires_at;
        }
        let exp = match self.keys.verify(bearer) {
            Some(claims) => claims.exp,
            None => self.keys.verify_visitor(bearer)?.exp,
        };
        DateTime::from_timestamp(exp, 0)
    }
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
        let row: Option<(String, bool, String)> = sessions::table
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
            .select((memberships::role, users::is_platform_admin, users::locale))
            .first(&mut conn)
            .await
            .optional()?;
        let (role, is_platform_admin, locale) = row.ok_or(ApiError::Unauthenticated)?;
        Ok(Principal::User {
            user_id: claims.sub,
            workshop_id: claims.wid,
            session_id: claims.sid,
            role: Role::from_membership(&role, is_platform_admin),
            locale: Locale::parse(&locale),
        })
    }

    async fn visitor(&self, claims: tokens::VisitorClaims) -> ApiResult<Principal> {
        let mut conn = self.pool.get().await?;
        let found: Option<(Vec<String>, String)> = conversations::table
            .inner_join(client_keys::table)
            .filter(conversations::id.eq(claims.sub))
            .filter(conversations::workshop_id.eq(claims.wid))
            // An erased conversation (the visitor deleted it) takes no more requests.
            .filter(conversations::erased_at.is_null())
            .filter(client_keys::id.eq(claims.kid))
            .filter(client_keys::revoked_at.is_null())
            .select((client_keys::allowed_origins, conversations::locale))
            .first(&mut conn)
            .await
            .optional()?;
        let (allowed_origins, locale) = found.ok_or(ApiError::Unauthenticated)?;
        Ok(Principal::Visitor(Visitor {
            conversation_id: claims.sub,
            workshop_id: claims.wid,
            client_key_id: claims.kid,
            allowed_origins: allowed_origins.into(),
            locale: Locale::parse(&locale),
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
            expires_at,
            last_used_at,
            plan_code,
            trial_ends_at,
            billing_status,
            access_until,
        } = row.ok_or(ApiError::Unauthenticated)?;
        // API access belongs to the plan: a workshop that leaves Enterprise keeps its tokens,
        // but they answer PLAN_LIMIT_REACHED until it returns.
        let entitlements = Entitlements::new(
            &plan_code,
            &billing_status,
            trial_ends_at,
            access_until,
            now,
        );
        entitlements.require(Feature::ApiAccess)?;
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
            cost_budget: entitlements.plan.limits.api_cost_budget,
            expires_at,
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
