//! Users as other members of the workshop see them.

use async_graphql::{ID, Object};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::{Role, Tenant};
use crate::db::Conn;
use crate::db::schema::{memberships, users};
use crate::error::ApiResult;
use crate::ids::{self, NodeType};

pub struct User {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::User, self.id)
    }
    async fn email(&self) -> &str {
        &self.email
    }
    /// The user's role in the caller's workshop.
    async fn role(&self) -> Role {
        self.role
    }
}

/// Members of the tenant's workshop among `ids`.
pub async fn find(conn: &mut Conn<'_>, tenant: Tenant, ids: &[Uuid]) -> ApiResult<Vec<User>> {
    let rows: Vec<(Uuid, String, String, bool)> = tenant
        .memberships()
        .inner_join(users::table)
        .filter(memberships::user_id.eq_any(ids))
        .select((
            users::id,
            users::email,
            memberships::role,
            users::is_platform_admin,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, role, admin)| User {
            id,
            email,
            role: Role::from_membership(&role, admin),
        })
        .collect())
}
