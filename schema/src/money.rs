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
