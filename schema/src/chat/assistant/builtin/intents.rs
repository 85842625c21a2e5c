//! What a visitor's message asks for, and which of its words name a service.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::hours::day_asked;
use crate::catalog::is_vehicle_word;
use crate::catalog::text::{has_any, words};
use crate::chat::assistant::CatalogEntry;

/// What a visitor's message asks for; one message may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Intent {
    Greeting,
    SmallTalk,
    Price,
    OpeningHours,
    Appointment,
    Contact,
    Thanks,
}

// Patterns are `|`-separated; words of a pattern must follow each other, and a word ending in
// `*` matches any word it begins. The words are folded like the visitor's ("ö" → "oe").

pub(super) const GREETING: &str = "\
    hallo*|hello|hi|hey|moin*|servus|huhu|tach|guten tag|guten morgen|guten abend|gruess gott|\
    gruss gott|gruezi|good morning|good afternoon|good evening|merhaba|selam*|dzien dobry|\
    czesc|witam";

pub(super) const SMALL_TALK: &str = "\
    wie gehts|wie geht s|wie geht es dir|wie geht es ihnen|wie geht es euch|wie laeufts|\
    wer bist du|bist du ein*|how are you|how s it going|how is it going|who are you|\
    are you a bot|are you human|nasilsin*|jak sie masz";

pub(super) const PRICE: &str = "\
    kostet*|kosten*|koste|teuer*|preis*|guenstig*|billig*|wieviel|wie viel|euro|how much|\
    price*|pricing|cost*|quote|expensive|cheap*|ne kadar|fiyat*|uecret*|kosztuj*|koszt*|\
    cena|ceny|cene|cennik*";

pub(super) const OPENING_HOURS: &str = "\
    oeffnungszeit*|geoeffnet|oeffnet|offen|aufhaben|habt ihr auf|haben sie auf|bis wann|\
    ab wann|wie lange habt|wie lange haben|schliesst|schliessen|open|opening*|hours|closed|\
    closing|close at|acik*|calisma saat*|otwar*|godzin*|czynne";

pub(super) const APPOINTMENT: &str = "\
    termin*|vorbeikommen|vorbei kommen|vorbeibringen|vorbei bringen|vorbeischauen|\
    reinkommen|vorbeifahren|wann kann ich|kann ich kommen|kann ich vorbei*|buchen|\
    vereinbar*|appointment*|book*|schedule*|slot*|come in|come by|drop by|drop off|\
    drop it off|bring it in|bring my car|when can i|randevu*|wizyt*|umowic*";

pub(super) const CONTACT: &str = "\
    telefon*|nummer|handynummer|anrufen|adresse*|anschrift|e mail*|email*|mail*|kontakt*|\
    erreich*|wo seid ihr|wo sind sie|wo finde ich|wo befinde*|wo ist*|wo liegt*|standort*|\
    anfahrt|website|webseite|homepage|internetseite|phone*|number|call|address|contact*|\
    where are you|where is*|where can i find|located|location|reach|directions|adres*|\
    iletisim|nerede*|gdzie|numer*";

/// Thanks and plain acknowledgements ("ok", "super"), which need no more than a friendly reply.
pub(super) const THANKS: &str = "\
    danke*|vielen dank|besten dank|dank dir|merci|thank*|thx|cheers|tesekk*|sagol|dziek*|\
    ok|okay|super|prima|perfekt|perfect|great|alles klar";

