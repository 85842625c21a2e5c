//! Analytics facts: what happened in a workshop and when, written in the same transaction as the
//! change itself. Facts name rows by id only and hold no personal data, so they stay when a
//! person's data is erased or a conversation reaches its retention date: the KPIs of a period do
//! not change afterwards. `analytics` reads them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::db::Statement;
use crate::db::schema::{facts, leads, workshops};
use crate::error::ApiResult;
use crate::principal::Tenant;
use diesel::sql_types::{Array, Bool, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};

/// What a visitor's question asked for, as the assistant read it.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionIntent {
    Price,
    Duration,
    Appointment,
    OpeningHours,
    Contact,
    /// About a service of the catalog, without asking for a price or a duration.
    Service,
    /// Greetings, thanks and small talk.
    Greeting,
    /// Anything else, e.g. a service the catalog does not have.
    Other,
}

impl QuestionIntent {
    pub const ALL: [Self; 8] = [
        Self::Price,
        Self::Duration,
        Self::Appointment,
        Self::OpeningHours,
        Self::Contact,
        Self::Service,
        Self::Greeting,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Price => "PRICE",
            Self::Duration => "DURATION",
            Self::Appointment => "APPOINTMENT",
            Self::OpeningHours => "OPENING_HOURS",
            Self::Contact => "CONTACT",
            Self::Service => "SERVICE",
            Self::Greeting => "GREETING",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == stored)
    }

    /// The intents of questions the catalog should have answered: without a match they go on
    /// the owner's list of unanswered questions.
    pub const WANT_THE_CATALOG: [Self; 3] = [Self::Price, Self::Duration, Self::Other];
}

/// One fact; built by the constructors below, written by [`record`].
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = facts)]
pub struct Fact {
    workshop_id: Uuid,
    kind: &'static str,
    /// `None`: now (the transaction's time, as the row it describes).
    at: Option<DateTime<Utc>>,
    client_key_id: Option<Uuid>,
    conversation_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    message_id: Option<Uuid>,
    page: Option<String>,
    intent: Option<&'static str>,
    matched: Option<bool>,
    service_ids: Vec<Uuid>,
    status: Option<&'static str>,
    seconds: Option<i32>,
    open_seconds: Option<i32>,
}

/// Where a fact happened: the workshop, and the widget key and conversation when there is one.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub tenant: Tenant,
    pub client_key_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
}

impl Fact {
    fn at(place: Place, kind: &'static str) -> Self {
        Self {
            workshop_id: place.tenant.workshop_id(),
            kind,
            at: None,
            client_key_id: place.client_key_id,
            conversation_id: place.conversation_id,
            lead_id: None,
            message_id: None,
            page: None,
            intent: None,
            matched: None,
            service_ids: Vec::new(),
            status: None,
            seconds: None,
            open_seconds: None,
        }
    }

    /// The visitor opened the chat window (a new or a stored conversation).
    pub fn widget_opened(place: Place, page: Option<String>) -> Self {
        Self {
            page,
            ..Self::at(place, "WIDGET_OPENED")
        }
    }

    pub fn conversation_started(place: Place, page: Option<String>) -> Self {
        Self {
            page,
            ..Self::at(place, "CONVERSATION_STARTED")
        }
    }

    pub fn visitor_message(place: Place, message_id: Uuid) -> Self {
        Self {
            message_id: Some(message_id),
            ..Self::at(place, "VISITOR_MESSAGE")
        }
    }

    pub fn owner_message(place: Place, message_id: Uuid) -> Self {
        Self {
            message_id: Some(message_id),
            ..Self::at(place, "OWNER_MESSAGE")
        }
    }

    /// The assistant answered the visitor's message `question`, citing `cited` from the catalog.
    pub fn assistant_answer(
        place: Place,
        question: Uuid,
        intent: QuestionIntent,
        cited: Vec<Uuid>,
    ) -> Self {
        Self {
            message_id: Some(question),
            intent: Some(intent.as_str()),
            matched: Some(!cited.is_empty()),
            service_ids: cited,
            ..Self::at(place, "ASSISTANT_ANSWER")
        }
    }

    pub fn taken_over(place: Place) -> Self {
        Self::at(place, "TAKEN_OVER")
    }

    pub fn lead_submitted(
        place: Place,
        lead_id: Uuid,
        page: Option<String>,
        services: Vec<Uuid>,
    ) -> Self {
        Self {
            lead_id: Some(lead_id),
            page,
            service_ids: services,
            ..Self::at(place, "LEAD_SUBMITTED")
        }
    }

    /// The first owner action on a lead, `seconds` after it came (`open_seconds` of them
    /// within opening hours).
    pub fn first_response(place: Place, lead_id: Uuid, seconds: i64, open_seconds: i64) -> Self {
        Self {
            lead_id: Some(lead_id),
            seconds: Some(clamp(seconds)),
            open_seconds: Some(clamp(open_seconds)),
            ..Self::at(place, "FIRST_RESPONSE")
        }
    }

