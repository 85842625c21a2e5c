//! The model-backed assistant: the workshop's facts and the catalog entries the search found go
//! into a system prompt with strict rules, and the answer streams back from an OpenAI-compatible
//! chat-completions endpoint. Deadlines and retries keep a slow or failing model from leaving a
//! visitor waiting; the chat module falls back to the built-in assistant on any error. The
//! answer streams through an [`AmountGate`], so an amount the catalog does not back never
//! reaches the visitor: the answer stops there and the built-in assistant answers instead.

use std::fmt;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    ChatCompletionStreamOptions, CreateChatCompletionRequest, CreateChatCompletionStreamResponse,
};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::amounts::{AmountGate, Unbacked};
use super::builtin::{self, Intent};
use super::vehicle::Vehicle;
use super::{Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker};
use crate::accounts::workshop::Locale;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Model answers dropped for an amount the catalog does not back since the process started,
/// for `/metrics` (`carbot_assistant_unbacked_answers_total`): a rising count means the model
/// ignores the prompt's price rules, or a catalog lacks prices the model is asked about.
static UNBACKED_ANSWERS: AtomicU64 = AtomicU64::new(0);

pub fn unbacked_answers() -> u64 {
    UNBACKED_ANSWERS.load(Ordering::Relaxed)
}

/// Longest answer the model may write; a chat answer needs far less.
const MAX_COMPLETION_TOKENS: u32 = 600;

/// How to reach the model. The API key never shows in `Debug` output, logs or errors.
#[derive(Clone)]
pub struct OpenAiConfig {
    pub api_key: String,
    /// An OpenAI-compatible API base ending in `/v1`; `None` for OpenAI itself.
    pub base_url: Option<String>,
    pub model: String,
    /// Time until the first word of the answer; a slower attempt is abandoned and retried.
    pub first_token_timeout: Duration,
    /// Time for the whole answer, retries included.
    pub total_timeout: Duration,
    /// Attempts after a failed one (429, 5xx, network, no first word in time), made only while
    /// nothing has been streamed to the visitor yet.
    pub max_retries: u32,
}

