//! The webhook inbox: every verified Stripe event is stored here before Stripe hears `2xx`, and
//! applied by the [`Worker`] of any `carbot serve` process. A claimed event is leased (its next
//! attempt pushed ahead), so no two processes apply it at once and one whose process died is
//! picked up again when the lease ends; an event stored by a process that died before applying
//! it is simply still pending. A repeated event id is stored once.
//!
//! The worker also sends the trial reminders (three days before a trial ends).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::BillingSetup;
use super::provider::{EventKind, PaymentError, Payments};
use super::state::{self, Outcome};
use crate::db::Pool;
use crate::db::schema::stripe_events;
use crate::mail::{BillingMail, Mailer};

/// How long a claimed event is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(30);
/// Events applied per round before the worker looks at its other duties.
const BATCH: usize = 50;

/// Stores a verified event; `false` when its id was stored before (nothing changes then).
pub async fn store(
    conn: &mut AsyncPgConnection,
    id: &str,
    type_: &str,
    created: DateTime<Utc>,
    payload: &str,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(stripe_events::table)
        .values((
            stripe_events::id.eq(id),
            stripe_events::type_.eq(type_),
            stripe_events::created_at.eq(created),
            stripe_events::payload.eq(payload),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Events not yet applied, and when the oldest of them arrived (for `/metrics`).
pub async fn backlog(conn: &mut AsyncPgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    stripe_events::table
        .filter(stripe_events::processed_at.is_null())
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(stripe_events::received_at),
        ))
        .first(conn)
        .await
}

/// Signed events this version could not read: they need an operator (see the log).
pub async fn unreadable(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    stripe_events::table
        .filter(stripe_events::outcome.eq(Outcome::Unreadable.as_str()))
        .count()
        .get_result(conn)
        .await
}

/// The wait before attempt `attempts + 1`: 5 s, doubling, at most an hour.
fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(10);
    Duration::from_secs(5 * 2_u64.pow(doublings)).min(Duration::from_secs(3600))
}

#[derive(QueryableByName, Debug)]
struct Claimed {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Provider(#[from] PaymentError),
    /// The event's customer is not known yet: the event that names its workshop (Checkout's
    /// completion, the subscription's creation) may still be on its way or behind in the inbox.
    #[error("no workshop of this platform is known for the event yet")]
    Unmatched,
}

/// Attempts an event of no known workshop waits for the event that names it (about 85 minutes
/// with the back-off) before it is ignored.
const UNMATCHED_ATTEMPTS: i32 = 10;

pub struct Worker {
    pool: Pool,
    setup: BillingSetup,
    mailer: Mailer,
    poll: Duration,
    reminders: Duration,
}

impl Worker {
    /// `poll`: how often to look for events of other processes and for retries; `reminders`:
    /// how often to look for trials that end in three days.
    pub fn new(
        pool: Pool,
        setup: BillingSetup,
        mailer: Mailer,
        poll: Duration,
        reminders: Duration,
    ) -> Self {
        Self {
            pool,
            setup,
            mailer,
            poll,
            reminders,
        }
    }

    /// Applies events until `shutdown`; wakes at once when this process stored one.
    pub async fn run(self, shutdown: CancellationToken) {
        let wake = self.setup.wake.clone();
        let mut next_reminders = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_reminders {
                if let Err(error) = self.send_trial_reminders().await {
                    tracing::warn!(%error, "trial reminders could not be sent");
                }
                next_reminders = tokio::time::Instant::now() + self.reminders;
            }
            let applied = match &self.setup.payments {
                Some(payments) => self.round(payments.as_ref()).await,
                None => 0,
            };
            if applied == BATCH {
                continue;
            }
            let wait = self.poll.min(next_reminders - tokio::time::Instant::now());
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Applies what is due; returns how many events were claimed.
    pub async fn round(&self, payments: &dyn Payments) -> usize {
        let mut claimed = 0;
        while claimed < BATCH {
            match self.next(payments).await {
                Ok(true) => claimed += 1,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(%error, "the billing worker could not reach the inbox");
                    break;
                }
            }
        }
        claimed
    }

