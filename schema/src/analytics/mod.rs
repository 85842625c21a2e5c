//! `analytics`: what CarBot brought a workshop in a range of days, counted in SQL from the
//! [`facts`](crate::facts) recorded as things happened, in the workshop's time zone, with the
//! previous period of the same length beside every total. Owners and staff read it, API tokens
//! with `ANALYTICS_READ`. Basic gets the totals and the series; the other parts are Premium and
//! up (`advancedAnalytics`). Every figure can be drilled into with the `leads` and
//! `conversations` filters (see the README, "Analytics").

/// The statements, public for the benchmark that runs them through `pgbench`.
pub mod sql;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{
    BigInt, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::accounts::workshop::Weekday;
use crate::auth::{ApiScope, Tenant};
use crate::catalog::{Service, ServiceLoader};
use crate::chat::{Conversation, ConversationLoader, client_keys};
use crate::context::Ctx;
use crate::db::schema::workshops;
use crate::error::{ApiError, ApiResult};
use crate::facts::QuestionIntent;
use crate::ids::{self, NodeType};
use crate::money::Money;
use crate::plans::{Entitlements, Feature};

/// The longest range one request may ask for.
pub const MAX_DAYS: i64 = 3 * 366;
/// How many rows a top list returns at most.
const MAX_TOP: i32 = 100;

/// Days in the workshop's time zone, both included.
#[derive(InputObject, Clone, Copy)]
pub struct AnalyticsRangeInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Granularity {
    #[default]
    Day,
    /// Weeks from Monday.
    Week,
    Month,
}

impl Granularity {
    pub fn unit(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// A period: its local days and the instants it spans. `startsAt`/`endsAt` are what the
/// `leads` and `conversations` filters take as `createdAfter`/`createdBefore` to list what the
/// figures of this period count.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalyticsPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl AnalyticsPeriod {
    /// The days `from..=to` in `zone`.
    pub fn of(from: NaiveDate, to: NaiveDate, zone: Tz) -> Self {
        Self {
            from,
            to,
            starts_at: local_midnight(from, zone),
            ends_at: local_midnight(to + Duration::days(1), zone),
        }
    }

    /// The same number of days right before.
    /// The same number of days just before.
    pub fn previous(&self, zone: Tz) -> Self {
        let days = (self.to - self.from).num_days() + 1;
        Self::of(
            self.from - Duration::days(days),
            self.from - Duration::days(1),
            zone,
        )
    }
}

/// The first instant of a local day (midnight, or the first moment after a skipped midnight).
pub fn local_midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let mut local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..=120 {
        if let Some(at) = zone.from_local_datetime(&local).earliest() {
            return at.with_timezone(&Utc);
        }
        local += Duration::minutes(1);
    }
    local.and_utc()
}

/// The range an analytics request asked for, checked.
pub fn checked_range(range: AnalyticsRangeInput) -> ApiResult<(NaiveDate, NaiveDate)> {
    if range.to < range.from {
        return Err(ApiError::BadRequest(
            "`range.to` is before `range.from`.".into(),
        ));
    }
    if (range.to - range.from).num_days() + 1 > MAX_DAYS {
        return Err(ApiError::BadRequest(format!(
            "A range has at most {MAX_DAYS} days."
        )));
    }
    Ok((range.from, range.to))
}

/// What an analytics request reads: one workshop, one period, maybe one widget key.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub tenant: Tenant,
    pub zone: Tz,
    pub period: AnalyticsPeriod,
    pub client_key: Option<Uuid>,
}

impl Scope {
    /// The workshop's time zone (Europe/Berlin when unset or unknown).
    pub async fn zone_of(conn: &mut AsyncPgConnection, tenant: Tenant) -> ApiResult<Tz> {
        let name: String = workshops::table
            .find(tenant.workshop_id())
            .select(workshops::time_zone)
            .first(conn)
            .await?;
        Ok(name.parse().unwrap_or(chrono_tz::Europe::Berlin))
    }
}

