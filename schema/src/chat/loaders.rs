//! DataLoaders for nested fields (a lead's services, conversation, messages and notes): one
//! statement per kind and request, however many leads a page holds.
//!
//! Keys carry the [`Tenant`], so a batch can only ever read the caller's workshop.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::auth::Tenant;
use crate::catalog::{ServiceRow, services_by_id};
use crate::chat::{ConversationRow, MessageRow, find_conversations};
use crate::db::Pool;
use crate::db::schema::lead_notes;
use crate::leads::NoteRow;

/// Messages per conversation a nested `messages` field can show without paging.
pub const NESTED_MESSAGES: i64 = 101;

type Key = (Tenant, Uuid);

fn by_tenant(keys: &[Key]) -> HashMap<Tenant, Vec<Uuid>> {
    let mut groups: HashMap<Tenant, Vec<Uuid>> = HashMap::new();
    for (tenant, id) in keys {
        groups.entry(*tenant).or_default().push(*id);
    }
    groups
}

fn failed(error: impl Into<async_graphql::Error>) -> async_graphql::Error {
    error.into()
}

pub struct ServiceLoader(Pool);
pub struct ConversationLoader(Pool);
pub struct MessageLoader(Pool);
pub struct NoteLoader(Pool);

impl Loader<Key> for ServiceLoader {
    type Value = ServiceRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, ServiceRow>, Self::Error> {
        let mut conn = self
            .0
            .get()
            .await
            .map_err(|e| failed(crate::error::ApiError::from(e)))?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for row in services_by_id(&mut conn, tenant, &ids).await? {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}

impl Loader<Key> for ConversationLoader {
    type Value = ConversationRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, ConversationRow>, Self::Error> {
        let mut conn = self
            .0
            .get()
            .await
            .map_err(|e| failed(crate::error::ApiError::from(e)))?;
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for row in find_conversations(&mut conn, tenant, &ids).await? {
                found.insert((tenant, row.id), row);
            }
        }
        Ok(found)
    }
}

impl Loader<Key> for MessageLoader {
    type Value = Vec<MessageRow>;
    type Error = async_graphql::Error;

    /// The first [`NESTED_MESSAGES`] messages of each conversation, oldest first.
    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, Vec<MessageRow>>, Self::Error> {
        let mut conn = self
            .0
            .get()
            .await
            .map_err(|e| failed(crate::error::ApiError::from(e)))?;
        let mut found: HashMap<Key, Vec<MessageRow>> = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            let rows: Vec<MessageRow> = diesel::sql_query(
                "SELECT id, conversation_id, role, body, cited_service_ids, offer_lead_form, created_at
                 FROM (SELECT m.*, row_number() OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS n
                       FROM messages m WHERE m.workshop_id = $1 AND m.conversation_id = ANY($2)) ranked
                 WHERE n <= $3 ORDER BY conversation_id, created_at, id",
            )
            .bind::<SqlUuid, _>(tenant.workshop_id())
            .bind::<Array<SqlUuid>, _>(&ids)
            .bind::<BigInt, _>(NESTED_MESSAGES)
            .load(&mut conn)
            .await
            .map_err(|e| failed(crate::error::ApiError::from(e)))?;
            for id in ids {
                found.entry((tenant, id)).or_default();
            }
            for message in rows {
                found
                    .entry((tenant, message.conversation_id))
                    .or_default()
                    .push(message);
            }
        }
        Ok(found)
    }
}

impl Loader<Key> for NoteLoader {
    type Value = Vec<NoteRow>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key]) -> Result<HashMap<Key, Vec<NoteRow>>, Self::Error> {
        let mut conn = self
            .0
            .get()
            .await
            .map_err(|e| failed(crate::error::ApiError::from(e)))?;
        let mut found: HashMap<Key, Vec<NoteRow>> = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            let rows: Vec<NoteRow> = lead_notes::table
                .filter(lead_notes::workshop_id.eq(tenant.workshop_id()))
                .filter(lead_notes::lead_id.eq_any(&ids))
                .select(NoteRow::as_select())
                .order((lead_notes::created_at, lead_notes::id))
                .load(&mut conn)
                .await
                .map_err(|e| failed(crate::error::ApiError::from(e)))?;
            for id in ids {
                found.entry((tenant, id)).or_default();
            }
            for row in rows {
                found.entry((tenant, row.lead_id)).or_default().push(row);
            }
        }
        Ok(found)
    }
}

/// The loaders, shared by all requests of a schema; they batch, they do not cache.
pub struct Loaders {
    pub services: DataLoader<ServiceLoader>,
    pub conversations: DataLoader<ConversationLoader>,
    pub messages: DataLoader<MessageLoader>,
    pub notes: DataLoader<NoteLoader>,
}

/// How long a loader collects keys before it queries. A page of 100 leads takes longer than
/// the default 1 ms to resolve, which split batches in two; 5 ms keeps one statement per kind.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

impl Loaders {
    pub fn new(pool: &Pool) -> Self {
        Self {
            services: DataLoader::new(ServiceLoader(pool.clone()), tokio::spawn).delay(BATCH_DELAY),
            conversations: DataLoader::new(ConversationLoader(pool.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            messages: DataLoader::new(MessageLoader(pool.clone()), tokio::spawn).delay(BATCH_DELAY),
            notes: DataLoader::new(NoteLoader(pool.clone()), tokio::spawn).delay(BATCH_DELAY),
        }
    }
}
