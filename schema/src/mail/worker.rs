//! Sends what the outbox holds. Every `carbot serve` process runs one worker; they share the work
//! through `FOR UPDATE SKIP LOCKED`: a claimed e-mail is leased (its next attempt pushed ahead),
//! so no two processes send it, and one whose process died is picked up when the lease ends.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Mailer, Outgoing, SendError, Sent, Transport};
use crate::db::Pool;
use crate::db::schema::{mail_suppressions, outbox};

/// E-mails claimed per round.
const BATCH: i64 = 20;
/// How long a claimed e-mail is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(120);
/// After this many failed attempts (about eight hours of back-off) an e-mail is given up.
pub const MAX_ATTEMPTS: i32 = 18;

/// How a bounced address is kept in `mail_suppressions`: the SHA-256 of the lower-case address,
/// so the suppression holds without a readable address of a person (README: Where personal data
/// lives).
fn suppression_key(recipient: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(recipient.trim().to_lowercase().as_bytes()))
}

/// A mail server's answer with every address it quotes replaced by `…` (it is stored
/// with the suppression and the outbox row).
fn without_addresses(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('@') {
            out.push('…');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in reason.chars() {
        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ';' | ',' | '(' | ')') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The wait before attempt `attempts + 1`: 5 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(10);
    Duration::from_secs(5 * 2_u64.pow(doublings)).min(Duration::from_secs(3600))
}

#[derive(QueryableByName, Debug)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    reply_to: Option<String>,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    body_text: String,
    #[diesel(sql_type = Text)]
    body_html: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

pub struct Worker {
    pool: Pool,
    transport: Arc<dyn Transport>,
    mailer: Mailer,
    poll: Duration,
}

impl Worker {
    pub fn new(pool: Pool, transport: Arc<dyn Transport>, mailer: Mailer, poll: Duration) -> Self {
        Self {
            pool,
            transport,
            mailer,
            poll,
        }
    }

    /// Sends until `shutdown`; wakes at once when this process committed an e-mail, and polls
    /// for the e-mails of other processes and for retries.
    pub async fn run(self, shutdown: CancellationToken) {
        let wake = self.mailer.wake_signal();
        loop {
            let sent = match self.round().await {
                Ok(sent) => sent,
                Err(error) => {
                    tracing::warn!(%error, "the e-mail worker could not reach the outbox");
                    0
                }
            };
            if sent == BATCH as usize {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Claims what is due and sends it; returns how many e-mails were claimed.
    pub async fn round(&self) -> Result<usize, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        // Raw SQL: an UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select, which the DSL cannot say.
        let claimed: Vec<Claimed> = diesel::sql_query(
            "UPDATE outbox SET attempts = attempts + 1,
                    next_attempt_at = now() + make_interval(secs => $1)
             WHERE id IN (SELECT id FROM outbox
                          WHERE status = 'PENDING' AND next_attempt_at <= now()
                          ORDER BY next_attempt_at LIMIT $2
                          FOR UPDATE SKIP LOCKED)
             RETURNING id, recipient, reply_to, subject, body_text, body_html, attempts",
        )
        .bind::<BigInt, _>(i64::try_from(LEASE.as_secs()).unwrap_or(120))
        .bind::<BigInt, _>(BATCH)
        .load(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        let count = claimed.len();
        for mail in claimed {
            self.deliver(&mut conn, mail)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(count)
    }

    async fn deliver(&self, conn: &mut AsyncPgConnection, mail: Claimed) -> QueryResult<()> {
        let address = suppression_key(&mail.recipient);
        let suppressed: bool = diesel::select(diesel::dsl::exists(
            mail_suppressions::table.filter(mail_suppressions::address_sha256.eq(&address)),
        ))
        .get_result(conn)
        .await?;
        let row = outbox::table.find(mail.id);
        if suppressed {
            diesel::update(row)
                .set((
                    outbox::status.eq("SUPPRESSED"),
                    outbox::last_error.eq("the address bounced before"),
                ))
                .execute(conn)
                .await?;
            return Ok(());
        }
        let outgoing = Outgoing {
            id: mail.id,
            to: mail.recipient,
            reply_to: mail.reply_to,
            subject: mail.subject,
            text: mail.body_text,
            html: mail.body_html,
        };
        match self.transport.send(&outgoing).await {
            Ok(sent) => {
                diesel::update(row)
                    .set((
                        outbox::status.eq(match sent {
                            Sent::Delivered => "SENT",
                            Sent::Logged => "LOGGED",
                        }),
                        outbox::sent_at.eq(chrono::Utc::now()),
                        outbox::last_error.eq(None::<String>),
                    ))
                    .execute(conn)
                    .await?;
            }
            Err(SendError::Permanent(reason)) => {
                let reason = without_addresses(&reason);
                tracing::warn!(id = %outgoing.id, %reason, "e-mail bounced; the address gets no more e-mails");
                diesel::insert_into(mail_suppressions::table)
                    .values((
                        mail_suppressions::address_sha256.eq(&address),
                        mail_suppressions::reason.eq(&reason),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                diesel::update(row)
                    .set((outbox::status.eq("BOUNCED"), outbox::last_error.eq(reason)))
                    .execute(conn)
                    .await?;
            }
            Err(SendError::Transient(reason)) if mail.attempts >= MAX_ATTEMPTS => {
                tracing::error!(id = %outgoing.id, %reason, attempts = mail.attempts, "e-mail given up");
                diesel::update(row)
                    .set((outbox::status.eq("FAILED"), outbox::last_error.eq(reason)))
                    .execute(conn)
                    .await?;
            }
            Err(SendError::Transient(reason)) => {
                let wait = backoff(mail.attempts);
                tracing::warn!(id = %outgoing.id, %reason, attempts = mail.attempts, retry_in = ?wait, "e-mail not sent; will retry");
                diesel::update(row)
                    .set((
                        outbox::next_attempt_at.eq(chrono::Utc::now()
                            + chrono::Duration::from_std(wait).unwrap_or_default()),
                        outbox::last_error.eq(reason),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounce_keeps_no_readable_address() {
        assert_eq!(
            without_addresses("550 5.1.1 <Bounce@Autohaus-Sued.de>: Recipient address rejected"),
            "550 5.1.1 <…>: Recipient address rejected"
        );
        assert_eq!(without_addresses("mailbox full"), "mailbox full");
        assert_eq!(
            suppression_key(" Bounce@Autohaus-Sued.de"),
            suppression_key("bounce@autohaus-sued.de")
        );
        assert_eq!(suppression_key("a@b.de").len(), 64);
        assert!(!suppression_key("a@b.de").contains('@'));
    }

    #[test]
    fn back_off_doubles_from_five_seconds_up_to_an_hour() {
        let waits: Vec<u64> = (1..=12).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(
            waits,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        let total: u64 = (1..MAX_ATTEMPTS).map(|a| backoff(a).as_secs()).sum();
        assert!((8 * 3600..9 * 3600).contains(&total), "{total}");
    }
}
