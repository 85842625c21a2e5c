//! E-mails about the workshop's plan and payments, to its owners, in their language.

use chrono::NaiveDate;

use super::layout::{Body, Rendered};
use super::templates::{date, euros};
use crate::locale::Locale;

#[derive(Debug, Clone)]
pub enum BillingMail<'a> {
    /// Three days before a trial ends. `then_plan` names the plan a subscription continues
    /// with (a Stripe trial); without one the workshop turns inactive unless the owner chooses
    /// a plan.
    TrialEnding {
        workshop: &'a str,
        ends_on: NaiveDate,
        then_plan: Option<&'a str>,
        link: &'a str,
    },
    /// A payment failed: the plan stays until `grace_until`.
    PaymentFailed {
        workshop: &'a str,
        plan: &'a str,
        grace_until: NaiveDate,
        link: &'a str,
    },
    /// The bank asks the owner to confirm a payment (3-D Secure); `link` is Stripe's invoice page.
    PaymentActionRequired {
        workshop: &'a str,
        amount_cents: i64,
        link: &'a str,
    },
    PaymentReceived {
        workshop: &'a str,
        plan: &'a str,
        amount_cents: i64,
        number: Option<&'a str>,
        link: &'a str,
    },
}

fn money(cents: i64, locale: Locale) -> String {
    euros(i32::try_from(cents).unwrap_or(i32::MAX), locale)
}

