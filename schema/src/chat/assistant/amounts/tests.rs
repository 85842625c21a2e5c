use uuid::Uuid;

use super::*;
use crate::accounts::workshop::Locale;
use crate::catalog::VehicleClass;
use crate::chat::assistant::builtin::format_price;

/// The amounts as (cents, currency, how they are written).
fn found(text: &str) -> Vec<(i64, Currency, &str)> {
    amounts_in(text)
        .into_iter()
        .map(|amount| (amount.cents, amount.currency, &text[amount.range]))
        .collect()
}

fn euros(text: &str) -> Vec<(i64, &str)> {
    found(text)
        .into_iter()
        .map(|(cents, currency, written)| {
            assert_eq!(currency, Currency::Euro, "{text:?}");
            (cents, written)
        })
        .collect()
}

fn entry(name: &str, min: i32, max: i32, classes: &[(VehicleClass, i32, i32)]) -> CatalogEntry {
    CatalogEntry {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        category: "Inspektion & Wartung".to_owned(),
        description: String::new(),
        min_cents: min,
        max_cents: max,
        vehicle_prices: classes.to_vec(),
        duration_minutes: Some(30),
        aliases: vec![],
        translations: vec![],
    }
}

fn catalog() -> Vec<CatalogEntry> {
    vec![
        entry(
            "Ölwechsel",
            3900,
            8900,
            &[(VehicleClass::Kompaktklasse, 4900, 6900)],
        ),
        entry("Bremsbeläge vorne", 4990, 123_450, &[]),
        entry("Klimaservice", 8900, 14900, &[]),
    ]
}

#[test]
fn reads_german_and_turkish_writing() {
    assert_eq!(euros("Das kostet 1.234,50 €."), [(123_450, "1.234,50 €")]);
    assert_eq!(euros("ab 49,90 € inkl. MwSt."), [(4990, "49,90 €")]);
    assert_eq!(euros("nur 89,- €"), [(8900, "89,- €")]);
    assert_eq!(euros("nur 89.– €"), [(8900, "89.– €")]);
    assert_eq!(euros("nur 89,-- Euro"), [(8900, "89,-- Euro")]);
    assert_eq!(
        euros("89€, 89 EUR, 89EUR"),
        [(8900, "89€"), (8900, "89 EUR"), (8900, "89EUR")]
    );
    assert_eq!(
        euros("89 Euro, 89 Euros, 89 euro, 89 EURO"),
        [
            (8900, "89 Euro"),
            (8900, "89 Euros"),
            (8900, "89 euro"),
            (8900, "89 EURO")
        ]
    );
    assert_eq!(euros("Yağ değişimi 89 avro'dur."), [(8900, "89 avro")]);
    assert_eq!(euros("Fiyat 1.234,50 €'dur."), [(123_450, "1.234,50 €")]);
    assert_eq!(
        found("Fiyat 1.234,50 TL'dir, ₺89 de olur."),
        [
            (123_450, Currency::Lira, "1.234,50 TL"),
            (8900, Currency::Lira, "₺89")
        ]
    );
}

#[test]
fn reads_english_writing() {
    assert_eq!(euros("It costs €1,234.50."), [(123_450, "€1,234.50")]);
    assert_eq!(
        euros("only €49.90, or € 89, or EUR 89"),
        [(4990, "€49.90"), (8900, "€ 89"), (8900, "EUR 89")]
    );
    assert_eq!(
        found("$89, US$89, USD 89, £89, GBP 89, CHF 1'234.50"),
        [
            (8900, Currency::UsDollar, "$89"),
            (8900, Currency::UsDollar, "US$89"),
            (8900, Currency::UsDollar, "USD 89"),
            (8900, Currency::PoundSterling, "£89"),
            (8900, Currency::PoundSterling, "GBP 89"),
            (123_450, Currency::SwissFranc, "CHF 1'234.50")
        ]
    );
    assert_eq!(
        found("89 dollars"),
        [(8900, Currency::UsDollar, "89 dollars")]
    );
}

