//! API tokens for integrators: created by the owner, shown once, stored as a hash.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::tokens::{API_TOKEN_PREFIX, new_secret};
use crate::auth::{ApiScope, Tenant};
use crate::budget::{self, ThrottleStatus};
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::api_tokens;
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
use crate::pagination::{Page, PageInfo, edges};
use crate::plans::{Entitlements, Feature};

const MAX_NAME: usize = 80;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub token_prefix: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An integrator's credential. The secret itself is never readable after creation.
pub struct ApiToken(pub ApiTokenRow);

#[Object]
impl ApiToken {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ApiToken, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn scopes(&self) -> Vec<ApiScope> {
        self.0
            .scopes
            .iter()
            .filter_map(|s| ApiScope::parse(s))
            .collect()
    }
    /// The first characters of the secret, to tell tokens apart.
    async fn prefix(&self) -> &str {
        &self.0.token_prefix
    }
    /// True while the token is neither revoked nor expired.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|at| at > Utc::now())
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Where the token's query-cost budget stands now: what its next call's
    /// `extensions.cost.throttleStatus` would start from (the tighter of its own bucket and the
    /// workshop's); `null` while the plan leaves API access out.
    async fn cost_budget(&self, ctx: &Context<'_>) -> ApiResult<Option<ThrottleStatus>> {
        let tenant = ctx.principal().owner()?.tenant;
        let entitlements = {
            let mut conn = ctx.platform().conn().await?;
            Entitlements::load(&mut conn, tenant).await?
        };
        let Some(size) = entitlements
            .plan
            .limits
            .api_cost_budget
            .filter(|_| entitlements.allows(Feature::ApiAccess))
        else {
            return Ok(None);
        };
        let buckets = budget::token_buckets(self.0.id, tenant.workshop_id(), size);
        let drawn = ctx.platform().limiter.draw(&buckets, 0).await;
        Ok(budget::throttle_status(&buckets, &drawn.levels))
    }
}

#[derive(SimpleObject)]
pub struct ApiTokenEdge {
    pub cursor: String,
    pub node: ApiToken,
}

#[derive(SimpleObject)]
pub struct ApiTokenConnection {
    pub edges: Vec<ApiTokenEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

pub async fn find(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<ApiTokenRow>> {
    Ok(tenant
        .api_tokens()
        .filter(api_tokens::id.eq_any(ids))
        .select(ApiTokenRow::as_select())
        .load(conn)
        .await?)
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    pub name: String,
    pub scopes: Vec<ApiScope>,
    /// Optional; the token stops working at this time.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    pub api_token: Option<ApiToken>,
    /// The `cbt_…` secret. Shown this once; store it safely.
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RevokeApiTokenPayload {
    pub api_token: Option<ApiToken>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The workshop's API tokens, newest first (owner only).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ApiTokenConnection> {
        let tenant = ctx.principal().owner()?.tenant;
        let page = Page::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let mut query = tenant
            .api_tokens()
            .select(ApiTokenRow::as_select())
            .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
            .limit(page.limit())
            .into_boxed();
        if let Some((at, id)) = page.after {
            query = query.filter(
                api_tokens::created_at
                    .lt(at)
                    .or(api_tokens::created_at.eq(at).and(api_tokens::id.lt(id))),
            );
        }
        let rows = query.load(&mut conn).await?;
        let total_count = tenant.api_tokens().count().get_result(&mut conn).await?;
        let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
        Ok(ApiTokenConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| ApiTokenEdge {
                    cursor,
                    node: ApiToken(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }
}

#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> ApiResult<CreateApiTokenPayload> {
        let owner = ctx.principal().owner()?;
        let mut conn = ctx.platform().conn().await?;
        Entitlements::load(&mut conn, owner.tenant)
            .await?
            .require(Feature::ApiAccess)?;
        let mut errors = UserErrors::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            errors.push(
                &["name"],
                UserErrorCode::Required,
                "Bitte geben Sie dem Token einen Namen.",
            );
        } else if name.chars().count() > MAX_NAME {
            errors.push(
                &["name"],
                UserErrorCode::TooLong,
                format!("Höchstens {MAX_NAME} Zeichen."),
            );
        }
        let mut scopes: Vec<&str> = input.scopes.iter().map(|s| s.as_str()).collect();
        scopes.sort_unstable();
        scopes.dedup();
        if scopes.is_empty() {
            errors.push(
                &["scopes"],
                UserErrorCode::Required,
                "Mindestens eine Berechtigung wählen.",
            );
        }
        if input.expires_at.is_some_and(|at| at <= Utc::now()) {
            errors.push(
                &["expiresAt"],
                UserErrorCode::InPast,
                "Das Ablaufdatum muss in der Zukunft liegen.",
            );
        }
        if !errors.is_empty() {
            return Ok(CreateApiTokenPayload {
                api_token: None,
                secret: None,
                user_errors: errors.into_vec(),
            });
        }

        let secret = new_secret(API_TOKEN_PREFIX);
        let row = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::id.eq(Uuid::now_v7()),
                api_tokens::workshop_id.eq(owner.tenant.workshop_id()),
                api_tokens::name.eq(name),
                api_tokens::scopes.eq(scopes),
                api_tokens::token_hash.eq(&secret.hash),
                api_tokens::token_prefix.eq(&secret.plain[..12]),
                api_tokens::created_by.eq(owner.user_id),
                api_tokens::expires_at.eq(input.expires_at),
            ))
            .returning(ApiTokenRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(CreateApiTokenPayload {
            api_token: Some(ApiToken(row)),
            secret: Some(secret.plain),
            user_errors: vec![],
        })
    }

    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiTokenInput,
    ) -> ApiResult<RevokeApiTokenPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let not_found = || RevokeApiTokenPayload {
            api_token: None,
            user_errors: vec![UserError::new(
                &["id"],
                UserErrorCode::NotFound,
                "Dieses Token gibt es nicht.",
            )],
        };
        let Some(id) = ids::decode(NodeType::ApiToken, &input.id) else {
            return Ok(not_found());
        };
        let mut conn = ctx.platform().conn().await?;
        // Revoking twice keeps the first revocation time (raw SQL: the DSL has no `coalesce`).
        let row = diesel::update(tenant.api_tokens().filter(api_tokens::id.eq(id)))
            .set(api_tokens::revoked_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(revoked_at, now())")))
            .returning(ApiTokenRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional()?;
        drop(conn);
        if row.is_some() {
            ctx.platform().access_changed(tenant).await;
        }
        Ok(match row {
            Some(row) => RevokeApiTokenPayload {
                api_token: Some(ApiToken(row)),
                user_errors: vec![],
            },
            None => not_found(),
        })
    }
}
