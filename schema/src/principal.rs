//! Who is calling, and for which workshop.
//!
//! The transport turns a bearer token into a [`Principal`] (with `auth::Authenticator`).
//! Resolvers never take a workshop id from the client: they ask the principal for a [`Tenant`],
//! a handle only this module makes, and every query for tenant data starts from one
//! (`tenant.leads()`, `tenant.conversations()`, …), so a query that forgets its workshop is hard
//! to write and a resolver that forgets to authorise cannot name a workshop at all.

use async_graphql::Enum;
use diesel::dsl::{Eq, Filter};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema;
use crate::error::{ApiError, ApiResult};
use crate::locale::Locale;

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
    /// Webhook endpoints and their deliveries.
    WebhooksManage,
}

impl ApiScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeadsRead => "LEADS_READ",
            Self::LeadsWrite => "LEADS_WRITE",
            Self::CatalogRead => "CATALOG_READ",
            Self::CatalogWrite => "CATALOG_WRITE",
            Self::AnalyticsRead => "ANALYTICS_READ",
            Self::WebhooksManage => "WEBHOOKS_MANAGE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::LeadsRead,
            Self::LeadsWrite,
            Self::CatalogRead,
            Self::CatalogWrite,
            Self::AnalyticsRead,
            Self::WebhooksManage,
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
        /// The user's language (console, e-mails, user errors).
        locale: Locale,
    },
    ApiToken {
        token_id: Uuid,
        workshop_id: Uuid,
        scopes: Vec<ApiScope>,
        /// The plan's budget for each token (`crate::budget`).
        cost_budget: Option<crate::limits::BucketSize>,
        /// The token's expiry date, if it has one.
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
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
    /// The conversation's language.
    pub locale: Locale,
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

/// `tenant.<table>()`: the rows of a table that belong to the tenant's workshop. The one place
/// that writes the workshop filter; queries start from it instead of from the bare table.
macro_rules! tenant_tables {
    ($($table:ident),* $(,)?) => {
        impl Tenant {
            $(
                #[doc = concat!("The tenant's rows of `", stringify!($table), "`.")]
                pub fn $table(
                    self,
                ) -> Filter<schema::$table::table, Eq<schema::$table::workshop_id, Uuid>> {
                    schema::$table::table.filter(schema::$table::workshop_id.eq(self.workshop_id))
                }
            )*
        }
    };
}

tenant_tables!(
    api_tokens,
    assistant_usage,
    billing_accounts,
    client_keys,
    consent_texts,
    conversations,
    events,
    facts,
    invitations,
    invoices,
    lead_notes,
    leads,
    memberships,
    messages,
    privacy_audit,
    privacy_settings,
    refresh_tokens,
    service_categories,
    services,
    sessions,
    webhook_deliveries,
    webhook_endpoints,
);

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

    /// The caller's own language, where it has one (users and visitors).
    pub fn locale(&self) -> Option<Locale> {
        match self {
            Self::User { locale, .. } => Some(*locale),
            Self::Visitor(visitor) => Some(visitor.locale),
            Self::Anonymous | Self::ApiToken { .. } => None,
        }
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

    /// The visitor's own conversation (and its tenant), or why the caller may not act in it;
    /// other principals are refused with `others`.
    pub fn visitor_conversation(
        &self,
        conversation_id: Option<Uuid>,
        others: &'static str,
    ) -> ApiResult<(Tenant, Uuid)> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::Visitor(_) => conversation_id
                .and_then(|id| self.visitor_of(id).map(|tenant| (tenant, id)))
                .ok_or(VISITOR_ONLY),
            _ => Err(ApiError::Forbidden(others)),
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
                ..
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

pub(crate) const VISITOR_ONLY: ApiError =
    ApiError::Forbidden("A visitor token is good for its own conversation only.");

/// The workshop of a client key that was just verified (active, and the page's origin allowed):
/// what the widget's public endpoints act for.
pub(crate) fn tenant_of_client_key(verified_key_workshop: Uuid) -> Tenant {
    Tenant {
        workshop_id: verified_key_workshop,
    }
}

/// A tenant handle for a workshop that a session was just created for (register, login,
/// refresh): authentication happened in this very request, not in the transport.
pub(crate) fn tenant_of_new_session(workshop_id: Uuid) -> Tenant {
    Tenant { workshop_id }
}

/// Any workshop's tenant handle, for unit tests of the infrastructure below the domains.
#[cfg(test)]
pub(crate) fn test_tenant(workshop_id: Uuid) -> Tenant {
    Tenant { workshop_id }
}

/// A tenant handle for work the platform does on its own behalf (reminders, summaries) for the
/// workshop whose row that work just claimed.
pub(crate) fn tenant_of_background_job(workshop_id: Uuid) -> Tenant {
    Tenant { workshop_id }
}
