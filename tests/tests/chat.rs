//! The widget's chat end to end over HTTP and WebSocket: client keys and origins, visitors,
//! the built-in assistant's catalog answers, leads, takeover, resuming subscriptions, limits.

use carbot_tests::chat::{
    CONVERSATION_EVENTS, INBOX_EVENTS, LEAD_EVENTS, Live, Refused, SITE, Visitor,
};
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{TestApp, error_code};
use diesel_async::RunQueryDsl;

const FOREIGN: &str = "https://evil.example";

async fn count(app: &TestApp, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.db().await;
    let rows: Vec<Count> = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .load(&mut conn)
        .await
        .expect("count");
    rows[0].n
}

async fn chat_counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["conversations", "messages", "leads", "lead_notes", "events"] {
        counts.push(count(app, table).await);
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn client_keys_check_origins_count_usage_and_respect_the_plan() {
    let app = TestApp::new().await;
    let owner = app.register("keys@autohaus-nord.de", "Autohaus Nord").await;
    let create = "mutation($input: CreateClientKeyInput!) { createClientKey(input: $input) {
        clientKey { id key label allowedOrigins active usage { conversations messages leads } }
        userErrors { field code } } }";

    let bad = app
        .gql(
            Some(&owner.access_token),
            create,
            json!({ "input": { "label": " ", "allowedOrigins": ["autohaus-nord.de", "https://ok.de/pfad", "https://*.ok.de"] } }),
        )
        .await;
    let errors = &bad["data"]["createClientKey"]["userErrors"];
    assert_eq!(
        *errors,
        json!([
            { "field": ["input", "label"], "code": "REQUIRED" },
            { "field": ["input", "allowedOrigins", "0"], "code": "INVALID" },
            { "field": ["input", "allowedOrigins", "1"], "code": "INVALID" },
        ]),
        "{bad}"
    );
    assert_eq!(count(&app, "client_keys").await, 0);

    let body = app
        .gql(
            Some(&owner.access_token),
            create,
            json!({ "input": { "label": "Website", "allowedOrigins": ["https://Autohaus-Nord.de/", "https://*.autohaus-nord.de"] } }),
        )
        .await;
    let key = &body["data"]["createClientKey"]["clientKey"];
    let secret = key["key"].as_str().expect("key");
    assert!(
        secret.starts_with("cb_pub_") && secret.len() == 39,
        "{secret}"
    );
    assert_eq!(
        key["allowedOrigins"],
        json!(["https://autohaus-nord.de", "https://*.autohaus-nord.de"])
    );

    // Usage counts follow conversations, messages and leads.
    let visitor = app.visitor(secret, "https://www.autohaus-nord.de").await;
    app.say(&visitor, "Hallo").await;
    let list = app
        .gql(
            Some(&owner.access_token),
            "{ clientKeys { totalCount edges { node { key usage { conversations messages leads } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list["data"]["clientKeys"]["edges"][0]["node"]["usage"],
        json!({ "conversations": 1, "messages": 2, "leads": 0 }),
        "{list}"
    );

    // Basic allows 3 active keys; revoking frees a slot.
    app.subscribe(&owner, "BASIC").await;
    app.client_key(&owner, &[SITE]).await;
    let (third, _) = app.client_key(&owner, &[SITE]).await;
    let refused = app
        .gql(
            Some(&owner.access_token),
            create,
            json!({ "input": { "label": "Vierter", "allowedOrigins": [SITE] } }),
        )
        .await;
    assert_eq!(error_code(&refused), "PLAN_LIMIT_REACHED", "{refused}");
    let revoked = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { revokeClientKey(input: { id: $id }) { clientKey { active } userErrors { code } } }",
            json!({ "id": third }),
        )
        .await;
    assert_eq!(
        revoked["data"]["revokeClientKey"]["clientKey"]["active"],
        false
    );
    app.client_key(&owner, &[SITE]).await;

    // Staff and API tokens cannot manage keys; other workshops cannot see them.
    let other = app
        .register("andere@werkstatt.de", "Andere Werkstatt")
        .await;
    let foreign = app
        .gql(
            Some(&other.access_token),
            "mutation($id: ID!) { revokeClientKey(input: { id: $id }) { clientKey { id } userErrors { code } } }",
            json!({ "id": key["id"] }),
        )
        .await;
    assert_eq!(
        foreign["data"]["revokeClientKey"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_works_only_on_allowed_origins_with_active_keys() {
    let app = TestApp::new().await;
    let owner = app
        .register("origin@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (key_id, key) = app.client_key(&owner, &[SITE]).await;
    let config = "query($key: String!) { widgetConfig(clientKey: $key) { workshopName greeting primaryColor position locale consentText } }";

    let (_, ok) = app
        .post_from(SITE, None, config, json!({ "key": key }))
        .await;
    let widget = &ok["data"]["widgetConfig"];
    assert_eq!(widget["workshopName"], "Autohaus Nord");
    assert_eq!(widget["locale"], "DE");
    assert!(
        widget["greeting"]
            .as_str()
            .expect("greeting")
            .contains("Autohaus Nord")
    );
    assert!(
        widget["consentText"]
            .as_str()
            .expect("consent")
            .contains("willige ein")
    );

    let (_, foreign) = app
        .post_from(FOREIGN, None, config, json!({ "key": key }))
        .await;
    assert_eq!(error_code(&foreign), "FORBIDDEN", "{foreign}");
    let (_, unknown) = app
        .post_from(
            SITE,
            None,
            config,
            json!({ "key": "cb_pub_00000000000000000000000000000000" }),
        )
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");

    let before = chat_counts(&app).await;
    let start = "mutation($key: String!) { startConversation(input: { clientKey: $key }) {
        conversation { id } visitorToken userErrors { field code } } }";
    let (_, refused) = app
        .post_from(FOREIGN, None, start, json!({ "key": key }))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    // Without any Origin (not a browser on an allowed page) there is no conversation either.
    let no_origin = app.gql(None, start, json!({ "key": key })).await;
    assert_eq!(error_code(&no_origin), "FORBIDDEN", "{no_origin}");
    assert_eq!(
        chat_counts(&app).await,
        before,
        "a refused start stores nothing"
    );

    let visitor = app.visitor(&key, SITE).await;
    // The token is bound to allowed origins, on HTTP and on the WebSocket handshake.
    let (status, _) = app
        .post_from(FOREIGN, Some(&visitor.token), "{ __typename }", json!({}))
        .await;
    assert_eq!(status, 403);
    let live = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(FOREIGN),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id }),
    )
    .await;
    assert!(
        matches!(live, Err(Refused::Closed(4403))),
        "foreign origin on WS"
    );

    // Revoking the key ends the widget and its visitors' tokens at once.
    app.gql(
        Some(&owner.access_token),
        "mutation($id: ID!) { revokeClientKey(input: { id: $id }) { userErrors { code } } }",
        json!({ "id": key_id }),
    )
    .await;
    let (status, _) = app.say(&visitor, "Hallo?").await;
    assert_eq!(status, 401);
    let (_, revoked) = app
        .post_from(SITE, None, start, json!({ "key": key }))
        .await;
    assert_eq!(
        revoked["data"]["startConversation"]["userErrors"],
        json!([{ "field": ["input", "clientKey"], "code": "NOT_FOUND" }])
    );
    let (_, gone) = app
        .post_from(SITE, None, config, json!({ "key": key }))
        .await;
    assert_eq!(error_code(&gone), "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_assistant_quotes_the_catalog_and_everything_is_stored_as_text() {
    let app = TestApp::new().await;
    let owner = app
        .register("preise@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;

    let (status, body) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["sendMessage"];
    assert_eq!(payload["message"]["role"], "VISITOR");
    let reply = &payload["reply"];
    assert_eq!(reply["role"], "ASSISTANT");
    let cited = reply["citedServices"].as_array().expect("cited services");
    let oil = cited
        .iter()
        .find(|s| s["name"] == "Ölwechsel")
        .unwrap_or_else(|| panic!("Ölwechsel is quoted: {reply}"));
    assert_eq!(oil["price"]["min"]["amountCents"], 1000);
    assert_eq!(oil["price"]["max"]["amountCents"], 8000);
    let text = reply["body"].as_str().expect("body");
    assert!(
        text.contains("Ölwechsel") && text.contains("10") && text.contains("80"),
        "{text}"
    );

    // With the car known, the vehicle-class range is quoted.
    let (_, golf) = app
        .say(&visitor, "Was kostet der Ölwechsel für meinen VW Golf?")
        .await;
    let text = golf["data"]["sendMessage"]["reply"]["body"]
        .as_str()
        .expect("body");
    assert!(
        text.contains("15") && text.contains("59"),
        "Kompaktklasse 15–59 €: {text}"
    );

    // Bad input: a clear error and nothing stored.
    let before = chat_counts(&app).await;
    for (body, code) in [("   ", "REQUIRED"), (&"a".repeat(10_000)[..], "TOO_LONG")] {
        let (_, refused) = app.say(&visitor, body).await;
        assert_eq!(
            refused["data"]["sendMessage"]["userErrors"][0]["code"], code,
            "{refused}"
        );
    }
    assert_eq!(chat_counts(&app).await, before);

    // Markup is text: stored and returned exactly as written.
    let hostile = "<script>alert('x')</script> <img src=x onerror=alert(1)>";
    let (_, stored) = app.say(&visitor, hostile).await;
    assert_eq!(stored["data"]["sendMessage"]["message"]["body"], hostile);
    let transcript = app
        .gql(
            Some(&owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Conversation { messageCount messages(first: 50) { edges { node { role body } } } } } }",
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    let conversation = &transcript["data"]["node"];
    assert_eq!(conversation["messageCount"], 6, "{transcript}");
    assert!(
        conversation["messages"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["node"]["body"] == hostile)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_token_is_good_for_its_own_conversation_only() {
    let app = TestApp::new().await;
    let owner = app
        .register("grenzen@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let mine = app.visitor(&key, SITE).await;
    let theirs = app.visitor(&key, SITE).await;

    let foreign = Visitor {
        conversation_id: theirs.conversation_id.clone(),
        ..mine.clone()
    };
    let (_, refused) = app.say(&foreign, "Hallo").await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let (_, lead) = app.submit_lead(&foreign, json!({})).await;
    assert_eq!(error_code(&lead), "FORBIDDEN", "{lead}");
    for console in [
        "{ workshop { name } }",
        "{ leads { totalCount } }",
        "{ conversations { totalCount } }",
        "{ services(first: 1) { totalCount } }",
        "{ clientKeys { totalCount } }",
    ] {
        let (_, body) = app
            .post_from(SITE, Some(&mine.token), console, json!({}))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{console}: {body}");
    }
    let live = Live::start(
        &app.url,
        Some(&mine.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": theirs.conversation_id }),
    )
    .await
    .expect("connected");
    let mut live = live;
    // async-graphql reports a refused subscription as `next` with errors (no data).
    let message = live.receive().await.expect("an answer");
    assert_eq!(message["payload"]["data"], Value::Null, "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(count(&app, "messages").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn leads_are_validated_stored_streamed_and_followed_up() {
    let app = TestApp::new().await;
    let owner = app
        .register("leads@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.say(&visitor, "Was kostet ein Ölwechsel?").await;

    let mut leads = Live::start(
        &app.url,
        Some(&owner.access_token),
        None,
        LEAD_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("lead events");

    let before = chat_counts(&app).await;
    for (overrides, field, code) in [
        (
            json!({ "consent": false }),
            vec!["input", "consent"],
            "REQUIRED",
        ),
        (json!({ "phone": null }), vec!["input", "email"], "REQUIRED"),
        (
            json!({ "email": "kein-at-zeichen" }),
            vec!["input", "email"],
            "INVALID",
        ),
        (
            json!({ "phone": "ruf mich an" }),
            vec!["input", "phone"],
            "INVALID",
        ),
        (json!({ "name": "" }), vec!["input", "name"], "REQUIRED"),
        (
            json!({ "preferredDate": "2020-01-01" }),
            vec!["input", "preferredDate"],
            "IN_PAST",
        ),
        (
            json!({ "vehicle": { "year": 1800 } }),
            vec!["input", "vehicle", "year"],
            "OUT_OF_RANGE",
        ),
        (
            json!({ "serviceIds": ["U2VydmljZTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"] }),
            vec!["input", "serviceIds", "0"],
            "NOT_FOUND",
        ),
    ] {
        let (_, body) = app.submit_lead(&visitor, overrides.clone()).await;
        let errors = body["data"]["submitLead"]["userErrors"]
            .as_array()
            .expect("errors")
            .clone();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == json!(field) && e["code"] == code),
            "{overrides}: {body}"
        );
        assert!(body["data"]["submitLead"]["lead"].is_null());
    }
    assert_eq!(
        chat_counts(&app).await,
        before,
        "refused leads store nothing"
    );

    let (_, body) = app
        .submit_lead(
            &visitor,
            json!({ "message": "Bitte mit Ölfilter", "preferredDate": null }),
        )
        .await;
    let lead = &body["data"]["submitLead"]["lead"];
    assert_eq!(lead["status"], "NEW", "{body}");
    assert_eq!(lead["overPlanLimit"], false);
    // No services chosen: the ones the assistant quoted; a Golf is priced as Kompaktklasse.
    assert!(
        lead["services"]
            .as_array()
            .expect("services")
            .iter()
            .any(|s| s["name"] == "Ölwechsel"),
        "{lead}"
    );
    assert!(
        lead["estimatedValue"]["min"]["amountCents"]
            .as_i64()
            .expect("min")
            >= 1500
    );

    let event = leads.next_data().await;
    assert_eq!(event["leadEvents"]["kind"], "CREATED");
    assert_eq!(event["leadEvents"]["lead"]["name"], "Erika Mustermann");
    assert_eq!(event["leadEvents"]["lead"]["id"], lead["id"]);

    // Status flow: forward moves, WON only after BOOKED, final states stay.
    let status = "mutation($id: ID!, $status: LeadStatus!) { updateLeadStatus(input: { leadId: $id, status: $status }) {
        lead { status } userErrors { field code } } }";
    for (to, ok) in [
        ("CONTACTED", true),
        ("NEW", false),
        ("WON", false),
        ("BOOKED", true),
        ("WON", true),
        ("LOST", false),
    ] {
        let body = app
            .gql(
                Some(&owner.access_token),
                status,
                json!({ "id": lead["id"], "status": to }),
            )
            .await;
        let payload = &body["data"]["updateLeadStatus"];
        if ok {
            assert_eq!(payload["lead"]["status"], to, "{body}");
        } else {
            assert_eq!(
                payload["userErrors"][0]["code"], "INVALID_TRANSITION",
                "{to}: {body}"
            );
        }
    }
    let update = leads.next_data().await;
    assert_eq!(update["leadEvents"]["kind"], "UPDATED");
    assert_eq!(update["leadEvents"]["lead"]["status"], "CONTACTED");

    let note = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { addLeadNote(input: { leadId: $id, body: \"Rückruf morgen <b>10 Uhr</b>\" }) { note { body } userErrors { code } } }",
            json!({ "id": lead["id"] }),
        )
        .await;
    assert_eq!(
        note["data"]["addLeadNote"]["note"]["body"],
        "Rückruf morgen <b>10 Uhr</b>"
    );

    // The list with nested fields, filters and search.
    let list = app
        .gql(
            Some(&owner.access_token),
            "query($filter: LeadFilter) { leads(first: 10, filter: $filter) { totalCount edges { node {
                name status vehicle { make model year } services { name } notes { body }
                conversation { messages { totalCount edges { node { role body citedServices { name } } } } } } } } }",
            json!({ "filter": { "search": "Musterman", "status": ["WON"] } }),
        )
        .await;
    let found = &list["data"]["leads"];
    assert_eq!(found["totalCount"], 1, "{list}");
    let node = &found["edges"][0]["node"];
    assert_eq!(
        node["vehicle"],
        json!({ "make": "VW", "model": "Golf", "year": 2017 })
    );
    assert_eq!(node["notes"][0]["body"], "Rückruf morgen <b>10 Uhr</b>");
    assert_eq!(node["conversation"]["messages"]["totalCount"], 2);
    let none = app
        .gql(
            Some(&owner.access_token),
            "query($filter: LeadFilter) { leads(filter: $filter) { totalCount } }",
            json!({ "filter": { "status": ["NEW"] } }),
        )
        .await;
    assert_eq!(none["data"]["leads"]["totalCount"], 0);

    // A submission sent again with its id (its answer was lost) finds the lead it stored; a
    // malformed id is refused.
    let (_, first) = app
        .submit_lead(&visitor, json!({ "submissionId": "widget-7f3a9c" }))
        .await;
    let (_, again) = app
        .submit_lead(
            &visitor,
            json!({ "submissionId": "widget-7f3a9c", "name": "Noch einmal" }),
        )
        .await;
    let stored = &first["data"]["submitLead"]["lead"]["id"];
    assert!(stored.is_string(), "{first}");
    assert_eq!(
        &again["data"]["submitLead"]["lead"]["id"], stored,
        "{again}"
    );
    let (_, long) = app
        .submit_lead(&visitor, json!({ "submissionId": "x".repeat(65) }))
        .await;
    assert_eq!(
        long["data"]["submitLead"]["userErrors"][0]["field"],
        json!(["input", "submissionId"]),
        "{long}"
    );
    let counted = app
        .gql(
            Some(&owner.access_token),
            "{ leads { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(counted["data"]["leads"]["totalCount"], 2, "{counted}");
}

#[tokio::test(flavor = "multi_thread")]
async fn over_the_monthly_allowance_a_lead_is_kept_and_flagged() {
    let app = TestApp::new().await;
    let owner = app
        .register("basic@autohaus-nord.de", "Autohaus Nord")
        .await;
    app.subscribe(&owner, "BASIC").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let mut conn = app.db().await;
    diesel::sql_query(
        "INSERT INTO leads (id, workshop_id, name, phone, consent_text, consent_at)
         SELECT gen_random_uuid(), workshop_id, 'Frühere Anfrage ' || n, '+49 40 123456', 'ok', now()
         FROM conversations, generate_series(1, 100) AS n",
    )
    .execute(&mut conn)
    .await
    .expect("100 earlier leads");
    let (_, body) = app.submit_lead(&visitor, json!({})).await;
    let lead = &body["data"]["submitLead"]["lead"];
    assert_eq!(lead["overPlanLimit"], true, "{body}");
    assert_eq!(count(&app, "leads").await, 101);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_takes_over_replies_live_and_hands_back() {
    let app = TestApp::new().await;
    let owner = app.register("live@autohaus-nord.de", "Autohaus Nord").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let mut inbox = Live::start(
        &app.url,
        Some(&owner.access_token),
        None,
        INBOX_EVENTS,
        json!({ "after": "0" }),
    )
    .await
    .expect("inbox");
    let visitor = app.visitor(&key, SITE).await;
    let started = inbox.next_data().await;
    assert_eq!(started["inboxEvents"]["kind"], "CONVERSATION_STARTED");
    assert_eq!(
        started["inboxEvents"]["conversation"]["id"],
        visitor.conversation_id.as_str()
    );

    let mut widget = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id, "after": "0" }),
    )
    .await
    .expect("widget subscription");

    let take = "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) { conversation { takenOver } userErrors { code } } }";
    let body = app
        .gql(
            Some(&owner.access_token),
            take,
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    assert_eq!(
        body["data"]["takeOverConversation"]["conversation"]["takenOver"],
        true
    );
    let event = widget.next_data().await;
    assert_eq!(event["conversationEvents"]["kind"], "TAKEN_OVER");

    let (_, asked) = app.say(&visitor, "Ist heute noch ein Termin frei?").await;
    assert!(
        asked["data"]["sendMessage"]["reply"].is_null(),
        "the assistant is paused: {asked}"
    );
    let own = widget.next_data().await;
    assert_eq!(own["conversationEvents"]["message"]["role"], "VISITOR");
    let in_inbox = inbox
        .collect_until(|d| !d["inboxEvents"]["message"].is_null())
        .await;
    assert_eq!(
        in_inbox.last().expect("an event")["inboxEvents"]["message"]["body"],
        "Ist heute noch ein Termin frei?"
    );

    let reply = app
        .gql(
            Some(&owner.access_token),
            "mutation($id: ID!) { sendOwnerMessage(input: { conversationId: $id, body: \"Ja, um 15 Uhr!\" }) { message { role body } userErrors { code } } }",
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    assert_eq!(
        reply["data"]["sendOwnerMessage"]["message"]["role"],
        "OWNER"
    );
    let live = widget.next_data().await;
    assert_eq!(
        live["conversationEvents"]["message"]["body"],
        "Ja, um 15 Uhr!"
    );
    assert_eq!(live["conversationEvents"]["message"]["role"], "OWNER");

    let release = "mutation($id: ID!) { releaseConversation(input: { conversationId: $id }) { conversation { takenOver } } }";
    app.gql(
        Some(&owner.access_token),
        release,
        json!({ "id": visitor.conversation_id }),
    )
    .await;
    let released = widget.next_data().await;
    assert_eq!(released["conversationEvents"]["kind"], "RELEASED");
    let (_, again) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    assert_eq!(again["data"]["sendMessage"]["reply"]["role"], "ASSISTANT");

    // Another workshop cannot take the conversation over.
    let other = app.register("fremd@werkstatt.de", "Fremde Werkstatt").await;
    let foreign = app
        .gql(
            Some(&other.access_token),
            take,
            json!({ "id": visitor.conversation_id }),
        )
        .await;
    assert_eq!(
        foreign["data"]["takeOverConversation"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reconnecting_subscriber_resumes_after_its_last_event() {
    let app = TestApp::new().await;
    let owner = app
        .register("resume@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let mut widget = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id, "after": "0" }),
    )
    .await
    .expect("subscription");
    app.say(&visitor, "Hallo").await;
    let seen = widget
        .collect_until(|d| d["conversationEvents"]["message"]["role"] == "ASSISTANT")
        .await;
    let last_cursor = seen
        .iter()
        .rev()
        .find_map(|d| {
            d["conversationEvents"]["cursor"]
                .as_str()
                .map(str::to_owned)
        })
        .expect("a cursor");
    drop(widget);

    // Meanwhile the conversation goes on.
    app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let mut resumed = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id, "after": last_cursor }),
    )
    .await
    .expect("resumed");
    let first = resumed.next_data().await;
    assert_eq!(
        first["conversationEvents"]["message"]["body"],
        "Was kostet ein Ölwechsel?"
    );
    let second = resumed.next_data().await;
    assert_eq!(second["conversationEvents"]["message"]["role"], "ASSISTANT");

    // "0" replays the whole conversation.
    let mut replay = Live::start(
        &app.url,
        Some(&visitor.token),
        Some(SITE),
        CONVERSATION_EVENTS,
        json!({ "id": visitor.conversation_id, "after": "0" }),
    )
    .await
    .expect("replay");
    let bodies: Vec<Value> = {
        let mut bodies = Vec::new();
        for _ in 0..4 {
            bodies.push(replay.next_data().await["conversationEvents"]["message"]["role"].clone());
        }
        bodies
    };
    assert_eq!(
        bodies,
        vec![
            json!("VISITOR"),
            json!("ASSISTANT"),
            json!("VISITOR"),
            json!("ASSISTANT")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_messages_are_refused_with_retry_after() {
    let app = TestApp::new().await;
    let owner = app.register("flut@autohaus-nord.de", "Autohaus Nord").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    for n in 0..10 {
        let (status, body) = app.say(&visitor, &format!("Nachricht {n}")).await;
        assert_eq!(status, 200);
        assert!(body["errors"].is_null(), "{body}");
    }
    let before = chat_counts(&app).await;
    let response = app
        .client
        .post(app.graphql_url())
        .header("origin", SITE)
        .bearer_auth(&visitor.token)
        .json(&json!({
            "query": "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }",
            "variables": { "input": { "conversationId": visitor.conversation_id, "body": "Noch eine" } }
        }))
        .send()
        .await
        .expect("request");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after));
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "RATE_LIMITED");
    assert_eq!(chat_counts(&app).await, before);
}
