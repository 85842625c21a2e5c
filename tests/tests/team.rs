//! Teams: invitations accepted by a new and by an existing user (read from a real SMTP server),
//! roles enforced on every mutation (a table that fails when a mutation is not classified),
//! removal that ends sessions at once, and a workshop that always keeps an owner.

use std::time::Duration;

use carbot_tests::serde_json::json;
use carbot_tests::smtp::{SmtpServer, link_token};
use carbot_tests::{PASSWORD, TestApp, TestOptions, error_code};

const ACCEPT: &str = "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) {
    session { accessToken } viewer { email role workshop { id name } memberships { workshop { id name } role } }
    userErrors { field code } } }";
const INVITE: &str = "mutation($input: InviteMemberInput!) { inviteMember(input: $input) {
    invitation { id email role expiresAt } userErrors { field code } } }";
const MEMBERS: &str = "{ members { totalCount edges { node { role user { id email } } } } }";

/// Who may call a mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone (signing in, the widget, links from e-mails).
    Public,
    /// Every signed-in member, staff included.
    Member,
    /// Owners only: staff get FORBIDDEN.
    Owner,
}

/// Every mutation of the schema, with a document that reaches its authorisation.
const MUTATIONS: &[(&str, Access, &str)] = &[
    ("register", Access::Public, ""),
    ("login", Access::Public, ""),
    ("refreshSession", Access::Public, ""),
    ("startConversation", Access::Public, ""),
    ("recordWidgetOpen", Access::Public, ""),
    ("sendMessage", Access::Public, ""),
    ("submitLead", Access::Public, ""),
    ("verifyEmail", Access::Public, ""),
    ("requestPasswordReset", Access::Public, ""),
    ("resetPassword", Access::Public, ""),
    ("acceptInvitation", Access::Public, ""),
    ("deleteVisitorConversation", Access::Public, ""),
    (
        "exportContactData",
        Access::Owner,
        r#"mutation { exportContactData(input: { email: "kunde@example.de" }) { json } }"#,
    ),
    (
        "eraseContact",
        Access::Owner,
        r#"mutation { eraseContact(input: { email: "kunde@example.de" }) { erased { leads } } }"#,
    ),
    (
        "withdrawLeadConsent",
        Access::Owner,
        r#"mutation { withdrawLeadConsent(input: { leadId: "TGVhZDowMTkyZTRiMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA" }) { userErrors { code } } }"#,
    ),
    (
        "updatePrivacySettings",
        Access::Owner,
        r#"mutation { updatePrivacySettings(input: { conversationRetentionDays: 30 }) { userErrors { code } } }"#,
    ),
    ("logout", Access::Member, ""),
    ("takeOverConversation", Access::Member, ""),
    ("sendOwnerMessage", Access::Member, ""),
    ("releaseConversation", Access::Member, ""),
    ("updateLeadStatus", Access::Member, ""),
    ("addLeadNote", Access::Member, ""),
    ("exportLeads", Access::Member, ""),
    ("exportServices", Access::Member, ""),
    ("requestEmailVerification", Access::Member, ""),
    ("changePassword", Access::Member, ""),
    ("changeEmail", Access::Member, ""),
    ("switchWorkshop", Access::Member, ""),
    ("updateNotificationSettings", Access::Member, ""),
    ("updateProfile", Access::Member, ""),
    (
        "updateWorkshop",
        Access::Owner,
        r#"mutation { updateWorkshop(input: { name: "Übernommen" }) { userErrors { code } } }"#,
    ),
    (
        "createApiToken",
        Access::Owner,
        r#"mutation { createApiToken(input: { name: "x", scopes: [LEADS_READ] }) { secret } }"#,
    ),
    (
        "revokeApiToken",
        Access::Owner,
        r#"mutation { revokeApiToken(input: { id: "QXBpVG9rZW46MDE5MmU0YjAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw" }) { userErrors { code } } }"#,
    ),
    (
        "createService",
        Access::Owner,
        r#"mutation($category: ID!) { createService(input: { categoryId: $category, name: "Neu", minPriceCents: 100, maxPriceCents: 200 }) { userErrors { code } } }"#,
    ),
    (
        "updateService",
        Access::Owner,
        r#"mutation($service: ID!) { updateService(input: { id: $service, name: "Umbenannt" }) { userErrors { code } } }"#,
    ),
    (
        "deleteService",
        Access::Owner,
        r#"mutation($service: ID!) { deleteService(input: { id: $service }) { userErrors { code } } }"#,
    ),
    (
        "importServices",
        Access::Owner,
        r#"mutation { importServices(input: { csv: "category,name,min_price,max_price\nX,Y,1,2", dryRun: true }) { userErrors { code } } }"#,
    ),
    (
        "installStandardCatalog",
        Access::Owner,
        r#"mutation { installStandardCatalog { userErrors { code } } }"#,
    ),
    (
        "createClientKey",
        Access::Owner,
        r#"mutation { createClientKey(input: { label: "x", allowedOrigins: ["https://example.de"] }) { userErrors { code } } }"#,
    ),
    (
        "updateClientKey",
        Access::Owner,
        r#"mutation($key: ID!) { updateClientKey(input: { id: $key, label: "y" }) { userErrors { code } } }"#,
    ),
    (
        "revokeClientKey",
        Access::Owner,
        r#"mutation($key: ID!) { revokeClientKey(input: { id: $key }) { userErrors { code } } }"#,
    ),
    (
        "createWebhookEndpoint",
        Access::Owner,
        r#"mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/", eventTypes: ["lead.created"] }) { userErrors { code } } }"#,
    ),
    (
        "updateWebhookEndpoint",
        Access::Owner,
        r#"mutation($key: ID!) { updateWebhookEndpoint(input: { id: $key, active: false }) { userErrors { code } } }"#,
    ),
    (
        "rotateWebhookSecret",
        Access::Owner,
        r#"mutation($key: ID!) { rotateWebhookSecret(input: { id: $key }) { userErrors { code } } }"#,
    ),
    (
        "deleteWebhookEndpoint",
        Access::Owner,
        r#"mutation($key: ID!) { deleteWebhookEndpoint(input: { id: $key }) { userErrors { code } } }"#,
    ),
    (
        "sendTestWebhook",
        Access::Owner,
        r#"mutation($key: ID!) { sendTestWebhook(input: { id: $key }) { userErrors { code } } }"#,
    ),
    (
        "redeliverWebhook",
        Access::Owner,
        r#"mutation($key: ID!) { redeliverWebhook(input: { deliveryId: $key }) { userErrors { code } } }"#,
    ),
    (
        "updateWidgetSettings",
        Access::Owner,
        r#"mutation { updateWidgetSettings(input: { greeting: "Hallo" }) { userErrors { code } } }"#,
    ),
    (
        "inviteMember",
        Access::Owner,
        r#"mutation { inviteMember(input: { email: "dritte@example.de", role: OWNER }) { userErrors { code } } }"#,
    ),
    (
        "revokeInvitation",
        Access::Owner,
        r#"mutation { revokeInvitation(input: { invitationId: "SW52aXRhdGlvbjowMTkyZTRiMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA" }) { userErrors { code } } }"#,
    ),
    (
        "updateMemberRole",
        Access::Owner,
        r#"mutation($owner: ID!) { updateMemberRole(input: { userId: $owner, role: STAFF }) { userErrors { code } } }"#,
    ),
    (
        "removeMember",
        Access::Owner,
        r#"mutation($owner: ID!) { removeMember(input: { userId: $owner }) { userErrors { code } } }"#,
    ),
    (
        "createLocation",
        Access::Owner,
        r#"mutation { createLocation(input: { name: "Filiale" }) { userErrors { code } } }"#,
    ),
    (
        "startCheckout",
        Access::Owner,
        r#"mutation { startCheckout(input: { plan: BASIC }) { url userErrors { code } } }"#,
    ),
    (
        "openBillingPortal",
        Access::Owner,
        r#"mutation { openBillingPortal { url userErrors { code } } }"#,
    ),
];