#[test]
fn reads_polish_writing() {
    assert_eq!(euros("Hamulce: 1 234,50 €"), [(123_450, "1 234,50 €")]);
    assert_eq!(
        found("Hamulce: 1 234 zł, 1\u{a0}234 zł, 89 PLN, 89 złotych"),
        [
            (123_400, Currency::Zloty, "1 234 zł"),
            (123_400, Currency::Zloty, "1\u{a0}234 zł"),
            (8900, Currency::Zloty, "89 PLN"),
            (8900, Currency::Zloty, "89 złotych")
        ]
    );
}

#[test]
fn both_ends_of_a_range_are_amounts() {
    for (text, low, high) in [
        ("Ölwechsel 89–149 €.", "89", "149 €"),
        ("Ölwechsel 89 - 149 €.", "89", "149 €"),
        ("Ölwechsel 89-149€.", "89", "149€"),
        ("Ölwechsel 89 bis 149 Euro.", "89", "149 Euro"),
        ("Ölwechsel zwischen 89 und 149 €.", "89", "149 €"),
        ("Ölwechsel 89 oder 149 €.", "89", "149 €"),
        ("Ölwechsel 89,–149 €.", "89", "149 €"),
        ("Ölwechsel 89.- bis 149.- €.", "89.-", "149.- €"),
        ("An oil change is from €89 to €149.", "€89", "€149"),
        ("An oil change is €89–149.", "€89", "149"),
        ("An oil change is €89 - €149.", "€89", "€149"),
        ("An oil change is 89 to 149 euros.", "89", "149 euros"),
        ("Yağ değişimi 89 ile 149 € arası.", "89", "149 €"),
        ("Wymiana oleju od 89 do 149 €.", "89", "149 €"),
        ("Ölwechsel 89/149 €.", "89", "149 €"),
    ] {
        assert_eq!(euros(text), [(8900, low), (14900, high)], "{text:?}");
    }
    assert_eq!(euros("49,90–69,90 €"), [(4990, "49,90"), (6990, "69,90 €")]);
    assert_eq!(
        found("Wymiana oleju od 89 do 149 zł."),
        [
            (8900, Currency::Zloty, "89"),
            (14900, Currency::Zloty, "149 zł")
        ]
    );
}

#[test]
fn numbers_without_a_currency_are_no_amounts() {
    for text in [
        "Seit 1998 für Sie da: Mo–Fr 8:00–17:00 Uhr, Sa 9–13 Uhr.",
        "Das dauert 2 Stunden, also 120 Minuten, oder 1,5 h.",
        "Rufen Sie an: 0421 555 0192 oder +49 421 5550192.",
        "HSN 0603, TSN AKZ; Golf 7, Audi A4, BMW X5, 5W-30, 205/55 R16.",
        "Inklusive 19 % MwSt., 4 Reifen, 2 Jahre Garantie, bis 31.12.2025.",
        "89 Europäer, Europa 89, 5 TEUR, try 5 times.",
    ] {
        assert_eq!(found(text), [], "{text:?}");
    }
}

#[test]
fn three_digits_after_a_separator_group_thousands() {
    assert_eq!(euros("1.234 €"), [(123_400, "1.234 €")]);
    assert_eq!(euros("1,234 €"), [(123_400, "1,234 €")]);
    assert_eq!(euros("€1.234"), [(123_400, "€1.234")]);
    assert_eq!(euros("1.234.567 €"), [(123_456_700, "1.234.567 €")]);
    assert_eq!(euros("49.9 €, 1.23 €"), [(4990, "49.9 €"), (123, "1.23 €")]);
    // A number of four digits does not group: "1234 567" is two numbers.
    assert_eq!(euros("1234 567 €"), [(56700, "567 €")]);
}

