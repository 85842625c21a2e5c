//! German first, English on request: every visible text goes through [`t`].

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

/// The text for `key` in `lang`; unknown keys show themselves (and are easy to spot).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let (de, en) = match key {
        "app" => ("CarBot Konsole", "CarBot console"),
        "dashboard" => ("Übersicht", "Dashboard"),
        "leads" => ("Anfragen", "Leads"),
        "chats" => ("Live-Chats", "Live chats"),
        "services" => ("Leistungen", "Services"),
        "widget" => ("Widget & Keys", "Widget & keys"),
        "tokens" => ("API-Tokens", "API tokens"),
        "settings" => ("Einstellungen", "Settings"),
        "plan" => ("Tarif", "Plan"),
        "logout" => ("Abmelden", "Sign out"),
        "login" => ("Anmelden", "Sign in"),
        "register" => ("Registrieren", "Create account"),
        "email" => ("E-Mail", "E-mail"),
        "password" => ("Passwort", "Password"),
        "workshop_name" => ("Name der Werkstatt", "Workshop name"),
        "no_account" => (
            "Noch kein Konto? Jetzt registrieren",
            "No account yet? Create one",
        ),
        "have_account" => ("Schon registriert? Anmelden", "Already registered? Sign in"),
        "loading" => ("Wird geladen …", "Loading …"),
        "empty_leads" => (
            "Noch keine Anfragen. Sobald Besucher das Formular im Widget senden, erscheinen sie hier.",
            "No leads yet. They appear here as soon as visitors send the widget's form.",
        ),
        "empty_chats" => ("Noch keine Gespräche.", "No conversations yet."),
        "new_lead" => ("Neue Anfrage", "New lead"),
        "search" => ("Suchen", "Search"),
        "all" => ("Alle", "All"),
        "status" => ("Status", "Status"),
        "created" => ("Eingang", "Received"),
        "value" => ("Geschätzter Wert", "Estimated value"),
        "vehicle" => ("Fahrzeug", "Vehicle"),
        "contact" => ("Kontakt", "Contact"),
        "notes" => ("Notizen", "Notes"),
        "add_note" => ("Notiz hinzufügen", "Add note"),
        "transcript" => ("Gesprächsverlauf", "Transcript"),
        "back" => ("Zurück", "Back"),
        "list" => ("Liste", "List"),
        "pipeline" => ("Pipeline", "Pipeline"),
        "from" => ("Von", "From"),
        "to" => ("Bis", "To"),
        "take_over" => ("Übernehmen", "Take over"),
        "release" => ("An Assistent zurückgeben", "Hand back"),
        "send" => ("Senden", "Send"),
        "reply" => ("Antwort schreiben …", "Write a reply …"),
        "taken_over" => ("Sie antworten persönlich", "You are answering"),
        "assistant_active" => ("Der Assistent antwortet", "The assistant answers"),
        "leads_today" => ("Anfragen heute", "Leads today"),
        "leads_week" => ("Anfragen diese Woche", "Leads this week"),
        "chats_today" => ("Chats heute", "Chats today"),
        "chats_week" => ("Chats diese Woche", "Chats this week"),
        "conversion" => ("Abschlussquote", "Conversion rate"),
        "open_by_status" => ("Offene Anfragen nach Status", "Open leads by status"),
        "activity" => ("Aktuelle Aktivität", "Recent activity"),
        "vs_last_week" => ("ggü. Vorwoche", "vs. last week"),
        "message_from" => ("Nachricht", "Message"),
        "services_missing" => ("Keine Leistungen genannt", "No services named"),
        "error" => ("Fehler", "Error"),
        "save" => ("Speichern", "Save"),
        "cancel" => ("Abbrechen", "Cancel"),
        _ => (key, key),
    };
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

pub fn status_label(lang: Lang, status: &str) -> &'static str {
    let (de, en) = match status {
        "NEW" => ("Neu", "New"),
        "CONTACTED" => ("Kontaktiert", "Contacted"),
        "QUOTED" => ("Angebot", "Quoted"),
        "BOOKED" => ("Gebucht", "Booked"),
        "WON" => ("Gewonnen", "Won"),
        "LOST" => ("Verloren", "Lost"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// `89–149 €` from cents (whole euros where exact).
pub fn euros(min: i64, max: i64) -> String {
    fn one(cents: i64) -> String {
        if cents % 100 == 0 {
            format!("{}", cents / 100)
        } else {
            format!("{},{:02}", cents / 100, cents % 100)
        }
    }
    if min == max {
        format!("{} €", one(min))
    } else {
        format!("{}–{} €", one(min), one(max))
    }
}

/// `2026-11-29T13:05:00Z` → `29.11. 13:05`.
pub fn short_time(rfc3339: &str) -> String {
    let date = rfc3339.get(0..10).unwrap_or("");
    let time = rfc3339.get(11..16).unwrap_or("");
    let mut parts = date.split('-');
    let (_, month, day) = (parts.next(), parts.next(), parts.next());
    format!("{}.{}. {time}", day.unwrap_or(""), month.unwrap_or(""))
}
