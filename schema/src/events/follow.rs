//! Following a workshop's events: live from the bus, after replaying stored ones from the table.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::bus::{Envelope, EventBus, RESYNC, TOPIC};
use super::{EventRow, StoredEvent};
use crate::db::Pool;
use crate::db::schema::events;
use crate::error::ApiResult;
use crate::principal::Tenant;

/// At most this many stored events are replayed per read of the table.
const REPLAY_BATCH: i64 = 500;
/// Recently delivered event ids, to drop a live copy of a replayed event.
const REMEMBERED: usize = 2_048;

type Filter = Arc<dyn Fn(&StoredEvent) -> bool + Send + Sync>;

struct Follower {
    live: BoxStream<'static, Envelope>,
    pending: VecDeque<StoredEvent>,
    pool: Pool,
    tenant: Tenant,
    filter: Filter,
    /// Highest stored event id delivered (or the resume point).
    last_id: Option<i64>,
    since: DateTime<Utc>,
    delivered: BTreeSet<i64>,
    catch_up: bool,
}

impl Follower {
    fn remember(&mut self, id: i64) -> bool {
        if !self.delivered.insert(id) {
            return false;
        }
        if self.delivered.len() > REMEMBERED {
            self.delivered.pop_first();
        }
        self.last_id = Some(self.last_id.map_or(id, |last| last.max(id)));
        true
    }

    async fn read_table(&mut self) -> ApiResult<bool> {
        let mut conn = self.pool.get().await?;
        let mut query = self
            .tenant
            .events()
            .select(EventRow::as_select())
            .order(events::id)
            .limit(REPLAY_BATCH)
            .into_boxed();
        query = match self.last_id {
            Some(last) => query.filter(events::id.gt(last)),
            None => query.filter(events::created_at.ge(self.since)),
        };
        let rows: Vec<EventRow> = query.load(&mut conn).await?;
        drop(conn);
        let full = rows.len() as i64 == REPLAY_BATCH;
        for row in rows {
            if !self.remember(row.id) {
                continue;
            }
            if let Some(event) = row.into_stored()
                && (self.filter)(&event)
            {
                self.pending.push_back(event);
            }
        }
        Ok(full)
    }
}

/// The tenant's events that pass `filter`, live, after replaying stored ones after `after`
/// (`Some(0)` replays from the start, `None` only what happens from now on).
pub fn follow(
    pool: Pool,
    bus: &dyn EventBus,
    tenant: Tenant,
    after: Option<i64>,
    filter: impl Fn(&StoredEvent) -> bool + Send + Sync + 'static,
) -> BoxStream<'static, StoredEvent> {
    // Subscribe before reading the table, so that nothing falls between the two.
    let follower = Follower {
        live: bus.subscribe(tenant, TOPIC),
        pending: VecDeque::new(),
        pool,
        tenant,
        filter: Arc::new(filter),
        last_id: after,
        since: Utc::now(),
        delivered: BTreeSet::new(),
        catch_up: after.is_some(),
    };
    futures_util::stream::unfold(follower, |mut f| async move {
        loop {
            if let Some(event) = f.pending.pop_front() {
                return Some((event, f));
            }
            if f.catch_up {
                match f.read_table().await {
                    Ok(more) => f.catch_up = more,
                    Err(_) => {
                        // The database is away: try again on the next live event.
                        f.catch_up = false;
                    }
                }
                continue;
            }
            let event = f.live.next().await?;
            if event.topic == RESYNC {
                f.catch_up = true;
                continue;
            }
            let Some(stored) = event.event().cloned() else {
                continue;
            };
            if let Some(id) = stored.id
                && !f.remember(id)
            {
                continue;
            }
            if (f.filter)(&stored) {
                return Some((stored, f));
            }
        }
    })
    .boxed()
}
