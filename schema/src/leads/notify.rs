//! E-mails about leads: a new lead at once, a reminder for a lead still `NEW` after the
//! workshop's reminder time (sent during opening hours), and a daily summary each morning.
//! Recipients are the members who chose the notification and whose address is confirmed.
//!
//! The [`Scheduler`] runs in every `carbot serve` process; they share the work through
//! `FOR UPDATE SKIP LOCKED` on the rows they claim, so each reminder and summary goes out once.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Date, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::accounts::workshop::{OpeningHours, is_open};
use crate::auth::Tenant;
use crate::db::Pool;
use crate::db::rows::LeadRow;
use crate::db::schema::{conversations, leads, memberships, services, users, workshops};
use crate::ids::{self, NodeType};
use crate::locale::Locale;
use crate::mail::{self, LeadFacts, Mailer, NewMail, Template};
use crate::principal::tenant_of_background_job;

/// Which notification a member chose.
#[derive(Debug, Clone, Copy)]
enum Notification {
    NewLead,
    Reminder,
    DailySummary,
}

/// Confirmed members of the workshop who chose `notification`: (address, locale).
async fn recipients(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    notification: Notification,
) -> QueryResult<Vec<(String, Locale)>> {
    let query = tenant
        .memberships()
        .inner_join(users::table)
        .filter(users::email_verified_at.is_not_null())
        .select((users::email, users::locale))
        .into_boxed();
    let query = match notification {
        Notification::NewLead => query.filter(memberships::notify_new_lead),
        Notification::Reminder => query.filter(memberships::notify_reminder),
        Notification::DailySummary => query.filter(memberships::notify_daily_summary),
    };
    let rows: Vec<(String, String)> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(email, locale)| (email, Locale::parse(&locale)))
        .collect())
}

/// The console's page of a lead; `workshop` lets the console switch to the right location.
fn lead_link(mailer: &Mailer, tenant: Tenant, lead_id: Uuid) -> String {
    mailer.link(&format!(
        "/leads/{}?workshop={}",
        ids::encode(NodeType::Lead, lead_id).0,
        ids::encode(NodeType::Workshop, tenant.workshop_id()).0
    ))
}

async fn facts(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    lead: &LeadRow,
) -> QueryResult<LeadFacts> {
    let names: Vec<(Uuid, String)> = tenant
        .services()
        .filter(services::id.eq_any(&lead.service_ids))
        .select((services::id, services::name))
        .load(conn)
        .await?;
    let services = lead
        .service_ids
        .iter()
        .filter_map(|id| names.iter().find(|(s, _)| s == id).map(|(_, n)| n.clone()))
        .collect();
    let vehicle = [
        lead.vehicle_make.clone(),
        lead.vehicle_model.clone(),
        lead.vehicle_year.map(|y| y.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(LeadFacts {
        name: lead.name.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        vehicle: (!vehicle.is_empty()).then_some(vehicle),
        services,
        estimate: lead.estimated_min_cents.zip(lead.estimated_max_cents),
        preferred_date: lead.preferred_date,
        message: lead.message.clone(),
    })
}

async fn workshop_name(conn: &mut AsyncPgConnection, tenant: Tenant) -> QueryResult<String> {
    workshops::table
        .find(tenant.workshop_id())
        .select(workshops::name)
        .first(conn)
        .await
}

/// Writes the new-lead e-mails, in the transaction that stores the lead; returns how many.
pub(crate) async fn new_lead(
    conn: &mut AsyncPgConnection,
    mailer: &Mailer,
    tenant: Tenant,
    lead: &LeadRow,
) -> QueryResult<usize> {
    let to = recipients(conn, tenant, Notification::NewLead).await?;
    if to.is_empty() {
        return Ok(0);
    }
    let facts = facts(conn, tenant, lead).await?;
    let workshop = workshop_name(conn, tenant).await?;
    let link = lead_link(mailer, tenant, lead.id);
    for (address, locale) in &to {
        mail::enqueue(
            conn,
            NewMail {
                to: address,
                reply_to: lead.email.as_deref(),
                locale: *locale,
                template: Template::NewLead {
                    workshop: &workshop,
                    lead: &facts,
                    link: &link,
                },
                workshop_id: Some(tenant.workshop_id()),
                user_id: None,
                lead_id: Some(lead.id),
            },
        )
        .await?;
    }
    Ok(to.len())
}

/// Reminders and daily summaries, every `interval`.
pub struct Scheduler {
    pool: Pool,
    mailer: Mailer,
    interval: Duration,
}

/// Leads or workshops claimed per round.
const BATCH: i64 = 50;
/// Local time from which yesterday's summary goes out.
const SUMMARY_HOUR: u32 = 7;

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

impl Scheduler {
    pub fn new(pool: Pool, mailer: Mailer, interval: Duration) -> Self {
        Self {
            pool,
            mailer,
            interval,
        }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.round().await {
                Ok(0) => {}
                Ok(sent) => {
                    tracing::info!(emails = sent, "lead reminders and summaries written");
                    self.mailer.wake();
                }
                Err(error) => tracing::warn!(%error, "lead reminders could not run"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    /// One round of reminders and summaries; returns the number of e-mails written.
    pub async fn round(&self) -> Result<usize, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        let reminders = reminders(&mut conn, &self.mailer)
            .await
            .map_err(|e| e.to_string())?;
        let summaries = summaries(&mut conn, &self.mailer)
            .await
            .map_err(|e| e.to_string())?;
        Ok(reminders + summaries)
    }
}

async fn reminders(conn: &mut AsyncPgConnection, mailer: &Mailer) -> QueryResult<usize> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        // Raw SQL: the due time depends on each workshop's setting, and the claim skips rows
        // another process holds. A lead more than three days past due (say, from before
        // reminders existed) is not reminded of any more.
        let due: Vec<Claimed> = diesel::sql_query(
            "SELECT l.id FROM leads l JOIN workshops w ON w.id = l.workshop_id
             WHERE l.status = 'NEW' AND l.reminder_sent_at IS NULL
               AND l.created_at <= now() - make_interval(mins => w.lead_reminder_minutes)
               AND l.created_at > now() - make_interval(mins => w.lead_reminder_minutes) - interval '3 days'
             ORDER BY l.created_at LIMIT $1
             FOR UPDATE OF l SKIP LOCKED",
        )
        .bind::<diesel::sql_types::BigInt, _>(BATCH)
        .load(conn)
        .await?;
        let now = Utc::now();
        let mut written = 0;
        for Claimed { id } in due {
            let (workshop_id, hours, zone, name, minutes): (Uuid, serde_json::Value, String, String, i32) =
                leads::table
                    .inner_join(workshops::table)
                    .filter(leads::id.eq(id))
                    .select((
                        workshops::id,
                        workshops::opening_hours,
                        workshops::time_zone,
                        workshops::name,
                        workshops::lead_reminder_minutes,
                    ))
                    .first(conn)
                    .await?;
            let hours: Vec<OpeningHours> = serde_json::from_value(hours).unwrap_or_default();
            if !is_open(&hours, &zone, now) {
                continue;
            }
            let tenant = tenant_of_background_job(workshop_id);
            let lead: LeadRow = tenant
                .leads()
                .filter(leads::id.eq(id))
                .select(LeadRow::as_select())
                .first(conn)
                .await?;
            let facts = facts(conn, tenant, &lead).await?;
            let link = lead_link(mailer, tenant, lead.id);
            let waiting = (now - lead.created_at).num_minutes().max(i64::from(minutes));
            for (address, locale) in recipients(conn, tenant, Notification::Reminder).await? {
                mail::enqueue(
                    conn,
                    NewMail {
                        to: &address,
                        reply_to: lead.email.as_deref(),
                        locale,
                        template: Template::LeadReminder {
                            workshop: &name,
                            lead: &facts,
                            waiting_minutes: waiting,
                            link: &link,
                        },
                        workshop_id: Some(workshop_id),
                        user_id: None,
                        lead_id: Some(lead.id),
                    },
                )
                .await?;
                written += 1;
            }
            diesel::update(tenant.leads().filter(leads::id.eq(id)))
                .set(leads::reminder_sent_at.eq(now))
                .execute(conn)
                .await?;
        }
        Ok(written)
    })
    .await
}

#[derive(QueryableByName)]
struct DueSummary {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Date)]
    today: NaiveDate,
}

