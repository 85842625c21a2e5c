//! The languages CarBot speaks: the console, the widget, the assistant and every e-mail.

pub mod messages;

use async_graphql::Enum;

/// The language of the caller of a request: the signed-in user's, the visitor's conversation's,
/// or the browser's `Accept-Language` for anonymous callers. User errors are written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallerLocale(pub Locale);

/// German first; English, Turkish and Polish for the workshops' customers and staff.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    De,
    En,
    Tr,
    Pl,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
            Self::Tr => "tr",
            Self::Pl => "pl",
        }
    }

    /// The first of the languages of an `Accept-Language` header that CarBot speaks.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().get(..2).unwrap_or_default().to_ascii_lowercase())
            .find_map(|code| match code.as_str() {
                "de" => Some(Self::De),
                "en" => Some(Self::En),
                "tr" => Some(Self::Tr),
                "pl" => Some(Self::Pl),
                _ => None,
            })
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "en" => Self::En,
            "tr" => Self::Tr,
            "pl" => Self::Pl,
            _ => Self::De,
        }
    }
}
