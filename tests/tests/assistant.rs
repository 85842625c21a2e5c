//! The OpenAI assistant against a local chat-completions server: streaming, the grounded prompt,
//! token counting, deadlines and retries, as a visitor and the workshop would notice them.

use std::time::{Duration, Instant};

use carbot_schema::accounts::workshop::{Locale, OpeningHours, Weekday};
use carbot_schema::catalog::VehicleClass;
use carbot_schema::chat::assistant::memory::Memory;
use carbot_schema::chat::assistant::openai::{OpenAiAssistant, OpenAiConfig};
use carbot_schema::chat::assistant::{
    Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker, Turn, WorkshopFacts,
};
use carbot_tests::openai_mock::{MockOpenAi, Script};
use chrono::{TimeZone, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

const KEY: &str = "sk-test-4f9a1c2e7b";
const OIL_CHANGE: Uuid = Uuid::from_u128(1);
const OIL_AND_FILTER_CHANGE: Uuid = Uuid::from_u128(2);

fn config(mock: &MockOpenAi) -> OpenAiConfig {
    OpenAiConfig {
        base_url: Some(mock.base_url.clone()),
        first_token_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(3),
        ..OpenAiConfig::new(KEY)
    }
}

fn facts() -> WorkshopFacts {
    let weekdays = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    WorkshopFacts {
        name: "Autohaus Nord".to_owned(),
        phone: Some("0421 555 0192".to_owned()),
        email: Some("service@autohaus-nord.de".to_owned()),
        website: None,
        address: Some("Hafenstraße 7, 28195 Bremen".to_owned()),
        opening_hours: weekdays
            .into_iter()
            .map(|weekday| OpeningHours {
                weekday,
                opens: "08:00".to_owned(),
                closes: "17:00".to_owned(),
            })
            .collect(),
        time_zone: "Europe/Berlin".to_owned(),
    }
}

fn catalog() -> Vec<CatalogEntry> {
    vec![
        CatalogEntry {
            id: OIL_CHANGE,
            name: "Ölwechsel".to_owned(),
            category: "Inspektion & Wartung".to_owned(),
            description: "Altes Motoröl ablassen, neues Öl einfüllen.".to_owned(),
            min_cents: 3900,
            max_cents: 8900,
            vehicle_prices: vec![(VehicleClass::Kompaktklasse, 4900, 6900)],
            duration_minutes: Some(30),
            aliases: vec![],
            translations: vec![],
        },
        CatalogEntry {
            id: OIL_AND_FILTER_CHANGE,
            name: "Ölwechsel mit Ölfilter".to_owned(),
            category: "Inspektion & Wartung".to_owned(),
            description: "Motoröl und Ölfilter erneuern.".to_owned(),
            min_cents: 6900,
            max_cents: 18900,
            vehicle_prices: Vec::new(),
            duration_minutes: Some(40),
            aliases: vec![],
            translations: vec![],
        },
    ]
}

/// What the widget would see: the chunks as they arrived, and the finished answer.
struct Asked {
    result: Result<Answer, AssistantError>,
    chunks: Vec<(Instant, String)>,
    finished: Instant,
    took: Duration,
}

async fn ask(assistant: &OpenAiAssistant, history: &[Turn], text: &str) -> Asked {
    let facts = facts();
    let catalog = catalog();
    let memory = Memory::default();
    let question = Question {
        workshop: &facts,
        locale: Locale::De,
        history,
        text,
        catalog: &catalog,
        memory: &memory,
        now: Utc
            .with_ymd_and_hms(2025, 6, 13, 10, 30, 0)
            .single()
            .expect("a valid time"),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        let mut chunks = Vec::new();
        while let Some(chunk) = rx.recv().await {
            chunks.push((Instant::now(), chunk));
        }
        chunks
    });
    let started = Instant::now();
    let result = assistant.answer(&question, &tx).await;
    let finished = Instant::now();
    drop(tx);
    Asked {
        result,
        chunks: reader.await.expect("the reader finishes"),
        finished,
        took: finished - started,
    }
}

fn texts(asked: &Asked) -> Vec<&str> {
    asked.chunks.iter().map(|(_, c)| c.as_str()).collect()
}

