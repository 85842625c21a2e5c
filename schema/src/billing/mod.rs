//! Plans and what they cost. Limits and Stripe come with the catalog and billing issues.

use async_graphql::{Enum, Object, SimpleObject};

use crate::money::Money;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanCode {
    Basic,
    Premium,
    Enterprise,
}

impl PlanCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "BASIC",
            Self::Premium => "PREMIUM",
            Self::Enterprise => "ENTERPRISE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Basic, Self::Premium, Self::Enterprise]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// A plan of the public price list (monthly, VAT included).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Plan {
    pub code: PlanCode,
    pub name: &'static str,
    pub price: Money,
}

pub const PLANS: [Plan; 3] = [
    Plan {
        code: PlanCode::Basic,
        name: "Basic",
        price: Money {
            amount_cents: 4_900,
            currency: "EUR",
        },
    },
    Plan {
        code: PlanCode::Premium,
        name: "Premium",
        price: Money {
            amount_cents: 9_900,
            currency: "EUR",
        },
    },
    Plan {
        code: PlanCode::Enterprise,
        name: "Enterprise",
        price: Money {
            amount_cents: 19_900,
            currency: "EUR",
        },
    },
];

pub fn plan(code: PlanCode) -> Plan {
    PLANS
        .into_iter()
        .find(|p| p.code == code)
        .unwrap_or(PLANS[0])
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// The public price list.
    async fn plans(&self) -> Vec<Plan> {
        PLANS.to_vec()
    }
}
