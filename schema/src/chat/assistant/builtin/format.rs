//! The answer's sentences in German, English, Turkish and Polish: prices, durations, contact
//! details and appointments. Service names stay German (that is what the workshop's invoice
//! will say), with a short translation where one is known.

use super::Lang;
use super::hours::{intervals, week_line};
use crate::accounts::workshop::Weekday;
use crate::catalog::VehicleClass;
use crate::chat::assistant::vehicle::Vehicle;
use crate::chat::assistant::{CatalogEntry, WorkshopFacts};

pub(super) fn workshop_name(lang: Lang, facts: &WorkshopFacts) -> String {
    match (facts.name.trim(), lang) {
        ("", Lang::De) => "der Werkstatt".to_owned(),
        ("", Lang::En) => "the workshop".to_owned(),
        ("", Lang::Tr) => "atölye".to_owned(),
        ("", Lang::Pl) => "warsztatu".to_owned(),
        (name, _) => name.to_owned(),
    }
}

pub(super) fn hello(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "Hallo!",
        Lang::En => "Hello!",
        Lang::Tr => "Merhaba!",
        Lang::Pl => "Dzień dobry!",
    }
}

pub(super) fn you_are_welcome(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "Gern geschehen! Melden Sie sich jederzeit, wenn Sie noch Fragen haben.",
        Lang::En => "You're welcome! Just ask if there is anything else.",
        Lang::Tr => "Rica ederim! Başka bir sorunuz olursa her zaman yazabilirsiniz.",
        Lang::Pl => "Proszę bardzo! W razie kolejnych pytań jestem do dyspozycji.",
    }
}

/// What the visitor sees when the workshop's plan has lapsed: no answers, but the request form.
pub(super) fn plan_inactive(lang: Lang) -> &'static str {
    match lang {
        Lang::De => {
            "Vielen Dank für Ihre Nachricht! Hinterlassen Sie uns gern Ihre Kontaktdaten über das Anfrageformular – wir melden uns schnellstmöglich bei Ihnen."
        }
        Lang::En => {
            "Thank you for your message! Please leave your contact details in the request form and we will get back to you as soon as possible."
        }
        Lang::Tr => {
            "Mesajınız için teşekkürler! Lütfen iletişim bilgilerinizi talep formuna bırakın – en kısa sürede size dönüş yapacağız."
        }
        Lang::Pl => {
            "Dziękujemy za wiadomość! Prosimy zostawić dane kontaktowe w formularzu zapytania – odezwiemy się jak najszybciej."
        }
    }
}

