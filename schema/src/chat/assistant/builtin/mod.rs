//! The built-in assistant: answers price questions from the workshop's catalog, opening hours,
//! contact details and appointment wishes from its profile, in German, English, Turkish and
//! Polish, without any outside service. What it cannot answer for sure it says so and offers the
//! request form. Which services a message means is decided before (see
//! [`super::matching`] and [`super::memory`]); this module words the answer.

use tokio::sync::mpsc;

use super::matching::Query;
use super::vehicle::Vehicle;
use super::{Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker};
use crate::locale::Locale as Lang;
use format::{
    appointment, contact, durations, greeting, hello, no_price, plan_inactive, prices, small_talk,
    unknown, vehicle_noted, you_are_welcome,
};
use hours::opening_hours;

pub(crate) use format::format_price;
pub(crate) use hours::{local_time, week_summary};
pub use intents::{Intent, detect_intents, question_intent};

/// Answers from the workshop's own data; the default assistant and the fallback for the model.
#[derive(Debug, Default, Clone, Copy)]
pub struct CatalogAssistant;

#[async_trait::async_trait]
impl Assistant for CatalogAssistant {
    fn kind(&self) -> &'static str {
        "builtin"
    }

    async fn answer(
        &self,
        question: &Question<'_>,
        chunks: &mpsc::UnboundedSender<String>,
    ) -> Result<Answer, AssistantError> {
        let answer = compose(question);
        stream_words(&answer.body, chunks);
        Ok(answer)
    }
}

/// The answer to `question`, at once (the streaming trait method sends it in chunks).
pub fn answer_now(question: &Question<'_>) -> Answer {
    compose(question)
}

/// How an answer in `lang` names a vehicle class ("Kompaktklasse", "compact car").
pub fn class_name(lang: Lang, class: crate::catalog::VehicleClass) -> &'static str {
    format::class_label(lang, class)
}

/// What the visitor sees when the workshop's plan has lapsed: no answers, but the request form.
pub fn plan_inactive_answer(lang: Lang) -> Answer {
    Answer {
        body: plan_inactive(lang).to_owned(),
        cited: vec![],
        tokens: 0,
        offer_lead_form: true,
    }
}

/// Sends `body` in groups of a few words, as a model would stream it.
fn stream_words(body: &str, chunks: &mpsc::UnboundedSender<String>) {
    const WORDS_PER_CHUNK: usize = 4;
    let mut group = String::new();
    for (index, piece) in body.split_inclusive(char::is_whitespace).enumerate() {
        group.push_str(piece);
        if (index + 1) % WORDS_PER_CHUNK == 0 {
            // Nobody listening (the visitor left) is no reason to fail the answer.
            let _ = chunks.send(std::mem::take(&mut group));
        }
    }
    if !group.is_empty() {
        let _ = chunks.send(group);
    }
}

mod format;
mod hours;
mod intents;
#[cfg(test)]
mod tests;

/// The intents to answer: those the message names; a price question when it names a service of
/// the catalog or follows up on one ("und für einen SUV?", "und hinten?").
fn intents_of(question: &Question<'_>) -> Vec<Intent> {
    let mut intents = detect_intents(question.text);
    let asks_something = intents
        .iter()
        .any(|i| !matches!(i, Intent::Greeting | Intent::Thanks));
    // "TÜV-Termin für den Passat": a service named with an appointment wish gets its price.
    let names_a_service = !question.catalog.is_empty() && !question.memory.follow_up;
    let wants_it_priced =
        !asks_something || (names_a_service && intents.contains(&Intent::Appointment));
    // "Und eine Lackierung?" after a price question asks for a price too, found or not.
    let follows_a_price_question = intents.is_empty()
        && Query::of(question.text).is_topical()
        && question
            .history
            .iter()
            .rev()
            .find(|t| t.speaker == Speaker::Visitor)
            .is_some_and(|t| detect_intents(&t.text).contains(&Intent::Price));
    let priced = wants_it_priced && !question.catalog.is_empty();
    if (priced || follows_a_price_question) && !intents.contains(&Intent::Price) {
        intents.push(Intent::Price);
        intents.sort();
    }
    intents
}

fn compose(question: &Question<'_>) -> Answer {
    let lang = question.locale;
    let facts = question.workshop;
    let entries: Vec<&CatalogEntry> = question.catalog.iter().collect();
    let intents = intents_of(question);
    let wants = |intent| intents.contains(&intent);
    let asks = intents.iter().any(|i| {
        matches!(
            i,
            Intent::Price
                | Intent::Duration
                | Intent::OpeningHours
                | Intent::Appointment
                | Intent::Contact
        )
    });
    // "Ich fahre einen Golf 7": noted, and asked what to help with.
    let vehicle_named = Vehicle::in_text(question.text)
        .filter(|v| v.make.is_some() || v.vehicle_class.is_some() || v.hsn.is_some())
        .and(question.memory.vehicle.as_ref())
        .filter(|_| !asks && !wants(Intent::SmallTalk));

    let mut paragraphs = Vec::new();
    let mut cited = Vec::new();
    let mut offer_lead_form = false;

    if wants(Intent::Greeting) {
        paragraphs.push(
            if asks || wants(Intent::SmallTalk) || vehicle_named.is_some() {
                hello(lang).to_owned()
            } else {
                greeting(lang, facts)
            },
        );
    }
    if wants(Intent::SmallTalk) {
        paragraphs.push(small_talk(lang, facts));
    }
    if let Some(vehicle) = vehicle_named {
        paragraphs.push(vehicle_noted(lang, vehicle));
    }
    if wants(Intent::Price) {
        if entries.is_empty() {
            paragraphs.push(no_price(lang));
            offer_lead_form = true;
        } else {
            let class = question
                .memory
                .vehicle
                .as_ref()
                .and_then(|v| v.vehicle_class);
            paragraphs.push(prices(lang, &entries, class));
            cited.extend(entries.iter().map(|e| e.id));
        }
    } else if wants(Intent::Duration) && !entries.is_empty() {
        // "Wie lange dauert das?": the service again, with its duration and price.
        let class = question
            .memory
            .vehicle
            .as_ref()
            .and_then(|v| v.vehicle_class);
        if entries
            .iter()
            .all(|e| e.duration_minutes.is_some_and(|m| m > 0))
        {
            paragraphs.push(prices(lang, &entries, class));
        } else {
            paragraphs.push(durations(lang, &entries));
            paragraphs.push(prices(lang, &entries, class));
        }
        cited.extend(entries.iter().map(|e| e.id));
    }
    if wants(Intent::OpeningHours) {
        let (text, known) = opening_hours(lang, question);
        paragraphs.push(text);
        offer_lead_form |= !known;
    }
    if wants(Intent::Appointment) {
        paragraphs.push(appointment(lang, facts, !wants(Intent::OpeningHours)));
        offer_lead_form = true;
    }
    if wants(Intent::Contact) {
        let (text, known) = contact(lang, facts);
        paragraphs.push(text);
        offer_lead_form |= !known;
    }
    if wants(Intent::Thanks) && !asks {
        paragraphs.push(you_are_welcome(lang).to_owned());
    }
    if paragraphs.is_empty() {
        paragraphs.push(unknown(lang));
        offer_lead_form = true;
    }

    Answer {
        body: paragraphs.join("\n\n"),
        cited,
        tokens: 0,
        offer_lead_form,
    }
}