    /// The same fact at an earlier time (generated history).
    pub fn happened_at(self, at: DateTime<Utc>) -> Self {
        Self {
            at: Some(at),
            ..self
        }
    }

    pub fn lead_status_changed(place: Place, lead_id: Uuid, status: &'static str) -> Self {
        Self {
            lead_id: Some(lead_id),
            status: Some(status),
            ..Self::at(place, "LEAD_STATUS_CHANGED")
        }
    }
}

/// Writes facts; call inside the change's transaction.
pub async fn record(conn: &mut AsyncPgConnection, facts: Vec<Fact>) -> ApiResult<()> {
    if !facts.is_empty() {
        diesel::insert_into(facts::table)
            .values(facts)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Appends a `WITH` part (`written_facts`) that writes `facts` to a statement being built
/// (see [`crate::db::Statement`]); for a change written in one statement.
pub fn write(statement: &mut Statement, facts: Vec<Fact>) {
    if facts.is_empty() {
        statement.sql("written_facts AS (SELECT)");
        return;
    }
    let mut rows = Vec::with_capacity(facts.len());
    for fact in facts {
        let values = [
            statement.bind::<SqlUuid, _>(fact.workshop_id),
            statement.bind::<Text, _>(fact.kind),
            format!(
                "coalesce({}, now())",
                statement.bind::<Nullable<Timestamptz>, _>(fact.at)
            ),
            statement.bind::<Nullable<SqlUuid>, _>(fact.client_key_id),
            statement.bind::<Nullable<SqlUuid>, _>(fact.conversation_id),
            statement.bind::<Nullable<SqlUuid>, _>(fact.lead_id),
            statement.bind::<Nullable<SqlUuid>, _>(fact.message_id),
            statement.bind::<Nullable<Text>, _>(fact.page),
            statement.bind::<Nullable<Text>, _>(fact.intent),
            statement.bind::<Nullable<Bool>, _>(fact.matched),
            statement.bind::<Array<SqlUuid>, _>(fact.service_ids),
            statement.bind::<Nullable<Text>, _>(fact.status),
            statement.bind::<Nullable<Int4>, _>(fact.seconds),
            statement.bind::<Nullable<Int4>, _>(fact.open_seconds),
        ];
        rows.push(format!("({})", values.join(", ")));
    }
    statement.sql(&format!(
        "written_facts AS (
            INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id,
                message_id, page, intent, matched, service_ids, status, seconds, open_seconds)
            VALUES {}
         )",
        rows.join(", ")
    ));
}

/// Which leads an owner action answers.
#[derive(Debug, Clone, Copy)]
pub enum Answered {
    /// A status change or a note on this lead.
    Lead(Uuid),
    /// A reply in this conversation: every lead of it that came before.
    Conversation(Uuid),
}

/// A lead stamped with its first response: id, created, client key, conversation.
type Stamped = (Uuid, DateTime<Utc>, Option<Uuid>, Option<Uuid>);

/// Records the first owner action on the leads `answered` names, once per lead: stamps
/// `first_response_at` and writes a `FIRST_RESPONSE` fact with the time it took, over all hours
/// and over the workshop's opening hours only. Call inside the action's transaction.
pub async fn first_response(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    answered: Answered,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let waiting = tenant
        .leads()
        .filter(leads::first_response_at.is_null())
        .filter(leads::erased_at.is_null())
        .filter(leads::created_at.le(now));
    let stamp = leads::first_response_at.eq(now);
    let returned = (
        leads::id,
        leads::created_at,
        leads::client_key_id,
        leads::conversation_id,
    );
    let stamped: Vec<Stamped> = match answered {
        Answered::Lead(id) => {
            diesel::update(waiting.filter(leads::id.eq(id)))
                .set(stamp)
                .returning(returned)
                .get_results(conn)
                .await?
        }
        Answered::Conversation(id) => {
            diesel::update(waiting.filter(leads::conversation_id.eq(id)))
                .set(stamp)
                .returning(returned)
                .get_results(conn)
                .await?
        }
    };
    if stamped.is_empty() {
        return Ok(());
    }
    let (hours, zone): (serde_json::Value, String) = workshops::table
        .find(tenant.workshop_id())
        .select((workshops::opening_hours, workshops::time_zone))
        .first(conn)
        .await?;
    let hours = OpenHours::parse(&hours, &zone);
    let facts = stamped
        .into_iter()
        .map(|(lead_id, created_at, client_key_id, conversation_id)| {
            let place = Place {
                tenant,
                client_key_id,
                conversation_id,
            };
            let seconds = (now - created_at).num_seconds().max(0);
            Fact::first_response(place, lead_id, seconds, hours.seconds_open(created_at, now))
        })
        .collect();
    record(conn, facts).await
}

fn clamp(seconds: i64) -> i32 {
    i32::try_from(seconds).unwrap_or(i32::MAX)
}

/// A workshop's weekly opening hours in its time zone, for counting open time.
#[derive(Debug, Clone)]
pub struct OpenHours {
    zone: Tz,
    /// (weekday from Monday = 0, opens, closes)
    intervals: Vec<(u32, NaiveTime, NaiveTime)>,
}