#[tokio::test]
async fn streams_the_answer_chunk_by_chunk() {
    let reply = [
        "Ein ",
        "Ölwechsel ",
        "kostet bei uns ",
        "39–89 € ",
        "inkl. MwSt.",
    ];
    let mock =
        MockOpenAi::start(Script::reply(reply).with_chunk_delay(Duration::from_millis(60))).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;
    let answer = asked.result.as_ref().expect("an answer");

    assert_eq!(
        texts(&asked),
        reply,
        "chunks arrive in order, one per delta"
    );
    assert_eq!(answer.body, reply.concat());
    let (first_arrived, _) = asked.chunks[0];
    assert!(
        asked.finished - first_arrived >= Duration::from_millis(200),
        "the first words reach the visitor while the model is still writing"
    );
    assert_eq!(
        answer.cited,
        vec![OIL_CHANGE],
        "the quoted service is cited, the longer one that was not named is not"
    );
    assert!(!answer.offer_lead_form);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn sends_the_workshop_the_catalog_and_the_conversation_with_the_key() {
    let mock = MockOpenAi::start(Script::reply(["Gern!"])).await;
    let assistant = OpenAiAssistant::new(config(&mock));
    let history = [
        Turn {
            speaker: Speaker::Visitor,
            text: "Hallo, ich fahre einen Golf.".to_owned(),
            cited: vec![],
        },
        Turn {
            speaker: Speaker::Assistant,
            text: "Hallo! Wie kann ich helfen?".to_owned(),
            cited: vec![],
        },
        Turn {
            speaker: Speaker::Owner,
            text: "Hier ist Jan von Autohaus Nord.".to_owned(),
            cited: vec![],
        },
    ];

    let asked = ask(&assistant, &history, "Was kostet ein Ölwechsel?").await;
    asked.result.expect("an answer");

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(
        request.authorization.as_deref(),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(request.body["model"], "gpt-4o-mini");
    assert_eq!(request.body["stream"], true);
    assert_eq!(request.body["stream_options"]["include_usage"], true);

    let messages = request.body["messages"].as_array().expect("messages");
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().expect("a role"))
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "assistant", "user"],
        "visitor → user, assistant and owner → assistant, the new message last"
    );
    assert_eq!(messages[1]["content"], "Hallo, ich fahre einen Golf.");
    assert_eq!(messages[3]["content"], "Hier ist Jan von Autohaus Nord.");
    assert_eq!(messages[4]["content"], "Was kostet ein Ölwechsel?");

    let system = messages[0]["content"].as_str().expect("a system prompt");
    for expected in [
        "\"Autohaus Nord\"",
        "Answer in German",
        "Quote prices only from the price list below",
        "Never invent",
        "request form",
        "- Phone: 0421 555 0192",
        "- E-mail: service@autohaus-nord.de",
        "- Address: Hafenstraße 7, 28195 Bremen",
        "- Website: not on file",
        "- Opening hours: Mon–Fri 08:00–17:00; Sat–Sun closed",
        "- Ölwechsel (category: Inspektion & Wartung): 39–89 €; by vehicle class: \
         KOMPAKTKLASSE 49–69 €; takes about 30 minutes",
        "- Ölwechsel mit Ölfilter (category: Inspektion & Wartung): 69–189 €",
        "The visitor's car, as far as known: KOMPAKTKLASSE.",
    ] {
        assert!(
            system.contains(expected),
            "{expected:?} missing in:\n{system}"
        );
    }
    assert!(!system.contains(KEY));
}

#[tokio::test]
async fn counts_the_tokens_the_server_reports() {
    let mock = MockOpenAi::start(
        Script::reply(["Ölwechsel ", "mit Ölfilter: ", "69–189 €."]).with_usage(412, 9),
    )
    .await;
    let assistant = OpenAiAssistant::new(config(&mock));
    let answer = ask(&assistant, &[], "Was kostet ein Ölwechsel mit Filter?")
        .await
        .result
        .expect("an answer");
    assert_eq!(answer.tokens, 421);
    assert_eq!(answer.cited, vec![OIL_AND_FILTER_CHANGE]);
}

#[tokio::test]
async fn estimates_the_tokens_when_the_server_reports_none() {
    let mock = MockOpenAi::start(Script::reply(["Ein ", "Ölwechsel."]).without_usage()).await;
    let assistant = OpenAiAssistant::new(config(&mock));
    let answer = ask(&assistant, &[], "Was kostet ein Ölwechsel?")
        .await
        .result
        .expect("an answer");

    let request = &mock.requests()[0];
    let prompt_chars: usize = request.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().expect("text content").chars().count())
        .sum();
    let chars = prompt_chars + answer.body.chars().count();
    assert_eq!(answer.tokens as usize, chars.div_ceil(4));
    assert!(
        answer.tokens > 100,
        "the prompt counts too: {}",
        answer.tokens
    );
}

