//! E-mail against a real SMTP server (aiosmtpd): lead notifications with every field in the
//! recipient's language, confirmation before lead e-mails, an outage of the mail server (the
//! lead is stored, the e-mail waits and goes out exactly once, with two processes), bounces,
//! lead reminders, and the outbox read with `carbot mail` when there is no SMTP server.

use std::time::Duration;

use carbot_tests::chat::SITE;
use carbot_tests::serde_json::{Value, json};
use carbot_tests::smtp::{Received, SmtpServer, link_token};
use carbot_tests::{Owner, TestApp, TestOptions};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

const SECONDS: Duration = Duration::from_secs(20);

async fn app_with(smtp: &SmtpServer, database_url: Option<String>) -> TestApp {
    TestApp::with(TestOptions {
        smtp_url: Some(smtp.url()),
        database_url,
        notify_interval_secs: Some(1),
        ..TestOptions::default()
    })
    .await
}

/// Registers an owner and confirms the address with the link from the e-mail.
async fn verified_owner(app: &TestApp, smtp: &SmtpServer, email: &str, name: &str) -> Owner {
    let owner = app.register(email, name).await;
    let mail = wait_for_subject(smtp, email, "Bitte bestätigen Sie Ihre E-Mail-Adresse").await;
    assert!(
        mail.text
            .contains(&format!("{}/verify-email?token=", app.url)),
        "{}",
        mail.text
    );
    let token = link_token(&mail, "/verify-email");
    let body = verify(app, &token).await;
    assert_eq!(body["data"]["verifyEmail"]["email"], json!(email), "{body}");
    owner
}

async fn verify(app: &TestApp, token: &str) -> Value {
    app.gql(
        None,
        "mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { email userErrors { code } } }",
        json!({ "input": { "token": token } }),
    )
    .await
}

