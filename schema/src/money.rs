//! Money as integer euro cents, VAT included.

use async_graphql::SimpleObject;

#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub amount_cents: i32,
    /// ISO 4217; always `EUR` today.
    pub currency: &'static str,
}

impl Money {
    pub fn eur(amount_cents: i32) -> Self {
        Self {
            amount_cents,
            currency: "EUR",
        }
    }
}

/// A price from `min` to `max`; a fixed price has `min` = `max`.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
    pub is_fixed: bool,
}

impl PriceRange {
    pub fn cents(min: i32, max: i32) -> Self {
        Self {
            min: Money::eur(min),
            max: Money::eur(max),
            is_fixed: min == max,
        }
    }
}
