//! The retention job: once a day per workshop (after its local midnight), erase what the
//! workshop's settings say it no longer keeps: conversations that led to no request, closed
//! requests, and stored events past the replay window. It runs in every `carbot serve`; an
//! advisory lock lets one process at a time work, and each workshop is claimed with
//! `FOR UPDATE SKIP LOCKED`, so many processes on one database do each day's work once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::audit::{self, Actor, PrivacyAction};
use super::erase::{Erased, erase};
use super::subject::Subject;
use crate::db::Pool;
use crate::db::schema::privacy_settings;
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventBus, Stored};
use crate::principal::tenant_of_background_job;

/// The advisory lock key of the job ("retention" as a number).
const LOCK: i64 = 0x5245_5445_4e54;
/// Records erased per workshop and run; a larger backlog continues in the next round.
const BATCH: i64 = 5_000;

/// What one run did for one workshop.
#[derive(Serialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetentionRun {
    #[serde(flatten)]
    pub erased: Erased,
    /// Stored events deleted.
    pub events: i32,
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    time_zone: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    conversation_days: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    closed_lead_days: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    event_days: i32,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Midnight at the start of `day` in `zone`, as a point in time (the earliest, around a
/// daylight-saving change).
fn midnight(zone: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let start = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&start)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        // A zone that skips midnight (none of Europe's does): the hour after.
        .unwrap_or_else(|| start.and_utc())
}

/// The start of the local day `days` days before `today`.
fn days_before(zone: chrono_tz::Tz, today: NaiveDate, days: i32) -> DateTime<Utc> {
    let day = today
        .checked_sub_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(NaiveDate::MIN);
    midnight(zone, day)
}

/// Handles the next due workshop at `now`; `None` when none is due or another process runs the
/// job. The erasure's events are stored with it, to be published once it committed.
async fn next(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> ApiResult<Option<(RetentionRun, Stored)>> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            locked: bool,
        }
        let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
            .bind::<BigInt, _>(LOCK)
            .get_result(conn)
            .await?;
        if !lock.locked {
            return Ok(None);
        }
        let due: Option<Due> = diesel::sql_query(
            "SELECT w.id, w.time_zone, p.conversation_days, p.closed_lead_days, p.event_days
             FROM privacy_settings p JOIN workshops w ON w.id = p.workshop_id
             WHERE p.due_at IS NULL OR p.due_at <= $1
             ORDER BY p.due_at NULLS FIRST LIMIT 1 FOR UPDATE OF p SKIP LOCKED",
        )
        .bind::<Timestamptz, _>(now)
        .get_result(conn)
        .await
        .optional()?;
        let Some(due) = due else {
            return Ok(None);
        };
        let tenant = tenant_of_background_job(due.id);
        let zone: chrono_tz::Tz = due.time_zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
        let today = now.with_timezone(&zone).date_naive();
        let conversations: Vec<Id> = diesel::sql_query(
            "SELECT c.id FROM conversations c
             WHERE c.workshop_id = $1 AND c.erased_at IS NULL
               AND coalesce(c.last_message_at, c.created_at) < $2
               AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.conversation_id = c.id)
             ORDER BY c.created_at LIMIT $3",
        )
        .bind::<SqlUuid, _>(due.id)
        .bind::<Timestamptz, _>(days_before(zone, today, due.conversation_days))
        .bind::<BigInt, _>(BATCH)
        .load(conn)
        .await?;
        let leads: Vec<Id> = diesel::sql_query(
            "SELECT id FROM leads
             WHERE workshop_id = $1 AND erased_at IS NULL AND status IN ('WON', 'LOST')
               AND updated_at < $2
             ORDER BY updated_at LIMIT $3",
        )
        .bind::<SqlUuid, _>(due.id)
        .bind::<Timestamptz, _>(days_before(zone, today, due.closed_lead_days))
        .bind::<BigInt, _>(BATCH)
        .load(conn)
        .await?;
        let full = conversations.len() as i64 == BATCH || leads.len() as i64 == BATCH;
        let subject = Subject {
            leads: leads.into_iter().map(|l| l.id).collect(),
            conversations: conversations.into_iter().map(|c| c.id).collect(),
        };
        let erasure = erase(conn, tenant, &subject).await?;
        let events =
            diesel::sql_query("DELETE FROM events WHERE workshop_id = $1 AND created_at < $2")
                .bind::<SqlUuid, _>(due.id)
                .bind::<Timestamptz, _>(days_before(zone, today, due.event_days))
                .execute(conn)
                .await?;
        // The webhook delivery log keeps the same window (pending deliveries stay until sent).
        diesel::sql_query(
            "DELETE FROM webhook_deliveries
             WHERE workshop_id = $1 AND created_at < $2 AND status <> 'PENDING'",
        )
        .bind::<SqlUuid, _>(due.id)
        .bind::<Timestamptz, _>(days_before(zone, today, due.event_days))
        .execute(conn)
        .await?;
        // Stored after the old events went, so that the window never takes them (it is measured
        // from the job's `now`, which a test moves forward).
        let announced = events::store(conn, tenant, erasure.events).await?;
        let run = RetentionRun {
            erased: erasure.counts,
            events: i32::try_from(events).unwrap_or(i32::MAX),
        };
        if run != RetentionRun::default() {
            audit::record(
                conn,
                tenant,
                Actor::Retention,
                PrivacyAction::Retention,
                run,
            )
            .await?;
        }
        // Due again after the next local midnight, or at once while a backlog remains.
        let due_again = if full {
            now
        } else {
            midnight(zone, today.succ_opt().unwrap_or(today))
        };
        diesel::update(tenant.privacy_settings())
            .set((
                privacy_settings::ran_on.eq(today),
                privacy_settings::due_at.eq(due_again),
            ))
            .execute(conn)
            .await?;
        Ok(Some((run, announced)))
    })
    .await
}