#[tokio::test]
async fn retries_when_the_first_token_is_late() {
    let mock = MockOpenAi::start(
        Script::reply(["Ein Ölwechsel ", "kostet 39–89 €."]).stalling(Duration::from_secs(2), 1),
    )
    .await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;
    let answer = asked.result.as_ref().expect("the second attempt answers");

    assert_eq!(answer.body, "Ein Ölwechsel kostet 39–89 €.");
    assert_eq!(
        texts(&asked),
        ["Ein Ölwechsel ", "kostet 39–89 €."],
        "nothing of the abandoned attempt reaches the visitor"
    );
    assert_eq!(mock.requests().len(), 2);
    assert!(
        asked.took >= Duration::from_millis(300),
        "waited for the first token: {:?}",
        asked.took
    );
    assert!(
        asked.took < Duration::from_millis(1500),
        "did not wait for the stalled attempt: {:?}",
        asked.took
    );
}

#[tokio::test]
async fn retries_two_server_errors_and_then_answers() {
    let mock = MockOpenAi::start(Script::reply(["Gern geschehen!"]).failing(503, 2)).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Danke!").await;

    assert_eq!(
        asked.result.expect("the third attempt answers").body,
        "Gern geschehen!"
    );
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn retries_rate_limits_too() {
    let mock = MockOpenAi::start(Script::reply(["Gern geschehen!"]).failing(429, 1)).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Danke!").await;

    assert!(asked.result.is_ok(), "{:?}", asked.result);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn gives_up_after_three_server_errors() {
    let mock = MockOpenAi::start(Script::reply(["Zu spät."]).failing(503, 3)).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;

    match asked.result {
        Err(AssistantError::Upstream(reason)) => assert!(reason.contains("503"), "{reason}"),
        other => panic!("expected an upstream error, got {other:?}"),
    }
    assert_eq!(
        mock.requests().len(),
        3,
        "one request and two retries, no hidden retries of the HTTP client"
    );
    assert!(asked.chunks.is_empty());
}

#[tokio::test]
async fn does_not_retry_a_rejected_key_nor_repeat_it() {
    let mock = MockOpenAi::start(Script::reply(["Nie."]).failing(401, 3)).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Hallo").await;

    match asked.result {
        Err(AssistantError::Upstream(reason)) => {
            assert!(reason.contains("401"), "{reason}");
            assert!(
                !reason.contains(KEY),
                "the key the server echoed is scrubbed: {reason}"
            );
        }
        other => panic!("expected an upstream error, got {other:?}"),
    }
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn times_out_when_no_attempt_brings_a_first_token() {
    let mock =
        MockOpenAi::start(Script::reply(["Zu spät."]).stalling(Duration::from_secs(5), 3)).await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;

    assert_eq!(asked.result, Err(AssistantError::Timeout));
    assert_eq!(mock.requests().len(), 3);
    assert!(asked.chunks.is_empty());
}

#[tokio::test]
async fn times_out_when_the_whole_answer_takes_too_long() {
    let reply = ["Ein ", "Ölwechsel ", "kostet ", "bei ", "uns ", "39–89 €."];
    let mock =
        MockOpenAi::start(Script::reply(reply).with_chunk_delay(Duration::from_millis(200))).await;
    let assistant = OpenAiAssistant::new(OpenAiConfig {
        total_timeout: Duration::from_millis(500),
        ..config(&mock)
    });

    let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;

    assert_eq!(asked.result, Err(AssistantError::Timeout));
    assert!(
        asked.took < Duration::from_millis(900),
        "gave up at the deadline: {:?}",
        asked.took
    );
    let streamed = texts(&asked);
    assert!(
        !streamed.is_empty() && streamed.len() < reply.len(),
        "{streamed:?}"
    );
    assert_eq!(streamed, reply[..streamed.len()], "a prefix, in order");
    assert_eq!(
        mock.requests().len(),
        1,
        "no retry once words reached the visitor"
    );
}

#[tokio::test]
async fn offers_the_request_form_when_it_names_no_price() {
    let mock = MockOpenAi::start(Script::reply([
        "Dazu habe ich leider keinen Preis. ",
        "Nutzen Sie gern das Anfrageformular.",
    ]))
    .await;
    let assistant = OpenAiAssistant::new(config(&mock));

    let answer = ask(&assistant, &[], "Was kostet eine Lackierung in Pink?")
        .await
        .result
        .expect("an answer");

    assert!(answer.cited.is_empty());
    assert!(answer.offer_lead_form);
}

#[tokio::test]
async fn the_mock_answers_plain_requests_too() {
    let mock = MockOpenAi::start(Script::reply(["Hallo ", "Welt"]).with_usage(7, 2)).await;
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/chat/completions", mock.base_url))
        .bearer_auth(KEY)
        .json(&serde_json::json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "Hallo"}],
        }))
        .send()
        .await
        .expect("a response")
        .json()
        .await
        .expect("JSON");
    assert_eq!(response["object"], "chat.completion");
    assert_eq!(response["choices"][0]["message"]["content"], "Hallo Welt");
    assert_eq!(response["usage"]["total_tokens"], 9);
}

