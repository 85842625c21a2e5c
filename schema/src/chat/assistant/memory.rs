//! What a conversation remembers, read from its messages each time (nothing else to keep in
//! step): the vehicle the visitor named, the service the last answer was about, and the language.
//! A follow-up such as "und für einen SUV?", "und hinten?" or "wie lange dauert das?" is read
//! as being about that service.

use uuid::Uuid;

use super::builtin::{Intent, detect_intents};
use super::language::answer_language;
use super::matching::{CatalogIndex, Query, strength};
use super::vehicle::Vehicle;
use super::{CatalogEntry, Speaker, Turn};
use crate::catalog::text::{has_any, words};
use crate::locale::Locale;

/// What the conversation knows when a message comes in, that message included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// The visitor's vehicle, as far as the conversation tells it.
    pub vehicle: Option<Vehicle>,
    /// The service the last answer that quoted any was about.
    pub topic: Option<Uuid>,
    /// The message refers to that service ("und hinten?") rather than naming one.
    pub follow_up: bool,
}

/// One message understood: the language to answer in, what the conversation knows, and the
/// services meant.
#[derive(Debug, Clone)]
pub struct Understanding {
    pub locale: Locale,
    pub memory: Memory,
    pub entries: Vec<CatalogEntry>,
}

/// Words that open a follow-up: "und …?", "and …?", "peki …?", "a …?".
const FOLLOW_UP_CUES: &str = "und|and|what about|how about|also|peki|ya|bir de|a|i|oraz|co z";

/// Reads `text` in its conversation: `history` holds the earlier messages (oldest first),
/// `widget` is the widget's locale.
pub fn understand(
    index: &CatalogIndex,
    history: &[Turn],
    text: &str,
    widget: Locale,
) -> Understanding {
    let earlier_visitor = history
        .iter()
        .rev()
        .filter(|t| t.speaker == Speaker::Visitor)
        .map(|t| t.text.as_str());
    let locale = answer_language(text, earlier_visitor, widget);
    let said_now = Vehicle::in_text(text);
    let vehicle = history
        .iter()
        .filter(|t| t.speaker == Speaker::Visitor)
        .filter_map(|t| Vehicle::in_text(&t.text))
        .chain(said_now.clone())
        .reduce(Vehicle::updated);
    let topic = history
        .iter()
        .rev()
        .find(|t| t.speaker == Speaker::Assistant && !t.cited.is_empty())
        .and_then(|t| index.entries().find(|e| e.id == t.cited[0]));

    let mut own = Query::of(text);
    own.kind = own.kind.or(vehicle.as_ref().and_then(|v| v.kind));
    let intents = detect_intents(text);
    let asks_about_it = intents.contains(&Intent::Price) || intents.contains(&Intent::Duration);
    // Words of its own that the catalog does not know ("wie lange steht das Auto dann bei
    // euch?") do not make a message a new question.
    // A word of its own the catalog does not know is a new question ("Und eine Lackierung?")
    // unless the message asks how long or names another vehicle.
    let names_nothing = !own.is_topical()
        || (!index.knows_topic(&own)
            && (intents.contains(&Intent::Duration) || said_now.is_some()));
    let (entries, follow_up) = match topic {
        Some(topic)
            if names_nothing && (own.has_terms() || said_now.is_some() || asks_about_it) =>
        {
            (index.select(&own.following(&Query::of(&topic.name))), true)
        }
        Some(topic) if opens_follow_up(text) => {
            // "und wenn der Filter gleich mit gewechselt wird?": a sibling of the service
            // before, when the words fit one; otherwise a question of its own.
            let combined = index.select(&own.clone().following(&Query::of(&topic.name)));
            match combined.first() {
                Some(first) if is_sibling(first, topic) && first.id != topic.id => (
                    combined
                        .into_iter()
                        .filter(|e| is_sibling(e, topic))
                        .collect(),
                    true,
                ),
                _ => (index.select(&own), false),
            }
        }
        _ => (index.select(&own), false),
    };
    Understanding {
        locale,
        memory: Memory {
            vehicle,
            topic: topic.map(|t| t.id),
            follow_up,
        },
        entries: entries.into_iter().cloned().collect(),
    }
}

fn opens_follow_up(text: &str) -> bool {
    let words = words(text);
    // Short messages are follow-ups more often than not ("filtreyle birlikte?").
    words.len() <= 4
        || (words.len() <= 12
            && (1..=2).any(|n| words.len() >= n && has_any(&words[..n], FOLLOW_UP_CUES)))
}

/// Whether two services are variants of one ("Ölwechsel", "Ölwechsel mit Ölfilter"): their
/// names share their first word.
fn is_sibling(a: &CatalogEntry, b: &CatalogEntry) -> bool {
    let (a, b) = (words(&a.name), words(&b.name));
    match (a.first(), b.first()) {
        (Some(x), Some(y)) => strength(x, y) >= 0.9 || strength(y, x) >= 0.9,
        _ => false,
    }
}
