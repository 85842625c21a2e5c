//! The assistant that answers visitors: one trait, two implementations.
//!
//! [`builtin::CatalogAssistant`] (the default) answers from the workshop's catalog, opening hours
//! and contact details without any outside service. [`openai::OpenAiAssistant`] asks an
//! OpenAI-compatible chat-completions endpoint, grounded in the same catalog entries. Before
//! either answers, [`memory::understand`] reads the message in its conversation: the language
//! ([`language`]), the vehicle ([`vehicle`]) and the services meant ([`matching`]). The chat
//! module picks an assistant, stores the answer and falls back to the built-in assistant when
//! the model fails or quotes an amount the catalog does not back ([`amounts`] finds the money
//! amounts in an answer and checks them). [`evaluation`] measures how often it is right.

pub mod amounts;
pub mod builtin;
pub mod catalog_cache;
pub mod evaluation;
pub mod language;
pub mod matching;
pub mod memory;
pub mod openai;
pub mod vehicle;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::accounts::workshop::{Locale, OpeningHours};
use crate::catalog::VehicleClass;

/// What the assistant may say about the workshop.
#[derive(Debug, Clone, Default)]
pub struct WorkshopFacts {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// One line, e.g. `Hauptstraße 1, 12345 Musterstadt`; `None` when no address is on file.
    pub address: Option<String>,
    pub opening_hours: Vec<OpeningHours>,
    /// IANA time zone of the opening hours, e.g. `Europe/Berlin`.
    pub time_zone: String,
}

/// One service of the catalog as the search found it. Amounts are euro cents, VAT included.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub id: Uuid,
    pub name: String,
    /// Other names customers use, and translations of the name.
    pub aliases: Vec<String>,
    /// The short translation of the name per language, where one is known ("oil change").
    pub translations: Vec<(Locale, String)>,
    pub category: String,
    pub description: String,
    pub min_cents: i32,
    pub max_cents: i32,
    /// Prices for particular vehicle classes, within `min_cents..=max_cents`.
    pub vehicle_prices: Vec<(VehicleClass, i32, i32)>,
    pub duration_minutes: Option<i32>,
}

impl CatalogEntry {
    /// The short translation of the name into `locale`; none for German.
    pub fn translation(&self, locale: Locale) -> Option<&str> {
        self.translations
            .iter()
            .find(|(l, _)| *l == locale && locale != Locale::De)
            .map(|(_, t)| t.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Visitor,
    Assistant,
    Owner,
}

/// An earlier message of the conversation.
#[derive(Debug, Clone)]
pub struct Turn {
    pub speaker: Speaker,
    pub text: String,
    /// The services an assistant's message quoted.
    pub cited: Vec<Uuid>,
}

/// Everything one answer may draw on.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub workshop: &'a WorkshopFacts,
    /// The language to answer in: the message's own, else the conversation's, else the
    /// widget's locale (see [`language::answer_language`]).
    pub locale: Locale,
    /// Earlier messages, oldest first (at most the last 20).
    pub history: &'a [Turn],
    /// The visitor's new message.
    pub text: &'a str,
    /// The services the visitor means (see [`matching`]), best first, at most
    /// [`matching::MAX_CITED`]: all on topic, or empty when the catalog has nothing for it.
    pub catalog: &'a [CatalogEntry],
    /// What the conversation knows, this message included.
    pub memory: &'a memory::Memory,
    pub now: DateTime<Utc>,
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub body: String,
    /// The catalog entries (ids from `Question::catalog`) the answer quotes.
    pub cited: Vec<Uuid>,
    /// Model tokens spent (prompt + completion); 0 for the built-in assistant.
    pub tokens: u32,
    /// True when the assistant could not help and suggests leaving a request (the lead form).
    pub offer_lead_form: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AssistantError {
    #[error("the model did not answer in time")]
    Timeout,
    #[error("the model failed: {0}")]
    Upstream(String),
    /// The model wrote an amount (e.g. `37.00 EUR`) that none of the catalog entries it was
    /// given backs; the answer stopped before that amount reached the visitor.
    #[error("the model quoted an amount the catalog does not back: {0}")]
    UnbackedAmount(String),
}

/// Answers one visitor message. Implementations stream the text as it is produced through
/// `chunks` (the concatenated chunks equal `Answer::body`); they may send nothing and return the
/// whole body at once.
#[async_trait::async_trait]
pub trait Assistant: Send + Sync + std::fmt::Debug {
    /// `builtin` or `openai`, for logs and metrics.
    fn kind(&self) -> &'static str;
    async fn answer(
        &self,
        question: &Question<'_>,
        chunks: &mpsc::UnboundedSender<String>,
    ) -> Result<Answer, AssistantError>;
}
