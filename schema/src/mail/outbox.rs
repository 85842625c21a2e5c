//! The `outbox` table: e-mails written in the transaction of their cause, read by the worker and
//! by `carbot mail list|show`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Template;
use crate::db::schema::outbox;
use crate::locale::Locale;

/// An e-mail to write: its recipient, language and content, and what it is about.
#[derive(Debug)]
pub struct NewMail<'a> {
    pub to: &'a str,
    /// Where an answer goes (the customer, for e-mails about a lead); the sender otherwise.
    pub reply_to: Option<&'a str>,
    pub locale: Locale,
    pub template: Template<'a>,
    pub workshop_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
}

/// Renders the e-mail and writes it to the outbox, in the caller's transaction: it goes out if
/// and only if the change that caused it commits. Returns its id.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: NewMail<'_>) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    let rendered = mail.template.render(mail.locale);
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(id),
            outbox::workshop_id.eq(mail.workshop_id),
            outbox::user_id.eq(mail.user_id),
            outbox::lead_id.eq(mail.lead_id),
            outbox::kind.eq(mail.template.kind()),
            outbox::recipient.eq(mail.to),
            outbox::reply_to.eq(mail.reply_to),
            outbox::locale.eq(mail.locale.as_str()),
            outbox::subject.eq(rendered.subject),
            outbox::body_text.eq(rendered.text),
            outbox::body_html.eq(rendered.html),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// One outbox row as an operator reads it.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxEntry {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The newest e-mails first.
pub async fn recent(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<OutboxEntry>> {
    outbox::table
        .order(outbox::created_at.desc())
        .limit(limit)
        .select(OutboxEntry::as_select())
        .load(conn)
        .await
}

/// One e-mail by its id, or by the start of its id (as `carbot mail list` shows it).
pub async fn find(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<OutboxEntry>> {
    if let Ok(id) = Uuid::parse_str(id) {
        return outbox::table
            .find(id)
            .select(OutboxEntry::as_select())
            .first(conn)
            .await
            .optional();
    }
    let prefix: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_lowercase();
    if prefix.len() < 6 {
        return Ok(None);
    }
    let mut found: Vec<OutboxEntry> = outbox::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("replace(id::text, '-', '') LIKE ")
                .bind::<diesel::sql_types::Text, _>(format!("{prefix}%")),
        )
        .select(OutboxEntry::as_select())
        .limit(2)
        .load(conn)
        .await?;
    // An ambiguous prefix names no e-mail.
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// E-mails waiting to go out, and how long the oldest has waited (for `/metrics`).
pub async fn backlog(conn: &mut AsyncPgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    outbox::table
        .filter(outbox::status.eq("PENDING"))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .first(conn)
        .await
}