async fn wait_for_subject(smtp: &SmtpServer, to: &str, subject: &str) -> Received {
    let deadline = tokio::time::Instant::now() + SECONDS;
    loop {
        if let Some(mail) = smtp
            .to(to)
            .into_iter()
            .find(|m| m.subject.starts_with(subject))
        {
            return mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no e-mail {subject:?} to {to}; got {:?}",
            smtp.messages()
                .iter()
                .map(|m| (&m.to, &m.subject))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn count_subject(smtp: &SmtpServer, to: &str, subject: &str) -> usize {
    smtp.to(to)
        .iter()
        .filter(|m| m.subject.starts_with(subject))
        .count()
}

/// The first service of the owner's catalog: (id, name).
async fn a_service(app: &TestApp, owner: &Owner) -> (String, String) {
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ services(first: 1, filter: { search: \"Ölwechsel\" }) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["services"]["edges"][0]["node"];
    (
        node["id"].as_str().expect("service id").to_owned(),
        node["name"].as_str().expect("name").to_owned(),
    )
}

async fn outbox_rows(app: &TestApp, kind: &str) -> Vec<(String, String, i32, Option<String>)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        recipient: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_error: Option<String>,
    }
    let mut conn = app.db().await;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT recipient, status, attempts, last_error FROM outbox WHERE kind = $1 ORDER BY created_at",
    )
    .bind::<diesel::sql_types::Text, _>(kind)
    .load(&mut conn)
    .await
    .expect("outbox");
    rows.into_iter()
        .map(|r| (r.recipient, r.status, r.attempts, r.last_error))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_lead_is_emailed_with_every_field_in_the_recipients_language() {
    let smtp = SmtpServer::start();
    let app = app_with(&smtp, None).await;
    let email = "chef@autohaus-nord.de";
    let owner = app.register(email, "Autohaus Nord").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;

    // Not yet confirmed: the lead is stored, but no lead e-mail goes to the address.
    let viewer =
        "{ viewer { emailVerified notificationSettings { newLead reminder dailySummary } } }";
    let body = app.gql(Some(&owner.access_token), viewer, json!({})).await;
    assert_eq!(
        body["data"]["viewer"],
        json!({ "emailVerified": false, "notificationSettings": { "newLead": true, "reminder": true, "dailySummary": true } })
    );
    let visitor = app.visitor(&key, SITE).await;
    let (_, body) = app
        .submit_lead(&visitor, json!({ "name": "Früh Vogel" }))
        .await;
    assert_eq!(
        body["data"]["submitLead"]["userErrors"],
        json!([]),
        "{body}"
    );
    let confirm = wait_for_subject(&smtp, email, "Bitte bestätigen Sie Ihre E-Mail-Adresse").await;
    assert!(outbox_rows(&app, "NEW_LEAD").await.is_empty());

    let token = link_token(&confirm, "/verify-email");
    assert_eq!(
        verify(&app, &token).await["data"]["verifyEmail"]["email"],
        json!(email)
    );
    let again = verify(&app, &token).await;
    assert_eq!(
        again["data"]["verifyEmail"]["userErrors"][0]["code"],
        json!("INVALID_TOKEN"),
        "a confirmation link works once: {again}"
    );
    let body = app.gql(Some(&owner.access_token), viewer, json!({})).await;
    assert_eq!(body["data"]["viewer"]["emailVerified"], json!(true));

    let (service_id, service_name) = a_service(&app, &owner).await;
    let visitor = app.visitor(&key, SITE).await;
    let preferred = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let (_, body) = app
        .submit_lead(
            &visitor,
            json!({
                "name": "Erika Mustermann",
                "email": "erika@example.de",
                "phone": "+49 170 1234567",
                "vehicle": { "make": "VW", "model": "Golf", "year": 2017 },
                "serviceIds": [service_id],
                "preferredDate": preferred.to_string(),
                "message": "Bitte vormittags, <b>danke</b>!",
            }),
        )
        .await;
    let lead = &body["data"]["submitLead"]["lead"];
    let lead_id = lead["id"].as_str().expect("lead id");
    let min = lead["estimatedValue"]["min"]["amountCents"]
        .as_i64()
        .expect("estimate");

    let mail = wait_for_subject(&smtp, email, "Neue Anfrage von Erika Mustermann").await;
    assert!(mail.from.contains("noreply@carbot.test"), "{}", mail.from);
    assert_eq!(
        mail.reply_to, "erika@example.de",
        "an answer goes to the customer"
    );
    for expected in [
        "Autohaus Nord".to_owned(),
        "Erika Mustermann".to_owned(),
        "erika@example.de".to_owned(),
        "+49 170 1234567".to_owned(),
        "VW Golf 2017".to_owned(),
        service_name.clone(),
        format!("Geschätzter Wert: {}", min / 100),
        "Wunschtermin:".to_owned(),
        preferred.format("%d.%m.%Y").to_string(),
        "Bitte vormittags, <b>danke</b>!".to_owned(),
        format!("{}/leads/{lead_id}?workshop=", app.url),
    ] {
        assert!(
            mail.text.contains(&expected),
            "{expected:?} missing in:\n{}",
            mail.text
        );
    }
    // The HTML part says the same, escaped.
    assert!(mail.html.contains("Erika Mustermann") && mail.html.contains("VW Golf 2017"));
    assert!(
        mail.html.contains("&#60;b&#62;danke") || mail.html.contains("&lt;b&gt;danke"),
        "{}",
        mail.html
    );
    assert!(!mail.html.contains("<b>danke"));
    assert!(
        mail.message_id.ends_with("@carbot.test>"),
        "{}",
        mail.message_id
    );

    // The owner reads English: the next lead's e-mail is in English.
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation { updateProfile(input: { locale: EN }) { viewer { locale } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["updateProfile"]["viewer"]["locale"],
        json!("EN")
    );
    let visitor = app.visitor(&key, SITE).await;
    app.submit_lead(
        &visitor,
        json!({ "name": "John Smith", "serviceIds": [service_id], "preferredDate": preferred.to_string() }),
    )
    .await;
    let english = wait_for_subject(&smtp, email, "New request from John Smith").await;
    for expected in [
        "Preferred date",
        &preferred.format("%Y-%m-%d").to_string(),
        "Estimated value: €",
        "Open the request",
    ] {
        assert!(
            english.text.contains(expected),
            "{expected:?} missing in:\n{}",
            english.text
        );
    }

    // Turned off, the notification stops.
    app.gql(
        Some(&owner.access_token),
        "mutation { updateNotificationSettings(input: { newLead: false }) { notificationSettings { newLead reminder } } }",
        json!({}),
    )
    .await;
    let visitor = app.visitor(&key, SITE).await;
    app.submit_lead(&visitor, json!({ "name": "Stille Post" }))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        count_subject(&smtp, email, "New request from Stille Post"),
        0
    );
    assert_eq!(
        outbox_rows(&app, "NEW_LEAD").await.len(),
        2,
        "the third lead wrote no e-mail"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_smtp_outage_delays_the_email_and_it_goes_out_exactly_once_with_two_processes() {
    let mut smtp = SmtpServer::start();
    let first = app_with(&smtp, None).await;
    let second = app_with(&smtp, Some(first.database_url.clone())).await;
    let email = "inhaber@werkstatt-ost.de";
    let owner = verified_owner(&first, &smtp, email, "Werkstatt Ost").await;
    let (_, key) = first.client_key(&owner, &[SITE]).await;

    smtp.stop();
    let visitor = second.visitor(&key, SITE).await;
    let (status, body) = second
        .submit_lead(&visitor, json!({ "name": "Während Ausfall" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["submitLead"]["userErrors"],
        json!([]),
        "the lead is stored: {body}"
    );
    // The e-mail waits in the outbox with the reason it did not go out.
    let deadline = tokio::time::Instant::now() + SECONDS;
    loop {
        let rows = outbox_rows(&first, "NEW_LEAD").await;
        if let Some((_, status, attempts, Some(error))) = <[_]>::first(&rows) {
            assert_eq!(status, "PENDING");
            assert!(*attempts >= 1 && !error.is_empty());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no failed attempt recorded: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The backlog shows in /metrics.
    let metrics = first
        .client
        .get(format!("{}/metrics", first.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("carbot_outbox_pending_emails 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("carbot_outbox_oldest_pending_seconds"),
        "{metrics}"
    );

    smtp.resume();
    wait_for_subject(&smtp, email, "Neue Anfrage von Während Ausfall").await;
    // Both processes keep polling; more leads arrive through both.
    for i in 0..6 {
        let app = if i % 2 == 0 { &first } else { &second };
        let visitor = app.visitor(&key, SITE).await;
        app.submit_lead(&visitor, json!({ "name": format!("Kunde {i}") }))
            .await;
    }
    for i in 0..6 {
        wait_for_subject(&smtp, email, &format!("Neue Anfrage von Kunde {i}")).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count_subject(&smtp, email, "Neue Anfrage von Während Ausfall"),
        1
    );
    for i in 0..6 {
        assert_eq!(
            count_subject(&smtp, email, &format!("Neue Anfrage von Kunde {i}")),
            1,
            "each e-mail is sent once"
        );
    }
    let rows = outbox_rows(&first, "NEW_LEAD").await;
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.1 == "SENT"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_that_bounces_is_marked_and_not_tried_again() {
    let smtp = SmtpServer::start();
    let app = app_with(&smtp, None).await;
    let owner = verified_owner(&app, &smtp, "chef@autohaus-sued.de", "Autohaus Süd").await;
    let invite = "mutation($input: InviteMemberInput!) { inviteMember(input: $input) {
        invitation { id email role } userErrors { code } } }";
    let body = app
        .gql(
            Some(&owner.access_token),
            invite,
            json!({ "input": { "email": "bounce@autohaus-sued.de", "role": "STAFF" } }),
        )
        .await;
    assert_eq!(
        body["data"]["inviteMember"]["userErrors"],
        json!([]),
        "{body}"
    );
    let deadline = tokio::time::Instant::now() + SECONDS;
    while outbox_rows(&app, "INVITATION")
        .await
        .into_iter()
        .next()
        .map(|r| r.1)
        != Some("BOUNCED".into())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            outbox_rows(&app, "INVITATION").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Asked again, nothing more goes to the address.
    app.gql(
        Some(&owner.access_token),
        invite,
        json!({ "input": { "email": "bounce@autohaus-sued.de", "role": "STAFF" } }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + SECONDS;
    loop {
        let rows = outbox_rows(&app, "INVITATION").await;
        if rows.len() == 2 && rows[1].1 == "SUPPRESSED" {
            assert_eq!(rows[0].2, 1, "a bounce is not retried: {rows:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{rows:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(smtp.to("bounce@autohaus-sued.de").is_empty());
    // The owner sees that the colleague never got the link.
    let body = app
        .gql(
            Some(&owner.access_token),
            "{ invitations { edges { node { email delivery } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["invitations"]["edges"],
        json!([{ "node": { "email": "bounce@autohaus-sued.de", "delivery": "SUPPRESSED" } }]),
        "{body}"
    );
    // The suppression keeps the address as its SHA-256 only (PostgreSQL's own sha256 agrees),
    // and neither it nor the outbox keeps the address the server's answer quoted.
    #[derive(QueryableByName, Debug)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::Text)]
        reason: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        hashed: bool,
    }
    let mut conn = app.db().await;
    let kept: Vec<Kept> = diesel::sql_query(
        "SELECT reason, address_sha256 = encode(sha256(convert_to('bounce@autohaus-sued.de', 'UTF8')), 'hex') AS hashed
         FROM mail_suppressions",
    )
    .load(&mut conn)
    .await
    .expect("suppressions");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].hashed && !kept[0].reason.contains('@'), "{kept:?}");
    let bounced = outbox_rows(&app, "INVITATION").await;
    assert!(
        bounced
            .iter()
            .all(|r| !r.3.as_deref().unwrap_or("").contains('@')),
        "{bounced:?}"
    );
}

/// Sets opening hours directly: open all week (`true`) or only in an hour twelve hours away.
async fn set_open(app: &TestApp, owner: &Owner, open: bool) {
    use chrono::Timelike;
    let days = [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ];
    let (opens, closes) = if open {
        ("00:00".to_owned(), "23:59".to_owned())
    } else {
        let hour = (chrono::Utc::now().hour() + 12) % 24;
        (format!("{hour:02}:00"), format!("{hour:02}:30"))
    };
    let hours: Vec<Value> = days
        .iter()
        .map(|d| json!({ "weekday": d, "opens": opens, "closes": closes }))
        .collect();
    let body = app
        .gql(
            Some(&owner.access_token),
            "mutation($input: UpdateWorkshopInput!) { updateWorkshop(input: $input) { userErrors { code } } }",
            json!({ "input": { "openingHours": hours, "leadReminderMinutes": 30, "timeZone": "Europe/Berlin" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateWorkshop"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_still_new_is_reminded_once_after_the_delay_and_only_during_opening_hours() {
    let smtp = SmtpServer::start();
    let app = app_with(&smtp, None).await;
    let email = "chef@autohaus-west.de";
    let owner = verified_owner(&app, &smtp, email, "Autohaus West").await;
    set_open(&app, &owner, true).await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.submit_lead(&visitor, json!({ "name": "Wartet Lange" }))
        .await;
    let visitor = app.visitor(&key, SITE).await;
    let (_, body) = app
        .submit_lead(&visitor, json!({ "name": "Schon Angerufen" }))
        .await;
    let contacted = body["data"]["submitLead"]["lead"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.gql(
        Some(&owner.access_token),
        "mutation($input: UpdateLeadStatusInput!) { updateLeadStatus(input: $input) { userErrors { code } } }",
        json!({ "input": { "leadId": contacted, "status": "CONTACTED" } }),
    )
    .await;
    wait_for_subject(&smtp, email, "Neue Anfrage von Wartet Lange").await;

    // Before the delay (30 minutes) nothing is sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count_subject(&smtp, email, "Erinnerung"), 0);

    // 40 minutes later, but the workshop is closed: still nothing.
    set_open(&app, &owner, false).await;
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE leads SET created_at = created_at - interval '40 minutes'")
        .execute(&mut conn)
        .await
        .expect("time passes");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count_subject(&smtp, email, "Erinnerung"),
        0,
        "no reminder while closed"
    );

    // Open again: one reminder for the lead still NEW, none for the contacted one.
    set_open(&app, &owner, true).await;
    let reminder =
        wait_for_subject(&smtp, email, "Erinnerung: Anfrage von Wartet Lange wartet").await;
    assert!(
        reminder.text.contains("Seit 40 Minuten") || reminder.text.contains("Seit 41 Minuten"),
        "{}",
        reminder.text
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count_subject(&smtp, email, "Erinnerung"),
        1,
        "one reminder, once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_the_outbox_keeps_each_email_and_carbot_mail_prints_it() {
    let app = TestApp::new().await;
    app.register("chef@autohaus-log.de", "Autohaus Log").await;
    let body = app
        .gql(
            None,
            "mutation { requestPasswordReset(input: { email: \"chef@autohaus-log.de\" }) { ok userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["requestPasswordReset"],
        json!({ "ok": true, "userErrors": [] })
    );
    let deadline = tokio::time::Instant::now() + SECONDS;
    while outbox_rows(&app, "PASSWORD_RESET")
        .await
        .into_iter()
        .next()
        .map(|r| r.1)
        != Some("LOGGED".into())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            outbox_rows(&app, "PASSWORD_RESET").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let binary = std::env::current_exe()
        .expect("test binary")
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("carbot");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&binary)
            .arg("mail")
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .output()
            .expect("running carbot mail (built by cargo test --workspace)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let list = run(&["list"]);
    let line = list
        .lines()
        .find(|l| l.contains("PASSWORD_RESET"))
        .unwrap_or_else(|| panic!("no reset e-mail listed:\n{list}"));
    assert!(
        line.contains("LOGGED")
            && line.contains("chef@autohaus-log.de")
            && line.contains("Passwort zurücksetzen"),
        "{line}"
    );
    let id = line.split_whitespace().next().expect("id");
    let shown = run(&["show", id]);
    assert!(shown.contains("To:       chef@autohaus-log.de"), "{shown}");
    assert!(
        shown.contains(&format!("{}/reset-password?token=cbl_", app.url)),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_summary_goes_out_once_in_the_morning_of_the_workshops_time_zone() {
    use chrono::Timelike;
    let smtp = SmtpServer::start();
    let app = app_with(&smtp, None).await;
    let email = "chef@autohaus-mitte.de";
    let owner = verified_owner(&app, &smtp, email, "Autohaus Mitte").await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    app.submit_lead(&visitor, json!({ "name": "Gestern Kunde" }))
        .await;
    // A zone where it is midday now; the lead and its chat were yesterday there.
    let offset = 12 - i64::from(chrono::Utc::now().hour());
    let zone = match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let mut conn = app.db().await;
    for statement in [
        "UPDATE leads SET created_at = created_at - interval '1 day'",
        "UPDATE conversations SET created_at = created_at - interval '1 day'",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .expect("yesterday");
    }
    diesel::sql_query("UPDATE workshops SET time_zone = $1, daily_summary_sent_on = NULL")
        .bind::<diesel::sql_types::Text, _>(&zone)
        .execute(&mut conn)
        .await
        .expect("zone");
    let summary =
        wait_for_subject(&smtp, email, "Ihr Tag bei Autohaus Mitte: 1 neue Anfrage").await;
    for expected in [
        "Chats:",
        "Neue Anfragen:",
        "Noch unbearbeitet:",
        "/leads?workshop=",
    ] {
        assert!(
            summary.text.contains(expected),
            "{expected:?} missing in:\n{}",
            summary.text
        );
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count_subject(&smtp, email, "Ihr Tag bei"),
        1,
        "one summary a day"
    );
}
