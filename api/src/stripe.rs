//! Stripe: the [`Payments`] the billing domain asks for, with async-stripe, and the verification
//! of webhook signatures (`Stripe-Signature: t=…,v1=…[,v1=…]`).

use std::collections::HashMap;
use std::time::Duration;

use carbot_schema::billing::provider::{
    EventKind, InvoiceChange, InvoiceSnapshot, InvoiceStatus, NewCheckout, NewCustomer,
    PaymentError, PaymentMethodFacts, PaymentMethodKind, Payments, ProviderEvent,
    SubscriptionChange, SubscriptionSnapshot,
};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAllowedPaymentMethodTypes,
    CreateCheckoutSessionAutomaticTax, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionSubscriptionData,
};
use stripe_shared::{CheckoutSessionLocale, CheckoutSessionMode};

/// How long one call to Stripe may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Stripe through async-stripe.
pub struct Stripe {
    client: stripe::Client,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stripe")
    }
}

impl Stripe {
    /// `api_base` points the client at another server (tests); `None` is Stripe itself.
    pub fn new(secret_key: &str, api_base: Option<&str>) -> anyhow::Result<Self> {
        // async-stripe's TLS asks rustls for the process's provider, and two are compiled in
        // (ring for this client, aws-lc for reqwest's): name one, unless one is set already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = stripe::ClientBuilder::new(secret_key).timeout(TIMEOUT);
        if let Some(base) = api_base {
            builder = builder.url(base.trim_end_matches('/'));
        }
        Ok(Self {
            client: builder.build()?,
        })
    }
}

fn failed(error: impl std::fmt::Display) -> PaymentError {
    PaymentError(error.to_string())
}

fn idempotent(key: &str) -> Result<RequestStrategy, PaymentError> {
    Ok(RequestStrategy::Idempotent(
        IdempotencyKey::new(key).map_err(|e| failed(format!("idempotency key: {e:?}")))?,
    ))
}

