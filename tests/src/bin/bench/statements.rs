//! `statements`: how many SQL statements a `leads` request with nested fields costs, for 10,
//! 100 and 1,000 leads (the API's pages hold at most 100, so 1,000 are 10 pages following
//! `pageInfo.endCursor`). Nested fields load through DataLoaders, so the count per request must
//! not grow with the page: the run fails unless every run of 10 and of 100 leads costs the same.
//!
//! The server counts the statements it sends (`carbot_db_statements_total` on `GET /metrics`, a
//! counter of the whole process); it is read before and after each request, with nothing else
//! running.

use carbot_tests::TestApp;
use carbot_tests::chat::SITE;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::{statements_so_far, workshop_uuid};

const LEADS: usize = 1_000;
const MESSAGES_PER_CONVERSATION: usize = 4;
const REPEATS: usize = 5;

fn query(messages: usize) -> String {
    format!(
        "query($first: Int!, $after: String) {{ leads(first: $first, after: $after) {{
            pageInfo {{ endCursor hasNextPage }}
            edges {{ node {{
                id
                services {{ name }}
                conversation {{ messages(first: {messages}) {{ edges {{ node {{ body citedServices {{ name }} }} }} }} }}
                notes {{ body }} }} }} }} }}"
    )
}

/// 1,000 leads, each with a conversation of four messages (the assistant's two cite two
/// services each), one requested service and one note; written directly, newest lead first.
async fn seed(app: &TestApp, owner: &carbot_tests::Owner) -> anyhow::Result<()> {
    let workshop = workshop_uuid(owner)?;
    let (key_id, _) = app.client_key(owner, &[SITE]).await;
    let key = carbot_schema::ids::decode(carbot_schema::ids::NodeType::ClientKey, &key_id)
        .ok_or_else(|| anyhow::anyhow!("not a client key id: {key_id}"))?;
    let mut conn = app.db().await;
    let written = diesel::sql_query(
        "WITH svc AS (
             SELECT array_agg(id ORDER BY sort_order, id) AS ids, count(*)::int AS n
             FROM services WHERE workshop_id = $1
         ), conv AS (
             INSERT INTO conversations (id, workshop_id, client_key_id, page_url, message_count,
                                        last_message_at, created_at)
             SELECT gen_random_uuid(), $1, $2, 'https://autohaus-nord.de/service', $4,
                    now() - g * interval '1 minute' + $4 * interval '1 second',
                    now() - g * interval '1 minute'
             FROM generate_series(1, $3) g
             RETURNING id, created_at
         ), msg AS (
             INSERT INTO messages (id, conversation_id, workshop_id, role, body, cited_service_ids,
                                   created_at)
             SELECT gen_random_uuid(), conv.id, $1,
                    CASE WHEN m % 2 = 1 THEN 'VISITOR' ELSE 'ASSISTANT' END,
                    CASE WHEN m % 2 = 1 THEN 'Was kostet das beim Golf?'
                         ELSE 'Das kostet bei uns ab 89 €.' END,
                    CASE WHEN m % 2 = 1 THEN '{}'::uuid[]
                         ELSE ARRAY[svc.ids[1 + (get_byte(uuid_send(conv.id), 15) + m) % svc.n],
                                    svc.ids[1 + (get_byte(uuid_send(conv.id), 14) + m) % svc.n]] END,
                    conv.created_at + m * interval '1 second'
             FROM conv, svc, generate_series(1, $4) m
         ), lead AS (
             INSERT INTO leads (id, workshop_id, conversation_id, client_key_id, name, phone,
                                service_ids, consent_text, consent_at, created_at, updated_at)
             SELECT gen_random_uuid(), $1, conv.id, $2, 'Erika Mustermann', '+49 170 1234567',
                    ARRAY[svc.ids[1 + get_byte(uuid_send(conv.id), 13) % svc.n]],
                    'Ich willige ein.', conv.created_at, conv.created_at, conv.created_at
             FROM conv, svc
             RETURNING id, created_at
         )
         INSERT INTO lead_notes (id, lead_id, workshop_id, body, created_at)
         SELECT gen_random_uuid(), lead.id, $1, 'Rückruf vereinbart.', lead.created_at FROM lead",
    )
    .bind::<diesel::sql_types::Uuid, _>(workshop)
    .bind::<diesel::sql_types::Uuid, _>(key)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(LEADS)?)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(MESSAGES_PER_CONVERSATION)?)
    .execute(&mut conn)
    .await?;
    anyhow::ensure!(written == LEADS, "seeded {written} leads, not {LEADS}");
    Ok(())
}

struct Fetched {
    requests: usize,
    statements: u64,
}