#[test]
fn leans_towards_finding_an_amount() {
    // A marker between two numbers ties both.
    assert_eq!(euros("39 € 49"), [(3900, "39 €"), (4900, "49")]);
    // A malformed number next to a marker still yields an amount.
    assert!(!amounts_in("12.34.56 €").is_empty());
    // An overlong number saturates rather than wrapping into a real price.
    assert_eq!(
        euros("99999999999999999999999 €"),
        [(i64::MAX, "99999999999999999999999 €")]
    );
    // But a marker does not reach across lines, nor a comma join a duration to a price.
    assert_eq!(euros("- Ölwechsel: 39 €\n2. Inspektion"), [(3900, "39 €")]);
    assert_eq!(
        euros("Ölwechsel: 39–89 €, 30 Minuten"),
        [(3900, "39"), (8900, "89 €")]
    );
}

#[test]
fn reads_every_price_the_built_in_assistant_writes() {
    for locale in [Locale::De, Locale::En, Locale::Tr, Locale::Pl] {
        for (min, max) in [
            (3900, 8900),
            (4990, 4990),
            (1000, 8000),
            (99, 150),
            (0, 500),
            (123_450, 250_000),
            (100_000, 100_000),
            (1_234_567_800, 1_234_567_800),
        ] {
            let text = format_price(locale, min, max);
            let cents: Vec<i64> = amounts_in(&text).iter().map(|a| a.cents).collect();
            let expected: Vec<i64> = if min == max {
                vec![min.into()]
            } else {
                vec![min.into(), max.into()]
            };
            assert_eq!(cents, expected, "{text:?}");
        }
    }
}

#[test]
fn an_amount_is_backed_by_an_end_of_a_range() {
    let catalog = catalog();
    for cents in [3900, 8900, 4900, 6900, 4990, 123_450, 14900] {
        assert!(backed(cents, &catalog), "{cents}");
    }
    for cents in [0, 3800, 5000, 123_400, 14950] {
        assert!(!backed(cents, &catalog), "{cents}");
    }
    assert!(!backed(3900, &[]));
}

#[test]
fn lists_the_amounts_the_catalog_does_not_back() {
    let text = "Ölwechsel 39–89 €, Kompaktklasse 49–59 €, in Polen 39 zł.";
    let unbacked: Vec<(i64, Currency, &str)> = unbacked(text, &catalog())
        .into_iter()
        .map(|amount| (amount.cents, amount.currency, &text[amount.range]))
        .collect();
    assert_eq!(
        unbacked,
        [
            (5900, Currency::Euro, "59 €"),
            (3900, Currency::Zloty, "39 zł")
        ]
    );
}

#[test]
fn an_amount_shows_in_logs_without_its_text() {
    let amount = Amount {
        cents: 3905,
        currency: Currency::Euro,
        range: 7..12,
    };
    assert_eq!(amount.to_string(), "39.05 EUR");
    assert_eq!(
        Unbacked(amount).to_string(),
        "the catalog does not back 39.05 EUR"
    );
}

/// Answers whose amounts the catalog backs, in the four languages, with multi-byte characters
/// next to the amounts.
const BACKED: &[&str] = &[
    "Ein Ölwechsel kostet bei uns 39–89 €, für Ihren Golf (Kompaktklasse) 49–69 €. Dauer ca. \
     30 Minuten, Mo–Fr 8:00–17:00 Uhr, Tel. 0421 555 0192.",
    "An oil change costs €39–89; for a compact car from €49 to €69. Brakes: €49.90 to \
     €1,234.50.",
    "Yağ değişimi 39 ile 89 € arası, fren balatası 49,90 € ile 1.234,50 €. Süre 2 saat, ışık \
     kontrolü dahil.",
    "Wymiana oleju kosztuje od 39 do 89 €, klimatyzacja 89–149 €; łącznie 2 godziny pracy.",
    "Ölwechsel: 49,90 € bis 89,- €, Klimaservice 89.– bis 149,– €. Grüße aus Bremen – ü!",
    "Preise: EUR 39 bis EUR 89, 39 € 49 €; Klimaservice ab €89",
    "Bremsen: 1 234,50 €, Öl 39\u{a0}€ (2025 geprüft) ✓",
];

