//! What the DataLoaders of nested fields share: keys that carry the [`Tenant`] (so a batch can
//! only ever read the caller's workshop), grouping a batch by tenant, and the batching delay.
//! The loaders themselves live with their domains (`catalog`, `chat`, `leads`); resolvers reach
//! them with `ctx.loader::<L>()` (`crate::context::Ctx`).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::principal::Tenant;

/// A loader key: a row of the tenant's workshop.
pub type Key = (Tenant, Uuid);

/// The ids of a batch, by tenant.
pub fn by_tenant(keys: &[Key]) -> HashMap<Tenant, Vec<Uuid>> {
    let mut groups: HashMap<Tenant, Vec<Uuid>> = HashMap::new();
    for (tenant, id) in keys {
        groups.entry(*tenant).or_default().push(*id);
    }
    groups
}

/// How long a loader collects keys before it queries. A page of 100 leads takes longer than
/// the default 1 ms to resolve, which split batches in two; 5 ms keeps one statement per kind.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

/// A loader shared by all requests of a schema; it batches, it does not cache.
pub fn batched<L: Loader<Key>>(loader: L) -> Arc<DataLoader<L>> {
    Arc::new(DataLoader::new(loader, tokio::spawn).delay(BATCH_DELAY))
}
