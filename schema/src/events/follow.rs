//! Following a workshop's events: live from the bus, after replaying stored ones from the table.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

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

/// Where the follower of a shared subscription stands: the id of the last stored event it
/// handed on. The WebSocket layer runs one follower for subscribers asking the same thing
/// (`api/src/multiplex.rs`) and reads this after each response, so that a subscriber that falls
/// behind the shared stream can resume after the last event it got.
#[derive(Clone, Debug, Default)]
pub struct Position(Arc<AtomicI64>);

impl Position {
    /// The last stored event handed on, if any.
    pub fn get(&self) -> Option<i64> {
        Some(AtomicI64::load(&self.0, Ordering::Acquire)).filter(|id| *id > 0)
    }

    /// Records that the stored event `id` was handed on.
    pub fn advance(&self, id: i64) {
        self.0.fetch_max(id, Ordering::AcqRel);
    }
}

/// In a request's data: resume a subscription that asked for no replay from the table, after
/// `after` (or, without one, from `since`): for a subscriber that fell behind a shared stream.
#[derive(Clone, Copy, Debug)]
pub struct Resume {
    pub after: Option<i64>,
    pub since: DateTime<Utc>,
}

/// Where a follower starts: the subscription's `after`, or a [`Resume`] and a [`Position`]
/// from the request's data.
pub struct Following {
    after: Option<i64>,
    since: DateTime<Utc>,
    catch_up: bool,
    position: Option<Position>,
}

impl Following {
    /// `after` is the subscription's argument (`Some(0)` replays from the start, `None` only
    /// what happens from now on, unless the request's data holds a [`Resume`]).
    pub fn of(ctx: &async_graphql::Context<'_>, after: Option<i64>) -> Self {
        let position = ctx.data_opt::<Position>().cloned();
        match (after, ctx.data_opt::<Resume>()) {
            (None, Some(resume)) => Self {
                after: resume.after,
                since: resume.since,
                catch_up: true,
                position,
            },
            _ => Self::after(after, position),
        }
    }

    fn after(after: Option<i64>, position: Option<Position>) -> Self {
        Self {
            after,
            since: Utc::now(),
            catch_up: after.is_some(),
            position,
        }
    }
}

impl From<Option<i64>> for Following {
    fn from(after: Option<i64>) -> Self {
        Self::after(after, None)
    }
}

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
    position: Option<Position>,
}

impl Follower {
    fn handed_on(&self, event: &StoredEvent) {
        if let (Some(position), Some(id)) = (&self.position, event.id) {
            position.advance(id);
        }
    }

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

/// The tenant's events that pass `filter`, live, after replaying stored ones as `from` says.
pub fn follow(
    pool: Pool,
    bus: &dyn EventBus,
    tenant: Tenant,
    from: impl Into<Following>,
    filter: impl Fn(&StoredEvent) -> bool + Send + Sync + 'static,
) -> BoxStream<'static, StoredEvent> {
    let from = from.into();
    // Subscribe before reading the table, so that nothing falls between the two.
    let follower = Follower {
        live: bus.subscribe(tenant, TOPIC),
        pending: VecDeque::new(),
        pool,
        tenant,
        filter: Arc::new(filter),
        last_id: from.after,
        since: from.since,
        delivered: BTreeSet::new(),
        catch_up: from.catch_up,
        position: from.position,
    };
    futures_util::stream::unfold(follower, |mut f| async move {
        loop {
            if let Some(event) = f.pending.pop_front() {
                f.handed_on(&event);
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
                f.handed_on(&stored);
                return Some((stored, f));
            }
        }
    })
    .boxed()
}
