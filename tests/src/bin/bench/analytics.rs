//! `analytics`: one workshop with a year of history, over a million facts.
//!
//! - The dashboard's `analytics` query (totals with the previous period, the daily series and
//!   every Premium table) for the last 30 days, through the GraphQL endpoint, against `pgbench`
//!   running the statements the resolvers run (with their parameters written in), both with 4
//!   concurrent clients (half the server's pool).
//! - The conversations and leads exports of the whole year, downloaded from a `carbot serve`
//!   process of their own while its resident memory is sampled: a streamed export adds about
//!   the same whatever the range, a buffered one would add at least the file's size.

use std::time::{Duration, Instant};

use carbot_schema::analytics::{AnalyticsPeriod, sql};
use chrono::{Days, NaiveDate, Utc};
use diesel_async::SimpleAsyncConnection;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::client::{load, request_with};
use crate::endpoint::run_pgbench;
use crate::memory::Server;
use crate::{median, workshop_uuid};

/// Conversations in the year: each has a widget open, its start, three visitor messages with
/// the assistant's answers; every tenth a lead, most of those a first response (≈ 8.17 facts
/// per conversation).
const CONVERSATIONS: u32 = 123_000;
const ZONE: chrono_tz::Tz = chrono_tz::Europe::Berlin;
/// The pool of the test app and of the export's server.
const POOL_SIZE: usize = 8;
/// Concurrent requests, and pgbench's clients: half the pool, so that the server's background
/// workers and its sign-in checks find a connection while every request runs its statements.
const CLIENTS: usize = POOL_SIZE / 2;

/// The dashboard's two documents in one, without the nested service and conversation lookups
/// (which are the catalog's and the chats' loaders, not analytics).
const QUERY: &str = "query($range: AnalyticsRangeInput!) {
  analytics(range: $range, granularity: DAY) {
    totals {
      widgetOpens { value previous } conversations { value previous }
      visitorMessages { value previous } leads { value previous }
      conversationToLead { value previous } leadToWon { value previous }
      pipelineValue { value { amountCents } } wonValue { value { amountCents } }
    }
    series { start widgetOpens conversations visitorMessages leads }
    peakHours { weekday hour conversations }
    responseTime { leads responded medianSeconds p90Seconds openingHoursMedianSeconds openingHoursP90Seconds }
    topQuestions { intent questions matched }
    topServices(first: 10) { serviceId leads answers }
    unansweredQuestions(first: 20) { question count lastAskedAt }
    topPages(first: 10) { page conversations leads }
    clientKeys { clientKeyId widgetOpens conversations visitorMessages leads }
  }
}";

pub async fn run(seconds: u64) -> anyhow::Result<()> {
    let app = carbot_tests::TestApp::new().await;
    let owner = app
        .register("bench@analytics.example", "Autohaus Analytics")
        .await;
    app.subscribe(&owner, "PREMIUM").await;
    let workshop = workshop_uuid(&owner)?;

    let started = Instant::now();
    let mut conn = app.db().await;
    conn.batch_execute(&history_sql(workshop)).await?;
    let facts: i64 = scalar(&mut conn, "SELECT count(*) AS n FROM facts").await?;
    println!(
        "analytics — one workshop, {facts} facts over a year ({CONVERSATIONS} conversations), \
         generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    anyhow::ensure!(facts >= 1_000_000, "only {facts} facts were generated");

    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let month_from = today - Days::new(29);
    let year_from = today - Days::new(364);

    query_vs_pgbench(&app, &owner, workshop, month_from, today, seconds).await?;
    exports(&app, &owner, (month_from, year_from, today)).await
}

async fn query_vs_pgbench(
    app: &carbot_tests::TestApp,
    owner: &carbot_tests::Owner,
    workshop: uuid::Uuid,
    from: NaiveDate,
    to: NaiveDate,
    seconds: u64,
) -> anyhow::Result<()> {
    let body: &'static str = Box::leak(
        json!({
            "query": QUERY,
            "variables": { "range": { "from": from.to_string(), "to": to.to_string() } }
        })
        .to_string()
        .into_boxed_str(),
    );
    let bearer: &'static str = Box::leak(format!("Bearer {}", owner.access_token).into_boxed_str());
    let addr = app.url.trim_start_matches("http://").to_owned();
    let (status, answer) = request_with(&addr, Some(bearer), body).await?;
    let answer: Value = serde_json::from_str(&answer)?;
    let analytics = &answer["data"]["analytics"];
    anyhow::ensure!(
        status == 200
            && answer["errors"].is_null()
            && analytics["totals"]["conversations"]["value"].as_i64() > Some(9_000)
            && analytics["series"].as_array().map(Vec::len) == Some(30)
            && analytics["unansweredQuestions"]
                .as_array()
                .is_some_and(|u| !u.is_empty()),
        "the analytics query answered {status} {answer}"
    );

    let script = std::env::temp_dir().join(format!("carbot-analytics-{}.sql", std::process::id()));
    std::fs::write(&script, pgbench_script(workshop, from, to))?;
    let round = Duration::from_secs(seconds);
    let (mut graphql, mut pgbench) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        graphql.push(load(&addr, CLIENTS, round, Some(bearer), body).await?);
        pgbench.push(run_pgbench(&app.database_url, &script, CLIENTS, seconds)?);
    }
    let _ = std::fs::remove_file(&script);
    let (graphql, pgbench) = (median(graphql), median(pgbench));
    println!(
        "  the dashboard's analytics of 30 days — {CLIENTS} HTTP connections vs pgbench with \
         {CLIENTS} clients (half the pool), 3 × {seconds} s, medians:"
    );
    println!("    pgbench, the same 12 statements: {pgbench:>8.2} runs/s");
    println!("    GraphQL analytics:               {graphql:>8.2} req/s");
    println!(
        "    {}",
        crate::aims::check(
            "analytics: GraphQL / pgbench",
            graphql / pgbench,
            crate::aims::Aim::AtLeast(0.8)
        )
    );
    Ok(())
}