/// Binds the common parameters `$1`–`$4` of a statement of [`sql`].
macro_rules! scoped {
    ($sql:expr, $scope:expr) => {
        diesel::sql_query($sql)
            .bind::<SqlUuid, _>($scope.tenant.workshop_id())
            .bind::<Timestamptz, _>($scope.period.starts_at)
            .bind::<Timestamptz, _>($scope.period.ends_at)
            .bind::<Nullable<SqlUuid>, _>($scope.client_key)
    };
}

pub mod csv_export;
pub mod demo;

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// KPIs of the days `range` (the workshop's time zone, both days included; at most three
    /// years), optionally of one widget key, with the series in days, weeks or months.
    async fn analytics(
        &self,
        ctx: &Context<'_>,
        range: AnalyticsRangeInput,
        client_key_id: Option<ID>,
        #[graphql(default)] granularity: Granularity,
    ) -> ApiResult<Analytics> {
        let tenant = ctx.principal().tenant(Some(ApiScope::AnalyticsRead))?;
        let (from, to) = checked_range(range)?;
        let client_key = client_keys::filter_id(client_key_id.as_ref())?;
        // One connection for the whole request: its fields run their statements one after
        // another on it, so that concurrent dashboards share the pool fairly.
        let mut conn = ctx
            .platform()
            .pool
            .get_owned()
            .await
            .map_err(ApiError::from)?;
        let zone = Scope::zone_of(&mut conn, tenant).await?;
        let advanced = Entitlements::load(&mut conn, tenant)
            .await?
            .require(Feature::AdvancedAnalytics);
        let period = AnalyticsPeriod::of(from, to, zone);
        Ok(Analytics {
            scope: Scope {
                tenant,
                zone,
                period,
                client_key,
            },
            previous: period.previous(zone),
            granularity,
            advanced: advanced.err(),
            conn: tokio::sync::Mutex::new(Some(conn)),
        })
    }
}

pub struct Analytics {
    scope: Scope,
    previous: AnalyticsPeriod,
    granularity: Granularity,
    /// Why the Premium parts are refused, when they are.
    advanced: Option<ApiError>,
    /// The request's one connection (see `analytics`); taken from the pool when first needed.
    pub(crate) conn: tokio::sync::Mutex<Option<OwnedConn>>,
}

type OwnedConn = bb8::PooledConnection<
    'static,
    diesel_async::pooled_connection::AsyncDieselConnectionManager<AsyncPgConnection>,
>;

impl Analytics {
    fn advanced(&self) -> ApiResult<()> {
        match &self.advanced {
            Some(refused) => Err(refused.clone()),
            None => Ok(()),
        }
    }

    async fn conn(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<tokio::sync::MappedMutexGuard<'_, AsyncPgConnection>> {
        let mut slot = self.conn.lock().await;
        if slot.is_none() {
            *slot = Some(
                ctx.platform()
                    .pool
                    .get_owned()
                    .await
                    .map_err(ApiError::from)?,
            );
        }
        Ok(tokio::sync::MutexGuard::map(slot, |slot| match slot {
            Some(conn) => &mut **conn,
            None => unreachable!("filled above"),
        }))
    }

    fn previous_scope(&self) -> Scope {
        Scope {
            period: self.previous,
            ..self.scope
        }
    }
}

/// A count of this period beside the previous one.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct Kpi {
    pub value: i64,
    pub previous: i64,
    /// `(value − previous) / previous`; `null` when the previous period had none.
    pub change: Option<f64>,
}

impl Kpi {
    fn of(value: i64, previous: i64) -> Self {
        Self {
            value,
            previous,
            change: (previous != 0).then(|| (value - previous) as f64 / previous as f64),
        }
    }
}

/// A share of this period beside the previous one.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    /// `numerator / denominator`; `null` when the denominator is 0.
    pub value: Option<f64>,
    pub previous: Option<f64>,
}

