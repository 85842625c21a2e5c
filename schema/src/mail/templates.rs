//! The e-mails CarBot writes, in German first, then English, Turkish and Polish (the
//! recipient's locale). Each names the workshop and links into the console.

use chrono::NaiveDate;

use super::layout::{Body, Rendered};
use crate::locale::Locale;

/// A lead as its e-mails show it.
#[derive(Debug, Clone, Default)]
pub struct LeadFacts {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// "VW Golf 2017".
    pub vehicle: Option<String>,
    pub services: Vec<String>,
    /// Estimated value in cents, (min, max).
    pub estimate: Option<(i32, i32)>,
    pub preferred_date: Option<NaiveDate>,
    pub message: Option<String>,
}

/// One e-mail, before it is rendered in the recipient's language.
#[derive(Debug, Clone)]
pub enum Template<'a> {
    /// Confirms the address given at registration.
    VerifyEmail {
        link: &'a str,
    },
    /// Sent to the new address of `changeEmail`; the change happens when it is confirmed.
    ConfirmNewEmail {
        link: &'a str,
        new_email: &'a str,
    },
    PasswordReset {
        link: &'a str,
    },
    /// After a reset or change: so that the owner of the address notices one they did not make.
    PasswordChanged,
    Invitation {
        workshop: &'a str,
        inviter: &'a str,
        owner_role: bool,
        link: &'a str,
    },
    NewLead {
        workshop: &'a str,
        lead: &'a LeadFacts,
        link: &'a str,
    },
    LeadReminder {
        workshop: &'a str,
        lead: &'a LeadFacts,
        waiting_minutes: i64,
        link: &'a str,
    },
    DailySummary {
        workshop: &'a str,
        day: NaiveDate,
        new_leads: i64,
        open_leads: i64,
        conversations: i64,
        link: &'a str,
    },
    /// The platform switched a webhook endpoint off: it answered 410 Gone (`gone`), or every
    /// delivery failed for five days.
    WebhookDisabled {
        url: &'a str,
        gone: bool,
        link: &'a str,
    },
    /// To the platform's operator: a scheduled backup failed (`what`: the error, `host`: the
    /// process's machine).
    BackupFailed {
        what: &'a str,
        host: &'a str,
    },
    /// About the plan and payments ([`super::billing`]).
    Billing(super::billing::BillingMail<'a>),
}

struct Labels {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    vehicle: &'static str,
    services: &'static str,
    estimate: &'static str,
    preferred_date: &'static str,
    message: &'static str,
    open_lead: &'static str,
    footer: &'static str,
    notification_footer: &'static str,
    ignore: &'static str,
}

fn labels(locale: Locale) -> &'static Labels {
    match locale {
        Locale::De => &Labels {
            name: "Name",
            email: "E-Mail",
            phone: "Telefon",
            vehicle: "Fahrzeug",
            services: "Leistungen",
            estimate: "Geschätzter Wert",
            preferred_date: "Wunschtermin",
            message: "Nachricht",
            open_lead: "Anfrage öffnen",
            footer: "Diese E-Mail kommt von CarBot, dem Kunden-Chat Ihrer Werkstatt.",
            notification_footer: "Welche E-Mails Sie bekommen, stellen Sie in der Konsole unter Einstellungen → Benachrichtigungen ein.",
            ignore: "Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.",
        },
        Locale::En => &Labels {
            name: "Name",
            email: "E-mail",
            phone: "Phone",
            vehicle: "Vehicle",
            services: "Services",
            estimate: "Estimated value",
            preferred_date: "Preferred date",
            message: "Message",
            open_lead: "Open the request",
            footer: "This e-mail comes from CarBot, your workshop's customer chat.",
            notification_footer: "Choose which e-mails you get in the console under Settings → Notifications.",
            ignore: "If you did not ask for this, you can ignore this e-mail.",
        },
        Locale::Tr => &Labels {
            name: "Ad",
            email: "E-posta",
            phone: "Telefon",
            vehicle: "Araç",
            services: "Hizmetler",
            estimate: "Tahmini değer",
            preferred_date: "Tercih edilen tarih",
            message: "Mesaj",
            open_lead: "Talebi aç",
            footer: "Bu e-posta, atölyenizin müşteri sohbeti CarBot'tan gelmektedir.",
            notification_footer: "Hangi e-postaları alacağınızı konsolda Ayarlar → Bildirimler altında seçebilirsiniz.",
            ignore: "Bunu siz istemediyseniz bu e-postayı dikkate almayabilirsiniz.",
        },
        Locale::Pl => &Labels {
            name: "Imię i nazwisko",
            email: "E-mail",
            phone: "Telefon",
            vehicle: "Pojazd",
            services: "Usługi",
            estimate: "Szacowana wartość",
            preferred_date: "Preferowany termin",
            message: "Wiadomość",
            open_lead: "Otwórz zapytanie",
            footer: "Ta wiadomość pochodzi z CarBot, czatu klienta Twojego warsztatu.",
            notification_footer: "Wybierz, jakie wiadomości otrzymujesz, w konsoli w Ustawienia → Powiadomienia.",
            ignore: "Jeśli to nie Ty, możesz zignorować tę wiadomość.",
        },
    }
}

