use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::accounts::workshop::{OpeningHours, Weekday};
use crate::catalog::VehicleClass;
use crate::chat::assistant::matching::CatalogIndex;
use crate::chat::assistant::memory::{Understanding, understand};
use crate::chat::assistant::vehicle::Vehicle;
use crate::chat::assistant::{Speaker, Turn, WorkshopFacts};
use crate::locale::Locale;

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
        aliases: ALIASES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.split('|').map(str::to_owned).collect())
            .unwrap_or_default(),
        translations: vec![],
    }
}

/// Other names customers use, as the standard catalog has them.
const ALIASES: [(&str, &str); 5] = [
    ("Ölwechsel", "Öl wechseln|Motoröl|oil change"),
    (
        "Bremsbeläge vorne erneuern",
        "Bremsbeläge|Bremsklötze|Bremsen quietschen|brake pads",
    ),
    ("Reifenwechsel", "Räderwechsel|Reifen wechseln|tyre change"),
    (
        "Klimaservice",
        "Klimawartung|Klima auffüllen|air conditioning service",
    ),
    ("Hauptuntersuchung (HU/AU)", "TÜV|HU|Hauptuntersuchung"),
];

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

/// A workshop whose catalog holds only the named entries.
fn found(catalog: &[CatalogEntry], names: &[&str]) -> Vec<CatalogEntry> {
    names
        .iter()
        .map(|name| {
            catalog
                .iter()
                .find(|e| e.name.starts_with(name))
                .unwrap_or_else(|| panic!("no entry {name}"))
                .clone()
        })
        .collect()
}

/// `text` understood in its conversation, over `catalog`.
fn understood(
    locale: Locale,
    history: &[Turn],
    text: &str,
    catalog: &[CatalogEntry],
) -> Understanding {
    understand(&CatalogIndex::new(catalog.to_vec()), history, text, locale)
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
    for day in &Weekday::ALL[..5] {
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
    let understood = understood(locale, history, text, catalog);
    let question = Question {
        workshop: facts,
        locale: understood.locale,
        history,
        text,
        catalog: &understood.entries,
        memory: &understood.memory,
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
        Lang::De | Lang::Tr => ('.', ','),
        Lang::En => (',', '.'),
        Lang::Pl => (' ', ','),
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
            Lang::De | Lang::Tr | Lang::Pl => {
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

/// Visitor messages and what the answer must do: locale | message | intents | cited entries |
/// whether the request form is offered.
const CASES: &str = "
    de | Was kostet ein Ölwechsel? | Price | Ölwechsel | no
    de | Hallo, was kostet ein Ölwechsel? | Greeting Price | Ölwechsel | no
    de | Wie teuer sind neue Bremsbeläge? | Price | Bremsbeläge vorne erneuern | no
    de | Preis für Reifenwechsel | Price | Reifenwechsel | no
    de | Was kostet der TÜV bei euch? | Price | Hauptuntersuchung (HU/AU) | no
    de | Wieviel kostet ein Klimaservice und Reifenwechsel? | Price | Klimaservice, Reifenwechsel | no
    de | Was kostet eine große Inspektion? | Price | Große Inspektion | no
    de | Was kostet eine Lackierung in Pink? | Price | | yes
    de | Ich brauche neue Bremsbeläge | Price | Bremsbeläge vorne erneuern | no
    de | Moin! Wann habt ihr offen? | Greeting OpeningHours | | no
    de | Öffnungszeiten? | OpeningHours | | no
    de | Habt ihr samstags auf? | OpeningHours | | no
    de | Guten Tag, ich hätte gern einen Termin | Greeting Appointment | | yes
    de | Wann kann ich vorbeikommen? | Appointment | | yes
    de | Wie ist eure Telefonnummer? | Contact | | no
    de | Wo seid ihr? Adresse bitte | Contact | | no
    de | Hallo | Greeting | | no
    de | Danke! | Thanks | | no
    de | Wie geht's? | SmallTalk | | no
    de | Mein Auto macht komische Geräusche | | | yes
    de | Kann ich einen Termin bekommen und was kostet ein Ölwechsel für meinen Polo? | Price Appointment | Ölwechsel | yes
    en | how much is a brake job | Price | Bremsbeläge vorne erneuern | no
    en | hi | Greeting | | no
    en | Are you open on Saturday? | OpeningHours | | no
    en | What's your e-mail address? | Contact | | no
    en | Where are you located and how much is an oil change? | Price Contact | Ölwechsel | no
    en | I'd like to book an appointment | Appointment | | yes
    en | Thanks a lot! | Thanks | | no
    en | How much does a paint job in pink cost? | Price | | yes
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
        let [locale, text, intents, cited_names, offer] = columns[..] else {
            panic!("bad case {line}");
        };
        let locale = if locale == "en" {
            Locale::En
        } else {
            Locale::De
        };
        let search = all.clone();
        let answer = ask(locale, text, &search).await;
        let lang = locale;
        let context = format!("{text:?}\n{}", answer.body);

        let understood = understood(locale, &[], text, &search);
        let question = Question {
            workshop: &facts,
            locale: understood.locale,
            history: &[],
            text,
            catalog: &understood.entries,
            memory: &understood.memory,
            now: friday_lunch(),
        };
        let found_intents: Vec<String> = intents_of(&question)
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
        &found(&all, &["Ölwechsel"]),
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
        &found(&all, &["Reifenwechsel"]),
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
        &found(&all, &["Klimaservice"]),
    )
    .await;
    assert!(answer.body.contains("79,90–129,90 €"), "{}", answer.body);

    let answer = ask(
        Locale::De,
        "Große Inspektion Preis?",
        &found(&all, &["Große"]),
    )
    .await;
    assert!(answer.body.contains("1.249 €"), "{}", answer.body);
    assert!(answer.body.contains("ca. 3 Std."), "{}", answer.body);

    let answer = ask(
        Locale::En,
        "How much is the aircon service? Klimaservice",
        &found(&all, &["Klimaservice"]),
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
    let search = found(&all, &["Ölwechsel", "Bremsbeläge"]);
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
            cited: vec![],
        },
        Turn {
            speaker: Speaker::Assistant,
            text: "Hallo! Wie kann ich helfen? Ein Golf wäre auch schön.".to_owned(),
            cited: vec![],
        },
    ];
    let search = found(&all, &["Ölwechsel"]);
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
            cited: vec![],
        },
        Turn {
            speaker: Speaker::Assistant,
            text: "- Ölwechsel: 39–89 €".to_owned(),
            cited: vec![search[0].id],
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
        &found(&all, &["Ölwechsel", "Reifenwechsel"]),
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
    let oil = found(&all, &["Ölwechsel"]);
    let history = [
        Turn {
            speaker: Speaker::Visitor,
            text: "Was kostet ein Ölwechsel?".to_owned(),
            cited: vec![],
        },
        Turn {
            speaker: Speaker::Assistant,
            text: "- Ölwechsel: 39–89 €".to_owned(),
            cited: vec![oil[0].id],
        },
    ];
    let (answer, _) = ask_with(
        Locale::De,
        &facts(),
        &history,
        "Und eine Lackierung?",
        &oil,
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
    let search = found(&all, &["Ölwechsel", "Klimaservice"]);
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
        let found = Vehicle::in_text(text).and_then(|v| v.vehicle_class);
        assert_eq!(found, class, "{text}");
    }
}
