//! Accounts: workshops and their locations, users, sessions, teams, e-mail confirmation,
//! passwords and integrators' API tokens.

pub mod api_tokens;
pub mod email;
pub(crate) mod links;
pub mod locations;
pub mod notifications;
pub mod password;
pub mod session;
pub mod team;
pub mod user;
pub(crate) mod validate;
pub mod workshop;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct AccountsQuery(
    session::SessionQuery,
    workshop::WorkshopQuery,
    api_tokens::ApiTokenQuery,
    team::TeamQuery,
);

#[derive(MergedObject, Default)]
pub struct AccountsMutation(
    session::SessionMutation,
    workshop::WorkshopMutation,
    api_tokens::ApiTokenMutation,
    email::EmailMutation,
    password::PasswordMutation,
    team::TeamMutation,
    locations::LocationMutation,
    notifications::NotificationMutation,
);