impl BillingMail<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TrialEnding { .. } => "TRIAL_ENDING",
            Self::PaymentFailed { .. } => "PAYMENT_FAILED",
            Self::PaymentActionRequired { .. } => "PAYMENT_ACTION_REQUIRED",
            Self::PaymentReceived { .. } => "PAYMENT_RECEIVED",
        }
    }

    pub fn render(&self, locale: Locale) -> Rendered {
        use Locale::{De, En, Pl, Tr};
        let pick = |de: String, en: String, tr: String, pl: String| match locale {
            De => de,
            En => en,
            Tr => tr,
            Pl => pl,
        };
        let footer = pick(
            "Diese E-Mail kommt von CarBot, dem Kunden-Chat Ihrer Werkstatt. Tarif und Zahlungen verwalten Sie in der Konsole unter Tarif.".into(),
            "This e-mail comes from CarBot, your workshop's customer chat. Manage your plan and payments in the console under Plan.".into(),
            "Bu e-posta, atölyenizin müşteri sohbeti CarBot'tan gelmektedir. Tarifenizi ve ödemelerinizi konsolda Tarife altında yönetebilirsiniz.".into(),
            "Ta wiadomość pochodzi z CarBot, czatu klienta Twojego warsztatu. Plan i płatności zarządzasz w konsoli w zakładce Plan.".into(),
        );
        let (workshop, subject, heading, paragraphs, action) = match self {
            Self::TrialEnding {
                workshop,
                ends_on,
                then_plan,
                link,
            } => {
                let day = date(*ends_on, locale);
                let paragraph = match then_plan {
                    Some(plan) => pick(
                        format!(
                            "Ihre Testphase endet am {day}. Danach läuft Ihr Tarif {plan} weiter und wird monatlich abgerechnet."
                        ),
                        format!(
                            "Your trial ends on {day}. After that your {plan} plan continues and is billed monthly."
                        ),
                        format!(
                            "Deneme süreniz {day} tarihinde sona eriyor. Ardından {plan} tarifeniz devam eder ve aylık faturalandırılır."
                        ),
                        format!(
                            "Twój okres próbny kończy się {day}. Potem plan {plan} działa dalej i jest rozliczany co miesiąc."
                        ),
                    ),
                    None => pick(
                        format!(
                            "Ihre kostenlose Testphase endet am {day}. Wählen Sie bis dahin einen Tarif, damit der Assistent weiter antwortet. Anfragen gehen nie verloren."
                        ),
                        format!(
                            "Your free trial ends on {day}. Choose a plan by then so that the assistant keeps answering. Requests are never lost."
                        ),
                        format!(
                            "Ücretsiz deneme süreniz {day} tarihinde sona eriyor. Asistanın yanıt vermeye devam etmesi için o zamana kadar bir tarife seçin. Talepler asla kaybolmaz."
                        ),
                        format!(
                            "Twój bezpłatny okres próbny kończy się {day}. Wybierz do tego czasu plan, aby asystent nadal odpowiadał. Zapytania nigdy nie giną."
                        ),
                    ),
                };
                (
                    workshop,
                    pick(
                        format!("Ihre Testphase endet am {day}"),
                        format!("Your trial ends on {day}"),
                        format!("Deneme süreniz {day} tarihinde bitiyor"),
                        format!("Twój okres próbny kończy się {day}"),
                    ),
                    pick(
                        "Testphase endet bald".into(),
                        "Your trial ends soon".into(),
                        "Deneme süresi yakında bitiyor".into(),
                        "Okres próbny wkrótce się kończy".into(),
                    ),
                    vec![paragraph],
                    (
                        pick(
                            "Tarif wählen".into(),
                            "Choose a plan".into(),
                            "Tarife seçin".into(),
                            "Wybierz plan".into(),
                        ),
                        link,
                    ),
                )
            }
            Self::PaymentFailed {
                workshop,
                plan,
                grace_until,
                link,
            } => {
                let day = date(*grace_until, locale);
                (
                    workshop,
                    pick(
                        "Zahlung fehlgeschlagen – bitte Zahlungsmethode prüfen".into(),
                        "Payment failed – please check your payment method".into(),
                        "Ödeme başarısız – lütfen ödeme yönteminizi kontrol edin".into(),
                        "Płatność nie powiodła się – sprawdź metodę płatności".into(),
                    ),
                    pick(
                        "Die letzte Zahlung ist fehlgeschlagen".into(),
                        "The last payment failed".into(),
                        "Son ödeme başarısız oldu".into(),
                        "Ostatnia płatność nie powiodła się".into(),
                    ),
                    vec![pick(
                        format!(
                            "Ihr Tarif {plan} bleibt bis zum {day} aktiv. Bitte aktualisieren Sie bis dahin Ihre Zahlungsmethode; danach pausieren die KI-Antworten. Anfragen gehen nie verloren."
                        ),
                        format!(
                            "Your {plan} plan stays active until {day}. Please update your payment method by then; after that the AI answers pause. Requests are never lost."
                        ),
                        format!(
                            "{plan} tarifeniz {day} tarihine kadar etkin kalır. Lütfen o zamana kadar ödeme yönteminizi güncelleyin; ardından yapay zekâ yanıtları duraklar. Talepler asla kaybolmaz."
                        ),
                        format!(
                            "Twój plan {plan} pozostaje aktywny do {day}. Zaktualizuj do tego czasu metodę płatności; potem odpowiedzi AI zostaną wstrzymane. Zapytania nigdy nie giną."
                        ),
                    )],
                    (
                        pick(
                            "Zahlungsmethode aktualisieren".into(),
                            "Update payment method".into(),
                            "Ödeme yöntemini güncelle".into(),
                            "Zaktualizuj metodę płatności".into(),
                        ),
                        link,
                    ),
                )
            }
            Self::PaymentActionRequired {
                workshop,
                amount_cents,
                link,
            } => {
                let amount = money(*amount_cents, locale);
                (
                    workshop,
                    pick(
                        "Bitte bestätigen Sie Ihre Zahlung".into(),
                        "Please confirm your payment".into(),
                        "Lütfen ödemenizi onaylayın".into(),
                        "Potwierdź płatność".into(),
                    ),
                    pick(
                        "Zahlung bestätigen".into(),
                        "Confirm your payment".into(),
                        "Ödemeyi onaylayın".into(),
                        "Potwierdź płatność".into(),
                    ),
                    vec![pick(
                        format!(
                            "Ihre Bank möchte die Zahlung über {amount} bestätigt haben. Ohne Bestätigung gilt sie als fehlgeschlagen."
                        ),
                        format!(
                            "Your bank asks you to confirm the payment of {amount}. Without confirmation it counts as failed."
                        ),
                        format!(
                            "Bankanız {amount} tutarındaki ödemenin onaylanmasını istiyor. Onay olmadan ödeme başarısız sayılır."
                        ),
                        format!(
                            "Twój bank prosi o potwierdzenie płatności {amount}. Bez potwierdzenia zostanie uznana za nieudaną."
                        ),
                    )],
                    (
                        pick(
                            "Zahlung bestätigen".into(),
                            "Confirm payment".into(),
                            "Ödemeyi onayla".into(),
                            "Potwierdź płatność".into(),
                        ),
                        link,
                    ),
                )
            }
            Self::PaymentReceived {
                workshop,
                plan,
                amount_cents,
                number,
                link,
            } => {
                let amount = money(*amount_cents, locale);
                let number = number.map(|n| format!(" ({n})")).unwrap_or_default();
                (
                    workshop,
                    pick(
                        format!("Zahlung erhalten: {amount}"),
                        format!("Payment received: {amount}"),
                        format!("Ödeme alındı: {amount}"),
                        format!("Otrzymano płatność: {amount}"),
                    ),
                    pick(
                        "Vielen Dank für Ihre Zahlung".into(),
                        "Thank you for your payment".into(),
                        "Ödemeniz için teşekkürler".into(),
                        "Dziękujemy za płatność".into(),
                    ),
                    vec![pick(
                        format!(
                            "Wir haben {amount} für Ihren Tarif {plan} erhalten{number}. Die Rechnung finden Sie unter dem Link und in der Konsole unter Tarif."
                        ),
                        format!(
                            "We received {amount} for your {plan} plan{number}. The invoice is behind the link and in the console under Plan."
                        ),
                        format!(
                            "{plan} tarifeniz için {amount} aldık{number}. Faturayı bağlantıda ve konsolda Tarife altında bulabilirsiniz."
                        ),
                        format!(
                            "Otrzymaliśmy {amount} za plan {plan}{number}. Fakturę znajdziesz pod linkiem i w konsoli w zakładce Plan."
                        ),
                    )],
                    (
                        pick(
                            "Rechnung ansehen".into(),
                            "View invoice".into(),
                            "Faturayı görüntüle".into(),
                            "Zobacz fakturę".into(),
                        ),
                        link,
                    ),
                )
            }
        };
        Body {
            workshop: Some((*workshop).to_owned()),
            heading,
            paragraphs,
            action: Some((action.0, (*action.1).to_owned())),
            footer,
            ..Body::default()
        }
        .render(locale, subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_mails_name_the_plan_the_deadline_and_the_link_in_every_language() {
        let mail = BillingMail::PaymentFailed {
            workshop: "Autohaus Nord",
            plan: "Premium",
            grace_until: NaiveDate::from_ymd_opt(2026, 12, 9).expect("a date"),
            link: "https://app.example/plan",
        };
        let de = mail.render(Locale::De);
        assert!(
            de.subject.contains("Zahlung fehlgeschlagen"),
            "{}",
            de.subject
        );
        for expected in [
            "Autohaus Nord",
            "Premium",
            "09.12.2026",
            "https://app.example/plan",
        ] {
            assert!(
                de.text.contains(expected),
                "{expected} missing in {}",
                de.text
            );
        }
        for locale in [Locale::En, Locale::Tr, Locale::Pl] {
            let other = mail.render(locale);
            assert_ne!(other.subject, de.subject);
            assert!(
                other.text.contains("Premium") && other.html.contains("https://app.example/plan")
            );
        }
        let received = BillingMail::PaymentReceived {
            workshop: "Autohaus Nord",
            plan: "Premium",
            amount_cents: 9_900,
            number: Some("CB-0001"),
            link: "https://invoice.example/in_1",
        }
        .render(Locale::De);
        assert!(received.subject.contains("99 €") && received.text.contains("CB-0001"));
    }
}
