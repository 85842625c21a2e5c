//! Forgotten passwords, changed passwords and changed addresses, with the links read from a real
//! SMTP server.

use std::time::Duration;

use carbot_tests::serde_json::{Value, json};
use carbot_tests::smtp::{SmtpServer, link_token};
use carbot_tests::{PASSWORD, TestApp, TestOptions, error_code};
use diesel_async::RunQueryDsl;

const NEW_PASSWORD: &str = "Zahnriemen-Wechsel-2026";
const VIEWER: &str = "{ viewer { email } }";
const REQUEST: &str = "mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ok userErrors { code } } }";
const RESET: &str = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) {
    session { accessToken refreshToken } viewer { email role } userErrors { field code } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) {
    session { accessToken refreshToken } userErrors { code } } }";

async fn app(smtp: &SmtpServer) -> TestApp {
    TestApp::with(TestOptions {
        smtp_url: Some(smtp.url()),
        ..TestOptions::default()
    })
    .await
}

async fn reset_mails(
    smtp: &SmtpServer,
    to: &str,
    count: usize,
) -> Vec<carbot_tests::smtp::Received> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mails: Vec<_> = smtp
            .to(to)
            .into_iter()
            .filter(|m| m.subject == "Passwort zurücksetzen")
            .collect();
        if mails.len() >= count || tokio::time::Instant::now() >= deadline {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(
        None,
        LOGIN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_link_works_once_within_the_hour_and_ends_every_other_session() {
    let smtp = SmtpServer::start();
    let app = app(&smtp).await;
    let email = "chef@autohaus-nord.de";
    let owner = app.register(email, "Autohaus Nord").await;
    let other = login(&app, email, PASSWORD).await;
    let other_token = other["data"]["login"]["session"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();

    // Known and unknown addresses get the same answer; only the known one gets an e-mail.
    let known = app
        .gql(None, REQUEST, json!({ "input": { "email": email } }))
        .await;
    let unknown = app
        .gql(
            None,
            REQUEST,
            json!({ "input": { "email": "niemand@example.de" } }),
        )
        .await;
    assert_eq!(known, unknown);
    assert_eq!(
        known["data"]["requestPasswordReset"],
        json!({ "ok": true, "userErrors": [] })
    );
    let mails = reset_mails(&smtp, email, 1).await;
    assert_eq!(mails.len(), 1);
    assert!(smtp.to("niemand@example.de").is_empty());
    let token = link_token(&mails[0], "/reset-password");

    // A weak password is refused and the link stays good.
    let weak = app
        .gql(
            None,
            RESET,
            json!({ "input": { "token": token, "password": "kurz" } }),
        )
        .await;
    assert_eq!(
        weak["data"]["resetPassword"]["userErrors"][0]["code"],
        json!("WEAK_PASSWORD"),
        "{weak}"
    );

    let done = app
        .gql(
            None,
            RESET,
            json!({ "input": { "token": token, "password": NEW_PASSWORD } }),
        )
        .await;
    let payload = &done["data"]["resetPassword"];
    assert_eq!(payload["userErrors"], json!([]), "{done}");
    assert_eq!(payload["viewer"]["email"], json!(email));
    let fresh = payload["session"]["accessToken"]
        .as_str()
        .expect("a new session");

    // Every other session ended: both access tokens and the refresh token.
    for token in [&owner.access_token, &other_token] {
        let (status, body) = app.post(Some(token), VIEWER, json!({})).await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "UNAUTHENTICATED"),
            "{body}"
        );
    }
    let refresh = app
        .gql(
            None,
            "mutation($input: RefreshSessionInput!) { refreshSession(input: $input) { userErrors { code } } }",
            json!({ "input": { "refreshToken": owner.refresh_token } }),
        )
        .await;
    assert_eq!(
        refresh["data"]["refreshSession"]["userErrors"][0]["code"],
        json!("INVALID_TOKEN")
    );
    let body = app.gql(Some(fresh), VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["email"], json!(email));
    assert_eq!(
        login(&app, email, PASSWORD).await["data"]["login"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );
    assert_eq!(
        login(&app, email, NEW_PASSWORD).await["data"]["login"]["userErrors"],
        json!([])
    );

    // Once only.
    let again = app
        .gql(
            None,
            RESET,
            json!({ "input": { "token": token, "password": "Noch-Ein-Passwort-99" } }),
        )
        .await;
    assert_eq!(
        again["data"]["resetPassword"]["userErrors"][0]["code"],
        json!("INVALID_TOKEN"),
        "{again}"
    );

    // Within the hour only: a link issued 61 minutes ago no longer works.
    app.gql(None, REQUEST, json!({ "input": { "email": email } }))
        .await;
    let mails = reset_mails(&smtp, email, 2).await;
    let late = link_token(mails.last().expect("second e-mail"), "/reset-password");
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE account_tokens SET created_at = created_at - interval '61 minutes', expires_at = expires_at - interval '61 minutes' WHERE purpose = 'RESET_PASSWORD' AND used_at IS NULL",
    )
    .execute(&mut conn)
    .await
    .expect("time passes");
    let expired = app
        .gql(
            None,
            RESET,
            json!({ "input": { "token": late, "password": "Noch-Ein-Passwort-99" } }),
        )
        .await;
    assert_eq!(
        expired["data"]["resetPassword"]["userErrors"][0]["code"],
        json!("INVALID_TOKEN")
    );

    // Asking too often is refused alike for known and unknown addresses.
    for address in [email, "niemand@example.de"] {
        let mut codes = Vec::new();
        for _ in 0..3 {
            let body = app
                .gql(None, REQUEST, json!({ "input": { "email": address } }))
                .await;
            codes.push(error_code(&body).to_owned());
        }
        assert_eq!(
            codes.last().map(String::as_str),
            Some("RATE_LIMITED"),
            "{address}: {codes:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let smtp = SmtpServer::start();
    let app = app(&smtp).await;
    let email = "chef@autohaus-sued.de";
    let owner = app.register(email, "Autohaus Süd").await;
    let other = login(&app, email, PASSWORD).await;
    let other_token = other["data"]["login"]["session"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ok userErrors { field code } } }";
    let wrong = app
        .gql(Some(&owner.access_token), change, json!({ "input": { "currentPassword": "falsch-falsch-1", "newPassword": NEW_PASSWORD } }))
        .await;
    assert_eq!(
        wrong["data"]["changePassword"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );
    assert_eq!(
        login(&app, email, NEW_PASSWORD).await["data"]["login"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );
    let done = app
        .gql(
            Some(&owner.access_token),
            change,
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD } }),
        )
        .await;
    assert_eq!(
        done["data"]["changePassword"],
        json!({ "ok": true, "userErrors": [] }),
        "{done}"
    );
    assert_eq!(
        app.gql(Some(&owner.access_token), VIEWER, json!({})).await["data"]["viewer"]["email"],
        json!(email)
    );
    let (status, body) = app.post(Some(&other_token), VIEWER, json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "UNAUTHENTICATED"),
        "{body}"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !smtp
        .to(email)
        .iter()
        .any(|m| m.subject == "Ihr Passwort wurde geändert")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notice of the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_address_takes_effect_when_it_is_confirmed() {
    let smtp = SmtpServer::start();
    let app = app(&smtp).await;
    let owner = app.register("alt@autohaus-ost.de", "Autohaus Ost").await;
    app.register("vergeben@autohaus-ost.de", "Andere Werkstatt")
        .await;
    let change = "mutation($input: ChangeEmailInput!) { changeEmail(input: $input) { ok userErrors { field code } } }";
    let taken = app
        .gql(
            Some(&owner.access_token),
            change,
            json!({ "input": { "newEmail": "vergeben@autohaus-ost.de", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        taken["data"]["changeEmail"]["userErrors"][0]["code"],
        json!("EMAIL_TAKEN")
    );
    let wrong = app
        .gql(Some(&owner.access_token), change, json!({ "input": { "newEmail": "neu@autohaus-ost.de", "password": "falsch-falsch-1" } }))
        .await;
    assert_eq!(
        wrong["data"]["changeEmail"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );
    let body = app
        .gql(
            Some(&owner.access_token),
            change,
            json!({ "input": { "newEmail": "Neu@Autohaus-Ost.de", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        body["data"]["changeEmail"],
        json!({ "ok": true, "userErrors": [] }),
        "{body}"
    );
    // Nothing changes before the confirmation.
    assert_eq!(
        app.gql(Some(&owner.access_token), VIEWER, json!({})).await["data"]["viewer"]["email"],
        json!("alt@autohaus-ost.de")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mail = loop {
        if let Some(mail) = smtp.to("neu@autohaus-ost.de").into_iter().next() {
            break mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no confirmation e-mail at the new address"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        mail.subject,
        "Bitte bestätigen Sie Ihre neue E-Mail-Adresse"
    );
    let token = link_token(&mail, "/verify-email");
    let body = app
        .gql(None, "mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { email userErrors { code } } }", json!({ "input": { "token": token } }))
        .await;
    assert_eq!(
        body["data"]["verifyEmail"]["email"],
        json!("neu@autohaus-ost.de"),
        "{body}"
    );
    let viewer = app
        .gql(
            Some(&owner.access_token),
            "{ viewer { email emailVerified } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "email": "neu@autohaus-ost.de", "emailVerified": true })
    );
    assert_eq!(
        login(&app, "neu@autohaus-ost.de", PASSWORD).await["data"]["login"]["userErrors"],
        json!([])
    );
    assert_eq!(
        login(&app, "alt@autohaus-ost.de", PASSWORD).await["data"]["login"]["userErrors"][0]["code"],
        json!("INVALID_CREDENTIALS")
    );

    // An address taken by someone else before the confirmation is refused and changes nothing.
    let body = app
        .gql(
            Some(&owner.access_token),
            change,
            json!({ "input": { "newEmail": "spaeter@autohaus-ost.de", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(body["data"]["changeEmail"]["ok"], json!(true), "{body}");
    app.register("spaeter@autohaus-ost.de", "Schneller").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mail = loop {
        if let Some(mail) = smtp
            .to("spaeter@autohaus-ost.de")
            .into_iter()
            .find(|m| m.subject == "Bitte bestätigen Sie Ihre neue E-Mail-Adresse")
        {
            break mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no confirmation e-mail"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let body = app
        .gql(None, "mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { email userErrors { code } } }", json!({ "input": { "token": link_token(&mail, "/verify-email") } }))
        .await;
    assert_eq!(
        body["data"]["verifyEmail"]["userErrors"][0]["code"],
        json!("EMAIL_TAKEN"),
        "{body}"
    );
    let viewer = app.gql(Some(&owner.access_token), VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["email"],
        json!("neu@autohaus-ost.de")
    );
}
