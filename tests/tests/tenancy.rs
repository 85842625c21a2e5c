//! Tenant isolation: a second workshop's ids, guessed or real, return nothing, for every root
//! field and every object type. The test lists the schema's root fields and node types and fails
//! when one appears that it does not cover.

use base64::Engine;
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{Owner, TestApp};

const COVERED_QUERY_FIELDS: [&str; 26] = [
    "analytics",
    "billing",
    "members",
    "invitations",
    "widgetSettings",
    "clientKeys",
    "conversations",
    "leads",
    "widgetConfig",
    "viewer",
    "workshop",
    "apiTokens",
    "plans",
    "serviceCategories",
    "services",
    "node",
    "nodes",
    "privacySettings",
    "privacyAuditLog",
    "visitorConversationExport",
    "webhookEndpoints",
    "webhookDeliveries",
    "webhookEventTypes",
    "events",
    "widgetScript",
    "__typename",
];
const COVERED_MUTATIONS: [&str; 55] = [
    "recordWidgetOpen",
    "startCheckout",
    "openBillingPortal",
    "verifyEmail",
    "requestEmailVerification",
    "changeEmail",
    "requestPasswordReset",
    "resetPassword",
    "changePassword",
    "inviteMember",
    "revokeInvitation",
    "acceptInvitation",
    "updateMemberRole",
    "removeMember",
    "createLocation",
    "switchWorkshop",
    "updateNotificationSettings",
    "updateProfile",
    "createClientKey",
    "updateClientKey",
    "revokeClientKey",
    "updateWidgetSettings",
    "startConversation",
    "sendMessage",
    "submitLead",
    "takeOverConversation",
    "sendOwnerMessage",
    "releaseConversation",
    "updateLeadStatus",
    "addLeadNote",
    "exportLeads",
    "register",
    "login",
    "refreshSession",
    "logout",
    "updateWorkshop",
    "createApiToken",
    "revokeApiToken",
    "installStandardCatalog",
    "createService",
    "updateService",
    "deleteService",
    "importServices",
    "exportServices",
    "exportContactData",
    "eraseContact",
    "withdrawLeadConsent",
    "deleteVisitorConversation",
    "updatePrivacySettings",
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "rotateWebhookSecret",
    "deleteWebhookEndpoint",
    "sendTestWebhook",
    "redeliverWebhook",
];
const COVERED_NODE_TYPES: [&str; 8] = [
    "ApiToken",
    "ClientKey",
    "Conversation",
    "Lead",
    "Service",
    "ServiceCategory",
    "User",
    "Workshop",
];

fn guessed_id(kind: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{kind}:{}", uuid::Uuid::new_v4()))
}

