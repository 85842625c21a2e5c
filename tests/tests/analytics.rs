//! Analytics: every figure of a generated week computed by hand (the week of the spring clock
//! change, so that its Sunday has 23 hours), the comparison period, the drill-down returning
//! exactly what was counted, figures unchanged by an erasure, plan gates and scopes, and facts
//! recorded by the real widget, assistant and lead paths.

use carbot_tests::chat::SITE;
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{Owner, TestApp, error_code};
use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

const P1: &str = "https://werkstatt.example/preise";
const P2: &str = "https://werkstatt.example/";

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

async fn text(app: &TestApp, sql: &str) -> String {
    let mut conn = app.db().await;
    let row: Text = diesel::sql_query(sql)
        .get_result(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.text
}

async fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.db().await;
    conn.batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The history: a week of March 2026 (Monday 23 to Sunday 29, the clock going forward on the
/// Sunday) and the week before, written as the platform writes it (rows and their facts).
/// Returns the workshop's uuid, the two services' names.
async fn generate_history(app: &TestApp, owner: &Owner, k1: &str, k2: &str) -> (String, String) {
    let w = text(
        app,
        &format!(
            "SELECT m.workshop_id::text AS text FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = '{}'",
            owner.email
        ),
    )
    .await;
    let key = |k: &str| format!("(SELECT id FROM client_keys WHERE key = '{k}')");
    let (k1, k2) = (key(k1), key(k2));
    let service = |n: u32| {
        format!(
            "(SELECT id FROM services WHERE workshop_id = '{w}' AND deleted_at IS NULL ORDER BY name OFFSET {n} LIMIT 1)"
        )
    };
    let (s1, s2) = (service(0), service(1));
    exec(
        app,
        &format!(
            "UPDATE workshops SET time_zone = 'Europe/Berlin', opening_hours = '[
                {{\"weekday\":\"MONDAY\",\"opens\":\"08:00\",\"closes\":\"17:00\"}},
                {{\"weekday\":\"TUESDAY\",\"opens\":\"08:00\",\"closes\":\"17:00\"}},
                {{\"weekday\":\"WEDNESDAY\",\"opens\":\"08:00\",\"closes\":\"17:00\"}},
                {{\"weekday\":\"THURSDAY\",\"opens\":\"08:00\",\"closes\":\"17:00\"}},
                {{\"weekday\":\"FRIDAY\",\"opens\":\"08:00\",\"closes\":\"17:00\"}}]' WHERE id = '{w}'"
        ),
    )
    .await;
    // Conversations: (id letter, key, start (UTC), page).
    // D Monday 00:15 local (still Sunday in UTC), A Sunday 01:30 CET, B Sunday 23:30 CEST,
    // C Monday 30 00:30 CEST (after the range, though still the 29th in UTC), E opened only,
    // F and G the week before.
    let conversations = [
        ("d", &k1, "2026-03-22 23:15Z", Some(P1)),
        ("a", &k1, "2026-03-29 00:30Z", Some(P1)),
        ("b", &k2, "2026-03-29 21:30Z", Some(P2)),
        ("c", &k1, "2026-03-29 22:30Z", Some(P1)),
        ("e", &k1, "2026-03-25 10:00Z", None),
        ("f", &k1, "2026-03-20 09:00Z", Some(P1)),
        ("g", &k1, "2026-03-21 09:00Z", Some(P1)),
    ];
    for (letter, key, at, page) in conversations {
        let page = page.map_or("NULL".to_owned(), |p| format!("'{p}'"));
        let id = conversation_id(letter);
        exec(
            app,
            &format!(
                "WITH c AS (INSERT INTO conversations (id, workshop_id, client_key_id, locale, page_url, created_at)
                    VALUES ('{id}', '{w}', {key}, 'de', {page}, '{at}')
                    RETURNING *)
                 INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, page)
                    SELECT workshop_id, 'CONVERSATION_STARTED', created_at, client_key_id, id, page_url FROM c"
            ),
        )
        .await;
    }
    // Widget opens: four in the week (one just after Monday's local midnight), three before
    // (one at 23:50 on Sunday the 22nd, local time).
    for (key, at) in [
        (&k1, "2026-03-22 23:10Z"),
        (&k1, "2026-03-25 09:59Z"),
        (&k1, "2026-03-29 00:29Z"),
        (&k2, "2026-03-29 21:29Z"),
        (&k1, "2026-03-22 22:50Z"),
        (&k1, "2026-03-20 08:59Z"),
        (&k1, "2026-03-21 08:59Z"),
    ] {
        exec(
            app,
            &format!(
                "INSERT INTO facts (workshop_id, kind, at, client_key_id) VALUES ('{w}', 'WIDGET_OPENED', '{at}', {key})"
            ),
        )
        .await;
    }
    // Visitor messages with the assistant's reading of them: (conversation, message id digit,
    // at, body, intent, cited services).
    let questions = [
        (
            "d",
            "1",
            "2026-03-22 23:16Z",
            "Was kostet ein Ölwechsel?",
            "PRICE",
            s1.clone(),
        ),
        (
            "a",
            "2",
            "2026-03-29 00:31Z",
            "Macht ihr Wallboxen?",
            "OTHER",
            String::new(),
        ),
        (
            "a",
            "3",
            "2026-03-29 00:35Z",
            "Und was kostet das Öl?",
            "PRICE",
            s1.clone(),
        ),
        (
            "b",
            "4",
            "2026-03-29 21:31Z",
            "macht ihr WALLBOXEN",
            "OTHER",
            String::new(),
        ),
        (
            "c",
            "5",
            "2026-03-29 22:31Z",
            "Hallo",
            "GREETING",
            String::new(),
        ),
        (
            "f",
            "6",
            "2026-03-20 09:01Z",
            "Macht ihr Wallboxen",
            "OTHER",
            String::new(),
        ),
        (
            "g",
            "7",
            "2026-03-21 09:01Z",
            "Hallo",
            "GREETING",
            String::new(),
        ),
    ];
    for (letter, digit, at, body, intent, cited) in questions {
        let conversation = conversation_id(letter);
        let message = format!("00000000-0000-0000-0001-00000000000{digit}");
        let cited = if cited.is_empty() {
            "'{}'::uuid[]".to_owned()
        } else {
            format!("ARRAY[{cited}]")
        };
        exec(
            app,
            &format!(
                "INSERT INTO messages (id, conversation_id, workshop_id, role, body, created_at)
                    VALUES ('{message}', '{conversation}', '{w}', 'VISITOR', '{body}', '{at}');
                 INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id)
                    SELECT '{w}', 'VISITOR_MESSAGE', '{at}', client_key_id, id, '{message}'
                    FROM conversations WHERE id = '{conversation}';
                 INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id,
                        intent, matched, service_ids)
                    SELECT '{w}', 'ASSISTANT_ANSWER', '{at}'::timestamptz + interval '2 seconds', client_key_id,
                        id, '{message}', '{intent}', cardinality({cited}) > 0, {cited}
                    FROM conversations WHERE id = '{conversation}'"
            ),
        )
        .await;
    }
    // Leads: L2 from D (open, 50–70 €), L1 from A (won, 100–200 €), L3 from F (lost).
    let leads = [
        (
            "2",
            "d",
            "2026-03-22 23:20Z",
            "NEW",
            5000,
            7000,
            format!("ARRAY[{s1}, {s2}]"),
            "lena@example.de",
        ),
        (
            "1",
            "a",
            "2026-03-29 00:40Z",
            "WON",
            10000,
            20000,
            format!("ARRAY[{s1}]"),
            "anna@example.de",
        ),
        (
            "3",
            "f",
            "2026-03-20 09:10Z",
            "LOST",
            10000,
            10000,
            format!("ARRAY[{s1}]"),
            "fritz@example.de",
        ),
    ];
    for (digit, letter, at, status, min, max, services, email) in leads {
        let lead = format!("00000000-0000-0000-0002-00000000000{digit}");
        let conversation = conversation_id(letter);
        exec(
            app,
            &format!(
                "INSERT INTO leads (id, workshop_id, conversation_id, client_key_id, status, name, email,
                        service_ids, consent_text, consent_at, source_url, estimated_min_cents,
                        estimated_max_cents, created_at, updated_at)
                    SELECT '{lead}', '{w}', id, client_key_id, '{status}', 'Kundin {digit}', '{email}',
                        {services}, 'Ja', '{at}', page_url, {min}, {max}, '{at}', '{at}'
                    FROM conversations WHERE id = '{conversation}';
                 INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id, page, service_ids)
                    SELECT workshop_id, 'LEAD_SUBMITTED', created_at, client_key_id, conversation_id, id,
                        source_url, service_ids FROM leads WHERE id = '{lead}'"
            ),
        )
        .await;
    }
    // First responses: L2 on Monday 09:00 local (8 h 40 min, of them 1 h open), L1 on Monday
    // 30 March 08:30 CEST (29 h 50 min across the 23-hour Sunday, of them 30 min open).
    for (digit, at, seconds, open) in [
        ("2", "2026-03-23 08:00Z", 31_200, 3_600),
        ("1", "2026-03-30 06:30Z", 107_400, 1_800),
    ] {
        exec(
            app,
            &format!(
                "INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id, seconds, open_seconds)
                    SELECT workshop_id, 'FIRST_RESPONSE', '{at}', client_key_id, conversation_id, id, {seconds}, {open}
                    FROM leads WHERE id = '00000000-0000-0000-0002-00000000000{digit}'"
            ),
        )
        .await;
    }
    let name = |s: String| async move {
        text(
            app,
            &format!("SELECT name AS text FROM services WHERE id = {s}"),
        )
        .await
    };
    (name(s1).await, name(s2).await)
}

/// The uuid of the generated conversation named by `letter`.
fn conversation_id(letter: &str) -> String {
    format!(
        "00000000-0000-0000-0000-0000000000{:02x}",
        letter.as_bytes()[0]
    )
}

const TOTALS: &str = "totals {
    widgetOpens { value previous change } conversations { value previous change }
    visitorMessages { value previous change } leads { value previous change }
    conversationToLead { numerator denominator value previous }
    leadToWon { numerator denominator value previous }
    pipelineValue { value { amountCents } previous { amountCents } }
    wonValue { value { amountCents } previous { amountCents } } }";

async fn analytics(app: &TestApp, token: &str, args: &str, fields: &str) -> Value {
    app.gql(
        Some(token),
        &format!("{{ analytics({args}) {{ {fields} }} }}"),
        json!({}),
    )
    .await
}

const WEEK: &str = "range: { from: \"2026-03-23\", to: \"2026-03-29\" }";

#[tokio::test]
async fn every_figure_of_a_generated_week_is_exact() {
    let mut app = TestApp::new().await;
    let owner = app
        .register("owner@werkstatt.example", "Werkstatt Analyse")
        .await;
    app.subscribe(&owner, "PREMIUM").await;
    let (k1_id, k1) = app.client_key(&owner, &[SITE]).await;
    let (k2_id, k2) = app.client_key(&owner, &[SITE]).await;
    exec(
        &app,
        &format!("UPDATE client_keys SET label = 'Landing' WHERE key = '{k2}'"),
    )
    .await;
    let (s1, s2) = generate_history(&app, &owner, &k1, &k2).await;
    let token = owner.access_token.as_str();

    let body = analytics(
        &app,
        token,
        WEEK,
        &format!("period {{ from to startsAt endsAt }} previousPeriod {{ from to startsAt endsAt }} timeZone {TOTALS}"),
    )
    .await;
    let a = &body["data"]["analytics"];
    assert_eq!(
        a["period"],
        json!({ "from": "2026-03-23", "to": "2026-03-29",
                "startsAt": "2026-03-22T23:00:00+00:00", "endsAt": "2026-03-29T22:00:00+00:00" }),
        "{body}"
    );
    assert_eq!(
        a["previousPeriod"],
        json!({ "from": "2026-03-16", "to": "2026-03-22",
                "startsAt": "2026-03-15T23:00:00+00:00", "endsAt": "2026-03-22T23:00:00+00:00" })
    );
    assert_eq!(a["timeZone"], "Europe/Berlin");
    let totals = a["totals"].clone();
    assert_eq!(
        totals,
        json!({
            "widgetOpens": { "value": 4, "previous": 3, "change": 1.0 / 3.0 },
            "conversations": { "value": 3, "previous": 2, "change": 0.5 },
            "visitorMessages": { "value": 4, "previous": 2, "change": 1.0 },
            "leads": { "value": 2, "previous": 1, "change": 1.0 },
            "conversationToLead": { "numerator": 2, "denominator": 3, "value": 2.0 / 3.0, "previous": 0.5 },
            "leadToWon": { "numerator": 1, "denominator": 2, "value": 0.5, "previous": 0.0 },
            "pipelineValue": { "value": { "amountCents": 6000 }, "previous": { "amountCents": 0 } },
            "wonValue": { "value": { "amountCents": 15000 }, "previous": { "amountCents": 0 } },
        }),
        "{body}"
    );

    // The series per local day: the 23-hour Sunday keeps B (23:30) and not C (00:30 Monday).
    let body = analytics(
        &app,
        token,
        WEEK,
        "series { start end widgetOpens conversations visitorMessages leads }",
    )
    .await;
    let day = |d: u32, o: i64, c: i64, m: i64, l: i64| {
        let date = format!("2026-03-{d}");
        json!({ "start": date, "end": date, "widgetOpens": o, "conversations": c, "visitorMessages": m, "leads": l })
    };
    assert_eq!(
        body["data"]["analytics"]["series"],
        json!([
            day(23, 1, 1, 1, 1),
            day(24, 0, 0, 0, 0),
            day(25, 1, 0, 0, 0),
            day(26, 0, 0, 0, 0),
            day(27, 0, 0, 0, 0),
            day(28, 0, 0, 0, 0),
            day(29, 2, 2, 3, 1),
        ]),
        "{body}"
    );
    // Each point carries its instants: the 23-hour Sunday from CET midnight to CEST midnight,
    // and the conversations listed between them are the two the point counts.
    let body = analytics(&app, token, WEEK, "series { start startsAt endsAt }").await;
    assert_eq!(
        body["data"]["analytics"]["series"][6],
        json!({ "start": "2026-03-29", "startsAt": "2026-03-28T23:00:00+00:00", "endsAt": "2026-03-29T22:00:00+00:00" }),
        "{body}"
    );
    assert_eq!(
        body["data"]["analytics"]["series"][0]["startsAt"], "2026-03-22T23:00:00+00:00",
        "{body}"
    );
    let sunday = app
        .gql(
            Some(token),
            "{ conversations(first: 50, filter: { createdAfter: \"2026-03-28T23:00:00+00:00\", createdBefore: \"2026-03-29T22:00:00+00:00\", hasVisitorMessages: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(sunday["data"]["conversations"]["totalCount"], 2, "{sunday}");
    let body = analytics(
        &app,
        token,
        &format!("{WEEK}, granularity: WEEK"),
        "series { start end widgetOpens conversations visitorMessages leads }",
    )
    .await;
    assert_eq!(
        body["data"]["analytics"]["series"],
        json!([{ "start": "2026-03-23", "end": "2026-03-29", "widgetOpens": 4, "conversations": 3, "visitorMessages": 4, "leads": 2 }]),
        "{body}"
    );
    // Months, the first and last cut to the range: C (30 March, local) is in March.
    let body = analytics(
        &app,
        token,
        "range: { from: \"2026-03-16\", to: \"2026-04-05\" }, granularity: MONTH",
        "series { start end widgetOpens conversations visitorMessages leads }",
    )
    .await;
    assert_eq!(
        body["data"]["analytics"]["series"],
        json!([
            { "start": "2026-03-16", "end": "2026-03-31", "widgetOpens": 7, "conversations": 6, "visitorMessages": 7, "leads": 3 },
            { "start": "2026-04-01", "end": "2026-04-05", "widgetOpens": 0, "conversations": 0, "visitorMessages": 0, "leads": 0 },
        ]),
        "{body}"
    );

    // Peak hours: 168 cells; D on Monday 0 h, A on Sunday 1 h (CET), B on Sunday 23 h (CEST).
    let body = analytics(
        &app,
        token,
        WEEK,
        "peakHours { weekday hour conversations }",
    )
    .await;
    let cells = body["data"]["analytics"]["peakHours"]
        .as_array()
        .expect("cells")
        .clone();
    assert_eq!(cells.len(), 168, "{body}");
    let busy: Vec<Value> = cells
        .into_iter()
        .filter(|c| c["conversations"] != 0)
        .collect();
    assert_eq!(
        busy,
        json!([
            { "weekday": "MONDAY", "hour": 0, "conversations": 1 },
            { "weekday": "SUNDAY", "hour": 1, "conversations": 1 },
            { "weekday": "SUNDAY", "hour": 23, "conversations": 1 },
        ])
        .as_array()
        .expect("cells")
        .clone()
    );

    // Response time: 31,200 s and 107,400 s (1 h and 30 min of them within opening hours);
    // interpolated median and 90th percentile.
    let body = analytics(
        &app,
        token,
        WEEK,
        "responseTime { leads responded medianSeconds p90Seconds openingHoursMedianSeconds openingHoursP90Seconds }",
    )
    .await;
    assert_eq!(
        body["data"]["analytics"]["responseTime"],
        json!({ "leads": 2, "responded": 2, "medianSeconds": 69300.0, "p90Seconds": 99780.0,
                "openingHoursMedianSeconds": 2700.0, "openingHoursP90Seconds": 3420.0 }),
        "{body}"
    );

    // Questions, services, the to-do list, pages and keys.
    let body = analytics(
        &app,
        token,
        WEEK,
        "topQuestions { intent questions matched }
         topServices { serviceId service { name } leads answers }
         unansweredQuestions { question count lastAskedAt conversation { id createdAt } }
         topPages { page conversations leads }
         clientKeys { clientKeyId label widgetOpens conversations visitorMessages leads }",
    )
    .await;
    let a = &body["data"]["analytics"];
    assert_eq!(
        a["topQuestions"],
        json!([
            { "intent": "OTHER", "questions": 2, "matched": 0 },
            { "intent": "PRICE", "questions": 2, "matched": 2 },
        ]),
        "{body}"
    );
    assert_eq!(
        a["topServices"][0]["service"]["name"],
        s1.as_str(),
        "{body}"
    );
    assert_eq!(a["topServices"][0]["leads"], 2);
    assert_eq!(a["topServices"][0]["answers"], 2);
    assert_eq!(a["topServices"][1]["service"]["name"], s2.as_str());
    assert_eq!(a["topServices"][1]["leads"], 1);
    assert_eq!(a["topServices"][1]["answers"], 0);
    assert_eq!(a["topServices"].as_array().map(Vec::len), Some(2));
    let s2_id = a["topServices"][1]["serviceId"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        a["unansweredQuestions"],
        json!([{ "question": "macht ihr WALLBOXEN", "count": 2, "lastAskedAt": "2026-03-29T21:31:02+00:00",
                 "conversation": { "id": a["unansweredQuestions"][0]["conversation"]["id"], "createdAt": "2026-03-29T21:30:00+00:00" } }]),
        "{body}"
    );
    assert!(a["unansweredQuestions"][0]["conversation"]["id"].is_string());
    assert_eq!(
        a["topPages"],
        json!([
            { "page": P1, "conversations": 2, "leads": 2 },
            { "page": P2, "conversations": 1, "leads": 0 },
        ])
    );
    assert_eq!(
        a["clientKeys"],
        json!([
            { "clientKeyId": k1_id, "label": "Website", "widgetOpens": 3, "conversations": 2, "visitorMessages": 3, "leads": 2 },
            { "clientKeyId": k2_id, "label": "Landing", "widgetOpens": 1, "conversations": 1, "visitorMessages": 1, "leads": 0 },
        ]),
        "{body}"
    );
    // One key only.
    let body = analytics(
        &app,
        token,
        &format!("{WEEK}, clientKeyId: \"{k2_id}\""),
        TOTALS,
    )
    .await;
    let t = &body["data"]["analytics"]["totals"];
    assert_eq!(
        (
            t["widgetOpens"]["value"].clone(),
            t["conversations"]["value"].clone(),
            t["leads"]["value"].clone()
        ),
        (json!(1), json!(1), json!(0)),
        "{body}"
    );

    // Drill-down: the same filters list exactly what was counted.
    let starts = "2026-03-22T23:00:00Z";
    let ends = "2026-03-29T22:00:00Z";
    let list = |filter: String| {
        let app = &app;
        async move {
            let body = app
                .gql(
                    Some(token),
                    &format!("{{ conversations(first: 50, filter: {{ createdAfter: \"{starts}\", createdBefore: \"{ends}\", {filter} }}) {{ edges {{ node {{ createdAt }} }} }} }}"),
                    json!({}),
                )
                .await;
            let mut at: Vec<String> = body["data"]["conversations"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|e| {
                    e["node"]["createdAt"]
                        .as_str()
                        .expect("createdAt")
                        .to_owned()
                })
                .collect();
            at.sort();
            at
        }
    };
    let (a_at, b_at, d_at) = (
        "2026-03-29T00:30:00+00:00",
        "2026-03-29T21:30:00+00:00",
        "2026-03-22T23:15:00+00:00",
    );
    assert_eq!(
        list("hasVisitorMessages: true".into()).await,
        [d_at, a_at, b_at]
    );
    assert_eq!(list("hasLead: true".into()).await, [d_at, a_at]);
    assert_eq!(list("unanswered: true".into()).await, [a_at, b_at]);
    assert_eq!(list("intent: PRICE".into()).await, [d_at, a_at]);
    assert_eq!(
        list(format!("page: \"{P1}\", hasVisitorMessages: true")).await,
        [d_at, a_at]
    );
    assert_eq!(
        list(format!(
            "clientKeyId: \"{k2_id}\", hasVisitorMessages: true"
        ))
        .await,
        [b_at]
    );
    assert_eq!(list(format!("serviceId: \"{s2_id}\"")).await, [d_at]);
    // A heat-map cell: the weekday and hour in the workshop's time zone, across the clock change.
    let cell =
        |day: &str, hour: u32| format!("hasVisitorMessages: true, weekday: {day}, hour: {hour}");
    assert_eq!(list(cell("MONDAY", 0)).await, [d_at]);
    assert_eq!(list(cell("SUNDAY", 1)).await, [a_at]);
    assert_eq!(list(cell("SUNDAY", 23)).await, [b_at]);
    assert_eq!(list(cell("SUNDAY", 0)).await, Vec::<String>::new());
    assert_eq!(list("weekday: SUNDAY".into()).await, [a_at, b_at]);
    let refused = app
        .gql(
            Some(token),
            "{ conversations(filter: { hour: 24 }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        carbot_tests::error_code(&refused),
        "BAD_REQUEST",
        "{refused}"
    );
    let leads = app
        .gql(
            Some(token),
            &format!("{{ all: leads(filter: {{ createdAfter: \"{starts}\", createdBefore: \"{ends}\" }}) {{ totalCount }}
                won: leads(filter: {{ createdAfter: \"{starts}\", createdBefore: \"{ends}\", status: [WON] }}) {{ totalCount }}
                s2: leads(filter: {{ createdAfter: \"{starts}\", createdBefore: \"{ends}\", serviceId: \"{s2_id}\" }}) {{ totalCount }}
                p2: leads(filter: {{ page: \"{P2}\" }}) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        (
            leads["data"]["all"]["totalCount"].clone(),
            leads["data"]["won"]["totalCount"].clone(),
            leads["data"]["s2"]["totalCount"].clone(),
            leads["data"]["p2"]["totalCount"].clone()
        ),
        (json!(2), json!(1), json!(1), json!(0)),
        "{leads}"
    );

    // The CSV downloads of the same week, for German Excel.
    exec(&app, "UPDATE leads SET message = '=HYPERLINK(\"http://evil.example\")' WHERE email = 'lena@example.de'").await;
    let (status, csv) = download(&app, token, "leads.csv?from=2026-03-23&to=2026-03-29").await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let rows = read_csv(&csv);
    assert_eq!(rows[0][..4], ["created_at", "status", "name", "email"]);
    assert!(
        rows[0].contains(&"consent_text".to_owned()) && rows[0].contains(&"services".to_owned())
    );
    let column = |name: &str| rows[0].iter().position(|c| c == name).expect(name);
    assert_eq!(rows.len(), 3, "the two leads of the week: {csv}");
    // Oldest first, in local time; euros with a decimal comma; a formula defused.
    assert_eq!(rows[1][column("created_at")], "2026-03-23 00:20:00");
    assert_eq!(rows[2][column("created_at")], "2026-03-29 01:40:00");
    assert_eq!(rows[2][column("status")], "WON");
    assert_eq!(rows[2][column("estimated_min_eur")], "100,00");
    assert_eq!(rows[1][column("services")], format!("{s1}, {s2}"));
    assert_eq!(
        rows[1][column("message")],
        "'=HYPERLINK(\"http://evil.example\")"
    );
    assert_eq!(rows[1][column("source_url")], P1);
    assert_eq!(rows[1][column("consent_text")], "Ja");

    let (status, csv) = download(
        &app,
        token,
        "conversations.csv?from=2026-03-23&to=2026-03-29",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    let rows = read_csv(&csv);
    let column = |name: &str| rows[0].iter().position(|c| c == name).expect(name);
    // D, E, A, B: one row per conversation started in the week (E without a message).
    let started: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[column("started_at")].as_str())
        .collect();
    assert_eq!(
        started,
        [
            "2026-03-23 00:15:00",
            "2026-03-25 11:00:00",
            "2026-03-29 01:30:00",
            "2026-03-29 23:30:00"
        ]
    );
    assert_eq!(rows[1][column("lead_status")], "NEW");
    assert_eq!(rows[1][column("first_response_seconds")], "31200");
    assert_eq!(
        rows[1][column("first_response_opening_hours_seconds")],
        "3600"
    );
    assert_eq!(rows[2][column("visitor_messages")], "0");
    assert_eq!(rows[3][column("visitor_messages")], "2");
    assert_eq!(rows[4][column("flags")], "unanswered");
    assert_eq!(rows[4][column("client_key")], "Landing");

    let (status, csv) = download(
        &app,
        token,
        "series.csv?from=2026-03-23&to=2026-03-29&granularity=week",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(
        read_csv(&csv),
        [
            [
                "start",
                "end",
                "widget_opens",
                "conversations",
                "visitor_messages",
                "leads"
            ]
            .map(String::from)
            .to_vec(),
            ["2026-03-23", "2026-03-29", "4", "3", "4", "2"]
                .map(String::from)
                .to_vec(),
        ]
    );
    for (name, expected) in [
        (
            "unanswered",
            vec!["macht ihr WALLBOXEN", "2", "2026-03-29 23:31:02"],
        ),
        ("pages", vec![P1, "2", "2"]),
        ("questions", vec!["OTHER", "2", "0"]),
        ("client-keys", vec!["Website", "3", "2", "3", "2"]),
    ] {
        let (status, csv) = download(
            &app,
            token,
            &format!("{name}.csv?from=2026-03-23&to=2026-03-29"),
        )
        .await;
        assert_eq!(status, 200, "{name}: {csv}");
        assert_eq!(read_csv(&csv)[1], expected, "{name}: {csv}");
    }
    let (status, csv) = download(&app, token, "peak-hours.csv?from=2026-03-23&to=2026-03-29").await;
    assert_eq!((status, read_csv(&csv).len()), (200, 169));
    let (status, _) = download(&app, token, "secrets.csv?from=2026-03-23&to=2026-03-29").await;
    assert_eq!(status, 404);
    let (status, _) = download(&app, token, "leads.csv?from=2026-03-23").await;
    assert_eq!(status, 400);
    let (status, _) = download(
        &app,
        "not-a-token",
        "leads.csv?from=2026-03-23&to=2026-03-29",
    )
    .await;
    assert_eq!(status, 401);

    // Erasing a person changes no figure of the period.
    let erased = app
        .gql(
            Some(token),
            "mutation { eraseContact(input: { email: \"anna@example.de\" }) { erased { leads conversations } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        erased["data"]["eraseContact"]["erased"]["leads"], 1,
        "{erased}"
    );
    let after = analytics(&app, token, WEEK, TOTALS).await;
    assert_eq!(after["data"]["analytics"]["totals"], totals, "{after}");

    // A range the wrong way round, or too long, is refused.
    let body = analytics(
        &app,
        token,
        "range: { from: \"2026-03-29\", to: \"2026-03-23\" }",
        "timeZone",
    )
    .await;
    assert_eq!(error_code(&body), "BAD_REQUEST", "{body}");
    let body = analytics(
        &app,
        token,
        "range: { from: \"2020-01-01\", to: \"2026-03-23\" }",
        "timeZone",
    )
    .await;
    assert_eq!(error_code(&body), "BAD_REQUEST", "{body}");

    // Another workshop sees none of it.
    let other = app
        .register("other@werkstatt.example", "Andere Werkstatt")
        .await;
    let body = analytics(&app, &other.access_token, WEEK, TOTALS).await;
    assert_eq!(
        body["data"]["analytics"]["totals"]["conversations"]["value"], 0,
        "{body}"
    );
    assert_eq!(
        body["data"]["analytics"]["totals"]["widgetOpens"]["previous"],
        0
    );
    app.shut_down().await;
}

/// `GET /exports/{path}` with `token`: the status and the body.
async fn download(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let response = app
        .client
        .get(format!("{}/exports/{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// The rows of a `;`-separated CSV with a byte-order mark.
fn read_csv(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn plans_roles_and_scopes_decide_who_reads_what() {
    let mut app = TestApp::new().await;
    let owner = app.register("owner@plan.example", "Werkstatt Plan").await;
    let staff = app.member(&owner, "staff@plan.example", "STAFF").await;
    app.subscribe(&owner, "BASIC").await;
    let basic = analytics(
        &app,
        &owner.access_token,
        WEEK,
        "totals { leads { value } } series { start }",
    )
    .await;
    assert!(basic["errors"].is_null(), "{basic}");
    assert_eq!(
        basic["data"]["analytics"]["series"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
    for field in [
        "peakHours { hour }",
        "responseTime { leads }",
        "topQuestions { intent }",
        "topServices { leads }",
        "unansweredQuestions { count }",
        "topPages { page }",
        "clientKeys { label }",
    ] {
        let body = analytics(&app, &owner.access_token, WEEK, field).await;
        assert_eq!(error_code(&body), "PLAN_LIMIT_REACHED", "{field}: {body}");
    }
    let body = analytics(
        &app,
        &staff.access_token,
        WEEK,
        "totals { leads { value } }",
    )
    .await;
    assert!(body["errors"].is_null(), "staff read KPIs: {body}");

    let (_, reader) = app.api_token(&owner, &["ANALYTICS_READ"]).await;
    let (_, leads_only) = app.api_token(&owner, &["LEADS_READ"]).await;
    let body = analytics(
        &app,
        &reader,
        WEEK,
        "totals { leads { value } } peakHours { hour }",
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = analytics(&app, &leads_only, WEEK, "totals { leads { value } }").await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            None,
            &format!("{{ analytics({WEEK}) {{ timeZone }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    // Downloads: the personal data of leads needs LEADS_READ, the KPI tables ANALYTICS_READ.
    let week = "from=2026-03-23&to=2026-03-29";
    assert_eq!(
        download(&app, &reader, &format!("series.csv?{week}"))
            .await
            .0,
        200
    );
    assert_eq!(
        download(&app, &reader, &format!("leads.csv?{week}"))
            .await
            .0,
        403
    );
    assert_eq!(
        download(&app, &leads_only, &format!("leads.csv?{week}"))
            .await
            .0,
        200
    );
    assert_eq!(
        download(&app, &leads_only, &format!("series.csv?{week}"))
            .await
            .0,
        403
    );
    // Basic has no CSV exports.
    app.subscribe(&owner, "BASIC").await;
    let (status, body) = download(&app, &staff.access_token, &format!("leads.csv?{week}")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("PLAN_LIMIT_REACHED"), "{body}");

    app.shut_down().await;
}

#[tokio::test]
async fn the_widget_the_assistant_and_the_owner_record_their_facts() {
    let mut app = TestApp::new().await;
    let owner = app.register("owner@live.example", "Werkstatt Live").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let opened = |page: &'static str| {
        let (app, key) = (&app, key.clone());
        async move {
            app.post_from(
                SITE,
                None,
                "mutation($input: RecordWidgetOpenInput!) { recordWidgetOpen(input: $input) { recorded userErrors { field code } } }",
                json!({ "input": { "clientKey": key, "pageUrl": page } }),
            )
            .await
        }
    };
    let (status, body) = opened("https://autohaus-nord.de/service").await;
    assert_eq!(
        (status, body["data"]["recordWidgetOpen"]["recorded"].clone()),
        (200, json!(true)),
        "{body}"
    );
    let (_, body) = opened("javascript:alert(1)").await;
    assert_eq!(
        body["data"]["recordWidgetOpen"]["recorded"], false,
        "{body}"
    );
    assert_eq!(
        body["data"]["recordWidgetOpen"]["userErrors"][0]["code"],
        "INVALID"
    );
    let (_, body) = app
        .post_from(
            SITE,
            None,
            "mutation { recordWidgetOpen(input: { clientKey: \"cb_pub_unknown\" }) { recorded userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["recordWidgetOpen"]["userErrors"][0]["code"], "NOT_FOUND",
        "{body}"
    );

    let visitor = app.visitor(&key, SITE).await;
    let (_, answered) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert!(
        answered["data"]["sendMessage"]["reply"]["body"].is_string(),
        "{answered}"
    );
    let (_, _) = app.say(&visitor, "Repariert ihr auch Rasenmäher?").await;
    let (_, lead) = app.submit_lead(&visitor, json!({})).await;
    let lead_id = lead["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("lead")
        .to_owned();
    for status in ["CONTACTED", "QUOTED"] {
        let body = app
            .gql(
                Some(&owner.access_token),
                "mutation($id: ID!, $s: LeadStatus!) { updateLeadStatus(input: { leadId: $id, status: $s }) { userErrors { code } } }",
                json!({ "id": lead_id, "s": status }),
            )
            .await;
        assert_eq!(
            body["data"]["updateLeadStatus"]["userErrors"],
            json!([]),
            "{body}"
        );
    }

    let kinds = text(
        &app,
        "SELECT string_agg(kind || coalesce(':' || intent, '') || coalesce(':' || matched::text, ''), ',' ORDER BY id) AS text FROM facts
         WHERE workshop_id = (SELECT workshop_id FROM client_keys WHERE key IS NOT NULL LIMIT 1)",
    )
    .await;
    assert_eq!(
        kinds,
        "WIDGET_OPENED,CONVERSATION_STARTED,VISITOR_MESSAGE,ASSISTANT_ANSWER:PRICE:true,VISITOR_MESSAGE,\
         ASSISTANT_ANSWER:OTHER:false,LEAD_SUBMITTED,LEAD_STATUS_CHANGED,FIRST_RESPONSE,LEAD_STATUS_CHANGED"
    );

    // Today in the workshop's time zone.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .to_string();
    let body = analytics(
        &app,
        &owner.access_token,
        &format!("range: {{ from: \"{today}\", to: \"{today}\" }}"),
        &format!("{TOTALS} responseTime {{ leads responded }} unansweredQuestions {{ question count }} topPages {{ page conversations leads }}"),
    )
    .await;
    let a = &body["data"]["analytics"];
    let value = |k: &str| a["totals"][k]["value"].clone();
    assert_eq!(
        [
            value("widgetOpens"),
            value("conversations"),
            value("visitorMessages"),
            value("leads")
        ],
        [json!(1), json!(1), json!(2), json!(1)],
        "{body}"
    );
    assert_eq!(a["responseTime"], json!({ "leads": 1, "responded": 1 }));
    assert_eq!(
        a["unansweredQuestions"],
        json!([{ "question": "Repariert ihr auch Rasenmäher?", "count": 1 }])
    );
    assert_eq!(
        a["topPages"],
        json!([{ "page": "https://autohaus-nord.de/service", "conversations": 1, "leads": 1 }])
    );
    app.shut_down().await;
}

#[derive(QueryableByName, Debug, PartialEq)]
struct DemoFigures {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    conversations: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    leads: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    statuses: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unanswered: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cited: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unmarked_leads: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    monday_morning: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    monday_midday: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    days: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    first_answers: String,
}

async fn demo_figures(app: &TestApp) -> DemoFigures {
    let mut conn = app.db().await;
    diesel::sql_query(
        "SELECT
            (SELECT count(*) FROM conversations) AS conversations,
            (SELECT count(*) FROM leads) AS leads,
            (SELECT count(DISTINCT status) FROM leads) AS statuses,
            (SELECT count(*) FROM facts WHERE kind = 'ASSISTANT_ANSWER' AND NOT matched
                AND intent IN ('PRICE', 'DURATION', 'OTHER')) AS unanswered,
            (SELECT count(*) FROM messages WHERE role = 'ASSISTANT' AND cardinality(cited_service_ids) > 0) AS cited,
            (SELECT count(*) FROM leads WHERE name NOT LIKE '[Demo] %' OR email NOT LIKE '%@example.invalid') AS unmarked_leads,
            (SELECT count(*) FROM facts WHERE kind = 'CONVERSATION_STARTED'
                AND extract(isodow FROM at AT TIME ZONE 'Europe/Berlin') = 1
                AND extract(hour FROM at AT TIME ZONE 'Europe/Berlin') BETWEEN 7 AND 9) AS monday_morning,
            (SELECT count(*) FROM facts WHERE kind = 'CONVERSATION_STARTED'
                AND extract(isodow FROM at AT TIME ZONE 'Europe/Berlin') = 1
                AND extract(hour FROM at AT TIME ZONE 'Europe/Berlin') BETWEEN 12 AND 14) AS monday_midday,
            (SELECT count(DISTINCT (at AT TIME ZONE 'Europe/Berlin')::date) FROM facts
                WHERE kind = 'CONVERSATION_STARTED') AS days,
            (SELECT string_agg(body, ' | ' ORDER BY created_at) FROM
                (SELECT body, created_at FROM messages WHERE role = 'ASSISTANT' ORDER BY created_at LIMIT 3) m)
                AS first_answers",
    )
    .get_result(&mut conn)
    .await
    .expect("demo figures")
}

#[tokio::test]
async fn the_demo_workshop_has_ninety_days_of_history_generated_the_same_way_every_time() {
    let options = carbot_tests::TestOptions {
        seed_demo: true,
        ..Default::default()
    };
    let mut first = TestApp::with(options.clone()).await;
    let figures = demo_figures(&first).await;
    assert!(
        (400..=1_200).contains(&figures.conversations),
        "{figures:?}"
    );
    assert!(figures.leads >= 60, "{figures:?}");
    assert_eq!(figures.statuses, 6, "leads in every status: {figures:?}");
    assert!(
        figures.unanswered >= 5,
        "a few unanswered questions: {figures:?}"
    );
    assert!(
        figures.cited >= figures.conversations / 2,
        "real answers from the catalog: {figures:?}"
    );
    assert_eq!(figures.unmarked_leads, 0, "every demo lead is marked");
    assert!(
        figures.monday_morning > 2 * figures.monday_midday,
        "Monday mornings are busy: {figures:?}"
    );
    assert_eq!(figures.days, 90, "{figures:?}");
    assert!(
        figures.first_answers.contains('€') || figures.first_answers.contains("Uhr"),
        "{figures:?}"
    );
    first.shut_down().await;
    let mut second = TestApp::with(options).await;
    assert_eq!(
        demo_figures(&second).await,
        figures,
        "generated deterministically"
    );
    second.shut_down().await;
}
