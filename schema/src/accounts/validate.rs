//! Field checks shared by the account mutations. Messages are German first, like the product.

use crate::error::{UserErrorCode, UserErrors};

pub const MAX_WORKSHOP_NAME: usize = 120;
pub const MAX_EMAIL: usize = 254;

/// A trimmed workshop name, or `None` with the mistake recorded.
pub fn workshop_name(errors: &mut UserErrors, field: &[&str], name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        errors.push(
            field,
            UserErrorCode::Required,
            "Bitte geben Sie den Namen der Werkstatt an.",
        );
        None
    } else if name.chars().count() > MAX_WORKSHOP_NAME {
        errors.push(
            field,
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_WORKSHOP_NAME} Zeichen."),
        );
        None
    } else if name.chars().any(char::is_control) {
        errors.push(
            field,
            UserErrorCode::Invalid,
            "Der Name enthält unzulässige Zeichen.",
        );
        None
    } else {
        Some(name.to_owned())
    }
}

/// A lower-cased e-mail address, or `None` with the mistake recorded.
pub fn email(errors: &mut UserErrors, field: &[&str], email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        errors.push(
            field,
            UserErrorCode::Required,
            "Bitte geben Sie eine E-Mail-Adresse an.",
        );
        None
    } else if email.len() > MAX_EMAIL {
        errors.push(
            field,
            UserErrorCode::TooLong,
            "Die E-Mail-Adresse ist zu lang.",
        );
        None
    } else if let Some(problem) = email_problem(&email) {
        errors.push(field, UserErrorCode::Invalid, problem);
        None
    } else {
        Some(email)
    }
}

pub fn email_problem(email: &str) -> Option<&'static str> {
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && local.len() <= 64
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.contains('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:@\"".contains(c))
    });
    (!valid).then_some("Keine gültige E-Mail-Adresse.")
}

pub fn phone_problem(phone: &str) -> Option<&'static str> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    (!allowed || !(6..=15).contains(&digits)).then_some("Keine gültige Telefonnummer.")
}

pub fn website_problem(website: &str) -> Option<&'static str> {
    let rest = website
        .strip_prefix("https://")
        .or_else(|| website.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let valid = host.is_some_and(|h| {
        h.contains('.') && h.chars().all(|c| c.is_alphanumeric() || ".-:".contains(c))
    });
    (!valid).then_some("Bitte eine Adresse mit https:// angeben.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phones_and_websites() {
        assert_eq!(email_problem("inhaber@autohaus-nord.de"), None);
        assert_eq!(email_problem("müller@werkstatt.de"), None);
        for bad in [
            "", "ohne-at", "a@b", "a@.de", "a b@c.de", "a@b..de", "<x>@y.de",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(phone_problem("+49 (0) 40 123456"), None);
        assert!(phone_problem("call me").is_some());
        assert_eq!(website_problem("https://autohaus-nord.de/kontakt"), None);
        assert!(website_problem("javascript:alert(1)").is_some());
    }
}
