//! CSV downloads for spreadsheets: the leads and the conversations of a range (one row each,
//! streamed from the database so that a year of a busy workshop never sits in memory) and every
//! KPI table of `analytics`. Written for German Excel: UTF-8 with a byte-order mark, `;` between
//! cells, decimal commas, times in the workshop's time zone, and cells that a spreadsheet would
//! run as a formula defused with a leading `'`. The `carbot` binary serves them at
//! `GET /exports/{name}.csv` (see the README).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::sql_types::{
    Array, BigInt, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{AnalyticsPeriod, Granularity, Scope, checked_range};
use crate::auth::{ApiScope, Principal};
use crate::catalog::csv_io::defuse;
use crate::chat::client_keys;
use crate::db::{Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::plans::{Entitlements, Feature};

/// The downloads, by the name in their address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Leads,
    Conversations,
    Series,
    PeakHours,
    Questions,
    Services,
    Unanswered,
    Pages,
    ClientKeys,
}

impl Export {
    pub const ALL: [Self; 9] = [
        Self::Leads,
        Self::Conversations,
        Self::Series,
        Self::PeakHours,
        Self::Questions,
        Self::Services,
        Self::Unanswered,
        Self::Pages,
        Self::ClientKeys,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Leads => "leads",
            Self::Conversations => "conversations",
            Self::Series => "series",
            Self::PeakHours => "peak-hours",
            Self::Questions => "questions",
            Self::Services => "services",
            Self::Unanswered => "unanswered",
            Self::Pages => "pages",
            Self::ClientKeys => "client-keys",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Leads and conversations hold personal data and need the scope for leads.
    fn scope(self) -> ApiScope {
        match self {
            Self::Leads | Self::Conversations => ApiScope::LeadsRead,
            _ => ApiScope::AnalyticsRead,
        }
    }

    /// The KPI tables beyond the series are Premium's, like their fields.
    fn advanced(self) -> bool {
        !matches!(self, Self::Leads | Self::Conversations | Self::Series)
    }
}

/// What a download asks for (the address's query).
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub client_key_id: Option<String>,
    pub granularity: Granularity,
}

/// The pieces of a download, in order; an error ends it early (the HTTP body breaks off, so a
/// cut file is never taken for a whole one).
pub type Chunks = mpsc::Receiver<Result<Vec<u8>, std::io::Error>>;

/// Checks who asks, how often (`limits::export`, counted in `limiter` for `client_ip`) and
/// what their plan allows, then writes the file in the background as it is read; the receiver
/// gets it in pieces of about 32 KB.
pub async fn start(
    pool: &Pool,
    limiter: &dyn crate::limits::RateLimiter,
    client_ip: Option<std::net::IpAddr>,
    principal: &Principal,
    export: Export,
    request: ExportRequest,
) -> ApiResult<Chunks> {
    let tenant = principal.tenant(Some(export.scope()))?;
    crate::limits::export(limiter, tenant.workshop_id(), client_ip).await?;
    let (from, to) = checked_range(super::AnalyticsRangeInput {
        from: request.from,
        to: request.to,
    })?;
    let client_key = client_keys::filter_id(request.client_key_id.map(async_graphql::ID).as_ref())?;
    let mut conn = pool.get_owned().await.map_err(ApiError::from)?;
    let entitlements = Entitlements::load(&mut conn, tenant).await?;
    entitlements.require(Feature::CsvExport)?;
    if export.advanced() {
        entitlements.require(Feature::AdvancedAnalytics)?;
    }
    let zone = Scope::zone_of(&mut conn, tenant).await?;
    let scope = Scope {
        tenant,
        zone,
        period: AnalyticsPeriod::of(from, to, zone),
        client_key,
    };
    let (sender, receiver) = mpsc::channel(4);
    let granularity = request.granularity;
    tokio::spawn(async move {
        let mut out = Sheet::new(sender.clone(), zone);
        let written = write(&mut conn, &mut out, export, scope, granularity).await;
        match written {
            Ok(()) => out.finish().await,
            Err(error) => {
                tracing::error!(?error, export = export.name(), "writing a CSV export");
                let _ = sender
                    .send(Err(std::io::Error::other("the export failed")))
                    .await;
            }
        }
    });
    Ok(receiver)
}

/// A CSV file being written in pieces.
struct Sheet {
    writer: csv::Writer<Vec<u8>>,
    sender: mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    zone: Tz,
    /// False once the reader has gone (the download was cancelled).
    open: bool,
}

const PIECE: usize = 32 * 1024;

fn csv_writer(into: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().delimiter(b';').from_writer(into)
}