    /// Claims one due event and applies it; `false` when none is due.
    async fn next(&self, payments: &dyn Payments) -> Result<bool, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        // Raw SQL: an UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select, which the DSL cannot say.
        // Newest first by Stripe's time: after an outage the latest state is applied at once and
        // the older snapshots behind it are stale, so they send no e-mail about a state that is
        // already over (the result does not depend on the order).
        let claimed: Option<Claimed> = diesel::sql_query(
            "UPDATE stripe_events SET attempts = attempts + 1,
                    next_attempt_at = now() + make_interval(secs => $1)
             WHERE id = (SELECT id FROM stripe_events
                         WHERE processed_at IS NULL AND next_attempt_at <= now()
                         ORDER BY created_at DESC, received_at DESC LIMIT 1
                         FOR UPDATE SKIP LOCKED)
             RETURNING id, payload, attempts",
        )
        .bind::<BigInt, _>(i64::try_from(LEASE.as_secs()).unwrap_or(30))
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(|e| e.to_string())?;
        let Some(claimed) = claimed else {
            return Ok(false);
        };
        match self.apply(&mut conn, payments, &claimed).await {
            Ok((outcome, workshop_id)) => {
                tracing::info!(event = %claimed.id, outcome = outcome.as_str(), workshop = ?workshop_id, "payment event applied");
                if outcome == Outcome::Applied {
                    self.mailer.wake();
                }
            }
            Err(error) => {
                let wait = backoff(claimed.attempts);
                tracing::warn!(event = %claimed.id, %error, attempts = claimed.attempts, retry_in = ?wait, "payment event not applied; will retry");
                diesel::update(stripe_events::table.find(&claimed.id))
                    .set((
                        stripe_events::next_attempt_at
                            .eq(Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default()),
                        stripe_events::last_error.eq(error.to_string()),
                    ))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(true)
    }

    /// Parses and applies one event in one transaction, which also marks it processed.
    async fn apply(
        &self,
        conn: &mut AsyncPgConnection,
        payments: &dyn Payments,
        claimed: &Claimed,
    ) -> Result<(Outcome, Option<Uuid>), Failure> {
        let event = match payments.parse_event(&claimed.payload) {
            Ok(event) => event,
            Err(error) => {
                // A signed event this version cannot read will not become readable by waiting.
                tracing::error!(event = %claimed.id, %error, "a payment event could not be read; it is kept in the inbox (outcome UNREADABLE) and not applied");
                mark_processed(conn, &claimed.id, Outcome::Unreadable, None, Some(&error.0))
                    .await?;
                return Ok((Outcome::Unreadable, None));
            }
        };
        // The card's brand and digits are a courtesy: fetched before the transaction (no lock
        // waits on Stripe), and a failure does not hold back the change of plan.
        let payment_method = match &event.kind {
            EventKind::Subscription(_, subscription) => {
                match state::payment_method_to_fetch(conn, subscription).await? {
                    Some(id) => match payments.payment_method(&id).await {
                        Ok(method) => Some(method),
                        Err(error) => {
                            tracing::warn!(event = %event.id, %error, "the payment method could not be read; the next event tries again");
                            None
                        }
                    },
                    None => None,
                }
            }
            _ => None,
        };
        let setup = &self.setup;
        let mailer = &self.mailer;
        conn.transaction::<_, Failure, _>(async |conn| {
            // The event's row stays locked until the change commits: a second worker whose
            // lease ran out meanwhile finds it processed and does nothing.
            let pending: Option<String> = stripe_events::table
                .find(&event.id)
                .filter(stripe_events::processed_at.is_null())
                .select(stripe_events::id)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            if pending.is_none() {
                return Ok((Outcome::Stale, None));
            }
            let workshop_id = state::workshop_of_event(conn, &event).await?;
            let Some(workshop_id) = workshop_id else {
                if !matches!(event.kind, EventKind::Other) && claimed.attempts < UNMATCHED_ATTEMPTS
                {
                    return Err(Failure::Unmatched);
                }
                if !matches!(event.kind, EventKind::Other) {
                    tracing::warn!(event = %event.id, type_ = %event.type_, "a payment event of no workshop of this platform");
                }
                mark_processed(conn, &event.id, Outcome::Ignored, None, None).await?;
                return Ok((Outcome::Ignored, None));
            };
            let outcome =
                state::apply(conn, setup, mailer, workshop_id, &event, payment_method).await?;
            mark_processed(conn, &event.id, outcome, Some(workshop_id), None).await?;
            Ok((outcome, Some(workshop_id)))
        })
        .await
    }

    /// Trials that end within three days and have not been reminded: one e-mail to each owner.
    /// The claim (`trial_reminder_sent_at`) and the e-mails commit together.
    pub async fn send_trial_reminders(&self) -> QueryResult<usize> {
        #[derive(QueryableByName)]
        struct Due {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
            #[diesel(sql_type = Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::Timestamptz)]
            trial_ends_at: DateTime<Utc>,
        }
        let mut conn = self.pool.get().await.map_err(|e| {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UnableToSendCommand,
                Box::new(e.to_string()),
            )
        })?;
        let mailer = &self.mailer;
        let sent = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let due: Vec<Due> = diesel::sql_query(
                    "UPDATE workshops w SET trial_reminder_sent_at = now()
                     WHERE w.id IN (
                         SELECT w2.id FROM workshops w2
                         LEFT JOIN billing_accounts b ON b.workshop_id = w2.id
                         WHERE w2.billing_status = 'TRIALING' AND w2.trial_reminder_sent_at IS NULL
                           AND w2.trial_ends_at > now() AND w2.trial_ends_at <= now() + interval '3 days'
                           AND (b.workshop_id IS NULL OR b.managed_by = 'TRIAL')
                         LIMIT 100 FOR UPDATE OF w2 SKIP LOCKED)
                     RETURNING w.id, w.name, w.trial_ends_at",
                )
                .load(conn)
                .await?;
                for workshop in &due {
                    let link = mailer.link(&state::plan_page(workshop.id));
                    let ends_on = workshop
                        .trial_ends_at
                        .with_timezone(&chrono_tz::Europe::Berlin)
                        .date_naive();
                    state::send_to_owners(conn, workshop.id, || BillingMail::TrialEnding {
                        workshop: &workshop.name,
                        ends_on,
                        then_plan: None,
                        link: &link,
                    })
                    .await?;
                }
                Ok(due.len())
            })
            .await?;
        if sent > 0 {
            self.mailer.wake();
        }
        Ok(sent)
    }
}

async fn mark_processed(
    conn: &mut AsyncPgConnection,
    id: &str,
    outcome: Outcome,
    workshop_id: Option<Uuid>,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(stripe_events::table.find(id))
        .set((
            stripe_events::processed_at.eq(Utc::now()),
            stripe_events::outcome.eq(outcome.as_str()),
            stripe_events::workshop_id.eq(workshop_id),
            stripe_events::last_error.eq(error),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
