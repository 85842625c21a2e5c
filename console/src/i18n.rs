//! German first, English on request: every visible text is a [`Key`] with its wording in
//! both languages, so a text that has no wording (a mistyped key) does not compile.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

/// Declares [`Key`], one variant per text, with its German and English wording.
macro_rules! texts {
    ($($key:ident => ($de:literal, $en:literal $(,)?)),+ $(,)?) => {
        /// A visible text of the console.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key {
            $($key),+
        }

        impl Key {
            /// The wording in `lang`.
            pub const fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::De => match self {
                        $(Self::$key => $de),+
                    },
                    Lang::En => match self {
                        $(Self::$key => $en),+
                    },
                }
            }
        }
    };
}

texts! {
    Dashboard => ("Übersicht", "Dashboard"),
    Leads => ("Anfragen", "Leads"),
    Chats => ("Live-Chats", "Live chats"),
    Services => ("Leistungen", "Services"),
    Widget => ("Widget & Keys", "Widget & keys"),
    Tokens => ("API-Tokens", "API tokens"),
    Settings => ("Einstellungen", "Settings"),
    Plan => ("Tarif", "Plan"),
    Logout => ("Abmelden", "Sign out"),
    Login => ("Anmelden", "Sign in"),
    Register => ("Registrieren", "Create account"),
    Email => ("E-Mail", "E-mail"),
    Password => ("Passwort", "Password"),
    WorkshopName => ("Name der Werkstatt", "Workshop name"),
    NoAccount => ("Noch kein Konto? Jetzt registrieren", "No account yet? Create one"),
    HaveAccount => ("Schon registriert? Anmelden", "Already registered? Sign in"),
    Loading => ("Wird geladen …", "Loading …"),
    EmptyLeads => (
        "Noch keine Anfragen. Sobald Besucher das Formular im Widget senden, erscheinen sie hier.",
        "No leads yet. They appear here as soon as visitors send the widget's form.",
    ),
    EmptyChats => ("Noch keine Gespräche.", "No conversations yet."),
    NewLead => ("Neue Anfrage", "New lead"),
    Search => ("Suchen", "Search"),
    All => ("Alle", "All"),
    Status => ("Status", "Status"),
    Created => ("Eingang", "Received"),
    Value => ("Geschätzter Wert", "Estimated value"),
    Vehicle => ("Fahrzeug", "Vehicle"),
    Contact => ("Kontakt", "Contact"),
    Notes => ("Notizen", "Notes"),
    AddNote => ("Notiz hinzufügen", "Add note"),
    Transcript => ("Gesprächsverlauf", "Transcript"),
    Back => ("Zurück", "Back"),
    List => ("Liste", "List"),
    Pipeline => ("Pipeline", "Pipeline"),
    From => ("Von", "From"),
    To => ("Bis", "To"),
    TakeOver => ("Übernehmen", "Take over"),
    Release => ("An Assistent zurückgeben", "Hand back"),
    Send => ("Senden", "Send"),
    Reply => ("Antwort schreiben …", "Write a reply …"),
    TakenOver => ("Sie antworten persönlich", "You are answering"),
    AssistantActive => ("Der Assistent antwortet", "The assistant answers"),
    LeadsToday => ("Anfragen heute", "Leads today"),
    LeadsWeek => ("Anfragen diese Woche", "Leads this week"),
    ChatsToday => ("Chats heute", "Chats today"),
    ChatsWeek => ("Chats diese Woche", "Chats this week"),
    Conversion => ("Abschlussquote", "Conversion rate"),
    OpenByStatus => ("Offene Anfragen nach Status", "Open leads by status"),
    Activity => ("Aktuelle Aktivität", "Recent activity"),
    VsLastWeek => ("ggü. Vorwoche", "vs. last week"),
    MessageFrom => ("Nachricht", "Message"),
    ServicesMissing => ("Keine Leistungen genannt", "No services named"),
    Error => ("Fehler", "Error"),
    Save => ("Speichern", "Save"),
    Cancel => ("Abbrechen", "Cancel"),
    PgCheckFields => (
        "Bitte prüfen Sie die markierten Angaben.",
        "Please check the marked entries.",
    ),
    PgClose => ("Schließen", "Close"),
    PgCopied => ("Kopiert", "Copied"),
    PgCopy => ("Kopieren", "Copy"),
    PgCopyFailed => (
        "Kopieren geht hier nicht – bitte markieren und mit Strg+C kopieren.",
        "Copying is not possible here – select the text and press Ctrl+C.",
    ),
    PgLoadFailed => ("Konnte nicht geladen werden:", "Could not load:"),
    PgRetry => ("Erneut versuchen", "Try again"),
    PgSaved => ("Gespeichert", "Saved"),
    PgSaving => ("Wird gespeichert …", "Saving …"),
    PgUnlimited => ("unbegrenzt", "unlimited"),
    PgUnlimitedCap => ("Unbegrenzt viele", "Unlimited"),
    SvcActions => ("Aktionen", "Actions"),
    SvcActive => ("Aktiv", "Active"),
    SvcAdd => ("Leistung hinzufügen", "Add service"),
    SvcAmountInvalid => (
        "Betrag in Euro angeben, z. B. 49 oder 49,90.",
        "Enter an amount in euros, e.g. 49 or 49.90.",
    ),
    SvcCategory => ("Kategorie", "Category"),
    SvcCategoryMissing => ("Bitte eine Kategorie wählen.", "Please choose a category."),
    SvcCheck => ("Prüfen", "Check"),
    SvcCount => ("Leistungen", "services"),
    SvcCreated => ("Leistung angelegt", "Service added"),
    SvcDelete => ("Löschen", "Delete"),
    SvcDeleteQuestion => ("Wirklich löschen?", "Delete for good?"),
    SvcDeleteYes => ("Ja, löschen", "Yes, delete"),
    SvcDeleted => ("Leistung gelöscht", "Service deleted"),
    SvcDescription => ("Beschreibung", "Description"),
    SvcDuration => ("Dauer", "Duration"),
    SvcDurationInvalid => (
        "Dauer in ganzen Minuten angeben.",
        "Enter the duration in whole minutes.",
    ),
    SvcDurationMinutes => ("Dauer (Minuten)", "Duration (minutes)"),
    SvcEditPrice => ("Preis ändern", "Edit price"),
    SvcEmpty => (
        "Noch keine Leistungen. Installieren Sie den Standardkatalog mit rund 280 typischen Werkstattleistungen oder legen Sie mit „+“ eine eigene an.",
        "No services yet. Install the standard catalog with about 280 typical workshop services, or add your own with “+”.",
    ),
    SvcExport => ("CSV exportieren", "Export CSV"),
    SvcFileTooBig => (
        "Die Datei ist zu groß (höchstens 2 MB).",
        "The file is too large (2 MB at most).",
    ),
    SvcFixed => ("Festpreis", "fixed price"),
    SvcFixedHint => (
        "Gleicher Betrag bei Von und Bis = Festpreis.",
        "The same amount in both = fixed price.",
    ),
    SvcFrom => ("Von", "From"),
    SvcHoursShort => ("Std.", "h"),
    SvcImport => ("CSV importieren", "Import CSV"),
    SvcImportFile => ("CSV-Datei wählen", "Choose a CSV file"),
    SvcImportHint => (
        "Komma- oder semikolongetrennt, Preise in Cent. Leistungen mit gleichem Namen in derselben Kategorie werden aktualisiert, die übrigen hinzugefügt. Erst prüfen, dann importieren. Kopfzeile:",
        "Comma or semicolon separated, prices in cents. Services with the same name in the same category are updated, the others added. Check first, then import. Header line:",
    ),
    SvcImportNow => ("Importieren", "Import"),
    SvcImportText => ("… oder CSV-Text einfügen", "… or paste CSV text"),
    SvcImportValidOnly => ("Nur gültige Zeilen importieren", "Import the valid rows only"),
    SvcImported => ("Importiert", "Imported"),
    SvcInstall => ("Standardkatalog installieren", "Install standard catalog"),
    SvcInstalled => ("Aus dem Standardkatalog hinzugefügt", "Added from the standard catalog"),
    SvcInstalledNone => (
        "Alle Leistungen des Standardkatalogs sind schon vorhanden.",
        "All standard catalog services are already there.",
    ),
    SvcMaxPrice => ("Bis (€, leer = Festpreis)", "To (€, empty = fixed price)"),
    SvcMinPrice => ("Preis von (€)", "Price from (€)"),
    SvcMinutesShort => ("Min.", "min"),
    SvcMore => ("Weitere laden", "Load more"),
    SvcName => ("Leistung", "Service"),
    SvcNoneFound => (
        "Keine Leistung gefunden. Andere Kategorie oder anderer Suchbegriff?",
        "No service found. Another category or search term?",
    ),
    SvcOff => ("Aus", "Off"),
    SvcOn => ("An", "On"),
    SvcPrice => ("Preis", "Price"),
    SvcPriceHint => (
        "Preise inkl. 19 % MwSt.: eine Spanne (z. B. 10 bis 80 €) oder ein Festpreis.",
        "Prices incl. 19 % VAT: a range (e.g. 10 to 80 €) or a fixed price.",
    ),
    SvcRowsBad => ("Fehlerhafte Zeilen", "Rows with errors"),
    SvcRowsOk => ("Gültige Zeilen", "Valid rows"),
    SvcSearchPlaceholder => ("z. B. Ölwechsel, Bremsen", "e.g. oil change, brakes"),
    SvcTo => ("Bis", "To"),
    SvcVehicleClasses => (
        "Fahrzeugklassen mit eigenem Preis",
        "vehicle classes with their own price",
    ),
    WgActive => ("Aktiv", "Active"),
    WgActiveKeys => ("Aktive Keys", "Active keys"),
    WgAddConsole => (
        "Diese Konsole für die Vorschau erlauben",
        "Allow this console for the preview",
    ),
    WgBottomLeft => ("Unten links", "Bottom left"),
    WgBottomRight => ("Unten rechts", "Bottom right"),
    WgColour => (
        "Farbe (Markenfarbe der Werkstatt, #RRGGBB)",
        "Colour (the workshop's brand colour, #RRGGBB)",
    ),
    WgConsent => ("Einwilligungstext im Anfrageformular", "Consent text in the lead form"),
    WgConversations => ("Gespräche", "Conversations"),
    WgCopySnippet => ("Code kopieren", "Copy code"),
    WgCreate => ("Key erstellen", "Create key"),
    WgCreated => ("Erstellt am", "Created"),
    WgCreatedNotice => ("Client-Key erstellt", "Client key created"),
    WgDefaultHint => ("Leer lassen für den Standardtext.", "Leave empty for the default text."),
    WgEditOrigins => ("Domains bearbeiten", "Edit domains"),
    WgGreeting => ("Begrüßung", "Greeting"),
    WgKeys => ("Client-Keys", "Client keys"),
    WgKeysHint => (
        "Ein Client-Key verbindet das Widget auf Ihrer Website mit CarBot. Er funktioniert nur auf den Domains, die Sie erlauben.",
        "A client key connects the widget on your website with CarBot. It works only on the domains you allow.",
    ),
    WgLabel => ("Bezeichnung (z. B. Website)", "Label (e.g. Website)"),
    WgLimitReached => (
        "Alle Client-Keys Ihres Tarifs sind in Gebrauch. Widerrufen Sie einen Key oder wechseln Sie den Tarif.",
        "All client keys of your plan are in use. Revoke a key or change your plan.",
    ),
    WgLine => ("Zeile", "Line"),
    WgLook => ("Aussehen", "Appearance"),
    WgMessages => ("Nachrichten", "Messages"),
    WgNewKeyTitle => ("Neuer Client-Key", "New client key"),
    WgNoKeys => (
        "Noch keine Client-Keys. Erstellen Sie unten einen, um das Widget einzubinden.",
        "No client keys yet. Create one below to embed the widget.",
    ),
    WgOrigins => ("Erlaubte Domains", "Allowed domains"),
    WgOriginsHint => (
        "Eine pro Zeile, z. B. https://autohaus-nord.de oder https://*.autohaus-nord.de für alle Subdomains.",
        "One per line, e.g. https://autohaus-nord.de or https://*.autohaus-nord.de for every subdomain.",
    ),
    WgPosition => ("Position", "Position"),
    WgPreview => ("Vorschau", "Preview"),
    WgPreviewAllow => ("Domain erlauben:", "Allow domain"),
    WgPreviewKeyNote => ("Vorschau mit dem Key", "Preview with the key"),
    WgPreviewKeyMissing => (
        "Für die Vorschau brauchen Sie einen aktiven Client-Key.",
        "The preview needs an active client key.",
    ),
    WgPreviewOrigin1 => ("Die Vorschau läuft auf", "The preview runs on"),
    WgPreviewOrigin2 => (
        "Diese Adresse ist nicht erlaubt für den Key",
        "This address is not allowed for the key",
    ),
    WgPreviewPage => (
        "Beispielseite: So erscheint der Chat auf Ihrer Website.",
        "Sample page: this is how the chat appears on your website.",
    ),
    WgPreviewReal => (
        "Es ist das echte Widget: Nachrichten hier sind echte Gespräche.",
        "This is the real widget: messages here are real conversations.",
    ),
    WgRevoke => ("Widerrufen", "Revoke"),
    WgRevokeQuestion => (
        "Key widerrufen? Das Widget hört auf allen Seiten mit diesem Key sofort auf. Gespräche und Anfragen bleiben erhalten.",
        "Revoke the key? The widget stops at once on every page that uses it. Conversations and leads stay.",
    ),
    WgRevokeYes => ("Ja, widerrufen", "Yes, revoke"),
    WgRevoked => ("Widerrufen", "Revoked"),
    WgRevokedAt => ("widerrufen am", "revoked"),
    WgRevokedNotice => ("Client-Key widerrufen", "Client key revoked"),
    WgSnippet => ("Einbindungscode (vor </body> einfügen)", "Embed code (paste before </body>)"),
    TokActive => ("Aktiv", "Active"),
    TokAnalyticsRead => ("Auswertungen lesen", "read analytics"),
    TokAnalyticsReadHint => ("Kennzahlen abrufen.", "Fetch KPIs."),
    TokCatalogRead => ("Katalog lesen", "read catalog"),
    TokCatalogReadHint => ("Leistungen und Preise abrufen.", "Fetch services and prices."),
    TokCatalogWrite => ("Katalog bearbeiten", "edit catalog"),
    TokCatalogWriteHint => (
        "Leistungen und Preise anlegen, ändern und importieren.",
        "Create, change and import services and prices.",
    ),
    TokCopy => ("Token kopieren", "Copy token"),
    TokCreate => ("Token erstellen", "Create token"),
    TokDateInvalid => ("Kein gültiges Datum.", "Not a valid date."),
    TokEmpty => ("Noch keine API-Tokens.", "No API tokens yet."),
    TokEnterprise => (
        "Der API-Zugang gehört zum Tarif Enterprise.",
        "API access is part of the Enterprise plan.",
    ),
    TokExpired => ("Abgelaufen", "Expired"),
    TokExpires => ("Gültig bis (optional)", "Valid until (optional)"),
    TokExpiresHint => (
        "Leer lassen für unbegrenzt gültig. Das Token endet am Ende des gewählten Tages.",
        "Leave empty for no expiry. The token ends at the end of the chosen day.",
    ),
    TokIntro => (
        "Mit einem API-Token greifen Werkstattsoftware, CRM oder Filialsysteme über die GraphQL-API auf Ihre Daten zu.",
        "With an API token, workshop software, CRMs or chains reach your data through the GraphQL API.",
    ),
    TokLastUsed => ("Zuletzt genutzt", "Last used"),
    TokLeadsRead => ("Anfragen lesen", "read leads"),
    TokLeadsReadHint => (
        "Anfragen abrufen und live empfangen.",
        "Fetch leads and receive them live.",
    ),
    TokLeadsWrite => ("Anfragen bearbeiten", "edit leads"),
    TokLeadsWriteHint => ("Den Status von Anfragen ändern.", "Change the status of leads."),
    TokList => ("Ihre Tokens", "Your tokens"),
    TokName => ("Name", "Name"),
    TokNever => ("Noch nie", "Never"),
    TokNew => ("Neues API-Token", "New API token"),
    TokPrefix => ("Beginnt mit", "Starts with"),
    TokRevoke => ("Widerrufen", "Revoke"),
    TokRevokeQuestion => (
        "Token widerrufen? Anwendungen damit verlieren sofort den Zugriff.",
        "Revoke the token? Applications using it lose access at once.",
    ),
    TokRevokeYes => ("Ja, widerrufen", "Yes, revoke"),
    TokRevoked => ("Widerrufen", "Revoked"),
    TokRevokedNotice => ("Token widerrufen", "Token revoked"),
    TokScopes => ("Berechtigungen", "Scopes"),
    TokSecretDone => ("Ich habe das Token gespeichert", "I have stored the token"),
    TokSecretOnce => (
        "Kopieren Sie das Token jetzt und bewahren Sie es sicher auf: Es wird nicht noch einmal angezeigt.",
        "Copy the token now and keep it safe: it will not be shown again.",
    ),
    TokSecretTitle => ("Ihr neues Token", "Your new token"),
    TokUntil => ("bis", "until"),
    TokYourPlan => ("Ihr Tarif:", "Your plan:"),
    SetAddBreak => ("+ Zweiter Zeitraum (Mittagspause)", "+ Second interval (lunch break)"),
    SetBrandColour => ("Markenfarbe (#RRGGBB)", "Brand colour (#RRGGBB)"),
    SetCity => ("Ort", "City"),
    SetClosed => ("Geschlossen", "Closed"),
    SetCloses => ("schließt", "closes"),
    SetCopyMonday => ("Montag für Di–Fr übernehmen", "Copy Monday to Tue–Fri"),
    SetCountry => ("Land (z. B. DE)", "Country (e.g. DE)"),
    SetDayMon => ("Montag", "Monday"),
    SetDayTue => ("Dienstag", "Tuesday"),
    SetDayWed => ("Mittwoch", "Wednesday"),
    SetDayThu => ("Donnerstag", "Thursday"),
    SetDayFri => ("Freitag", "Friday"),
    SetDaySat => ("Samstag", "Saturday"),
    SetDaySun => ("Sonntag", "Sunday"),
    SetHours => ("Öffnungszeiten", "Opening hours"),
    SetHoursHint => (
        "Pro Tag geschlossen oder ein bis zwei Zeiträume (z. B. mit Mittagspause). Der Assistent nennt diese Zeiten.",
        "Per day closed, or one or two intervals (e.g. with a lunch break). The assistant quotes these hours.",
    ),
    SetLocale => ("Sprache (Widget und Assistent)", "Language (widget and assistant)"),
    SetOpen => ("Geöffnet", "Open"),
    SetOpens => ("öffnet", "opens"),
    SetPhone => ("Telefon", "Phone"),
    SetPickColour => ("Farbe wählen", "pick a colour"),
    SetPostalCode => ("PLZ", "Postal code"),
    SetProfile => ("Werkstatt", "Workshop"),
    SetRemoveInterval => ("Zeitraum entfernen", "remove interval"),
    SetStreet => ("Straße und Hausnummer", "Street and number"),
    SetTimeZone => ("Zeitzone", "Time zone"),
    SetWebsite => ("Website", "Website"),
    PlanActive => ("Aktiv", "Active"),
    PlanActiveKeys => ("Aktive Client-Keys", "Active client keys"),
    PlanBillingSoon => (
        "Online bezahlen und den Tarif wechseln (Karte oder SEPA-Lastschrift) ist bald hier möglich.",
        "Paying online and changing your plan (card or SEPA Direct Debit) will be possible here soon.",
    ),
    PlanCurrent => ("Ihr Tarif", "Your plan"),
    PlanDaysLeft => ("Tage übrig", "days left"),
    PlanFAi => ("KI-Chat", "AI chat"),
    PlanFAnalytics => ("Erweiterte Auswertungen", "Advanced analytics"),
    PlanFApi => ("API-Zugang für Integratoren", "API access for integrators"),
    PlanFBranding => ("Eigenes Branding", "Custom branding"),
    PlanFCapture => ("Anfragen erfassen", "Lead capture"),
    PlanFCsv => ("CSV-Exporte", "CSV exports"),
    PlanFKeys => ("Client-Keys", "client keys"),
    PlanFLeads => ("Anfragen pro Monat", "leads per month"),
    PlanFLocations => ("Mehrere Standorte", "Multiple locations"),
    PlanInactive => ("Inaktiv", "Inactive"),
    PlanInactiveText => (
        "Kein aktiver Tarif: Anfragen werden weiter erfasst (keine geht verloren), aber der KI-Assistent antwortet nicht und das Widget zeigt nur das Anfrageformular.",
        "No active plan: leads are still captured (none is lost), but the AI assistant does not answer and the widget shows only the lead form.",
    ),
    PlanIncluded => ("enthalten:", "included:"),
    PlanNotIncluded => ("nicht enthalten:", "not included:"),
    PlanLeadsMonth => ("Anfragen diesen Monat", "Leads this month"),
    PlanLeadsOver => (
        "Monatskontingent erreicht: Weitere Anfragen werden trotzdem vollständig gespeichert.",
        "Monthly allowance reached: further leads are still stored in full.",
    ),
    PlanLeadsTotal => ("Anfragen insgesamt", "Leads in total"),
    PlanManageKeys => ("Client-Keys verwalten", "Manage client keys"),
    PlanPerMonth => ("pro Monat inkl. MwSt.", "per month incl. VAT"),
    PlanPrices => ("Preisliste", "Price list"),
    PlanSee => ("Tarife ansehen", "See plans"),
    PlanTrial => ("Testphase", "Trial"),
    PlanTrialEnded => ("Testphase endete am", "Trial ended on"),
    PlanTrialUntil => ("Kostenlose Testphase bis", "Free trial until"),
    PlanUsage => ("Nutzung", "Usage"),
    PlanVat => (
        "Alle Preise monatlich, inklusive 19 % MwSt.",
        "All prices monthly, including 19 % VAT.",
    ),
    PlanWord => ("Tarif", "plan"),
    PlanYours => ("Ihr aktueller Tarif", "Your current plan"),
    SetImpressum => ("Impressum", "Legal notice (Impressum)"),
    SetLegalName => ("Firmenname (mit Rechtsform)", "Legal name"),
    SetManagingDirector => ("Geschäftsführung / Inhaber", "Managing director / owner"),
    SetCommercialRegister => ("Registergericht und -nummer", "Commercial register"),
    SetVatId => ("USt-IdNr.", "VAT ID"),
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
