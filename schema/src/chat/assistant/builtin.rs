//! The built-in assistant: answers price questions from the workshop's catalog, opening hours,
//! contact details and appointment wishes from its profile, in German or English, without any
//! outside service. What it cannot answer for sure it says so and offers the request form.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use tokio::sync::mpsc;

use super::{Answer, Assistant, AssistantError, CatalogEntry, Question, Speaker, WorkshopFacts};
use crate::accounts::workshop::{Locale, OpeningHours, Weekday};
use crate::catalog::VehicleClass;

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

const GREETING: &str = "\
    hallo*|hello|hi|hey|moin*|servus|huhu|tach|guten tag|guten morgen|guten abend|gruess gott|\
    gruss gott|gruezi|good morning|good afternoon|good evening|merhaba|selam*|dzien dobry|\
    czesc|witam";

const SMALL_TALK: &str = "\
    wie gehts|wie geht s|wie geht es dir|wie geht es ihnen|wie geht es euch|wie laeufts|\
    wer bist du|bist du ein*|how are you|how s it going|how is it going|who are you|\
    are you a bot|are you human|nasilsin*|jak sie masz";

const PRICE: &str = "\
    kostet*|kosten*|koste|teuer*|preis*|guenstig*|billig*|wieviel|wie viel|euro|how much|\
    price*|pricing|cost*|quote|expensive|cheap*|ne kadar|fiyat*|uecret*|kosztuj*|koszt*|\
    cena|ceny|cene|cennik*";

const OPENING_HOURS: &str = "\
    oeffnungszeit*|geoeffnet|oeffnet|offen|aufhaben|habt ihr auf|haben sie auf|bis wann|\
    ab wann|wie lange habt|wie lange haben|schliesst|schliessen|open|opening*|hours|closed|\
    closing|close at|acik*|calisma saat*|otwar*|godzin*|czynne";

const APPOINTMENT: &str = "\
    termin*|vorbeikommen|vorbei kommen|vorbeibringen|vorbei bringen|vorbeischauen|\
    reinkommen|vorbeifahren|wann kann ich|kann ich kommen|kann ich vorbei*|buchen|\
    vereinbar*|appointment*|book*|schedule*|slot*|come in|come by|drop by|drop off|\
    drop it off|bring it in|bring my car|when can i|randevu*|wizyt*|umowic*";

const CONTACT: &str = "\
    telefon*|nummer|handynummer|anrufen|adresse*|anschrift|e mail*|email*|mail*|kontakt*|\
    erreich*|wo seid ihr|wo sind sie|wo finde ich|wo befinde*|wo ist*|wo liegt*|standort*|\
    anfahrt|website|webseite|homepage|internetseite|phone*|number|call|address|contact*|\
    where are you|where is*|where can i find|located|location|reach|directions|adres*|\
    iletisim|nerede*|gdzie|numer*";

/// Thanks and plain acknowledgements ("ok", "super"), which need no more than a friendly reply.
const THANKS: &str = "\
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

/// Lower-case words with umlauts and Turkish and Polish letters folded, so that "Öl", "Oel" and
/// "oel" meet.
fn words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len() + 8);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => folded.push_str("ae"),
            'ö' => folded.push_str("oe"),
            'ü' => folded.push_str("ue"),
            'ß' => folded.push_str("ss"),
            'ı' => folded.push('i'),
            'ş' | 'ś' => folded.push('s'),
            'ç' | 'ć' => folded.push('c'),
            'ğ' => folded.push('g'),
            'ą' | 'à' | 'á' | 'â' => folded.push('a'),
            'ę' | 'é' | 'è' | 'ê' => folded.push('e'),
            'ł' => folded.push('l'),
            'ń' => folded.push('n'),
            'ó' => folded.push('o'),
            'ź' | 'ż' => folded.push('z'),
            // The dot of a lower-cased Turkish "İ".
            '\u{307}' => {}
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded.split_whitespace().map(str::to_owned).collect()
}

/// Whether `words` contain `pattern`: words separated by spaces, each matching a whole word, or
/// the beginning of a word when it ends in `*`.
fn has(words: &[String], pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split(' ').collect();
    words.windows(parts.len()).any(|window| {
        window
            .iter()
            .zip(&parts)
            .all(|(word, part)| match part.strip_suffix('*') {
                Some(prefix) => word.starts_with(prefix),
                None => word == part,
            })
    })
}

/// Whether `words` contain any of the `|`-separated `patterns`.
fn has_any(words: &[String], patterns: &str) -> bool {
    patterns.split('|').any(|pattern| has(words, pattern))
}

/// Models and words that tell the vehicle class, checked in this order (an "e-Golf" is electric).
const VEHICLE_WORDS: [(VehicleClass, &str); 6] = [
    (
        VehicleClass::ElektroHybrid,
        "elektro*|hybrid*|e auto*|eauto*|e golf|egolf|e up|tesla|id 3|id3|id 4|id4|id 5|id5|\
         id buzz|zoe|ioniq*|enyaq|leaf|model 3|model y|electric|ev|evs|plug in|phev|bev|gte",
    ),
    (
        VehicleClass::Transporter,
        "transporter|sprinter|transit|crafter|bus|kleinbus|bulli|vito|viano|ducato|boxer|\
         jumper|vivaro|trafic|movano|t4|t5|t6|t7|kastenwagen|lieferwagen|van",
    ),
    (
        VehicleClass::Suv,
        "suv*|tiguan|touareg|t roc|troc|t cross|x1|x3|x5|q3|q5|q7|glc|gle|sportage|kuga|\
         tucson|qashqai|karoq|kodiaq|ateca|duster|rav4|cx5|cx 5|peugeot 3008|peugeot 5008|\
         mokka|juke|gelaendewagen",
    ),
    (
        VehicleClass::Mittelklasse,
        "passat|a4|a6|3er|5er|c klasse|e klasse|octavia|superb|insignia|mondeo|vectra|avensis|\
         arteon|mazda 6|mazda6|peugeot 508|mittelklasse*",
    ),
    (
        VehicleClass::Kompaktklasse,
        "golf|astra|focus|a3|1er|a klasse|leon|megane|corolla|auris|civic|i30|ceed|scala|\
         jetta|mazda 3|mazda3|peugeot 308|kompakt*",
    ),
    (
        VehicleClass::Kleinwagen,
        "polo|corsa|fiesta|vw up|mein up|meinen up|einen up|ein up|my up|clio|fabia|ibiza|\
         yaris|aygo|micra|i10|i20|sandero|twingo|c1|c3|peugeot 208|picanto|swift|mini|fortwo|\
         lupo|ford ka|a1|kleinwagen*",
    ),
];

/// The vehicle class a text names, through a model ("Golf") or a word ("SUV", "Elektro").
pub fn vehicle_class_in(text: &str) -> Option<VehicleClass> {
    let words = words(text);
    VEHICLE_WORDS
        .iter()
        .find(|(_, patterns)| has_any(&words, patterns))
        .map(|(class, _)| *class)
}

