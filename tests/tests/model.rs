//! The platform with an OpenAI-compatible model configured (a local server speaking the
//! chat-completions protocol): replies stream to the widget as they are written, are grounded
//! in the catalog, count against the daily budget, and fall back to the built-in assistant.

use std::time::Duration;

use carbot::config::AiConfig;
use carbot_tests::chat::{CONVERSATION_EVENTS, Live, SITE};
use carbot_tests::openai_mock::{MockOpenAi, Script};
use carbot_tests::serde_json::json;
use carbot_tests::{TestApp, TestOptions};

async fn app_with(model: &MockOpenAi, daily_tokens: i64) -> TestApp {
    TestApp::with(TestOptions {
        ai: AiConfig {
            api_key: Some("sk-test-key".parse().expect("infallible")),
            base_url: Some(model.base_url.clone()),
            model: "gpt-test".into(),
            daily_tokens,
        },
        ..TestOptions::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn model_replies_stream_to_the_widget_and_quote_the_catalog() {
    let chunks = ["Ein ", "Ölwechsel ", "kostet ", "bei uns ", "10–80 €."];
    let model = MockOpenAi::start(
        Script::reply(chunks)
            .with_chunk_delay(Duration::from_millis(30))
            .with_usage(900, 20),
    )
    .await;
    let app = app_with(&model, 100_000).await;
    let owner = app
        .register("modell@autohaus-nord.de", "Autohaus Nord")
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

    let (_, body) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let reply = &body["data"]["sendMessage"]["reply"];
    assert_eq!(reply["body"], chunks.concat(), "{body}");
    assert!(
        reply["citedServices"]
            .as_array()
            .expect("cited")
            .iter()
            .any(|s| s["name"] == "Ölwechsel"),
        "{reply}"
    );

    let events = widget
        .collect_until(|d| d["conversationEvents"]["message"]["role"] == "ASSISTANT")
        .await;
    let streamed: Vec<&str> = events
        .iter()
        .filter(|d| d["conversationEvents"]["kind"] == "REPLY_CHUNK")
        .map(|d| d["conversationEvents"]["chunk"].as_str().expect("chunk"))
        .collect();
    assert_eq!(
        streamed, chunks,
        "every piece arrives live, in order, before the stored reply"
    );
    let reply_ids: Vec<_> = events
        .iter()
        .filter_map(|d| d["conversationEvents"]["replyId"].as_str())
        .collect();
    assert!(
        reply_ids
            .iter()
            .all(|id| *id == reply["id"].as_str().expect("id"))
    );

    let requests = model.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some("Bearer sk-test-key")
    );
    let sent = requests[0].body.to_string();
    assert!(
        sent.contains("gpt-test") && sent.contains("Ölwechsel") && sent.contains("Autohaus Nord"),
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_model_falls_back_to_the_built_in_assistant() {
    let model = MockOpenAi::start(Script::reply(["nie"]).failing(500, 100)).await;
    let app = app_with(&model, 100_000).await;
    let owner = app
        .register("ausfall@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let (_, body) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let reply = &body["data"]["sendMessage"]["reply"];
    assert!(
        reply["body"].as_str().expect("body").contains("Ölwechsel"),
        "{body}"
    );
    assert_ne!(reply["body"], "nie");
    assert_eq!(model.requests().len(), 3, "the first try and two retries");
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_daily_budget_the_built_in_assistant_answers() {
    let model = MockOpenAi::start(Script::reply(["Gern!"]).with_usage(80, 20)).await;
    let app = app_with(&model, 50).await;
    let owner = app
        .register("budget@autohaus-nord.de", "Autohaus Nord")
        .await;
    let (_, key) = app.client_key(&owner, &[SITE]).await;
    let visitor = app.visitor(&key, SITE).await;
    let (_, first) = app.say(&visitor, "Hallo").await;
    assert_eq!(first["data"]["sendMessage"]["reply"]["body"], "Gern!");
    let (_, second) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
    let text = second["data"]["sendMessage"]["reply"]["body"]
        .as_str()
        .expect("body");
    assert!(text.contains("Ölwechsel"), "{text}");
    assert_eq!(
        model.requests().len(),
        1,
        "100 tokens used of 50: no second model call"
    );
}
