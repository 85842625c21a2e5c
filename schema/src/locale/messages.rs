//! The user-error messages in the caller's language. The code writes them in German; this table
//! gives English for every message and Turkish and Polish for those a widget visitor can see.
//! Numbers in a message (limits, years) are carried over: the table writes them as `{}`.
//! Turkish and Polish callers get English where the table has neither; a message the table
//! lacks stays German (the test below keeps the table complete for the messages it lists).

use std::borrow::Cow;

use super::Locale;

/// German, English, Turkish, Polish (`""`: not translated).
const MESSAGES: &[(&str, &str, &str, &str)] = &[
    // What a widget visitor can see (startConversation, sendMessage, submitLead).
    (
        "Bitte Ihren Namen angeben.",
        "Please give your name.",
        "Lütfen adınızı girin.",
        "Proszę podać imię i nazwisko.",
    ),
    (
        "Höchstens {} Zeichen.",
        "At most {} characters.",
        "En fazla {} karakter.",
        "Maksymalnie {} znaków.",
    ),
    (
        "Keine gültige E-Mail-Adresse.",
        "Not a valid e-mail address.",
        "Geçerli bir e-posta adresi değil.",
        "Nieprawidłowy adres e-mail.",
    ),
    (
        "Keine gültige Telefonnummer.",
        "Not a valid phone number.",
        "Geçerli bir telefon numarası değil.",
        "Nieprawidłowy numer telefonu.",
    ),
    (
        "Bitte E-Mail-Adresse oder Telefonnummer angeben, damit wir Sie erreichen.",
        "Please give an e-mail address or a phone number so that we can reach you.",
        "Size ulaşabilmemiz için lütfen e-posta adresi veya telefon numarası girin.",
        "Proszę podać adres e-mail lub numer telefonu, abyśmy mogli się skontaktować.",
    ),
    (
        "Bitte stimmen Sie der Verarbeitung Ihrer Angaben zu.",
        "Please agree to the processing of your details.",
        "Lütfen bilgilerinizin işlenmesini onaylayın.",
        "Proszę wyrazić zgodę na przetwarzanie danych.",
    ),
    (
        "Baujahr zwischen {} und {}.",
        "Year of manufacture between {} and {}.",
        "Model yılı {} ile {} arasında olmalı.",
        "Rok produkcji między {} a {}.",
    ),
    (
        "Das Datum liegt in der Vergangenheit.",
        "The date is in the past.",
        "Tarih geçmişte.",
        "Data jest w przeszłości.",
    ),
    (
        "Höchstens ein Jahr im Voraus.",
        "At most a year ahead.",
        "En fazla bir yıl sonrası.",
        "Maksymalnie rok z wyprzedzeniem.",
    ),
    (
        "Höchstens {} Leistungen.",
        "At most {} services.",
        "En fazla {} hizmet.",
        "Maksymalnie {} usług.",
    ),
    (
        "Diese Leistung gibt es nicht.",
        "This service does not exist.",
        "Bu hizmet mevcut değil.",
        "Ta usługa nie istnieje.",
    ),
    (
        "Diesen Einwilligungstext hat das Widget nicht angezeigt. Bitte laden Sie die Seite neu.",
        "The widget did not show this consent text. Please reload the page.",
        "Bu onay metni widget'ta gösterilmedi. Lütfen sayfayı yeniden yükleyin.",
        "Widżet nie wyświetlił tej treści zgody. Proszę odświeżyć stronę.",
    ),
    (
        "Bitte eine Nachricht eingeben.",
        "Please enter a message.",
        "Lütfen bir mesaj yazın.",
        "Proszę wpisać wiadomość.",
    ),
    (
        "Keine gültige Seitenadresse.",
        "Not a valid page address.",
        "Geçerli bir sayfa adresi değil.",
        "Nieprawidłowy adres strony.",
    ),
    (
        "Dieser Client-Key ist unbekannt oder wurde widerrufen.",
        "This client key is unknown or was revoked.",
        "Bu istemci anahtarı bilinmiyor veya iptal edildi.",
        "Ten klucz klienta jest nieznany lub został unieważniony.",
    ),
    (
        "Dieses Gespräch gibt es nicht.",
        "This conversation does not exist.",
        "Bu sohbet mevcut değil.",
        "Ta rozmowa nie istnieje.",
    ),
    // What the console's people see.
    (
        "Diese Anfrage gibt es nicht.",
        "This request does not exist.",
        "",
        "",
    ),
    (
        "Der Name enthält unzulässige Zeichen.",
        "The name contains characters that are not allowed.",
        "",
        "",
    ),
    (
        "Zwischen {} und {} Tagen.",
        "Between {} and {} days.",
        "",
        "",
    ),
    (
        "Zwischen {} Minuten und einer Woche ({}).",
        "Between {} minutes and a week ({}).",
        "",
        "",
    ),
    (
        "Zeiten im Format HH:MM angeben.",
        "Give times as HH:MM.",
        "",
        "",
    ),
    (
        "Sie gehören nicht zu dieser Werkstatt.",
        "You do not belong to this workshop.",
        "",
        "",
    ),
    (
        "Rollen im Team sind OWNER und STAFF.",
        "Team roles are OWNER and STAFF.",
        "",
        "",
    ),
    (
        "Preise über {}.{}.{} € sind nicht möglich.",
        "Prices above €{},{},{} are not possible.",
        "",
        "",
    ),
    (
        "Preise können nicht negativ sein.",
        "Prices cannot be negative.",
        "",
        "",
    ),
    (
        "Mindestens eine Domain angeben, z. B. https://autohaus-nord.de.",
        "Give at least one domain, e.g. https://autohaus-nord.de.",
        "",
        "",
    ),
    (
        "Mindestens eine Berechtigung wählen.",
        "Choose at least one permission.",
        "",
        "",
    ),
    (
        "Ländercode nach ISO {}-{}, z. B. DE.",
        "An ISO {}-{} country code, e.g. DE.",
        "",
        "",
    ),
    (
        "Keine offene Einladung mit dieser ID.",
        "No open invitation with this ID.",
        "",
        "",
    ),
    (
        "Jede Fahrzeugklasse nur einmal.",
        "Each vehicle class only once.",
        "",
        "",
    ),
    (
        "In dieser Kategorie gibt es bereits eine Leistung mit diesem Namen.",
        "This category already has a service with this name.",
        "",
        "",
    ),
    (
        "Im Format https://autohaus-nord.de oder https://*.autohaus-nord.de angeben (ohne Pfad).",
        "Give it as https://autohaus-nord.de or https://*.autohaus-nord.de (without a path).",
        "",
        "",
    ),
    (
        "Ihre E-Mail-Adresse ist bereits bestätigt.",
        "Your e-mail address is already confirmed.",
        "",
        "",
    ),
    ("Höchstens {} Domains.", "At most {} domains.", "", ""),
    (
        "Höchstens {} Standorte je Organisation.",
        "At most {} locations per organisation.",
        "",
        "",
    ),
    (
        "Höchstens {} Zeilen je Import ({} erhalten).",
        "At most {} rows per import ({} received).",
        "",
        "",
    ),
    (
        "Höchstens {} Suchbegriffe mit je {} Zeichen.",
        "At most {} search terms of {} characters each.",
        "",
        "",
    ),
    ("Höchstens {} Zeiträume.", "At most {} time ranges.", "", ""),
    (
        "Für diese E-Mail-Adresse gibt es ein Konto: bitte mit dessen Passwort annehmen.",
        "This e-mail address has an account: please accept with its password.",
        "",
        "",
    ),
    (
        "Für diese E-Mail-Adresse gibt es bereits ein Konto. Bitte melden Sie sich an.",
        "This e-mail address already has an account. Please sign in.",
        "",
        "",
    ),
    (
        "Fahrzeugklassen-Preise müssen innerhalb der Preisspanne liegen.",
        "Vehicle class prices must lie within the price range.",
        "",
        "",
    ),
    (
        "Es gibt noch kein Zahlungskonto. Wählen Sie zuerst einen Tarif.",
        "There is no payment account yet. Choose a plan first.",
        "",
        "",
    ),
    (
        "Eingeladen wird als OWNER oder STAFF.",
        "Invitations are for OWNER or STAFF.",
        "",
        "",
    ),
    (
        "E-Mail-Adresse oder Passwort ist falsch.",
        "The e-mail address or password is wrong.",
        "",
        "",
    ),
    (
        "Dieses Token gibt es nicht.",
        "This token does not exist.",
        "",
        "",
    ),
    (
        "Diesen Client-Key gibt es nicht.",
        "This client key does not exist.",
        "",
        "",
    ),
    (
        "Diese Person gehört nicht zum Team.",
        "This person is not on the team.",
        "",
        "",
    ),
    (
        "Diese Person gehört bereits zum Team.",
        "This person is already on the team.",
        "",
        "",
    ),
    (
        "Diese Kategorie gibt es nicht.",
        "This category does not exist.",
        "",
        "",
    ),
    (
        "Diese E-Mail-Adresse gehört inzwischen zu einem anderen Konto.",
        "This e-mail address now belongs to another account.",
        "",
        "",
    ),
    (
        "Diese E-Mail-Adresse gehört bereits zu einem Konto.",
        "This e-mail address already belongs to an account.",
        "",
        "",
    ),
    (
        "Die Werkstatt braucht mindestens einen Inhaber. Ernennen Sie zuerst einen weiteren Inhaber.",
        "The workshop needs at least one owner. Appoint another owner first.",
        "",
        "",
    ),
    (
        "Die Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
        "The session has expired. Please sign in again.",
        "",
        "",
    ),
    (
        "Die Schließzeit muss nach der Öffnungszeit liegen.",
        "Closing must come after opening.",
        "",
        "",
    ),
    (
        "Die Einwilligung ist bereits widerrufen.",
        "The consent is already withdrawn.",
        "",
        "",
    ),
    (
        "Die Einladung ist ungültig, abgelaufen oder wurde schon angenommen.",
        "The invitation is invalid, has expired or was already accepted.",
        "",
        "",
    ),
    (
        "Die E-Mail-Adresse ist zu lang.",
        "The e-mail address is too long.",
        "",
        "",
    ),
    (
        "Die Datei enthält keine Leistungen.",
        "The file contains no services.",
        "",
        "",
    ),
    (
        "Die CSV-Datei ist nicht lesbar.",
        "The CSV file cannot be read.",
        "",
        "",
    ),
    (
        "Der Link ist ungültig, abgelaufen oder wurde schon benutzt.",
        "The link is invalid, has expired or was already used.",
        "",
        "",
    ),
    (
        "Der Link ist ungültig, abgelaufen oder wurde schon benutzt. Bitte fordern Sie einen neuen an.",
        "The link is invalid, has expired or was already used. Please ask for a new one.",
        "",
        "",
    ),
    (
        "Der Höchstpreis muss mindestens so hoch sein wie der Mindestpreis.",
        "The maximum price must be at least the minimum price.",
        "",
        "",
    ),
    (
        "Dauer zwischen {} Minute und einer Woche.",
        "A duration between {} minute and a week.",
        "",
        "",
    ),
    (
        "Das aktuelle Passwort stimmt nicht.",
        "The current password is wrong.",
        "",
        "",
    ),
    (
        "Das Passwort stimmt nicht.",
        "The password is wrong.",
        "",
        "",
    ),
    (
        "Das Ablaufdatum muss in der Zukunft liegen.",
        "The expiry date must be in the future.",
        "",
        "",
    ),
    (
        "Bitte geben Sie eine E-Mail-Adresse an.",
        "Please give an e-mail address.",
        "",
        "",
    ),
    (
        "Bitte geben Sie der Leistung einen Namen.",
        "Please give the service a name.",
        "",
        "",
    ),
    (
        "Bitte geben Sie den Namen der Werkstatt an.",
        "Please give the workshop's name.",
        "",
        "",
    ),
    (
        "Bitte geben Sie dem Token einen Namen.",
        "Please give the token a name.",
        "",
        "",
    ),
    (
        "Bitte eine vollständige Adresse mit https:// angeben.",
        "Please give a full address with https://.",
        "",
        "",
    ),
    (
        "Bitte eine Telefonnummer mit mindestens fünf Ziffern angeben.",
        "Please give a phone number with at least five digits.",
        "",
        "",
    ),
    ("Bitte eine Notiz eingeben.", "Please enter a note.", "", ""),
    (
        "Bitte eine Bezeichnung angeben, z. B. „Website“.",
        "Please give a label, e.g. “Website”.",
        "",
        "",
    ),
    (
        "Bitte E-Mail-Adresse oder Telefonnummer der Person angeben.",
        "Please give the person's e-mail address or phone number.",
        "",
        "",
    ),
    // Composed messages of the owner's console and the API (a `{}` carries a name over).
    (
        "Diese Funktion gehört zum Tarif {}. Bitte wechseln Sie den Tarif.",
        "This feature is part of the {} plan. Please change your plan.",
        "",
        "",
    ),
    (
        "Eine Anfrage im Status {} kann nicht zu {} wechseln.",
        "A lead in status {} cannot move to {}.",
        "",
        "",
    ),
    (
        "Der Name {} lässt sich nicht auflösen.",
        "The name {} does not resolve.",
        "",
        "",
    ),
    (
        "Die Adresse zeigt auf {}, ein internes oder reserviertes Netz.",
        "The address points to {}, an internal or reserved network.",
        "",
        "",
    ),
    (
        "Unbekannter Ereignistyp „{}“; möglich sind {}.",
        "Unknown event type “{}”; possible are {}.",
        "",
        "",
    ),
    (
        "Die Kopfzeile muss lauten: {}",
        "The header line must read: {}",
        "",
        "",
    ),
    ("Zeile nicht lesbar: {}", "Line not readable: {}", "", ""),
    (
        "{}: Formeln sind nicht erlaubt",
        "{}: formulas are not allowed",
        "",
        "",
    ),
    (
        "vehicle_prices: \"{}\" ist nicht KLASSE=min-max",
        "vehicle_prices: \"{}\" is not CLASS=min-max",
        "",
        "",
    ),
    ("Unterstützt: {}.", "Supported: {}.", "", ""),
    (
        "Höchstens {} Endpunkte je Werkstatt.",
        "At most {} endpoints per workshop.",
        "",
        "",
    ),
    ("Höchstens {} Zeiträume.", "At most {} intervals.", "", ""),
    (
        "Preise über {}.{}.{} € sind nicht möglich.",
        "Prices above €{},{},{} are not possible.",
        "",
        "",
    ),
    (
        "Ländercode nach ISO {}-{}, z. B. DE.",
        "Country code per ISO {}-{}, e.g. DE.",
        "",
        "",
    ),
    (
        "Mindestens ein Ereignistyp.",
        "At least one event type.",
        "",
        "",
    ),
    (
        "Die Adresse braucht einen Host.",
        "The address needs a host.",
        "",
        "",
    ),
    ("Keine gültige URL.", "Not a valid URL.", "", ""),
    (
        "Nur http:// und https:// sind möglich.",
        "Only http:// and https:// are possible.",
        "",
        "",
    ),
    (
        "Zugangsdaten gehören nicht in die URL; die Signatur weist CarBot aus.",
        "Credentials do not belong in the URL; the signature identifies CarBot.",
        "",
        "",
    ),
    (
        "Diesen Webhook-Endpunkt gibt es nicht.",
        "This webhook endpoint does not exist.",
        "",
        "",
    ),
    (
        "Diesen Webhook-Versand gibt es nicht.",
        "This webhook delivery does not exist.",
        "",
        "",
    ),
    // Passwords (registration, reset, invitations, the owner's password change).
    (
        "Das Passwort muss mindestens {} Zeichen lang sein.",
        "The password must be at least {} characters long.",
        "Parola en az {} karakter uzunluğunda olmalıdır.",
        "Hasło musi mieć co najmniej {} znaków.",
    ),
    (
        "Das Passwort darf höchstens {} Zeichen lang sein.",
        "The password may be at most {} characters long.",
        "Parola en fazla {} karakter uzunluğunda olabilir.",
        "Hasło może mieć najwyżej {} znaków.",
    ),
    (
        "Dieses Passwort ist zu verbreitet; bitte wählen Sie ein anderes.",
        "This password is too common; please choose another one.",
        "Bu parola çok yaygın; lütfen başka bir tane seçin.",
        "To hasło jest zbyt popularne; proszę wybrać inne.",
    ),
    (
        "Das Passwort darf nicht Ihre E-Mail-Adresse sein.",
        "The password must not be your e-mail address.",
        "Parola e-posta adresiniz olamaz.",
        "Hasło nie może być Twoim adresem e-mail.",
    ),
    // The catalog import's line problems (`column: ` stays in front, untranslated).
    ("Zeile nicht lesbar: {}", "Line cannot be read: {}", "", ""),
    ("{} Spalten statt {}", "{} columns instead of {}", "", ""),
    (
        "Formeln sind nicht erlaubt",
        "formulas are not allowed",
        "",
        "",
    ),
    (
        "\"{}\" ist keine Kategorie dieser Werkstatt",
        "\"{}\" is not a category of this workshop",
        "",
        "",
    ),
    (
        "\"{}\" ist kein Betrag in Cent",
        "\"{}\" is not an amount in cents",
        "",
        "",
    ),
    ("\"{}\" ist keine Zahl", "\"{}\" is not a number", "", ""),
    (
        "\"{}\" ist weder true noch false",
        "\"{}\" is neither true nor false",
        "",
        "",
    ),
    (
        "\"{}\" ist nicht KLASSE=min-max",
        "\"{}\" is not CLASS=min-max",
        "",
        "",
    ),
    ("{} doppelt", "{} given twice", "", ""),
    (
        "kommt in dieser Kategorie in der Datei zweimal vor",
        "appears twice in this category in the file",
        "",
        "",
    ),
];