fn is_vehicle_word(word: &str) -> bool {
    VEHICLE_WORDS.iter().any(|(_, patterns)| {
        patterns.split('|').any(|p| match p.strip_suffix('*') {
            Some(prefix) => !prefix.contains(' ') && word.starts_with(prefix),
            None => p == word,
        })
    })
}

/// Words that say nothing about which service is meant: German, then English.
const STOP_WORDS: &str = "\
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

fn is_stop_word(word: &str) -> bool {
    static SET: LazyLock<HashSet<&str>> = LazyLock::new(|| STOP_WORDS.split_whitespace().collect());
    SET.contains(word)
}

/// Words of `text` that may name a service: no function words, no price words, no car models.
fn content_words(text: &str) -> Vec<String> {
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
const GLOSSARY: &str = "\
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

fn synonyms(word: &str) -> Vec<String> {
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
fn same_stem(a: &str, b: &str) -> bool {
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

fn mentions(entry: &CatalogEntry, content: &[String]) -> bool {
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

fn workshop_name(lang: Lang, facts: &WorkshopFacts) -> String {
    match (facts.name.trim(), lang) {
        ("", Lang::De) => "der Werkstatt".to_owned(),
        ("", Lang::En) => "the workshop".to_owned(),
        (name, _) => name.to_owned(),
    }
}

fn greeting(lang: Lang, facts: &WorkshopFacts) -> String {
    let name = workshop_name(lang, facts);
    match lang {
        Lang::De => format!(
            "Hallo! Ich bin der digitale Assistent von {name}. Ich beantworte Fragen zu Preisen, \
             Öffnungszeiten, Terminen und Kontakt – wie kann ich helfen?"
        ),
        Lang::En => format!(
            "Hello! I'm the digital assistant of {name}. I can help with prices, opening hours, \
             appointments and contact details – what can I do for you?"
        ),
    }
}

fn small_talk(lang: Lang, facts: &WorkshopFacts) -> String {
    let name = workshop_name(lang, facts);
    match lang {
        Lang::De => format!(
            "Danke der Nachfrage, mir geht's gut! Ich bin der digitale Assistent von {name} und \
             helfe bei Preisen, Öffnungszeiten, Terminen und Kontaktdaten."
        ),
        Lang::En => format!(
            "Thanks for asking, I'm fine! I'm the digital assistant of {name} and help with \
             prices, opening hours, appointments and contact details."
        ),
    }
}

fn no_price(lang: Lang) -> String {
    match lang {
        Lang::De => "Dazu habe ich leider keinen Preis in unserer Preisliste – und raten möchte \
                     ich nicht. Hinterlassen Sie gern eine Anfrage über das Formular, dann \
                     meldet sich die Werkstatt mit einem Angebot."
            .to_owned(),
        Lang::En => "I'm afraid I have no price for that in our price list, and I don't want to \
                     guess. Please leave a request via the form and the workshop will get back \
                     to you with a quote."
            .to_owned(),
    }
}

fn unknown(lang: Lang) -> String {
    match lang {
        Lang::De => "Das kann ich leider nicht sicher beantworten, und ich möchte Ihnen nichts \
                     Falsches sagen. Ich nenne Ihnen gern Preise aus unserer Preisliste, unsere \
                     Öffnungszeiten und Kontaktdaten. Für alles andere hinterlassen Sie bitte \
                     eine Anfrage über das Formular – die Werkstatt meldet sich bei Ihnen."
            .to_owned(),
        Lang::En => "I'm afraid I can't answer that for sure, and I don't want to tell you \
                     anything wrong. I can give you prices from our price list, our opening \
                     hours and contact details. For anything else, please leave a request via \
                     the form and the workshop will get back to you."
            .to_owned(),
    }
}

fn class_label(lang: Lang, class: VehicleClass) -> &'static str {
    match (lang, class) {
        (Lang::De, VehicleClass::Kleinwagen) => "Kleinwagen",
        (Lang::De, VehicleClass::Kompaktklasse) => "Kompaktklasse",
        (Lang::De, VehicleClass::Mittelklasse) => "Mittelklasse",
        (Lang::De, VehicleClass::Suv) => "SUV",
        (Lang::De, VehicleClass::Transporter) => "Transporter",
        (Lang::De, VehicleClass::ElektroHybrid) => "Elektro/Hybrid",
        (Lang::En, VehicleClass::Kleinwagen) => "small car",
        (Lang::En, VehicleClass::Kompaktklasse) => "compact car",
        (Lang::En, VehicleClass::Mittelklasse) => "mid-size car",
        (Lang::En, VehicleClass::Suv) => "SUV",
        (Lang::En, VehicleClass::Transporter) => "van",
        (Lang::En, VehicleClass::ElektroHybrid) => "electric/hybrid car",
    }
}

fn prices(lang: Lang, entries: &[&CatalogEntry], class: Option<VehicleClass>) -> String {
    let class_price = |entry: &CatalogEntry| {
        let class = class?;
        entry
            .vehicle_prices
            .iter()
            .find(|(c, _, _)| *c == class)
            .map(|(_, min, max)| (*min, *max))
    };
    let any_class_price = entries.iter().any(|e| class_price(e).is_some());
    let mut text = match (lang, class) {
        (Lang::De, Some(class)) if any_class_price => format!(
            "Das kostet es bei uns für Ihr Fahrzeug ({}), inkl. MwSt.:",
            class_label(lang, class)
        ),
        (Lang::En, Some(class)) if any_class_price => format!(
            "Here are our prices for your vehicle ({}), VAT included:",
            class_label(lang, class)
        ),
        (Lang::De, _) => "Das kostet es laut unserer Preisliste, inkl. MwSt.:".to_owned(),
        (Lang::En, _) => "Here are the prices from our price list, VAT included:".to_owned(),
    };
    for entry in entries {
        let (range, for_class) = match class_price(entry) {
            Some((min, max)) => (price_text(lang, min, max), class),
            None => (price_text(lang, entry.min_cents, entry.max_cents), None),
        };
        text.push_str("\n- ");
        text.push_str(entry.name.trim());
        text.push_str(": ");
        text.push_str(&range);
        if let Some(class) = for_class {
            text.push_str(match lang {
                Lang::De => " (Preis für ",
                Lang::En => " (price for ",
            });
            text.push_str(class_label(lang, class));
            text.push(')');
        }
        if let Some(minutes) = entry.duration_minutes.filter(|m| *m > 0) {
            text.push_str(match lang {
                Lang::De => ", Dauer ",
                Lang::En => ", takes ",
            });
            text.push_str(&format_duration(lang, minutes));
        }
    }
    let depends_on_class = class.is_none() && entries.iter().any(|e| !e.vehicle_prices.is_empty());
    text.push_str("\n\n");
    if depends_on_class {
        text.push_str(match lang {
            Lang::De => {
                "Der Preis hängt auch von der Fahrzeugklasse ab – nennen Sie mir gern Ihr \
                 Modell, dann wird es genauer. "
            }
            Lang::En => {
                "The price also depends on the vehicle class – tell me your model and I can be \
                 more precise. "
            }
        });
    }
    text.push_str(match lang {
        Lang::De => {
            "Der endgültige Preis hängt vom Fahrzeug und vom Befund ab. Ein verbindliches \
             Angebot bekommen Sie über das Anfrageformular."
        }
        Lang::En => {
            "The final price depends on your vehicle and what we find. For a binding quote, \
             please use the request form."
        }
    });
    text
}

/// A price range the way customers read it: "89–149 €" and "49,90 €" in German, "€89–149" and
/// "€49.90" in English; a fixed price when `min` equals `max`.
pub(crate) fn format_price(locale: Locale, min: i32, max: i32) -> String {
    price_text(lang(locale), min, max)
}

fn price_text(lang: Lang, min: i32, max: i32) -> String {
    let (low, high) = (min.min(max), min.max(max));
    let with_cents = low % 100 != 0 || high % 100 != 0;
    let amount = |cents: i32| format_euros(lang, cents, with_cents);
    let amounts = if low == high {
        amount(low)
    } else {
        format!("{}–{}", amount(low), amount(high))
    };
    match lang {
        Lang::De => format!("{amounts} €"),
        Lang::En => format!("€{amounts}"),
    }
}

fn format_euros(lang: Lang, cents: i32, with_cents: bool) -> String {
    let (thousands, decimal) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let digits = (cents / 100).to_string();
    let mut euros = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            euros.push(thousands);
        }
        euros.push(digit);
    }
    if with_cents {
        format!("{sign}{euros}{decimal}{:02}", cents % 100)
    } else {
        format!("{sign}{euros}")
    }
}

fn format_duration(lang: Lang, minutes: i32) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match lang {
        Lang::De if hours == 0 => format!("ca. {minutes} Min."),
        Lang::De if rest == 0 => format!("ca. {hours} Std."),
        Lang::De if rest == 30 => format!("ca. {hours},5 Std."),
        Lang::De => format!("ca. {hours} Std. {rest} Min."),
        Lang::En if hours == 0 => format!("about {minutes} min"),
        Lang::En if rest == 0 => format!("about {hours} h"),
        Lang::En if rest == 30 => format!("about {hours}.5 h"),
        Lang::En => format!("about {hours} h {rest} min"),
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn day_name(lang: Lang, day: Weekday) -> &'static str {
    let index = WEEK.iter().position(|d| *d == day).unwrap_or(0);
    match lang {
        Lang::De => [
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ][index],
        Lang::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][index],
    }
}

