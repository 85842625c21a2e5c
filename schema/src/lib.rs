//! CarBot's GraphQL schema and the domain behind it. No HTTP in here: the `carbot` binary
//! authenticates requests and hands this crate a [`auth::Principal`].
//!
//! Modules depend downwards only (checked by `tests/tests/modules.rs`). From the bottom:
//! shared infrastructure (`error`, `ids`, `money`, `db`, `principal`, `pagination`, `limits`,
//! `loaders`, `events`, `facts` (analytics facts), `redis_backend`, `context`), then the domains `plans` (what each plan
//! allows), `auth`, `mail` (the outbox), `catalog`, `accounts` (registering a workshop installs
//! the standard catalog), `chat`, `leads`, `billing` (Stripe: it pauses keys and counts leads),
//! `privacy` (export, erasure and retention reach into chats, leads and e-mails), `analytics`
//! (reads the facts of every domain), `webhooks` (endpoints and delivery of the events for
//! integrators), and at the top
//! what spans them all (`node`, `guard`, this file).

// Shared infrastructure.
pub mod budget;
pub mod context;
pub mod db;
pub mod error;
pub mod events;
pub mod facts;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod locale;
pub mod money;
pub mod pagination;
pub mod plans;
pub mod principal;
pub mod redis_backend;
pub mod trusted;
// Domains (their order is in the comment above).
pub mod accounts;
pub mod analytics;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod chat;
pub mod leads;
pub mod mail;
pub mod privacy;
pub mod webhooks;
// Across domains.
pub mod guard;
pub mod node;

use std::sync::Arc;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

pub use auth::{Authenticator, Principal};
pub use context::ClientIp;

/// The services the schema runs on; cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    pub pool: db::Pool,
    pub auth: Authenticator,
    pub limiter: Arc<dyn limits::RateLimiter>,
    pub events: Arc<dyn events::EventBus>,
    pub assistant: chat::reply::AssistantSetup,
    pub mailer: mail::Mailer,
    pub billing: billing::BillingSetup,
    pub webhooks: webhooks::WebhookSetup,
    /// Widget visitors, and anonymous callers of the widget's fields, run only the widget's
    /// documents ([`trusted`]); off only for development and tests.
    pub trusted_documents_only: bool,
}

#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountsQuery,
    analytics::AnalyticsQuery,
    billing::BillingQuery,
    catalog::CatalogQuery,
    chat::ChatQuery,
    leads::LeadsQuery,
    node::NodeQuery,
    privacy::PrivacyQuery,
    webhooks::WebhookQuery,
    webhooks::replay::ReplayQuery,
    trusted::WidgetScriptQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountsMutation,
    billing::BillingMutation,
    catalog::CatalogMutation,
    chat::ChatMutation,
    leads::LeadsMutation,
    privacy::PrivacyMutation,
    webhooks::WebhookMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    chat::subscriptions::ChatSubscription,
    leads::subscriptions::LeadSubscription,
);

pub type CarbotSchema = Schema<Query, Mutation, Subscription>;

/// Limits every document must respect; documented in the README.
pub mod request_limits {
    /// Nesting of selection sets.
    pub const MAX_DEPTH: usize = 15;
    /// Sum of field costs; a connection costs `first` × its selection.
    pub const MAX_COMPLEXITY: usize = 5_000;
    /// Aliased fields in one document.
    pub const MAX_ALIASES: usize = 30;
    /// Directives on one field.
    pub const MAX_DIRECTIVES: usize = 5;
    /// Request body, in bytes.
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;
    pub const MAX_PAGE_SIZE: i32 = crate::pagination::MAX_PAGE_SIZE;
}

fn builder(
    documents: &guard::DocumentCache,
    trusted_documents_only: bool,
) -> SchemaBuilder<Query, Mutation, Subscription> {
    use request_limits::*;
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(MAX_DIRECTIVES)
    // Outside the document cache, so that it sees every document, cached or not.
    .extension(trusted::TrustedDocumentCheck {
        enforce: trusted_documents_only,
    })
    .extension(guard::DocumentGuard(documents.clone()))
    .extension(budget::CostBudgets)
}

/// The schema in two configurations: callers who are signed in (or hold an API token) may
/// introspect and get field suggestions; anonymous callers get neither.
#[derive(Clone)]
pub struct Schemas {
    pub authenticated: CarbotSchema,
    pub anonymous: CarbotSchema,
    documents: guard::DocumentCache,
}

impl Schemas {
    pub fn new(services: Services) -> Self {
        let documents = guard::DocumentCache::new(request_limits::MAX_ALIASES);
        let pool = &services.pool;
        let platform = context::Platform {
            pool: pool.clone(),
            events: services.events.clone(),
            limiter: services.limiter.clone(),
        };
        // One set of loaders for both schemas: they batch across concurrent requests.
        let service_loader = loaders::batched(catalog::ServiceLoader(pool.clone()));
        let conversation_loader = loaders::batched(chat::ConversationLoader(pool.clone()));
        let message_loader = loaders::batched(chat::MessageLoader(pool.clone()));
        let note_loader = loaders::batched(leads::NoteLoader(pool.clone()));
        let message_by_id_loader = loaders::batched(chat::MessageByIdLoader(pool.clone()));
        let lead_loader = loaders::batched(leads::LeadLoader(pool.clone()));
        let with_services = |builder: SchemaBuilder<Query, Mutation, Subscription>| {
            builder
                .data(platform.clone())
                .data(services.auth.clone())
                .data(services.assistant.clone())
                .data(services.mailer.clone())
                .data(services.billing.clone())
                .data(services.webhooks)
                .data(service_loader.clone())
                .data(conversation_loader.clone())
                .data(message_loader.clone())
                .data(note_loader.clone())
                .data(message_by_id_loader.clone())
                .data(lead_loader.clone())
        };
        Self {
            authenticated: with_services(builder(&documents, services.trusted_documents_only))
                .finish(),
            anonymous: with_services(builder(&documents, services.trusted_documents_only))
                .disable_introspection()
                .disable_suggestions()
                .finish(),
            documents,
        }
    }

    /// The type of the operation a request would run; `None` when the document is invalid.
    pub fn operation_type(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Option<async_graphql::parser::types::OperationType> {
        self.documents.operation_type(query, operation_name)
    }

    pub fn for_principal(&self, principal: &Principal) -> &CarbotSchema {
        if principal.may_introspect() {
            &self.authenticated
        } else {
            &self.anonymous
        }
    }
}

/// The SDL published at `graphql/schema.graphql`.
pub fn sdl() -> String {
    builder(
        &guard::DocumentCache::new(request_limits::MAX_ALIASES),
        true,
    )
    .finish()
    .sdl()
}