/// `text` with every run of digits replaced by `{}`, and the runs.
fn template(text: &str) -> (String, Vec<&str>) {
    let mut shape = String::with_capacity(text.len());
    let mut numbers = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (true, Some(_)) => {}
            (false, Some(from)) => {
                numbers.push(&text[from..i]);
                shape.push_str("{}");
                shape.push(c);
                start = None;
            }
            (false, None) => shape.push(c),
        }
    }
    if let Some(from) = start {
        numbers.push(&text[from..]);
        shape.push_str("{}");
    }
    (shape, numbers)
}

fn fill(translated: &str, numbers: &[&str]) -> String {
    let mut out = String::with_capacity(translated.len() + 8);
    let mut numbers = numbers.iter();
    let mut parts = translated.split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            out.push_str(numbers.next().copied().unwrap_or_default());
        }
    }
    out
}

/// The parts of `text` that the `{}` of `pattern` stand for, if `text` has the pattern's shape
/// (a `{}` stands for any text: a host name, a plan, a list of event types).
fn captures<'a>(pattern: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let mut pieces = pattern.split("{}");
    let first = pieces.next()?;
    let mut rest = text.strip_prefix(first)?;
    let pieces: Vec<&str> = pieces.collect();
    let mut found = Vec::with_capacity(pieces.len());
    for (index, piece) in pieces.iter().enumerate() {
        let last = index + 1 == pieces.len();
        let end = if last {
            rest.strip_suffix(piece).map(str::len)?
        } else if piece.is_empty() {
            return None;
        } else {
            rest.find(piece)?
        };
        found.push(&rest[..end]);
        rest = &rest[end + piece.len()..];
    }
    Some(found)
}