impl OpenAiConfig {
    /// OpenAI's `gpt-4o-mini` with 10 s to the first word, 30 s in all and 2 retries.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            base_url: None,
            model: DEFAULT_MODEL.to_owned(),
            first_token_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_retries: 2,
        }
    }
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("first_token_timeout", &self.first_token_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

/// Answers through an OpenAI-compatible chat-completions endpoint, grounded in the catalog.
pub struct OpenAiAssistant {
    client: Client<OpenAIConfig>,
    /// Kept only to scrub it from error messages that might echo it.
    api_key: String,
    base_url: String,
    model: String,
    first_token_timeout: Duration,
    total_timeout: Duration,
    max_retries: u32,
}

impl fmt::Debug for OpenAiAssistant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiAssistant")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("first_token_timeout", &self.first_token_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl OpenAiAssistant {
    pub fn new(config: OpenAiConfig) -> Self {
        let api_key = config.api_key.trim().to_owned();
        let base_url = config
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/')
            .to_owned();
        let client = Client::with_config(
            OpenAIConfig::new()
                .with_api_key(api_key.clone())
                .with_api_base(base_url.clone()),
        )
        // The client's own retry layer would retry 429 and 5xx behind our back, beyond our
        // deadlines and retry budget; the plain transport leaves both to `answer`.
        .with_http_service(ReqwestService::default());
        Self {
            client,
            api_key,
            base_url,
            model: config.model,
            first_token_timeout: config.first_token_timeout,
            total_timeout: config.total_timeout,
            max_retries: config.max_retries,
        }
    }

    /// Replaces the API key in a message that might echo it (some servers quote a wrong key).
    fn scrub(&self, message: &str) -> String {
        if self.api_key.len() < 8 {
            return message.to_owned();
        }
        message.replace(&self.api_key, "[redacted]")
    }

    /// Streams one answer, trying again while nothing has reached the visitor. An answer with
    /// an amount the catalog does not back is not tried again: the model had the same price list
    /// the first time, and the built-in assistant quotes it for sure.
    async fn stream_with_retries(
        &self,
        request: &CreateChatCompletionRequest,
        catalog: &[CatalogEntry],
        chunks: &mpsc::UnboundedSender<String>,
    ) -> Result<Streamed, AssistantError> {
        let mut retries = 0;
        loop {
            let failure = match self.attempt(request, catalog, chunks).await {
                Ok(streamed) => return Ok(streamed),
                Err(failure) => failure,
            };
            let (reason, retryable, error) = match failure {
                Failure::Unbacked(Unbacked(amount)) => {
                    UNBACKED_ANSWERS.fetch_add(1, Ordering::Relaxed);
                    // The amount and the size of the price list only: the answer may quote the
                    // visitor.
                    tracing::warn!(
                        model = %self.model,
                        %amount,
                        catalog_entries = catalog.len(),
                        "the model quoted an amount the catalog does not back; its answer is dropped"
                    );
                    return Err(AssistantError::UnbackedAmount(amount.to_string()));
                }
                Failure::Slow => (
                    "no first token in time".to_owned(),
                    true,
                    AssistantError::Timeout,
                ),
                Failure::Retryable(reason) => {
                    let reason = self.scrub(&reason);
                    (reason.clone(), true, AssistantError::Upstream(reason))
                }
                Failure::Fatal(reason) => {
                    let reason = self.scrub(&reason);
                    (reason.clone(), false, AssistantError::Upstream(reason))
                }
            };
            if !retryable || retries >= self.max_retries {
                tracing::warn!(model = %self.model, retries, %reason, "the model failed");
                return Err(error);
            }
            retries += 1;
            tracing::info!(model = %self.model, retries, %reason, "retrying the model");
            tokio::time::sleep(backoff(retries)).await;
        }
    }

    /// One request: waits at most `first_token_timeout` for the first word, then streams the
    /// rest through an amount gate for `catalog`, so that only checked text reaches the visitor.
    /// Fails retryably only before anything was streamed.
    async fn attempt(
        &self,
        request: &CreateChatCompletionRequest,
        catalog: &[CatalogEntry],
        chunks: &mpsc::UnboundedSender<String>,
    ) -> Result<Streamed, Failure> {
        let first_word = async {
            let mut stream = self
                .client
                .chat()
                .create_stream(request.clone())
                .await
                .map_err(|e| before_first_word(&e))?;
            let mut usage = None;
            while let Some(event) = stream.next().await {
                let chunk = event.map_err(|e| before_first_word(&e))?;
                usage = chunk.usage.as_ref().map(|u| u.total_tokens).or(usage);
                let text = content_of(&chunk);
                if !text.is_empty() {
                    return Ok((stream, text, usage));
                }
            }
            Err(Failure::Fatal("the model sent no text".to_owned()))
        };
        let (mut stream, first, mut usage) =
            match tokio::time::timeout(self.first_token_timeout, first_word).await {
                Ok(result) => result?,
                Err(_) => return Err(Failure::Slow),
            };

        let mut gate = AmountGate::new(catalog);
        forward(gate.push(&first), chunks)?;
        let mut text = first;
        while let Some(event) = stream.next().await {
            let chunk = event
                .map_err(|e| Failure::Fatal(format!("the answer broke off: {}", short(&e))))?;
            usage = chunk.usage.as_ref().map(|u| u.total_tokens).or(usage);
            let delta = content_of(&chunk);
            if !delta.is_empty() {
                // Dropping the stream on an unbacked amount stops reading the answer.
                forward(gate.push(&delta), chunks)?;
                text.push_str(&delta);
            }
        }
        forward(gate.finish(), chunks)?;
        Ok(Streamed {
            text,
            total_tokens: usage,
        })
    }
}