/// Answers with at least one amount the catalog does not back.
const UNBACKED: &[&str] = &[
    "Ein Ölwechsel kostet bei uns 37 €, inkl. MwSt.",
    "Für Ihren Golf: 49–59 € (Kompaktklasse), sonst 39–89 €.",
    "Oil change: €89–159 for SUVs, about 30 min.",
    "Wymiana oleju: 159 zł, czyli ok. 39 €.",
    "Ölwechsel 39 € und Bremsen 1.234 €.",
    "Yağ değişimi ₺890, fren 49,90 €.",
    "Ölwechsel zwischen 39 und 45 Euro, Dauer 2 Stunden.",
    "Klimaservice €89–1 499, schön für Sie ü",
    "Ölwechsel 89,–149,50 €",
    "Ölwechsel 39 € 2 Stunden",
    "Ölwechsel ab €3",
];

/// Feeds `text` cut at `cuts` through a gate: what was released, and how it ended.
fn gated(text: &str, cuts: &[usize], catalog: &[CatalogEntry]) -> (String, Result<(), Unbacked>) {
    let mut gate = AmountGate::new(catalog);
    let mut released = String::new();
    let mut from = 0;
    for cut in cuts.iter().copied().chain([text.len()]) {
        match gate.push(&text[from..cut]) {
            Ok(piece) => released.push_str(&piece),
            Err(unbacked) => return (released, Err(unbacked)),
        }
        let held = &text[released.len()..cut];
        assert!(
            held.is_empty()
                || held.starts_with(|c: char| c.is_ascii_digit())
                || MARKERS.iter().any(|m| {
                    let len = m.text.len().min(held.len());
                    m.placement == Placement::Either
                        && same(&held.as_bytes()[..len], &m.text.as_bytes()[..len], false)
                }),
            "only an amount is held back: {held:?} of {text:?}"
        );
        from = cut;
    }
    match gate.finish() {
        Ok(piece) => {
            released.push_str(&piece);
            (released, Ok(()))
        }
        Err(unbacked) => (released, Err(unbacked)),
    }
}

fn boundaries(text: &str) -> Vec<usize> {
    (1..text.len())
        .filter(|at| text.is_char_boundary(*at))
        .collect()
}

/// Every way to cut `text` into two or three chunks, and into single characters.
fn cuttings(text: &str) -> Vec<Vec<usize>> {
    let at = boundaries(text);
    let mut cuttings = vec![Vec::new(), at.clone()];
    for (i, first) in at.iter().enumerate() {
        cuttings.push(vec![*first]);
        for second in &at[i + 1..] {
            cuttings.push(vec![*first, *second]);
        }
    }
    cuttings
}

#[test]
fn the_gate_passes_backed_answers_whole_however_they_are_cut() {
    let catalog = catalog();
    for text in BACKED {
        assert_eq!(unbacked(text, &catalog), [], "{text:?}");
        for cuts in cuttings(text) {
            let (released, result) = gated(text, &cuts, &catalog);
            assert_eq!(result, Ok(()), "{text:?} cut at {cuts:?}");
            assert_eq!(released, *text, "cut at {cuts:?}");
        }
    }
}

#[test]
fn the_gate_never_releases_an_unbacked_amount_however_the_answer_is_cut() {
    let catalog = catalog();
    for text in UNBACKED {
        let unbacked = unbacked(text, &catalog);
        assert!(!unbacked.is_empty(), "{text:?}");
        let first_digit = |amount: &Amount| {
            amount.range.start
                + text[amount.range.clone()]
                    .find(|c: char| c.is_ascii_digit())
                    .expect("an amount has digits")
        };
        let earliest = unbacked.iter().map(first_digit).min().expect("one amount");
        for cuts in cuttings(text) {
            let (released, result) = gated(text, &cuts, &catalog);
            let Err(rejected) = result else {
                panic!("{text:?} cut at {cuts:?} passed");
            };
            assert!(
                unbacked.contains(&rejected.0),
                "{rejected} is read as the whole text reads it: {text:?} cut at {cuts:?}"
            );
            assert!(text.starts_with(&released));
            assert!(
                released.len() <= earliest,
                "{released:?} of {text:?} cut at {cuts:?}"
            );
        }
    }
}

