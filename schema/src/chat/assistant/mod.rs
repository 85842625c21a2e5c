//! The assistant that answers visitors: one trait, two implementations.
//!
//! [`builtin::CatalogAssistant`] (the default) answers from the workshop's catalog, opening hours
//! and contact details without any outside service. [`openai::OpenAiAssistant`] asks an
//! OpenAI-compatible chat-completions endpoint, grounded in the same catalog entries. The chat
//! module picks one, runs the catalog search, stores the answer and falls back to the built-in
//! assistant when the model fails.

pub mod builtin;
pub mod openai;

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
    pub category: String,
    pub description: String,
    pub min_cents: i32,
    pub max_cents: i32,
    /// Prices for particular vehicle classes, within `min_cents..=max_cents`.
    pub vehicle_prices: Vec<(VehicleClass, i32, i32)>,
    pub duration_minutes: Option<i32>,
    /// Search relevance, higher is better; comparable only within one question (the first
    /// entry is the best). Loosely related entries score far below the best one.
    pub score: f32,
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
}

/// Everything one answer may draw on.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub workshop: &'a WorkshopFacts,
    /// The conversation's language (the widget's locale).
    pub locale: Locale,
    /// Earlier messages, oldest first (at most the last 20).
    pub history: &'a [Turn],
    /// The visitor's new message.
    pub text: &'a str,
    /// Catalog search results for the message (and, when the message found nothing, for the
    /// visitor's previous message), best first, at most 5. May be empty or only loosely related:
    /// the assistant decides what is relevant.
    pub catalog: &'a [CatalogEntry],
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