/// The statements one `analytics` request runs, in order, as one pgbench transaction: the
/// workshop's time zone and plan, the totals of the period and of the one before, then one
/// statement per field.
fn pgbench_script(workshop: uuid::Uuid, from: NaiveDate, to: NaiveDate) -> String {
    let period = AnalyticsPeriod::of(from, to, ZONE);
    let previous = period.previous(ZONE);
    let scoped = |statement: &str, period: AnalyticsPeriod, rest: &[String]| {
        // `$5`… before `$1`…`$4` is not needed: no statement has ten parameters.
        let mut text = statement
            .replace("$1", &format!("'{workshop}'::uuid"))
            .replace(
                "$2",
                &format!("'{}'::timestamptz", period.starts_at.to_rfc3339()),
            )
            .replace(
                "$3",
                &format!("'{}'::timestamptz", period.ends_at.to_rfc3339()),
            )
            .replace("$4", "NULL::uuid");
        for (n, value) in rest.iter().enumerate() {
            text = text.replace(&format!("${}", n + 5), value);
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ") + ";\n"
    };
    let zone = format!("'{}'::text", ZONE.name());
    let limit = |n: u32| format!("{n}::bigint");
    let mut script = format!(
        "SELECT time_zone FROM workshops WHERE id = '{workshop}';\n\
         SELECT plan_code, billing_status, trial_ends_at, access_until FROM workshops WHERE id = '{workshop}';\n"
    );
    script += &scoped(sql::TOTALS, period, &[]);
    script += &scoped(sql::TOTALS, previous, &[]);
    script += &scoped(
        sql::SERIES,
        period,
        &[
            zone.clone(),
            "'day'::text".to_owned(),
            format!("'{from}'::date"),
            format!("'{to}'::date"),
        ],
    );
    script += &scoped(sql::PEAK_HOURS, period, std::slice::from_ref(&zone));
    script += &scoped(sql::RESPONSE_TIME, period, &[]);
    script += &scoped(sql::QUESTIONS, period, &[]);
    script += &scoped(sql::SERVICES, period, &[limit(10)]);
    // pgbench reads `:name` as one of its variables, also inside a literal: the same pattern,
    // spelt in pieces that the planner folds into one constant.
    let unanswered = sql::UNANSWERED.replace(
        "'[[:punct:][:space:]]+'",
        "('[[' || ':' || 'punct' || ':][' || ':' || 'space' || ':]]+')",
    );
    assert_ne!(
        unanswered,
        sql::UNANSWERED,
        "the pattern of UNANSWERED moved"
    );
    script += &scoped(&unanswered, period, &[limit(20)]);
    script += &scoped(sql::PAGES, period, &[limit(10)]);
    script += &scoped(sql::CLIENT_KEYS, period, &[]);
    script
}

/// The year's conversations and leads exports and a month's conversations, from a server
/// process of their own, with its peak resident memory during each download.
async fn exports(
    app: &carbot_tests::TestApp,
    owner: &carbot_tests::Owner,
    (month_from, year_from, to): (NaiveDate, NaiveDate, NaiveDate),
) -> anyhow::Result<()> {
    let server = Server::carbot(&app.database_url).await?;
    println!(
        "  exports from a carbot serve of their own (pool {POOL_SIZE}), peak resident memory \
         above the level before each download:"
    );
    // The first download makes the one-time allocations (pool connections, buffers).
    download(&server, owner, "leads", month_from, to).await?;
    let mut year_growth = Vec::new();
    for (name, from, label) in [
        ("conversations", month_from, "30 days"),
        ("conversations", year_from, "a year"),
        ("leads", year_from, "a year"),
    ] {
        let got = download(&server, owner, name, from, to).await?;
        println!(
            "    {name:<13} of {label:<7}: {:>7} rows, {:>6.1} MB, {:>6.0} ms, memory +{:>5.1} MB",
            got.rows,
            got.bytes as f64 / 1e6,
            got.elapsed.as_secs_f64() * 1e3,
            got.growth_kib / 1024.0
        );
        if from == year_from {
            year_growth.push((name, got));
        }
    }
    for (name, got) in year_growth {
        let ratio = got.growth_kib * 1024.0 / got.bytes as f64;
        println!("    {name} of a year: memory added / file size = {ratio:.3}");
        anyhow::ensure!(
            ratio < 0.25,
            "the {name} export of a year added {:.1} MB for a {:.1} MB file: it is not streamed",
            got.growth_kib / 1024.0,
            got.bytes as f64 / 1e6
        );
    }
    Ok(())
}

struct Download {
    rows: usize,
    bytes: usize,
    elapsed: Duration,
    /// The highest resident memory during the download above the reading before it.
    growth_kib: f64,
}

async fn download(
    server: &Server,
    owner: &carbot_tests::Owner,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Download> {
    let before = server.rss_kib().await?;
    let stream = tokio::net::TcpStream::connect(&server.addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::get(format!("/exports/{name}.csv?from={from}&to={to}"))
        .header("host", &server.addr)
        .header("authorization", format!("Bearer {}", owner.access_token))
        .body(Empty::<Bytes>::new())?;
    let started = Instant::now();
    let response = sender.send_request(request).await?;
    anyhow::ensure!(
        response.status() == 200,
        "GET /exports/{name}.csv answered {}",
        response.status()
    );
    let (mut body, mut bytes, mut rows, mut peak) = (response.into_body(), 0, 0, before);
    let mut sampled = Instant::now();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            bytes += data.len();
            rows += data.iter().filter(|&&b| b == b'\n').count();
        }
        if sampled.elapsed() >= Duration::from_millis(20) {
            peak = peak.max(server.rss_kib_now()?);
            sampled = Instant::now();
        }
    }
    let elapsed = started.elapsed();
    peak = peak.max(server.rss_kib_now()?);
    anyhow::ensure!(rows > 1, "the {name} export had no rows");
    Ok(Download {
        rows: rows - 1,
        bytes,
        elapsed,
        growth_kib: peak - before,
    })
}

async fn scalar(conn: &mut diesel_async::AsyncPgConnection, sql: &str) -> anyhow::Result<i64> {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query(sql).get_result::<Count>(conn).await?.n)
}

