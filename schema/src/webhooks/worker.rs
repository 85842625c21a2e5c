//! Sends what `webhook_deliveries` holds. Every `carbot serve` process runs one worker; they
//! share the work through `FOR UPDATE SKIP LOCKED`: a claimed delivery is leased (its next
//! attempt pushed past the request's timeout), so no two processes send it at once, and one
//! whose process died is sent again when the lease ends, under the same `webhook-id`.
//!
//! The schedule is Standard Webhooks': at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
//! 20 h and 24 h after each failure; `Retry-After` of a 429 or 503 takes the place of the next
//! wait (up to a day). A 410 Gone switches the endpoint off at once, and so does failing for
//! five days; the owners are e-mailed either way. Deliveries queued before an endpoint went off
//! wait until it is on again; while it is off, no new ones are queued.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::signing::signature_header;
use super::target::Targets;
use crate::db::Pool;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::mail::outbox::{NewMail, enqueue};
use crate::mail::{Mailer, Template};

/// The waits after the first, second, … failed attempt; after the tenth attempt it is given up.
pub const SCHEDULE: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
    Duration::from_secs(20 * 3600),
    Duration::from_secs(24 * 3600),
];
pub const MAX_ATTEMPTS: i32 = SCHEDULE.len() as i32 + 1;
/// A receiver has this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// An endpoint whose deliveries all failed for this long is switched off.
pub const FAILING_LIMIT: chrono::TimeDelta = chrono::TimeDelta::days(5);
/// How long a claimed delivery is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(60);
/// Deliveries claimed (and sent concurrently) per round.
const BATCH: i64 = 16;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// The part of a response's body kept for the delivery log.
const KEPT_BODY: usize = 1_000;

/// The wait before attempt `attempts + 1`, or `None` when `attempts` were the last.
pub fn next_wait(attempts: i32, retry_after: Option<Duration>) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let scheduled = SCHEDULE[usize::try_from(attempts.max(1) - 1).unwrap_or(0)];
    Some(retry_after.map_or(scheduled, |wait| wait.min(MAX_RETRY_AFTER)))
}

#[derive(QueryableByName, Debug)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    workshop_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    endpoint_id: Uuid,
    #[diesel(sql_type = Text)]
    message_id: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Nullable<Text>)]
    previous_secret: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// What one attempt came to.
#[derive(Debug)]
struct Attempt {
    status: Option<u16>,
    body: Option<String>,
    error: Option<String>,
    retry_after: Option<Duration>,
    duration: Duration,
}

impl Attempt {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

pub struct Worker {
    pool: Pool,
    client: reqwest::Client,
    targets: Targets,
    mailer: Mailer,
    poll: Duration,
}

impl Worker {
    pub fn new(pool: Pool, targets: Targets, mailer: Mailer, poll: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(targets.resolver())
            .user_agent(concat!("CarBot-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            pool,
            client,
            targets,
            mailer,
            poll,
        }
    }

    /// Sends until `shutdown`; wakes at once when this process committed a delivery, and polls
    /// for the deliveries of other processes and for retries.
    pub async fn run(self, shutdown: CancellationToken) {
        let queued = crate::events::deliveries_queued();
        loop {
            let claimed = match self.round().await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "the webhook worker could not reach its deliveries");
                    0
                }
            };
            if claimed == BATCH as usize {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = queued.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Claims what is due and sends it; returns how many deliveries were claimed.
    pub async fn round(&self) -> Result<usize, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        // Raw SQL: an UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select, which the DSL cannot say.
        let claimed: Vec<Claimed> = diesel::sql_query(
            "UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
                    next_attempt_at = now() + make_interval(secs => $1)
             FROM webhook_endpoints e
             WHERE e.id = d.endpoint_id AND d.id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AND e.active
                ORDER BY d.next_attempt_at LIMIT $2
                FOR UPDATE OF d SKIP LOCKED)
             RETURNING d.id, d.workshop_id, d.endpoint_id, d.message_id, d.body, d.attempts, e.url,
                e.secret, e.previous_secret, e.previous_secret_expires_at",
        )
        .bind::<BigInt, _>(i64::try_from(LEASE.as_secs()).unwrap_or(60))
        .bind::<BigInt, _>(BATCH)
        .load(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        drop(conn);
        let count = claimed.len();
        let sent = join_all(claimed.into_iter().map(|delivery| async move {
            let attempt = self.send(&delivery).await;
            (delivery, attempt)
        }))
        .await;
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        for (delivery, attempt) in sent {
            self.record(&mut conn, &delivery, &attempt)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(count)
    }

    async fn send(&self, delivery: &Claimed) -> Attempt {
        let started = Instant::now();
        let now = Utc::now();
        let timestamp = now.timestamp();
        let mut secrets = vec![delivery.secret.as_str()];
        if let (Some(previous), Some(until)) = (
            delivery.previous_secret.as_deref(),
            delivery.previous_secret_expires_at,
        ) && until > now
        {
            secrets.push(previous);
        }
        let refused = |error: String| Attempt {
            status: None,
            body: None,
            error: Some(error),
            retry_after: None,
            duration: started.elapsed(),
        };
        // A literal address never reaches the resolver: it is checked here.
        match reqwest::Url::parse(&delivery.url) {
            Ok(url) => {
                let literal = match url.host() {
                    Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
                    Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
                    _ => None,
                };
                if let Some(ip) = literal
                    && let Err(refusal) = self.targets.allowed(ip)
                {
                    return refused(refusal.0);
                }
            }
            Err(error) => return refused(error.to_string()),
        }
        let response = self
            .client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature_header(secrets, &delivery.message_id, timestamp, &delivery.body),
            )
            .body(delivery.body.clone())
            .send()
            .await;
        match response {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = matches!(status, 429 | 503)
                    .then(|| retry_after(response.headers()))
                    .flatten();
                let body = response.text().await.unwrap_or_default();
                Attempt {
                    status: Some(status),
                    body: Some(body.chars().take(KEPT_BODY).collect()),
                    error: None,
                    retry_after,
                    duration: started.elapsed(),
                }
            }
            Err(error) => refused(describe(&error)),
        }
    }

