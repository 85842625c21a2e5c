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
        "pg_check_fields" => (
            "Bitte prüfen Sie die markierten Angaben.",
            "Please check the marked entries.",
        ),
        "pg_close" => ("Schließen", "Close"),
        "pg_copied" => ("Kopiert", "Copied"),
        "pg_copy" => ("Kopieren", "Copy"),
        "pg_copy_failed" => (
            "Kopieren geht hier nicht – bitte markieren und mit Strg+C kopieren.",
            "Copying is not possible here – select the text and press Ctrl+C.",
        ),
        "pg_load_failed" => ("Konnte nicht geladen werden:", "Could not load:"),
        "pg_retry" => ("Erneut versuchen", "Try again"),
        "pg_saved" => ("Gespeichert", "Saved"),
        "pg_saving" => ("Wird gespeichert …", "Saving …"),
        "pg_unlimited" => ("unbegrenzt", "unlimited"),
        "pg_unlimited_cap" => ("Unbegrenzt viele", "Unlimited"),
        "svc_actions" => ("Aktionen", "Actions"),
        "svc_active" => ("Aktiv", "Active"),
        "svc_add" => ("Leistung hinzufügen", "Add service"),
        "svc_amount_invalid" => (
            "Betrag in Euro angeben, z. B. 49 oder 49,90.",
            "Enter an amount in euros, e.g. 49 or 49.90.",
        ),
        "svc_category" => ("Kategorie", "Category"),
        "svc_category_missing" => ("Bitte eine Kategorie wählen.", "Please choose a category."),
        "svc_check" => ("Prüfen", "Check"),
        "svc_count" => ("Leistungen", "services"),
        "svc_created" => ("Leistung angelegt", "Service added"),
        "svc_delete" => ("Löschen", "Delete"),
        "svc_delete_question" => ("Wirklich löschen?", "Delete for good?"),
        "svc_delete_yes" => ("Ja, löschen", "Yes, delete"),
        "svc_deleted" => ("Leistung gelöscht", "Service deleted"),
        "svc_description" => ("Beschreibung", "Description"),
        "svc_duration" => ("Dauer", "Duration"),
        "svc_duration_invalid" => (
            "Dauer in ganzen Minuten angeben.",
            "Enter the duration in whole minutes.",
        ),
        "svc_duration_minutes" => ("Dauer (Minuten)", "Duration (minutes)"),
        "svc_edit_price" => ("Preis ändern", "Edit price"),
        "svc_empty" => (
            "Noch keine Leistungen. Installieren Sie den Standardkatalog mit rund 280 typischen Werkstattleistungen oder legen Sie mit „+“ eine eigene an.",
            "No services yet. Install the standard catalog with about 280 typical workshop services, or add your own with “+”.",
        ),
        "svc_export" => ("CSV exportieren", "Export CSV"),
        "svc_file_too_big" => (
            "Die Datei ist zu groß (höchstens 2 MB).",
            "The file is too large (2 MB at most).",
        ),
        "svc_fixed" => ("Festpreis", "fixed price"),
        "svc_fixed_hint" => (
            "Gleicher Betrag bei Von und Bis = Festpreis.",
            "The same amount in both = fixed price.",
        ),
        "svc_from" => ("Von", "From"),
        "svc_hours_short" => ("Std.", "h"),
        "svc_import" => ("CSV importieren", "Import CSV"),
        "svc_import_file" => ("CSV-Datei wählen", "Choose a CSV file"),
        "svc_import_hint" => (
            "Komma- oder semikolongetrennt, Preise in Cent. Leistungen mit gleichem Namen in derselben Kategorie werden aktualisiert, die übrigen hinzugefügt. Erst prüfen, dann importieren. Kopfzeile:",
            "Comma or semicolon separated, prices in cents. Services with the same name in the same category are updated, the others added. Check first, then import. Header line:",
        ),
        "svc_import_now" => ("Importieren", "Import"),
        "svc_import_text" => ("… oder CSV-Text einfügen", "… or paste CSV text"),
        "svc_import_valid_only" => (
            "Nur gültige Zeilen importieren",
            "Import the valid rows only",
        ),
        "svc_imported" => ("Importiert", "Imported"),
        "svc_install" => ("Standardkatalog installieren", "Install standard catalog"),
        "svc_installed" => (
            "Aus dem Standardkatalog hinzugefügt",
            "Added from the standard catalog",
        ),
        "svc_installed_none" => (
            "Alle Leistungen des Standardkatalogs sind schon vorhanden.",
            "All standard catalog services are already there.",
        ),
        "svc_max_price" => ("Bis (€, leer = Festpreis)", "To (€, empty = fixed price)"),
        "svc_min_price" => ("Preis von (€)", "Price from (€)"),
        "svc_minutes_short" => ("Min.", "min"),
        "svc_more" => ("Weitere laden", "Load more"),
        "svc_name" => ("Leistung", "Service"),
        "svc_none_found" => (
            "Keine Leistung gefunden. Andere Kategorie oder anderer Suchbegriff?",
            "No service found. Another category or search term?",
        ),
        "svc_off" => ("Aus", "Off"),
        "svc_on" => ("An", "On"),
        "svc_price" => ("Preis", "Price"),
        "svc_price_hint" => (
            "Preise inkl. 19 % MwSt.: eine Spanne (z. B. 10 bis 80 €) oder ein Festpreis.",
            "Prices incl. 19 % VAT: a range (e.g. 10 to 80 €) or a fixed price.",
        ),
        "svc_rows_bad" => ("Fehlerhafte Zeilen", "Rows with errors"),
        "svc_rows_ok" => ("Gültige Zeilen", "Valid rows"),
        "svc_search_placeholder" => ("z. B. Ölwechsel, Bremsen", "e.g. oil change, brakes"),
        "svc_to" => ("Bis", "To"),
        "svc_vehicle_classes" => (
            "Fahrzeugklassen mit eigenem Preis",
            "vehicle classes with their own price",
        ),
        "wg_active" => ("Aktiv", "Active"),
        "wg_active_keys" => ("Aktive Keys", "Active keys"),
        "wg_add_console" => (
            "Diese Konsole für die Vorschau erlauben",
            "Allow this console for the preview",
        ),
        "wg_bottom_left" => ("Unten links", "Bottom left"),
        "wg_bottom_right" => ("Unten rechts", "Bottom right"),
        "wg_colour" => (
            "Farbe (Markenfarbe der Werkstatt, #RRGGBB)",
            "Colour (the workshop's brand colour, #RRGGBB)",
        ),
        "wg_consent" => (
            "Einwilligungstext im Anfrageformular",
            "Consent text in the lead form",
        ),
        "wg_conversations" => ("Gespräche", "Conversations"),
        "wg_copy_snippet" => ("Code kopieren", "Copy code"),
        "wg_create" => ("Key erstellen", "Create key"),
        "wg_created" => ("Erstellt am", "Created"),
        "wg_created_notice" => ("Client-Key erstellt", "Client key created"),
        "wg_default_hint" => (
            "Leer lassen für den Standardtext.",
            "Leave empty for the default text.",
        ),
        "wg_edit_origins" => ("Domains bearbeiten", "Edit domains"),
        "wg_greeting" => ("Begrüßung", "Greeting"),
        "wg_keys" => ("Client-Keys", "Client keys"),
        "wg_keys_hint" => (
            "Ein Client-Key verbindet das Widget auf Ihrer Website mit CarBot. Er funktioniert nur auf den Domains, die Sie erlauben.",
            "A client key connects the widget on your website with CarBot. It works only on the domains you allow.",
        ),
        "wg_label" => ("Bezeichnung (z. B. Website)", "Label (e.g. Website)"),
        "wg_limit_reached" => (
            "Alle Client-Keys Ihres Tarifs sind in Gebrauch. Widerrufen Sie einen Key oder wechseln Sie den Tarif.",
            "All client keys of your plan are in use. Revoke a key or change your plan.",
        ),
        "wg_line" => ("Zeile", "Line"),
        "wg_look" => ("Aussehen", "Appearance"),
        "wg_messages" => ("Nachrichten", "Messages"),
        "wg_new_key" => ("Neuer Client-Key", "New client key"),
        "wg_no_keys" => (
            "Noch keine Client-Keys. Erstellen Sie unten einen, um das Widget einzubinden.",
            "No client keys yet. Create one below to embed the widget.",
        ),
        "wg_origins" => ("Erlaubte Domains", "Allowed domains"),
        "wg_origins_hint" => (
            "Eine pro Zeile, z. B. https://autohaus-nord.de oder https://*.autohaus-nord.de für alle Subdomains.",
            "One per line, e.g. https://autohaus-nord.de or https://*.autohaus-nord.de for every subdomain.",
        ),
        "wg_position" => ("Position", "Position"),
        "wg_preview" => ("Vorschau", "Preview"),
        "wg_preview_allow" => ("Domain erlauben:", "Allow domain"),
        "wg_preview_key" => ("Vorschau mit dem Key", "Preview with the key"),
        "wg_preview_no_key" => (
            "Für die Vorschau brauchen Sie einen aktiven Client-Key.",
            "The preview needs an active client key.",
        ),
        "wg_preview_origin_1" => ("Die Vorschau läuft auf", "The preview runs on"),
        "wg_preview_origin_2" => (
            "Diese Adresse ist nicht erlaubt für den Key",
            "This address is not allowed for the key",
        ),
        "wg_preview_page" => (
            "Beispielseite: So erscheint der Chat auf Ihrer Website.",
            "Sample page: this is how the chat appears on your website.",
        ),
        "wg_preview_real" => (
            "Es ist das echte Widget: Nachrichten hier sind echte Gespräche.",
            "This is the real widget: messages here are real conversations.",
        ),
        "wg_revoke" => ("Widerrufen", "Revoke"),
        "wg_revoke_question" => (
            "Key widerrufen? Das Widget hört auf allen Seiten mit diesem Key sofort auf. Gespräche und Anfragen bleiben erhalten.",
            "Revoke the key? The widget stops at once on every page that uses it. Conversations and leads stay.",
        ),
        "wg_revoke_yes" => ("Ja, widerrufen", "Yes, revoke"),
        "wg_revoked" => ("Widerrufen", "Revoked"),
        "wg_revoked_at" => ("widerrufen am", "revoked"),
        "wg_revoked_notice" => ("Client-Key widerrufen", "Client key revoked"),
        "wg_snippet" => (
            "Einbindungscode (vor </body> einfügen)",
            "Embed code (paste before </body>)",
        ),
        "tok_active" => ("Aktiv", "Active"),
        "tok_analytics_read" => ("Auswertungen lesen", "read analytics"),
        "tok_analytics_read_hint" => ("Kennzahlen abrufen.", "Fetch KPIs."),
        "tok_catalog_read" => ("Katalog lesen", "read catalog"),
        "tok_catalog_read_hint" => (
            "Leistungen und Preise abrufen.",
            "Fetch services and prices.",
        ),
        "tok_catalog_write" => ("Katalog bearbeiten", "edit catalog"),
        "tok_catalog_write_hint" => (
            "Leistungen und Preise anlegen, ändern und importieren.",
            "Create, change and import services and prices.",
        ),
        "tok_copy" => ("Token kopieren", "Copy token"),
        "tok_create" => ("Token erstellen", "Create token"),
        "tok_date_invalid" => ("Kein gültiges Datum.", "Not a valid date."),
        "tok_empty" => ("Noch keine API-Tokens.", "No API tokens yet."),
        "tok_enterprise" => (
            "Der API-Zugang gehört zum Tarif Enterprise.",
            "API access is part of the Enterprise plan.",
        ),
        "tok_expired" => ("Abgelaufen", "Expired"),
        "tok_expires" => ("Gültig bis (optional)", "Valid until (optional)"),
        "tok_expires_hint" => (
            "Leer lassen für unbegrenzt gültig. Das Token endet am Ende des gewählten Tages.",
            "Leave empty for no expiry. The token ends at the end of the chosen day.",
        ),
        "tok_intro" => (
            "Mit einem API-Token greifen Werkstattsoftware, CRM oder Filialsysteme über die GraphQL-API auf Ihre Daten zu.",
            "With an API token, workshop software, CRMs or chains reach your data through the GraphQL API.",
        ),
        "tok_last_used" => ("Zuletzt genutzt", "Last used"),
        "tok_leads_read" => ("Anfragen lesen", "read leads"),
        "tok_leads_read_hint" => (
            "Anfragen abrufen und live empfangen.",
            "Fetch leads and receive them live.",
        ),
        "tok_leads_write" => ("Anfragen bearbeiten", "edit leads"),
        "tok_leads_write_hint" => (
            "Den Status von Anfragen ändern.",
            "Change the status of leads.",
        ),
        "tok_list" => ("Ihre Tokens", "Your tokens"),
        "tok_name" => ("Name", "Name"),
        "tok_never" => ("Noch nie", "Never"),
        "tok_new" => ("Neues API-Token", "New API token"),
        "tok_prefix" => ("Beginnt mit", "Starts with"),
        "tok_revoke" => ("Widerrufen", "Revoke"),
        "tok_revoke_question" => (
            "Token widerrufen? Anwendungen damit verlieren sofort den Zugriff.",
            "Revoke the token? Applications using it lose access at once.",
        ),
        "tok_revoke_yes" => ("Ja, widerrufen", "Yes, revoke"),
        "tok_revoked" => ("Widerrufen", "Revoked"),
        "tok_revoked_notice" => ("Token widerrufen", "Token revoked"),
        "tok_scopes" => ("Berechtigungen", "Scopes"),
        "tok_secret_done" => ("Ich habe das Token gespeichert", "I have stored the token"),
        "tok_secret_once" => (
            "Kopieren Sie das Token jetzt und bewahren Sie es sicher auf: Es wird nicht noch einmal angezeigt.",
            "Copy the token now and keep it safe: it will not be shown again.",
        ),
        "tok_secret_title" => ("Ihr neues Token", "Your new token"),
        "tok_until" => ("bis", "until"),
        "tok_your_plan" => ("Ihr Tarif:", "Your plan:"),
        "set_add_break" => (
            "+ Zweiter Zeitraum (Mittagspause)",
            "+ Second interval (lunch break)",
        ),
        "set_brand_colour" => ("Markenfarbe (#RRGGBB)", "Brand colour (#RRGGBB)"),
        "set_city" => ("Ort", "City"),
        "set_closed" => ("Geschlossen", "Closed"),
        "set_closes" => ("schließt", "closes"),
        "set_copy_monday" => ("Montag für Di–Fr übernehmen", "Copy Monday to Tue–Fri"),
        "set_country" => ("Land (z. B. DE)", "Country (e.g. DE)"),
        "set_day_mon" => ("Montag", "Monday"),
        "set_day_tue" => ("Dienstag", "Tuesday"),
        "set_day_wed" => ("Mittwoch", "Wednesday"),
        "set_day_thu" => ("Donnerstag", "Thursday"),
        "set_day_fri" => ("Freitag", "Friday"),
        "set_day_sat" => ("Samstag", "Saturday"),
        "set_day_sun" => ("Sonntag", "Sunday"),
        "set_hours" => ("Öffnungszeiten", "Opening hours"),
        "set_hours_hint" => (
            "Pro Tag geschlossen oder ein bis zwei Zeiträume (z. B. mit Mittagspause). Der Assistent nennt diese Zeiten.",
            "Per day closed, or one or two intervals (e.g. with a lunch break). The assistant quotes these hours.",
        ),
        "set_locale" => (
            "Sprache (Widget und Assistent)",
            "Language (widget and assistant)",
        ),
        "set_open" => ("Geöffnet", "Open"),
        "set_opens" => ("öffnet", "opens"),
        "set_phone" => ("Telefon", "Phone"),
        "set_pick_colour" => ("Farbe wählen", "pick a colour"),
        "set_postal_code" => ("PLZ", "Postal code"),
        "set_profile" => ("Werkstatt", "Workshop"),
        "set_remove_interval" => ("Zeitraum entfernen", "remove interval"),
        "set_street" => ("Straße und Hausnummer", "Street and number"),
        "set_time_zone" => ("Zeitzone", "Time zone"),
        "set_website" => ("Website", "Website"),
        "plan_active" => ("Aktiv", "Active"),
        "plan_active_keys" => ("Aktive Client-Keys", "Active client keys"),
        "plan_billing_soon" => (
            "Online bezahlen und den Tarif wechseln (Karte oder SEPA-Lastschrift) ist bald hier möglich.",
            "Paying online and changing your plan (card or SEPA Direct Debit) will be possible here soon.",
        ),
        "plan_current" => ("Ihr Tarif", "Your plan"),
        "plan_days_left" => ("Tage übrig", "days left"),
        "plan_f_ai" => ("KI-Chat", "AI chat"),
        "plan_f_analytics" => ("Erweiterte Auswertungen", "Advanced analytics"),
        "plan_f_api" => ("API-Zugang für Integratoren", "API access for integrators"),
        "plan_f_branding" => ("Eigenes Branding", "Custom branding"),
        "plan_f_capture" => ("Anfragen erfassen", "Lead capture"),
        "plan_f_csv" => ("CSV-Exporte", "CSV exports"),
        "plan_f_keys" => ("Client-Keys", "client keys"),
        "plan_f_leads" => ("Anfragen pro Monat", "leads per month"),
        "plan_f_locations" => ("Mehrere Standorte", "Multiple locations"),
        "plan_inactive" => ("Inaktiv", "Inactive"),
        "plan_inactive_text" => (
            "Kein aktiver Tarif: Anfragen werden weiter erfasst (keine geht verloren), aber der KI-Assistent antwortet nicht und das Widget zeigt nur das Anfrageformular.",
            "No active plan: leads are still captured (none is lost), but the AI assistant does not answer and the widget shows only the lead form.",
        ),
        "plan_included" => ("enthalten:", "included:"),
        "plan_not_included" => ("nicht enthalten:", "not included:"),
        "plan_leads_month" => ("Anfragen diesen Monat", "Leads this month"),
        "plan_leads_over" => (
            "Monatskontingent erreicht: Weitere Anfragen werden trotzdem vollständig gespeichert.",
            "Monthly allowance reached: further leads are still stored in full.",
        ),
        "plan_leads_total" => ("Anfragen insgesamt", "Leads in total"),
        "plan_manage_keys" => ("Client-Keys verwalten", "Manage client keys"),
        "plan_per_month" => ("pro Monat inkl. MwSt.", "per month incl. VAT"),
        "plan_prices" => ("Preisliste", "Price list"),
        "plan_see" => ("Tarife ansehen", "See plans"),
        "plan_trial" => ("Testphase", "Trial"),
        "plan_trial_ended" => ("Testphase endete am", "Trial ended on"),
        "plan_trial_until" => ("Kostenlose Testphase bis", "Free trial until"),
        "plan_usage" => ("Nutzung", "Usage"),
        "plan_vat" => (
            "Alle Preise monatlich, inklusive 19 % MwSt.",
            "All prices monthly, including 19 % VAT.",
        ),
        "plan_word" => ("Tarif", "plan"),
        "plan_yours" => ("Ihr aktueller Tarif", "Your current plan"),
        "set_impressum" => ("Impressum", "Legal notice (Impressum)"),
        "set_legal_name" => ("Firmenname (mit Rechtsform)", "Legal name"),
        "set_managing_director" => ("Geschäftsführung / Inhaber", "Managing director / owner"),
        "set_commercial_register" => ("Registergericht und -nummer", "Commercial register"),
        "set_vat_id" => ("USt-IdNr.", "VAT ID"),
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
