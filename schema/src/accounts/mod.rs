//! Accounts: workshops, users, sessions and integrators' API tokens.

pub mod api_tokens;
pub mod session;
pub mod user;
pub(crate) mod validate;
pub mod workshop;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct AccountsQuery(
    session::SessionQuery,
    workshop::WorkshopQuery,
    api_tokens::ApiTokenQuery,
);

#[derive(MergedObject, Default)]
pub struct AccountsMutation(
    session::SessionMutation,
    workshop::WorkshopMutation,
    api_tokens::ApiTokenMutation,
);