impl Rate {
    fn of(numerator: i64, denominator: i64, previous: (i64, i64)) -> Self {
        let share = |n: i64, d: i64| (d != 0).then(|| n as f64 / d as f64);
        Self {
            numerator,
            denominator,
            value: share(numerator, denominator),
            previous: share(previous.0, previous.1),
        }
    }
}

/// An amount of this period beside the previous one.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct MoneyKpi {
    pub value: Money,
    pub previous: Money,
}

fn eur(cents: i64) -> Money {
    Money::eur(i32::try_from(cents).unwrap_or(i32::MAX))
}

#[derive(QueryableByName, Debug, Clone, Copy, Default)]
struct TotalsRow {
    #[diesel(sql_type = BigInt)]
    widget_opens: i64,
    #[diesel(sql_type = BigInt)]
    conversations: i64,
    #[diesel(sql_type = BigInt)]
    converted: i64,
    #[diesel(sql_type = BigInt)]
    visitor_messages: i64,
    #[diesel(sql_type = BigInt)]
    leads: i64,
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = BigInt)]
    pipeline_cents: i64,
    #[diesel(sql_type = BigInt)]
    won_cents: i64,
}

async fn totals_of(conn: &mut AsyncPgConnection, scope: Scope) -> ApiResult<TotalsRow> {
    Ok(scoped!(sql::TOTALS, scope).get_result(conn).await?)
}

/// The period's totals, each beside the previous period's.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct AnalyticsTotals {
    /// Times a visitor opened the chat window.
    pub widget_opens: Kpi,
    /// Conversations started in the period in which the visitor wrote (each counted once).
    pub conversations: Kpi,
    pub visitor_messages: Kpi,
    /// Leads submitted in the period.
    pub leads: Kpi,
    /// Conversations of the period that led to a lead, of all conversations of the period.
    pub conversation_to_lead: Rate,
    /// Leads of the period that are won now, of all leads of the period.
    pub lead_to_won: Rate,
    /// Leads of the period still open (not won or lost), at the middle of their estimates.
    pub pipeline_value: MoneyKpi,
    /// Leads of the period won, at the middle of their estimates.
    pub won_value: MoneyKpi,
}

#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesPoint {
    /// The bucket's first day within the range.
    pub start: NaiveDate,
    /// Its last day within the range.
    pub end: NaiveDate,
    /// The first instant of `start` and the first after `end` in the workshop's time zone: the
    /// `createdAfter`/`createdBefore` that list what this point counts.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub widget_opens: i64,
    pub conversations: i64,
    pub visitor_messages: i64,
    pub leads: i64,
}

#[derive(QueryableByName)]
struct SeriesRow {
    #[diesel(sql_type = Date)]
    start: NaiveDate,
    #[diesel(sql_type = Date)]
    end: NaiveDate,
    #[diesel(sql_type = BigInt)]
    widget_opens: i64,
    #[diesel(sql_type = BigInt)]
    conversations: i64,
    #[diesel(sql_type = BigInt)]
    visitor_messages: i64,
    #[diesel(sql_type = BigInt)]
    leads: i64,
}

/// Conversations that started in one hour of one weekday (local time).
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeakHour {
    pub weekday: Weekday,
    /// 0–23.
    pub hour: i32,
    pub conversations: i64,
}

#[derive(QueryableByName)]
struct PeakRow {
    #[diesel(sql_type = Integer)]
    weekday: i32,
    #[diesel(sql_type = Integer)]
    hour: i32,
    #[diesel(sql_type = BigInt)]
    conversations: i64,
}

/// How long new leads waited for the workshop's first action on them (a status change, a note
/// or a reply in the chat). Percentiles are interpolated; `null` while no lead was answered.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct ResponseTime {
    /// Leads of the period.
    pub leads: i64,
    /// Of them, answered so far.
    pub responded: i64,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    /// The same counting the workshop's opening hours only.
    pub opening_hours_median_seconds: Option<f64>,
    pub opening_hours_p90_seconds: Option<f64>,
}