async fn mutation_names(app: &TestApp, token: &str) -> Vec<String> {
    let body = app
        .gql(
            Some(token),
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut names: Vec<String> = body["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_get_forbidden_on_every_owner_only_mutation() {
    let app = TestApp::new().await;
    let owner = app.register("chef@autohaus-nord.de", "Autohaus Nord").await;
    app.subscribe(&owner, "ENTERPRISE").await;
    let staff = app.member(&owner, "azubi@autohaus-nord.de", "STAFF").await;

    let mut classified: Vec<String> = MUTATIONS.iter().map(|(n, _, _)| (*n).to_owned()).collect();
    classified.sort();
    assert_eq!(
        mutation_names(&app, &staff.access_token).await,
        classified,
        "a mutation is not classified in MUTATIONS (who may call it?)"
    );

    let catalog = app
        .gql(
            Some(&owner.access_token),
            "{ services(first: 1) { edges { node { id category { id } } } } }",
            json!({}),
        )
        .await;
    let service = &catalog["data"]["services"]["edges"][0]["node"];
    let (key_id, _) = app.client_key(&owner, &["https://autohaus-nord.de"]).await;
    let variables = json!({
        "service": service["id"],
        "category": service["category"]["id"],
        "key": key_id,
        "owner": owner.user_id,
    });
    let before = app.row_counts().await;
    for (name, access, document) in MUTATIONS {
        if *access != Access::Owner {
            continue;
        }
        let body = app
            .gql(Some(&staff.access_token), document, variables.clone())
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{name} as staff: {body}");
    }
    assert_eq!(
        app.row_counts().await,
        before,
        "refused mutations changed nothing"
    );

    // Staff work leads and chats and read the catalog and the team.
    let body = app.gql(Some(&staff.access_token), MEMBERS, json!({})).await;
    assert_eq!(body["data"]["members"]["totalCount"], json!(2), "{body}");
    let body = app
        .gql(
            Some(&staff.access_token),
            "{ services(first: 1) { totalCount } leads { totalCount } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql(
            Some(&staff.access_token),
            "{ invitations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app
        .gql(
            Some(&staff.access_token),
            "{ apiTokens { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    // The same documents run for the owner (so the table's documents do reach the resolvers).
    let body = app
        .gql(
            Some(&owner.access_token),
            MUTATIONS
                .iter()
                .find(|m| m.0 == "updateWorkshop")
                .expect("row")
                .2,
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["updateWorkshop"]["userErrors"],
        json!([]),
        "{body}"
    );
}

async fn invitation_mail(smtp: &SmtpServer, to: &str) -> carbot_tests::smtp::Received {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(mail) = smtp
            .to(to)
            .into_iter()
            .find(|m| m.subject.starts_with("Einladung"))
        {
            return mail;
        }
        assert!(tokio::time::Instant::now() < deadline, "no e-mail to {to}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_is_accepted_by_a_new_and_by_an_existing_user() {
    let smtp = SmtpServer::start();
    let app = TestApp::with(TestOptions {
        smtp_url: Some(smtp.url()),
        ..TestOptions::default()
    })
    .await;
    let owner = app.register("chef@autohaus-nord.de", "Autohaus Nord").await;
    let elsewhere = app
        .register("meister@werkstatt-sued.de", "Werkstatt Süd")
        .await;

    // A new colleague.
    let body = app
        .gql(
            Some(&owner.access_token),
            INVITE,
            json!({ "input": { "email": "Telefon@Autohaus-Nord.de", "role": "STAFF" } }),
        )
        .await;
    let invitation = &body["data"]["inviteMember"]["invitation"];
    assert_eq!(
        invitation["email"],
        json!("telefon@autohaus-nord.de"),
        "{body}"
    );
    assert_eq!(invitation["role"], json!("STAFF"));
    let mail = invitation_mail(&smtp, "telefon@autohaus-nord.de").await;
    assert_eq!(mail.subject, "Einladung zu Autohaus Nord auf CarBot");
    assert!(
        mail.text.contains("chef@autohaus-nord.de") && mail.text.contains("7 Tage"),
        "{}",
        mail.text
    );
    let token = link_token(&mail, "/invitation");
    let weak = app
        .gql(
            None,
            ACCEPT,
            json!({ "input": { "token": token, "password": "kurz" } }),
        )
        .await;
    assert_eq!(
        weak["data"]["acceptInvitation"]["userErrors"][0]["code"],
        json!("WEAK_PASSWORD")
    );
    let body = app
        .gql(
            None,
            ACCEPT,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    let viewer = &body["data"]["acceptInvitation"]["viewer"];
    assert_eq!(viewer["role"], json!("STAFF"), "{body}");
    assert_eq!(viewer["workshop"]["id"], json!(owner.workshop_id));
    let again = app
        .gql(
            None,
            ACCEPT,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        again["data"]["acceptInvitation"]["userErrors"][0]["code"],
        json!("INVALID_TOKEN")
    );
    let staff_token = body["data"]["acceptInvitation"]["session"]["accessToken"]
        .as_str()
        .expect("token");
    let me = app
        .gql(
            Some(staff_token),
            "{ viewer { emailVerified role } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["data"]["viewer"],
        json!({ "emailVerified": true, "role": "STAFF" }),
        "the invitation confirmed the address"
    );

    // An owner of another workshop joins with their own password and keeps both.
    app.gql(
        Some(&owner.access_token),
        INVITE,
        json!({ "input": { "email": "meister@werkstatt-sued.de", "role": "OWNER" } }),
    )
    .await;
    let mail = invitation_mail(&smtp, "meister@werkstatt-sued.de").await;
    let token = link_token(&mail, "/invitation");
    let wrong = app
        .gql(
            None,
            ACCEPT,
            json!({ "input": { "token": token, "password": "nicht-das-richtige" } }),
        )
        .await;
    assert_eq!(
        wrong["data"]["acceptInvitation"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );
    let body = app
        .gql(
            None,
            ACCEPT,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    let viewer = &body["data"]["acceptInvitation"]["viewer"];
    assert_eq!(viewer["role"], json!("OWNER"), "{body}");
    assert_eq!(viewer["workshop"]["name"], json!("Autohaus Nord"));
    let names: Vec<&str> = viewer["memberships"]
        .as_array()
        .expect("memberships")
        .iter()
        .map(|m| m["workshop"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Werkstatt Süd", "Autohaus Nord"]);
    // Their first session still acts for their own workshop.
    let own = app
        .gql(
            Some(&elsewhere.access_token),
            "{ viewer { workshop { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own["data"]["viewer"]["workshop"]["name"],
        json!("Werkstatt Süd")
    );

    let members = app.gql(Some(&owner.access_token), MEMBERS, json!({})).await;
    assert_eq!(
        members["data"]["members"]["totalCount"],
        json!(3),
        "{members}"
    );
    let pending = app
        .gql(
            Some(&owner.access_token),
            "{ invitations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(pending["data"]["invitations"]["totalCount"], json!(0));
    // A member is not invited twice.
    let twice = app
        .gql(
            Some(&owner.access_token),
            INVITE,
            json!({ "input": { "email": "telefon@autohaus-nord.de", "role": "STAFF" } }),
        )
        .await;
    assert_eq!(
        twice["data"]["inviteMember"]["userErrors"][0]["code"],
        json!("DUPLICATE")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_member_ends_their_sessions_and_a_workshop_keeps_an_owner() {
    let app = TestApp::new().await;
    let owner = app.register("chef@autohaus-ost.de", "Autohaus Ost").await;
    let staff = app
        .member(&owner, "werkstatt@autohaus-ost.de", "STAFF")
        .await;
    let role = "mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { member { role } userErrors { code } } }";
    let remove = "mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedUserId userErrors { code } } }";

    // The only owner can be neither demoted nor removed.
    let body = app
        .gql(
            Some(&owner.access_token),
            role,
            json!({ "input": { "userId": owner.user_id, "role": "STAFF" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateMemberRole"]["userErrors"][0]["code"],
        json!("LAST_OWNER"),
        "{body}"
    );
    let body = app
        .gql(
            Some(&owner.access_token),
            remove,
            json!({ "input": { "userId": owner.user_id } }),
        )
        .await;
    assert_eq!(
        body["data"]["removeMember"]["userErrors"][0]["code"],
        json!("LAST_OWNER")
    );

    // Promoted, the colleague may do owner things; demoted again, not.
    let body = app
        .gql(
            Some(&owner.access_token),
            role,
            json!({ "input": { "userId": staff.user_id, "role": "OWNER" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateMemberRole"]["member"]["role"],
        json!("OWNER"),
        "{body}"
    );
    let rename = r#"mutation { updateWorkshop(input: { name: "Autohaus Ost GmbH" }) { userErrors { code } } }"#;
    assert_eq!(
        app.gql(Some(&staff.access_token), rename, json!({})).await["data"]["updateWorkshop"]["userErrors"],
        json!([])
    );
    app.gql(
        Some(&owner.access_token),
        role,
        json!({ "input": { "userId": staff.user_id, "role": "STAFF" } }),
    )
    .await;
    assert_eq!(
        error_code(&app.gql(Some(&staff.access_token), rename, json!({})).await),
        "FORBIDDEN"
    );

    let viewer = "{ viewer { email } }";
    assert!(app.gql(Some(&staff.access_token), viewer, json!({})).await["errors"].is_null());
    let body = app
        .gql(
            Some(&owner.access_token),
            remove,
            json!({ "input": { "userId": staff.user_id } }),
        )
        .await;
    assert_eq!(
        body["data"]["removeMember"]["removedUserId"],
        json!(staff.user_id),
        "{body}"
    );
    let (status, after) = app.post(Some(&staff.access_token), viewer, json!({})).await;
    assert_eq!(
        (status, error_code(&after)),
        (401, "UNAUTHENTICATED"),
        "the removed member's session ended at once: {after}"
    );
    let members = app.gql(Some(&owner.access_token), MEMBERS, json!({})).await;
    assert_eq!(members["data"]["members"]["totalCount"], json!(1));
}