/// The intents of a message, in a fixed order (greeting first).
pub fn detect_intents(text: &str) -> Vec<Intent> {
    let words = words(text);
    let mut intents = Vec::new();
    let rules = [
        (Intent::Greeting, GREETING),
        (Intent::SmallTalk, SMALL_TALK),
        (Intent::Price, PRICE),
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
    if text.contains('€') && !intents.contains(&Intent::Price) {
        intents.push(Intent::Price);
    }
    // "Habt ihr samstags auf?"
    let asks_if_open =
        words.last().is_some_and(|w| w == "auf") && has_any(&words, "habt|haben|hat|seid|ist");
    // "Seid ihr heute da?" – a day on its own asks when the workshop is there.
    let names_a_day = day_asked(&words).is_some()
        && !intents
            .iter()
            .any(|i| matches!(i, Intent::Price | Intent::Appointment | Intent::Contact));
    if (asks_if_open || names_a_day) && !intents.contains(&Intent::OpeningHours) {
        intents.push(Intent::OpeningHours);
    }
    intents.sort();
    intents
}

/// Words that say nothing about which service is meant: German, then English.
pub(super) const STOP_WORDS: &str = "\
    der die das den dem des ein eine einen einem einer eines und oder aber mit ohne fuer \
    von vom zum zur bei beim aus nach vor ueber unter wie was wer wann warum welche welcher \
    welches ich sie wir ihr mein meine meinen meinem meiner dein euer eure euch uns ihnen \
    ihre ist sind bin bist seid war hat habe haben habt hatte haette kann koennen koennt \
    kannst moechte moechten will wollen wuerde wuerden mal doch noch schon auch nur sehr \
    etwa ungefaehr circa gerne gern bitte danke hallo moin kostet kosten koste preis preise \
    preisliste teuer guenstig billig viel wieviel euro auto autos wagen fahrzeug fahrzeuge \
    pkw kfz machen macht lassen wechseln wechsel erneuern tauschen austauschen pruefen \
    reparieren reparatur neue neuen neu alte alten brauche braucht benoetige klasse denn \
    dann mir mich dir dich sich wenn dass weil also hier dort jetzt heute morgen termin \
    fahre fahren habe gibt euren eurem bekommen kriegen ganz etwas sowas mache einmal neues \
    neuer inkl bzw sowie laut bis auf super okay prima perfekt klar alles \
    the and but with without for from are was been does did can could would will should you \
    she they your our their this that these those what which who where when how much many \
    price prices cost costs quote please thanks thank hello car cars vehicle get got need \
    needs new old change replace replacement fix repair job work have has any some about \
    charge like want there doing done great fine nice cool ";

pub(super) fn is_stop_word(word: &str) -> bool {
    static SET: LazyLock<HashSet<&str>> = LazyLock::new(|| STOP_WORDS.split_whitespace().collect());
    SET.contains(word)
}

/// Words of `text` that may name a service: no function words, no price words, no car models.
pub(super) fn content_words(text: &str) -> Vec<String> {
    let mut content = Vec::new();
    for word in words(text) {
        if word.len() < 3
            || word.chars().all(|c| c.is_ascii_digit())
            || is_stop_word(&word)
            || is_vehicle_word(&word)
        {
            continue;
        }
        for synonym in synonyms(&word) {
            if !content.contains(&synonym) {
                content.push(synonym);
            }
        }
    }
    content
}

/// English and colloquial words (`word:german,german`) mapped to the words of a German catalog.
pub(super) const GLOSSARY: &str = "\
    oil:oel brake*:brems tyre*:reifen tire*:reifen wheel*:rad,reifen inspection:inspektion \
    battery:batterie clutch:kupplung timing:zahnriemen exhaust:auspuff,abgas aircon:klima \
    conditioning:klima windscreen:scheibe,windschutz windshield:scheibe,windschutz \
    wiper*:wischer alignment:achsvermessung,spur mot:hauptuntersuchung,tuev \
    tuv:hauptuntersuchung,tuev tuev:hauptuntersuchung spark:zuendkerze coolant:kuehlmittel \
    paint*:lack dent*:delle,beule headlight*:scheinwerfer,licht bulb*:lampe,birne \
    gearbox:getriebe transmission:getriebe shock*:stossdaempfer \
    suspension:fahrwerk,stossdaempfer diagnos*:diagnose,fehlerspeicher \
    cleaning:reinigung,aufbereitung engine:motor glass:glas,scheibe \
    alternator:lichtmaschine starter:anlasser pads:belaege disc*:scheibe \
    storage:einlagerung summer:sommer";

pub(super) fn synonyms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    for (pattern, german) in GLOSSARY
        .split_whitespace()
        .filter_map(|entry| entry.split_once(':'))
    {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => word.starts_with(prefix),
            None => word == pattern,
        };
        if hit {
            out.extend(german.split(',').map(str::to_owned));
        }
    }
    out
}

/// Whether two folded words likely mean the same thing: equal, one inside the other (German
/// compounds: "wechsel" in "oelwechsel"), or the same stem ("bremse", "bremsbelaege").
pub(super) fn same_stem(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 4 && long.contains(short) {
        return true;
    }
    // A three-letter word only as a compound's head: "oel" in "oelwechsel".
    if short.len() == 3 && long.starts_with(short) {
        return true;
    }
    let common = short
        .chars()
        .zip(long.chars())
        .take_while(|(x, y)| x == y)
        .count();
    common >= 5
}

pub(super) fn mentions(entry: &CatalogEntry, content: &[String]) -> bool {
    let entry_words: Vec<String> = words(&format!(
        "{} {} {}",
        entry.name, entry.category, entry.description
    ))
    .into_iter()
    .filter(|w| !is_stop_word(w))
    .collect();
    content
        .iter()
        .any(|c| entry_words.iter().any(|e| same_stem(c, e)))
}
