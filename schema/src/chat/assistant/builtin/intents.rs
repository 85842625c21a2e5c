//! What a visitor's message asks for, in German, English, Turkish and Polish.

use super::hours::day_asked;
use crate::catalog::text::{has_any, words};
use crate::facts::QuestionIntent;

/// What a visitor's message asks for; one message may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Intent {
    Greeting,
    SmallTalk,
    Price,
    /// How long a service takes.
    Duration,
    OpeningHours,
    Appointment,
    Contact,
    Thanks,
}

// Patterns are `|`-separated; words of a pattern must follow each other, and a word ending in
// `*` matches any word it begins. The words are folded like the visitor's ("ö" → "oe").

pub(super) const GREETING: &str = "\
    hallo*|hello|hi|hey|moin*|servus|huhu|tach|guten tag|guten morgen|guten abend|gruess gott|\
    gruss gott|gruezi|good morning|good afternoon|good evening|merhaba|selam*|iyi gunler|\
    gunaydin|iyi aksamlar|dzien dobry|czesc|witam|siema|dobry wieczor";

pub(super) const SMALL_TALK: &str = "\
    wie gehts|wie geht s|wie geht es dir|wie geht es ihnen|wie geht es euch|wie laeufts|\
    wer bist du|bist du ein*|how are you|how s it going|how is it going|who are you|\
    are you a bot|are you human|nasilsin*|naber|kimsin|bot musun|jak sie masz|kim jestes|\
    czy jestes bot*";

pub(super) const PRICE: &str = "\
    kostet*|kosten*|koste|teuer*|preis*|guenstig*|billig*|wieviel|wie viel|euro|was nehmt|\
    was nimmt|was verlangt|was muss ich zahlen|how much|price*|pricing|cost*|quote|\
    expensive|cheap*|fiyat*|ucret*|masraf*|tutar*|kac para|kac lira|kac tl|kaca|\
    ne tutar|ne kadar tutar|ne kadara|kosztuj*|koszt*|cena|ceny|cene|cennik*|ile za|za ile|\
    ile bedzie|ile wynosi|ile place|ile zaplace|drogo|tanio";

pub(super) const OPENING_HOURS: &str = "\
    oeffnungszeit*|geoeffnet|oeffnet|offen|aufhaben|habt ihr auf|haben sie auf|bis wann|\
    ab wann|wie lange habt|wie lange haben|schliesst|schliessen|open|opening*|hours|closed|\
    closing|close at|acik*|kacta|calisma saat*|mesai|kapali*|kapan*|otwar*|godzin*|czynne|\
    zamkni*|do ktorej|od ktorej";

pub(super) const APPOINTMENT: &str = "\
    termin*|vorbeikommen|vorbei kommen|vorbeibringen|vorbei bringen|vorbeischauen|\
    reinkommen|vorbeifahren|wann kann ich|kann ich kommen|kann ich vorbei*|buchen|\
    vereinbar*|appointment*|book*|schedule*|slot*|come in|come by|drop by|drop off|\
    drop it off|bring it in|bring my car|when can i|randevu*|getirebilir*|wizyt*|umowic*|\
    zapis*|kiedy moge";

pub(super) const CONTACT: &str = "\
    telefon*|nummer|handynummer|anrufen|adresse*|anschrift|e mail*|email*|mail*|kontakt*|\
    erreich*|wo seid ihr|wo sind sie|wo finde ich|wo befinde*|wo ist*|wo liegt*|standort*|\
    anfahrt|website|webseite|homepage|internetseite|phone*|number|call|address|contact*|\
    where are you|where is*|where can i find|located|location|reach|directions|adres*|\
    iletisim|nerede*|konum*|numara*|gdzie|numer*|lokalizac*|dojazd";

/// Thanks and plain acknowledgements ("ok", "super"), which need no more than a friendly reply.
pub(super) const THANKS: &str = "\
    danke*|vielen dank|besten dank|dank dir|merci|thank*|thx|cheers|tesekk*|sagol*|\
    eyvallah|tamam|dziek*|dzieki|ok|okay|super|prima|perfekt|perfect|great|alles klar|dobrze";