impl Sheet {
    fn new(sender: mpsc::Sender<Result<Vec<u8>, std::io::Error>>, zone: Tz) -> Self {
        let mut bom = Vec::with_capacity(PIECE + 1024);
        bom.extend_from_slice("\u{feff}".as_bytes());
        Self {
            writer: csv_writer(bom),
            sender,
            zone,
            open: true,
        }
    }

    async fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let text: Vec<String> = cells.iter().map(|c| c.text(self.zone)).collect();
        self.writer
            .write_record(&text)
            .map_err(ApiError::internal)?;
        if self.writer.get_ref().len() >= PIECE {
            self.send().await;
        }
        Ok(())
    }

    async fn send(&mut self) {
        let writer = std::mem::replace(
            &mut self.writer,
            csv_writer(Vec::with_capacity(PIECE + 1024)),
        );
        let Ok(piece) = writer.into_inner() else {
            return;
        };
        if self.open && self.sender.send(Ok(piece)).await.is_err() {
            self.open = false;
        }
    }

    async fn finish(mut self) {
        self.send().await;
    }
}

/// One cell's value.
enum Cell {
    Text(String),
    Number(i64),
    /// Euro cents, written as euros with a decimal comma.
    Euros(Option<i64>),
    Time(Option<DateTime<Utc>>),
    Day(Option<NaiveDate>),
}

impl Cell {
    fn text(&self, zone: Tz) -> String {
        match self {
            Self::Text(text) => defuse(text),
            Self::Number(n) => n.to_string(),
            Self::Euros(None) | Self::Time(None) | Self::Day(None) => String::new(),
            Self::Euros(Some(cents)) => {
                let sign = if *cents < 0 { "-" } else { "" };
                format!("{sign}{},{:02}", cents.abs() / 100, cents.abs() % 100)
            }
            Self::Time(Some(at)) => at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            Self::Day(Some(day)) => day.to_string(),
        }
    }
}

/// A text cell a spreadsheet would read as a formula gets a leading `'`.
fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

async fn write(
    conn: &mut Conn<'static>,
    out: &mut Sheet,
    export: Export,
    scope: Scope,
    granularity: Granularity,
) -> ApiResult<()> {
    let analytics = super::Analytics {
        scope,
        previous: scope.period,
        granularity,
        advanced: None,
        conn: tokio::sync::Mutex::new(None),
    };
    match export {
        Export::Leads => leads(conn, out, scope).await,
        Export::Conversations => conversations(conn, out, scope).await,
        Export::Series => {
            out.row(&[
                text("start"),
                text("end"),
                text("widget_opens"),
                text("conversations"),
                text("visitor_messages"),
                text("leads"),
            ])
            .await?;
            for p in analytics.load_series(conn).await? {
                out.row(&[
                    Cell::Day(Some(p.start)),
                    Cell::Day(Some(p.end)),
                    Cell::Number(p.widget_opens),
                    Cell::Number(p.conversations),
                    Cell::Number(p.visitor_messages),
                    Cell::Number(p.leads),
                ])
                .await?;
            }
            Ok(())
        }
        Export::PeakHours => {
            out.row(&[text("weekday"), text("hour"), text("conversations")])
                .await?;
            for c in analytics.load_peak_hours(conn).await? {
                let weekday = format!("{:?}", c.weekday).to_uppercase();
                out.row(&[
                    text(weekday),
                    Cell::Number(c.hour.into()),
                    Cell::Number(c.conversations),
                ])
                .await?;
            }
            Ok(())
        }
        Export::Questions => {
            out.row(&[text("intent"), text("questions"), text("matched")])
                .await?;
            for q in analytics.load_questions(conn).await? {
                out.row(&[
                    text(q.intent.as_str()),
                    Cell::Number(q.questions),
                    Cell::Number(q.matched),
                ])
                .await?;
            }
            Ok(())
        }
        Export::Services => {
            out.row(&[text("service"), text("leads"), text("answers")])
                .await?;
            let demand = analytics.load_services(conn, super::MAX_TOP.into()).await?;
            let ids: Vec<Uuid> = demand.iter().map(|d| d.service_id).collect();
            let names = crate::catalog::services_by_id(conn, scope.tenant, &ids).await?;
            for d in demand {
                let name = names
                    .iter()
                    .find(|s| s.id == d.service_id)
                    .map_or_else(String::new, |s| s.name.clone());
                out.row(&[text(name), Cell::Number(d.leads), Cell::Number(d.answers)])
                    .await?;
            }
            Ok(())
        }
        Export::Unanswered => {
            out.row(&[text("question"), text("count"), text("last_asked_at")])
                .await?;
            for u in analytics
                .load_unanswered(conn, super::MAX_TOP.into())
                .await?
            {
                out.row(&[
                    text(u.row.question),
                    Cell::Number(u.row.asked),
                    Cell::Time(Some(u.row.last_asked_at)),
                ])
                .await?;
            }
            Ok(())
        }
        Export::Pages => {
            out.row(&[text("page"), text("conversations"), text("leads")])
                .await?;
            for p in analytics.load_pages(conn, super::MAX_TOP.into()).await? {
                out.row(&[
                    text(p.page),
                    Cell::Number(p.conversations),
                    Cell::Number(p.leads),
                ])
                .await?;
            }
            Ok(())
        }
        Export::ClientKeys => {
            out.row(&[
                text("client_key"),
                text("widget_opens"),
                text("conversations"),
                text("visitor_messages"),
                text("leads"),
            ])
            .await?;
            for k in analytics.load_client_keys(conn).await? {
                out.row(&[
                    text(k.label),
                    Cell::Number(k.widget_opens),
                    Cell::Number(k.conversations),
                    Cell::Number(k.visitor_messages),
                    Cell::Number(k.leads),
                ])
                .await?;
            }
            Ok(())
        }
    }
}