/// `120 €`, `120,50 €` (German, Turkish, Polish) or `€120.50` (English).
pub fn euros(cents: i32, locale: Locale) -> String {
    let whole = cents / 100;
    let rest = (cents % 100).abs();
    match (locale, rest) {
        (Locale::En, 0) => format!("€{whole}"),
        (Locale::En, _) => format!("€{whole}.{rest:02}"),
        (_, 0) => format!("{whole} €"),
        (_, _) => format!("{whole},{rest:02} €"),
    }
}

fn price_range((min, max): (i32, i32), locale: Locale) -> String {
    if min == max {
        euros(min, locale)
    } else {
        format!("{} – {}", euros(min, locale), euros(max, locale))
    }
}

pub fn date(day: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::En => day.format("%Y-%m-%d").to_string(),
        _ => day.format("%d.%m.%Y").to_string(),
    }
}

fn lead_facts(lead: &LeadFacts, locale: Locale) -> Vec<(String, String)> {
    let l = labels(locale);
    let mut facts = vec![(l.name.to_owned(), lead.name.clone())];
    let optional = [
        (l.email, lead.email.clone()),
        (l.phone, lead.phone.clone()),
        (l.vehicle, lead.vehicle.clone()),
        (
            l.services,
            (!lead.services.is_empty()).then(|| lead.services.join(", ")),
        ),
        (l.estimate, lead.estimate.map(|e| price_range(e, locale))),
        (
            l.preferred_date,
            lead.preferred_date.map(|d| date(d, locale)),
        ),
        (l.message, lead.message.clone()),
    ];
    facts.extend(
        optional
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| (label.to_owned(), v))),
    );
    facts
}

fn hours_and_minutes(minutes: i64, locale: Locale) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (locale, h, m) {
        (Locale::De, 0, m) => format!("{m} Minuten"),
        (Locale::De, h, 0) => format!("{h} Stunde{}", if h == 1 { "" } else { "n" }),
        (Locale::De, h, m) => format!("{h} Std. {m} Min."),
        (Locale::En, 0, m) => format!("{m} minutes"),
        (Locale::En, h, 0) => format!("{h} hour{}", if h == 1 { "" } else { "s" }),
        (Locale::En, h, m) => format!("{h} h {m} min"),
        (Locale::Tr, 0, m) => format!("{m} dakika"),
        (Locale::Tr, h, 0) => format!("{h} saat"),
        (Locale::Tr, h, m) => format!("{h} saat {m} dakika"),
        (Locale::Pl, 0, m) => format!("{m} min"),
        (Locale::Pl, h, 0) => format!("{h} godz."),
        (Locale::Pl, h, m) => format!("{h} godz. {m} min"),
    }
}