/// Fetches `total` leads in pages of at most 100; `Err` holds the API's refusal.
async fn fetch(
    app: &TestApp,
    token: &str,
    query: &str,
    total: usize,
) -> anyhow::Result<Result<Fetched, String>> {
    let (mut requests, mut statements, mut leads) = (0, 0, 0);
    let mut after: Option<String> = None;
    while leads < total {
        let first = (total - leads).min(100);
        let before = statements_so_far(app).await?;
        let (status, body) = app
            .post(
                Some(token),
                query,
                json!({ "first": first, "after": after }),
            )
            .await;
        statements += statements_so_far(app).await? - before;
        requests += 1;
        if !body["errors"].is_null() {
            return Ok(Err(format!(
                "{status} {} ({})",
                body["errors"][0]["message"].as_str().unwrap_or_default(),
                carbot_tests::error_code(&body)
            )));
        }
        let edges = body["data"]["leads"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        check_nested(&edges)?;
        leads += edges.len();
        after = body["data"]["leads"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
        if body["data"]["leads"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    anyhow::ensure!(leads == total, "fetched {leads} leads, not {total}");
    Ok(Ok(Fetched {
        requests,
        statements,
    }))
}

/// The nested fields really came back (a count of statements over empty lists would say little).
fn check_nested(edges: &[Value]) -> anyhow::Result<()> {
    for edge in edges {
        let lead = &edge["node"];
        let messages = lead["conversation"]["messages"]["edges"]
            .as_array()
            .map_or(0, Vec::len);
        let cited: usize = lead["conversation"]["messages"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["node"]["citedServices"].as_array().map_or(0, Vec::len))
            .sum();
        let services = lead["services"].as_array().map_or(0, Vec::len);
        let notes = lead["notes"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(
            messages == MESSAGES_PER_CONVERSATION && cited == 4 && services == 1 && notes == 1,
            "a lead came back without its nested fields: {lead}"
        );
    }
    Ok(())
}

/// Statements for `total` leads over a few runs (they should all agree): the number of
/// requests, and the median, lowest and highest count.
async fn measure(
    app: &TestApp,
    token: &str,
    query: &str,
    total: usize,
) -> anyhow::Result<Result<(usize, u64, u64, u64), String>> {
    let mut counts = Vec::new();
    let mut requests = 0;
    for _ in 0..REPEATS {
        match fetch(app, token, query, total).await? {
            Ok(fetched) => {
                requests = fetched.requests;
                counts.push(fetched.statements);
            }
            Err(refused) => return Ok(Err(refused)),
        }
    }
    counts.sort_unstable();
    Ok(Ok((
        requests,
        counts[counts.len() / 2],
        counts[0],
        counts[counts.len() - 1],
    )))
}

pub async fn run() -> anyhow::Result<()> {
    let app = TestApp::new().await;
    let owner = app
        .register("statements@autohaus-nord.de", "Autohaus Nord")
        .await;
    seed(&app, &owner).await?;
    let token = owner.access_token.clone();
    println!(
        "statements — SQL statements per leads request (carbot_db_statements_total), {LEADS} leads seeded, each with services, a conversation of {MESSAGES_PER_CONVERSATION} messages citing services, and a note; median of {REPEATS} runs:"
    );
    let mut per_request = Vec::new();
    // The nested page asked for first; it may be over the complexity limit at 100 leads, then
    // again with `messages(first: 4)`, which returns the same four messages.
    for messages in [20, MESSAGES_PER_CONVERSATION] {
        let query = query(messages);
        // Once unmeasured: connections of the pool are made and statements prepared.
        let _ = fetch(&app, &token, &query, 10).await?;
        println!(
            "  with conversation.messages(first: {messages}):\n    leads                requests   statements   per request"
        );
        let mut refused = false;
        let mut counts = Vec::new();
        for (label, total) in [
            ("first: 10", 10),
            ("first: 100", 100),
            ("1,000 (pages of 100)", LEADS),
        ] {
            match measure(&app, &token, &query, total).await? {
                Ok((requests, statements, low, high)) => {
                    let per = statements as f64 / requests as f64;
                    let spread = if low == high {
                        String::new()
                    } else {
                        format!("   (runs: {low}–{high})")
                    };
                    println!(
                        "    {label:<20} {requests:>8}   {statements:>10}   {per:>11.1}{spread}"
                    );
                    counts.push((total, (low, high)));
                }
                Err(why) => {
                    println!("    {label:<20} refused: {why}");
                    refused = true;
                }
            }
        }
        per_request.push(counts);
        if !refused {
            break;
        }
    }
    for counts in &per_request {
        let at = |n: usize| counts.iter().find(|(total, _)| *total == n).map(|c| c.1);
        // Every run counts: a batch that splits only now and then is still a split.
        if let (Some(ten), Some(hundred)) = (at(10), at(100)) {
            anyhow::ensure!(
                ten.0 == ten.1 && ten == hundred,
                "statements per request differ: {}–{} for 10 leads, {}–{} for 100",
                ten.0,
                ten.1,
                hundred.0,
                hundred.1
            );
        }
    }
    anyhow::ensure!(
        per_request
            .iter()
            .any(|counts| counts.iter().any(|(total, _)| *total == 100)),
        "no variant of the request ran for 100 leads"
    );
    Ok(())
}