fn day_short(lang: Lang, day: Weekday) -> &'static str {
    let index = WEEK.iter().position(|d| *d == day).unwrap_or(0);
    match lang {
        Lang::De => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"][index],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index],
    }
}

fn weekday_of(date: NaiveDate) -> Weekday {
    WEEK[date.weekday().num_days_from_monday() as usize]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayAsked {
    Today,
    Tomorrow,
    On(Weekday),
}

const DAY_WORDS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "montag*|monday*|pazartesi|poniedzial*"),
    (Weekday::Tuesday, "dienstag*|tuesday*|sali|wtor*"),
    (Weekday::Wednesday, "mittwoch*|wednesday*|carsamba|srod*"),
    (Weekday::Thursday, "donnerstag*|thursday*|persembe|czwart*"),
    (Weekday::Friday, "freitag*|friday*|cuma|piat*"),
    (
        Weekday::Saturday,
        "samstag*|sonnabend*|saturday*|cumartesi|sobot*",
    ),
    (Weekday::Sunday, "sonntag*|sunday*|pazar|niedziel*"),
];

fn day_asked(words: &[String]) -> Option<DayAsked> {
    if let Some((day, _)) = DAY_WORDS.iter().find(|(_, p)| has_any(words, p)) {
        return Some(DayAsked::On(*day));
    }
    let tomorrow = has_any(words, "tomorrow|jutro|yarin")
        || words
            .iter()
            .enumerate()
            .any(|(i, w)| w == "morgen" && (i == 0 || words[i - 1] != "guten"));
    if tomorrow {
        return Some(DayAsked::Tomorrow);
    }
    if has_any(words, "heute|today|tonight|dzisiaj|dzis|bugun") {
        return Some(DayAsked::Today);
    }
    None
}

/// The UTC offset of the time zones CarBot serves. Europe follows one rule for summer time
/// (last Sunday of March to last Sunday of October, switching at 01:00 UTC), so a small table
/// does without a time-zone database; unknown zones count as UTC.
fn utc_offset(zone: &str, now: DateTime<Utc>) -> TimeDelta {
    let (standard_hours, summer_time) = match zone {
        "Europe/Berlin" | "Europe/Vienna" | "Europe/Zurich" | "Europe/Warsaw"
        | "Europe/Luxembourg" | "Europe/Amsterdam" | "Europe/Brussels" | "Europe/Paris"
        | "Europe/Prague" | "Europe/Copenhagen" | "Europe/Rome" | "Europe/Madrid"
        | "Europe/Oslo" | "Europe/Stockholm" | "Europe/Budapest" | "Europe/Bratislava"
        | "Europe/Ljubljana" | "Europe/Zagreb" | "Europe/Belgrade" | "Europe/Busingen"
        | "Europe/Vaduz" | "Europe/Monaco" | "Europe/Andorra" | "Europe/Malta" | "CET" => (1, true),
        "Europe/London" | "Europe/Dublin" | "Europe/Lisbon" => (0, true),
        "Europe/Athens" | "Europe/Helsinki" | "Europe/Bucharest" | "Europe/Sofia"
        | "Europe/Riga" | "Europe/Tallinn" | "Europe/Vilnius" | "Europe/Kyiv" => (2, true),
        "Europe/Istanbul" | "Europe/Moscow" | "Europe/Minsk" => (3, false),
        _ => (0, false),
    };
    let summer = summer_time && is_eu_summer_time(now);
    TimeDelta::hours(standard_hours + i64::from(summer))
}

fn is_eu_summer_time(now: DateTime<Utc>) -> bool {
    let switch = |month| {
        last_sunday(now.year(), month)
            .and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN))
            .and_utc()
    };
    now >= switch(3) && now < switch(10)
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap_or(NaiveDate::MAX);
    let last = first_of_next.pred_opt().unwrap_or(first_of_next);
    last - Days::new(u64::from(last.weekday().num_days_from_sunday()))
}

/// Wall-clock time in the workshop's time zone.
pub(crate) fn local_time(zone: &str, now: DateTime<Utc>) -> NaiveDateTime {
    now.naive_utc() + utc_offset(zone, now)
}

/// When the workshop opens and closes, in its local time.
type Interval = (NaiveTime, NaiveTime);

/// Opening intervals of one day, sorted, with unreadable ones left out.
fn intervals(hours: &[OpeningHours], day: Weekday) -> Vec<Interval> {
    let mut day_hours: Vec<_> = hours
        .iter()
        .filter(|h| h.weekday == day)
        .filter_map(|h| {
            let opens = NaiveTime::parse_from_str(h.opens.trim(), "%H:%M").ok()?;
            let closes = NaiveTime::parse_from_str(h.closes.trim(), "%H:%M").ok()?;
            (opens < closes).then_some((opens, closes))
        })
        .collect();
    day_hours.sort();
    day_hours
}