#[async_trait::async_trait]
impl Assistant for OpenAiAssistant {
    fn kind(&self) -> &'static str {
        "openai"
    }

    async fn answer(
        &self,
        question: &Question<'_>,
        chunks: &mpsc::UnboundedSender<String>,
    ) -> Result<Answer, AssistantError> {
        // The HTTP client panics on a key that is no valid header value (a stray newline, say).
        if !self.api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AssistantError::Upstream(
                "the OpenAI API key contains characters an HTTP header cannot carry".to_owned(),
            ));
        }
        let prompt = Prompt::new(question);
        let request = CreateChatCompletionRequest {
            model: self.model.clone(),
            messages: prompt.messages,
            stream: Some(true),
            stream_options: Some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            max_completion_tokens: Some(MAX_COMPLETION_TOKENS),
            ..CreateChatCompletionRequest::default()
        };
        let streamed = tokio::time::timeout(
            self.total_timeout,
            self.stream_with_retries(&request, question.catalog, chunks),
        )
        .await
        .map_err(|_| {
            tracing::warn!(model = %self.model, "the model did not finish in time");
            AssistantError::Timeout
        })??;

        let cited = cited(question.catalog, &streamed.text);
        let asks_price = builtin::detect_intents(question.text).contains(&Intent::Price);
        let answer_chars = streamed.text.chars().count();
        Ok(Answer {
            tokens: streamed
                .total_tokens
                .unwrap_or_else(|| estimate_tokens(prompt.chars + answer_chars)),
            offer_lead_form: cited.is_empty() && asks_price,
            cited,
            body: streamed.text,
        })
    }
}

struct Streamed {
    text: String,
    /// `usage.total_tokens` of the final chunk, when the server sent one.
    total_tokens: Option<u32>,
}

/// Why an attempt failed.
enum Failure {
    /// No first word within `first_token_timeout`.
    Slow,
    /// Rate limited, a server or network error: worth another attempt.
    Retryable(String),
    Fatal(String),
    /// The answer quoted an amount the catalog does not back.
    Unbacked(Unbacked),
}

/// Sends the text the gate released (if any) on to the visitor.
fn forward(
    released: Result<String, Unbacked>,
    chunks: &mpsc::UnboundedSender<String>,
) -> Result<(), Failure> {
    let released = released.map_err(Failure::Unbacked)?;
    if !released.is_empty() {
        // A visitor who left is no reason to stop: the answer is still stored.
        let _ = chunks.send(released);
    }
    Ok(())
}