/// The promise that the assistant states no price the catalog does not back, as the visitor and
/// the operator notice it: every amount the model writes is checked before it streams on.
mod amounts_the_catalog_backs {
    use carbot::config::AiConfig;
    use carbot_schema::chat::assistant::openai;
    use carbot_tests::chat::{CONVERSATION_EVENTS, Live, SITE, Visitor};
    use carbot_tests::serde_json::{Value, json};
    use carbot_tests::{TestApp, TestOptions};
    use diesel::sql_types::{Nullable, Text};

    use super::*;

    /// The count of unbacked answers is one per process: the tests that change or read it take
    /// turns, so that one test's rejection does not show in another's count.
    static COUNTER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    async fn platform_with(model: &MockOpenAi) -> TestApp {
        TestApp::with(TestOptions {
            ai: AiConfig {
                api_key: Some("sk-test-key".parse().expect("infallible")),
                base_url: Some(model.base_url.clone()),
                model: "gpt-test".into(),
                daily_tokens: 100_000,
            },
            ..TestOptions::default()
        })
        .await
    }

    /// A visitor of a workshop with the standard catalog (an oil change is 10–80 €, 15–59 € for
    /// a compact car), and the widget's subscription to the conversation.
    async fn visitor_watching(app: &TestApp, email: &str) -> (Visitor, Live) {
        let owner = app.register(email, "Autohaus Nord").await;
        let (_, key) = app.client_key(&owner, &[SITE]).await;
        let visitor = app.visitor(&key, SITE).await;
        let widget = Live::start(
            &app.url,
            Some(&visitor.token),
            Some(SITE),
            CONVERSATION_EVENTS,
            json!({ "id": visitor.conversation_id, "after": "0" }),
        )
        .await
        .expect("subscription");
        (visitor, widget)
    }

    /// The `REPLY_CHUNK`s the widget received, in order.
    fn streamed(events: &[Value]) -> Vec<&str> {
        events
            .iter()
            .filter(|d| d["conversationEvents"]["kind"] == "REPLY_CHUNK")
            .map(|d| d["conversationEvents"]["chunk"].as_str().expect("chunk"))
            .collect()
    }

    /// (assistant, body) of the stored assistant replies.
    async fn stored_replies(app: &TestApp) -> Vec<(Option<String>, String)> {
        // In scope here only: its `first` would shadow the slices'.
        use diesel_async::RunQueryDsl;

        #[derive(diesel::QueryableByName)]
        struct Reply {
            #[diesel(sql_type = Nullable<Text>)]
            assistant: Option<String>,
            #[diesel(sql_type = Text)]
            body: String,
        }
        let mut conn = app.db().await;
        let replies: Vec<Reply> = diesel::sql_query(
            "SELECT assistant, body FROM messages WHERE role = 'ASSISTANT' ORDER BY created_at",
        )
        .load(&mut conn)
        .await
        .expect("the replies");
        replies.into_iter().map(|r| (r.assistant, r.body)).collect()
    }