async fn summaries(conn: &mut AsyncPgConnection, mailer: &Mailer) -> QueryResult<usize> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        // Raw SQL: "today" and "07:00" are in each workshop's own time zone.
        let due: Vec<DueSummary> = diesel::sql_query(format!(
            "SELECT id, (now() AT TIME ZONE time_zone)::date AS today FROM workshops
             WHERE (daily_summary_sent_on IS NULL OR daily_summary_sent_on < (now() AT TIME ZONE time_zone)::date)
               AND extract(hour FROM now() AT TIME ZONE time_zone) >= {SUMMARY_HOUR}
             ORDER BY id LIMIT $1
             FOR UPDATE SKIP LOCKED"
        ))
        .bind::<diesel::sql_types::BigInt, _>(BATCH)
        .load(conn)
        .await?;
        let mut written = 0;
        for DueSummary { id, today } in due {
            let tenant = tenant_of_background_job(id);
            diesel::update(workshops::table.find(id))
                .set(workshops::daily_summary_sent_on.eq(today))
                .execute(conn)
                .await?;
            let to = recipients(conn, tenant, Notification::DailySummary).await?;
            if to.is_empty() {
                continue;
            }
            let (name, zone): (String, String) = workshops::table
                .find(id)
                .select((workshops::name, workshops::time_zone))
                .first(conn)
                .await?;
            let yesterday = today.pred_opt().unwrap_or(today);
            let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
            let start_of = |day: NaiveDate| {
                day.and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(zone).earliest())
                    .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
            };
            let (from, to_time) = (start_of(yesterday), start_of(today));
            let new_leads: i64 = tenant
                .leads()
                .filter(leads::created_at.ge(from))
                .filter(leads::created_at.lt(to_time))
                .count()
                .get_result(conn)
                .await?;
            let chats: i64 = tenant
                .conversations()
                .filter(conversations::created_at.ge(from))
                .filter(conversations::created_at.lt(to_time))
                .count()
                .get_result(conn)
                .await?;
            let open_leads: i64 = tenant
                .leads()
                .filter(leads::status.eq("NEW"))
                .count()
                .get_result(conn)
                .await?;
            // A quiet day with nothing open sends nothing.
            if new_leads == 0 && chats == 0 && open_leads == 0 {
                continue;
            }
            let link = mailer.link(&format!(
                "/leads?workshop={}",
                ids::encode(NodeType::Workshop, id).0
            ));
            for (address, locale) in &to {
                mail::enqueue(
                    conn,
                    NewMail {
                        to: address,
                        reply_to: None,
                        locale: *locale,
                        template: Template::DailySummary {
                            workshop: &name,
                            day: yesterday,
                            new_leads,
                            open_leads,
                            conversations: chats,
                            link: &link,
                        },
                        workshop_id: Some(id),
                        user_id: None,
                        lead_id: None,
                    },
                )
                .await?;
                written += 1;
            }
        }
        Ok(written)
    })
    .await
}