fn format_intervals(lang: Lang, intervals: &[Interval], joiner: &str) -> String {
    let parts: Vec<String> = intervals
        .iter()
        .map(|(opens, closes)| format!("{}–{}", opens.format("%H:%M"), closes.format("%H:%M")))
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            let and = match (lang, joiner) {
                (_, ", ") => ", ",
                (Lang::De, _) => " und ",
                (Lang::En, _) => " and ",
            };
            format!("{}{and}{last}", rest.join(", "))
        }
        _ => parts.concat(),
    }
}

/// The week in one line, equal neighbouring days joined: "Mo–Fr 08:00–17:00; Sa 09:00–13:00;
/// So geschlossen".
pub(crate) fn week_summary(locale: Locale, hours: &[OpeningHours]) -> String {
    week_line(lang(locale), hours)
}

fn week_line(lang: Lang, hours: &[OpeningHours]) -> String {
    let closed = match lang {
        Lang::De => "geschlossen",
        Lang::En => "closed",
    };
    let mut groups: Vec<(Weekday, Weekday, Vec<Interval>)> = Vec::new();
    for day in WEEK {
        let day_intervals = intervals(hours, day);
        match groups.last_mut() {
            Some((_, last, same)) if *same == day_intervals => *last = day,
            _ => groups.push((day, day, day_intervals)),
        }
    }
    groups
        .iter()
        .map(|(first, last, day_intervals)| {
            let days = if first == last {
                day_short(lang, *first).to_owned()
            } else {
                format!("{}–{}", day_short(lang, *first), day_short(lang, *last))
            };
            let times = if day_intervals.is_empty() {
                closed.to_owned()
            } else {
                format_intervals(lang, day_intervals, ", ")
            };
            format!("{days} {times}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The opening-hours paragraph and whether any hours are on file.
fn opening_hours(lang: Lang, question: &Question<'_>) -> (String, bool) {
    let hours = &question.workshop.opening_hours;
    if WEEK.iter().all(|day| intervals(hours, *day).is_empty()) {
        let text = match lang {
            Lang::De => "Die Öffnungszeiten habe ich leider nicht vorliegen. Hinterlassen Sie \
                         gern eine Anfrage über das Formular, dann meldet sich die Werkstatt bei \
                         Ihnen."
                .to_owned(),
            Lang::En => "I'm afraid I don't have the opening hours. Please leave a request via \
                         the form and the workshop will get back to you."
                .to_owned(),
        };
        return (text, false);
    }
    let now = local_time(&question.workshop.time_zone, question.now);
    let today = weekday_of(now.date());
    let tomorrow = weekday_of(now.date().succ_opt().unwrap_or(now.date()));
    let asked = match day_asked(&words(question.text)) {
        Some(DayAsked::On(day)) if day == today => DayAsked::Today,
        Some(DayAsked::Tomorrow) => DayAsked::On(tomorrow),
        Some(asked) => asked,
        None => DayAsked::Today,
    };
    let mut text = match asked {
        DayAsked::On(day) => {
            let day_intervals = intervals(hours, day);
            let name = day_name(lang, day);
            match (lang, day_intervals.is_empty()) {
                (Lang::De, true) => format!("Am {name} haben wir geschlossen."),
                (Lang::De, false) => format!(
                    "Am {name} haben wir {} geöffnet.",
                    format_intervals(lang, &day_intervals, " und ")
                ),
                (Lang::En, true) => format!("On {name} we are closed."),
                (Lang::En, false) => format!(
                    "On {name} we are open {}.",
                    format_intervals(lang, &day_intervals, " and ")
                ),
            }
        }
        DayAsked::Today | DayAsked::Tomorrow => today_sentence(lang, hours, today, now.time()),
    };
    text.push(' ');
    text.push_str(match lang {
        Lang::De => "Unsere Öffnungszeiten: ",
        Lang::En => "Our opening hours: ",
    });
    text.push_str(&week_line(lang, hours));
    text.push('.');
    (text, true)
}

fn today_sentence(lang: Lang, hours: &[OpeningHours], today: Weekday, time: NaiveTime) -> String {
    let day_intervals = intervals(hours, today);
    let name = day_name(lang, today);
    if day_intervals.is_empty() {
        return match lang {
            Lang::De => format!("Heute ({name}) haben wir geschlossen."),
            Lang::En => format!("Today ({name}) we are closed."),
        };
    }
    let open_now = day_intervals
        .iter()
        .find(|(opens, closes)| *opens <= time && time < *closes);
    let opens_later = day_intervals.iter().find(|(opens, _)| time < *opens);
    let times = format_intervals(lang, &day_intervals, " ");
    match (lang, open_now, opens_later) {
        (Lang::De, Some((_, closes)), _) => format!(
            "Heute ({name}) haben wir {times} geöffnet – gerade sind wir für Sie da, bis {}.",
            closes.format("%H:%M")
        ),
        (Lang::De, None, Some((opens, _))) => format!(
            "Heute ({name}) haben wir {times} geöffnet – wir öffnen heute wieder um {}.",
            opens.format("%H:%M")
        ),
        (Lang::De, None, None) => format!(
            "Heute ({name}) hatten wir {times} geöffnet – für heute haben wir bereits \
             geschlossen."
        ),
        (Lang::En, Some((_, closes)), _) => format!(
            "Today ({name}) we are open {times} – we are open right now, until {}.",
            closes.format("%H:%M")
        ),
        (Lang::En, None, Some((opens, _))) => format!(
            "Today ({name}) we are open {times} – we open again today at {}.",
            opens.format("%H:%M")
        ),
        (Lang::En, None, None) => {
            format!("Today ({name}) we were open {times} – we have already closed for today.")
        }
    }
}

fn appointment(lang: Lang, facts: &WorkshopFacts, with_hours: bool) -> String {
    let name = workshop_name(lang, facts);
    let mut text = match lang {
        Lang::De => format!(
            "Gern! Termine stimmt {name} persönlich mit Ihnen ab: Tragen Sie Ihren Wunschtermin \
             und Ihr Anliegen in das Anfrageformular ein, dann meldet sich die Werkstatt mit \
             einem Terminvorschlag."
        ),
        Lang::En => format!(
            "Happy to help! {name} arranges appointments personally: enter your preferred date \
             and what needs doing in the request form and the workshop will get back to you \
             with a time."
        ),
    };
    if let Some(phone) = present(&facts.phone) {
        text.push_str(&match lang {
            Lang::De => format!(" Sie können auch anrufen: {phone}."),
            Lang::En => format!(" You can also call us: {phone}."),
        });
    }
    let has_hours = WEEK
        .iter()
        .any(|day| !intervals(&facts.opening_hours, *day).is_empty());
    if with_hours && has_hours {
        text.push_str(match lang {
            Lang::De => " Unsere Öffnungszeiten: ",
            Lang::En => " Our opening hours: ",
        });
        text.push_str(&week_line(lang, &facts.opening_hours));
        text.push('.');
    }
    text
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The contact paragraph and whether any contact details are on file.
fn contact(lang: Lang, facts: &WorkshopFacts) -> (String, bool) {
    let labels = match lang {
        Lang::De => ["Telefon", "E-Mail", "Adresse", "Website"],
        Lang::En => ["Phone", "E-mail", "Address", "Website"],
    };
    let values = [&facts.phone, &facts.email, &facts.address, &facts.website];
    let lines: Vec<String> = labels
        .iter()
        .zip(values)
        .filter_map(|(label, value)| present(value).map(|v| format!("- {label}: {v}")))
        .collect();
    if lines.is_empty() {
        let text = match lang {
            Lang::De => "Kontaktdaten der Werkstatt habe ich leider nicht vorliegen. \
                         Hinterlassen Sie gern eine Anfrage über das Formular, dann meldet sich \
                         die Werkstatt bei Ihnen."
                .to_owned(),
            Lang::En => "I'm afraid I don't have the workshop's contact details. Please leave a \
                         request via the form and the workshop will get back to you."
                .to_owned(),
        };
        return (text, false);
    }
    let name = workshop_name(lang, facts);
    let intro = match lang {
        Lang::De => format!("So erreichen Sie {name}:"),
        Lang::En => format!("This is how to reach {name}:"),
    };
    (format!("{intro}\n{}", lines.join("\n")), true)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::chat::assistant::Turn;

    fn entry(
        name: &str,
        category: &str,
        description: &str,
        (min, max): (i32, i32),
        vehicle_prices: &[(VehicleClass, i32, i32)],
        duration_minutes: Option<i32>,
    ) -> CatalogEntry {
        CatalogEntry {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            category: category.to_owned(),
            description: description.to_owned(),
            min_cents: min,
            max_cents: max,
            vehicle_prices: vehicle_prices.to_vec(),
            duration_minutes,
            score: 0.0,
        }
    }

    /// A small catalog; every amount differs from every other and from the workshop's numbers.
    fn catalog() -> Vec<CatalogEntry> {
        use VehicleClass::*;
        vec![
            entry(
                "Ölwechsel",
                "Inspektion & Wartung",
                "Altes Motoröl ablassen, neues Öl nach Herstellerfreigabe einfüllen.",
                (3900, 8900),
                &[
                    (Kleinwagen, 3900, 5900),
                    (Kompaktklasse, 4900, 6900),
                    (Mittelklasse, 5900, 7900),
                    (Suv, 6900, 8900),
                ],
                Some(30),
            ),
            entry(
                "Bremsbeläge vorne erneuern",
                "Bremsen",
                "Neue Beläge an der Vorderachse inkl. Prüfung der Bremsscheiben.",
                (12900, 21900),
                &[(Kompaktklasse, 14900, 18900)],
                Some(90),
            ),
            entry(
                "Reifenwechsel",
                "Räder & Reifen",
                "Saisonaler Radwechsel, Sommer auf Winter und zurück.",
                (2500, 2500),
                &[],
                Some(45),
            ),
            entry(
                "Klimaservice",
                "Klima",
                "Kältemittel absaugen, prüfen und neu befüllen.",
                (7990, 12990),
                &[],
                Some(60),
            ),
            entry(
                "Hauptuntersuchung (HU/AU)",
                "Prüfungen",
                "TÜV-Prüfung inkl. Abgasuntersuchung durch die Prüforganisation.",
                (13900, 13900),
                &[],
                None,
            ),
            entry(
                "Große Inspektion",
                "Inspektion & Wartung",
                "Umfassende Wartung nach Plan.",
                (124_900, 124_900),
                &[],
                Some(180),
            ),
        ]
    }

    /// Search results as the chat module would pass them: named entries with scores.
    fn found(catalog: &[CatalogEntry], hits: &[(&str, f32)]) -> Vec<CatalogEntry> {
        hits.iter()
            .map(|(name, score)| {
                let mut e = catalog
                    .iter()
                    .find(|e| e.name.starts_with(name))
                    .unwrap_or_else(|| panic!("no entry {name}"))
                    .clone();
                e.score = *score;
                e
            })
            .collect()
    }

    fn hours(day: Weekday, opens: &str, closes: &str) -> OpeningHours {
        OpeningHours {
            weekday: day,
            opens: opens.to_owned(),
            closes: closes.to_owned(),
        }
    }

    fn facts() -> WorkshopFacts {
        let mut opening_hours = Vec::new();
        for day in &WEEK[..5] {
            // Stored afternoon first, to show that the order does not matter.
            opening_hours.push(hours(*day, "13:00", "17:00"));
            opening_hours.push(hours(*day, "08:00", "12:00"));
        }
        opening_hours.push(hours(Weekday::Saturday, "09:00", "13:00"));
        WorkshopFacts {
            name: "Autohaus Nord".to_owned(),
            phone: Some("0421 555 0192".to_owned()),
            email: Some("service@autohaus-nord.de".to_owned()),
            website: Some("https://autohaus-nord.de".to_owned()),
            address: Some("Hafenstraße 7, 28195 Bremen".to_owned()),
            opening_hours,
            time_zone: "Europe/Berlin".to_owned(),
        }
    }

    /// Friday, 13 June 2025, 10:30 UTC = 12:30 in Bremen (summer time).
    fn friday_lunch() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 13, 10, 30, 0)
            .single()
            .expect("a valid time")
    }

    async fn ask_with(
        locale: Locale,
        facts: &WorkshopFacts,
        history: &[Turn],
        text: &str,
        catalog: &[CatalogEntry],
        now: DateTime<Utc>,
    ) -> (Answer, Vec<String>) {
        let question = Question {
            workshop: facts,
            locale,
            history,
            text,
            catalog,
            now,
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let answer = CatalogAssistant
            .answer(&question, &tx)
            .await
            .expect("the built-in assistant always answers");
        drop(tx);
        let mut chunks = Vec::new();
        while let Some(chunk) = rx.recv().await {
            chunks.push(chunk);
        }
        (answer, chunks)
    }

    async fn ask(locale: Locale, text: &str, catalog: &[CatalogEntry]) -> Answer {
        ask_with(locale, &facts(), &[], text, catalog, friday_lunch())
            .await
            .0
    }

    /// Every number in `text`, read the way `lang` writes them ("1.249,90" or "1,249.90").
    fn numbers(lang: Lang, text: &str) -> Vec<f64> {
        let (thousands, decimal) = match lang {
            Lang::De => ('.', ','),
            Lang::En => (',', '.'),
        };
        text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .map(|t| t.trim_matches(|c| c == '.' || c == ','))
            .filter(|t| !t.is_empty())
            .filter_map(|t| t.replace(thousands, "").replace(decimal, ".").parse().ok())
            .collect()
    }

    /// The euro amounts of `body`: the numbers right before "€" in German, right after in
    /// English, ranges included.
    fn euro_amounts(lang: Lang, body: &str) -> Vec<f64> {
        let is_amount_char = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | '–');
        let mut amounts = Vec::new();
        for (at, _) in body.match_indices('€') {
            let expression: String = match lang {
                Lang::De => {
                    let before = body[..at].trim_end();
                    let start = before
                        .char_indices()
                        .rev()
                        .take_while(|(_, c)| is_amount_char(*c))
                        .last()
                        .map_or(before.len(), |(i, _)| i);
                    before[start..].to_owned()
                }
                Lang::En => body[at + '€'.len_utf8()..]
                    .chars()
                    .take_while(|c| is_amount_char(*c))
                    .collect(),
            };
            assert!(!expression.is_empty(), "€ without amount in {body:?}");
            for part in expression.split('–') {
                amounts.extend(numbers(lang, part));
            }
        }
        amounts
    }

    fn amounts_of(entry: &CatalogEntry) -> Vec<f64> {
        let mut cents = vec![entry.min_cents, entry.max_cents];
        for (_, min, max) in &entry.vehicle_prices {
            cents.extend([*min, *max]);
        }
        cents.into_iter().map(|c| f64::from(c) / 100.0).collect()
    }

    fn durations_of(entry: &CatalogEntry) -> Vec<f64> {
        entry.duration_minutes.map_or_else(Vec::new, |m| {
            vec![
                f64::from(m),
                f64::from(m) / 60.0,
                f64::from(m / 60),
                f64::from(m % 60),
            ]
        })
    }

    /// Visitor messages and what the answer must do: locale | message | search hits with
    /// scores | intents | cited entries | whether the request form is offered.
    const CASES: &str = "
        de | Was kostet ein Ölwechsel? | Ölwechsel 8, Klimaservice 1 | Price | Ölwechsel | no
        de | Hallo, was kostet ein Ölwechsel? | Ölwechsel 8 | Greeting Price | Ölwechsel | no
        de | Wie teuer sind neue Bremsbeläge? | Bremsbeläge 6, Ölwechsel 3.5 | Price | Bremsbeläge vorne erneuern | no
        de | Preis für Reifenwechsel | Reifenwechsel 5 | Price | Reifenwechsel | no
        de | Was kostet der TÜV bei euch? | Hauptuntersuchung 4 | Price | Hauptuntersuchung (HU/AU) | no
        de | Wieviel kostet ein Klimaservice und Reifenwechsel? | Klimaservice 5, Reifenwechsel 4, Ölwechsel 1 | Price | Klimaservice, Reifenwechsel | no
        de | Was kostet eine große Inspektion? | Große Inspektion 9 | Price | Große Inspektion | no
        de | Was kostet eine Lackierung in Pink? | Ölwechsel 0.3, Reifenwechsel 0.2 | Price | | yes
        de | Ich brauche neue Bremsbeläge | Bremsbeläge 6 | Price | Bremsbeläge vorne erneuern | no
        de | Moin! Wann habt ihr offen? | | Greeting OpeningHours | | no
        de | Öffnungszeiten? | | OpeningHours | | no
        de | Habt ihr samstags auf? | | OpeningHours | | no
        de | Guten Tag, ich hätte gern einen Termin | | Greeting Appointment | | yes
        de | Wann kann ich vorbeikommen? | | Appointment | | yes
        de | Wie ist eure Telefonnummer? | | Contact | | no
        de | Wo seid ihr? Adresse bitte | | Contact | | no
        de | Hallo | | Greeting | | no
        de | Danke! | | Thanks | | no
        de | Wie geht's? | | SmallTalk | | no
        de | Mein Auto macht komische Geräusche | | | | yes
        de | Kann ich einen Termin bekommen und was kostet ein Ölwechsel für meinen Polo? | Ölwechsel 7 | Price Appointment | Ölwechsel | yes
        en | how much is a brake job | Bremsbeläge 5 | Price | Bremsbeläge vorne erneuern | no
        en | hi | | Greeting | | no
        en | Are you open on Saturday? | | OpeningHours | | no
        en | What's your e-mail address? | | Contact | | no
        en | Where are you located and how much is an oil change? | Ölwechsel 4 | Price Contact | Ölwechsel | no
        en | I'd like to book an appointment | | Appointment | | yes
        en | Thanks a lot! | | Thanks | | no
        en | How much does a paint job in pink cost? | Ölwechsel 0.4 | Price | | yes
    ";

    fn list(column: &str, separator: char) -> Vec<&str> {
        column
            .split(separator)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[tokio::test]
    async fn answers_a_table_of_visitor_messages() {
        let all = catalog();
        let facts = facts();
        let fact_numbers: Vec<f64> = {
            let text = format!("{:?} {:?}", facts.phone, facts.address);
            let mut n = numbers(Lang::De, &text);
            for h in &facts.opening_hours {
                n.extend(numbers(Lang::De, &format!("{} {}", h.opens, h.closes)));
            }
            n
        };
        let lines: Vec<&str> = CASES.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.len() >= 20);
        for line in lines {
            let columns: Vec<&str> = line.split('|').map(str::trim).collect();
            let [locale, text, hits, intents, cited_names, offer] = columns[..] else {
                panic!("bad case {line}");
            };
            let locale = if locale == "en" {
                Locale::En
            } else {
                Locale::De
            };
            let hits: Vec<(&str, f32)> = list(hits, ',')
                .into_iter()
                .map(|hit| {
                    let (name, score) = hit.rsplit_once(' ').expect("name and score");
                    (name, score.parse().expect("a score"))
                })
                .collect();
            let search = found(&all, &hits);
            let answer = ask(locale, text, &search).await;
            let lang = lang(locale);
            let context = format!("{text:?}\n{}", answer.body);

            let question = Question {
                workshop: &facts,
                locale,
                history: &[],
                text,
                catalog: &search,
                now: friday_lunch(),
            };
            let found_intents: Vec<String> = intents_of(&question, &relevant_entries(&question))
                .iter()
                .map(|i| format!("{i:?}"))
                .collect();
            assert_eq!(found_intents, list(intents, ' '), "intents of {context}");
            let cited: Vec<&str> = answer
                .cited
                .iter()
                .map(|id| {
                    search
                        .iter()
                        .find(|e| e.id == *id)
                        .expect("cited from the search")
                        .name
                        .as_str()
                })
                .collect();
            assert_eq!(cited, list(cited_names, ','), "cited in {context}");
            let offer = offer == "yes";
            assert_eq!(answer.offer_lead_form, offer, "lead form in {context}");
            assert_eq!(answer.tokens, 0);
            for name in &cited {
                assert!(answer.body.contains(name), "{name} named in {context}");
            }

            let cited_entries: Vec<&CatalogEntry> = answer
                .cited
                .iter()
                .filter_map(|id| search.iter().find(|e| e.id == *id))
                .collect();
            let amounts: Vec<f64> = cited_entries.iter().flat_map(|e| amounts_of(e)).collect();
            let euro = euro_amounts(lang, &answer.body);
            assert_eq!(
                euro.is_empty(),
                cited.is_empty(),
                "amounts iff citations in {context}"
            );
            for amount in euro {
                assert!(
                    amounts.contains(&amount),
                    "{amount} € is not in a cited entry: {context}"
                );
            }
            let mut allowed = amounts.clone();
            allowed.extend(cited_entries.iter().flat_map(|e| durations_of(e)));
            allowed.extend(&fact_numbers);
            for number in numbers(lang, &answer.body) {
                assert!(
                    allowed.contains(&number),
                    "{number} comes from nowhere: {context}"
                );
            }
        }
    }

    #[tokio::test]
    async fn formats_prices_the_way_customers_read_them() {
        let all = catalog();
        let answer = ask(
            Locale::De,
            "Was kostet ein Ölwechsel?",
            &found(&all, &[("Ölwechsel", 1.0)]),
        )
        .await;
        assert!(
            answer
                .body
                .contains("- Ölwechsel: 39–89 €, Dauer ca. 30 Min."),
            "{}",
            answer.body
        );
        assert!(answer.body.contains("inkl. MwSt."), "{}", answer.body);
        assert!(
            answer.body.contains("Fahrzeugklasse ab"),
            "asks for the model: {}",
            answer.body
        );
        assert!(
            answer.body.contains("verbindliches Angebot"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains("Anfrageformular"), "{}", answer.body);

        let answer = ask(
            Locale::De,
            "Preis Reifenwechsel",
            &found(&all, &[("Reifenwechsel", 1.0)]),
        )
        .await;
        assert!(
            answer.body.contains("- Reifenwechsel: 25 €"),
            "fixed price: {}",
            answer.body
        );
        assert!(!answer.body.contains("ab 25"), "{}", answer.body);

        let answer = ask(
            Locale::De,
            "Klimaservice Preis?",
            &found(&all, &[("Klimaservice", 1.0)]),
        )
        .await;
        assert!(answer.body.contains("79,90–129,90 €"), "{}", answer.body);

        let answer = ask(
            Locale::De,
            "Große Inspektion Preis?",
            &found(&all, &[("Große", 1.0)]),
        )
        .await;
        assert!(answer.body.contains("1.249 €"), "{}", answer.body);
        assert!(answer.body.contains("ca. 3 Std."), "{}", answer.body);

        let answer = ask(
            Locale::En,
            "How much is the aircon service? Klimaservice",
            &found(&all, &[("Klimaservice", 1.0)]),
        )
        .await;
        assert!(answer.body.contains("€79.90–129.90"), "{}", answer.body);
        assert!(answer.body.contains("VAT included"), "{}", answer.body);

        assert_eq!(format_price(Locale::En, 8900, 14900), "€89–149");
        assert_eq!(format_price(Locale::De, 8900, 14900), "89–149 €");
        assert_eq!(format_price(Locale::En, 124_900, 124_900), "€1,249");
    }

    #[tokio::test]
    async fn quotes_the_vehicle_class_price_for_my_golf() {
        let all = catalog();
        let search = found(&all, &[("Ölwechsel", 8.0), ("Bremsbeläge", 4.5)]);
        let answer = ask(
            Locale::De,
            "Was kostet ein Ölwechsel für meinen Golf?",
            &search,
        )
        .await;
        assert!(
            answer.body.contains("für Ihr Fahrzeug (Kompaktklasse)"),
            "{}",
            answer.body
        );
        assert!(
            answer
                .body
                .contains("- Ölwechsel: 49–69 € (Preis für Kompaktklasse)"),
            "{}",
            answer.body
        );
        assert!(
            !answer.body.contains("39–89"),
            "the general range is not the Golf's: {}",
            answer.body
        );
        assert!(
            !answer.body.contains("Fahrzeugklasse ab"),
            "the class is known: {}",
            answer.body
        );
        assert_eq!(answer.cited, vec![search[0].id]);
    }

    #[tokio::test]
    async fn remembers_the_car_from_earlier_messages() {
        let all = catalog();
        let history = [
            Turn {
                speaker: Speaker::Visitor,
                text: "Hallo, ich fahre einen Passat.".to_owned(),
            },
            Turn {
                speaker: Speaker::Assistant,
                text: "Hallo! Wie kann ich helfen? Ein Golf wäre auch schön.".to_owned(),
            },
        ];
        let search = found(&all, &[("Ölwechsel", 8.0)]);
        let (answer, _) = ask_with(
            Locale::De,
            &facts(),
            &history,
            "Was kostet ein Ölwechsel?",
            &search,
            friday_lunch(),
        )
        .await;
        assert!(
            answer
                .body
                .contains("- Ölwechsel: 59–79 € (Preis für Mittelklasse)"),
            "the visitor's Passat, not the assistant's Golf: {}",
            answer.body
        );

        // A bare follow-up keeps the subject of the previous question.
        let history = [
            Turn {
                speaker: Speaker::Visitor,
                text: "Was kostet ein Ölwechsel?".to_owned(),
            },
            Turn {
                speaker: Speaker::Assistant,
                text: "- Ölwechsel: 39–89 €".to_owned(),
            },
        ];
        let (answer, _) = ask_with(
            Locale::De,
            &facts(),
            &history,
            "Und für einen Tiguan?",
            &search,
            friday_lunch(),
        )
        .await;
        assert!(
            answer.body.contains("- Ölwechsel: 69–89 € (Preis für SUV)"),
            "{}",
            answer.body
        );
        assert_eq!(answer.cited, vec![search[0].id]);
    }

    #[tokio::test]
    async fn says_honestly_when_it_has_no_price() {
        let all = catalog();
        let answer = ask(
            Locale::De,
            "Was kostet eine Lackierung in Pink?",
            &found(&all, &[("Ölwechsel", 0.3), ("Reifenwechsel", 0.2)]),
        )
        .await;
        assert!(answer.body.contains("keinen Preis"), "{}", answer.body);
        assert!(answer.body.contains("Formular"), "{}", answer.body);
        assert!(!answer.body.contains('€'), "{}", answer.body);
        assert!(
            !answer.body.chars().any(|c| c.is_ascii_digit()),
            "{}",
            answer.body
        );
        assert!(answer.cited.is_empty());
        assert!(answer.offer_lead_form);

        // A new subject after a price question: the search fell back to the previous message.
        let history = [Turn {
            speaker: Speaker::Visitor,
            text: "Was kostet ein Ölwechsel?".to_owned(),
        }];
        let (answer, _) = ask_with(
            Locale::De,
            &facts(),
            &history,
            "Und eine Lackierung?",
            &found(&all, &[("Ölwechsel", 8.0)]),
            friday_lunch(),
        )
        .await;
        assert!(answer.cited.is_empty(), "{}", answer.body);
        assert!(answer.body.contains("keinen Preis"), "{}", answer.body);
        assert!(answer.offer_lead_form);
    }

    #[tokio::test]
    async fn tells_the_opening_hours_of_today_in_the_workshops_time_zone() {
        let facts = facts();
        // 12:30 in Bremen on a Friday: lunch break.
        let (answer, _) = ask_with(
            Locale::De,
            &facts,
            &[],
            "Wann habt ihr offen?",
            &[],
            friday_lunch(),
        )
        .await;
        assert!(
            answer.body.starts_with(
                "Heute (Freitag) haben wir 08:00–12:00 und 13:00–17:00 geöffnet – wir öffnen \
                 heute wieder um 13:00."
            ),
            "{}",
            answer.body
        );
        assert!(
            answer.body.contains(
                "Unsere Öffnungszeiten: Mo–Fr 08:00–12:00, 13:00–17:00; Sa 09:00–13:00; So \
                 geschlossen."
            ),
            "{}",
            answer.body
        );
        assert!(!answer.offer_lead_form);

        // 07:30 UTC on a Friday in January is 08:30 in Bremen (winter time): open.
        let winter = Utc
            .with_ymd_and_hms(2025, 1, 10, 7, 30, 0)
            .single()
            .expect("a valid time");
        let (answer, _) = ask_with(Locale::En, &facts, &[], "Are you open?", &[], winter).await;
        assert!(
            answer.body.starts_with("Today (Friday) we are open 08:00–12:00 and 13:00–17:00 – we are open right now, until 12:00."),
            "{}",
            answer.body
        );
        // The same UTC time in summer is 09:30 in Bremen; in UTC it would be before opening.
        let mut utc_facts = facts.clone();
        utc_facts.time_zone = "Etc/Unknown".to_owned();
        let (answer, _) = ask_with(Locale::En, &utc_facts, &[], "Are you open?", &[], winter).await;
        assert!(
            answer.body.contains("we open again today at 08:00"),
            "{}",
            answer.body
        );

        let (answer, _) = ask_with(
            Locale::De,
            &facts,
            &[],
            "Habt ihr am Samstag offen?",
            &[],
            friday_lunch(),
        )
        .await;
        assert!(
            answer
                .body
                .starts_with("Am Samstag haben wir 09:00–13:00 geöffnet."),
            "{}",
            answer.body
        );
        let (answer, _) = ask_with(
            Locale::En,
            &facts,
            &[],
            "Are you open on Sunday?",
            &[],
            friday_lunch(),
        )
        .await;
        assert!(
            answer.body.starts_with("On Sunday we are closed."),
            "{}",
            answer.body
        );

        // Saturday 20:00 in Bremen: closed for the day.
        let saturday_evening = Utc
            .with_ymd_and_hms(2025, 6, 14, 18, 0, 0)
            .single()
            .expect("a valid time");
        let (answer, _) = ask_with(
            Locale::De,
            &facts,
            &[],
            "Seid ihr heute da?",
            &[],
            saturday_evening,
        )
        .await;
        assert!(
            answer
                .body
                .contains("für heute haben wir bereits geschlossen"),
            "{}",
            answer.body
        );

        let mut no_hours = facts.clone();
        no_hours.opening_hours.clear();
        let (answer, _) = ask_with(
            Locale::De,
            &no_hours,
            &[],
            "Öffnungszeiten?",
            &[],
            friday_lunch(),
        )
        .await;
        assert!(answer.body.contains("nicht vorliegen"), "{}", answer.body);
        assert!(answer.offer_lead_form);
    }

    #[test]
    fn switches_to_summer_time_by_the_eu_rule() {
        let berlin = |y, mo, d, h, mi| {
            utc_offset(
                "Europe/Berlin",
                Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
                    .single()
                    .expect("a valid time"),
            )
            .num_hours()
        };
        assert_eq!(berlin(2025, 3, 30, 0, 59), 1);
        assert_eq!(berlin(2025, 3, 30, 1, 0), 2);
        assert_eq!(berlin(2025, 10, 26, 0, 59), 2);
        assert_eq!(berlin(2025, 10, 26, 1, 0), 1);
        assert_eq!(berlin(2024, 3, 31, 1, 0), 2);
        let istanbul = utc_offset(
            "Europe/Istanbul",
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
                .single()
                .expect("a valid time"),
        );
        assert_eq!(istanbul.num_hours(), 3);
    }

    #[tokio::test]
    async fn gives_the_contact_details_on_file() {
        let answer = ask(Locale::De, "Wie kann ich euch erreichen?", &[]).await;
        assert_eq!(
            answer.body,
            "So erreichen Sie Autohaus Nord:\n- Telefon: 0421 555 0192\n- E-Mail: \
             service@autohaus-nord.de\n- Adresse: Hafenstraße 7, 28195 Bremen\n- Website: \
             https://autohaus-nord.de"
        );
        assert!(!answer.offer_lead_form);

        let facts = WorkshopFacts {
            name: "Autohaus Süd".to_owned(),
            phone: Some("  ".to_owned()),
            ..WorkshopFacts::default()
        };
        let (answer, _) = ask_with(
            Locale::En,
            &facts,
            &[],
            "What's your phone number?",
            &[],
            friday_lunch(),
        )
        .await;
        assert!(
            answer
                .body
                .contains("don't have the workshop's contact details"),
            "{}",
            answer.body
        );
        assert!(answer.offer_lead_form);
    }

    #[tokio::test]
    async fn streams_the_body_in_word_groups() {
        let all = catalog();
        let search = found(&all, &[("Ölwechsel", 8.0), ("Klimaservice", 5.0)]);
        let (answer, chunks) = ask_with(
            Locale::De,
            &facts(),
            &[],
            "Hallo! Was kosten Ölwechsel und Klimaservice, und wann habt ihr offen?",
            &search,
            friday_lunch(),
        )
        .await;
        assert!(chunks.len() > 10, "{chunks:?}");
        assert_eq!(chunks.concat(), answer.body);
        assert_eq!(answer.cited.len(), 2);
    }

    #[test]
    fn recognises_vehicle_classes() {
        use VehicleClass::*;
        let cases = [
            ("für meinen Golf", Some(Kompaktklasse)),
            ("VW Polo Baujahr 2012", Some(Kleinwagen)),
            ("Opel Corsa", Some(Kleinwagen)),
            ("BMW 3er Touring", Some(Mittelklasse)),
            ("Mercedes C-Klasse", Some(Mittelklasse)),
            ("Skoda Octavia", Some(Mittelklasse)),
            ("unser SUV", Some(Suv)),
            ("Kia Sportage", Some(Suv)),
            ("Mercedes Sprinter", Some(Transporter)),
            ("ein Bus", Some(Transporter)),
            ("mein E-Auto", Some(ElektroHybrid)),
            ("VW ID.3", Some(ElektroHybrid)),
            ("e-Golf", Some(ElektroHybrid)),
            ("Toyota Hybrid", Some(ElektroHybrid)),
            ("Tesla Model 3", Some(ElektroHybrid)),
            ("my VW up", Some(Kleinwagen)),
            ("can you pick up my car", None),
            ("Smart-Repair am Kotflügel", None),
            ("Was kostet ein Ölwechsel?", None),
        ];
        for (text, class) in cases {
            assert_eq!(vehicle_class_in(text), class, "{text}");
        }
    }
}
