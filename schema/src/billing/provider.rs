//! What billing asks of the payment provider, and what it reads from the provider's events, in
//! the domain's words. The `carbot` binary implements [`Payments`] with async-stripe; tests point
//! that client at a local server speaking Stripe's API.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Why a call to the provider failed; the detail is for the log, never for the caller.
#[derive(Debug, thiserror::Error)]
#[error("payment provider: {0}")]
pub struct PaymentError(pub String);

/// The workshop's customer record at the provider.
#[derive(Debug, Clone)]
pub struct NewCustomer<'a> {
    pub workshop_id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub idempotency_key: &'a str,
}

/// A subscription Checkout Session: card and SEPA Direct Debit, German, no automatic tax.
#[derive(Debug, Clone)]
pub struct NewCheckout<'a> {
    pub workshop_id: Uuid,
    pub customer_id: &'a str,
    pub price_id: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// The rest of a running trial, carried into the subscription (not charged before it ends).
    pub trial_end: Option<DateTime<Utc>>,
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethodKind {
    Card,
    SepaDebit,
    Other,
}

impl PaymentMethodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "CARD",
            Self::SepaDebit => "SEPA_DEBIT",
            Self::Other => "OTHER",
        }
    }
}

/// What an owner recognises their payment method by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethodFacts {
    pub id: String,
    pub kind: PaymentMethodKind,
    /// `visa`, `mastercard`, …; the bank for SEPA when known.
    pub brand: Option<String>,
    pub last4: Option<String>,
}

/// A subscription as one event showed it.
#[derive(Debug, Clone)]
pub struct SubscriptionSnapshot {
    pub id: String,
    pub customer_id: String,
    /// Stripe's status: `trialing`, `active`, `past_due`, `unpaid`, `canceled`, `incomplete`,
    /// `incomplete_expired`, `paused`.
    pub status: String,
    /// The price of its first item.
    pub price_id: Option<String>,
    pub current_period_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub trial_end: Option<DateTime<Utc>>,
    pub default_payment_method: Option<String>,
    /// From the subscription's metadata (set by our Checkout Session).
    pub workshop_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Open => "OPEN",
            Self::Paid => "PAID",
            Self::Uncollectible => "UNCOLLECTIBLE",
            Self::Void => "VOID",
        }
    }

    /// Later states outrank earlier ones when two snapshots carry the same time.
    pub fn rank(self) -> i16 {
        match self {
            Self::Draft => 0,
            Self::Open => 1,
            Self::Uncollectible => 2,
            Self::Paid | Self::Void => 3,
        }
    }
}

/// An invoice as one event showed it.
#[derive(Debug, Clone)]
pub struct InvoiceSnapshot {
    pub id: String,
    pub customer_id: String,
    pub subscription_id: Option<String>,
    pub number: Option<String>,
    /// What the invoice asks for (`amount_due`), in cents.
    pub amount_cents: i64,
    pub currency: String,
    pub status: InvoiceStatus,
    pub hosted_url: Option<String>,
    pub pdf_url: Option<String>,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionChange {
    Created,
    Updated,
    Deleted,
    TrialWillEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceChange {
    Paid,
    PaymentFailed,
    PaymentActionRequired,
}

/// What an event means for billing.
#[derive(Debug, Clone)]
pub enum EventKind {
    CheckoutCompleted {
        /// `client_reference_id`: the workshop that started the Checkout.
        workshop_id: Option<Uuid>,
        customer_id: Option<String>,
        subscription_id: Option<String>,
    },
    Subscription(SubscriptionChange, SubscriptionSnapshot),
    Invoice(InvoiceChange, InvoiceSnapshot),
    /// A type billing does not act on (stored, then ignored).
    Other,
}

/// A verified webhook event, parsed.
#[derive(Debug, Clone)]
pub struct ProviderEvent {
    pub id: String,
    pub type_: String,
    /// When the provider produced the event, and with it the snapshot of its object.
    pub created: DateTime<Utc>,
    pub kind: EventKind,
}

/// The payment provider (Stripe). Calls that create something carry an idempotency key that the
/// caller derives from what is created, so a repeated call creates nothing twice.
#[async_trait::async_trait]
pub trait Payments: Send + Sync + std::fmt::Debug {
    /// Creates the workshop's customer; returns its id.
    async fn create_customer(&self, customer: NewCustomer<'_>) -> Result<String, PaymentError>;
    /// Creates a subscription Checkout Session; returns the URL to send the owner to.
    async fn create_checkout(&self, checkout: NewCheckout<'_>) -> Result<String, PaymentError>;
    /// Creates a customer portal session; returns its URL.
    async fn create_portal(
        &self,
        customer_id: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError>;
    async fn payment_method(&self, id: &str) -> Result<PaymentMethodFacts, PaymentError>;
    /// Parses the body of a webhook event whose signature was verified.
    fn parse_event(&self, payload: &str) -> Result<ProviderEvent, PaymentError>;
}
