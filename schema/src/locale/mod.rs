//! The languages CarBot speaks: the console, the widget, the assistant and every e-mail.

use async_graphql::Enum;

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

    pub fn parse(text: &str) -> Self {
        match text {
            "en" => Self::En,
            "tr" => Self::Tr,
            "pl" => Self::Pl,
            _ => Self::De,
        }
    }
}
