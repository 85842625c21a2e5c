//! The answer's sentences: prices, durations, contact details and appointments, per language.

use super::hours::{WEEK, intervals, week_line};
use super::{Lang, lang};
use crate::accounts::workshop::Locale;
use crate::catalog::VehicleClass;
use crate::chat::assistant::{CatalogEntry, WorkshopFacts};

pub(super) fn workshop_name(lang: Lang, facts: &WorkshopFacts) -> String {
    match (facts.name.trim(), lang) {
        ("", Lang::De) => "der Werkstatt".to_owned(),
        ("", Lang::En) => "the workshop".to_owned(),
        (name, _) => name.to_owned(),
    }
}

pub(super) fn greeting(lang: Lang, facts: &WorkshopFacts) -> String {
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

pub(super) fn small_talk(lang: Lang, facts: &WorkshopFacts) -> String {
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

pub(super) fn no_price(lang: Lang) -> String {
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

pub(super) fn unknown(lang: Lang) -> String {
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

pub(super) fn class_label(lang: Lang, class: VehicleClass) -> &'static str {
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

pub(super) fn prices(lang: Lang, entries: &[&CatalogEntry], class: Option<VehicleClass>) -> String {
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

pub(super) fn price_text(lang: Lang, min: i32, max: i32) -> String {
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

pub(super) fn format_euros(lang: Lang, cents: i32, with_cents: bool) -> String {
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

pub(super) fn format_duration(lang: Lang, minutes: i32) -> String {
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

pub(super) fn appointment(lang: Lang, facts: &WorkshopFacts, with_hours: bool) -> String {
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

pub(super) fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The contact paragraph and whether any contact details are on file.
pub(super) fn contact(lang: Lang, facts: &WorkshopFacts) -> (String, bool) {
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
