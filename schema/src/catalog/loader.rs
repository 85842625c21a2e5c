//! Services by id for nested fields (a lead's services, a message's citations).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use super::{ServiceRow, services_by_id};
use crate::db::Pool;
use crate::error::ApiError;
use crate::loaders::{Key, by_tenant};

pub struct ServiceLoader(pub Pool);

impl Loader<Key> for ServiceLoader {
    type Value = ServiceRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, ServiceRow>, Self::Error> {
        let mut conn = self.0.get().await.map_err(ApiError::from)?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for row in services_by_id(&mut conn, tenant, &ids).await? {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}