#[derive(diesel::QueryableByName)]
struct LeadLine {
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    phone: String,
    #[diesel(sql_type = Text)]
    vehicle_make: String,
    #[diesel(sql_type = Text)]
    vehicle_model: String,
    #[diesel(sql_type = Nullable<Integer>)]
    vehicle_year: Option<i32>,
    #[diesel(sql_type = Text)]
    services: String,
    #[diesel(sql_type = Nullable<Date>)]
    preferred_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    estimated_min_cents: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    estimated_max_cents: Option<i64>,
    #[diesel(sql_type = Text)]
    source_url: String,
    #[diesel(sql_type = Text)]
    client_key: String,
    #[diesel(sql_type = Timestamptz)]
    consent_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    consent_locale: String,
    #[diesel(sql_type = Text)]
    consent_version: String,
    #[diesel(sql_type = Text)]
    consent_text: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    consent_withdrawn_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    erased_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    first_response_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    message: String,
}

const LEADS_SQL: &str = "
    SELECT l.created_at, l.status, l.name, coalesce(l.email, '') AS email,
        coalesce(l.phone, '') AS phone, coalesce(l.vehicle_make, '') AS vehicle_make,
        coalesce(l.vehicle_model, '') AS vehicle_model, l.vehicle_year,
        coalesce((SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM services s
                  WHERE s.id = ANY (l.service_ids)), '') AS services,
        l.preferred_date, l.estimated_min_cents::bigint AS estimated_min_cents,
        l.estimated_max_cents::bigint AS estimated_max_cents,
        coalesce(l.source_url, '') AS source_url, coalesce(k.label, '') AS client_key,
        l.consent_at, coalesce(l.consent_locale, '') AS consent_locale,
        coalesce(l.consent_text_id::text, '') AS consent_version, l.consent_text,
        l.consent_withdrawn_at, l.erased_at, l.first_response_at,
        coalesce(l.message, '') AS message
    FROM leads l LEFT JOIN client_keys k ON k.id = l.client_key_id
    WHERE l.workshop_id = $1 AND l.created_at >= $2 AND l.created_at < $3
      AND ($4::uuid IS NULL OR l.client_key_id = $4)
    ORDER BY l.created_at, l.id";