    async fn record(
        &self,
        conn: &mut AsyncPgConnection,
        delivery: &Claimed,
        attempt: &Attempt,
    ) -> QueryResult<()> {
        let row = webhook_deliveries::table.find(delivery.id);
        let endpoint = webhook_endpoints::table.find(delivery.endpoint_id);
        let outcome = (
            webhook_deliveries::response_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::response_body.eq(attempt.body.as_deref()),
            webhook_deliveries::last_error.eq(attempt.error.as_deref()),
            webhook_deliveries::duration_ms
                .eq(i32::try_from(attempt.duration.as_millis()).unwrap_or(i32::MAX)),
        );
        if attempt.succeeded() {
            diesel::update(row)
                .set((webhook_deliveries::status.eq("SUCCEEDED"), outcome))
                .execute(conn)
                .await?;
            diesel::update(endpoint)
                .set(webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>))
                .execute(conn)
                .await?;
            return Ok(());
        }
        let gone = attempt.status == Some(410);
        let wait = if gone {
            None
        } else {
            next_wait(delivery.attempts, attempt.retry_after)
        };
        tracing::warn!(
            delivery = %delivery.id, status = ?attempt.status, error = ?attempt.error,
            attempts = delivery.attempts, retry_in = ?wait, "webhook not delivered"
        );
        match wait {
            Some(wait) => {
                diesel::update(row)
                    .set((
                        webhook_deliveries::next_attempt_at
                            .eq(Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default()),
                        outcome,
                    ))
                    .execute(conn)
                    .await?
            }
            None => {
                diesel::update(row)
                    .set((webhook_deliveries::status.eq("FAILED"), outcome))
                    .execute(conn)
                    .await?
            }
        };
        // The endpoint fails since its first failure after a success.
        let failing_since: Option<DateTime<Utc>> =
            diesel::update(endpoint)
                .set(webhook_endpoints::failing_since.eq(
                    diesel::dsl::sql::<Nullable<Timestamptz>>("coalesce(failing_since, now())"),
                ))
                .returning(webhook_endpoints::failing_since)
                .get_result(conn)
                .await?;
        let failing_too_long =
            failing_since.is_some_and(|since| Utc::now() - since >= FAILING_LIMIT);
        if gone || failing_too_long {
            self.disable(conn, delivery, gone).await?;
        }
        Ok(())
    }

    /// Switches the endpoint off and tells the owners, once.
    async fn disable(
        &self,
        conn: &mut AsyncPgConnection,
        delivery: &Claimed,
        gone: bool,
    ) -> QueryResult<()> {
        let switched: usize = diesel::update(
            webhook_endpoints::table
                .find(delivery.endpoint_id)
                .filter(webhook_endpoints::active.eq(true)),
        )
        .set((
            webhook_endpoints::active.eq(false),
            webhook_endpoints::disabled_reason.eq(if gone { "GONE" } else { "FAILING" }),
            webhook_endpoints::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
        if switched == 0 {
            return Ok(());
        }
        tracing::warn!(endpoint = %delivery.endpoint_id, gone, "webhook endpoint switched off");
        let link = self.mailer.link("/settings/webhooks");
        for (user_id, email, locale) in
            crate::accounts::team::owners(conn, delivery.workshop_id).await?
        {
            enqueue(
                conn,
                NewMail {
                    to: &email,
                    reply_to: None,
                    locale,
                    template: Template::WebhookDisabled {
                        url: &delivery.url,
                        gone,
                        link: &link,
                    },
                    workshop_id: Some(delivery.workshop_id),
                    user_id: Some(user_id),
                    lead_id: None,
                },
            )
            .await?;
        }
        self.mailer.wake();
        Ok(())
    }
}

/// `Retry-After` in seconds (the HTTP date form is not used by receivers we know of).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// An error of the request, with its cause (the resolver's refusal, a timeout, …).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_the_specifications() {
        let waits: Vec<u64> = (1..=9)
            .map(|a| next_wait(a, None).expect("a retry").as_secs())
            .collect();
        assert_eq!(
            waits,
            [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        );
        assert_eq!(next_wait(10, None), None, "ten attempts in all");
        assert_eq!(
            next_wait(2, Some(Duration::from_secs(42))),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            next_wait(2, Some(Duration::from_secs(10 * 86400))),
            Some(MAX_RETRY_AFTER)
        );
    }
}