fn before_first_word(error: &OpenAIError) -> Failure {
    match error {
        OpenAIError::ApiError(response) => {
            let status = response.status_code;
            let api_error = &response.api_error;
            let out_of_quota = [api_error.r#type.as_deref(), api_error.code.as_deref()]
                .contains(&Some("insufficient_quota"));
            let reason = format!("HTTP {}: {}", status.as_u16(), clip(&api_error.message));
            if (status.as_u16() == 429 && !out_of_quota) || status.is_server_error() {
                Failure::Retryable(reason)
            } else {
                Failure::Fatal(reason)
            }
        }
        OpenAIError::Reqwest(e) if e.is_builder() => Failure::Fatal(short(error)),
        OpenAIError::Reqwest(_) | OpenAIError::StreamError(_) => Failure::Retryable(short(error)),
        _ => Failure::Fatal(short(error)),
    }
}

fn short(error: &OpenAIError) -> String {
    clip(&error.to_string())
}

/// The first 300 characters: servers may answer errors with whole HTML pages.
fn clip(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    match text.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn backoff(retry: u32) -> Duration {
    Duration::from_millis(100 * 2_u64.pow(retry.saturating_sub(1).min(3)))
}

fn content_of(chunk: &CreateChatCompletionStreamResponse) -> String {
    chunk
        .choices
        .iter()
        .filter(|choice| choice.index == 0)
        .filter_map(|choice| choice.delta.content.as_deref())
        .collect()
}

/// About four characters make a token in German and English text.
fn estimate_tokens(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX)
}

/// The entries whose name the answer mentions (ignoring case). A name met only inside a longer
/// cited name ("Ölwechsel" in "Ölwechsel mit Ölfilter") does not count.
fn cited(catalog: &[CatalogEntry], body: &str) -> Vec<Uuid> {
    let body = body.to_lowercase();
    let mut by_length: Vec<(usize, String)> = catalog
        .iter()
        .enumerate()
        .map(|(index, entry)| (index, entry.name.trim().to_lowercase()))
        .filter(|(_, name)| !name.is_empty())
        .collect();
    by_length.sort_by_key(|(_, name)| std::cmp::Reverse(name.len()));
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    let mut cited_indices = Vec::new();
    for (index, name) in by_length {
        let free: Vec<(usize, usize)> = body
            .match_indices(&name)
            .map(|(start, _)| (start, start + name.len()))
            .filter(|(start, end)| !claimed.iter().any(|(s, e)| start < e && s < end))
            .collect();
        if !free.is_empty() {
            claimed.extend(free);
            cited_indices.push(index);
        }
    }
    cited_indices.sort_unstable();
    cited_indices.dedup_by_key(|index| catalog[*index].id);
    cited_indices.into_iter().map(|i| catalog[i].id).collect()
}

/// The messages sent to the model and their length, for estimating tokens.
struct Prompt {
    messages: Vec<ChatCompletionRequestMessage>,
    chars: usize,
}

impl Prompt {
    fn new(question: &Question<'_>) -> Self {
        let system = system_prompt(question);
        let mut chars = system.chars().count();
        let mut messages: Vec<ChatCompletionRequestMessage> =
            vec![ChatCompletionRequestSystemMessage::from(system).into()];
        for turn in question.history {
            chars += turn.text.chars().count();
            messages.push(match turn.speaker {
                Speaker::Visitor => {
                    ChatCompletionRequestUserMessage::from(turn.text.as_str()).into()
                }
                Speaker::Assistant | Speaker::Owner => {
                    ChatCompletionRequestAssistantMessage::from(turn.text.as_str()).into()
                }
            });
        }
        chars += question.text.chars().count();
        messages.push(ChatCompletionRequestUserMessage::from(question.text).into());
        Self { messages, chars }
    }
}

fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::De => "German",
        Locale::En => "English",
        Locale::Tr => "Turkish",
        Locale::Pl => "Polish",
    }
}