async fn names(app: &TestApp, token: &str, query: &str, pointer: &str) -> Vec<String> {
    let body = app.gql(Some(token), query, json!({})).await;
    let mut names: Vec<String> = body
        .pointer(pointer)
        .and_then(Value::as_array)
        .expect("introspection answer")
        .iter()
        .map(|v| v["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_covers_every_root_field_and_node_type() {
    let app = TestApp::new().await;
    let owner = app
        .register("schema@autohaus-nord.de", "Autohaus Nord")
        .await;
    let query = names(
        &app,
        &owner.access_token,
        "{ __schema { queryType { fields { name } } } }",
        "/data/__schema/queryType/fields",
    )
    .await;
    let mutation = names(
        &app,
        &owner.access_token,
        "{ __schema { mutationType { fields { name } } } }",
        "/data/__schema/mutationType/fields",
    )
    .await;
    let nodes = names(
        &app,
        &owner.access_token,
        "{ __type(name: \"Node\") { possibleTypes { name } } }",
        "/data/__type/possibleTypes",
    )
    .await;
    let sorted = |list: &[&str]| {
        let mut v: Vec<String> = list
            .iter()
            .filter(|n| !n.starts_with("__"))
            .map(|n| (*n).to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        query,
        sorted(&COVERED_QUERY_FIELDS),
        "a root field is not covered by the isolation matrix"
    );
    assert_eq!(
        mutation,
        sorted(&COVERED_MUTATIONS),
        "a mutation is not covered by the isolation matrix"
    );
    assert_eq!(
        nodes,
        sorted(&COVERED_NODE_TYPES),
        "a node type is not covered by the isolation matrix"
    );
}

struct Tenant {
    owner: Owner,
    api_token_id: String,
    api_token: String,
    service_ids: Vec<String>,
    category_ids: Vec<String>,
    /// A location of the other tenant's owner rather than a stranger.
    same_owner_as_other: bool,
}

async fn tenant(app: &TestApp, email: &str, name: &str) -> Tenant {
    let owner = app.register(email, name).await;
    with_token_and_catalog(app, owner).await
}

async fn with_token_and_catalog(app: &TestApp, owner: Owner) -> Tenant {
    let (api_token_id, api_token) = app
        .api_token(
            &owner,
            &[
                "LEADS_READ",
                "LEADS_WRITE",
                "CATALOG_READ",
                "CATALOG_WRITE",
                "ANALYTICS_READ",
            ],
        )
        .await;
    let catalog = app
        .gql(
            Some(&owner.access_token),
            "{ services(first: 100) { edges { node { id category { id } } } } }",
            json!({}),
        )
        .await;
    let edges = catalog["data"]["services"]["edges"]
        .as_array()
        .expect("services")
        .clone();
    let service_ids = edges
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    let mut category_ids: Vec<String> = edges
        .iter()
        .map(|e| e["node"]["category"]["id"].as_str().expect("id").to_owned())
        .collect();
    category_ids.dedup();
    Tenant {
        owner,
        api_token_id,
        api_token,
        service_ids,
        category_ids,
        same_owner_as_other: false,
    }
}

/// A second location of `nord`'s owner, named "Autohaus Süd", signed in there in a session of
/// its own (Nord's session stays).
async fn location(app: &TestApp, nord: &Tenant) -> Tenant {
    let owner = &nord.owner;
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { createLocation(input: { name: \"Autohaus Süd\" }) { workshop { id } userErrors { code } } }",
            json!({}),
        )
        .await;
    let workshop_id = body["data"]["createLocation"]["workshop"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a new location: {body}"))
        .to_owned();
    let login = app
        .gql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) { session { accessToken } } }",
            json!({ "input": { "email": owner.email, "password": owner.password } }),
        )
        .await;
    let second = login["data"]["login"]["session"]["accessToken"]
        .as_str()
        .expect("a second session");
    let switched = app
        .gql(
            Some(second),
            "mutation($input: SwitchWorkshopInput!) { switchWorkshop(input: $input) {
                session { accessToken refreshToken } viewer { workshop { id } } userErrors { code } } }",
            json!({ "input": { "workshopId": workshop_id } }),
        )
        .await;
    let payload = &switched["data"]["switchWorkshop"];
    assert_eq!(
        payload["viewer"]["workshop"]["id"],
        json!(workshop_id),
        "{switched}"
    );
    let (status, _) = app
        .post(Some(second), "{ viewer { email } }", json!({}))
        .await;
    assert_eq!(status, 401, "switching ends the session it came from");
    let session_owner = Owner {
        access_token: payload["session"]["accessToken"]
            .as_str()
            .expect("token")
            .to_owned(),
        refresh_token: payload["session"]["refreshToken"]
            .as_str()
            .expect("token")
            .to_owned(),
        workshop_id,
        ..owner.clone()
    };
    let mut location = with_token_and_catalog(app, session_owner).await;
    location.same_owner_as_other = true;
    location
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_workshops_ids_guessed_or_real_return_nothing() {
    let app = TestApp::new().await;
    let nord = tenant(&app, "nord@autohaus-nord.de", "Autohaus Nord").await;
    let sued = tenant(&app, "sued@autohaus-sued.de", "Autohaus Süd").await;
    isolated(&app, &nord, &sued).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_location_of_the_same_owner_is_as_isolated_as_a_stranger() {
    let app = TestApp::new().await;
    let nord = tenant(&app, "nord@autohaus-nord.de", "Autohaus Nord").await;
    let sued = location(&app, &nord).await;
    isolated(&app, &nord, &sued).await;
    // Both locations are the owner's; each session sees its own.
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            "{ viewer { memberships { workshop { name } role } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"]["memberships"],
        json!([
            { "workshop": { "name": "Autohaus Nord" }, "role": "OWNER" },
            // Renamed by the checks above.
            { "workshop": { "name": "Süd neu" }, "role": "OWNER" },
        ])
    );
}

/// Nothing of Nord's is reachable for Süd's session and Süd's API token.
async fn isolated(app: &TestApp, nord: &Tenant, sued: &Tenant) {
    // The user is one and the same when Süd is Nord's other location.
    let nord_user = if sued.same_owner_as_other {
        guessed_id("User")
    } else {
        nord.owner.user_id.clone()
    };
    let foreign_ids = [
        nord.owner.workshop_id.clone(),
        nord_user.clone(),
        nord.api_token_id.clone(),
        nord.service_ids[0].clone(),
        nord.category_ids[0].clone(),
        guessed_id("Workshop"),
        guessed_id("User"),
        guessed_id("ApiToken"),
        guessed_id("Service"),
        guessed_id("ServiceCategory"),
        "not-an-id".to_owned(),
    ];
    let own_ids = [
        sued.owner.workshop_id.clone(),
        sued.owner.user_id.clone(),
        sued.api_token_id.clone(),
        sued.service_ids[0].clone(),
        sued.category_ids[0].clone(),
    ];
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";

    // The owner sees their own objects (so the checks below can fail) and nothing of Nord's.
    for id in &own_ids {
        let body = app
            .gql(Some(&sued.owner.access_token), node, json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["node"]["id"], json!(id), "{body}");
    }
    for id in &foreign_ids {
        let body = app
            .gql(Some(&sued.owner.access_token), node, json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["node"], Value::Null, "{id}: {body}");
    }
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            nodes,
            json!({ "ids": foreign_ids }),
        )
        .await;
    assert_eq!(
        body["data"]["nodes"],
        json!(vec![Value::Null; foreign_ids.len()]),
        "{body}"
    );

    // Süd's API token: its own workshop only; user and token nodes are for signed-in owners.
    let body = app
        .gql(
            Some(&sued.api_token),
            node,
            json!({ "id": sued.owner.workshop_id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["id"], json!(sued.owner.workshop_id));
    let body = app
        .gql(
            Some(&sued.api_token),
            node,
            json!({ "id": nord.owner.workshop_id }),
        )
        .await;
    assert_eq!(body["data"]["node"], Value::Null);
    for id in [&nord_user, &nord.api_token_id] {
        let body = app
            .gql(Some(&sued.api_token), node, json!({ "id": id }))
            .await;
        assert_eq!(body["data"]["node"], Value::Null, "{body}");
    }

    // Root fields answer with Süd's data only: its team and invitations too.
    let invited = app
        .gql(
            Some(&nord.owner.access_token),
            "mutation { inviteMember(input: { email: \"geselle@autohaus-nord.de\", role: STAFF }) { invitation { id } } }",
            json!({}),
        )
        .await;
    let invitation_id = invited["data"]["inviteMember"]["invitation"]["id"].clone();
    let team = app
        .gql(
            Some(&sued.owner.access_token),
            "{ members { edges { node { user { email } } } } invitations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        team["data"]["members"]["edges"],
        json!([{ "node": { "user": { "email": sued.owner.email } } }]),
        "{team}"
    );
    assert_eq!(team["data"]["invitations"]["totalCount"], 0);
    let revoked = app
        .gql(
            Some(&sued.owner.access_token),
            "mutation($id: ID!) { revokeInvitation(input: { invitationId: $id }) { revokedInvitationId userErrors { code } } }",
            json!({ "id": invitation_id }),
        )
        .await;
    assert_eq!(
        revoked["data"]["revokeInvitation"]["userErrors"][0]["code"], "NOT_FOUND",
        "{revoked}"
    );
    for token in [&sued.owner.access_token, &sued.api_token] {
        let body = app
            .gql(Some(token), "{ workshop { id name } }", json!({}))
            .await;
        assert_eq!(body["data"]["workshop"]["name"], "Autohaus Süd");
    }
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            "{ viewer { id email workshop { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["viewer"]["email"], json!(sued.owner.email));
    assert_eq!(
        body["data"]["viewer"]["workshop"]["id"],
        json!(sued.owner.workshop_id)
    );
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            "{ apiTokens { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["apiTokens"]["totalCount"], 1);
    assert_eq!(
        body["data"]["apiTokens"]["edges"][0]["node"]["id"],
        json!(sued.api_token_id)
    );
    for token in [&sued.owner.access_token, &sued.api_token] {
        let body = app.gql(Some(token), "{ services(first: 100) { edges { node { id } } } serviceCategories(first: 100) { edges { node { id } } } }", json!({})).await;
        let text = body.to_string();
        assert!(
            body["data"]["services"]["edges"]
                .as_array()
                .is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        for id in nord.service_ids.iter().chain(&nord.category_ids) {
            assert!(!text.contains(id.as_str()), "Nord's {id} is listed for Süd");
        }
    }
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            "query($c: ID!) { services(filter: {categoryId: $c}) { totalCount } }",
            json!({ "c": nord.category_ids[0] }),
        )
        .await;
    assert_eq!(
        body["data"]["services"]["totalCount"], 0,
        "filtering by Nord's category finds nothing"
    );
    let body = app.gql(None, "{ plans { code } }", json!({})).await;
    assert_eq!(
        body["data"]["plans"].as_array().map(Vec::len),
        Some(3),
        "the price list is public"
    );
    let body = app
        .gql(None, "{ widgetScript { url integrity } }", json!({}))
        .await;
    assert!(
        body["data"]["widgetScript"]["integrity"]
            .as_str()
            .is_some_and(|i| i.starts_with("sha384-")),
        "the widget script is public, the same for every workshop: {body}"
    );
    // Billing: Nord's invoice is Nord's alone; API tokens see no billing at all.
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.db().await;
        diesel::sql_query(
            "INSERT INTO invoices (id, workshop_id, number, amount_cents, currency, status, created_at, snapshot_at, snapshot_rank)
             SELECT 'in_nord_' || substr(md5(random()::text), 1, 12), w.id, 'NORD-1', 9900, 'eur', 'PAID', now(), now(), 3
             FROM workshops w WHERE w.name = 'Autohaus Nord'",
        )
        .execute(&mut conn)
        .await
        .expect("an invoice of Nord's");
    }
    let billing =
        "{ billing { status invoices(first: 10) { totalCount edges { node { number } } } } }";
    let body = app
        .gql(Some(&sued.owner.access_token), billing, json!({}))
        .await;
    assert_eq!(
        body["data"]["billing"]["invoices"]["totalCount"], 0,
        "{body}"
    );
    assert!(!body.to_string().contains("NORD-1"), "{body}");
    let body = app.gql(Some(&sued.api_token), billing, json!({})).await;
    assert_eq!(carbot_tests::error_code(&body), "FORBIDDEN", "{body}");

    // Mutations given Nord's ids change nothing of Nord's.
    let before = app.row_counts().await;
    for id in [
        &nord.api_token_id,
        &nord.owner.workshop_id,
        &guessed_id("ApiToken"),
    ] {
        let body = app
            .gql(
                Some(&sued.owner.access_token),
                "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } userErrors { field code } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            body["data"]["revokeApiToken"]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
        assert_eq!(body["data"]["revokeApiToken"]["apiToken"], Value::Null);
    }
    app.gql(
        Some(&sued.owner.access_token),
        "mutation { updateWorkshop(input: {name: \"Süd neu\"}) { userErrors { code } } }",
        json!({}),
    )
    .await;
    let body = app
        .gql(
            Some(&sued.owner.access_token),
            "mutation { installStandardCatalog { installedCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["installStandardCatalog"]["installedCount"], 0);
    let nord_service = &nord.service_ids[0];
    for token in [&sued.owner.access_token, &sued.api_token] {
        let body = app
            .gql(
                Some(token),
                "mutation($c: ID!) { createService(input: {categoryId: $c, name: \"Fremd\", minPriceCents: 100, maxPriceCents: 200}) { service { id } userErrors { field code } } }",
                json!({ "c": nord.category_ids[0] }),
            )
            .await;
        assert_eq!(
            body["data"]["createService"]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
        let body = app
            .gql(
                Some(token),
                "mutation($id: ID!) { updateService(input: {id: $id, name: \"Übernommen\"}) { service { id } userErrors { code } } }",
                json!({ "id": nord_service }),
            )
            .await;
        assert_eq!(
            body["data"]["updateService"]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
        let body = app
            .gql(Some(token), "mutation($id: ID!) { deleteService(input: {id: $id}) { deletedServiceId userErrors { code } } }", json!({ "id": nord_service }))
            .await;
        assert_eq!(
            body["data"]["deleteService"]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    let body = app
        .gql(
            Some(&nord.owner.access_token),
            "query($id: ID!) { node(id: $id) { ... on Service { id } } }",
            json!({ "id": nord_service }),
        )
        .await;
    assert_eq!(
        body["data"]["node"]["id"],
        json!(nord_service),
        "Nord's service is untouched"
    );
    // Süd's export holds Süd's catalog only; an import into Süd cannot reach Nord's.
    let nord_only = app
        .gql(
            Some(&nord.owner.access_token),
            "mutation($c: ID!) { createService(input: {categoryId: $c, name: \"Nur bei Nord\", minPriceCents: 100, maxPriceCents: 200}) { userErrors { code } } }",
            json!({ "c": nord.category_ids[0] }),
        )
        .await;
    assert_eq!(nord_only["data"]["createService"]["userErrors"], json!([]));
    let export = app
        .gql(
            Some(&sued.api_token),
            "mutation { exportServices { csv } }",
            json!({}),
        )
        .await;
    let csv = export["data"]["exportServices"]["csv"]
        .as_str()
        .expect("csv")
        .to_owned();
    assert!(!csv.contains("Nur bei Nord") && csv.contains("Ölwechsel"));
    let import = app
        .gql(
            Some(&sued.api_token),
            "mutation($csv: String!) { importServices(input: {csv: $csv}) { imported errors { message } } }",
            json!({ "csv": csv.replace("Ölwechsel,", "Ölwechsel Süd,") }),
        )
        .await;
    assert!(
        import["data"]["importServices"]["imported"].as_i64() > Some(200),
        "{import}"
    );
    let nord_search = app
        .gql(Some(&nord.owner.access_token), "{ services(first: 5, filter: {search: \"Ölwechsel Süd\"}) { edges { node { name } } } }", json!({}))
        .await;
    assert!(
        !nord_search.to_string().contains("Ölwechsel Süd"),
        "{nord_search}"
    );
    let body = app
        .gql(Some(&nord.api_token), "{ workshop { name } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["workshop"]["name"], "Autohaus Nord",
        "Nord's token still works and Nord is unchanged"
    );
    assert_eq!(app.row_counts().await, before);

    // Anonymous callers get no objects at all.
    let (status, body) = app
        .post(None, node, json!({ "id": nord.owner.workshop_id }))
        .await;
    assert_eq!(
        (status, carbot_tests::error_code(&body)),
        (200, "UNAUTHENTICATED")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_keys_conversations_and_leads_of_another_workshop_stay_out_of_reach() {
    use carbot_tests::chat::SITE;
    let app = TestApp::new().await;
    let nord = app
        .register("chat-nord@autohaus-nord.de", "Autohaus Nord")
        .await;
    let sued = app
        .register("chat-sued@autohaus-sued.de", "Autohaus Süd")
        .await;
    app.subscribe(&sued, "ENTERPRISE").await;
    let (key_id, key) = app.client_key(&nord, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let (_, lead) = app.submit_lead(&visitor, json!({})).await;
    let lead_id = lead["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("lead")
        .to_owned();
    let (_, sued_token) = app.api_token(&sued, &["LEADS_READ", "LEADS_WRITE"]).await;
    let sued_visitor = {
        let (_, sued_key) = app.client_key(&sued, &[SITE]).await;
        app.visitor(&sued_key, SITE).await
    };

    // Nord sees its own objects by id, so the checks below can fail.
    for id in [&key_id, &visitor.conversation_id, &lead_id] {
        let body = app
            .gql(
                Some(&nord.access_token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["node"]["id"], json!(id), "{body}");
    }
    let before = app.row_counts().await;
    let events_before = {
        let (_, body) = app
            .post(
                Some(&nord.access_token),
                "{ leads { totalCount } conversations { totalCount } }",
                json!({}),
            )
            .await;
        body
    };
    for token in [&sued.access_token, &sued_token] {
        for id in [&key_id, &visitor.conversation_id, &lead_id] {
            let body = app
                .gql(
                    Some(token),
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(body["data"]["node"], Value::Null, "{id}: {body}");
        }
        let body = app
            .gql(
                Some(token),
                "{ leads { totalCount } conversations { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["leads"]["totalCount"], 0, "{body}");
        assert_eq!(
            body["data"]["conversations"]["totalCount"], 1,
            "Süd's own only: {body}"
        );
        let body = app
            .gql(
                Some(token),
                "query($filter: LeadFilter) { leads(filter: $filter) { totalCount } }",
                json!({ "filter": { "clientKeyId": key_id } }),
            )
            .await;
        assert_eq!(body["data"]["leads"]["totalCount"], 0);
        for (mutation, field) in [
            (
                "mutation($id: ID!) { updateLeadStatus(input: { leadId: $id, status: CONTACTED }) { userErrors { code } } }",
                "updateLeadStatus",
            ),
            (
                "mutation($id: ID!) { addLeadNote(input: { leadId: $id, body: \"fremd\" }) { userErrors { code } } }",
                "addLeadNote",
            ),
        ] {
            let body = app
                .gql(Some(token), mutation, json!({ "id": lead_id }))
                .await;
            assert_eq!(
                body["data"][field]["userErrors"][0]["code"], "NOT_FOUND",
                "{body}"
            );
        }
        let body = app
            .gql(Some(token), "mutation { exportLeads { csv } }", json!({}))
            .await;
        let csv = body["data"]["exportLeads"]["csv"].as_str().expect("csv");
        assert!(!csv.contains("Erika"), "{csv}");
    }
    let owner_only = [
        (
            "mutation($id: ID!) { takeOverConversation(input: { conversationId: $id }) { userErrors { code } } }",
            "takeOverConversation",
        ),
        (
            "mutation($id: ID!) { releaseConversation(input: { conversationId: $id }) { userErrors { code } } }",
            "releaseConversation",
        ),
        (
            "mutation($id: ID!) { sendOwnerMessage(input: { conversationId: $id, body: \"fremd\" }) { userErrors { code } } }",
            "sendOwnerMessage",
        ),
    ];
    for (mutation, field) in owner_only {
        let body = app
            .gql(
                Some(&sued.access_token),
                mutation,
                json!({ "id": visitor.conversation_id }),
            )
            .await;
        assert_eq!(
            body["data"][field]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    for (mutation, field) in [
        (
            "mutation($id: ID!) { updateClientKey(input: { id: $id, label: \"fremd\" }) { userErrors { code } } }",
            "updateClientKey",
        ),
        (
            "mutation($id: ID!) { revokeClientKey(input: { id: $id }) { userErrors { code } } }",
            "revokeClientKey",
        ),
    ] {
        let body = app
            .gql(Some(&sued.access_token), mutation, json!({ "id": key_id }))
            .await;
        assert_eq!(
            body["data"][field]["userErrors"][0]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    // Süd's own writes stay in Süd: its widget settings, key and visitor.
    app.gql(
        Some(&sued.access_token),
        "mutation { updateWidgetSettings(input: { greeting: \"Moin aus dem Süden\" }) { userErrors { code } } }",
        json!({}),
    )
    .await;
    let own = app
        .gql(
            Some(&sued.access_token),
            "{ widgetSettings { greeting } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own["data"]["widgetSettings"]["greeting"],
        "Moin aus dem Süden"
    );
    let theirs = app
        .gql(
            Some(&nord.access_token),
            "{ widgetSettings { greeting } }",
            json!({}),
        )
        .await;
    assert_ne!(
        theirs["data"]["widgetSettings"]["greeting"],
        "Moin aus dem Süden"
    );
    let (_, config) = app
        .post_from(
            SITE,
            None,
            "query($k: String!) { widgetConfig(clientKey: $k) { greeting workshopName } }",
            json!({ "k": key }),
        )
        .await;
    assert_eq!(
        config["data"]["widgetConfig"]["workshopName"],
        "Autohaus Nord"
    );
    assert_ne!(
        config["data"]["widgetConfig"]["greeting"],
        "Moin aus dem Süden"
    );
    let foreign_visitor = carbot_tests::chat::Visitor {
        conversation_id: visitor.conversation_id.clone(),
        ..sued_visitor.clone()
    };
    let (_, body) = app.say(&foreign_visitor, "Hallo").await;
    assert_eq!(carbot_tests::error_code(&body), "FORBIDDEN");
    let (_, body) = app.submit_lead(&foreign_visitor, json!({})).await;
    assert_eq!(carbot_tests::error_code(&body), "FORBIDDEN");
    let (_, body) = app
        .post_from(SITE, None, "mutation($k: String!) { startConversation(input: { clientKey: $k }) { conversation { id } } }", json!({ "k": key }))
        .await;
    assert!(
        body["data"]["startConversation"]["conversation"]["id"].is_string(),
        "a new conversation of Nord's"
    );
    let (_, after) = app
        .post(
            Some(&nord.access_token),
            "{ leads { totalCount } conversations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        after["data"]["leads"], events_before["data"]["leads"],
        "Nord's leads untouched"
    );
    assert_eq!(app.row_counts().await, before);
}
