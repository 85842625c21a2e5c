//! The built-in assistant: answers price questions from the workshop's catalog, opening hours,
//! contact details and appointment wishes from its profile, in German or English, without any
//! outside service. What it cannot answer for sure it says so and offers the request form.

use tokio::sync::mpsc;

use super::{Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker};
use crate::accounts::workshop::Locale;
use crate::catalog::{VehicleClass, vehicle_class_in};
use format::{appointment, contact, greeting, no_price, prices, small_talk, unknown};
use hours::opening_hours;
use intents::{content_words, mentions};

pub(crate) use format::format_price;
pub(crate) use hours::{local_time, week_summary};
pub use intents::{Intent, detect_intents};

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

/// The visitor's earlier messages, newest first, without the current one should the history
/// already hold it.
fn earlier_visitor_messages<'a>(question: &'a Question<'_>) -> impl Iterator<Item = &'a str> {
    let mut turns = question
        .history
        .iter()
        .rev()
        .filter(|t| t.speaker == Speaker::Visitor)
        .map(|t| t.text.as_str())
        .peekable();
    if turns.peek() == Some(&question.text) {
        turns.next();
    }
    turns
}

/// The vehicle class named in the message or, failing that, in the visitor's latest earlier
/// message that names one.
fn vehicle_class_of(question: &Question<'_>) -> Option<VehicleClass> {
    vehicle_class_in(question.text)
        .or_else(|| earlier_visitor_messages(question).find_map(vehicle_class_in))
}

const MAX_QUOTED: usize = 3;

/// The catalog entries worth quoting: close to the best search score and about the service the
/// visitor means (the words of this message, or of the previous one when this one is a bare
/// follow-up like "und für einen Passat?").
fn relevant_entries<'a>(question: &Question<'a>) -> Vec<&'a CatalogEntry> {
    let catalog: &'a [CatalogEntry] = question.catalog;
    let Some(best) = catalog.iter().map(|e| e.score).reduce(f32::max) else {
        return Vec::new();
    };
    let mut content = content_words(question.text);
    if content.is_empty()
        && let Some(previous) = earlier_visitor_messages(question).next()
    {
        content = content_words(previous);
    }
    if content.is_empty() {
        return Vec::new();
    }
    catalog
        .iter()
        .filter(|e| e.score >= best * 0.5)
        .filter(|e| mentions(e, &content))
        .take(MAX_QUOTED)
        .collect()
}

/// The intents to answer: those the message names, or a price question when the message names
/// a service of the catalog or follows up on a price question ("und für einen Passat?").
fn intents_of(question: &Question<'_>, relevant: &[&CatalogEntry]) -> Vec<Intent> {
    let mut intents = detect_intents(question.text);
    let asks_something = intents
        .iter()
        .any(|i| !matches!(i, Intent::Greeting | Intent::Thanks));
    if asks_something {
        return intents;
    }
    let names_a_service = !content_words(question.text).is_empty();
    let follows_a_price_question = intents.is_empty()
        && (names_a_service || vehicle_class_in(question.text).is_some())
        && earlier_visitor_messages(question)
            .next()
            .is_some_and(|previous| detect_intents(previous).contains(&Intent::Price));
    if (names_a_service && !relevant.is_empty()) || follows_a_price_question {
        intents.push(Intent::Price);
        intents.sort();
    }
    intents
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    De,
    En,
}

/// German and English are written out; Turkish and Polish visitors get the English text.
fn lang(locale: Locale) -> Lang {
    match locale {
        Locale::De => Lang::De,
        Locale::En | Locale::Tr | Locale::Pl => Lang::En,
    }
}

fn compose(question: &Question<'_>) -> Answer {
    let lang = lang(question.locale);
    let facts = question.workshop;
    let relevant = relevant_entries(question);
    let intents = intents_of(question, &relevant);
    let wants = |intent| intents.contains(&intent);
    let asks = intents.iter().any(|i| {
        matches!(
            i,
            Intent::Price | Intent::OpeningHours | Intent::Appointment | Intent::Contact
        )
    });

    let mut paragraphs = Vec::new();
    let mut cited = Vec::new();
    let mut offer_lead_form = false;

    if wants(Intent::Greeting) {
        paragraphs.push(if asks || wants(Intent::SmallTalk) {
            match lang {
                Lang::De => "Hallo!".to_owned(),
                Lang::En => "Hello!".to_owned(),
            }
        } else {
            greeting(lang, facts)
        });
    }
    if wants(Intent::SmallTalk) {
        paragraphs.push(small_talk(lang, facts));
    }
    if wants(Intent::Price) {
        if relevant.is_empty() {
            paragraphs.push(no_price(lang));
            offer_lead_form = true;
        } else {
            let class = vehicle_class_of(question);
            paragraphs.push(prices(lang, &relevant, class));
            cited.extend(relevant.iter().map(|e| e.id));
        }
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
        paragraphs.push(match lang {
            Lang::De => {
                "Gern geschehen! Melden Sie sich jederzeit, wenn Sie noch Fragen haben.".to_owned()
            }
            Lang::En => "You're welcome! Just ask if there is anything else.".to_owned(),
        });
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
