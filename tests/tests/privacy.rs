//! Privacy: a person's data exported and erased everywhere, retention with the clock moved
//! forward, consent that is exactly the text the widget showed, a visitor deleting their chat.

use carbot_tests::chat::{
    CONVERSATION_EVENTS, INBOX_EVENTS, LEAD_EVENTS, Live, SITE, Visitor, persisted,
};
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{Owner, TestApp};
use chrono::{Duration, Utc};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

const EMAIL: &str = "erika.mustermann@example.de";
const NAME: &str = "Erika Mustermann";
/// The phone as the first lead gives it; the second lead writes it differently.
const PHONE: &str = "+49 170 9876543";
const PHONE_DIGITS: &str = "9876543";
/// A sentence only Erika wrote.
const SECRET: &str = "Der Zahnriemen meines Passat quietscht seit Dienstag";

async fn lead_note(app: &TestApp, owner: &Owner, lead: &str, body: &str) {
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!, $body: String!) { addLeadNote(input: { leadId: $id, body: $body }) { userErrors { code } } }",
            json!({ "id": lead, "body": body }),
        )
        .await;
    assert_eq!(
        body["data"]["addLeadNote"]["userErrors"],
        json!([]),
        "{body}"
    );
}

async fn lead_of(app: &TestApp, visitor: &Visitor, input: Value) -> String {
    let (status, body) = app.submit_lead(visitor, input).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["submitLead"]["userErrors"],
        json!([]),
        "{body}"
    );
    body["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("lead id")
        .to_owned()
}