/// The year, written as the platform writes it (rows and their facts), in set-based SQL:
/// three widget keys, ten pages, questions of every intent (one in seven without a catalog
/// match), leads in every status with their estimates.
fn history_sql(workshop: uuid::Uuid) -> String {
    format!(
        r"
CREATE TEMP TABLE bench_keys AS
    SELECT gen_random_uuid() AS id, k FROM generate_series(1, 3) k;
INSERT INTO client_keys (id, workshop_id, key, label, allowed_origins)
    SELECT id, '{workshop}', 'cb_pub_' || md5('analytics-bench' || k), 'Website ' || k,
        ARRAY['https://bench.example']
    FROM bench_keys;
CREATE TEMP TABLE bench_services AS
    SELECT array_agg(id ORDER BY name) AS ids FROM services
    WHERE workshop_id = '{workshop}' AND deleted_at IS NULL;
CREATE TEMP TABLE bench_conversations AS
    SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS lead_id,
        now() - make_interval(secs => i::float8 / {CONVERSATIONS} * 365 * 86400) AS at,
        (SELECT id FROM bench_keys WHERE k = 1 + i % 3) AS key,
        'https://bench.example/' || (ARRAY['', 'preise', 'bremsen', 'inspektion', 'reifen',
            'klima', 'tuev', 'oelwechsel', 'kontakt', 'elektro'])[1 + (i * 7) % 10] AS page
    FROM generate_series(1, {CONVERSATIONS}) i;
INSERT INTO conversations (id, workshop_id, client_key_id, locale, page_url, message_count,
        last_message_at, created_at)
    SELECT id, '{workshop}', key, 'de', page, 6, at + interval '2 minutes', at
    FROM bench_conversations;
CREATE TEMP TABLE bench_questions AS
    SELECT c.*, n, gen_random_uuid() AS message_id, c.at + n * interval '40 seconds' AS asked_at,
        (ARRAY['PRICE', 'PRICE', 'DURATION', 'APPOINTMENT', 'OPENING_HOURS', 'SERVICE', 'GREETING',
            'OTHER'])[1 + (i * 3 + n) % 8] AS intent,
        (i + n) % 7 <> 0 AS matched
    FROM bench_conversations c, generate_series(1, 3) n;
INSERT INTO messages (id, conversation_id, workshop_id, role, body, created_at)
    SELECT message_id, id, '{workshop}', 'VISITOR',
        CASE WHEN matched THEN (ARRAY['Was kostet ein Ölwechsel?', 'Wie lange dauert die Inspektion?',
            'Habt ihr am Samstag offen?', 'Bremsen quietschen, was kostet das?', 'Hallo!',
            'Kann ich einen Termin für nächste Woche bekommen?'])[1 + (i + n) % 6]
        ELSE (ARRAY['Macht ihr auch Wohnmobile?', 'Was kostet eine Standheizung?',
            'Repariert ihr Motorräder?'])[1 + i % 3] END,
        asked_at
    FROM bench_questions;
INSERT INTO facts (workshop_id, kind, at, client_key_id)
    SELECT '{workshop}', 'WIDGET_OPENED', at - interval '5 seconds', key FROM bench_conversations;
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, page)
    SELECT '{workshop}', 'CONVERSATION_STARTED', at, key, id, page FROM bench_conversations;
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id)
    SELECT '{workshop}', 'VISITOR_MESSAGE', asked_at, key, id, message_id FROM bench_questions;
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id, intent,
        matched, service_ids)
    SELECT '{workshop}', 'ASSISTANT_ANSWER', asked_at + interval '2 seconds', key, id, message_id,
        intent, matched,
        CASE WHEN matched THEN ARRAY[s.ids[1 + (i + n) % cardinality(s.ids)]] ELSE '{{}}' END
    FROM bench_questions, bench_services s;