#[derive(QueryableByName)]
struct ResponseRow {
    #[diesel(sql_type = BigInt)]
    leads: i64,
    #[diesel(sql_type = BigInt)]
    responded: i64,
    #[diesel(sql_type = Nullable<Double>)]
    median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    p90: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    open_median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    open_p90: Option<f64>,
}

/// Questions the assistant answered that asked for one thing.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionCount {
    pub intent: QuestionIntent,
    pub questions: i64,
    /// Of them, answered from the catalog.
    pub matched: i64,
}

#[derive(QueryableByName)]
struct QuestionRow {
    #[diesel(sql_type = Text)]
    intent: String,
    #[diesel(sql_type = BigInt)]
    questions: i64,
    #[diesel(sql_type = BigInt)]
    matched: i64,
}

/// A service visitors asked about or requested.
pub struct ServiceDemand {
    tenant: Tenant,
    service_id: Uuid,
    leads: i64,
    answers: i64,
}

#[Object]
impl ServiceDemand {
    async fn service_id(&self) -> ID {
        ids::encode(NodeType::Service, self.service_id)
    }

    /// The service (also when it has been deleted since).
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Service>> {
        Ok(ctx
            .loader::<ServiceLoader>()
            .load_one((self.tenant, self.service_id))
            .await?
            .map(Service))
    }

    /// Leads of the period that requested it.
    async fn leads(&self) -> i64 {
        self.leads
    }

    /// Assistant answers of the period that quoted it.
    async fn answers(&self) -> i64 {
        self.answers
    }
}

#[derive(QueryableByName)]
struct ServiceRow {
    #[diesel(sql_type = SqlUuid)]
    service_id: Uuid,
    #[diesel(sql_type = BigInt)]
    leads: i64,
    #[diesel(sql_type = BigInt)]
    answers: i64,
}

/// Questions asked the same way that the catalog could not answer: the owner's to-do list.
pub struct UnansweredQuestion {
    tenant: Tenant,
    row: UnansweredRow,
}

#[derive(QueryableByName)]
struct UnansweredRow {
    #[diesel(sql_type = Text)]
    question: String,
    #[diesel(sql_type = BigInt)]
    asked: i64,
    #[diesel(sql_type = Timestamptz)]
    last_asked_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    conversation_id: Uuid,
}

#[Object]
impl UnansweredQuestion {
    /// The latest wording.
    async fn question(&self) -> &str {
        &self.row.question
    }

    async fn count(&self) -> i64 {
        self.row.asked
    }

    async fn last_asked_at(&self) -> DateTime<Utc> {
        self.row.last_asked_at
    }

    /// The conversation it was last asked in.
    async fn conversation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Conversation>> {
        Ok(ctx
            .loader::<ConversationLoader>()
            .load_one((self.tenant, self.row.conversation_id))
            .await?
            .map(|row| Conversation {
                row,
                tenant: self.tenant,
            }))
    }
}

/// A page (origin and path) where conversations started.
#[derive(SimpleObject, QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct PageActivity {
    #[diesel(sql_type = Text)]
    pub page: String,
    #[diesel(sql_type = BigInt)]
    pub conversations: i64,
    #[diesel(sql_type = BigInt)]
    pub leads: i64,
}

/// What one widget key brought in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyActivity {
    pub client_key_id: ID,
    pub label: String,
    pub widget_opens: i64,
    pub conversations: i64,
    pub visitor_messages: i64,
    pub leads: i64,
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = BigInt)]
    widget_opens: i64,
    #[diesel(sql_type = BigInt)]
    conversations: i64,
    #[diesel(sql_type = BigInt)]
    visitor_messages: i64,
    #[diesel(sql_type = BigInt)]
    leads: i64,
}

fn top(first: Option<i32>, default: i32) -> i64 {
    i64::from(first.unwrap_or(default).clamp(0, MAX_TOP))
}

#[Object]
impl Analytics {
    /// The period asked for.
    async fn period(&self) -> AnalyticsPeriod {
        self.scope.period
    }

    /// The period the totals are compared with: as many days, right before.
    async fn previous_period(&self) -> AnalyticsPeriod {
        self.previous
    }

