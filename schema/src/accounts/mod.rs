//! Accounts: workshops, users, sessions and integrators' API tokens.

pub mod api_tokens;
pub mod session;
pub mod user;
pub(crate) mod validate;
pub mod workshop;

use async_graphql::{Context, Object};

use crate::Services;
use crate::auth::principal;
use api_tokens::{
    ApiTokenConnection, CreateApiTokenInput, CreateApiTokenPayload, RevokeApiTokenInput,
    RevokeApiTokenPayload,
};
use session::{
    LoginInput, LogoutPayload, RefreshSessionInput, RegisterInput, SessionPayload, Viewer,
};
use workshop::{UpdateWorkshopInput, UpdateWorkshopPayload, Workshop};

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user, their role and their workshop.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        Ok(session::viewer(ctx).await?)
    }

    /// The caller's workshop (for users and API tokens alike).
    async fn workshop(&self, ctx: &Context<'_>) -> async_graphql::Result<Workshop> {
        let tenant = principal(ctx).tenant(None)?;
        let mut conn = ctx.data_unchecked::<Services>().pool.get().await?;
        Ok(Workshop(workshop::load(&mut conn, tenant).await?))
    }

    /// The workshop's API tokens, newest first (owner only).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ApiTokenConnection> {
        Ok(api_tokens::list(ctx, first, after).await?)
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates a workshop and its owner, starts the 14-day Premium trial and signs in.
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> async_graphql::Result<SessionPayload> {
        Ok(session::register(ctx, input).await?)
    }

    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<SessionPayload> {
        Ok(session::login(ctx, input).await?)
    }

    /// Exchanges a refresh token for a new session pair; each refresh token works once.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> async_graphql::Result<SessionPayload> {
        Ok(session::refresh(ctx, input).await?)
    }

    /// Ends the current session at once.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<LogoutPayload> {
        Ok(session::logout(ctx).await?)
    }

    async fn update_workshop(
        &self,
        ctx: &Context<'_>,
        input: UpdateWorkshopInput,
    ) -> async_graphql::Result<UpdateWorkshopPayload> {
        Ok(workshop::update(ctx, input).await?)
    }

    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> async_graphql::Result<CreateApiTokenPayload> {
        Ok(api_tokens::create(ctx, input).await?)
    }

    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiTokenInput,
    ) -> async_graphql::Result<RevokeApiTokenPayload> {
        Ok(api_tokens::revoke(ctx, input).await?)
    }
}