impl Template<'_> {
    /// The kind stored with the outbox row.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "VERIFY_EMAIL",
            Self::ConfirmNewEmail { .. } => "CONFIRM_NEW_EMAIL",
            Self::PasswordReset { .. } => "PASSWORD_RESET",
            Self::PasswordChanged => "PASSWORD_CHANGED",
            Self::Invitation { .. } => "INVITATION",
            Self::NewLead { .. } => "NEW_LEAD",
            Self::LeadReminder { .. } => "LEAD_REMINDER",
            Self::DailySummary { .. } => "DAILY_SUMMARY",
            Self::WebhookDisabled { .. } => "WEBHOOK_DISABLED",
            Self::BackupFailed { .. } => "BACKUP_FAILED",
            Self::Billing(mail) => mail.kind(),
        }
    }

    pub fn render(&self, locale: Locale) -> Rendered {
        use Locale::{De, En, Pl, Tr};
        let l = labels(locale);
        let pick = |de: &str, en: &str, tr: &str, pl: &str| -> String {
            match locale {
                De => de,
                En => en,
                Tr => tr,
                Pl => pl,
            }
            .to_owned()
        };
        let (subject, body) = match self {
            Self::Billing(mail) => return mail.render(locale),
            Self::VerifyEmail { link } => (
                pick(
                    "Bitte bestätigen Sie Ihre E-Mail-Adresse",
                    "Please confirm your e-mail address",
                    "Lütfen e-posta adresinizi onaylayın",
                    "Potwierdź swój adres e-mail",
                ),
                Body {
                    heading: pick(
                        "Willkommen bei CarBot",
                        "Welcome to CarBot",
                        "CarBot'a hoş geldiniz",
                        "Witamy w CarBot",
                    ),
                    paragraphs: vec![
                        pick(
                            "Bitte bestätigen Sie Ihre E-Mail-Adresse. Erst danach senden wir Ihnen neue Anfragen per E-Mail.",
                            "Please confirm your e-mail address. Only then do we e-mail you new requests.",
                            "Lütfen e-posta adresinizi onaylayın. Yeni talepleri ancak bundan sonra e-postayla göndeririz.",
                            "Potwierdź swój adres e-mail. Dopiero wtedy wyślemy Ci nowe zapytania e-mailem.",
                        ),
                        l.ignore.to_owned(),
                    ],
                    action: Some((
                        pick(
                            "E-Mail-Adresse bestätigen",
                            "Confirm e-mail address",
                            "E-posta adresini onayla",
                            "Potwierdź adres e-mail",
                        ),
                        (*link).to_owned(),
                    )),
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::ConfirmNewEmail { link, new_email } => (
                pick(
                    "Bitte bestätigen Sie Ihre neue E-Mail-Adresse",
                    "Please confirm your new e-mail address",
                    "Lütfen yeni e-posta adresinizi onaylayın",
                    "Potwierdź nowy adres e-mail",
                ),
                Body {
                    heading: pick(
                        "Neue E-Mail-Adresse",
                        "New e-mail address",
                        "Yeni e-posta adresi",
                        "Nowy adres e-mail",
                    ),
                    paragraphs: vec![
                        match locale {
                            De => format!(
                                "Ihr CarBot-Konto soll künftig {new_email} verwenden. Die Änderung gilt, sobald Sie sie bestätigen."
                            ),
                            En => format!(
                                "Your CarBot account is to use {new_email} from now on. The change takes effect once you confirm it."
                            ),
                            Tr => format!(
                                "CarBot hesabınız bundan sonra {new_email} adresini kullanacak. Değişiklik onayladığınızda geçerli olur."
                            ),
                            Pl => format!(
                                "Twoje konto CarBot ma od teraz używać adresu {new_email}. Zmiana obowiązuje po potwierdzeniu."
                            ),
                        },
                        l.ignore.to_owned(),
                    ],
                    action: Some((
                        pick(
                            "Neue Adresse bestätigen",
                            "Confirm new address",
                            "Yeni adresi onayla",
                            "Potwierdź nowy adres",
                        ),
                        (*link).to_owned(),
                    )),
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::PasswordReset { link } => (
                pick(
                    "Passwort zurücksetzen",
                    "Reset your password",
                    "Şifrenizi sıfırlayın",
                    "Zresetuj hasło",
                ),
                Body {
                    heading: pick(
                        "Neues Passwort festlegen",
                        "Choose a new password",
                        "Yeni bir şifre belirleyin",
                        "Ustaw nowe hasło",
                    ),
                    paragraphs: vec![
                        pick(
                            "Mit dem Link unten legen Sie ein neues Passwort fest. Er gilt eine Stunde und nur einmal; danach werden alle anderen Anmeldungen beendet.",
                            "Use the link below to choose a new password. It works once, within one hour; every other sign-in is ended afterwards.",
                            "Aşağıdaki bağlantıyla yeni bir şifre belirleyin. Bağlantı bir saat içinde ve yalnızca bir kez geçerlidir; ardından diğer tüm oturumlar kapatılır.",
                            "Użyj poniższego linku, aby ustawić nowe hasło. Działa raz, przez godzinę; potem wszystkie inne logowania zostaną zakończone.",
                        ),
                        l.ignore.to_owned(),
                    ],
                    action: Some((
                        pick(
                            "Passwort zurücksetzen",
                            "Reset password",
                            "Şifreyi sıfırla",
                            "Zresetuj hasło",
                        ),
                        (*link).to_owned(),
                    )),
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::WebhookDisabled { url, gone, link } => (
                pick(
                    "Ein Webhook-Endpunkt wurde abgeschaltet",
                    "A webhook endpoint was switched off",
                    "Bir webhook uç noktası kapatıldı",
                    "Punkt końcowy webhooka został wyłączony",
                ),
                Body {
                    heading: pick(
                        "Webhook abgeschaltet",
                        "Webhook switched off",
                        "Webhook kapatıldı",
                        "Webhook wyłączony",
                    ),
                    paragraphs: vec![
                        match (locale, gone) {
                            (De, true) => format!(
                                "{url} hat mit 410 Gone geantwortet: Den Empfänger gibt es nicht mehr, CarBot sendet ihm nichts mehr."
                            ),
                            (De, false) => format!(
                                "Seit fünf Tagen ist jede Zustellung an {url} fehlgeschlagen; CarBot hat den Endpunkt abgeschaltet."
                            ),
                            (En, true) => format!(
                                "{url} answered 410 Gone: the receiver is no more, CarBot sends it nothing further."
                            ),
                            (En, false) => format!(
                                "Every delivery to {url} has failed for five days; CarBot switched the endpoint off."
                            ),
                            (Tr, true) => format!(
                                "{url} 410 Gone yanıtı verdi: alıcı artık yok, CarBot ona bir şey göndermiyor."
                            ),
                            (Tr, false) => format!(
                                "{url} adresine beş gündür her teslimat başarısız oldu; CarBot uç noktayı kapattı."
                            ),
                            (Pl, true) => format!(
                                "{url} odpowiedział 410 Gone: odbiorcy już nie ma, CarBot nic mu nie wysyła."
                            ),
                            (Pl, false) => format!(
                                "Od pięciu dni każda dostawa do {url} kończy się błędem; CarBot wyłączył punkt końcowy."
                            ),
                        },
                        pick(
                            "Schalten Sie den Endpunkt in den Webhook-Einstellungen wieder ein, sobald der Empfänger läuft; bis dahin sendet CarBot ihm keine neuen Ereignisse.",
                            "Switch the endpoint on again in the webhook settings once the receiver runs; until then CarBot sends it no new events.",
                            "Alıcı çalıştığında uç noktayı webhook ayarlarından yeniden açın; o zamana kadar CarBot ona yeni olay göndermez.",
                            "Włącz punkt ponownie w ustawieniach webhooków, gdy odbiorca działa; do tego czasu CarBot nie wysyła mu nowych zdarzeń.",
                        ),
                    ],
                    action: Some((
                        pick(
                            "Webhooks öffnen",
                            "Open webhooks",
                            "Webhook'ları aç",
                            "Otwórz webhooki",
                        ),
                        (*link).to_owned(),
                    )),
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::BackupFailed { what, host } => (
                pick(
                    "CarBot: eine Sicherung ist fehlgeschlagen",
                    "CarBot: a backup failed",
                    "CarBot: bir yedekleme başarısız oldu",
                    "CarBot: kopia zapasowa nie powiodła się",
                ),
                Body {
                    heading: pick(
                        "Sicherung fehlgeschlagen",
                        "Backup failed",
                        "Yedekleme başarısız",
                        "Kopia zapasowa nieudana",
                    ),
                    paragraphs: vec![
                        pick(
                            "Die geplante Sicherung der Datenbank ist fehlgeschlagen. CarBot versucht es bis zu dreimal im Abstand von zehn Minuten; danach wieder beim nächsten Termin.",
                            "The scheduled backup of the database failed. CarBot tries up to three times, ten minutes apart; after that again at the next scheduled time.",
                            "Veritabanının planlı yedeklemesi başarısız oldu. CarBot on dakika arayla en fazla üç kez dener; sonra bir sonraki planlı zamanda.",
                            "Zaplanowana kopia zapasowa bazy danych nie powiodła się. CarBot próbuje do trzech razy co dziesięć minut, potem w następnym terminie.",
                        ),
                        pick(
                            "Prüfen Sie mit `carbot backup list` und dem Log des Prozesses, was fehlt.",
                            "Check with `carbot backup list` and the process's log what is missing.",
                            "Neyin eksik olduğunu `carbot backup list` ve sürecin günlüğüyle kontrol edin.",
                            "Sprawdź za pomocą `carbot backup list` i logu procesu, czego brakuje.",
                        ),
                    ],
                    facts: vec![
                        (pick("Fehler", "Error", "Hata", "Błąd"), (*what).to_owned()),
                        (
                            pick("Rechner", "Host", "Sunucu", "Host"),
                            (*host).to_owned(),
                        ),
                    ],
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::PasswordChanged => (
                pick(
                    "Ihr Passwort wurde geändert",
                    "Your password was changed",
                    "Şifreniz değiştirildi",
                    "Twoje hasło zostało zmienione",
                ),
                Body {
                    heading: pick(
                        "Passwort geändert",
                        "Password changed",
                        "Şifre değiştirildi",
                        "Hasło zmienione",
                    ),
                    paragraphs: vec![pick(
                        "Das Passwort Ihres CarBot-Kontos wurde soeben geändert, andere Anmeldungen wurden beendet. Waren Sie das nicht, setzen Sie es bitte sofort zurück.",
                        "The password of your CarBot account was just changed and other sign-ins were ended. If this was not you, please reset it at once.",
                        "CarBot hesabınızın şifresi az önce değiştirildi ve diğer oturumlar kapatıldı. Bu siz değilseniz lütfen hemen sıfırlayın.",
                        "Hasło do Twojego konta CarBot zostało właśnie zmienione, a inne logowania zakończone. Jeśli to nie Ty, natychmiast je zresetuj.",
                    )],
                    footer: l.footer.to_owned(),
                    ..Body::default()
                },
            ),
            Self::Invitation {
                workshop,
                inviter,
                owner_role,
                link,
            } => {
                let role = match (locale, owner_role) {
                    (De, true) => "Inhaber",
                    (De, false) => "Mitarbeiter",
                    (En, true) => "owner",
                    (En, false) => "staff member",
                    (Tr, true) => "sahip",
                    (Tr, false) => "çalışan",
                    (Pl, true) => "właściciel",
                    (Pl, false) => "pracownik",
                };
                (
                    match locale {
                        De => format!("Einladung zu {workshop} auf CarBot"),
                        En => format!("Invitation to {workshop} on CarBot"),
                        Tr => format!("CarBot'ta {workshop} davetiyesi"),
                        Pl => format!("Zaproszenie do {workshop} w CarBot"),
                    },
                    Body {
                        workshop: Some((*workshop).to_owned()),
                        heading: pick(
                            "Sie wurden eingeladen",
                            "You have been invited",
                            "Davet edildiniz",
                            "Otrzymujesz zaproszenie",
                        ),
                        paragraphs: vec![
                            match locale {
                                De => format!(
                                    "{inviter} lädt Sie als {role} zu {workshop} ein: Chats und Anfragen der Werkstatt gemeinsam bearbeiten."
                                ),
                                En => format!(
                                    "{inviter} invites you to {workshop} as {role}, to work the workshop's chats and requests together."
                                ),
                                Tr => format!(
                                    "{inviter} sizi {workshop} atölyesine {role} olarak davet ediyor: sohbetleri ve talepleri birlikte yönetmek için."
                                ),
                                Pl => format!(
                                    "{inviter} zaprasza Cię do {workshop} jako {role}, aby wspólnie obsługiwać czaty i zapytania warsztatu."
                                ),
                            },
                            pick(
                                "Die Einladung gilt 7 Tage.",
                                "The invitation is good for 7 days.",
                                "Davet 7 gün geçerlidir.",
                                "Zaproszenie jest ważne 7 dni.",
                            ),
                        ],
                        action: Some((
                            pick(
                                "Einladung annehmen",
                                "Accept invitation",
                                "Daveti kabul et",
                                "Przyjmij zaproszenie",
                            ),
                            (*link).to_owned(),
                        )),
                        footer: l.footer.to_owned(),
                        ..Body::default()
                    },
                )
            }
            Self::NewLead {
                workshop,
                lead,
                link,
            } => (
                match locale {
                    De => format!("Neue Anfrage von {}", lead.name),
                    En => format!("New request from {}", lead.name),
                    Tr => format!("{} adlı kişiden yeni talep", lead.name),
                    Pl => format!("Nowe zapytanie od {}", lead.name),
                },
                Body {
                    workshop: Some((*workshop).to_owned()),
                    heading: pick(
                        "Neue Anfrage über den Chat",
                        "New request through the chat",
                        "Sohbet üzerinden yeni talep",
                        "Nowe zapytanie z czatu",
                    ),
                    paragraphs: vec![pick(
                        "Ein Besucher Ihrer Website hat eine Anfrage gestellt:",
                        "A visitor of your website sent a request:",
                        "Web sitenizin bir ziyaretçisi talep gönderdi:",
                        "Odwiedzający Twoją stronę wysłał zapytanie:",
                    )],
                    facts: lead_facts(lead, locale),
                    action: Some((l.open_lead.to_owned(), (*link).to_owned())),
                    footer: l.notification_footer.to_owned(),
                },
            ),
            Self::LeadReminder {
                workshop,
                lead,
                waiting_minutes,
                link,
            } => {
                let waiting = hours_and_minutes(*waiting_minutes, locale);
                (
                    match locale {
                        De => format!("Erinnerung: Anfrage von {} wartet", lead.name),
                        En => format!("Reminder: request from {} is waiting", lead.name),
                        Tr => format!("Hatırlatma: {} adlı kişinin talebi bekliyor", lead.name),
                        Pl => format!("Przypomnienie: zapytanie od {} czeka", lead.name),
                    },
                    Body {
                        workshop: Some((*workshop).to_owned()),
                        heading: pick(
                            "Diese Anfrage ist noch offen",
                            "This request is still open",
                            "Bu talep hâlâ açık",
                            "To zapytanie jest wciąż otwarte",
                        ),
                        paragraphs: vec![match locale {
                            De => format!(
                                "Seit {waiting} hat sich niemand gemeldet. Schnelle Antworten gewinnen Aufträge."
                            ),
                            En => format!(
                                "Nobody has answered for {waiting}. Quick answers win jobs."
                            ),
                            Tr => format!(
                                "{waiting} boyunca kimse yanıt vermedi. Hızlı yanıtlar iş kazandırır."
                            ),
                            Pl => format!(
                                "Od {waiting} nikt nie odpowiedział. Szybkie odpowiedzi wygrywają zlecenia."
                            ),
                        }],
                        facts: lead_facts(lead, locale),
                        action: Some((l.open_lead.to_owned(), (*link).to_owned())),
                        footer: l.notification_footer.to_owned(),
                    },
                )
            }
            Self::DailySummary {
                workshop,
                day,
                new_leads,
                open_leads,
                conversations,
                link,
            } => {
                let day = date(*day, locale);
                (
                    match (locale, *new_leads) {
                        (De, 1) => format!("Ihr Tag bei {workshop}: 1 neue Anfrage"),
                        (De, n) => format!("Ihr Tag bei {workshop}: {n} neue Anfragen"),
                        (En, 1) => format!("Your day at {workshop}: 1 new request"),
                        (En, n) => format!("Your day at {workshop}: {n} new requests"),
                        (Tr, n) => format!("{workshop} günlük özeti: {n} yeni talep"),
                        (Pl, 1) => format!("Twój dzień w {workshop}: 1 nowe zapytanie"),
                        (Pl, n)
                            if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) =>
                        {
                            format!("Twój dzień w {workshop}: {n} nowe zapytania")
                        }
                        (Pl, n) => format!("Twój dzień w {workshop}: {n} nowych zapytań"),
                    },
                    Body {
                        workshop: Some((*workshop).to_owned()),
                        heading: match locale {
                            De => format!("Zusammenfassung vom {day}"),
                            En => format!("Summary of {day}"),
                            Tr => format!("{day} özeti"),
                            Pl => format!("Podsumowanie z {day}"),
                        },
                        facts: vec![
                            (
                                pick("Chats", "Chats", "Sohbetler", "Czaty"),
                                conversations.to_string(),
                            ),
                            (
                                pick(
                                    "Neue Anfragen",
                                    "New requests",
                                    "Yeni talepler",
                                    "Nowe zapytania",
                                ),
                                new_leads.to_string(),
                            ),
                            (
                                pick(
                                    "Noch unbearbeitet",
                                    "Still untouched",
                                    "Henüz işlenmemiş",
                                    "Jeszcze nieobsłużone",
                                ),
                                open_leads.to_string(),
                            ),
                        ],
                        action: Some((
                            pick(
                                "Anfragen ansehen",
                                "See requests",
                                "Talepleri gör",
                                "Zobacz zapytania",
                            ),
                            (*link).to_owned(),
                        )),
                        footer: l.notification_footer.to_owned(),
                        ..Body::default()
                    },
                )
            }
        };
        body.render(locale, subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> LeadFacts {
        LeadFacts {
            name: "Eva Schmidt".into(),
            email: Some("eva@example.de".into()),
            phone: Some("+49 40 123456".into()),
            vehicle: Some("VW Golf 2017".into()),
            services: vec!["Ölwechsel".into(), "Inspektion".into()],
            estimate: Some((12_000, 18_050)),
            preferred_date: NaiveDate::from_ymd_opt(2026, 12, 24),
            message: Some("Bitte vormittags.".into()),
        }
    }

    #[test]
    fn a_new_lead_mail_carries_every_field_in_each_language() {
        let lead = lead();
        let template = Template::NewLead {
            workshop: "Autohaus Nord",
            lead: &lead,
            link: "https://app.example/leads/abc",
        };
        let de = template.render(Locale::De);
        assert_eq!(de.subject, "Neue Anfrage von Eva Schmidt");
        for expected in [
            "Autohaus Nord",
            "Eva Schmidt",
            "eva@example.de",
            "+49 40 123456",
            "VW Golf 2017",
            "Ölwechsel, Inspektion",
            "120 € – 180,50 €",
            "24.12.2026",
            "Bitte vormittags.",
            "https://app.example/leads/abc",
            "Wunschtermin",
        ] {
            assert!(
                de.text.contains(expected),
                "{expected} missing in {}",
                de.text
            );
        }
        let en = template.render(Locale::En);
        assert_eq!(en.subject, "New request from Eva Schmidt");
        assert!(en.text.contains("€120 – €180.50") && en.text.contains("2026-12-24"));
        assert!(en.text.contains("Preferred date"));
        assert!(
            template
                .render(Locale::Tr)
                .text
                .contains("Tercih edilen tarih")
        );
        assert!(
            template
                .render(Locale::Pl)
                .text
                .contains("Preferowany termin")
        );
    }

    #[test]
    fn every_template_renders_a_subject_and_both_parts_in_every_language() {
        let lead = lead();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let templates = [
            Template::VerifyEmail {
                link: "https://x/v",
            },
            Template::ConfirmNewEmail {
                link: "https://x/c",
                new_email: "neu@example.de",
            },
            Template::PasswordReset {
                link: "https://x/r",
            },
            Template::PasswordChanged,
            Template::Invitation {
                workshop: "Autohaus Nord",
                inviter: "chef@example.de",
                owner_role: false,
                link: "https://x/i",
            },
            Template::NewLead {
                workshop: "W",
                lead: &lead,
                link: "https://x/l",
            },
            Template::LeadReminder {
                workshop: "W",
                lead: &lead,
                waiting_minutes: 125,
                link: "https://x/l",
            },
            Template::DailySummary {
                workshop: "W",
                day,
                new_leads: 3,
                open_leads: 1,
                conversations: 9,
                link: "https://x/l",
            },
            Template::BackupFailed {
                what: "pg_dump: connection refused",
                host: "app-1",
            },
        ];
        for template in &templates {
            let subjects: Vec<String> = [Locale::De, Locale::En, Locale::Tr, Locale::Pl]
                .into_iter()
                .map(|locale| {
                    let mail = template.render(locale);
                    assert!(!mail.text.is_empty() && mail.html.contains("</html>"));
                    mail.subject
                })
                .collect();
            let mut distinct = subjects.clone();
            distinct.dedup();
            assert_eq!(distinct.len(), 4, "{}: {subjects:?}", template.kind());
        }
        assert_eq!(hours_and_minutes(125, Locale::De), "2 Std. 5 Min.");
    }
}