    /// The workshop's time zone the days are counted in.
    async fn time_zone(&self) -> String {
        self.scope.zone.name().to_owned()
    }

    async fn granularity(&self) -> Granularity {
        self.granularity
    }

    async fn totals(&self, ctx: &Context<'_>) -> ApiResult<AnalyticsTotals> {
        let mut conn = self.conn(ctx).await?;
        let now = totals_of(&mut conn, self.scope).await?;
        let before = totals_of(&mut conn, self.previous_scope()).await?;
        Ok(AnalyticsTotals {
            widget_opens: Kpi::of(now.widget_opens, before.widget_opens),
            conversations: Kpi::of(now.conversations, before.conversations),
            visitor_messages: Kpi::of(now.visitor_messages, before.visitor_messages),
            leads: Kpi::of(now.leads, before.leads),
            conversation_to_lead: Rate::of(
                now.converted,
                now.conversations,
                (before.converted, before.conversations),
            ),
            lead_to_won: Rate::of(now.won, now.leads, (before.won, before.leads)),
            pipeline_value: MoneyKpi {
                value: eur(now.pipeline_cents),
                previous: eur(before.pipeline_cents),
            },
            won_value: MoneyKpi {
                value: eur(now.won_cents),
                previous: eur(before.won_cents),
            },
        })
    }

    /// One point per day, week or month of the period, empty ones included.
    async fn series(&self, ctx: &Context<'_>) -> ApiResult<Vec<SeriesPoint>> {
        self.load_series(&mut *self.conn(ctx).await?).await
    }

    /// Conversations by weekday and hour: all 168 cells, Monday 0:00 first (Premium).
    async fn peak_hours(&self, ctx: &Context<'_>) -> ApiResult<Vec<PeakHour>> {
        self.advanced()?;
        self.load_peak_hours(&mut *self.conn(ctx).await?).await
    }

    /// Time to the first action on the period's leads (Premium).
    async fn response_time(&self, ctx: &Context<'_>) -> ApiResult<ResponseTime> {
        self.advanced()?;
        self.load_response_time(&mut *self.conn(ctx).await?).await
    }

    /// The questions the assistant answered, by what they asked for, most asked first (Premium).
    async fn top_questions(&self, ctx: &Context<'_>) -> ApiResult<Vec<QuestionCount>> {
        self.advanced()?;
        self.load_questions(&mut *self.conn(ctx).await?).await
    }

