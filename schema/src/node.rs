//! `node(id:)` and `nodes(ids:)`: any object by its global id, within the caller's workshop only.

use async_graphql::{Context, ID, Interface, Object};
use uuid::Uuid;

use crate::accounts::api_tokens::{self, ApiToken};
use crate::accounts::user::{self, User};
use crate::accounts::workshop::{self, Workshop};
use crate::auth::{ApiScope, Principal, Tenant};
use crate::catalog::{self, Service, ServiceCategory};
use crate::chat::client_keys::{self as keys, ClientKey};
use crate::chat::{self, Conversation, ConversationRow};
use crate::context::Ctx;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};
use crate::leads::{self, Lead, LeadRow};

pub const MAX_NODES: usize = 100;

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Workshop(Workshop),
    User(User),
    ApiToken(ApiToken),
    ServiceCategory(ServiceCategory),
    Service(Service),
    ClientKey(ClientKey),
    Conversation(Conversation),
    Lead(Lead),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this id, or `null` when it does not exist or is not the caller's.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        Ok(load(ctx, std::slice::from_ref(&id)).await?.pop().flatten())
    }

    /// Objects by id, in order; `null` for each that does not exist or is not the caller's.
    #[graphql(complexity = "ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                ApiError::BadRequest(format!("At most {MAX_NODES} ids per request.")).into(),
            );
        }
        Ok(load(ctx, &ids).await?)
    }
}

async fn load(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    let principal = ctx.principal();
    if !principal.is_authenticated() {
        return Err(ApiError::Unauthenticated);
    }
    let decoded: Vec<Option<(NodeType, Uuid)>> = ids.iter().map(|id| ids::decode_any(id)).collect();
    let wanted = |t: NodeType| -> Vec<Uuid> {
        decoded
            .iter()
            .flatten()
            .filter(|(k, _)| *k == t)
            .map(|(_, id)| *id)
            .collect()
    };
    let mut conn = ctx.platform().conn().await?;
    let mut found = Found::default();
    found
        .load(
            &mut conn,
            principal,
            NodeType::Workshop,
            &wanted(NodeType::Workshop),
        )
        .await?;
    found
        .load(
            &mut conn,
            principal,
            NodeType::User,
            &wanted(NodeType::User),
        )
        .await?;
    for kind in [
        NodeType::ApiToken,
        NodeType::ServiceCategory,
        NodeType::Service,
        NodeType::ClientKey,
        NodeType::Conversation,
        NodeType::Lead,
    ] {
        found
            .load(&mut conn, principal, kind, &wanted(kind))
            .await?;
    }
    Ok(decoded
        .into_iter()
        .map(|key| key.and_then(|key| found.take(key)))
        .collect())
}

/// Objects found for one request; `take` hands out copies so repeated ids resolve each time.
#[derive(Default)]
struct Found {
    workshops: Vec<workshop::WorkshopRow>,
    users: Vec<User>,
    api_tokens: Vec<api_tokens::ApiTokenRow>,
    categories: Vec<catalog::CategoryRow>,
    services: Vec<catalog::ServiceRow>,
    client_keys: Vec<keys::ClientKeyRow>,
    conversations: Vec<(Tenant, ConversationRow)>,
    leads: Vec<(Tenant, LeadRow)>,
}

impl Found {
    async fn load(
        &mut self,
        conn: &mut Conn<'_>,
        principal: &Principal,
        kind: NodeType,
        ids: &[Uuid],
    ) -> ApiResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        match kind {
            NodeType::Workshop => {
                let tenant = principal.tenant(None)?;
                if ids.contains(&tenant.workshop_id()) {
                    self.workshops.push(workshop::load(conn, tenant).await?);
                }
            }
            NodeType::User => {
                self.users = user::find(conn, principal.member()?.tenant, ids).await?
            }
            NodeType::ApiToken => {
                self.api_tokens = api_tokens::find(conn, principal.owner()?.tenant, ids).await?
            }
            NodeType::ServiceCategory => {
                let tenant = principal.tenant(Some(ApiScope::CatalogRead))?;
                self.categories =
                    catalog::categories(conn, tenant, Some(ids), MAX_NODES as i64, 0).await?
            }
            NodeType::Service => {
                let tenant = principal.tenant(Some(ApiScope::CatalogRead))?;
                self.services = catalog::services_by_id(conn, tenant, ids).await?
            }
            NodeType::ClientKey => {
                self.client_keys = keys::find(conn, principal.member()?.tenant, ids).await?
            }
            NodeType::Conversation => {
                let tenant = principal.tenant(Some(ApiScope::LeadsRead))?;
                self.conversations = chat::find_conversations(conn, tenant, ids)
                    .await?
                    .into_iter()
                    .map(|row| (tenant, row))
                    .collect()
            }
            NodeType::Lead => {
                let tenant = principal.tenant(Some(ApiScope::LeadsRead))?;
                self.leads = leads::find(conn, tenant, ids)
                    .await?
                    .into_iter()
                    .map(|row| (tenant, row))
                    .collect()
            }
            // Messages and notes are reached through their conversation or lead, invitations
            // through `invitations`, webhooks through `webhookEndpoints`.
            NodeType::Message
            | NodeType::LeadNote
            | NodeType::Invitation
            | NodeType::ConsentVersion
            | NodeType::PrivacyAuditEntry
            | NodeType::WebhookEndpoint
            | NodeType::WebhookDelivery => {}
        }
        Ok(())
    }

    fn take(&self, (kind, id): (NodeType, Uuid)) -> Option<Node> {
        match kind {
            NodeType::Workshop => self
                .workshops
                .iter()
                .find(|w| w.id == id)
                .cloned()
                .map(|w| Node::Workshop(Workshop(w))),
            NodeType::User => self.users.iter().find(|u| u.id == id).map(|u| {
                Node::User(User {
                    id: u.id,
                    email: u.email.clone(),
                    role: u.role,
                })
            }),
            NodeType::ApiToken => self
                .api_tokens
                .iter()
                .find(|t| t.id == id)
                .cloned()
                .map(|t| Node::ApiToken(ApiToken(t))),
            NodeType::ServiceCategory => self.categories.iter().find(|c| c.id == id).map(|c| {
                Node::ServiceCategory(ServiceCategory {
                    id: c.id,
                    name: c.name.clone(),
                    sort_order: c.sort_order,
                })
            }),
            NodeType::Service => self
                .services
                .iter()
                .find(|s| s.id == id)
                .cloned()
                .map(|s| Node::Service(Service(s))),
            NodeType::ClientKey => self
                .client_keys
                .iter()
                .find(|k| k.id == id)
                .cloned()
                .map(|k| Node::ClientKey(ClientKey(k))),
            NodeType::Conversation => self
                .conversations
                .iter()
                .find(|(_, c)| c.id == id)
                .cloned()
                .map(|(tenant, row)| Node::Conversation(Conversation { row, tenant })),
            NodeType::Lead => self
                .leads
                .iter()
                .find(|(_, l)| l.id == id)
                .cloned()
                .map(|(tenant, row)| Node::Lead(Lead { row, tenant })),
            NodeType::Message
            | NodeType::LeadNote
            | NodeType::Invitation
            | NodeType::ConsentVersion
            | NodeType::PrivacyAuditEntry
            | NodeType::WebhookEndpoint
            | NodeType::WebhookDelivery => None,
        }
    }
}
