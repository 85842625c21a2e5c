//! German first, English on request: every visible text is a [`Key`] with its wording in
//! both languages, so a text that has no wording (a mistyped key) does not compile.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    /// The language a user's locale (`DE`, `EN`, `TR`, `PL`) asks for: English for `EN`,
    /// German, the console's first language, for the others.
    pub fn of_locale(locale: &str) -> Self {
        if locale.eq_ignore_ascii_case("EN") {
            Self::En
        } else {
            Self::De
        }
    }

    /// The BCP 47 code (`lang` attributes, the locale a new account gets).
    pub const fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }
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
    Webhooks => ("Webhooks", "Webhooks"),
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
    DbPeriod => ("Zeitraum", "Period"),
    DbLast7 => ("Letzte 7 Tage", "Last 7 days"),
    DbLast30 => ("Letzte 30 Tage", "Last 30 days"),
    DbLast90 => ("Letzte 90 Tage", "Last 90 days"),
    DbThisMonth => ("Dieser Monat", "This month"),
    DbLastMonth => ("Letzter Monat", "Last month"),
    DbCustom => ("Eigener Zeitraum", "Custom range"),
    DbGranularity => ("Einteilung", "Grouped by"),
    DbByDay => ("Tage", "Days"),
    DbByWeek => ("Wochen", "Weeks"),
    DbByMonth => ("Monate", "Months"),
    DbWidgetKeyLabel => ("Widget-Key", "Widget key"),
    DbAllKeys => ("Alle Keys", "All keys"),
    DbRangeInvalid => ("„Von“ muss vor „Bis“ liegen.", "“From” must come before “To”."),
    DbComparedWith => ("Verglichen mit {}", "Compared with {}"),
    DbWidgetOpens => ("Widget geöffnet", "Widget opened"),
    DbConversations => ("Gespräche", "Conversations"),
    DbVisitorMessages => ("Nachrichten von Besuchern", "Visitor messages"),
    DbLeads => ("Anfragen", "Leads"),
    DbConversationToLead => ("Gespräch → Anfrage", "Conversation → lead"),
    DbLeadToWon => ("Anfrage → gewonnen", "Lead → won"),
    DbPipelineValue => ("Offener Auftragswert", "Open pipeline value"),
    DbWonValue => ("Gewonnener Auftragswert", "Value won"),
    DbPrevious => ("vorher {}", "before: {}"),
    DbNew => ("neu", "new"),
    DbUp => ("gestiegen", "up"),
    DbDown => ("gesunken", "down"),
    DbSame => ("unverändert", "unchanged"),
    DbOf => ("{} von {}", "{} of {}"),
    DbSeries => ("Verlauf", "Over time"),
    DbSeriesLabel => ("Gespräche und Anfragen je Zeitabschnitt", "Conversations and leads per period"),
    DbSeriesTable => ("Als Tabelle", "As a table"),
    DbPeakHours => ("Stoßzeiten", "Peak hours"),
    DbPeakHoursHint => ("Gespräche nach Wochentag und Uhrzeit ({})", "Conversations by weekday and hour ({})"),
    DbFewer => ("weniger", "fewer"),
    DbMore => ("mehr", "more"),
    DbResponseTime => ("Reaktionszeit auf neue Anfragen", "Response time to new leads"),
    DbResponded => ("{} von {} Anfragen bearbeitet", "{} of {} leads answered"),
    DbMedian => ("Median", "Median"),
    DbP90 => ("90 % innerhalb", "90 % within"),
    DbOpeningHours => ("in Öffnungszeiten", "in opening hours"),
    DbAllHours => ("rund um die Uhr", "around the clock"),
    DbTopQuestions => ("Häufige Fragen", "Top questions"),
    DbTopic => ("Thema", "Topic"),
    DbQuestions => ("Fragen", "Questions"),
    DbMatched => ("mit Katalog-Treffer", "matched the catalog"),
    DbTopServices => ("Gefragte Leistungen", "Requested services"),
    DbService => ("Leistung", "Service"),
    DbAnswers => ("Antworten", "Answers"),
    DbDeletedService => ("(gelöschte Leistung)", "(deleted service)"),
    DbUnanswered => ("Unbeantwortete Fragen", "Unanswered questions"),
    DbUnansweredHint => ("Fragen, zu denen Ihr Katalog nichts hatte: Ihre To-do-Liste für den Katalog.", "Questions your catalog had nothing on: your to-do list for the catalog."),
    DbAllUnanswered => ("Alle Gespräche dazu", "All of these conversations"),
    DbQuestion => ("Frage", "Question"),
    DbCount => ("Anzahl", "Count"),
    DbLastAsked => ("Zuletzt", "Last asked"),
    DbOpenConversation => ("Gespräch", "Conversation"),
    DbTopPages => ("Seiten, auf denen Gespräche beginnen", "Pages where conversations start"),
    DbPage => ("Seite", "Page"),
    DbKeys => ("Nutzung je Widget-Key", "Usage per widget key"),
    DbNothingYet => ("Im Zeitraum noch nichts.", "Nothing in this period yet."),
    DbUpgrade => ("Stoßzeiten, Reaktionszeiten, häufige und unbeantwortete Fragen, gefragte Leistungen, Seiten und Keys gibt es ab Premium.", "Peak hours, response times, top and unanswered questions, requested services, pages and keys come with Premium."),
    DbExports => ("Exporte (CSV für Excel)", "Exports (CSV for Excel)"),
    DbExportsPlan => ("CSV-Exporte gibt es ab Premium.", "CSV exports come with Premium."),
    DbExportFailed => ("Export fehlgeschlagen: {}", "Export failed: {}"),
    DbExLeads => ("Anfragen", "Leads"),
    DbExConversations => ("Gespräche", "Conversations"),
    DbExSeries => ("Verlauf", "Over time"),
    DbExPeakHours => ("Stoßzeiten", "Peak hours"),
    DbExQuestions => ("Fragen", "Questions"),
    DbExServices => ("Leistungen", "Services"),
    DbExUnanswered => ("Unbeantwortete Fragen", "Unanswered questions"),
    DbExPages => ("Seiten", "Pages"),
    DbExKeys => ("Widget-Keys", "Widget keys"),
    DbTimeZone => ("Gezählt in {}", "Counted in {}"),
    DrillFilter => ("Gefiltert aus der Übersicht:", "Filtered from the dashboard:"),
    DrillClear => ("Filter aufheben", "Clear filter"),
    DrillPeriod => ("Zeitraum", "period"),
    DrillWithLead => ("mit Anfrage", "with a lead"),
    DrillWithMessages => ("Besucher hat geschrieben", "the visitor wrote"),
    DrillUnanswered => ("unbeantwortete Frage", "unanswered question"),
    DrillOpen => ("offen", "open"),
    LoadMore => ("Weitere laden", "Load more"),
    Shown => ("{} von {} angezeigt", "{} of {} shown"),
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
    PrvTitle => ("Datenschutz", "Privacy"),
    PrvIntro => (
        "Wie lange CarBot aufbewahrt, was die Werkstatt nicht mehr braucht. Ein täglicher Lauf löscht, was fällig ist.",
        "How long CarBot keeps what the workshop no longer needs. A daily run erases what is due.",
    ),
    PrvConversations => ("Chats ohne Anfrage (Tage)", "Chats without a request (days)"),
    PrvClosedLeads => ("Abgeschlossene Anfragen (Tage)", "Closed requests (days)"),
    PrvEvents => ("Ereignisprotokoll (Tage)", "Event log (days)"),
    PrvNotice => ("Adresse Ihrer Datenschutzerklärung", "Address of your privacy notice"),
    PrvNoticeHint => ("Das Widget verlinkt sie.", "The widget links it."),
    PrvSave => ("Aufbewahrung speichern", "Save retention"),
    PrvRequests => ("Auskunft und Löschung", "Access and erasure"),
    PrvRequestsIntro => (
        "Alle Daten einer Person, gefunden über ihre E-Mail-Adresse oder Telefonnummer.",
        "All data of one person, found by their e-mail address or phone number.",
    ),
    PrvPhone => ("Telefon", "Phone"),
    PrvExport => ("Daten exportieren", "Export data"),
    PrvErase => ("Daten löschen", "Erase data"),
    PrvEraseAsk => (
        "Alle Daten dieser Person endgültig löschen? Die Zahlen der Übersicht bleiben.",
        "Erase all of this person's data for good? The dashboard's numbers stay.",
    ),
    PrvEraseYes => ("Ja, endgültig löschen", "Yes, erase for good"),
    PrvErased => ("Gelöscht", "Erased"),
    PrvErasedCounts => ("Anfragen, Chats, Nachrichten, Notizen, E-Mails", "requests, chats, messages, notes, e-mails"),
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
    WgPaused => ("pausiert (Tarif)", "paused (plan)"),
    WgPausedCount => ("pausiert", "paused"),
    WgPausedHint => (
        "Pausiert, weil Ihr Tarif weniger Client-Keys erlaubt (die neuesten werden zuerst pausiert). Mit einem größeren Tarif ist der Key sofort wieder aktiv.",
        "Paused because your plan allows fewer client keys (the newest are paused first). With a larger plan the key is active again at once.",
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
    TokWebhooksManage => ("Webhooks verwalten", "manage webhooks"),
    TokWebhooksManageHint => (
        "Webhook-Endpunkte anlegen, ändern und ihre Zustellungen sehen.",
        "Create and change webhook endpoints and see their deliveries.",
    ),
    TokCatalogRead => ("Katalog lesen", "read catalog"),
    TokCatalogReadHint => ("Leistungen und Preise abrufen.", "Fetch services and prices."),
    TokCatalogWrite => ("Katalog bearbeiten", "edit catalog"),
    TokCatalogWriteHint => (
        "Leistungen und Preise anlegen, ändern und importieren.",
        "Create, change and import services and prices.",
    ),
    TokCopy => ("Token kopieren", "Copy token"),
    TokCreate => ("Token erstellen", "Create token"),
    WhActive => ("Aktiv", "Active"),
    WhAttempts => ("Versuche", "Attempts"),
    WhCreate => ("Endpunkt anlegen", "Add endpoint"),
    WhDelete => ("Löschen", "Delete"),
    WhDeleteQuestion => (
        "Endpunkt löschen? Er erhält keine Ereignisse mehr, sein Zustellprotokoll wird gelöscht.",
        "Delete the endpoint? It receives no more events, and its delivery log is deleted.",
    ),
    WhDeleteYes => ("Ja, löschen", "Yes, delete"),
    WhDeleted => ("Endpunkt gelöscht", "Endpoint deleted"),
    WhDeliveries => ("Zustellungen", "Deliveries"),
    WhDeliveriesCount => ("Zustellungen insgesamt", "deliveries in all"),
    WhDescription => ("Beschreibung (optional)", "Description (optional)"),
    WhEmpty => ("Noch keine Endpunkte.", "No endpoints yet."),
    WhEnterprise => (
        "Webhooks gehören zum Tarif Enterprise.",
        "Webhooks are part of the Enterprise plan.",
    ),
    WhEvent => ("Ereignis", "Event"),
    WhEventTypes => ("Ereignisse", "Events"),
    WhFailed => ("Fehlgeschlagen", "Failed"),
    WhFailing => ("Abgeschaltet: fünf Tage Fehler", "Switched off: failing for five days"),
    WhFailingSince => ("Fehler seit", "Failing since"),
    WhGone => ("Abgeschaltet: 410 Gone", "Switched off: 410 Gone"),
    WhIntro => (
        "Webhooks melden Ereignisse wie neue Anfragen sofort an Ihre Werkstattsoftware oder Ihr CRM: signiert nach Standard Webhooks, mit Wiederholungen bis zu 24 Stunden.",
        "Webhooks report events such as new leads to your workshop software or CRM at once: signed per Standard Webhooks, retried for up to 24 hours.",
    ),
    WhList => ("Ihre Endpunkte", "Your endpoints"),
    WhMore => ("Ältere laden", "Load older"),
    WhNew => ("Neuer Endpunkt", "New endpoint"),
    WhNextAttempt => ("nächster Versuch", "next attempt"),
    WhNoDeliveries => ("Noch keine Zustellungen.", "No deliveries yet."),
    WhPause => ("Pausieren", "Pause"),
    WhPaused => ("Pausiert", "Paused"),
    WhPending => ("Ausstehend", "Pending"),
    WhPreviousSecret => ("altes Secret signiert bis", "previous secret signs until"),
    WhRedeliver => ("Erneut senden", "Redeliver"),
    WhRedelivered => ("Erneut in die Warteschlange gestellt", "Queued again"),
    WhRefresh => ("Aktualisieren", "Refresh"),
    WhResponse => ("Antwort", "Response"),
    WhResume => ("Fortsetzen", "Resume"),
    WhRotate => ("Secret erneuern", "Roll secret"),
    WhSecretOnce => (
        "Kopieren Sie das Secret jetzt: Es wird nicht noch einmal angezeigt. Prüfen Sie damit die Signatur jeder Zustellung (webhook-signature). Nach einer Erneuerung signiert das alte Secret noch 24 Stunden mit.",
        "Copy the secret now: it will not be shown again. Verify every delivery's signature (webhook-signature) with it. After a roll, the previous secret signs along for another 24 hours.",
    ),
    WhSecretTitle => ("Signatur-Secret für", "Signing secret for"),
    WhSendTest => ("Test senden", "Send test"),
    WhSucceeded => ("Zugestellt", "Delivered"),
    WhTestSent => ("Test-Ereignis gesendet", "Test event sent"),
    WhUrl => ("URL (https://…)", "URL (https://…)"),
    WhUrlHint => (
        "Öffentlich erreichbar; Adressen im internen Netz werden abgelehnt.",
        "Publicly reachable; addresses in internal networks are refused.",
    ),
    WhWhen => ("Zeit", "Time"),
    TokBudget => ("Kostenbudget", "Cost budget"),
    TokBudgetHint => (
        "Jede Abfrage kostet Punkte (ein Feld 1, eine Liste je Eintrag); das Budget füllt sich laufend wieder auf. Reicht es nicht, antwortet die API mit RATE_LIMITED und Retry-After.",
        "Every query costs points (a field 1, a list per entry); the budget refills continuously. When it does not suffice, the API answers RATE_LIMITED with Retry-After.",
    ),
    TokPoints => ("Punkte", "points"),
    TokPerSecond => ("pro Sekunde", "per second"),
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
    PlanCanceled => ("Gekündigt", "Canceled"),
    PlanCanceledText => (
        "Ihr Abonnement ist beendet: Anfragen werden weiter erfasst (keine geht verloren), aber bezahlte Funktionen wie die KI-Antworten sind geschlossen, bis Sie wieder einen Tarif wählen.",
        "Your subscription has ended: leads are still captured (none is lost), but paid features such as the AI answers are closed until you choose a plan again.",
    ),
    PlanCard => ("Karte", "Card"),
    PlanCheckAgain => ("Erneut prüfen", "Check again"),
    PlanCheckoutCanceled => (
        "Zahlung abgebrochen – Ihr Tarif bleibt unverändert.",
        "Payment canceled – your plan stays as it is.",
    ),
    PlanCheckoutDone => ("Ihr Tarif {} ist aktiv.", "Your {} plan is active."),
    PlanCheckoutPending => ("Zahlung wird bestätigt …", "Confirming your payment …"),
    PlanCheckoutSlow => (
        "Die Bestätigung der Zahlung ist noch nicht eingetroffen. Das kann einige Minuten dauern; Ihr Tarif wird dann von selbst aktiv.",
        "The payment's confirmation has not arrived yet. It can take a few minutes; your plan then becomes active by itself.",
    ),
    PlanChoose => ("{} wählen", "Choose {}"),
    PlanEndsOn => ("Ihr Abonnement endet zum", "Your subscription ends on"),
    PlanGraceUntil => ("Zahlungsfrist bis", "Payment due by"),
    PlanInvAmount => ("Betrag", "Amount"),
    PlanInvDate => ("Datum", "Date"),
    PlanInvDocuments => ("Belege", "Documents"),
    PlanInvDraft => ("Entwurf", "Draft"),
    PlanInvNewTab => ("(öffnet in neuem Tab)", "(opens in a new tab)"),
    PlanInvNumber => ("Nummer", "Number"),
    PlanInvOlder => (
        "Ältere Rechnungen finden Sie unter „Zahlung verwalten“.",
        "Older invoices are under “Manage billing”.",
    ),
    PlanInvOpen => ("Offen", "Open"),
    PlanInvPaid => ("Bezahlt", "Paid"),
    PlanInvPdf => ("PDF", "PDF"),
    PlanInvUncollectible => ("Uneinbringlich", "Uncollectible"),
    PlanInvView => ("Ansehen", "View"),
    PlanInvVoid => ("Storniert", "Void"),
    PlanInvoices => ("Rechnungen", "Invoices"),
    PlanKeysOver => (
        "Ihr Tarif erlaubt weniger Client-Keys, als Sie haben: Die neuesten sind pausiert, bis Sie upgraden.",
        "Your plan allows fewer client keys than you have: the newest are paused until you upgrade.",
    ),
    PlanLocations => ("Standorte", "Locations"),
    PlanManage => ("Zahlung verwalten", "Manage billing"),
    PlanManageHint => (
        "Zahlungsmethode ändern, Rechnungen ansehen oder kündigen: im gesicherten Kundenportal von Stripe.",
        "Change the payment method, see invoices or cancel: in Stripe's secure customer portal.",
    ),
    PlanManagedByOperator => (
        "Ihren Tarif hat der Betreiber der Plattform eingestellt.",
        "Your plan was set by the platform's operator.",
    ),
    PlanNoInvoices => ("Noch keine Rechnungen.", "No invoices yet."),
    PlanNoPaymentMethod => ("keine hinterlegt", "none on file"),
    PlanNoUrl => (
        "Die Zahlungsseite konnte nicht geöffnet werden. Bitte versuchen Sie es erneut.",
        "The payment page could not be opened. Please try again.",
    ),
    PlanNotConfigured => (
        "Online-Zahlung ist auf dieser Plattform nicht eingerichtet. Ihr Betreiber stellt Ihren Tarif ein.",
        "Online payment is not set up on this platform. Your operator sets your plan.",
    ),
    PlanOtherMethod => ("Andere Zahlungsart", "Other payment method"),
    PlanPastDue => ("Zahlung überfällig", "Payment overdue"),
    PlanPaymentMethod => ("Zahlungsmethode:", "Payment method:"),
    PlanPeriodUntil => ("Läuft bis", "Runs until"),
    PlanRedirecting => ("Weiter zu Stripe …", "On to Stripe …"),
    PlanRenewsOn => ("Verlängert sich am", "Renews on"),
    PlanSepa => ("SEPA-Lastschrift", "SEPA Direct Debit"),
    PlanSwitchTo => ("Zu {} wechseln", "Switch to {}"),
    PlanUpgrade => ("Auf {} upgraden", "Upgrade to {}"),
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
    PastDueText => (
        "Die letzte Zahlung ist fehlgeschlagen. Bitte aktualisieren Sie Ihre Zahlungsmethode bis {}, sonst werden die KI-Antworten pausiert.",
        "The last payment failed. Please update your payment method by {}, otherwise the AI answers will be paused.",
    ),
    PastDueTextNoDate => (
        "Die letzte Zahlung ist fehlgeschlagen. Bitte aktualisieren Sie Ihre Zahlungsmethode, sonst werden die KI-Antworten pausiert.",
        "The last payment failed. Please update your payment method, otherwise the AI answers will be paused.",
    ),
    PastDueLink => ("Zahlungsmethode aktualisieren", "Update the payment method"),
    Team => ("Team", "Team"),
    BackToLogin => ("Zur Anmeldung", "Back to sign-in"),
    ToConsole => ("Zur Konsole", "To the console"),
    LinkIncomplete => (
        "Dieser Link ist unvollständig. Bitte öffnen Sie den Link aus der E-Mail noch einmal vollständig.",
        "This link is incomplete. Please open the link from the e-mail again in full.",
    ),
    NewPassword => ("Neues Passwort", "New password"),
    PasswordHint => (
        "Mindestens 10 Zeichen; kein verbreitetes Passwort.",
        "At least 10 characters; not a common password.",
    ),
    OwnersOnly => (
        "Diese Seite ist den Inhabern der Werkstatt vorbehalten. Bitten Sie einen Inhaber, wenn hier etwas geändert werden soll.",
        "This page is for the workshop's owners. Ask an owner if something here should change.",
    ),
    ForgotLink => ("Passwort vergessen?", "Forgot your password?"),
    ForgotTitle => ("Passwort vergessen", "Forgot your password"),
    ForgotIntro => (
        "Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort setzen.",
        "Enter your account's e-mail address. We send you a link to set a new password.",
    ),
    ForgotSend => ("Link anfordern", "Send the link"),
    ForgotSentTitle => ("Bitte prüfen Sie Ihr Postfach", "Please check your inbox"),
    ForgotSent1 => ("Wenn es für", "If there is an account for"),
    ForgotSent2 => (
        "ein Konto gibt, ist ein Link zum Zurücksetzen des Passworts unterwegs.",
        ", a link to reset the password is on its way.",
    ),
    ForgotSentHint => (
        "Der Link gilt eine Stunde und nur einmal. Keine E-Mail erhalten? Prüfen Sie den Spam-Ordner oder fordern Sie den Link erneut an.",
        "The link works for one hour, once. No e-mail? Check the spam folder or ask for the link again.",
    ),
    ResetTitle => ("Neues Passwort setzen", "Set a new password"),
    ResetIntro => (
        "Wählen Sie ein neues Passwort. Danach sind Sie angemeldet; alle anderen Sitzungen Ihres Kontos werden beendet.",
        "Choose a new password. You are signed in afterwards; every other session of your account ends.",
    ),
    ResetSave => ("Passwort speichern und anmelden", "Save password and sign in"),
    ResetAgain => ("Neuen Link anfordern", "Ask for a new link"),
    ResetDone => ("Ihr neues Passwort gilt. Sie sind angemeldet.", "Your new password is set. You are signed in."),
    VerTitle => ("E-Mail-Adresse bestätigen", "Confirm your e-mail address"),
    VerChecking => ("Die Adresse wird bestätigt …", "Confirming the address …"),
    VerConfirmed1 => ("Danke! Die Adresse", "Thank you! The address"),
    VerConfirmed2 => (
        "ist bestätigt. Benachrichtigungen zu neuen Anfragen gehen jetzt an sie.",
        "is confirmed. Notifications about new leads now go to it.",
    ),
    VerRefusedSignedIn => (
        "Über den Hinweis oben in der Konsole können Sie einen neuen Link anfordern.",
        "You can ask for a new link with the notice at the top of the console.",
    ),
    VerRefusedSignedOut => (
        "Melden Sie sich an, um einen neuen Link anzufordern.",
        "Sign in to ask for a new link.",
    ),
    VerBannerTitle => ("Bitte bestätigen Sie Ihre E-Mail-Adresse.", "Please confirm your e-mail address."),
    VerBannerText => (
        "Bis dahin senden wir keine Benachrichtigungen zu neuen Anfragen. Den Link haben wir geschickt an",
        "Until then we send no notifications about new leads. We sent the link to",
    ),
    VerResend => ("Neuen Link anfordern", "Ask for a new link"),
    VerLinkSent => ("Ein neuer Link ist unterwegs.", "A new link is on its way."),
    InvTitle => ("Einladung annehmen", "Accept the invitation"),
    InvIntro => (
        "Sie wurden in das Team einer Werkstatt bei CarBot eingeladen.",
        "You have been invited into a workshop's team on CarBot.",
    ),
    InvNewAccount => (
        "Neu bei CarBot? Wählen Sie ein Passwort für Ihr neues Konto.",
        "New to CarBot? Choose a password for your new account.",
    ),
    InvExistingAccount => (
        "Haben Sie mit dieser E-Mail-Adresse schon ein CarBot-Konto, geben Sie dessen bisheriges Passwort ein.",
        "If you already have a CarBot account with this e-mail address, enter its current password.",
    ),
    InvAccept => ("Einladung annehmen", "Accept invitation"),
    InvAskAgain => (
        "Bitten Sie den Inhaber der Werkstatt um eine neue Einladung.",
        "Ask the workshop's owner for a new invitation.",
    ),
    InvWelcome => ("Willkommen im Team von", "Welcome to the team of"),
    AccTitle => ("Ihr Konto", "Your account"),
    AccPassword => ("Passwort ändern", "Change password"),
    AccCurrentPassword => ("Aktuelles Passwort", "Current password"),
    AccPasswordHint => (
        "Mindestens 10 Zeichen. Ihre anderen Sitzungen werden danach beendet, diese bleibt.",
        "At least 10 characters. Your other sessions end afterwards; this one stays.",
    ),
    AccPasswordSave => ("Passwort ändern", "Change password"),
    AccPasswordChanged => (
        "Passwort geändert. Ihre anderen Sitzungen wurden beendet.",
        "Password changed. Your other sessions have ended.",
    ),
    AccEmail => ("Anmelde-Adresse ändern", "Change sign-in address"),
    AccEmailNow => ("Zurzeit:", "Now:"),
    AccNewEmail => ("Neue E-Mail-Adresse", "New e-mail address"),
    AccEmailSave => ("Bestätigungslink senden", "Send confirmation link"),
    AccEmailSent1 => ("Wir haben einen Link an", "We sent a link to"),
    AccEmailSent2 => (
        "geschickt. Die neue Adresse gilt, sobald Sie ihn öffnen; bis dahin melden Sie sich mit der bisherigen an.",
        ". The new address applies once you open it; until then you sign in with the current one.",
    ),
    AccLanguage => ("Ihre Sprache", "Your language"),
    AccLanguageLabel => ("Sprache", "Language"),
    AccLanguageHint => (
        "Benachrichtigungen, Erinnerungen und Links schicken wir Ihnen in dieser Sprache. Die Konsole erscheint bei „English“ auf Englisch, sonst auf Deutsch.",
        "Notifications, reminders and links reach you in this language. The console shows in English for “English”, otherwise in German.",
    ),
    NotTitle => ("Benachrichtigungen per E-Mail", "E-mail notifications"),
    NotIntro => (
        "Für diese Werkstatt. Jede Änderung gilt sofort.",
        "For this workshop. Each change applies at once.",
    ),
    NotUnverified => (
        "Solange Ihre E-Mail-Adresse nicht bestätigt ist, senden wir keine Benachrichtigungen.",
        "As long as your e-mail address is not confirmed, we send no notifications.",
    ),
    NotNewLead => ("Neue Anfrage", "New lead"),
    NotNewLeadHint => ("Jede neue Anfrage, innerhalb von Sekunden.", "Every new lead, within seconds."),
    NotReminder => ("Erinnerung", "Reminder"),
    NotReminderHint => (
        "Wenn eine Anfrage nach der Erinnerungszeit noch „Neu“ ist – während der Öffnungszeiten.",
        "When a lead is still “New” after the reminder time – during opening hours.",
    ),
    NotSummary => ("Tägliche Zusammenfassung", "Daily summary"),
    NotSummaryHint => (
        "Jeden Morgen: Chats und Anfragen von gestern und was noch offen ist.",
        "Every morning: yesterday's chats and leads, and what is still open.",
    ),
    NotMinutes => ("Erinnerung nach (Minuten)", "Reminder after (minutes)"),
    NotMinutesHint => (
        "5 bis 10080 (eine Woche). Gilt für alle im Team, die Erinnerungen erhalten.",
        "5 to 10080 (a week). Applies to everyone in the team who gets reminders.",
    ),
    NotMinutesInvalid => ("Bitte ganze Minuten angeben.", "Please enter whole minutes."),
    NotMinutesSave => ("Erinnerungszeit speichern", "Save reminder time"),
    TeamIntro => (
        "Inhaber verwalten alles. Mitarbeiter bearbeiten Chats und Anfragen und sehen Leistungen und Kennzahlen.",
        "Owners manage everything. Staff work chats and leads and see services and KPIs.",
    ),
    TeamCount => ("Mitglieder", "members"),
    TeamRole => ("Rolle", "Role"),
    TeamJoined => ("Dabei seit", "Joined"),
    TeamYou => ("(Sie)", "(you)"),
    TeamUnverified => ("E-Mail-Adresse noch nicht bestätigt", "E-mail address not yet confirmed"),
    TeamRoleChanged => ("Rolle geändert", "Role changed"),
    TeamRemove => ("Entfernen", "Remove"),
    TeamRemoveQuestion => (
        "aus dem Team entfernen? Der Zugang endet sofort.",
        "– remove from the team? Their access ends at once.",
    ),
    TeamRemoveYes => ("Ja, entfernen", "Yes, remove"),
    TeamRemoved => ("Aus dem Team entfernt", "Removed from the team"),
    TeamInvite => ("Kollegin oder Kollegen einladen", "Invite a colleague"),
    TeamInviteHint => (
        "Wir schicken eine E-Mail mit einem Link, der 7 Tage gilt.",
        "We send an e-mail with a link that works for 7 days.",
    ),
    TeamOwnerHint => (
        "Darf alles, auch Team, Tarif und Einstellungen.",
        "May do everything, including team, plan and settings.",
    ),
    TeamStaffHint => (
        "Bearbeitet Chats und Anfragen, sieht Leistungen und Kennzahlen.",
        "Works chats and leads, sees services and KPIs.",
    ),
    TeamSendInvite => ("Einladung senden", "Send invitation"),
    TeamInvited => ("Einladung gesendet an", "Invitation sent to"),
    TeamPending => ("Offene Einladungen", "Pending invitations"),
    TeamNoPending => ("Keine offenen Einladungen.", "No pending invitations."),
    TeamUndeliverable => ("Unzustellbar: Adresse prüfen", "Undeliverable: check the address"),
    TeamExpires => ("Gültig bis", "Valid until"),
    TeamRevokeAction => ("Zurückziehen", "Withdraw"),
    TeamRevokeQuestion => (
        "Einladung zurückziehen? Der Link funktioniert dann nicht mehr.",
        "Withdraw the invitation? Its link stops working.",
    ),
    TeamRevokeYes => ("Ja, zurückziehen", "Yes, withdraw"),
    TeamRevoked => ("Einladung zurückgezogen", "Invitation withdrawn"),
    LocSwitch => ("Standort wechseln", "Switch location"),
    LocSwitched => ("Sie arbeiten jetzt in", "You are now working in"),
    LocNew => ("Neuer Standort", "New location"),
    LocNewTitle => ("Neuen Standort anlegen", "Add a location"),
    LocNewHint => (
        "Ein Standort hat eigene Leistungen, Keys, Anfragen und Einstellungen und läuft über Ihren Tarif. Sie sind dort Inhaber.",
        "A location has its own services, keys, leads and settings and runs on your plan. You are its owner.",
    ),
    LocName => ("Name des Standorts", "Name of the location"),
    LocCreate => ("Standort anlegen", "Add location"),
    LocCreated => ("Standort angelegt:", "Location added:"),
    LocPlanLimit => (
        "Mehrere Standorte gehören zum Tarif Enterprise.",
        "Several locations are part of the Enterprise plan.",
    ),
    SetImpressum => ("Impressum", "Legal notice (Impressum)"),
    SetLegalName => ("Firmenname (mit Rechtsform)", "Legal name"),
    SetManagingDirector => ("Geschäftsführung / Inhaber", "Managing director / owner"),
    SetCommercialRegister => ("Registergericht und -nummer", "Commercial register"),
    SetVatId => ("USt-IdNr.", "VAT ID"),
    ErrSignedOut => ("Bitte melden Sie sich erneut an.", "Please sign in again."),
    ErrUnreachable => ("Keine Verbindung zum Server.", "No connection to the server."),
    ErrTooManyRequests => (
        "Zu viele Anfragen – bitte einen Moment warten.",
        "Too many requests – please wait a moment.",
    ),
    ErrUnreadable => (
        "Die Antwort des Servers war unlesbar",
        "The server's answer could not be read",
    ),
    ErasedMarker => ("[gelöscht]", "[erased]"),
    ConsoleTitle => ("CarBot Konsole", "CarBot console"),
    LangOther => ("EN", "DE"),
    LangSwitch => ("Auf Englisch umschalten", "Switch to German"),
    NavLabel => ("Navigation", "Navigation"),
    LeadNotFound => ("Diese Anfrage gibt es nicht.", "This lead does not exist."),
    LeadOverLimit => (
        "Diese Anfrage liegt über dem Monatskontingent Ihres Tarifs – sie ist vollständig gespeichert. Ein größerer Tarif hebt die Grenze auf.",
        "This lead is beyond your plan's monthly allowance – it is stored in full. A larger plan lifts the limit.",
    ),
    LeadOverLimitShort => ("Über dem Monatskontingent", "Beyond the monthly allowance"),
    LeadPreferredDate => ("Wunschtermin", "Preferred date"),
    LeadChangeStatus => ("Status ändern", "Change status"),
    LeadConsent => ("Einwilligung", "Consent"),
    LeadWithdraw => ("Einwilligung widerrufen", "Withdraw consent"),
    LeadWithdrawHint => (
        "Hat die Person ihre Einwilligung zurückgezogen, halten Sie das hier fest.",
        "If the person has withdrawn their consent, record it here.",
    ),
    LeadWithdrawAsk => (
        "Einwilligung widerrufen? Name, Kontaktdaten, Fahrzeug, Nachricht und Notizen dieser Anfrage und ihr Chat werden sofort endgültig gelöscht. Status, Leistungen und die Zahlen der Übersicht bleiben.",
        "Withdraw the consent? This lead's name, contact data, vehicle, message and notes, and its chat, are erased for good at once. Status, services and the dashboard's numbers stay.",
    ),
    LeadWithdrawYes => ("Ja, widerrufen und löschen", "Yes, withdraw and erase"),
    LeadWithdrawn => (
        "Einwilligung widerrufen: Die Daten dieser Anfrage sind gelöscht.",
        "Consent withdrawn: this lead's data has been erased.",
    ),
    LeadErased => (
        "Die personenbezogenen Daten dieser Anfrage sind gelöscht.",
        "This lead's personal data has been erased.",
    ),
    ChatSelect => ("Wählen Sie ein Gespräch aus.", "Select a conversation."),
    ChatTakenOverMark => ("persönlich übernommen", "taken over"),
    SvcExportFile => ("leistungen.csv", "services.csv"),
    PrvExportJson => ("datenauskunft.json", "data-export.json"),
    PrvExportText => ("datenauskunft.txt", "data-export.txt"),
    PrvLog => ("Protokoll", "Privacy log"),
    PrvLogIntro => (
        "Wer wann Daten exportiert oder gelöscht hat und wie viele – die Daten selbst stehen nicht darin.",
        "Who exported or erased data when, and how much – the data itself is not in it.",
    ),
    PrvLogEmpty => ("Noch keine Einträge.", "No entries yet."),
    PrvLogWhen => ("Zeitpunkt", "When"),
    PrvLogAction => ("Vorgang", "Action"),
    PrvLogWho => ("Durch", "By"),
    PrvLogCounts => ("Umfang", "Records"),
    PrvLogMore => ("Ältere Einträge laden", "Load older entries"),
    PrvActExport => ("Auskunft exportiert", "Data exported"),
    PrvActErase => ("Daten gelöscht", "Data erased"),
    PrvActWithdraw => ("Einwilligung widerrufen", "Consent withdrawn"),
    PrvActVisitorDelete => ("Chat vom Besucher gelöscht", "Chat deleted by the visitor"),
    PrvActRetention => ("Aufbewahrungsfrist abgelaufen", "Retention period over"),
    PrvActorVisitor => ("Besucher im Widget", "Visitor in the widget"),
    PrvActorRetention => ("Automatische Löschung", "Automatic erasure"),
    PrvActorFormer => ("Ehemaliges Teammitglied", "Former team member"),
    PrvCountLeads => ("Anfragen", "Requests"),
    PrvCountConversations => ("Chats", "Chats"),
    PrvCountMessages => ("Nachrichten", "Messages"),
    PrvCountNotes => ("Notizen", "Notes"),
    PrvCountEmails => ("E-Mails", "E-mails"),
    PrvCountNone => ("nichts gefunden", "nothing found"),
}