    /// Services by leads that requested them, then by answers that quoted them (Premium).
    async fn top_services(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<Vec<ServiceDemand>> {
        self.advanced()?;
        self.load_services(&mut *self.conn(ctx).await?, top(Some(first), 10))
            .await
    }

    /// Questions about prices, durations or services the catalog had no answer to, grouped by
    /// their words, most asked first (Premium).
    async fn unanswered_questions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> ApiResult<Vec<UnansweredQuestion>> {
        self.advanced()?;
        self.load_unanswered(&mut *self.conn(ctx).await?, top(Some(first), 20))
            .await
    }

    /// Pages where conversations started, with the leads they brought (Premium).
    async fn top_pages(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<Vec<PageActivity>> {
        self.advanced()?;
        self.load_pages(&mut *self.conn(ctx).await?, top(Some(first), 10))
            .await
    }

    /// Every widget key of the workshop (or the one asked for) with what it brought (Premium).
    async fn client_keys(&self, ctx: &Context<'_>) -> ApiResult<Vec<ClientKeyActivity>> {
        self.advanced()?;
        self.load_client_keys(&mut *self.conn(ctx).await?).await
    }
}

/// The parts, for the resolvers above and the CSV exports.
impl Analytics {
    pub(crate) async fn load_series(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> ApiResult<Vec<SeriesPoint>> {
        let rows: Vec<SeriesRow> = scoped!(sql::SERIES, self.scope)
            .bind::<Text, _>(self.scope.zone.name())
            .bind::<Text, _>(self.granularity.unit())
            .bind::<Date, _>(self.scope.period.from)
            .bind::<Date, _>(self.scope.period.to)
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SeriesPoint {
                start: r.start,
                end: r.end,
                starts_at: local_midnight(r.start, self.scope.zone),
                ends_at: local_midnight(r.end + Duration::days(1), self.scope.zone),
                widget_opens: r.widget_opens,
                conversations: r.conversations,
                visitor_messages: r.visitor_messages,
                leads: r.leads,
            })
            .collect())
    }

    pub(crate) async fn load_peak_hours(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> ApiResult<Vec<PeakHour>> {
        let rows: Vec<PeakRow> = scoped!(sql::PEAK_HOURS, self.scope)
            .bind::<Text, _>(self.scope.zone.name())
            .load(conn)
            .await?;
        let mut cells = Vec::with_capacity(7 * 24);
        for (day, weekday) in WEEK.iter().enumerate() {
            for hour in 0..24 {
                let conversations = rows
                    .iter()
                    .find(|r| r.weekday == day as i32 + 1 && r.hour == hour)
                    .map_or(0, |r| r.conversations);
                cells.push(PeakHour {
                    weekday: *weekday,
                    hour,
                    conversations,
                });
            }
        }
        Ok(cells)
    }

    pub(crate) async fn load_response_time(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> ApiResult<ResponseTime> {
        let row: ResponseRow = scoped!(sql::RESPONSE_TIME, self.scope)
            .get_result(conn)
            .await?;
        Ok(ResponseTime {
            leads: row.leads,
            responded: row.responded,
            median_seconds: row.median,
            p90_seconds: row.p90,
            opening_hours_median_seconds: row.open_median,
            opening_hours_p90_seconds: row.open_p90,
        })
    }

    pub(crate) async fn load_questions(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> ApiResult<Vec<QuestionCount>> {
        let rows: Vec<QuestionRow> = scoped!(sql::QUESTIONS, self.scope).load(conn).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(QuestionCount {
                    intent: QuestionIntent::parse(&r.intent)?,
                    questions: r.questions,
                    matched: r.matched,
                })
            })
            .collect())
    }

    pub(crate) async fn load_services(
        &self,
        conn: &mut AsyncPgConnection,
        first: i64,
    ) -> ApiResult<Vec<ServiceDemand>> {
        let rows: Vec<ServiceRow> = scoped!(sql::SERVICES, self.scope)
            .bind::<BigInt, _>(first)
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| ServiceDemand {
                tenant: self.scope.tenant,
                service_id: r.service_id,
                leads: r.leads,
                answers: r.answers,
            })
            .collect())
    }

    pub(crate) async fn load_unanswered(
        &self,
        conn: &mut AsyncPgConnection,
        first: i64,
    ) -> ApiResult<Vec<UnansweredQuestion>> {
        let rows: Vec<UnansweredRow> = scoped!(sql::UNANSWERED, self.scope)
            .bind::<BigInt, _>(first)
            .load(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| UnansweredQuestion {
                tenant: self.scope.tenant,
                row,
            })
            .collect())
    }

    pub(crate) async fn load_pages(
        &self,
        conn: &mut AsyncPgConnection,
        first: i64,
    ) -> ApiResult<Vec<PageActivity>> {
        Ok(scoped!(sql::PAGES, self.scope)
            .bind::<BigInt, _>(first)
            .load(conn)
            .await?)
    }

    pub(crate) async fn load_client_keys(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> ApiResult<Vec<ClientKeyActivity>> {
        let rows: Vec<KeyRow> = scoped!(sql::CLIENT_KEYS, self.scope).load(conn).await?;
        Ok(rows
            .into_iter()
            .map(|r| ClientKeyActivity {
                client_key_id: ids::encode(NodeType::ClientKey, r.id),
                label: r.label,
                widget_opens: r.widget_opens,
                conversations: r.conversations,
                visitor_messages: r.visitor_messages,
                leads: r.leads,
            })
            .collect())
    }
}

const WEEK: [Weekday; 7] = Weekday::ALL;