async fn leads(conn: &mut AsyncPgConnection, out: &mut Sheet, scope: Scope) -> ApiResult<()> {
    out.row(
        &[
            "created_at",
            "status",
            "name",
            "email",
            "phone",
            "vehicle_make",
            "vehicle_model",
            "vehicle_year",
            "services",
            "preferred_date",
            "estimated_min_eur",
            "estimated_max_eur",
            "source_url",
            "client_key",
            "consent_at",
            "consent_locale",
            "consent_version",
            "consent_text",
            "consent_withdrawn_at",
            "erased_at",
            "first_response_at",
            "message",
        ]
        .map(text),
    )
    .await?;
    let mut rows = scoped!(LEADS_SQL, scope)
        .load_stream::<LeadLine>(conn)
        .await?;
    while let Some(l) = rows.try_next().await? {
        out.row(&[
            Cell::Time(Some(l.created_at)),
            text(l.status),
            text(l.name),
            text(l.email),
            text(l.phone),
            text(l.vehicle_make),
            text(l.vehicle_model),
            l.vehicle_year
                .map_or_else(|| text(""), |y| Cell::Number(y.into())),
            text(l.services),
            Cell::Day(l.preferred_date),
            Cell::Euros(l.estimated_min_cents),
            Cell::Euros(l.estimated_max_cents),
            text(l.source_url),
            text(l.client_key),
            Cell::Time(Some(l.consent_at)),
            text(l.consent_locale),
            text(l.consent_version),
            text(l.consent_text),
            Cell::Time(l.consent_withdrawn_at),
            Cell::Time(l.erased_at),
            Cell::Time(l.first_response_at),
            text(l.message),
        ])
        .await?;
        if !out.open {
            break;
        }
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct ConversationLine {
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    page: String,
    #[diesel(sql_type = Text)]
    client_key: String,
    #[diesel(sql_type = BigInt)]
    visitor_messages: i64,
    #[diesel(sql_type = Integer)]
    messages: i32,
    #[diesel(sql_type = Text)]
    lead_status: String,
    #[diesel(sql_type = Nullable<Integer>)]
    first_response_seconds: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    first_response_open_seconds: Option<i32>,
    #[diesel(sql_type = Text)]
    intents: String,
    #[diesel(sql_type = Array<Text>)]
    flags: Vec<String>,
}

const CONVERSATIONS_SQL: &str = "
    SELECT c.created_at, coalesce(c.page_url, '') AS page, k.label AS client_key,
        (SELECT count(*) FROM facts v WHERE v.conversation_id = c.id
            AND v.kind = 'VISITOR_MESSAGE') AS visitor_messages,
        c.message_count AS messages,
        coalesce((SELECT l.status FROM leads l WHERE l.conversation_id = c.id
                  ORDER BY l.created_at LIMIT 1), '') AS lead_status,
        r.seconds AS first_response_seconds, r.open_seconds AS first_response_open_seconds,
        coalesce((SELECT string_agg(DISTINCT a.intent, ', ') FROM facts a
                  WHERE a.conversation_id = c.id AND a.kind = 'ASSISTANT_ANSWER'), '') AS intents,
        array_remove(ARRAY[
            CASE WHEN c.taken_over_at IS NOT NULL THEN 'taken_over' END,
            CASE WHEN EXISTS (SELECT 1 FROM facts a WHERE a.conversation_id = c.id
                AND a.kind = 'ASSISTANT_ANSWER' AND NOT a.matched
                AND a.intent IN ('PRICE', 'DURATION', 'OTHER')) THEN 'unanswered' END,
            CASE WHEN c.erased_at IS NOT NULL THEN 'erased' END], NULL) AS flags
    FROM conversations c JOIN client_keys k ON k.id = c.client_key_id
    LEFT JOIN LATERAL (SELECT f.seconds, f.open_seconds FROM facts f JOIN leads l ON l.id = f.lead_id
        WHERE l.conversation_id = c.id AND f.kind = 'FIRST_RESPONSE'
        ORDER BY f.at LIMIT 1) r ON true
    WHERE c.workshop_id = $1 AND c.created_at >= $2 AND c.created_at < $3
      AND ($4::uuid IS NULL OR c.client_key_id = $4)
    ORDER BY c.created_at, c.id";

async fn conversations(
    conn: &mut AsyncPgConnection,
    out: &mut Sheet,
    scope: Scope,
) -> ApiResult<()> {
    out.row(
        &[
            "started_at",
            "page",
            "client_key",
            "visitor_messages",
            "messages",
            "lead_status",
            "first_response_seconds",
            "first_response_opening_hours_seconds",
            "question_intents",
            "flags",
        ]
        .map(text),
    )
    .await?;
    let mut rows = scoped!(CONVERSATIONS_SQL, scope)
        .load_stream::<ConversationLine>(conn)
        .await?;
    let seconds = |s: Option<i32>| s.map_or_else(|| text(""), |s| Cell::Number(s.into()));
    while let Some(c) = rows.try_next().await? {
        out.row(&[
            Cell::Time(Some(c.created_at)),
            text(c.page),
            text(c.client_key),
            Cell::Number(c.visitor_messages),
            Cell::Number(c.messages.into()),
            text(c.lead_status),
            seconds(c.first_response_seconds),
            seconds(c.first_response_open_seconds),
            text(c.intents),
            text(c.flags.join(", ")),
        ])
        .await?;
        if !out.open {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_written_for_german_excel() {
        let zone = chrono_tz::Europe::Berlin;
        assert_eq!(Cell::Euros(Some(15_050)).text(zone), "150,50");
        assert_eq!(Cell::Euros(Some(-5)).text(zone), "-0,05");
        assert_eq!(text("=HYPERLINK(\"x\")").text(zone), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+49 170").text(zone), "'+49 170");
        assert_eq!(text("Ölwechsel").text(zone), "Ölwechsel");
        let at = DateTime::parse_from_rfc3339("2026-03-29T21:30:00Z")
            .expect("a time")
            .with_timezone(&Utc);
        assert_eq!(Cell::Time(Some(at)).text(zone), "2026-03-29 23:30:00");
        assert_eq!(Export::parse("peak-hours"), Some(Export::PeakHours));
        assert_eq!(Export::parse("secrets"), None);
    }
}