#[test]
fn settled_text_reads_as_the_whole_answer_reads_it() {
    for text in BACKED.iter().chain(UNBACKED) {
        let whole = amounts_in(text);
        for at in boundaries(text) {
            let scan = scan(&text[..at], Reading::Growing);
            let settled = scan.open_from.unwrap_or(at);
            let early = |amounts: &[Amount]| -> Vec<Amount> {
                amounts
                    .iter()
                    .filter(|a| a.range.start < settled)
                    .cloned()
                    .collect()
            };
            assert_eq!(
                early(&scan.amounts),
                early(&whole),
                "{:?} settled before byte {settled}",
                &text[..at]
            );
        }
    }
}

#[test]
fn the_gate_holds_back_only_what_may_still_become_an_amount() {
    let catalog = catalog();
    let mut gate = AmountGate::new(&catalog);
    assert_eq!(gate.push("Ein Ölwechsel ").as_deref(), Ok("Ein Ölwechsel "));
    assert_eq!(gate.push("kostet 3").as_deref(), Ok("kostet "));
    assert_eq!(gate.push("9–8").as_deref(), Ok(""));
    assert_eq!(gate.push("9 ").as_deref(), Ok(""));
    assert_eq!(gate.push("€").as_deref(), Ok("39–89 €"));
    assert_eq!(gate.push(", ca. 30").as_deref(), Ok(", ca. "));
    assert_eq!(
        gate.push(" Min. Preis: €").as_deref(),
        Ok("30 Min. Preis: ")
    );
    assert_eq!(gate.push("49").as_deref(), Ok(""));
    assert_eq!(gate.push(" für Golf").as_deref(), Ok("€49 für Golf"));
    assert_eq!(gate.push(" 7").as_deref(), Ok(" "));
    assert_eq!(gate.finish().as_deref(), Ok("7"));
}

#[test]
fn the_gate_rejects_an_amount_as_soon_as_it_is_complete() {
    let catalog = catalog();
    let mut gate = AmountGate::new(&catalog);
    assert_eq!(
        gate.push("Ein Ölwechsel kostet 3").as_deref(),
        Ok("Ein Ölwechsel kostet ")
    );
    let rejected = gate.push("7 €").expect_err("37 € is not in the catalog");
    assert_eq!(rejected.0.cents, 3700);

    let mut gate = AmountGate::new(&catalog);
    assert_eq!(gate.push("Klima: 89–1").as_deref(), Ok("Klima: "));
    assert_eq!(gate.push("59").as_deref(), Ok(""));
    let rejected = gate
        .push(" € im Sommer")
        .expect_err("159 € is not in the catalog");
    assert_eq!(rejected.0.cents, 15900);

    let mut gate = AmountGate::new(&catalog);
    assert_eq!(gate.push("Ölwechsel ab €3").as_deref(), Ok("Ölwechsel ab "));
    let rejected = gate.finish().expect_err("the answer ends with an amount");
    assert_eq!(rejected.0.cents, 300);
}

#[test]
fn every_prefix_of_a_connector_may_still_join() {
    for between in [
        " – ",
        "–",
        " - ",
        ",–",
        ".-",
        " bis ",
        " BIS ",
        " to ",
        " ile ",
        " do ",
        " und ",
        " oder ",
        "/",
        " … ",
        "...",
        " bis € ",
        " to EUR ",
        " – US$ ",
    ] {
        for at in 0..=between.len() {
            if between.is_char_boundary(at) {
                assert!(may_join(&between[..at]), "{:?}", &between[..at]);
            }
        }
    }
    for closed in [" Uhr", ", 30", " x", " bisher", " -x", "Euro"] {
        assert!(!may_join(closed), "{closed:?}");
    }
}
