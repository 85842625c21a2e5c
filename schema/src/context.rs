//! What a resolver may ask of its request, through one typed accessor ([`Ctx`]): the caller,
//! the platform's services, the DataLoaders and the facts of the transport (client address,
//! `Origin`). The transport puts the request facts in; the schema puts the services in.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use uuid::Uuid;

use crate::db::{Conn, Pool};
use crate::error::ApiResult;
use crate::events::{Event, EventBus, StoredEvent};
use crate::limits::RateLimiter;
use crate::principal::{Principal, Tenant};

/// The shared infrastructure every domain uses: the database, the event bus, the rate limiter.
#[derive(Clone, Debug)]
pub struct Platform {
    pub pool: Pool,
    pub events: Arc<dyn EventBus>,
    pub limiter: Arc<dyn RateLimiter>,
}

impl Platform {
    pub async fn conn(&self) -> ApiResult<Conn<'_>> {
        Ok(self.pool.get().await?)
    }

    /// Counts one hit of `key`; `RATE_LIMITED` once it goes over `limit` per `window`.
    pub async fn limit(&self, key: &str, limit: u32, window: Duration) -> ApiResult<()> {
        crate::limits::hit(self.limiter.as_ref(), key, limit, window).await
    }

    /// Runs a change in a transaction, stores its events, commits, then publishes them
    /// ([`crate::events::commit`]).
    pub async fn commit<T>(
        &self,
        conn: Conn<'_>,
        tenant: Tenant,
        change: impl AsyncFnOnce(&mut diesel_async::AsyncPgConnection) -> ApiResult<(T, Vec<Event>)>,
    ) -> ApiResult<T> {
        crate::events::commit(self.events.as_ref(), conn, tenant, change).await
    }

    /// Tells every process's open WebSockets of the tenant's workshop to authenticate again
    /// (call it after the change that revoked access committed).
    pub async fn access_changed(&self, tenant: Tenant) {
        crate::events::access_changed(self.events.as_ref(), tenant.workshop_id()).await;
    }

    /// Publishes events a statement stored that committed by itself
    /// ([`crate::events::PendingEvent::stored`]).
    pub async fn publish(&self, stored: crate::events::Stored) {
        stored.publish(self.events.as_ref()).await;
    }

    /// Publishes an event about a conversation that is not stored (a reply being written).
    pub async fn publish_passing(&self, tenant: Tenant, conversation_id: Uuid, event: Event) {
        let passing = StoredEvent::passing(tenant, Some(conversation_id), event);
        crate::events::publish(self.events.as_ref(), &[passing]).await;
    }
}

/// The client address of the request, for per-address limits.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// The `Origin` header of the HTTP request or WebSocket handshake, if the browser sent one.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin(pub Option<String>);

static NO_ORIGIN: RequestOrigin = RequestOrigin(None);

/// Typed access to the request's context.
pub trait Ctx {
    /// The caller (anonymous when the transport authenticated nobody).
    fn principal(&self) -> &Principal;
    fn platform(&self) -> &Platform;
    /// A DataLoader the schema registered (`crate::loaders::batched`).
    fn loader<L: Send + Sync + 'static>(&self) -> &DataLoader<L>;
    /// A loader to keep beyond the resolver (a subscription's stream loads what events name).
    fn shared_loader<L: Send + Sync + 'static>(&self) -> Arc<DataLoader<L>>;
    /// A service the schema registered besides the platform (the authenticator, the assistant).
    fn service<T: Send + Sync + 'static>(&self) -> &T;
    fn client_ip(&self) -> Option<IpAddr>;
    fn origin(&self) -> &RequestOrigin;
}

impl Ctx for Context<'_> {
    fn principal(&self) -> &Principal {
        self.data_opt::<Principal>()
            .unwrap_or(&Principal::Anonymous)
    }

    fn platform(&self) -> &Platform {
        self.data_unchecked::<Platform>()
    }

    fn loader<L: Send + Sync + 'static>(&self) -> &DataLoader<L> {
        self.data_unchecked::<Arc<DataLoader<L>>>()
    }

    fn shared_loader<L: Send + Sync + 'static>(&self) -> Arc<DataLoader<L>> {
        self.data_unchecked::<Arc<DataLoader<L>>>().clone()
    }

    fn service<T: Send + Sync + 'static>(&self) -> &T {
        self.data_unchecked::<T>()
    }

    fn client_ip(&self) -> Option<IpAddr> {
        self.data_opt::<ClientIp>().map(|ip| ip.0)
    }

    fn origin(&self) -> &RequestOrigin {
        self.data_opt::<RequestOrigin>().unwrap_or(&NO_ORIGIN)
    }
}