/// Every row of every table of the platform as text (the map of the README is a subset).
async fn whole_database(app: &TestApp) -> String {
    #[derive(QueryableByName)]
    struct Dump {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let mut conn = app.db().await;
    let tables: Vec<Dump> = diesel::sql_query(
        "SELECT tablename AS text FROM pg_tables WHERE schemaname = 'public'
         AND tablename <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .expect("tables");
    let mut all = String::new();
    for table in tables {
        let rows: Vec<Dump> = diesel::sql_query(format!(
            "SELECT coalesce(string_agg(t::text, '\n'), '') AS text FROM \"{}\" t",
            table.text
        ))
        .load(&mut conn)
        .await
        .expect("rows");
        for row in rows {
            all.push_str(&table.text);
            all.push_str(": ");
            all.push_str(&row.text);
            all.push('\n');
        }
    }
    all
}

fn assert_gone(text: &str, place: &str) {
    let folded = text.to_lowercase();
    for needle in [EMAIL, "erika", PHONE_DIGITS, "zahnriemen meines passat"] {
        assert!(
            !folded.contains(needle),
            "{place} still holds {needle:?}: {}",
            &text[..text.len().min(3000)]
        );
    }
}

/// KPI counts an erasure must not change.
async fn counts(app: &TestApp, owner: &Owner) -> Value {
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ leads { totalCount } contacted: leads(filter: { status: CONTACTED }) { totalCount }
               conversations(first: 50) { totalCount edges { node { id messageCount } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_is_exported_then_erased_from_every_place_while_kpis_stay() {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    // New-lead e-mails go to confirmed addresses.
    diesel::sql_query("UPDATE users SET email_verified_at = now()")
        .execute(&mut app.db().await)
        .await
        .expect("confirming the owner");

    // Erika: two leads (the second with her number written differently), three conversations
    // (the third without a lead, where she typed her address), notes and e-mails.
    let first = app.visitor(&key, SITE).await;
    app.say(&first, SECRET).await;
    app.say(&first, "Was kostet ein Zahnriemenwechsel?").await;
    let lead_one = lead_of(
        &app,
        &first,
        json!({ "name": NAME, "email": EMAIL, "phone": PHONE, "message": SECRET }),
    )
    .await;
    let second = app.visitor(&key, SITE).await;
    app.say(&second, "Und was kostet die Inspektion?").await;
    let lead_two = lead_of(
        &app,
        &second,
        json!({ "name": NAME, "phone": "0170 / 987 65 43", "email": null }),
    )
    .await;
    let third = app.visitor(&key, SITE).await;
    app.say(&third, &format!("Schreiben Sie mir an {EMAIL}"))
        .await;
    lead_note(&app, &owner, &lead_one, "Erika ruft morgen zurück").await;
    let contacted = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { updateLeadStatus(input: { leadId: $id, status: CONTACTED }) { userErrors { code } } }",
            json!({ "id": lead_two }),
        )
        .await;
    assert_eq!(
        contacted["data"]["updateLeadStatus"]["userErrors"],
        json!([])
    );
    // Someone else, who must stay.
    let other = app.visitor(&key, SITE).await;
    app.say(&other, "Hallo, hier ist Hans").await;
    let hans = lead_of(
        &app,
        &other,
        json!({ "name": "Hans Meier", "email": "hans@example.de", "phone": "+49 171 5550000" }),
    )
    .await;

    // The export has every item, with the documented field names.
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($input: ExportContactDataInput!) { exportContactData(input: $input) {
                json summary userErrors { field code } } }",
            json!({ "input": { "email": EMAIL, "phone": "0170-9876543" } }),
        )
        .await;
    let payload = &body["data"]["exportContactData"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    let export: Value =
        serde_json::from_str(payload["json"].as_str().expect("json")).expect("a JSON document");
    assert_eq!(export["format"], "carbot.contact-export/1");
    assert_eq!(export["controller"]["name"], "Autohaus Nord");
    let leads = export["leads"].as_array().expect("leads");
    let mut ids: Vec<&str> = leads
        .iter()
        .map(|l| l["id"].as_str().expect("id"))
        .collect();
    ids.sort();
    let mut expected = vec![lead_one.as_str(), lead_two.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "both of Erika's leads, not Hans's");
    let one = leads
        .iter()
        .find(|l| l["id"] == lead_one.as_str())
        .expect("lead one");
    for field in [
        "id",
        "status",
        "name",
        "email",
        "phone",
        "vehicle",
        "services",
        "preferredDate",
        "message",
        "sourceUrl",
        "conversationId",
        "createdAt",
        "updatedAt",
        "erasedAt",
        "consent",
        "notes",
    ] {
        assert!(one.get(field).is_some(), "lead field {field} in {one}");
    }
    assert_eq!(one["email"], EMAIL);
    assert_eq!(one["message"], SECRET);
    assert_eq!(one["notes"][0]["body"], "Erika ruft morgen zurück");
    for field in [
        "text",
        "version",
        "locale",
        "givenAt",
        "source",
        "ipAddress",
        "withdrawnAt",
    ] {
        assert!(one["consent"].get(field).is_some(), "consent field {field}");
    }
    assert!(
        one["consent"]["text"]
            .as_str()
            .expect("text")
            .contains("Autohaus Nord"),
        "{one}"
    );
    assert_eq!(one["consent"]["source"], "widget");
    let conversations = export["conversations"].as_array().expect("conversations");
    assert_eq!(conversations.len(), 3, "{export}");
    let bodies: Vec<&str> = conversations
        .iter()
        .flat_map(|c| c["messages"].as_array().expect("messages"))
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert!(bodies.contains(&SECRET), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.contains(EMAIL)), "{bodies:?}");
    assert!(!bodies.iter().any(|b| b.contains("Hans")), "{bodies:?}");
    let emails = export["emails"].as_array().expect("emails");
    assert!(
        emails.iter().any(|e| e["kind"] == "NEW_LEAD"),
        "the new-lead e-mails: {emails:?}"
    );
    let summary = payload["summary"].as_str().expect("summary");
    assert!(summary.contains("Auskunft"), "{summary}");
    assert!(
        summary.contains(SECRET) && summary.contains(EMAIL),
        "{summary}"
    );

    // Screens open during the erasure: the owner's conversation and inbox, and the visitor's
    // widget (its own document and token).
    let follow = |token: String, query: &'static str, variables: Value| {
        let url = app.url.clone();
        async move {
            Live::start(&url, Some(&token), None, query, variables)
                .await
                .expect("subscription")
        }
    };
    let mut open_chat = follow(
        owner.access_token.clone(),
        CONVERSATION_EVENTS,
        json!({ "id": first.conversation_id, "after": "0" }),
    )
    .await;
    let mut inbox = follow(
        owner.access_token.clone(),
        INBOX_EVENTS,
        json!({ "after": "0" }),
    )
    .await;
    let mut widget = Live::start_payload(
        &app.url,
        Some(&first.token),
        Some(SITE),
        persisted(
            "ConversationEvents",
            json!({ "id": first.conversation_id, "after": "0" }),
        ),
    )
    .await
    .expect("the widget's subscription");

    // Erasure: everything in one go, counted; KPIs unchanged.
    let before = counts(&app, &owner).await;
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($input: EraseContactInput!) { eraseContact(input: $input) {
                erased { leads conversations messages notes emails } userErrors { field code } } }",
            json!({ "input": { "email": EMAIL, "phone": PHONE } }),
        )
        .await;
    let erased = &body["data"]["eraseContact"];
    assert_eq!(erased["userErrors"], json!([]), "{body}");
    assert_eq!(erased["erased"]["leads"], 2, "{body}");
    assert_eq!(erased["erased"]["conversations"], 3, "{body}");
    assert_eq!(erased["erased"]["notes"], 1, "{body}");
    assert!(
        erased["erased"]["messages"].as_i64().expect("messages") >= 6,
        "{body}"
    );
    assert!(
        erased["erased"]["emails"].as_i64().expect("emails") >= 2,
        "{body}"
    );
    assert_eq!(counts(&app, &owner).await, before, "KPI counts stay");

    // The open screens hear of it and load again; integrators get it in `events` (and webhooks).
    let erased_kind = |field: &'static str| move |d: &Value| d[field]["kind"] == "ERASED";
    let told = open_chat
        .collect_until(erased_kind("conversationEvents"))
        .await;
    assert_eq!(
        told.last().expect("the erasure")["conversationEvents"]["conversation"]["id"],
        first.conversation_id.as_str()
    );
    let told = inbox
        .collect_until(|d| {
            d["inboxEvents"]["kind"] == "ERASED"
                && d["inboxEvents"]["conversation"]["id"] == first.conversation_id.as_str()
        })
        .await;
    assert!(!told.is_empty());
    widget
        .collect_until(erased_kind("conversationEvents"))
        .await;
    let announced = listed_events(
        &app,
        &owner.access_token,
        "{ events(first: 100, types: [\"conversation.erased\", \"lead.updated\"]) {
            edges { node { type data } } } }",
        |edges| {
            edges
                .iter()
                .any(|e| e["node"]["type"] == "conversation.erased")
        },
    )
    .await;
    let nodes: Vec<&Value> = announced["data"]["events"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{announced}"))
        .iter()
        .map(|e| &e["node"])
        .collect();
    let erased_conversations = nodes
        .iter()
        .filter(|n| n["type"] == "conversation.erased")
        .count();
    let erased_leads: Vec<&Value> = nodes
        .iter()
        .filter(|n| n["type"] == "lead.updated" && n["data"]["change"] == "ERASED")
        .map(|n| &n["data"]["leadId"])
        .collect();
    assert_eq!(erased_conversations, 3, "{announced}");
    assert_eq!(erased_leads.len(), 2, "{announced}");
    assert!(erased_leads.contains(&&json!(lead_one)), "{announced}");
    assert_gone(&announced.to_string(), "the announcements");

    // No API path shows her any more.
    let lists = app
        .gql(
            Some(&owner.access_token),
            "query($one: ID!) {
                leads(first: 50) { edges { node { name email phone message vehicle { make model year } notes { body } } } }
                search: leads(filter: { search: \"Erika\" }) { totalCount }
                phone: leads(filter: { search: \"9876543\" }) { totalCount }
                conversations(first: 50) { edges { node { pageUrl messages { edges { node { body } } } } } }
                node(id: $one) { ... on Lead { name email phone consent { text givenAt } } } }",
            json!({ "one": lead_one }),
        )
        .await;
    assert!(lists["errors"].is_null(), "{lists}");
    assert_gone(&lists.to_string(), "the lists");
    assert_eq!(lists["data"]["search"]["totalCount"], 0);
    assert_eq!(lists["data"]["phone"]["totalCount"], 0);
    assert_eq!(lists["data"]["node"]["name"], "[gelöscht]");
    assert!(
        !lists["data"]["node"]["consent"]["givenAt"].is_null(),
        "the fact of consent stays"
    );
    assert!(
        lists.to_string().contains("Hans Meier"),
        "Hans stays: {lists}"
    );
    let csv = app
        .gql(
            Some(&owner.access_token),
            "mutation { exportLeads { csv } }",
            json!({}),
        )
        .await;
    assert_gone(&csv.to_string(), "the CSV export");
    let again = app
        .gql(
            Some(&owner.access_token),
            "mutation($input: ExportContactDataInput!) { exportContactData(input: $input) { json } }",
            json!({ "input": { "email": EMAIL } }),
        )
        .await;
    let again: Value = serde_json::from_str(
        again["data"]["exportContactData"]["json"]
            .as_str()
            .expect("json"),
    )
    .expect("document");
    assert_eq!(again["leads"], json!([]), "{again}");
    assert_eq!(again["conversations"], json!([]), "{again}");
    assert_eq!(again["emails"], json!([]), "{again}");

    // Replays from the start show only markers.
    let mut replay = Live::start(
        &app.url,
        Some(&owner.access_token),
        None,
        CONVERSATION_EVENTS,
        json!({ "id": first.conversation_id, "after": "0" }),
    )
    .await
    .expect("subscription");
    let events = replay
        .collect_until(|d| d["conversationEvents"]["message"]["role"] == "ASSISTANT")
        .await;
    assert_gone(&json!(events).to_string(), "the conversation replay");
    assert!(json!(events).to_string().contains("[gelöscht]"));
    let mut leads = Live::start(
        &app.url,
        Some(&owner.access_token),
        None,
        LEAD_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("subscription");
    let events = leads
        .collect_until(|d| d["leadEvents"]["lead"]["id"] == hans.as_str())
        .await;
    assert_gone(&json!(events).to_string(), "the lead replay");

    // No table holds her data; the audit log says who erased how much, without the data.
    let database = whole_database(&app).await;
    assert!(database.contains("Hans Meier"), "the scan reads the rows");
    assert_gone(&database, "the database");
    let audit = app
        .gql(
            Some(&owner.access_token),
            "{ privacyAuditLog { edges { node { action actor actorUserId counts } } } }",
            json!({}),
        )
        .await;
    let entries = audit["data"]["privacyAuditLog"]["edges"]
        .as_array()
        .expect("entries");
    assert_eq!(entries[0]["node"]["action"], "EXPORT", "{audit}");
    assert_eq!(entries[1]["node"]["action"], "ERASE", "{audit}");
    assert_eq!(entries[1]["node"]["actorUserId"], owner.user_id.as_str());
    assert_eq!(entries[1]["node"]["counts"]["leads"], 2);
    assert_eq!(entries[2]["node"]["action"], "EXPORT", "{audit}");

    // Erasing again finds nothing left.
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { eraseContact(input: { email: \"erika.mustermann@example.de\" }) { erased { leads conversations messages } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["eraseContact"]["erased"],
        json!({ "leads": 0, "conversations": 0, "messages": 0 })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_are_refused_and_another_workshop_erases_nothing() {
    let app = TestApp::new().await;
    let nord = app.register("nord@autohaus-nord.de", "Autohaus Nord").await;
    let sued = app.register("sued@autohaus-sued.de", "Autohaus Süd").await;
    let (_, key) = app.client_key(&nord, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let lead = lead_of(&app, &visitor, json!({ "email": EMAIL })).await;

    for (input, field, code) in [
        (json!({}), "email", "REQUIRED"),
        (json!({ "email": "keine-adresse" }), "email", "INVALID"),
        (json!({ "phone": "12" }), "phone", "INVALID"),
        (json!({ "leadId": "kaputt" }), "leadId", "NOT_FOUND"),
    ] {
        let body = app
            .gql(
                Some(&nord.access_token),
                "mutation($input: EraseContactInput!) { eraseContact(input: $input) { erased { leads } userErrors { field code } } }",
                json!({ "input": input }),
            )
            .await;
        let payload = &body["data"]["eraseContact"];
        assert_eq!(payload["erased"], Value::Null, "{body}");
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", field]),
            "{body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], code, "{body}");
    }
    // Süd cannot reach Nord's lead, neither by id nor by address.
    let body = app
        .gql(
            Some(&sued.access_token),
            "mutation($id: ID!) { eraseContact(input: { leadId: $id }) { erased { leads } userErrors { code } } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(
        body["data"]["eraseContact"]["userErrors"][0]["code"], "NOT_FOUND",
        "{body}"
    );
    let body = app
        .gql(
            Some(&sued.access_token),
            "mutation { eraseContact(input: { email: \"erika.mustermann@example.de\" }) { erased { leads conversations messages } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["eraseContact"]["erased"],
        json!({ "leads": 0, "conversations": 0, "messages": 0 })
    );
    let body = app
        .gql(
            Some(&sued.access_token),
            "mutation { exportContactData(input: { email: \"erika.mustermann@example.de\" }) { json } }",
            json!({}),
        )
        .await;
    let export: Value = serde_json::from_str(
        body["data"]["exportContactData"]["json"]
            .as_str()
            .expect("json"),
    )
    .expect("document");
    assert_eq!(export["leads"], json!([]));
    assert_eq!(export["conversations"], json!([]));
    let still = app
        .gql(
            Some(&nord.access_token),
            "query($id: ID!) { node(id: $id) { ... on Lead { email } } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(still["data"]["node"]["email"], EMAIL);

    // Settings out of range change nothing.
    let body = app
        .gql(
            Some(&nord.access_token),
            "mutation { updatePrivacySettings(input: { conversationRetentionDays: 0, closedLeadRetentionDays: 5, privacyNoticeUrl: \"javascript:alert(1)\" }) {
                privacySettings { conversationRetentionDays } userErrors { field code } } }",
            json!({}),
        )
        .await;
    let errors = &body["data"]["updatePrivacySettings"]["userErrors"];
    assert_eq!(errors.as_array().map(Vec::len), Some(3), "{body}");
    assert_eq!(errors[0]["code"], "OUT_OF_RANGE");
    assert_eq!(errors[2]["field"], json!(["input", "privacyNoticeUrl"]));
    let body = app
        .gql(
            Some(&nord.access_token),
            "{ privacySettings { conversationRetentionDays closedLeadRetentionDays eventRetentionDays privacyNoticeUrl } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["privacySettings"],
        json!({ "conversationRetentionDays": 90, "closedLeadRetentionDays": 1095,
                "eventRetentionDays": 30, "privacyNoticeUrl": null })
    );
}

/// A stored row's erasure state, by id.
async fn erased_at(app: &TestApp, table: &str, id: &str) -> bool {
    #[derive(QueryableByName)]
    struct Erased {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        erased: bool,
    }
    let decoded = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id)
        .expect("a global id");
    let text = String::from_utf8(decoded).expect("utf-8");
    let uuid: uuid::Uuid = text
        .split_once(':')
        .and_then(|(_, id)| id.parse().ok())
        .expect("a uuid");
    let mut conn = app.db().await;
    let row: Erased = diesel::sql_query(format!(
        "SELECT erased_at IS NOT NULL AS erased FROM {table} WHERE id = $1"
    ))
    .bind::<diesel::sql_types::Uuid, _>(uuid)
    .get_result(&mut conn)
    .await
    .expect("row");
    row.erased
}

/// The `events` replay's answer to `query` once `listed` holds of its edges (the replay lists a
/// transaction's events once every older transaction has ended: a moment later).
async fn listed_events(
    app: &TestApp,
    token: &str,
    query: &str,
    listed: impl Fn(&[Value]) -> bool,
) -> Value {
    let mut body = Value::Null;
    for _ in 0..100 {
        body = app.gql(Some(token), query, json!({})).await;
        if body["data"]["events"]["edges"]
            .as_array()
            .is_some_and(|edges| listed(edges))
        {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the replay never listed them: {body}");
}

async fn event_count(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    let count: Count = diesel::sql_query("SELECT count(*) AS n FROM events")
        .get_result(&mut conn)
        .await
        .expect("count");
    count.n
}

/// Runs the retention job at `now` until it has handled the workshop (the app's own worker may
/// hold the job's lock for a moment).
async fn retention_at(app: &TestApp, pool: &carbot_schema::db::Pool, now: chrono::DateTime<Utc>) {
    #[derive(QueryableByName)]
    struct Ran {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ran: bool,
    }
    for _ in 0..100 {
        // Its announcements are stored (they reach this process's subscribers through the app's
        // own bus only when its worker runs the job).
        let bus = carbot_schema::events::InProcessEventBus::default();
        carbot_schema::privacy::retention::round(pool, &bus, now)
            .await
            .expect("a retention round");
        let mut conn = app.db().await;
        let ran: Ran = diesel::sql_query(
            "SELECT bool_and(ran_on = ($1 AT TIME ZONE 'Europe/Berlin')::date) AS ran FROM privacy_settings",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .get_result(&mut conn)
        .await
        .expect("ran");
        if ran.ran {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the retention job did not run for {now}");
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_with_the_clock_moved_forward_erases_exactly_what_is_due() {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let idle = app.visitor(&key, SITE).await;
    app.say(&idle, "Nur mal geschaut").await;
    let open = app.visitor(&key, SITE).await;
    app.say(&open, "Bitte um Rückruf").await;
    let open_lead = lead_of(&app, &open, json!({})).await;
    let won = app.visitor(&key, SITE).await;
    app.say(&won, "Ich komme vorbei").await;
    let won_lead = lead_of(&app, &won, json!({ "name": "Gewonnen Kunde" })).await;
    for status in ["BOOKED", "WON"] {
        let body = app
            .gql(
                Some(&owner.access_token),
                "mutation($id: ID!, $status: LeadStatus!) { updateLeadStatus(input: { leadId: $id, status: $status }) { userErrors { code } } }",
                json!({ "id": won_lead, "status": status }),
            )
            .await;
        assert_eq!(body["data"]["updateLeadStatus"]["userErrors"], json!([]));
    }
    let pool = carbot_schema::db::connect_pool(&app.database_url, 2)
        .await
        .expect("pool");
    let events = event_count(&app).await;
    assert!(events > 0);

    // 29 days on: nothing is due yet.
    retention_at(&app, &pool, Utc::now() + Duration::days(29)).await;
    assert!(!erased_at(&app, "conversations", &idle.conversation_id).await);
    assert_eq!(event_count(&app).await, events, "events are kept 30 days");

    // 31 days on: the event log is past its window; the conversations not yet.
    retention_at(&app, &pool, Utc::now() + Duration::days(31)).await;
    assert_eq!(
        event_count(&app).await,
        0,
        "events older than 30 days are gone"
    );
    assert!(!erased_at(&app, "conversations", &idle.conversation_id).await);

    // 91 days on: the conversation without a request is erased; those with one stay.
    retention_at(&app, &pool, Utc::now() + Duration::days(91)).await;
    assert!(erased_at(&app, "conversations", &idle.conversation_id).await);
    assert!(!erased_at(&app, "conversations", &open.conversation_id).await);
    assert!(!erased_at(&app, "conversations", &won.conversation_id).await);
    assert!(!erased_at(&app, "leads", &won_lead).await);
    // Announced like any erasure (the only stored event left after the 31-day run).
    let announced = listed_events(
        &app,
        &owner.access_token,
        "{ events(first: 10) { edges { node { type data } } } }",
        |edges| !edges.is_empty(),
    )
    .await;
    assert_eq!(
        announced["data"]["events"]["edges"],
        json!([{ "node": { "type": "conversation.erased",
            "data": { "conversationId": idle.conversation_id } } }]),
        "{announced}"
    );

    // Three years and a day on: the won request loses its data; the open one never does.
    retention_at(&app, &pool, Utc::now() + Duration::days(1096)).await;
    assert!(erased_at(&app, "leads", &won_lead).await);
    assert!(erased_at(&app, "conversations", &won.conversation_id).await);
    assert!(!erased_at(&app, "leads", &open_lead).await);
    assert!(!erased_at(&app, "conversations", &open.conversation_id).await);

    let audit = app
        .gql(
            Some(&owner.access_token),
            "{ privacyAuditLog { edges { node { action actor counts } } } }",
            json!({}),
        )
        .await;
    let entries = audit["data"]["privacyAuditLog"]["edges"]
        .as_array()
        .expect("entries");
    let runs: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["action"] == "RETENTION")
        .collect();
    assert_eq!(
        runs.len(),
        3,
        "one entry per run that erased something: {audit}"
    );
    assert_eq!(runs[0]["node"]["counts"]["leads"], 1, "{audit}");
    assert_eq!(runs[1]["node"]["counts"]["conversations"], 1, "{audit}");
    assert_eq!(runs[2]["node"]["counts"]["events"], events, "{audit}");
    assert_eq!(runs[2]["node"]["actor"], "RETENTION");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stored_consent_is_the_text_the_widget_showed() {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let config = async |locale: &str| -> (String, String) {
        let (_, body) = app
            .post_from(
                SITE,
                None,
                "query($key: String!, $locale: Locale) { widgetConfig(clientKey: $key, locale: $locale) { consentText consentVersion greeting } }",
                json!({ "key": key, "locale": locale }),
            )
            .await;
        let config = &body["data"]["widgetConfig"];
        (
            config["consentText"].as_str().expect("text").to_owned(),
            config["consentVersion"]
                .as_str()
                .expect("version")
                .to_owned(),
        )
    };
    let mut texts = Vec::new();
    for locale in ["DE", "EN", "TR", "PL"] {
        let (text, version) = config(locale).await;
        assert!(text.contains("Autohaus Nord"), "{locale}: {text}");
        let visitor = app.visitor(&key, SITE).await;
        let lead = lead_of(&app, &visitor, json!({ "consentVersion": version })).await;
        let body = app
            .gql(
                Some(&owner.access_token),
                "query($id: ID!) { node(id: $id) { ... on Lead { consent { text } } } }",
                json!({ "id": lead }),
            )
            .await;
        assert_eq!(
            body["data"]["node"]["consent"]["text"],
            text.as_str(),
            "{locale}"
        );
        texts.push(text);
    }
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 4, "one text per language: {texts:?}");

    // A version served before the owner changed the text is still the one stored.
    let (old_text, old_version) = config("DE").await;
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { updateWidgetSettings(input: { consentText: \"Neue Einwilligung der Autohaus Nord GmbH.\" }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["updateWidgetSettings"]["userErrors"],
        json!([])
    );
    let visitor = app.visitor(&key, SITE).await;
    let lead = lead_of(&app, &visitor, json!({ "consentVersion": old_version })).await;
    let body = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Lead { consent { text } } } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(body["data"]["node"]["consent"]["text"], old_text.as_str());

    // A version the server never served, or another workshop's, is refused and stores nothing.
    let other = app.register("sued@autohaus-sued.de", "Autohaus Süd").await;
    let (_, other_key) = app.client_key(&other, &[SITE]).await;
    let (_, body) = app
        .post_from(
            SITE,
            None,
            "query($key: String!) { widgetConfig(clientKey: $key) { consentVersion } }",
            json!({ "key": other_key }),
        )
        .await;
    let foreign = body["data"]["widgetConfig"]["consentVersion"]
        .as_str()
        .expect("version")
        .to_owned();
    let invented = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!("ConsentVersion:{}", uuid::Uuid::new_v4()),
    );
    let before = app
        .gql(
            Some(&owner.access_token),
            "{ leads { totalCount } }",
            json!({}),
        )
        .await;
    for version in [invented, foreign, "kaputt".to_owned()] {
        let visitor = app.visitor(&key, SITE).await;
        let (_, body) = app
            .submit_lead(&visitor, json!({ "consentVersion": version }))
            .await;
        let payload = &body["data"]["submitLead"];
        assert_eq!(payload["lead"], Value::Null, "{body}");
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "consentVersion"]),
            "{body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], "INVALID", "{body}");
    }
    let after = app
        .gql(
            Some(&owner.access_token),
            "{ leads { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(before, after, "no lead was stored");

    // The owner records a withdrawal: the contact data goes, the fact of consent stays.
    let withdraw = "mutation($id: ID!) { withdrawLeadConsent(input: { leadId: $id }) {
        erased { leads } userErrors { code } } }";
    let body = app
        .gql(Some(&owner.access_token), withdraw, json!({ "id": lead }))
        .await;
    assert_eq!(
        body["data"]["withdrawLeadConsent"]["erased"]["leads"], 1,
        "{body}"
    );
    let body = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Lead { name phone erasedAt
                consent { givenAt withdrawnAt } } } }",
            json!({ "id": lead }),
        )
        .await;
    assert_eq!(body["data"]["node"]["name"], "[gelöscht]");
    assert_eq!(body["data"]["node"]["phone"], Value::Null);
    assert!(!body["data"]["node"]["consent"]["givenAt"].is_null());
    // When it was withdrawn and when the data went, for the owner's records.
    assert!(
        body["data"]["node"]["consent"]["withdrawnAt"].is_string(),
        "{body}"
    );
    assert!(body["data"]["node"]["erasedAt"].is_string(), "{body}");
    let body = app
        .gql(Some(&owner.access_token), withdraw, json!({ "id": lead }))
        .await;
    assert_eq!(
        body["data"]["withdrawLeadConsent"]["userErrors"][0]["code"],
        "INVALID_TRANSITION"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_downloads_and_deletes_their_own_chat() {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.say(&visitor, SECRET).await;
    lead_of(&app, &visitor, json!({ "name": NAME, "email": EMAIL })).await;
    let someone = app.visitor(&key, SITE).await;
    app.say(&someone, "Ein anderer Chat").await;

    let download = "query($id: ID!) { visitorConversationExport(conversationId: $id) }";
    let (_, body) = app
        .post_from(
            SITE,
            Some(&visitor.token),
            download,
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    let document: Value = serde_json::from_str(
        body["data"]["visitorConversationExport"]
            .as_str()
            .expect("document"),
    )
    .expect("JSON");
    assert_eq!(document["conversations"][0]["messages"][0]["body"], SECRET);
    assert_eq!(document["leads"][0]["email"], EMAIL);
    // Another conversation's id is refused.
    let (_, body) = app
        .post_from(
            SITE,
            Some(&visitor.token),
            download,
            json!({ "id": someone.conversation_id }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );

    let (_, body) = app
        .post_from(
            SITE,
            Some(&visitor.token),
            "mutation($id: ID!) { deleteVisitorConversation(input: { conversationId: $id }) { erased { leads conversations messages } } }",
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    let erased = &body["data"]["deleteVisitorConversation"]["erased"];
    assert_eq!(erased["leads"], 1, "{body}");
    assert_eq!(erased["conversations"], 1, "{body}");
    assert!(
        erased["messages"].as_i64().expect("messages") >= 2,
        "{body}"
    );
    // The token is good for nothing any more; the other chat is untouched.
    let (_, body) = app.say(&visitor, "Noch da?").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    let all = app
        .gql(
            Some(&owner.access_token),
            "{ conversations { totalCount edges { node { messages { edges { node { body } } } } } } }",
            json!({}),
        )
        .await;
    assert_gone(&all.to_string(), "the conversations");
    assert!(all.to_string().contains("Ein anderer Chat"));
    assert_eq!(all["data"]["conversations"]["totalCount"], 2);
}

/// A visitor whose conversation speaks `locale`.
async fn visitor_in(app: &TestApp, key: &str, locale: &str) -> Visitor {
    let (_, body) = app
        .post_from(
            SITE,
            None,
            "mutation($input: StartConversationInput!) { startConversation(input: $input) {
                conversation { id } visitorToken } }",
            json!({ "input": { "clientKey": key, "locale": locale } }),
        )
        .await;
    let payload = &body["data"]["startConversation"];
    Visitor {
        conversation_id: payload["conversation"]["id"]
            .as_str()
            .expect("conversation")
            .to_owned(),
        token: payload["visitorToken"].as_str().expect("token").to_owned(),
        origin: SITE.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn user_errors_speak_the_callers_language() {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let year = chrono::Datelike::year(&Utc::now()) + 1;
    for (locale, name, vehicle) in [
        (
            "TR",
            "Lütfen adınızı girin.",
            format!("Model yılı 1900 ile {year} arasında olmalı."),
        ),
        (
            "PL",
            "Proszę podać imię i nazwisko.",
            format!("Rok produkcji między 1900 a {year}."),
        ),
        (
            "EN",
            "Please give your name.",
            format!("Year of manufacture between 1900 and {year}."),
        ),
        (
            "DE",
            "Bitte Ihren Namen angeben.",
            format!("Baujahr zwischen 1900 und {year}."),
        ),
    ] {
        let visitor = visitor_in(&app, &key, locale).await;
        let (_, body) = app
            .submit_lead(
                &visitor,
                json!({ "name": " ", "vehicle": { "year": 1800 } }),
            )
            .await;
        let errors = &body["data"]["submitLead"]["userErrors"];
        let message = |field: &str| {
            errors
                .as_array()
                .expect("errors")
                .iter()
                .find(|e| e["field"].as_array().and_then(|f| f.last()) == Some(&json!(field)))
                .map(|e| e["message"].clone())
        };
        assert_eq!(message("name"), Some(json!(name)), "{locale}: {body}");
        assert_eq!(message("year"), Some(json!(vehicle)), "{locale}: {body}");
    }

    // A user's own language, and an anonymous browser's.
    let (status, body) = app
        .post(
            None,
            "mutation($input: RegisterInput!) { register(input: $input) { session { accessToken } userErrors { code } } }",
            json!({ "input": { "email": "owner@garage.example", "password": carbot_tests::PASSWORD,
                               "workshopName": "Garage", "locale": "EN" } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let english = body["data"]["register"]["session"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let body = app
        .gql(
            Some(&english),
            "mutation { eraseContact(input: { phone: \"12\" }) { userErrors { message } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["eraseContact"]["userErrors"][0]["message"],
        "Please give a phone number with at least five digits."
    );
    let response = app
        .client
        .post(app.graphql_url())
        .header("accept-language", "en-GB,en;q=0.9,de;q=0.5")
        .json(&json!({ "query": "mutation { login(input: { email: \"niemand@example.de\", password: \"falsch-falsch-falsch\" }) { userErrors { message } } }" }))
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["data"]["login"]["userErrors"][0]["message"],
        "The e-mail address or password is wrong.",
        "{body}"
    );
}