fn system_prompt(question: &Question<'_>) -> String {
    let facts = question.workshop;
    let language = language_name(question.locale);
    let name = if facts.name.trim().is_empty() {
        "the workshop"
    } else {
        facts.name.trim()
    };
    let on_file = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or("not on file")
            .to_owned()
    };
    let hours = if facts.opening_hours.is_empty() {
        "not on file".to_owned()
    } else {
        builtin::week_summary(Locale::En, &facts.opening_hours)
    };
    let now = builtin::local_time(&facts.time_zone, question.now);

    let mut prompt = format!(
        "You are the chat assistant on the website of the car-repair workshop \"{name}\". You \
         answer visitors' questions about its services, prices, opening hours, appointments \
         and contact details.\n\
         \n\
         Rules:\n\
         - Answer in {language}, the language of this chat; if the visitor writes in another \
         language, answer in theirs.\n\
         - Quote prices only from the price list below, exactly as written there, and always \
         name the service whose price you quote. Never invent, estimate, round, add up or \
         convert prices, and never give a price for a service that is not listed.\n\
         - Write every amount of money exactly as the price list writes it: the same digits, \
         separators and dash, with the € sign. Write no other amounts of money (no totals, \
         discounts, hourly rates, deposits or other currencies) and no price without its € \
         sign: an answer with any other amount is not shown to the visitor.\n\
         - Prices include VAT. Say that the final price depends on the vehicle and the \
         findings, and that a binding quote is available through the request form.\n\
         - When the visitor's car is known and a service has a price for its vehicle class, \
         quote that price and name the class.\n\
         - When you are unsure or the price list has nothing that fits, say so honestly and \
         suggest the request form below the chat. Do not guess.\n\
         - You cannot book appointments: appointments are arranged through the request form \
         or by phone.\n\
         - Use only the facts below about the workshop; if something is not on file, say so.\n\
         - Keep answers short (at most about 120 words), friendly, in plain text.\n\
         - Only talk about the workshop and its services.\n\
         \n\
         Workshop:\n\
         - Name: {name}\n\
         - Phone: {phone}\n\
         - E-mail: {email}\n\
         - Address: {address}\n\
         - Website: {website}\n\
         - Opening hours: {hours} (days not listed are closed)\n\
         - Local date and time now: {now}\n",
        phone = on_file(&facts.phone),
        email = on_file(&facts.email),
        address = on_file(&facts.address),
        website = on_file(&facts.website),
        now = now.format("%A, %Y-%m-%d %H:%M"),
    );

    prompt.push_str(
        "\nPrice list (the services matching the visitor's question, best match first; \
         amounts in euros including VAT):\n",
    );
    if question.catalog.is_empty() {
        prompt.push_str("(nothing matches – do not quote any price)\n");
    }
    for entry in question.catalog {
        let _ = write!(
            prompt,
            "- {} (category: {}): {}",
            entry.name.trim(),
            entry.category.trim(),
            builtin::format_price(question.locale, entry.min_cents, entry.max_cents),
        );
        if !entry.vehicle_prices.is_empty() {
            let by_class: Vec<String> = entry
                .vehicle_prices
                .iter()
                .map(|(class, min, max)| {
                    format!(
                        "{} {}",
                        class.as_str(),
                        builtin::format_price(question.locale, *min, *max)
                    )
                })
                .collect();
            let _ = write!(prompt, "; by vehicle class: {}", by_class.join(", "));
        }
        if let Some(minutes) = entry.duration_minutes.filter(|m| *m > 0) {
            let _ = write!(prompt, "; takes about {minutes} minutes");
        }
        let description = entry.description.trim();
        if !description.is_empty() {
            let _ = write!(prompt, ". {description}");
        }
        prompt.push('\n');
    }
    if question
        .catalog
        .iter()
        .any(|e| !e.vehicle_prices.is_empty())
    {
        prompt.push_str(
            "\nVehicle classes: KLEINWAGEN = small cars (Polo, Corsa, Fiesta, Up, Clio), \
             KOMPAKTKLASSE = compact cars (Golf, Astra, Focus, A3, 1 Series), MITTELKLASSE = \
             mid-size cars (Passat, A4, 3 Series, C-Class, Octavia), SUV (Tiguan, X3, Q5, \
             Sportage), TRANSPORTER = vans (Sprinter, Transit, Crafter), ELEKTRO_HYBRID = \
             electric and hybrid cars (Tesla, ID.3, ID.4, Zoe).\n",
        );
        let visitor_texts = std::iter::once(question.text).chain(
            question
                .history
                .iter()
                .rev()
                .filter(|t| t.speaker == Speaker::Visitor)
                .map(|t| t.text.as_str()),
        );
        if let Some(class) = visitor_texts
            .into_iter()
            .find_map(|text| Vehicle::in_text(text).and_then(|v| v.vehicle_class))
        {
            let _ = writeln!(
                prompt,
                "The visitor's car, as far as known: {}.",
                class.as_str()
            );
        }
    }
    prompt
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::accounts::workshop::{OpeningHours, Weekday};
    use crate::catalog::VehicleClass;
    use crate::chat::assistant::{Turn, WorkshopFacts};

    fn entry(name: &str, min: i32, max: i32) -> CatalogEntry {
        CatalogEntry {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            category: "Inspektion & Wartung".to_owned(),
            description: "Motoröl ablassen und neu befüllen.".to_owned(),
            min_cents: min,
            max_cents: max,
            vehicle_prices: vec![(VehicleClass::Kompaktklasse, 4900, 6900)],
            duration_minutes: Some(30),
            aliases: vec![],
            translations: vec![],
        }
    }

    #[test]
    fn cites_the_entries_the_answer_names() {
        let catalog = [
            entry("Ölwechsel", 3900, 8900),
            entry("Ölwechsel mit Ölfilter", 6900, 18900),
            entry("Klimaservice", 7900, 12900),
        ];
        let ids = |indices: &[usize]| indices.iter().map(|i| catalog[*i].id).collect::<Vec<_>>();
        assert_eq!(
            cited(&catalog, "Ein ÖLWECHSEL MIT ÖLFILTER kostet 69–189 €."),
            ids(&[1])
        );
        assert_eq!(
            cited(
                &catalog,
                "Ölwechsel: 39–89 €, Ölwechsel mit Ölfilter: 69–189 €"
            ),
            ids(&[0, 1])
        );
        assert_eq!(cited(&catalog, "Klimaservice und ölwechsel"), ids(&[0, 2]));
        assert!(cited(&catalog, "Dazu habe ich keinen Preis.").is_empty());
    }

    #[test]
    fn grounds_the_system_prompt_in_facts_and_catalog() {
        let facts = WorkshopFacts {
            name: "Autohaus Nord".to_owned(),
            phone: Some("0421 555 0192".to_owned()),
            opening_hours: vec![OpeningHours {
                weekday: Weekday::Monday,
                opens: "08:00".to_owned(),
                closes: "17:00".to_owned(),
            }],
            time_zone: "Europe/Berlin".to_owned(),
            ..WorkshopFacts::default()
        };
        let catalog = [entry("Ölwechsel", 3900, 8900)];
        let history = [Turn {
            speaker: Speaker::Visitor,
            text: "Ich fahre einen Golf.".to_owned(),
            cited: vec![],
        }];
        let memory = super::super::memory::Memory::default();
        let question = Question {
            workshop: &facts,
            locale: Locale::De,
            history: &history,
            text: "Was kostet ein Ölwechsel?",
            catalog: &catalog,
            memory: &memory,
            now: Utc
                .with_ymd_and_hms(2025, 6, 16, 10, 0, 0)
                .single()
                .expect("a valid time"),
        };
        let prompt = system_prompt(&question);
        for expected in [
            "\"Autohaus Nord\"",
            "Answer in German",
            "Never invent",
            "Write every amount of money exactly as the price list writes it",
            "- Phone: 0421 555 0192",
            "- E-mail: not on file",
            "- Opening hours: Mon 08:00–17:00; Tue–Sun closed",
            "Monday, 2025-06-16 12:00",
            "- Ölwechsel (category: Inspektion & Wartung): 39–89 €; by vehicle class: \
             KOMPAKTKLASSE 49–69 €; takes about 30 minutes. Motoröl ablassen und neu befüllen.",
            "The visitor's car, as far as known: KOMPAKTKLASSE.",
        ] {
            assert!(
                prompt.contains(expected),
                "{expected:?} missing in:\n{prompt}"
            );
        }
        let prompt = Prompt::new(&question);
        assert_eq!(prompt.messages.len(), 3);
    }

    #[test]
    fn keeps_the_key_out_of_debug_output_and_errors() {
        let key = "sk-secret-0123456789";
        let config = OpenAiConfig::new(key);
        assert!(!format!("{config:?}").contains(key));
        let assistant = OpenAiAssistant::new(config);
        assert!(!format!("{assistant:?}").contains(key));
        assert_eq!(
            assistant.scrub(&format!("Incorrect API key provided: {key}.")),
            "Incorrect API key provided: [redacted]."
        );
    }
}