fn time(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

#[async_trait::async_trait]
impl Payments for Stripe {
    async fn create_customer(&self, customer: NewCustomer<'_>) -> Result<String, PaymentError> {
        let created = stripe_core::customer::CreateCustomer::new()
            .name(customer.name)
            .email(customer.email)
            .metadata(HashMap::from([(
                "workshop_id".to_owned(),
                customer.workshop_id.to_string(),
            )]))
            .customize()
            .request_strategy(idempotent(customer.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        Ok(created.id.as_str().to_owned())
    }

    async fn create_checkout(&self, checkout: NewCheckout<'_>) -> Result<String, PaymentError> {
        let workshop = checkout.workshop_id.to_string();
        let metadata = HashMap::from([("workshop_id".to_owned(), workshop.clone())]);
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .customer(checkout.customer_id)
            .client_reference_id(workshop)
            .line_items(vec![CreateCheckoutSessionLineItems {
                price: Some(checkout.price_id.to_owned()),
                quantity: Some(1),
                ..Default::default()
            }])
            .allowed_payment_method_types(vec![
                CreateCheckoutSessionAllowedPaymentMethodTypes::Card,
                CreateCheckoutSessionAllowedPaymentMethodTypes::SepaDebit,
            ])
            .locale(CheckoutSessionLocale::De)
            .automatic_tax(CreateCheckoutSessionAutomaticTax::new(false))
            .success_url(checkout.success_url)
            .cancel_url(checkout.cancel_url)
            .subscription_data(CreateCheckoutSessionSubscriptionData {
                metadata: Some(metadata.clone()),
                trial_end: checkout.trial_end.map(|end| end.timestamp()),
                ..Default::default()
            })
            .metadata(metadata)
            .customize()
            .request_strategy(idempotent(checkout.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        session
            .url
            .ok_or_else(|| failed("the Checkout Session came without a URL"))
    }

    async fn create_portal(
        &self,
        customer_id: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        let session = stripe_billing::billing_portal_session::CreateBillingPortalSession::new()
            .customer(customer_id)
            .return_url(return_url)
            .customize()
            .request_strategy(idempotent(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        Ok(session.url)
    }

    async fn payment_method(&self, id: &str) -> Result<PaymentMethodFacts, PaymentError> {
        let method = stripe_payment::payment_method::RetrievePaymentMethod::new(id)
            .send(&self.client)
            .await
            .map_err(failed)?;
        Ok(payment_method_facts(&method))
    }

    fn parse_event(&self, payload: &str) -> Result<ProviderEvent, PaymentError> {
        parse_event(payload)
    }
}

fn payment_method_facts(method: &stripe_shared::PaymentMethod) -> PaymentMethodFacts {
    let id = method.id.as_str().to_owned();
    if let Some(card) = &method.card {
        return PaymentMethodFacts {
            id,
            kind: PaymentMethodKind::Card,
            brand: Some(card.brand.clone()),
            last4: Some(card.last4.clone()),
        };
    }
    if let Some(sepa) = &method.sepa_debit {
        return PaymentMethodFacts {
            id,
            kind: PaymentMethodKind::SepaDebit,
            brand: sepa.bank_code.clone(),
            last4: sepa.last4.clone(),
        };
    }
    PaymentMethodFacts {
        id,
        kind: PaymentMethodKind::Other,
        brand: None,
        last4: None,
    }
}

/// Reads an event's object as the async-stripe type of its kind (parsed with miniserde, as the
/// client parses Stripe's answers).
fn object<T: miniserde::Deserialize>(value: &miniserde::json::Value) -> Result<T, PaymentError> {
    miniserde::json::from_str(&miniserde::json::to_string(value))
        .map_err(|_| failed("the event's object is not what its type says"))
}

fn subscription_snapshot(subscription: &stripe_shared::Subscription) -> SubscriptionSnapshot {
    let item = subscription.items.data.first();
    SubscriptionSnapshot {
        id: subscription.id.as_str().to_owned(),
        customer_id: subscription.customer.id().as_str().to_owned(),
        status: subscription.status.as_str().to_owned(),
        price_id: item.map(|item| item.price.id.as_str().to_owned()),
        current_period_end: item.and_then(|item| time(item.current_period_end)),
        cancel_at_period_end: subscription.cancel_at_period_end,
        trial_end: subscription.trial_end.and_then(time),
        default_payment_method: subscription
            .default_payment_method
            .as_ref()
            .map(|method| method.id().as_str().to_owned()),
        workshop_id: subscription
            .metadata
            .get("workshop_id")
            .and_then(|id| id.parse().ok()),
    }
}

fn invoice_snapshot(invoice: &stripe_shared::Invoice) -> Result<InvoiceSnapshot, PaymentError> {
    let id = invoice
        .id
        .as_ref()
        .ok_or_else(|| failed("an invoice without an id"))?;
    let customer = invoice
        .customer
        .as_ref()
        .ok_or_else(|| failed("an invoice without a customer"))?;
    let subscription = invoice
        .parent
        .as_ref()
        .and_then(|parent| parent.subscription_details.as_ref())
        .map(|details| details.subscription.id().as_str().to_owned())
        .or_else(|| {
            invoice
                .subscription
                .as_ref()
                .map(|s| s.id().as_str().to_owned())
        });
    use stripe_shared::InvoiceStatus as Stripe;
    let status = match invoice.status.as_ref() {
        Some(Stripe::Paid) => InvoiceStatus::Paid,
        Some(Stripe::Open) => InvoiceStatus::Open,
        Some(Stripe::Void) => InvoiceStatus::Void,
        Some(Stripe::Uncollectible) => InvoiceStatus::Uncollectible,
        _ => InvoiceStatus::Draft,
    };
    Ok(InvoiceSnapshot {
        id: id.as_str().to_owned(),
        customer_id: customer.id().as_str().to_owned(),
        subscription_id: subscription,
        number: invoice.number.clone(),
        amount_cents: invoice.amount_due,
        currency: invoice.currency.to_string(),
        status,
        hosted_url: invoice.hosted_invoice_url.clone(),
        pdf_url: invoice.invoice_pdf.clone(),
        created: time(invoice.created).unwrap_or_else(Utc::now),
    })
}

pub fn parse_event(payload: &str) -> Result<ProviderEvent, PaymentError> {
    let event: stripe_shared::Event =
        miniserde::json::from_str(payload).map_err(|_| failed("the body is not a Stripe event"))?;
    let type_ = event.type_.as_str().to_owned();
    let data = &event.data.object;
    let subscription = |change| -> Result<EventKind, PaymentError> {
        let subscription: stripe_shared::Subscription = object(data)?;
        Ok(EventKind::Subscription(
            change,
            subscription_snapshot(&subscription),
        ))
    };
    let invoice = |change| -> Result<EventKind, PaymentError> {
        let invoice: stripe_shared::Invoice = object(data)?;
        Ok(EventKind::Invoice(change, invoice_snapshot(&invoice)?))
    };
    let kind = match type_.as_str() {
        "checkout.session.completed" => {
            let session: stripe_shared::CheckoutSession = object(data)?;
            EventKind::CheckoutCompleted {
                workshop_id: session
                    .client_reference_id
                    .as_deref()
                    .and_then(|id| id.parse().ok()),
                customer_id: session
                    .customer
                    .as_ref()
                    .map(|c| c.id().as_str().to_owned()),
                subscription_id: session
                    .subscription
                    .as_ref()
                    .map(|s| s.id().as_str().to_owned()),
            }
        }
        "customer.subscription.created" => subscription(SubscriptionChange::Created)?,
        "customer.subscription.updated" => subscription(SubscriptionChange::Updated)?,
        "customer.subscription.deleted" => subscription(SubscriptionChange::Deleted)?,
        "customer.subscription.trial_will_end" => subscription(SubscriptionChange::TrialWillEnd)?,
        "invoice.paid" => invoice(InvoiceChange::Paid)?,
        "invoice.payment_failed" => invoice(InvoiceChange::PaymentFailed)?,
        "invoice.payment_action_required" => invoice(InvoiceChange::PaymentActionRequired)?,
        _ => EventKind::Other,
    };
    Ok(ProviderEvent {
        id: event.id.as_str().to_owned(),
        type_,
        created: time(event.created).unwrap_or_else(Utc::now),
        kind,
    })
}

/// Why a webhook was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature's timestamp is more than five minutes off")]
    Stale,
    #[error("no signature matches a configured secret")]
    Mismatch,
    #[error("no webhook secret is configured (STRIPE_WEBHOOK_SECRET)")]
    NotConfigured,
}

/// How far the signature's time may be from ours.
pub const TOLERANCE_SECS: i64 = 300;

/// Checks `header` against `payload`: its timestamp within five minutes of `now`, and any of its
/// `v1` signatures equal (compared in constant time) to the HMAC-SHA256 of `t.payload` under any
/// of `secrets`, so that a secret can be rolled.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    if secrets.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            // A signature that is not hex cannot match; the others may.
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Mismatch);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let matches = secrets.iter().any(|secret| {
        signatures.iter().any(|signature| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                return false;
            };
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            mac.verify_slice(signature).is_ok()
        })
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signed the way Stripe's own libraries sign (async-stripe's test helper).
    fn header(payload: &str, secret: &str, t: i64) -> String {
        stripe_webhook::Webhook::generate_test_header(payload, secret, Some(t))
    }

    #[test]
    fn signatures_are_checked_against_every_secret_and_the_clock() {
        let payload = r#"{"id":"evt_1"}"#;
        let now = 1_780_000_000;
        let secrets = vec!["whsec_old".to_owned(), "whsec_new".to_owned()];
        let good = header(payload, "whsec_new", now);
        assert_eq!(
            verify(Some(&good), payload.as_bytes(), &secrets, now),
            Ok(())
        );
        assert_eq!(
            verify(Some(&good), br#"{"id":"evt_2"}"#, &secrets, now),
            Err(SignatureError::Mismatch)
        );
        let wrong = header(payload, "whsec_other", now);
        assert_eq!(
            verify(Some(&wrong), payload.as_bytes(), &secrets, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                Some(&good),
                payload.as_bytes(),
                &secrets,
                now + TOLERANCE_SECS + 1
            ),
            Err(SignatureError::Stale)
        );
        // During a roll Stripe signs with both secrets; one known secret is enough.
        let old = header(payload, "whsec_old", now);
        let v1_old = old.split(",v1=").nth(1).expect("a v1");
        let both = format!("{},v1={v1_old}", header(payload, "whsec_unknown", now));
        assert_eq!(
            verify(Some(&both), payload.as_bytes(), &secrets[..1], now),
            Ok(())
        );
        assert_eq!(
            verify(None, payload.as_bytes(), &secrets, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("garbage"), payload.as_bytes(), &secrets, now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some(&good), payload.as_bytes(), &[], now),
            Err(SignatureError::NotConfigured)
        );
    }
}