    /// `carbot_assistant_unbacked_answers_total` as `/metrics` shows it.
    async fn unbacked_answers_metric(app: &TestApp) -> u64 {
        let metrics = app
            .client
            .get(format!("{}/metrics", app.url))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("text");
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("carbot_assistant_unbacked_answers_total "))
            .unwrap_or_else(|| panic!("the counter is on /metrics: {metrics}"))
            .trim()
            .parse()
            .expect("a count")
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_invented_price_never_reaches_the_visitor_and_the_built_in_answer_replaces_it() {
        let _turn = COUNTER.lock().await;
        let model = MockOpenAi::start(Script::reply([
            "Ein Ölwechsel ",
            "kostet bei uns ",
            "3",
            "7 €",
            " inkl. MwSt.",
        ]))
        .await;
        let app = platform_with(&model).await;
        let (visitor, mut widget) = visitor_watching(&app, "erfunden@autohaus-nord.de").await;
        let before = unbacked_answers_metric(&app).await;

        let (_, body) = app.say(&visitor, "Was kostet ein Ölwechsel?").await;
        let reply = body["data"]["sendMessage"]["reply"]["body"]
            .as_str()
            .unwrap_or_else(|| panic!("a reply: {body}"));
        assert!(reply.contains("Ölwechsel: 10–80 €"), "{reply}");
        assert!(!reply.contains("37"), "{reply}");
        assert_eq!(
            stored_replies(&app).await,
            [(Some("builtin".to_owned()), reply.to_owned())]
        );

        let events = widget
            .collect_until(|d| d["conversationEvents"]["message"]["role"] == "ASSISTANT")
            .await;
        let streamed = streamed(&events);
        assert_eq!(
            streamed.first(),
            Some(&"Ein Ölwechsel "),
            "the words before the amount streamed live"
        );
        assert!(
            !streamed.concat().contains("37") && !streamed.concat().contains("bei uns 3"),
            "the invented amount never streamed, not even its first digit: {streamed:?}"
        );
        let shown = &events.last().expect("the stored reply")["conversationEvents"]["message"];
        assert_eq!(
            shown["body"], reply,
            "the widget replaces the streamed text with the stored built-in answer"
        );

        assert_eq!(unbacked_answers_metric(&app).await, before + 1);
        assert_eq!(
            model.requests().len(),
            1,
            "a rejected answer is not retried"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn backed_prices_stream_in_small_pieces_and_the_model_answer_stands() {
        let _turn = COUNTER.lock().await;
        let answer = "Ein Ölwechsel kostet bei uns 10–80 €, für Ihren Golf (Kompaktklasse) \
                      15–59 €. Er dauert etwa 30 Minuten.";
        let characters: Vec<char> = answer.chars().collect();
        let pieces: Vec<String> = characters
            .chunks(3)
            .map(|piece| piece.iter().collect())
            .collect();
        assert!(
            pieces.windows(2).any(|pair| {
                pair[0].ends_with(|c: char| c.is_ascii_digit())
                    && pair[1].starts_with(|c: char| c.is_ascii_digit() || c == '–')
            }),
            "the pieces cut amounts: {pieces:?}"
        );
        let model = MockOpenAi::start(Script::reply(pieces)).await;
        let app = platform_with(&model).await;
        let (visitor, mut widget) = visitor_watching(&app, "belegt@autohaus-nord.de").await;
        let before = unbacked_answers_metric(&app).await;

        let (_, body) = app
            .say(&visitor, "Was kostet ein Ölwechsel für meinen Golf?")
            .await;
        assert_eq!(
            body["data"]["sendMessage"]["reply"]["body"], answer,
            "{body}"
        );
        assert_eq!(
            stored_replies(&app).await,
            [(Some("openai".to_owned()), answer.to_owned())]
        );

        let events = widget
            .collect_until(|d| d["conversationEvents"]["message"]["role"] == "ASSISTANT")
            .await;
        let streamed = streamed(&events);
        assert_eq!(streamed.concat(), answer);
        assert!(
            streamed.len() > 10,
            "still streamed in pieces: {streamed:?}"
        );
        assert_eq!(unbacked_answers_metric(&app).await, before);
    }

    #[tokio::test]
    async fn the_model_is_not_read_on_after_an_invented_amount() {
        let _turn = COUNTER.lock().await;
        let before = openai::unbacked_answers();
        let mock = MockOpenAi::start(Script::reply([
            "Ein Ölwechsel ",
            "kostet 4",
            "5 €",
            " bei uns.",
        ]))
        .await;
        let assistant = OpenAiAssistant::new(config(&mock));

        let asked = ask(&assistant, &[], "Was kostet ein Ölwechsel?").await;

        assert_eq!(
            asked.result,
            Err(AssistantError::UnbackedAmount("45.00 EUR".to_owned()))
        );
        assert_eq!(texts(&asked), ["Ein Ölwechsel ", "kostet "]);
        assert_eq!(mock.requests().len(), 1, "no retry");
        assert_eq!(openai::unbacked_answers(), before + 1);
    }
}