pub(super) const DURATION: &str = "\
    wie lange|wie lang|dauer*|wie viel zeit|wieviel zeit|zeit brauch*|wie schnell|\
    how long|duration|how much time|take long|ne kadar surer|surer|suresi|surecek|kac saat|\
    kac dakika|kac gun|ne zaman biter|jak dlugo|ile trwa|ile czasu|czas trwania";

/// What a question asked for, as analytics count it: a price, a duration, an appointment, the
/// opening hours or the contact, in that order; otherwise a question about a service when the
/// catalog answered it, a greeting when that is all it was, or something else.
pub fn question_intent(text: &str, matched: bool) -> QuestionIntent {
    let intents = detect_intents(text);
    let asked = [
        (Intent::Price, QuestionIntent::Price),
        (Intent::Duration, QuestionIntent::Duration),
        (Intent::Appointment, QuestionIntent::Appointment),
        (Intent::OpeningHours, QuestionIntent::OpeningHours),
        (Intent::Contact, QuestionIntent::Contact),
    ];
    if let Some((_, intent)) = asked.iter().find(|(i, _)| intents.contains(i)) {
        *intent
    } else if matched {
        QuestionIntent::Service
    } else if !intents.is_empty() {
        QuestionIntent::Greeting
    } else {
        QuestionIntent::Other
    }
}

/// The intents of a message, in a fixed order (greeting first).
pub fn detect_intents(text: &str) -> Vec<Intent> {
    let words = words(text);
    let mut intents = Vec::new();
    let rules = [
        (Intent::Greeting, GREETING),
        (Intent::SmallTalk, SMALL_TALK),
        (Intent::Price, PRICE),
        (Intent::Duration, DURATION),
        (Intent::OpeningHours, OPENING_HOURS),
        (Intent::Appointment, APPOINTMENT),
        (Intent::Contact, CONTACT),
        (Intent::Thanks, THANKS),
    ];
    for (intent, patterns) in rules {
        if has_any(&words, patterns) {
            intents.push(intent);
        }
    }
    // Turkish "ne kadar" asks how much, or with "sürer" how long; Polish "ile" likewise.
    let asks_how_much = has_any(&words, "ne kadar|ile kosztuj*|ile to|ile by*|ile kosztowa*")
        || words.first().is_some_and(|w| w == "ile");
    if asks_how_much && !intents.contains(&Intent::Duration) && !intents.contains(&Intent::Price) {
        intents.push(Intent::Price);
    }
    if text.contains('€') && !intents.contains(&Intent::Price) {
        intents.push(Intent::Price);
    }
    // "Wie lange habt ihr offen?" asks for opening hours, "wie lange dauert das?" for a
    // service's duration.
    if intents.contains(&Intent::Duration) && intents.contains(&Intent::OpeningHours) {
        let about_opening = has_any(
            &words,
            "offen|geoeffnet|oeffnungszeit*|auf|open|opening*|acik*|mesai|otwar*|czynne",
        );
        intents.retain(|i| {
            *i != if about_opening {
                Intent::Duration
            } else {
                Intent::OpeningHours
            }
        });
    }
    // "Habt ihr samstags auf?"
    let asks_if_open =
        words.last().is_some_and(|w| w == "auf") && has_any(&words, "habt|haben|hat|seid|ist");
    // "Seid ihr heute da?" – a day on its own asks when the workshop is there.
    let names_a_day = day_asked(&words).is_some()
        && words.len() <= 5
        && !intents.iter().any(|i| {
            matches!(
                i,
                Intent::Price | Intent::Duration | Intent::Appointment | Intent::Contact
            )
        });
    if (asks_if_open || names_a_day) && !intents.contains(&Intent::OpeningHours) {
        intents.push(Intent::OpeningHours);
    }
    intents.sort();
    intents
}