#[derive(Deserialize)]
struct StoredInterval {
    weekday: String,
    opens: String,
    closes: String,
}

const WEEKDAYS: [&str; 7] = [
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
];

impl OpenHours {
    /// The workshop's stored `opening_hours` (as `updateWorkshop` writes them) in `zone`
    /// (Europe/Berlin when the name is unknown). Unreadable intervals are left out.
    pub fn parse(stored: &serde_json::Value, zone: &str) -> Self {
        let zone = zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
        let stored: Vec<StoredInterval> =
            serde_json::from_value(stored.clone()).unwrap_or_default();
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").ok();
        let intervals = stored
            .iter()
            .filter_map(|i| {
                let day = WEEKDAYS.iter().position(|d| *d == i.weekday)? as u32;
                let (opens, closes) = (time(&i.opens)?, time(&i.closes)?);
                (opens < closes).then_some((day, opens, closes))
            })
            .collect();
        Self { zone, intervals }
    }

    /// Seconds between `from` and `to` during which the workshop was open, on the local clock
    /// of each day (a day of a clock change has 23 or 25 hours; an opening time the clock skips
    /// starts at the first moment after the gap).
    pub fn seconds_open(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from || self.intervals.is_empty() {
            return 0;
        }
        let first = from.with_timezone(&self.zone).date_naive();
        let last = to.with_timezone(&self.zone).date_naive();
        let mut total = 0;
        let mut day = first;
        while day <= last {
            let weekday = day.weekday().num_days_from_monday();
            for (_, opens, closes) in self.intervals.iter().filter(|i| i.0 == weekday) {
                let (Some(start), Some(end)) =
                    (self.instant(day, *opens), self.instant(day, *closes))
                else {
                    continue;
                };
                let (start, end) = (start.max(from), end.min(to));
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            day += Duration::days(1);
        }
        total
    }

    fn instant(&self, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = day.and_time(time);
        let mut candidate = local;
        // Inside a skipped hour: the first minute that exists.
        for _ in 0..=120 {
            if let Some(at) = self.zone.from_local_datetime(&candidate).earliest() {
                return Some(at.with_timezone(&Utc));
            }
            candidate += Duration::minutes(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin(s: &str) -> DateTime<Utc> {
        chrono_tz::Europe::Berlin
            .from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a local time"),
            )
            .earliest()
            .expect("a time that exists")
            .with_timezone(&Utc)
    }

    fn weekdays_8_to_17() -> OpenHours {
        let hours: Vec<_> = WEEKDAYS[..5]
            .iter()
            .map(|d| serde_json::json!({"weekday": d, "opens": "08:00", "closes": "17:00"}))
            .collect();
        OpenHours::parse(&serde_json::Value::Array(hours), "Europe/Berlin")
    }

    #[test]
    fn counts_open_time_only() {
        let hours = weekdays_8_to_17();
        // Friday 16:00 to Monday 09:30: one hour on Friday, 1.5 on Monday.
        assert_eq!(
            hours.seconds_open(berlin("2026-11-27 16:00"), berlin("2026-11-30 09:30")),
            9_000
        );
        // Inside one opening: all of it; entirely at night: none.
        assert_eq!(
            hours.seconds_open(berlin("2026-11-30 10:00"), berlin("2026-11-30 10:05")),
            300
        );
        assert_eq!(
            hours.seconds_open(berlin("2026-11-30 18:00"), berlin("2026-12-01 07:59")),
            0
        );
        assert_eq!(
            hours.seconds_open(berlin("2026-11-30 10:00"), berlin("2026-11-30 09:00")),
            0
        );
    }

    #[test]
    fn follows_the_local_clock_across_a_clock_change() {
        // Sunday 29 March 2026 has 23 hours in Berlin; open 00:00-12:00 that day is 11 hours.
        let hours = OpenHours::parse(
            &serde_json::json!([{"weekday": "SUNDAY", "opens": "00:00", "closes": "12:00"}]),
            "Europe/Berlin",
        );
        assert_eq!(
            hours.seconds_open(berlin("2026-03-28 12:00"), berlin("2026-03-30 00:00")),
            11 * 3600
        );
        // 25 October 2026 has 25 hours: 13 of them before noon.
        let hours = OpenHours::parse(
            &serde_json::json!([{"weekday": "SUNDAY", "opens": "00:00", "closes": "12:00"}]),
            "Europe/Berlin",
        );
        assert_eq!(
            hours.seconds_open(berlin("2026-10-24 12:00"), berlin("2026-10-26 00:00")),
            13 * 3600
        );
        // An opening at 02:30, skipped on 29 March, starts at 03:00.
        let hours = OpenHours::parse(
            &serde_json::json!([{"weekday": "SUNDAY", "opens": "02:30", "closes": "04:00"}]),
            "Europe/Berlin",
        );
        assert_eq!(
            hours.seconds_open(berlin("2026-03-29 00:00"), berlin("2026-03-29 23:00")),
            3600
        );
    }
}