INSERT INTO leads (id, workshop_id, conversation_id, client_key_id, status, name, email,
        service_ids, consent_text, consent_at, source_url, estimated_min_cents,
        estimated_max_cents, created_at, updated_at)
    SELECT lead_id, '{workshop}', id, key,
        (ARRAY['NEW', 'CONTACTED', 'QUOTED', 'BOOKED', 'WON', 'LOST'])[1 + (i / 10) % 6],
        'Kunde ' || i, 'kunde' || i || '@bench.example', ARRAY[s.ids[1 + i % cardinality(s.ids)]],
        'Ja, ich bin einverstanden.', at + interval '3 minutes', page,
        5000 + (i % 50) * 1000, 9000 + (i % 50) * 1000,
        at + interval '3 minutes', at + interval '3 minutes'
    FROM bench_conversations, bench_services s WHERE i % 10 = 0;
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id, page,
        service_ids)
    SELECT workshop_id, 'LEAD_SUBMITTED', created_at, client_key_id, conversation_id, id,
        source_url, service_ids
    FROM leads WHERE workshop_id = '{workshop}';
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id, seconds,
        open_seconds)
    SELECT l.workshop_id, 'FIRST_RESPONSE', l.created_at + make_interval(secs => c.i * 37 % 86400),
        l.client_key_id, l.conversation_id, l.id, c.i * 37 % 86400, c.i * 13 % 20000
    FROM leads l JOIN bench_conversations c ON c.lead_id = l.id WHERE c.i % 30 <> 0;
ANALYZE facts, conversations, messages, leads, client_keys;
"
    )
}
