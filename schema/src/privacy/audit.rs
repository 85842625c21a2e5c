//! The privacy audit log: who exported or erased how much, and when; never the data itself.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::db::schema::privacy_audit;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyAction {
    /// `exportContactData`.
    Export,
    /// `eraseContact`.
    Erase,
    /// The owner recorded that a lead withdrew their consent; its contact data was erased.
    WithdrawConsent,
    /// A visitor deleted their own chat in the widget.
    VisitorDelete,
    /// The daily retention job erased what was due.
    Retention,
}

impl PrivacyAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Export => "EXPORT",
            Self::Erase => "ERASE",
            Self::WithdrawConsent => "WITHDRAW_CONSENT",
            Self::VisitorDelete => "VISITOR_DELETE",
            Self::Retention => "RETENTION",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "EXPORT" => Self::Export,
            "WITHDRAW_CONSENT" => Self::WithdrawConsent,
            "VISITOR_DELETE" => Self::VisitorDelete,
            "RETENTION" => Self::Retention,
            _ => Self::Erase,
        }
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    User(Uuid),
    Visitor,
    Retention,
}

/// Writes an entry; call in the transaction of what it records.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    actor: Actor,
    action: PrivacyAction,
    counts: impl serde::Serialize,
) -> ApiResult<()> {
    let (kind, user) = match actor {
        Actor::User(id) => ("USER", Some(id)),
        Actor::Visitor => ("VISITOR", None),
        Actor::Retention => ("RETENTION", None),
    };
    diesel::insert_into(privacy_audit::table)
        .values((
            privacy_audit::id.eq(Uuid::now_v7()),
            privacy_audit::workshop_id.eq(tenant.workshop_id()),
            privacy_audit::actor_user_id.eq(user),
            privacy_audit::actor.eq(kind),
            privacy_audit::action.eq(action.as_str()),
            privacy_audit::counts.eq(serde_json::to_value(counts).map_err(ApiError::internal)?),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = privacy_audit)]
pub struct AuditRow {
    pub id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub counts: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One entry of the privacy audit log.
pub struct PrivacyAuditEntry(pub AuditRow);

#[Object]
impl PrivacyAuditEntry {
    async fn id(&self) -> ID {
        ids::encode(NodeType::PrivacyAuditEntry, self.0.id)
    }
    async fn action(&self) -> PrivacyAction {
        PrivacyAction::parse(&self.0.action)
    }
    /// `USER`, `VISITOR` or `RETENTION`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The user who acted (for `USER`).
    async fn actor_user_id(&self) -> Option<ID> {
        self.0
            .actor_user_id
            .map(|id| ids::encode(NodeType::User, id))
    }
    /// How many of each kind: `{leads, conversations, messages, notes, emails}`.
    async fn counts(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.counts.clone())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