/// A member's role as the team page names it.
pub fn role_label(lang: Lang, role: &str) -> &'static str {
    let (de, en) = match role {
        "OWNER" => ("Inhaber", "Owner"),
        "STAFF" => ("Mitarbeiter", "Staff"),
        "PLATFORM_ADMIN" => ("Plattform-Admin", "Platform admin"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// What a question asked for (`QuestionIntent`), as the dashboard names it.
pub fn intent_label(lang: Lang, intent: &str) -> &'static str {
    let (de, en) = match intent {
        "PRICE" => ("Preis", "Price"),
        "DURATION" => ("Dauer", "Duration"),
        "APPOINTMENT" => ("Termin", "Appointment"),
        "OPENING_HOURS" => ("Öffnungszeiten", "Opening hours"),
        "CONTACT" => ("Kontakt", "Contact"),
        "SERVICE" => ("Leistung", "Service"),
        "GREETING" => ("Begrüßung, Dank", "Greeting, thanks"),
        "OTHER" => ("Sonstiges", "Other"),
        _ => ("?", "?"),
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

/// An amount of cents as a number: whole units where exact, else `49,90` in German and `49.90`
/// in English.
pub fn amount(lang: Lang, cents: i64) -> String {
    if cents % 100 == 0 {
        format!("{}", cents / 100)
    } else {
        let decimal = if lang == Lang::De { ',' } else { '.' };
        format!("{}{decimal}{:02}", cents / 100, cents % 100)
    }
}

/// `89–149 €` from cents, in English `€89–149`.
pub fn euros(lang: Lang, min: i64, max: i64) -> String {
    let amount = if min == max {
        amount(lang, min)
    } else {
        format!("{}–{}", amount(lang, min), amount(lang, max))
    };
    match lang {
        Lang::De => format!("{amount} €"),
        Lang::En => format!("€{amount}"),
    }
}

/// A quotation in the language's marks: „so“ in German, “so” in English.
pub fn quoted(lang: Lang, text: &str) -> String {
    match lang {
        Lang::De => format!("„{text}“"),
        Lang::En => format!("“{text}”"),
    }
}

/// What the server writes in place of erased personal data (README, "Where personal data
/// lives").
pub const ERASED_MARKER: &str = "[gelöscht]";

/// A visitor's text as the console shows it: the erasure marker in the viewer's language.
pub fn visitor_text(lang: Lang, text: &str) -> &str {
    if text == ERASED_MARKER {
        Key::ErasedMarker.text(lang)
    } else {
        text
    }
}

/// `1.234` in German, `1,234` in English.
pub fn count(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = if lang == Lang::De { '.' } else { ',' };
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    if n < 0 {
        format!("−{grouped}")
    } else {
        grouped
    }
}