/// Runs the job at `now` until no workshop is due; returns what it did for each.
pub async fn round(
    pool: &Pool,
    bus: &dyn EventBus,
    now: DateTime<Utc>,
) -> ApiResult<Vec<RetentionRun>> {
    let mut conn = pool.get().await?;
    let mut runs = Vec::new();
    while let Some((run, announced)) = next(&mut conn, now).await? {
        announced.publish(bus).await;
        runs.push(run);
        if runs.len() >= 1_000 {
            break;
        }
    }
    Ok(runs)
}

/// The job inside `carbot serve`: looks for due workshops every `interval`.
pub struct Worker {
    pool: Pool,
    bus: Arc<dyn EventBus>,
    interval: Duration,
}

impl Worker {
    pub fn new(pool: Pool, bus: Arc<dyn EventBus>, interval: Duration) -> Self {
        Self {
            pool,
            bus,
            interval,
        }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match round(&self.pool, self.bus.as_ref(), Utc::now()).await {
                Ok(runs) => {
                    let erased = runs
                        .iter()
                        .filter(|r| **r != RetentionRun::default())
                        .count();
                    if erased > 0 {
                        tracing::info!(workshops = erased, "retention: erased what was due");
                    }
                }
                Err(error) => tracing::warn!(?error, "the retention job could not run"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_are_local_midnights_also_across_daylight_saving() {
        let berlin = chrono_tz::Europe::Berlin;
        let today = NaiveDate::from_ymd_opt(2026, 4, 2).expect("date");
        // 1 April is summer time (UTC+2): midnight there is 22:00 UTC the day before.
        assert_eq!(
            days_before(berlin, today, 1).to_rfc3339(),
            "2026-03-31T22:00:00+00:00"
        );
        // 90 days before is in winter time (UTC+1).
        assert_eq!(
            days_before(berlin, today, 90).to_rfc3339(),
            "2026-01-01T23:00:00+00:00"
        );
    }
}
