//! The assistant reads a message in its conversation, through the API: the vehicle named in
//! one message and kept for the chat, follow-ups about the last service, the visitor's language.

use carbot_tests::chat::{MESSAGE_FIELDS, SITE, Visitor};
use carbot_tests::serde_json::{Value, json};
use carbot_tests::{Owner, TestApp};

async fn ask(app: &TestApp, visitor: &Visitor, text: &str) -> Value {
    let (status, body) = app
        .post_from(
            SITE,
            Some(&visitor.token),
            &format!(
                "mutation($input: SendMessageInput!) {{ sendMessage(input: $input) {{
                    reply {{ {MESSAGE_FIELDS} }} vehicle {{ make model year vehicleClass hsn tsn }}
                    userErrors {{ code }} }} }}"
            ),
            json!({ "input": { "conversationId": visitor.conversation_id, "body": text } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let payload = body["data"]["sendMessage"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    payload
}

fn first_cited(payload: &Value) -> &str {
    payload["reply"]["citedServices"][0]["name"]
        .as_str()
        .unwrap_or_else(|| panic!("a cited service: {payload}"))
}

async fn workshop() -> (TestApp, Owner, String) {
    let app = TestApp::new().await;
    let owner = app
        .register("inhaber@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    (app, owner, key)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follow_up_is_about_the_service_of_the_last_answer() {
    let (app, _, key) = workshop().await;
    let visitor = app.visitor(&key, SITE).await;
    let first = ask(&app, &visitor, "Was kostet ein Ölwechsel?").await;
    assert_eq!(first_cited(&first), "Ölwechsel", "{first}");
    let follow_up = ask(&app, &visitor, "und für einen SUV?").await;
    assert_eq!(first_cited(&follow_up), "Ölwechsel", "{follow_up}");
    let body = follow_up["reply"]["body"].as_str().expect("body");
    // The catalog's SUV range of the oil change: 25–80 €.
    assert!(body.contains("25") && body.contains("80"), "{body}");
    assert!(body.contains("SUV"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vehicle_named_once_is_kept_for_the_conversation() {
    let (app, owner, key) = workshop().await;
    let visitor = app.visitor(&key, SITE).await;
    let told = ask(&app, &visitor, "Ich fahre einen VW Golf 7, Baujahr 2016.").await;
    let vehicle = &told["vehicle"];
    assert!(
        vehicle["model"]
            .as_str()
            .unwrap_or_default()
            .contains("Golf"),
        "{told}"
    );
    assert_eq!(vehicle["year"], 2016, "{told}");
    assert_eq!(vehicle["vehicleClass"], "KOMPAKTKLASSE", "{told}");
    // A later question without the car gets the car's class price: 15–59 € for the oil change.
    let priced = ask(&app, &visitor, "Was kostet ein Ölwechsel?").await;
    assert_eq!(first_cited(&priced), "Ölwechsel", "{priced}");
    let body = priced["reply"]["body"].as_str().expect("body");
    assert!(body.contains("15") && body.contains("59"), "{body}");
    assert_eq!(priced["vehicle"]["year"], 2016, "kept: {priced}");
    let listed = app
        .gql(
            Some(&owner.access_token),
            "{ conversations { edges { node { vehicle { model year vehicleClass } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["conversations"]["edges"][0]["node"]["vehicle"]["vehicleClass"],
        "KOMPAKTKLASSE",
        "{listed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_answer_speaks_the_visitors_language_not_the_widgets() {
    let (app, _, key) = workshop().await;
    // The widget started in German; the visitor writes Turkish, then Polish in another chat.
    let turkish = app.visitor(&key, SITE).await;
    let answer = ask(&app, &turkish, "yağ değişimi ne kadar?").await;
    assert_eq!(first_cited(&answer), "Ölwechsel", "{answer}");
    let body = answer["reply"]["body"].as_str().expect("body");
    assert!(
        body.contains("yağ değişimi"),
        "the Turkish name beside the German: {body}"
    );
    assert!(!body.contains("Preis"), "no German wording: {body}");
    let polish = app.visitor(&key, SITE).await;
    let answer = ask(&app, &polish, "Ile kosztuje wymiana oleju?").await;
    assert_eq!(first_cited(&answer), "Ölwechsel", "{answer}");
    let body = answer["reply"]["body"].as_str().expect("body");
    assert!(body.contains("wymiana oleju"), "{body}");
    // A message that says nothing of its language keeps the conversation's.
    let short = ask(&app, &polish, "Golf 7").await;
    let body = short["reply"]["body"].as_str().expect("body");
    assert!(
        !body.contains("Sie ") && !body.contains("Ihr"),
        "still Polish, not German: {body}"
    );
}
