//! Registration, sign-in, sessions, tokens and API tokens.

use carbot_tests::serde_json::{Value, json};
use carbot_tests::{PASSWORD, TestApp, error_code};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) {
    session { accessToken refreshToken expiresAt } viewer { email role workshop { name plan { code } trialEndsAt } }
    userErrors { field code message } } }";
const LOGIN: &str = "mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) {
    session { accessToken refreshToken } viewer { email role } userErrors { field code message } } }";
const REFRESH: &str = "mutation($token: String!) { refreshSession(input: {refreshToken: $token}) {
    session { accessToken refreshToken } viewer { email } userErrors { field code } } }";
const VIEWER: &str = "{ viewer { email role workshop { name } } }";

#[tokio::test(flavor = "multi_thread")]
async fn register_creates_the_workshop_its_owner_and_a_premium_trial() {
    let app = TestApp::new().await;
    let body = app
        .gql(
            None,
            REGISTER,
            json!({ "input": { "email": " Inhaber@Autohaus-Nord.de ", "password": PASSWORD, "workshopName": "  Autohaus Nord  " } }),
        )
        .await;
    let payload = &body["data"]["register"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["viewer"]["email"], "inhaber@autohaus-nord.de");
    assert_eq!(payload["viewer"]["role"], "OWNER");
    assert_eq!(payload["viewer"]["workshop"]["name"], "Autohaus Nord");
    assert_eq!(payload["viewer"]["workshop"]["plan"]["code"], "PREMIUM");
    let trial_end: chrono::DateTime<chrono::Utc> = payload["viewer"]["workshop"]["trialEndsAt"]
        .as_str()
        .expect("trial end")
        .parse()
        .expect("RFC 3339");
    let days = (trial_end - chrono::Utc::now()).num_hours();
    assert!(
        (13 * 24..=14 * 24).contains(&days),
        "trial ends in {days} h"
    );

    let token = payload["session"]["accessToken"].as_str().expect("token");
    let viewer = app.gql(Some(token), VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["workshop"]["name"],
        "Autohaus Nord"
    );

    use diesel_async::RunQueryDsl;
    let mut conn = app.db().await;
    let stored: String = diesel::sql_query("SELECT password_hash AS text FROM users")
        .get_result::<Text>(&mut conn)
        .await
        .expect("user")
        .text;
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert!(!stored.contains(PASSWORD));
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_registrations_get_user_errors_and_change_nothing() {
    let app = TestApp::new().await;
    app.register("vergeben@autohaus-nord.de", "Autohaus Nord")
        .await;
    let before = app.row_counts().await;
    let cases: [(Value, &str, &str); 8] = [
        (
            json!({ "email": "neu@werkstatt.de", "password": "", "workshopName": "W" }),
            "password",
            "WEAK_PASSWORD",
        ),
        (
            json!({ "email": "neu@werkstatt.de", "password": "kurz", "workshopName": "W" }),
            "password",
            "WEAK_PASSWORD",
        ),
        (
            json!({ "email": "neu@werkstatt.de", "password": "passwort123", "workshopName": "W" }),
            "password",
            "WEAK_PASSWORD",
        ),
        (
            json!({ "email": "keine-adresse", "password": PASSWORD, "workshopName": "W" }),
            "email",
            "INVALID",
        ),
        (
            json!({ "email": "", "password": PASSWORD, "workshopName": "W" }),
            "email",
            "REQUIRED",
        ),
        (
            json!({ "email": "VERGEBEN@autohaus-nord.de", "password": PASSWORD, "workshopName": "W" }),
            "email",
            "EMAIL_TAKEN",
        ),
        (
            json!({ "email": "neu@werkstatt.de", "password": PASSWORD, "workshopName": "W".repeat(121) }),
            "workshopName",
            "TOO_LONG",
        ),
        (
            json!({ "email": "neu@werkstatt.de", "password": PASSWORD, "workshopName": "   " }),
            "workshopName",
            "REQUIRED",
        ),
    ];
    for (input, field, code) in cases {
        let body = app.gql(None, REGISTER, json!({ "input": input })).await;
        let payload = &body["data"]["register"];
        assert_eq!(payload["session"], Value::Null, "{input}");
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", field]),
            "{input}: {body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], code, "{input}: {body}");
        assert!(
            !payload["userErrors"][0]["message"]
                .as_str()
                .expect("message")
                .is_empty()
        );
    }
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_answers_the_same_for_unknown_email_and_wrong_password() {
    let app = TestApp::new().await;
    let owner = app
        .register("login@autohaus-nord.de", "Autohaus Nord")
        .await;
    let ok = app
        .gql(
            None,
            LOGIN,
            json!({ "email": "LOGIN@autohaus-nord.de", "password": PASSWORD }),
        )
        .await;
    assert_eq!(ok["data"]["login"]["viewer"]["email"], owner.email);
    assert!(ok["data"]["login"]["session"]["accessToken"].is_string());

    let before = app.row_counts().await;
    let wrong = app
        .gql(
            None,
            LOGIN,
            json!({ "email": owner.email, "password": "Falsches-Passwort-99" }),
        )
        .await;
    let unknown = app
        .gql(
            None,
            LOGIN,
            json!({ "email": "niemand@autohaus-nord.de", "password": PASSWORD }),
        )
        .await;
    assert_eq!(wrong, unknown);
    assert_eq!(
        wrong["data"]["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    assert_eq!(wrong["data"]["login"]["session"], Value::Null);
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_are_slowed_per_account_even_inside_one_document() {
    let app = TestApp::new().await;
    let owner = app
        .register("brute@autohaus-nord.de", "Autohaus Nord")
        .await;
    let attempts: String = (0..7)
        .map(|i| format!("a{i}: login(input: {{email: \"{}\", password: \"Falsch-geraten-{i}\"}}) {{ userErrors {{ code }} }} ", owner.email))
        .collect();
    let response = app
        .client
        .post(app.graphql_url())
        .json(&json!({ "query": format!("mutation {{ {attempts} }}") }))
        .send()
        .await
        .expect("send");
    assert!(
        response.headers().get("retry-after").is_some(),
        "Retry-After is set"
    );
    let body: Value = response.json().await.expect("json");
    for i in 0..5 {
        assert_eq!(
            body["data"][format!("a{i}")]["userErrors"][0]["code"],
            "INVALID_CREDENTIALS",
            "{body}"
        );
    }
    let limited: Vec<&Value> = body["errors"].as_array().expect("errors").iter().collect();
    assert_eq!(limited.len(), 2, "{body}");
    assert!(
        limited
            .iter()
            .all(|e| e["extensions"]["code"] == "RATE_LIMITED"
                && e["extensions"]["retryAfter"].as_u64() > Some(0))
    );

    // Even the right password waits until the window has passed.
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Another account from the same address is not locked by it.
    let other = app
        .register("andere@autohaus-nord.de", "Autohaus Süd")
        .await;
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "email": other.email, "password": PASSWORD }),
        )
        .await;
    assert!(
        body["data"]["login"]["session"]["accessToken"].is_string(),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_are_slowed_per_address() {
    let app = TestApp::new().await;
    let owner = app.register("addr@autohaus-nord.de", "Autohaus Nord").await;
    for i in 0..20 {
        let email = format!("unbekannt{i}@autohaus-nord.de");
        let body = app
            .gql(
                None,
                LOGIN,
                json!({ "email": email, "password": "Falsch-geraten-1" }),
            )
            .await;
        assert_eq!(
            body["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "{body}"
        );
    }
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // The limit is per client address (the test server trusts X-Forwarded-For).
    let response = app
        .client
        .post(app.graphql_url())
        .header("x-forwarded-for", "198.51.100.7")
        .json(
            &json!({ "query": LOGIN, "variables": { "email": owner.email, "password": PASSWORD } }),
        )
        .send()
        .await
        .expect("send");
    let body: Value = response.json().await.expect("json");
    assert!(
        body["data"]["login"]["session"]["accessToken"].is_string(),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_session() {
    let app = TestApp::new().await;
    let owner = app
        .register("refresh@autohaus-nord.de", "Autohaus Nord")
        .await;
    let first = app
        .gql(None, REFRESH, json!({ "token": owner.refresh_token }))
        .await;
    let session = &first["data"]["refreshSession"]["session"];
    let (access, refresh) = (
        session["accessToken"].as_str().expect("access"),
        session["refreshToken"].as_str().expect("refresh"),
    );
    assert_ne!(refresh, owner.refresh_token);
    assert_eq!(
        app.gql(Some(access), VIEWER, json!({})).await["data"]["viewer"]["email"],
        owner.email
    );

    // The old token again: a copy is in someone else's hands. Everything of the session ends.
    let reused = app
        .gql(None, REFRESH, json!({ "token": owner.refresh_token }))
        .await;
    assert_eq!(
        reused["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    let rotated = app.gql(None, REFRESH, json!({ "token": refresh })).await;
    assert_eq!(
        rotated["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    let (status, _) = app.post(Some(access), VIEWER, json!({})).await;
    assert_eq!(status, 401);
    let (status, _) = app.post(Some(&owner.access_token), VIEWER, json!({})).await;
    assert_eq!(status, 401);

    let bogus = app
        .gql(None, REFRESH, json!({ "token": "cbr_nonsense" }))
        .await;
    assert_eq!(
        bogus["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::new().await;
    let owner = app
        .register("logout@autohaus-nord.de", "Autohaus Nord")
        .await;
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { logout { ok userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["logout"]["ok"], true);
    let (status, body) = app.post(Some(&owner.access_token), VIEWER, json!({})).await;
    assert_eq!((status, error_code(&body)), (401, "UNAUTHENTICATED"));
    let refresh = app
        .gql(None, REFRESH, json!({ "token": owner.refresh_token }))
        .await;
    assert_eq!(
        refresh["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    let anonymous = app.gql(None, "mutation { logout { ok } }", json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

fn sign(claims: Value, secret: &[u8], algorithm: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(algorithm),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tokens_are_refused_with_401() {
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let app = TestApp::new().await;
    let owner = app
        .register("tokens@autohaus-nord.de", "Autohaus Nord")
        .await;
    let claims: Value = serde_json_from_b64(owner.access_token.split('.').nth(1).expect("a JWT"));
    let secret = b"test-secret-test-secret-test-secret!";
    let now = chrono::Utc::now().timestamp();
    let with = |key: &str, value: Value| {
        let mut c = claims.clone();
        c[key] = value;
        c
    };
    let (revoked_id, revoked_api) = app.api_token(&owner, &["LEADS_READ"]).await;
    app.gql(
        Some(&owner.access_token),
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { userErrors { code } } }",
        json!({ "id": revoked_id }),
    )
    .await;

    let cases: Vec<(&str, String)> = vec![
        ("garbage", "not-a-token".into()),
        (
            "forged signature",
            sign(
                claims.clone(),
                b"someone-elses-secret-of-32-bytes!",
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "expired",
            sign(
                with("exp", json!(now - 60)),
                secret,
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "wrong issuer",
            sign(
                with("iss", json!("evil")),
                secret,
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "wrong audience",
            sign(
                with("aud", json!("other-app")),
                secret,
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "refresh-typed",
            sign(
                with("typ", json!("refresh")),
                secret,
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "other algorithm",
            sign(claims.clone(), secret, jsonwebtoken::Algorithm::HS512),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&claims)
            ),
        ),
        (
            "unknown session",
            sign(
                with("sid", json!(uuid::Uuid::new_v4())),
                secret,
                jsonwebtoken::Algorithm::HS256,
            ),
        ),
        (
            "unknown API token",
            "cbt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        ),
        ("revoked API token", revoked_api),
        ("refresh token as bearer", owner.refresh_token.clone()),
    ];
    for (name, token) in cases {
        let (status, body) = app.post(Some(&token), VIEWER, json!({})).await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "UNAUTHENTICATED"),
            "{name}: {body}"
        );
    }
    let raw = app
        .client
        .post(app.graphql_url())
        .header("authorization", "Basic abc")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .expect("send");
    assert_eq!(raw.status(), 401);
    let (status, _) = app.post(Some(&owner.access_token), VIEWER, json!({})).await;
    assert_eq!(status, 200, "the real token still works");
}

fn serde_json_from_b64(part: &str) -> Value {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64");
    carbot_tests::serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn passwords_hashed_with_old_parameters_are_rehashed_at_login() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use diesel_async::RunQueryDsl;
    let app = TestApp::new().await;
    let owner = app
        .register("rehash@autohaus-nord.de", "Autohaus Nord")
        .await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).expect("params"),
    );
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let old = weak
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("hash")
        .to_string();
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE users SET password_hash = $1")
        .bind::<diesel::sql_types::Text, _>(&old)
        .execute(&mut conn)
        .await
        .expect("update");
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert!(
        body["data"]["login"]["session"]["accessToken"].is_string(),
        "{body}"
    );
    let stored = diesel::sql_query("SELECT password_hash AS text FROM users")
        .get_result::<Text>(&mut conn)
        .await
        .expect("user")
        .text;
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let again = app
        .gql(
            None,
            LOGIN,
            json!({ "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert!(again["data"]["login"]["session"]["accessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_update_their_workshop_and_bad_values_change_nothing() {
    let app = TestApp::new().await;
    let owner = app
        .register("profil@autohaus-nord.de", "Autohaus Nord")
        .await;
    let update = "mutation($input: UpdateWorkshopInput!) { updateWorkshop(input: $input) {
        workshop { name phone email website brandColor timeZone address { street postalCode city country } openingHours { weekday opens closes } }
        userErrors { field code } } }";
    let body = app
        .gql(
            Some(&owner.access_token),
            update,
            json!({ "input": {
                "name": "Autohaus Nord GmbH", "phone": "+49 40 555 123", "email": "Service@Autohaus-Nord.de",
                "website": "https://autohaus-nord.de", "brandColor": "#0A7AFF", "street": "Hafenstraße 3",
                "postalCode": "20457", "city": "Hamburg",
                "openingHours": [{ "weekday": "MONDAY", "opens": "08:00", "closes": "17:00" }]
            } }),
        )
        .await;
    let workshop = &body["data"]["updateWorkshop"]["workshop"];
    assert_eq!(
        body["data"]["updateWorkshop"]["userErrors"],
        json!([]),
        "{body}"
    );
    assert_eq!(workshop["name"], "Autohaus Nord GmbH");
    assert_eq!(workshop["email"], "service@autohaus-nord.de");
    assert_eq!(workshop["address"]["city"], "Hamburg");
    assert_eq!(workshop["openingHours"][0]["closes"], "17:00");

    let before = app
        .gql(
            Some(&owner.access_token),
            "{ workshop { name phone website brandColor openingHours { opens } } }",
            json!({}),
        )
        .await;
    let body = app
        .gql(
            Some(&owner.access_token),
            update,
            json!({ "input": {
                "name": "N".repeat(121), "phone": "ruf mich an", "website": "javascript:alert(1)", "brandColor": "blau",
                "timeZone": "Mars/Olympus", "openingHours": [{ "weekday": "MONDAY", "opens": "18:00", "closes": "08:00" }]
            } }),
        )
        .await;
    let fields: Vec<Value> = body["data"]["updateWorkshop"]["userErrors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![
            json!(["input", "name"]),
            json!(["input", "timeZone"]),
            json!(["input", "phone"]),
            json!(["input", "website"]),
            json!(["input", "brandColor"]),
            json!(["input", "openingHours", "0", "closes"])
        ]
    );
    let after = app
        .gql(
            Some(&owner.access_token),
            "{ workshop { name phone website brandColor openingHours { opens } } }",
            json!({}),
        )
        .await;
    assert_eq!(before["data"], after["data"]);

    let cleared = app
        .gql(
            Some(&owner.access_token),
            update,
            json!({ "input": { "phone": null } }),
        )
        .await;
    assert_eq!(
        cleared["data"]["updateWorkshop"]["workshop"]["phone"],
        Value::Null
    );
    assert_eq!(
        cleared["data"]["updateWorkshop"]["workshop"]["name"],
        "Autohaus Nord GmbH"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_cannot_change_the_workshop_or_its_tokens() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::new().await;
    let owner = app.register("chef@autohaus-nord.de", "Autohaus Nord").await;
    let staff = app
        .register("geselle@autohaus-nord.de", "Eigene Werkstatt")
        .await;
    let mut conn = app.db().await;
    // Move the second user into the first workshop as staff.
    diesel::sql_query(
        "UPDATE memberships SET workshop_id = (SELECT workshop_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'chef@autohaus-nord.de'), role = 'STAFF'
         WHERE user_id = (SELECT id FROM users WHERE email = 'geselle@autohaus-nord.de')",
    )
    .execute(&mut conn)
    .await
    .expect("make staff");
    let login = app
        .gql(
            None,
            LOGIN,
            json!({ "email": staff.email, "password": PASSWORD }),
        )
        .await;
    let token = login["data"]["login"]["session"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(login["data"]["login"]["viewer"]["role"], "STAFF");
    let viewer = app.gql(Some(&token), VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["workshop"]["name"],
        "Autohaus Nord"
    );
    for query in [
        "mutation { updateWorkshop(input: {name: \"Übernommen\"}) { userErrors { code } } }",
        "mutation { createApiToken(input: {name: \"x\", scopes: [LEADS_READ]}) { secret } }",
        "{ apiTokens { totalCount } }",
    ] {
        let body = app.gql(Some(&token), query, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    let name = app
        .gql(
            Some(&owner.access_token),
            "{ workshop { name } }",
            json!({}),
        )
        .await;
    assert_eq!(name["data"]["workshop"]["name"], "Autohaus Nord");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_are_shown_once_stored_hashed_and_act_within_their_scopes() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::new().await;
    let owner = app.register("api@autohaus-nord.de", "Autohaus Nord").await;
    // API access is Enterprise's: the Premium trial may not create tokens.
    let refused = app
        .gql(
            Some(&owner.access_token),
            "mutation { createApiToken(input: {name: \"x\", scopes: [LEADS_READ]}) { secret } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "PLAN_LIMIT_REACHED", "{refused}");
    app.subscribe(&owner, "ENTERPRISE").await;
    let create = "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
        apiToken { id name scopes prefix active expiresAt } secret userErrors { field code } } }";
    let expires = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let body = app
        .gql(Some(&owner.access_token), create, json!({ "input": { "name": "DMS-Anbindung", "scopes": ["LEADS_READ", "CATALOG_READ", "LEADS_READ"], "expiresAt": expires } }))
        .await;
    let payload = &body["data"]["createApiToken"];
    let secret = payload["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("cbt_"));
    assert_eq!(
        payload["apiToken"]["scopes"],
        json!(["CATALOG_READ", "LEADS_READ"])
    );
    assert!(secret.starts_with(payload["apiToken"]["prefix"].as_str().expect("prefix")));

    let mut conn = app.db().await;
    let stored = diesel::sql_query(
        "SELECT concat(count(*) FILTER (WHERE token_hash = sha256(convert_to($1, 'UTF8'))), '/',
                       count(*) FILTER (WHERE t::text LIKE '%' || substr($1, 5) || '%')) AS text FROM api_tokens t",
    )
    .bind::<diesel::sql_types::Text, _>(&secret)
    .get_result::<Row>(&mut conn)
    .await
    .expect("rows");
    assert_eq!(
        stored.text, "1/0",
        "stored as its SHA-256 only, never in plain text"
    );

    let listed = app
        .gql(
            Some(&owner.access_token),
            "{ apiTokens { totalCount edges { node { name active } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["apiTokens"]["totalCount"], 1);
    assert!(
        !listed.to_string().contains(&secret),
        "the list never shows the secret"
    );

    let workshop = app
        .gql(Some(&secret), "{ workshop { name } }", json!({}))
        .await;
    assert_eq!(workshop["data"]["workshop"]["name"], "Autohaus Nord");
    for query in [
        "{ viewer { email } }",
        "{ apiTokens { totalCount } }",
        "mutation { createApiToken(input: {name: \"x\", scopes: [LEADS_READ]}) { secret } }",
    ] {
        let body = app.gql(Some(&secret), query, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }

    let before = app.row_counts().await;
    for (input, field, code) in [
        (
            json!({ "name": "", "scopes": ["LEADS_READ"] }),
            "name",
            "REQUIRED",
        ),
        (
            json!({ "name": "x".repeat(81), "scopes": ["LEADS_READ"] }),
            "name",
            "TOO_LONG",
        ),
        (
            json!({ "name": "Ohne", "scopes": [] }),
            "scopes",
            "REQUIRED",
        ),
        (
            json!({ "name": "Alt", "scopes": ["LEADS_READ"], "expiresAt": "2020-01-01T00:00:00Z" }),
            "expiresAt",
            "IN_PAST",
        ),
    ] {
        let body = app
            .gql(Some(&owner.access_token), create, json!({ "input": input }))
            .await;
        let errors = &body["data"]["createApiToken"]["userErrors"];
        assert_eq!(
            (errors[0]["field"].clone(), errors[0]["code"].clone()),
            (json!(["input", field]), json!(code)),
            "{body}"
        );
        assert_eq!(body["data"]["createApiToken"]["secret"], Value::Null);
    }
    assert_eq!(app.row_counts().await, before);

    let id = payload["apiToken"]["id"].as_str().expect("id");
    let revoked = app
        .gql(Some(&owner.access_token), "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { active revokedAt } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        revoked["data"]["revokeApiToken"]["apiToken"]["active"],
        false
    );
    let (status, _) = app
        .post(Some(&secret), "{ workshop { name } }", json!({}))
        .await;
    assert_eq!(status, 401);
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn browsers_keep_the_refresh_token_in_an_http_only_cookie() {
    let app = TestApp::new().await;
    app.register("keks@autohaus-nord.de", "Autohaus Nord").await;
    let login = |body: Value| app.client.post(app.graphql_url()).json(&body).send();
    let response = login(json!({ "query": format!(
        "mutation {{ login(input: {{email: \"keks@autohaus-nord.de\", password: \"{}\"}}) {{ session {{ accessToken }} }} }}",
        carbot_tests::PASSWORD
    ) }))
    .await
    .expect("login");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    for attribute in [
        "carbot_refresh=cbr_",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/graphql",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let pair = cookie.split(';').next().expect("name=value").to_owned();

    // refreshSession without a token uses the cookie, and rotates it.
    let refresh =
        "mutation { refreshSession(input: {}) { session { accessToken } userErrors { code } } }";
    let response = app
        .client
        .post(app.graphql_url())
        .header("cookie", &pair)
        .json(&json!({ "query": refresh }))
        .send()
        .await
        .expect("refresh");
    let rotated = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    assert!(
        body["data"]["refreshSession"]["session"]["accessToken"].is_string(),
        "{body}"
    );
    assert_ne!(rotated.split(';').next(), Some(pair.as_str()));

    // The old cookie was used once: presenting it again fails (and revokes the session).
    let again: Value = app
        .client
        .post(app.graphql_url())
        .header("cookie", &pair)
        .json(&json!({ "query": refresh }))
        .send()
        .await
        .expect("reuse")
        .json()
        .await
        .expect("json");
    assert_eq!(
        again["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    // Without any cookie or token there is nothing to refresh.
    let none = app.gql(None, refresh, json!({})).await;
    assert_eq!(
        none["data"]["refreshSession"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );

    // Logout clears the cookie.
    let fresh = app
        .gql(
            None,
            &format!("mutation {{ login(input: {{email: \"keks@autohaus-nord.de\", password: \"{}\"}}) {{ session {{ accessToken }} }} }}", carbot_tests::PASSWORD),
            json!({}),
        )
        .await;
    let token = fresh["data"]["login"]["session"]["accessToken"]
        .as_str()
        .expect("token");
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(token)
        .json(&json!({ "query": "mutation { logout { ok } }" }))
        .send()
        .await
        .expect("logout");
    let cleared = response.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        cleared.starts_with("carbot_refresh=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_impressum_is_kept_and_a_bad_vat_id_is_refused() {
    let app = TestApp::new().await;
    let owner = app
        .register("impressum@autohaus-nord.de", "Autohaus Nord")
        .await;
    let update = "mutation($input: UpdateWorkshopInput!) { updateWorkshop(input: $input) {
        workshop { impressum { legalName managingDirector commercialRegister vatId } } userErrors { field code } } }";
    let bad = app
        .gql(
            Some(&owner.access_token),
            update,
            json!({ "input": { "legalName": "Autohaus Nord GmbH", "vatId": "DE12" } }),
        )
        .await;
    assert_eq!(
        bad["data"]["updateWorkshop"]["userErrors"],
        json!([{ "field": ["input", "vatId"], "code": "INVALID" }])
    );
    let read = "{ workshop { impressum { legalName } } }";
    let unchanged = app.gql(Some(&owner.access_token), read, json!({})).await;
    assert_eq!(
        unchanged["data"]["workshop"]["impressum"]["legalName"],
        Value::Null
    );
    let good = app
        .gql(
            Some(&owner.access_token),
            update,
            json!({ "input": {
                "legalName": "Autohaus Nord GmbH",
                "managingDirector": "Erika Mustermann",
                "commercialRegister": "Amtsgericht Hamburg, HRB 123456",
                "vatId": "DE123456789"
            } }),
        )
        .await;
    assert_eq!(
        good["data"]["updateWorkshop"]["workshop"]["impressum"],
        json!({
            "legalName": "Autohaus Nord GmbH",
            "managingDirector": "Erika Mustermann",
            "commercialRegister": "Amtsgericht Hamburg, HRB 123456",
            "vatId": "DE123456789"
        })
    );
}