/// A German user-error message in `locale`.
pub fn translate(german: &str, locale: Locale) -> Cow<'_, str> {
    if locale == Locale::De {
        return Cow::Borrowed(german);
    }
    let pick =
        |(_, en, tr, pl): &(&'static str, &'static str, &'static str, &'static str)| match locale {
            Locale::Tr if !tr.is_empty() => *tr,
            Locale::Pl if !pl.is_empty() => *pl,
            _ => *en,
        };
    let (shape, numbers) = template(german);
    if let Some(entry) = MESSAGES.iter().find(|(de, ..)| *de == shape) {
        return Cow::Owned(fill(pick(entry), &numbers));
    }
    // Composed messages: what a `{}` stands for is carried over as it is.
    for entry in MESSAGES.iter().filter(|(de, ..)| de.contains("{}")) {
        if let Some(parts) = captures(entry.0, german) {
            return Cow::Owned(fill(pick(entry), &parts));
        }
    }
    Cow::Borrowed(german)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_and_import_problems_are_translated() {
        assert_eq!(
            translate(
                "Das Passwort muss mindestens 10 Zeichen lang sein.",
                Locale::En
            ),
            "The password must be at least 10 characters long."
        );
        assert_eq!(
            translate(
                "Das Passwort darf nicht Ihre E-Mail-Adresse sein.",
                Locale::Pl
            ),
            "Hasło nie może być Twoim adresem e-mail."
        );
        assert_eq!(
            translate("\"zehn\" ist keine Zahl", Locale::En),
            "\"zehn\" is not a number"
        );
        assert_eq!(
            translate("\"12\" ist keine Zahl", Locale::En),
            "\"12\" is not a number"
        );
        assert_eq!(
            translate("7 Spalten statt 9", Locale::En),
            "7 columns instead of 9"
        );
    }

    #[test]
    fn messages_are_translated_with_their_numbers() {
        assert_eq!(
            translate("Höchstens 100 Zeichen.", Locale::En),
            "At most 100 characters."
        );
        assert_eq!(
            translate("Baujahr zwischen 1900 und 2027.", Locale::Pl),
            "Rok produkcji między 1900 a 2027."
        );
        assert_eq!(
            translate("Bitte Ihren Namen angeben.", Locale::Tr),
            "Lütfen adınızı girin."
        );
        assert_eq!(
            translate("Diese Anfrage gibt es nicht.", Locale::Tr),
            "This request does not exist.",
            "English where Turkish is missing"
        );
        assert_eq!(translate("Unbekannt.", Locale::En), "Unbekannt.");
        assert_eq!(
            translate("Preise über 1.000.000 € sind nicht möglich.", Locale::En),
            "Prices above €1,000,000 are not possible."
        );
        assert_eq!(
            translate(
                "Diese Funktion gehört zum Tarif Enterprise. Bitte wechseln Sie den Tarif.",
                Locale::En
            ),
            "This feature is part of the Enterprise plan. Please change your plan."
        );
        assert_eq!(
            translate(
                "Unbekannter Ereignistyp „lead.deleted“; möglich sind lead.created, lead.updated.",
                Locale::Tr
            ),
            "Unknown event type “lead.deleted”; possible are lead.created, lead.updated.",
            "English where Turkish is missing, the names carried over"
        );
        assert_eq!(
            translate("Höchstens 5 Zeichen.", Locale::De),
            "Höchstens 5 Zeichen."
        );
    }

    #[test]
    fn every_entry_has_english_and_the_same_placeholders() {
        for (de, en, tr, pl) in MESSAGES {
            assert!(!en.is_empty(), "{de}");
            let holes = de.matches("{}").count();
            for other in [en, tr, pl].into_iter().filter(|t| !t.is_empty()) {
                assert_eq!(other.matches("{}").count(), holes, "{de} / {other}");
            }
            assert!(
                !de.chars().any(|c| c.is_ascii_digit()),
                "numbers as {{}}: {de}"
            );
        }
    }
}