/// A vehicle named without a question: it is noted for the prices and the request form.
pub(super) fn vehicle_noted(lang: Lang, vehicle: &Vehicle) -> String {
    let mut name: Vec<String> = Vec::new();
    name.extend(vehicle.make.clone());
    name.extend(vehicle.model_line());
    if let Some(year) = vehicle.year {
        name.push(format!("({year})"));
    }
    let mut described = name.join(" ");
    if let Some(class) = vehicle.vehicle_class {
        let label = class_label(lang, class);
        described = if described.is_empty() {
            label.to_owned()
        } else {
            format!("{described}, {label}")
        };
    }
    match lang {
        Lang::De => format!(
            "Danke, ich habe mir Ihr Fahrzeug notiert: {described}. Wobei kann ich helfen – \
             Preise, Öffnungszeiten oder ein Termin?"
        ),
        Lang::En => format!(
            "Thanks, I've noted your vehicle: {described}. How can I help – prices, opening \
             hours or an appointment?"
        ),
        Lang::Tr => format!(
            "Teşekkürler, aracınızı not ettim: {described}. Nasıl yardımcı olabilirim – \
             fiyatlar, çalışma saatleri veya randevu?"
        ),
        Lang::Pl => format!(
            "Dziękuję, zanotowałem pojazd: {described}. W czym mogę pomóc – ceny, godziny \
             otwarcia czy termin wizyty?"
        ),
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
        Lang::Tr => format!(
            "Merhaba! Ben {name} için çalışan dijital asistanım. Fiyatlar, çalışma saatleri, \
             randevular ve iletişim bilgileri hakkındaki sorularınızı yanıtlıyorum – nasıl \
             yardımcı olabilirim?"
        ),
        Lang::Pl => format!(
            "Dzień dobry! Jestem cyfrowym asystentem warsztatu {name}. Odpowiadam na pytania o \
             ceny, godziny otwarcia, terminy i kontakt – w czym mogę pomóc?"
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
        Lang::Tr => format!(
            "Sorduğunuz için teşekkürler, iyiyim! Ben {name} için çalışan dijital asistanım; \
             fiyatlar, çalışma saatleri, randevular ve iletişim bilgileri konusunda yardımcı \
             oluyorum."
        ),
        Lang::Pl => format!(
            "Dziękuję, wszystko w porządku! Jestem cyfrowym asystentem warsztatu {name} i \
             pomagam w sprawie cen, godzin otwarcia, terminów i danych kontaktowych."
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
        Lang::Tr => "Maalesef bunun için fiyat listemizde bir fiyat yok – tahminde bulunmak da \
                     istemem. Form üzerinden bir talep bırakabilirsiniz; atölye size bir \
                     teklifle dönüş yapacaktır."
            .to_owned(),
        Lang::Pl => "Niestety nie mam na to ceny w naszym cenniku – a nie chcę zgadywać. Proszę \
                     zostawić zapytanie przez formularz, a warsztat odezwie się z ofertą."
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
        Lang::Tr => "Bunu maalesef kesin olarak yanıtlayamıyorum ve size yanlış bir şey söylemek \
                     istemem. Fiyat listemizdeki fiyatları, çalışma saatlerimizi ve iletişim \
                     bilgilerimizi memnuniyetle paylaşırım. Diğer konular için lütfen form \
                     üzerinden bir talep bırakın – atölye sizinle iletişime geçecektir."
            .to_owned(),
        Lang::Pl => "Niestety nie potrafię odpowiedzieć na to z pewnością i nie chcę podać \
                     błędnej informacji. Chętnie podam ceny z naszego cennika, godziny otwarcia \
                     i dane kontaktowe. W pozostałych sprawach proszę zostawić zapytanie przez \
                     formularz – warsztat się odezwie."
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
        (Lang::Tr, VehicleClass::Kleinwagen) => "küçük araç",
        (Lang::Tr, VehicleClass::Kompaktklasse) => "kompakt araç",
        (Lang::Tr, VehicleClass::Mittelklasse) => "orta sınıf araç",
        (Lang::Tr, VehicleClass::Suv) => "SUV",
        (Lang::Tr, VehicleClass::Transporter) => "hafif ticari araç",
        (Lang::Tr, VehicleClass::ElektroHybrid) => "elektrikli/hibrit araç",
        (Lang::Pl, VehicleClass::Kleinwagen) => "auto małe",
        (Lang::Pl, VehicleClass::Kompaktklasse) => "auto kompaktowe",
        (Lang::Pl, VehicleClass::Mittelklasse) => "klasa średnia",
        (Lang::Pl, VehicleClass::Suv) => "SUV",
        (Lang::Pl, VehicleClass::Transporter) => "samochód dostawczy",
        (Lang::Pl, VehicleClass::ElektroHybrid) => "elektryk/hybryda",
    }
}

/// "Ölwechsel (oil change)": the German name, with its translation for other languages.
pub(super) fn service_name(lang: Lang, entry: &CatalogEntry) -> String {
    match entry.translation(lang) {
        Some(translation) if !translation.eq_ignore_ascii_case(entry.name.trim()) => {
            format!("{} ({translation})", entry.name.trim())
        }
        _ => entry.name.trim().to_owned(),
    }
}

/// How long the services take, or that the workshop will say.
pub(super) fn durations(lang: Lang, entries: &[&CatalogEntry]) -> String {
    let known: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            let minutes = e.duration_minutes.filter(|m| *m > 0)?;
            Some(format!(
                "\n- {}: {}",
                service_name(lang, e),
                format_duration(lang, minutes)
            ))
        })
        .collect();
    if known.is_empty() {
        return match lang {
            Lang::De => "Wie lange das dauert, hängt vom Fahrzeug ab – die Werkstatt sagt es \
                         Ihnen gern bei der Terminabsprache."
                .to_owned(),
            Lang::En => "How long that takes depends on the vehicle – the workshop will tell you \
                         when you arrange the appointment."
                .to_owned(),
            Lang::Tr => "Ne kadar süreceği araca bağlıdır – atölye randevu sırasında size \
                         bilgi verecektir."
                .to_owned(),
            Lang::Pl => {
                "Czas zależy od pojazdu – warsztat poda go przy ustalaniu terminu.".to_owned()
            }
        };
    }
    let intro = match lang {
        Lang::De => "So lange dauert es ungefähr:",
        Lang::En => "This is roughly how long it takes:",
        Lang::Tr => "Yaklaşık süre:",
        Lang::Pl => "Tyle mniej więcej to trwa:",
    };
    format!("{intro}{}", known.concat())
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
        (Lang::Tr, Some(class)) if any_class_price => format!(
            "Aracınız ({}) için fiyatlarımız, KDV dahil:",
            class_label(lang, class)
        ),
        (Lang::Pl, Some(class)) if any_class_price => format!(
            "Nasze ceny dla Państwa pojazdu ({}), z VAT:",
            class_label(lang, class)
        ),
        (Lang::De, _) => "Das kostet es laut unserer Preisliste, inkl. MwSt.:".to_owned(),
        (Lang::En, _) => "Here are the prices from our price list, VAT included:".to_owned(),
        (Lang::Tr, _) => "Fiyat listemize göre fiyatlar, KDV dahil:".to_owned(),
        (Lang::Pl, _) => "Ceny według naszego cennika, z VAT:".to_owned(),
    };
    for entry in entries {
        let (range, for_class) = match class_price(entry) {
            Some((min, max)) => (price_text(lang, min, max), class),
            None => (price_text(lang, entry.min_cents, entry.max_cents), None),
        };
        text.push_str("\n- ");
        text.push_str(&service_name(lang, entry));
        text.push_str(": ");
        text.push_str(&range);
        if let Some(class) = for_class {
            text.push_str(&match lang {
                Lang::De => format!(" (Preis für {})", class_label(lang, class)),
                Lang::En => format!(" (price for {})", class_label(lang, class)),
                Lang::Tr => format!(" ({} fiyatı)", class_label(lang, class)),
                Lang::Pl => format!(" (cena dla: {})", class_label(lang, class)),
            });
        }
        if let Some(minutes) = entry.duration_minutes.filter(|m| *m > 0) {
            text.push_str(match lang {
                Lang::De => ", Dauer ",
                Lang::En => ", takes ",
                Lang::Tr => ", süre ",
                Lang::Pl => ", czas ",
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
            Lang::Tr => {
                "Fiyat araç sınıfına da bağlıdır – modelinizi yazarsanız daha net bilgi \
                 verebilirim. "
            }
            Lang::Pl => {
                "Cena zależy też od klasy pojazdu – proszę podać model, wtedy podam dokładniej. "
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
        Lang::Tr => {
            "Kesin fiyat aracınıza ve yapılacak kontrole bağlıdır. Bağlayıcı bir teklif için \
             lütfen talep formunu kullanın."
        }
        Lang::Pl => {
            "Ostateczna cena zależy od pojazdu i stanu technicznego. Wiążącą ofertę otrzymają \
             Państwo przez formularz zapytania."
        }
    });
    text
}

/// A price range the way customers read it: "89–149 €" and "49,90 €" in German and Turkish,
/// "1 249 €" in Polish, "€89–149" and "€49.90" in English; a fixed price when `min` equals
/// `max`.
pub(crate) fn format_price(lang: Lang, min: i32, max: i32) -> String {
    price_text(lang, min, max)
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
        Lang::En => format!("€{amounts}"),
        Lang::De | Lang::Tr | Lang::Pl => format!("{amounts} €"),
    }
}

pub(super) fn format_euros(lang: Lang, cents: i32, with_cents: bool) -> String {
    let (thousands, decimal) = match lang {
        Lang::De | Lang::Tr => ('.', ','),
        Lang::En => (',', '.'),
        Lang::Pl => (' ', ','),
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
        Lang::Tr if hours == 0 => format!("yaklaşık {minutes} dk."),
        Lang::Tr if rest == 0 => format!("yaklaşık {hours} saat"),
        Lang::Tr if rest == 30 => format!("yaklaşık {hours},5 saat"),
        Lang::Tr => format!("yaklaşık {hours} saat {rest} dk."),
        Lang::Pl if hours == 0 => format!("ok. {minutes} min"),
        Lang::Pl if rest == 0 => format!("ok. {hours} godz."),
        Lang::Pl if rest == 30 => format!("ok. {hours},5 godz."),
        Lang::Pl => format!("ok. {hours} godz. {rest} min"),
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
        Lang::Tr => format!(
            "Memnuniyetle! {name} randevuları sizinle kişisel olarak ayarlar: istediğiniz \
             tarihi ve yapılacak işi talep formuna yazın, atölye size bir randevu önerisiyle \
             dönüş yapacaktır."
        ),
        Lang::Pl => format!(
            "Chętnie! Warsztat {name} ustala terminy indywidualnie: proszę wpisać preferowany \
             termin i zakres prac w formularzu zapytania, a warsztat zaproponuje termin."
        ),
    };
    if let Some(phone) = present(&facts.phone) {
        text.push_str(&match lang {
            Lang::De => format!(" Sie können auch anrufen: {phone}."),
            Lang::En => format!(" You can also call us: {phone}."),
            Lang::Tr => format!(" Bizi telefonla da arayabilirsiniz: {phone}."),
            Lang::Pl => format!(" Można też zadzwonić: {phone}."),
        });
    }
    let has_hours = Weekday::ALL
        .iter()
        .any(|day| !intervals(&facts.opening_hours, *day).is_empty());
    if with_hours && has_hours {
        text.push_str(match lang {
            Lang::De => " Unsere Öffnungszeiten: ",
            Lang::En => " Our opening hours: ",
            Lang::Tr => " Çalışma saatlerimiz: ",
            Lang::Pl => " Nasze godziny otwarcia: ",
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
        Lang::Tr => ["Telefon", "E-posta", "Adres", "Web sitesi"],
        Lang::Pl => ["Telefon", "E-mail", "Adres", "Strona internetowa"],
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
            Lang::Tr => "Maalesef atölyenin iletişim bilgileri elimde yok. Form üzerinden bir \
                         talep bırakabilirsiniz; atölye sizinle iletişime geçecektir."
                .to_owned(),
            Lang::Pl => "Niestety nie mam danych kontaktowych warsztatu. Proszę zostawić \
                         zapytanie przez formularz, a warsztat się odezwie."
                .to_owned(),
        };
        return (text, false);
    }
    let name = workshop_name(lang, facts);
    let intro = match lang {
        Lang::De => format!("So erreichen Sie {name}:"),
        Lang::En => format!("This is how to reach {name}:"),
        Lang::Tr => format!("{name} ile şu şekilde iletişime geçebilirsiniz:"),
        Lang::Pl => format!("Kontakt z warsztatem {name}:"),
    };
    (format!("{intro}\n{}", lines.join("\n")), true)
}
