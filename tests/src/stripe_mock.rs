//! A local Stripe for tests: a real HTTP server speaking the part of Stripe's REST API that
//! CarBot's billing calls, with a hosted checkout page and a customer portal a browser can click
//! through, sending signed webhook events. Its objects are shaped exactly like Stripe's at
//! [`API_VERSION`], the version async-stripe 1.0.0-rc.10 pins, so that the product's client
//! parses them as it would parse Stripe's; the unit tests below prove it with async-stripe's
//! own types and its own webhook verification.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinHandle;

/// The API version of async-stripe 1.0.0-rc.10 (`stripe_shared::version::VERSION`): the shape
/// every object here follows, and the `api_version` of every event.
pub const API_VERSION: &str = "2026-09-30.endive";

const DAY: i64 = 24 * 60 * 60;
/// The mock's billing period: subscriptions renew every 30 days.
const PERIOD: i64 = 30 * DAY;

/// Decoded form or query parameters in the order sent, keys in Stripe's bracket notation.
type Params = [(String, String)];

/// An API request (`/v1/…`) as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The form body (POST) or query string (GET), e.g. `("metadata[workshop_id]", "…")`.
    pub params: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub stripe_version: Option<String>,
    /// The status the mock answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// The first value sent for `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        param(&self.params, key)
    }
}

/// What a checkout session was created with that Stripe keeps off the session object.
#[derive(Clone)]
struct Checkout {
    price: String,
    quantity: i64,
    subscription_metadata: Value,
    trial_end: Option<i64>,
}

#[derive(Default)]
struct Store {
    /// The configured prices, as complete `price` objects.
    prices: HashMap<String, Value>,
    /// Every object the mock made, by id, exactly as the API returns it.
    objects: HashMap<String, Value>,
    /// Ids in creation order, for the listings.
    order: Vec<String>,
    checkouts: HashMap<String, Checkout>,
    /// Answers by (Idempotency-Key, path), replayed as Stripe does.
    idempotent: HashMap<(String, String), (u16, Value)>,
    requests: Vec<RecordedRequest>,
    /// The webhook target URL and signing secret.
    webhook: Option<(String, String)>,
    delivered: Vec<(String, u16)>,
    invoices_numbered: u32,
}

impl Store {
    /// Stores `object` under its id (replacing an older version) and returns it.
    fn insert(&mut self, object: Value) -> Value {
        let id = text(&object["id"]).to_owned();
        if !self.objects.contains_key(&id) {
            self.order.push(id.clone());
        }
        self.objects.insert(id, object.clone());
        object
    }

    /// The object `id` if it is a `kind` (`customer`, `invoice`, …).
    fn find(&self, id: &str, kind: &str) -> Option<&Value> {
        self.objects.get(id).filter(|o| o["object"] == kind)
    }

    fn list(&self, kind: &str) -> impl Iterator<Item = &Value> {
        let objects = self.order.iter().filter_map(|id| self.objects.get(id));
        objects.filter(move |o| o["object"] == kind)
    }
}

struct Shared {
    secret_key: String,
    base_url: String,
    portal_configuration: String,
    http: reqwest::Client,
    store: Mutex<Store>,
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Signs and POSTs `event` to the webhook target, records and returns the status (0 when
    /// the target could not be reached); `None` without a target.
    async fn deliver(&self, event: &Value) -> Option<u16> {
        let (url, secret) = self.store().webhook.clone()?;
        let payload = event.to_string();
        let request = self
            .http
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json");
        let request = request.header("Stripe-Signature", sign(&payload, &secret, now()));
        let status = request
            .body(payload)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16());
        let kind = text(&event["type"]).to_owned();
        self.store().delivered.push((kind, status));
        Some(status)
    }
}

/// The running mock; the server stops when this is dropped.
pub struct StripeMock {
    /// Where to point the client, e.g. `http://127.0.0.1:41234` (async-stripe adds `/v1`).
    pub base_url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl StripeMock {
    /// Starts a mock that accepts `secret_key` and knows `prices`: (id, monthly unit amount in
    /// euro cents).
    pub async fn start(secret_key: &str, prices: &[(&str, i64)]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free local port");
        let base_url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let prices = prices
            .iter()
            .map(|&(id, amount)| (id.to_owned(), price_json(id, amount)));
        let shared = Arc::new(Shared {
            secret_key: secret_key.to_owned(),
            base_url: base_url.clone(),
            portal_configuration: stripe_id("bpc_1", 23),
            http: reqwest::Client::new(),
            store: Mutex::new(Store {
                prices: prices.collect(),
                ..Store::default()
            }),
        });
        let app = Router::new()
            .route("/pay/{id}", get(pay_page).post(pay))
            .route("/portal/{id}", get(portal_page))
            .route("/portal/{id}/cancel", post(portal_cancel))
            .route("/invoice/{id}", get(invoice_page))
            .fallback(api)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the mock Stripe serves");
        });
        Self {
            base_url,
            shared,
            server,
        }
    }

    /// Sends events to `url`, signed with `secret` (`whsec_…`).
    pub fn set_webhook(&self, url: &str, secret: &str) {
        self.shared.store().webhook = Some((url.to_owned(), secret.to_owned()));
    }

    /// The API requests received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.store().requests.clone()
    }

    /// (event type, HTTP status) of every event sent so far, oldest first; 0 for unreachable.
    pub fn delivered(&self) -> Vec<(String, u16)> {
        self.shared.store().delivered.clone()
    }

    /// Signs `event` with the webhook secret at the current time and POSTs it to the webhook
    /// target; returns the status (0 when the target could not be reached).
    pub async fn post_event(&self, event: &Value) -> u16 {
        let status = self.shared.deliver(event).await;
        status.expect("set_webhook before post_event")
    }

    /// A customer of `workshop` (its uuid) with a subscription to `price`, carrying the
    /// workshop in its metadata as our Checkout sets it; returns the customer's id and the
    /// subscription.
    pub fn subscribed(
        &self,
        workshop: &str,
        email: &str,
        price: &str,
        status: &str,
        created: i64,
    ) -> (String, Value) {
        let customer = self.customer(workshop, email);
        let customer_id = customer["id"].as_str().expect("customer id").to_owned();
        let subscription = self.subscription(&customer_id, price, status, created);
        let id = subscription["id"]
            .as_str()
            .expect("subscription id")
            .to_owned();
        let subscription = self.update_subscription(&id, |s| {
            s["metadata"] = json!({ "workshop_id": workshop });
        });
        (customer_id, subscription)
    }

    /// Any object the mock holds, by id, as `GET` returns it.
    pub fn object(&self, id: &str) -> Option<Value> {
        self.shared.store().objects.get(id).cloned()
    }

    /// All customers, oldest first.
    pub fn customers(&self) -> Vec<Value> {
        self.shared.store().list("customer").cloned().collect()
    }

    /// All subscriptions, oldest first.
    pub fn subscriptions(&self) -> Vec<Value> {
        self.shared.store().list("subscription").cloned().collect()
    }

    /// All invoices, oldest first.
    pub fn invoices(&self) -> Vec<Value> {
        self.shared.store().list("invoice").cloned().collect()
    }

    /// Registers a customer with `metadata[workshop_id]`, as CarBot creates them.
    pub fn customer(&self, workshop_id: &str, email: &str) -> Value {
        let customer = customer_json(Some(email), None, json!({ "workshop_id": workshop_id }));
        self.shared.store().insert(customer)
    }

    /// Registers a subscription of `customer` to one unit of `price` with `status`, its period
    /// (and, when `trialing`, its trial) starting at `created` and lasting 30 days.
    pub fn subscription(&self, customer: &str, price: &str, status: &str, created: i64) -> Value {
        let mut store = self.shared.store();
        let mut subscription = new_subscription(&store, customer, price, 1, status, created);
        if status == "trialing" {
            subscription["trial_start"] = json!(created);
            subscription["trial_end"] = json!(created + PERIOD);
        }
        if status == "canceled" {
            subscription["canceled_at"] = json!(created);
            subscription["ended_at"] = json!(created);
        }
        store.insert(subscription)
    }

    /// Changes a registered subscription (say its `status`) so that `GET` returns the change;
    /// returns the new object, e.g. for an [`event`].
    pub fn update_subscription(&self, id: &str, f: impl FnOnce(&mut Value)) -> Value {
        let mut store = self.shared.store();
        let subscription = store
            .objects
            .get_mut(id)
            .expect("a registered subscription");
        f(subscription);
        subscription.clone()
    }

    /// Registers an invoice of `amount` cents for the subscription's current period, `status`
    /// `draft`, `open`, `paid`, `uncollectible` or `void`; it becomes the subscription's
    /// `latest_invoice`.
    pub fn invoice(&self, customer: &str, subscription: &str, status: &str, amount: i64) -> Value {
        let mut store = self.shared.store();
        let invoice = new_invoice(
            &mut store,
            &self.base_url,
            customer,
            subscription,
            status,
            amount,
        );
        store.insert(invoice)
    }
}

impl Drop for StripeMock {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Stripe's `Stripe-Signature` header for `payload`: `t=…,v1=` hex HMAC-SHA256 of `t.payload`.
pub fn sign(payload: &str, secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key size");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// A Stripe event envelope around `object`, with a fresh id. `*.updated` events carry an empty
/// `data.previous_attributes`, to fill with the old values of what changed.
pub fn event(type_: &str, object: Value, created: i64) -> Value {
    let mut data = json!({ "object": object });
    if type_.ends_with(".updated") {
        data["previous_attributes"] = json!({});
    }
    json!({
        "id": stripe_id("evt_1", 23), "object": "event", "api_version": API_VERSION,
        "created": created, "data": data, "livemode": false, "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null }, "type": type_,
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A Stripe-looking id: `prefix` and `len` random letters and digits.
fn stripe_id(prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut id = String::from(prefix);
    while id.len() < prefix.len() + len {
        let bytes = *uuid::Uuid::new_v4().as_bytes();
        let take = (prefix.len() + len - id.len()).min(bytes.len());
        id.extend(
            bytes[..take]
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b % 62)])),
        );
    }
    id
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn cents(value: &Value) -> i64 {
    value.as_i64().unwrap_or_default()
}

fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

fn date(timestamp: &Value) -> String {
    let date = chrono::DateTime::from_timestamp(cents(timestamp), 0);
    date.map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

fn html_escape(text: &str) -> String {
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    text.replace('>', "&gt;").replace('"', "&quot;")
}

fn decode(form: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(form).into_owned().collect()
}

fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The `prefix[key]=value` params as a JSON object, e.g. `metadata[…]`.
fn nested(params: &Params, prefix: &str) -> Value {
    let fields = params.iter().filter_map(|(k, v)| {
        let key = k
            .strip_prefix(prefix)?
            .strip_prefix('[')?
            .strip_suffix(']')?;
        (!key.contains('[')).then(|| (key.to_owned(), json!(v)))
    });
    Value::Object(fields.collect())
}

/// The `prefix[0]`, `prefix[1]`, … params in order.
fn indexed<'a>(params: &'a Params, prefix: &str) -> Vec<&'a str> {
    (0..)
        .map_while(|i| param(params, &format!("{prefix}[{i}]")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Objects, field for field as Stripe sends them; fields Stripe sends only when asked to
// (`expand[]=subscriptions`, `line_items`, …) are left out.

fn price_json(id: &str, amount: i64) -> Value {
    json!({
        "id": id, "object": "price", "active": true, "billing_scheme": "per_unit",
        "created": now(), "currency": "eur", "custom_unit_amount": null, "livemode": false,
        "lookup_key": null, "metadata": {}, "nickname": null, "product": stripe_id("prod_", 14),
        "recurring": {
            "interval": "month", "interval_count": 1, "meter": null,
            "trial_period_days": null, "usage_type": "licensed",
        },
        "tax_behavior": "unspecified", "tiers_mode": null, "transform_quantity": null,
        "type": "recurring", "unit_amount": amount, "unit_amount_decimal": amount.to_string(),
    })
}

/// The legacy `plan` Stripe still sends (and async-stripe requires) beside an item's `price`.
fn plan_json(price: &Value) -> Value {
    json!({
        "id": price["id"], "object": "plan", "active": true, "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"], "billing_scheme": "per_unit",
        "created": price["created"], "currency": "eur", "interval": "month", "interval_count": 1,
        "livemode": false, "metadata": {}, "meter": null, "nickname": null,
        "product": price["product"], "tiers_mode": null, "transform_usage": null,
        "trial_period_days": null, "usage_type": "licensed",
    })
}

fn customer_json(email: Option<&str>, name: Option<&str>, metadata: Value) -> Value {
    json!({
        "id": stripe_id("cus_", 14), "object": "customer", "address": null, "balance": 0,
        "business_name": null, "created": now(), "currency": null, "customer_account": null,
        "default_source": null, "delinquent": false, "description": null, "discount": null,
        "email": email, "individual_name": null, "invoice_prefix": stripe_id("", 8).to_uppercase(),
        "invoice_settings": {
            "custom_fields": null, "default_payment_method": null, "footer": null,
            "rendering_options": null,
        },
        "livemode": false, "metadata": metadata, "name": name, "next_invoice_sequence": 1,
        "phone": null, "preferred_locales": [], "shipping": null, "tax_exempt": "none",
        "test_clock": null,
    })
}

/// A card (Stripe's test Visa 4242) or SEPA debit (test IBAN DE89…3000) payment method; Stripe
/// sends the details only under the key of its `type`.
fn payment_method_json(kind: &str, customer: &Value) -> Value {
    let details = if kind == "sepa_debit" {
        json!({
            "bank_code": "37040044", "branch_code": "", "country": "DE",
            "fingerprint": stripe_id("", 16),
            "generated_from": { "charge": null, "setup_attempt": null }, "last4": "3000",
        })
    } else {
        json!({
            "brand": "visa",
            "checks": {
                "address_line1_check": null, "address_postal_code_check": null,
                "cvc_check": "pass",
            },
            "country": "US", "display_brand": "visa", "exp_month": 12,
            "exp_year": chrono::Datelike::year(&chrono::Utc::now()) + 3,
            "fingerprint": stripe_id("", 16), "funding": "credit", "generated_from": null,
            "last4": "4242", "networks": { "available": ["visa"], "preferred": null },
            "regulated_status": "unregulated", "three_d_secure_usage": { "supported": true },
            "wallet": null,
        })
    };
    json!({
        "id": stripe_id("pm_1", 23), "object": "payment_method", "allow_redisplay": "limited",
        "billing_details": {
            "address": {
                "city": null, "country": "DE", "line1": null, "line2": null,
                "postal_code": null, "state": null,
            },
            "email": customer["email"], "name": customer["name"].as_str().unwrap_or("Max Mustermann"),
            "phone": null, "tax_id": null,
        },
        "created": now(), "customer": customer["id"], "customer_account": null,
        "livemode": false, "metadata": {}, "type": kind, kind: details,
    })
}

/// A subscription (not yet stored) with one item. Since API 2025-03 (basil) the billing period
/// (`current_period_start`/`_end`) is the item's, not the subscription's.
fn new_subscription(
    store: &Store,
    customer: &str,
    price: &str,
    quantity: i64,
    status: &str,
    start: i64,
) -> Value {
    let price = store.prices.get(price).expect("a configured price").clone();
    let id = stripe_id("sub_1", 23);
    let item = json!({
        "id": stripe_id("si_", 14), "object": "subscription_item", "billing_thresholds": null,
        "created": start, "current_period_end": start + PERIOD, "current_period_start": start,
        "discounts": [], "metadata": {}, "plan": plan_json(&price), "price": price,
        "quantity": quantity, "subscription": id, "tax_rates": [],
    });
    json!({
        "id": id, "object": "subscription", "application": null,
        "application_fee_percent": null,
        "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null },
        "billing_cycle_anchor": start, "billing_cycle_anchor_config": null,
        // Flexible billing is the default for new subscriptions since 2025-10 (clover).
        "billing_mode": {
            "flexible": { "proration_discounts": "included" }, "type": "flexible",
            "updated_at": start,
        },
        "billing_schedules": [], "billing_thresholds": null, "cancel_at": null,
        "cancel_at_period_end": false, "canceled_at": null,
        "cancellation_details": { "comment": null, "feedback": null, "reason": null },
        "collection_method": "charge_automatically", "created": start, "currency": "eur",
        "customer": customer, "customer_account": null, "days_until_due": null,
        "default_payment_method": null, "default_source": null, "default_tax_rates": [],
        "description": null, "discounts": [], "ended_at": null,
        "invoice_settings": {
            "account_tax_ids": null, "custom_fields": null, "description": null,
            "footer": null, "issuer": { "type": "self" },
        },
        "items": {
            "object": "list", "data": [item], "has_more": false, "total_count": 1,
            "url": format!("/v1/subscription_items?subscription={id}"),
        },
        "latest_invoice": null, "livemode": false, "managed_payments": null, "metadata": {},
        "next_pending_invoice_item_invoice": null, "on_behalf_of": null,
        "pause_collection": null,
        "payment_settings": {
            "payment_method_options": null, "payment_method_types": null,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": null, "pending_setup_intent": null,
        "pending_update": null, "schedule": null, "start_date": start, "status": status,
        "test_clock": null, "transfer_data": null, "trial_end": null,
        "trial_settings": { "end_behavior": { "missing_payment_method": "create_invoice" } },
        "trial_start": null,
    })
}

/// An invoice (not yet stored) for the subscription's current period, numbered `CB-0001`, …
/// unless a draft, and made the subscription's `latest_invoice`. Since API 2025-03 (basil) it
/// names its subscription only under `parent.subscription_details` (`subscription` is null).
fn new_invoice(
    store: &mut Store,
    base: &str,
    customer: &str,
    subscription: &str,
    status: &str,
    amount: i64,
) -> Value {
    let id = stripe_id("in_1", 23);
    let sub = store
        .objects
        .get_mut(subscription)
        .expect("a known subscription");
    sub["latest_invoice"] = json!(id);
    let sub = sub.clone();
    let customer = store.objects.get(customer).cloned().unwrap_or_default();
    let (item, finalized, paid, at) = (
        &sub["items"]["data"][0],
        status != "draft",
        status == "paid",
        now(),
    );
    let price = &item["price"];
    let when = |yes: bool| yes.then_some(at);
    let number = finalized.then(|| {
        store.invoices_numbered += 1;
        format!("CB-{:04}", store.invoices_numbered)
    });
    let description = format!(
        "{} × {} (zu {} / Monat)",
        item["quantity"],
        text(&price["product"]),
        euros(cents(&price["unit_amount"]))
    );
    let line = json!({
        "id": stripe_id("il_1", 23), "object": "line_item", "amount": amount, "currency": "eur",
        "description": description, "discount_amounts": [], "discountable": true,
        "discounts": [], "invoice": id, "livemode": false, "metadata": {},
        "parent": {
            "invoice_item_details": null,
            "subscription_item_details": {
                "invoice_item": null, "proration": false,
                "proration_details": { "credited_items": null },
                "subscription": subscription, "subscription_item": item["id"],
            },
            "type": "subscription_item_details",
        },
        "period": { "end": item["current_period_end"], "start": item["current_period_start"] },
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": { "price": price["id"], "product": price["product"] },
            "type": "price_details", "unit_amount_decimal": price["unit_amount_decimal"],
        },
        "quantity": item["quantity"], "quantity_decimal": null, "subscription": null,
        "subtotal": amount, "taxes": [],
    });
    json!({
        "id": id, "object": "invoice", "account_country": "DE",
        "account_name": "CarBot Test GmbH", "account_tax_ids": null, "amount_due": amount,
        "amount_overpaid": 0, "amount_paid": if paid { amount } else { 0 },
        "amount_remaining": if paid { 0 } else { amount }, "amount_shipping": 0,
        "application": null, "attempt_count": i32::from(finalized), "attempted": finalized,
        "auto_advance": finalized && !paid,
        "automatic_tax": {
            "disabled_reason": null, "enabled": false, "liability": null, "provider": null,
            "status": null,
        },
        "automatically_finalizes_at": when(!finalized).map(|t| t + 3600),
        "billing_reason": "subscription_cycle", "collection_method": "charge_automatically",
        "created": at, "currency": "eur", "custom_fields": null, "customer": customer["id"],
        "customer_account": null, "customer_address": null, "customer_email": customer["email"],
        "customer_name": customer["name"], "customer_phone": null, "customer_shipping": null,
        "customer_tax_exempt": "none", "customer_tax_ids": [], "default_payment_method": null,
        "default_source": null, "default_tax_rates": [], "description": null, "discounts": [],
        "due_date": null, "effective_at": when(finalized),
        "ending_balance": finalized.then_some(0), "footer": null, "from_invoice": null,
        "hosted_invoice_url": finalized.then(|| format!("{base}/invoice/{id}")),
        "invoice_pdf": finalized.then(|| format!("{base}/invoice/{id}?format=pdf")),
        "issuer": { "type": "self" }, "last_finalization_error": null, "latest_revision": null,
        "lines": {
            "object": "list", "data": [line], "has_more": false, "total_count": 1,
            "url": format!("/v1/invoices/{id}/lines"),
        },
        "livemode": false, "metadata": {},
        "next_payment_attempt": when(status == "open").map(|t| t + 3 * DAY),
        "number": number, "on_behalf_of": null,
        "parent": {
            "quote_details": null,
            "subscription_details": { "metadata": sub["metadata"], "subscription": subscription },
            "type": "subscription_details",
        },
        "payment_settings": {
            "default_mandate": null, "payment_method_options": null, "payment_method_types": null,
        },
        "period_end": at, "period_start": at, "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0, "receipt_number": null,
        "rendering": {
            "amount_tax_display": null, "pdf": { "page_size": "auto" }, "template": null,
            "template_version": null,
        },
        "shipping_cost": null, "shipping_details": null, "starting_balance": 0,
        "statement_descriptor": null, "status": status,
        "status_transitions": {
            "finalized_at": when(finalized), "marked_uncollectible_at": when(status == "uncollectible"),
            "paid_at": when(paid), "voided_at": when(status == "void"),
        },
        "subscription": null, "subtotal": amount, "subtotal_excluding_tax": amount,
        "test_clock": null, "total": amount, "total_discount_amounts": [],
        "total_excluding_tax": amount, "total_pretax_credit_amounts": [], "total_taxes": [],
        "webhooks_delivered_at": when(finalized),
    })
}

fn checkout_session_json(
    base: &str,
    params: &Params,
    total: i64,
    customer: Option<&Value>,
) -> Value {
    let id = stripe_id("cs_test_a1", 56);
    // `allowed_payment_method_types` (what async-stripe sends) filters Stripe's dynamic set;
    // the session then lists what remains.
    let mut types = indexed(params, "allowed_payment_method_types");
    if types.is_empty() {
        types = indexed(params, "payment_method_types");
    }
    if types.is_empty() {
        types.push("card");
    }
    let details = customer.map(|c| {
        json!({
            "address": null, "business_name": null, "email": c["email"], "individual_name": null,
            "name": c["name"], "phone": null, "tax_exempt": "none", "tax_ids": null,
        })
    });
    let created = now();
    json!({
        "id": id, "object": "checkout.session", "adaptive_pricing": { "enabled": false },
        "after_expiration": null, "allow_promotion_codes": null, "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {
            "enabled": param(params, "automatic_tax[enabled]") == Some("true"),
            "liability": null, "provider": null, "status": null,
        },
        "billing_address_collection": param(params, "billing_address_collection"),
        "cancel_url": param(params, "cancel_url"),
        "client_reference_id": param(params, "client_reference_id"), "client_secret": null,
        "collected_information": null, "consent": null, "consent_collection": null,
        "created": created, "currency": "eur", "currency_conversion": null, "custom_fields": [],
        "custom_text": {
            "after_submit": null, "shipping_address": null, "submit": null,
            "terms_of_service_acceptance": null,
        },
        "customer": customer.map(|c| &c["id"]), "customer_account": null,
        "customer_creation": customer.is_none().then_some("always"),
        "customer_details": details, "customer_email": param(params, "customer_email"),
        "discounts": [], "expires_at": created + DAY, "invoice": null, "invoice_creation": null,
        "livemode": false, "locale": param(params, "locale"), "managed_payments": null,
        "metadata": nested(params, "metadata"), "mode": param(params, "mode"),
        "origin_context": null, "payment_intent": null, "payment_link": null,
        "payment_method_collection": "always", "payment_method_configuration_details": null,
        "payment_method_options": if types.contains(&"card") {
            json!({ "card": { "request_three_d_secure": "automatic" } })
        } else {
            json!({})
        },
        "payment_method_types": types, "payment_status": "unpaid", "permissions": null,
        "phone_number_collection": { "enabled": false }, "recovered_from": null,
        "saved_payment_method_options": customer.map(|_| json!({
            "allow_redisplay_filters": ["always"], "payment_method_remove": "disabled",
            "payment_method_save": null,
        })),
        "setup_intent": null, "shipping_address_collection": null, "shipping_cost": null,
        "shipping_options": [], "status": "open", "submit_type": null, "subscription": null,
        "success_url": param(params, "success_url"),
        "tax_id_collection": { "enabled": false, "required": "never" },
        "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
        "ui_mode": "hosted", "url": format!("{base}/pay/{id}"), "wallet_options": null,
    })
}

// ---------------------------------------------------------------------------------------------
// The API.

/// An answer: HTTP status and JSON body.
type Answer = (u16, Value);

/// Stripe's error body; `param` names the offending parameter.
fn stripe_error(status: u16, code: Option<&str>, message: &str, param: Option<&str>) -> Answer {
    let mut error = json!({ "message": message, "type": "invalid_request_error" });
    if let Some(code) = code {
        let doc = format!(
            "https://stripe.com/docs/error-codes/{}",
            code.replace('_', "-")
        );
        error["code"] = json!(code);
        error["doc_url"] = json!(doc);
    }
    if let Some(param) = param {
        error["param"] = json!(param);
    }
    (status, json!({ "error": error }))
}

/// `No such customer: 'cus_x'`: 404 for the id in the path, 400 for an id in a parameter.
fn missing(what: &str, id: &str, param: &str) -> Answer {
    let status = if param == "id" { 404 } else { 400 };
    stripe_error(
        status,
        Some("resource_missing"),
        &format!("No such {what}: '{id}'"),
        Some(param),
    )
}

fn required<'a>(params: &'a Params, key: &str) -> Result<&'a str, Answer> {
    param(params, key).ok_or_else(|| {
        let message = format!("Missing required param: {key}.");
        stripe_error(400, Some("parameter_missing"), &message, Some(key))
    })
}

/// Every `/v1/…` request: recorded, authenticated, replayed for a known Idempotency-Key, routed.
async fn api(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = decode(if method == Method::GET {
        uri.query().unwrap_or_default().as_bytes()
    } else {
        &body
    });
    let header = |name: &str| Some(headers.get(name)?.to_str().ok()?.to_owned());
    let (path, authorization, idempotency_key) = (
        uri.path().to_owned(),
        header("authorization"),
        header("idempotency-key"),
    );
    // Stripe keeps answers to POSTs only.
    let replay_key = idempotency_key
        .clone()
        .filter(|_| method == Method::POST)
        .map(|k| (k, path.clone()));
    let mut store = shared.store();
    let replayed = replay_key
        .as_ref()
        .and_then(|k| store.idempotent.get(k))
        .cloned();
    let (status, body) =
        if authorization.as_deref() != Some(&format!("Bearer {}", shared.secret_key)) {
            let key = authorization
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches("Bearer ");
            let shown = key.get(key.len().saturating_sub(4)..).unwrap_or_default();
            let message = format!(
                "Invalid API Key provided: {}****{shown}",
                key.get(..8).unwrap_or_default()
            );
            stripe_error(401, None, &message, None)
        } else if let Some(answer) = replayed.clone() {
            answer
        } else {
            let answer = match route(&mut store, &shared, &method, &path, &params) {
                Ok(object) => (200, expand(&store, object, &params)),
                Err(failure) => failure,
            };
            // Like Stripe, only requests that ran keep their answer; refused ones may be retried.
            if let Some(key) = replay_key.filter(|_| answer.0 == 200) {
                store.idempotent.insert(key, answer.clone());
            }
            answer
        };
    let stripe_version = header("stripe-version");
    let (method, status) = (
        method.to_string(),
        StatusCode::from_u16(status).expect("a status"),
    );
    let recorded = RecordedRequest {
        method,
        path,
        params,
        authorization,
        idempotency_key,
        stripe_version,
        status: status.as_u16(),
    };
    store.requests.push(recorded);
    drop(store);
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    let request_id = HeaderValue::from_str(&stripe_id("req_", 14)).expect("an ASCII id");
    headers.insert("request-id", request_id);
    headers.insert("stripe-version", HeaderValue::from_static(API_VERSION));
    if replayed.is_some() {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

fn route(
    store: &mut Store,
    shared: &Shared,
    method: &Method,
    path: &str,
    params: &Params,
) -> Result<Value, Answer> {
    let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let fetch = |kind: &str, what: &str, id: &str| {
        store
            .find(id, kind)
            .cloned()
            .ok_or_else(|| missing(what, id, "id"))
    };
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["customers"]) => {
            let metadata = nested(params, "metadata");
            Ok(store.insert(customer_json(
                param(params, "email"),
                param(params, "name"),
                metadata,
            )))
        }
        ("POST", ["checkout", "sessions"]) => {
            required(params, "mode")?;
            let price = required(params, "line_items[0][price]")?;
            let Some(amount) = store.prices.get(price).map(|p| cents(&p["unit_amount"])) else {
                return Err(missing("price", price, "line_items[0][price]"));
            };
            let quantity = param(params, "line_items[0][quantity]").map_or(Ok(1), str::parse);
            let quantity = quantity.map_err(|_| {
                stripe_error(
                    400,
                    Some("parameter_invalid_integer"),
                    "Invalid integer",
                    Some("line_items[0][quantity]"),
                )
            })?;
            let customer = match param(params, "customer") {
                Some(id) => Some(
                    store
                        .find(id, "customer")
                        .ok_or_else(|| missing("customer", id, "customer"))?,
                ),
                None => None,
            };
            let trial_end =
                param(params, "subscription_data[trial_end]").and_then(|t| t.parse().ok());
            let trial_days = param(params, "subscription_data[trial_period_days]")
                .and_then(|d| d.parse::<i64>().ok());
            let trial_end = trial_end.or(trial_days.map(|days| now() + days * DAY));
            let total = if trial_end.is_some() {
                0
            } else {
                amount * quantity
            };
            let session = checkout_session_json(&shared.base_url, params, total, customer);
            let subscription_metadata = nested(params, "subscription_data[metadata]");
            let checkout = Checkout {
                price: price.to_owned(),
                quantity,
                subscription_metadata,
                trial_end,
            };
            store
                .checkouts
                .insert(text(&session["id"]).to_owned(), checkout);
            Ok(store.insert(session))
        }
        ("POST", ["billing_portal", "sessions"]) => {
            let customer = required(params, "customer")?;
            store
                .find(customer, "customer")
                .ok_or_else(|| missing("customer", customer, "customer"))?;
            let id = stripe_id("bps_1", 23);
            Ok(store.insert(json!({
                "id": id, "object": "billing_portal.session",
                "configuration": shared.portal_configuration, "created": now(),
                "customer": customer, "customer_account": null, "flow": null, "livemode": false,
                "locale": param(params, "locale"), "on_behalf_of": null,
                "return_url": param(params, "return_url"),
                "url": format!("{}/portal/{id}", shared.base_url),
            })))
        }
        ("GET", ["customers", id]) => fetch("customer", "customer", id),
        ("GET", ["checkout", "sessions", id]) => fetch("checkout.session", "checkout.session", id),
        ("GET", ["subscriptions", id]) => fetch("subscription", "subscription", id),
        ("GET", ["payment_methods", id]) => fetch("payment_method", "PaymentMethod", id),
        ("GET", ["invoices", id]) => fetch("invoice", "invoice", id),
        _ => {
            let message = format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            );
            Err(stripe_error(404, None, &message, None))
        }
    }
}

/// Replaces the ids named by `expand[n]=field` (or `field.subfield`) with their objects.
fn expand(store: &Store, mut object: Value, params: &Params) -> Value {
    fn expand_path(store: &Store, value: &mut Value, path: &str) {
        let (head, rest) = path
            .split_once('.')
            .map_or((path, None), |(h, r)| (h, Some(r)));
        let Some(field) = value.get_mut(head) else {
            return;
        };
        if let Some(found) = field.as_str().and_then(|id| store.objects.get(id)) {
            *field = found.clone();
        }
        if let Some(rest) = rest {
            expand_path(store, field, rest);
        }
    }
    for path in indexed(params, "expand") {
        expand_path(store, &mut object, path);
    }
    object
}

// ---------------------------------------------------------------------------------------------
// The pages a browser visits.

fn page(title: &str, body: &str) -> Response {
    let head = format!("<head><meta charset=\"utf-8\"><title>{title}</title></head>");
    Html(format!(
        "<!doctype html><html lang=\"de\">{head}<body><h1>{title}</h1>{body}</body></html>"
    ))
    .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        page("Nicht gefunden", "<p>Diese Sitzung gibt es nicht.</p>"),
    )
        .into_response()
}

/// Stripe's hosted checkout, reduced to a choice of payment method.
async fn pay_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = shared.store();
    let (Some(session), Some(checkout)) = (
        store.find(&id, "checkout.session"),
        store.checkouts.get(&id),
    ) else {
        return not_found();
    };
    if session["status"] == "complete" {
        return page(
            "Stripe-Testkasse",
            "<p id=\"paid\">Diese Zahlung ist abgeschlossen.</p>",
        );
    }
    let amount = cents(&store.prices[&checkout.price]["unit_amount"]) * checkout.quantity;
    let mut body = format!(
        "<p>CarBot-Abo <span id=\"price\">{}</span>: <strong id=\"amount\">{}</strong> pro Monat</p>",
        html_escape(&checkout.price),
        euros(amount)
    );
    if let Some(end) = checkout.trial_end {
        body += &format!(
            "<p id=\"trial\">Kostenlos testen bis {}</p>",
            date(&json!(end))
        );
    }
    let types = &session["payment_method_types"];
    for (kind, button, label) in [
        ("card", "pay-card", "Mit Karte bezahlen"),
        ("sepa_debit", "pay-sepa", "Per SEPA-Lastschrift bezahlen"),
    ] {
        if types.as_array().is_some_and(|t| t.contains(&json!(kind))) {
            body += &format!(
                "<form method=\"post\" action=\"/pay/{}\"><input type=\"hidden\" name=\"method\" value=\"{kind}\">\
                 <button type=\"submit\" id=\"{button}\">{label}</button></form>",
                html_escape(&id)
            );
        }
    }
    let cancel = html_escape(session["cancel_url"].as_str().unwrap_or("/"));
    page(
        "Stripe-Testkasse",
        &(body + &format!("<p><a id=\"cancel\" href=\"{cancel}\">Abbrechen</a></p>")),
    )
}

/// Completes a checkout session as Stripe does when the customer pays: payment method,
/// subscription, paid invoice, the events `checkout.session.completed`,
/// `customer.subscription.created` and `invoice.paid`, then a redirect to the `success_url`.
async fn pay(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let form = decode(&body);
    let method = param(&form, "method").unwrap_or("card");
    let (events, success) = {
        let mut store = shared.store();
        let (Some(mut session), Some(checkout)) = (
            store.find(&id, "checkout.session").cloned(),
            store.checkouts.get(&id).cloned(),
        ) else {
            return not_found();
        };
        let success = session["success_url"]
            .as_str()
            .unwrap_or(&shared.base_url)
            .replace("{CHECKOUT_SESSION_ID}", &id);
        if session["status"] == "complete" {
            return Redirect::to(&success).into_response();
        }
        if !session["payment_method_types"]
            .as_array()
            .is_some_and(|t| t.contains(&json!(method)))
        {
            let refused = page(
                "Stripe-Testkasse",
                "<p>Diese Zahlungsart ist nicht möglich.</p>",
            );
            return (StatusCode::BAD_REQUEST, refused).into_response();
        }
        let customer = match store.find(text(&session["customer"]), "customer") {
            Some(customer) => customer.clone(),
            None => {
                let email = session["customer_email"]
                    .as_str()
                    .unwrap_or("kunde@example.com")
                    .to_owned();
                store.insert(customer_json(Some(&email), None, json!({})))
            }
        };
        let customer_id = text(&customer["id"]).to_owned();
        let payment_method = store.insert(payment_method_json(method, &customer));
        let start = now();
        let status = if checkout.trial_end.is_some() {
            "trialing"
        } else {
            "active"
        };
        let mut sub = new_subscription(
            &store,
            &customer_id,
            &checkout.price,
            checkout.quantity,
            status,
            start,
        );
        sub["metadata"] = checkout.subscription_metadata.clone();
        sub["default_payment_method"] = payment_method["id"].clone();
        if let Some(end) = checkout.trial_end {
            (sub["trial_start"], sub["trial_end"]) = (json!(start), json!(end));
            sub["items"]["data"][0]["current_period_end"] = json!(end);
        }
        let sub_id = text(&store.insert(sub)["id"]).to_owned();
        let amount = cents(&session["amount_total"]);
        let mut invoice = new_invoice(
            &mut store,
            &shared.base_url,
            &customer_id,
            &sub_id,
            "paid",
            amount,
        );
        invoice["billing_reason"] = json!("subscription_create");
        let invoice = store.insert(invoice);
        session["status"] = json!("complete");
        session["payment_status"] = json!(if amount == 0 {
            "no_payment_required"
        } else {
            "paid"
        });
        session["customer"] = json!(customer_id);
        session["customer_details"] = json!({
            "address": { "city": null, "country": "DE", "line1": null, "line2": null, "postal_code": null, "state": null },
            "business_name": null, "email": customer["email"], "individual_name": null,
            "name": payment_method["billing_details"]["name"], "phone": null, "tax_exempt": "none",
            "tax_ids": [],
        });
        session["collected_information"] =
            json!({ "business_name": null, "individual_name": null, "shipping_details": null });
        (session["subscription"], session["invoice"]) = (json!(sub_id), invoice["id"].clone());
        // A completed session has no URL any more.
        session["url"] = Value::Null;
        let at = now();
        let events = [
            event("checkout.session.completed", store.insert(session), at),
            event(
                "customer.subscription.created",
                store.objects[&sub_id].clone(),
                at,
            ),
            event("invoice.paid", invoice, at),
        ];
        (events, success)
    };
    for event in &events {
        shared.deliver(event).await;
    }
    Redirect::to(&success).into_response()
}

/// The customer portal, reduced to cancelling a running subscription at period end.
async fn portal_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = shared.store();
    let Some(session) = store.find(&id, "billing_portal.session") else {
        return not_found();
    };
    let mut body = String::new();
    for sub in store
        .list("subscription")
        .filter(|s| s["customer"] == session["customer"] && s["status"] != "canceled")
    {
        let item = &sub["items"]["data"][0];
        let end = date(&item["current_period_end"]);
        let renewal = if sub["cancel_at_period_end"] == true {
            format!("endet am {end}")
        } else {
            format!("verlängert sich am {end}")
        };
        let (price, amount) = (
            html_escape(text(&item["price"]["id"])),
            euros(cents(&item["price"]["unit_amount"])),
        );
        body += &format!(
            "<p class=\"subscription\">Abo <span class=\"price\">{price}</span> ({amount}): {renewal}</p>"
        );
    }
    if body.is_empty() {
        body = "<p>Keine laufenden Abos.</p>".into();
    } else if body.contains("verlängert") {
        let action = format!("/portal/{}/cancel", html_escape(&id));
        body += &format!(
            "<form method=\"post\" action=\"{action}\"><button type=\"submit\" id=\"cancel-subscription\">Abo kündigen</button></form>"
        );
    }
    let back = html_escape(session["return_url"].as_str().unwrap_or("/"));
    page(
        "Stripe-Kundenportal",
        &(body + &format!("<p><a id=\"return\" href=\"{back}\">Zurück</a></p>")),
    )
}

/// "Abo kündigen": cancels the newest running subscription at period end, sends
/// `customer.subscription.updated` and shows the portal again.
async fn portal_cancel(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let back = Redirect::to(&format!("/portal/{id}")).into_response();
    let event = {
        let mut store = shared.store();
        let Some(customer) = store
            .find(&id, "billing_portal.session")
            .map(|s| s["customer"].clone())
        else {
            return not_found();
        };
        let running = |s: &&Value| {
            s["customer"] == customer
                && s["cancel_at_period_end"] == false
                && ["active", "trialing", "past_due"]
                    .iter()
                    .any(|st| s["status"] == *st)
        };
        let Some(sub_id) = store
            .list("subscription")
            .filter(running)
            .last()
            .map(|s| text(&s["id"]).to_owned())
        else {
            return back;
        };
        let sub = store
            .objects
            .get_mut(&sub_id)
            .expect("a listed subscription");
        let previous = json!({
            "cancel_at": sub["cancel_at"], "cancel_at_period_end": false,
            "canceled_at": sub["canceled_at"], "cancellation_details": { "reason": null },
        });
        sub["cancel_at_period_end"] = json!(true);
        sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"].clone();
        sub["canceled_at"] = json!(now());
        sub["cancellation_details"]["reason"] = json!("cancellation_requested");
        let mut event = event("customer.subscription.updated", sub.clone(), now());
        event["data"]["previous_attributes"] = previous;
        event
    };
    shared.deliver(&event).await;
    back
}

/// The hosted invoice page, and with `?format=pdf` a stand-in for the PDF.
async fn invoice_page(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let Some(invoice) = shared.store().find(&id, "invoice").cloned() else {
        return not_found();
    };
    let number = text(&invoice["number"]);
    if uri.query() == Some("format=pdf") {
        let pdf = format!("%PDF-1.4\n% Rechnung {number}\n%%EOF\n");
        return ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response();
    }
    let amount = euros(cents(&invoice["amount_due"]));
    page(
        &format!("Rechnung {number}"),
        &format!("<p id=\"amount\">{amount}</p>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_51MockCarBot4242";
    const SECRET: &str = "whsec_test_mock";
    const WORKSHOP: &str = "4d3c2b1a-0000-4000-8000-000000000001";

    /// Parses as async-stripe's client does: miniserde from the response text.
    fn parse<T: miniserde::Deserialize>(value: &Value) -> T {
        let name = std::any::type_name::<T>();
        miniserde::json::from_str(&value.to_string())
            .unwrap_or_else(|_| panic!("async-stripe cannot parse a {name}: {value:#}"))
    }

    fn id(value: &Value) -> &str {
        value["id"].as_str().expect("an id")
    }

    #[test]
    fn events_carry_the_api_version_async_stripe_pins() {
        assert_eq!(stripe_shared::version::VERSION.as_str(), API_VERSION);
    }

    #[tokio::test]
    async fn builders_parse_as_async_stripe_types() {
        let mock = StripeMock::start(KEY, &[("price_pro", 4900)]).await;
        let customer = mock.customer(WORKSHOP, "werkstatt@example.com");
        let parsed: stripe_shared::Customer = parse(&customer);
        assert_eq!(parsed.metadata.expect("metadata")["workshop_id"], WORKSHOP);
        for status in [
            "active",
            "trialing",
            "past_due",
            "canceled",
            "incomplete",
            "unpaid",
        ] {
            let sub: stripe_shared::Subscription =
                parse(&mock.subscription(id(&customer), "price_pro", status, 1_760_000_000));
            assert_eq!(sub.status.as_str(), status);
            // rc.10: the billing period lives on the subscription's items.
            let item = &sub.items.data[0];
            assert_eq!(item.current_period_end - item.current_period_start, PERIOD);
            assert_eq!(
                (item.price.unit_amount, item.price.currency.to_string()),
                (Some(4900), "eur".into())
            );
        }
        let sub = mock.subscription(id(&customer), "price_pro", "active", now());
        let updated =
            mock.update_subscription(id(&sub), |s| s["cancel_at_period_end"] = json!(true));
        assert!(parse::<stripe_shared::Subscription>(&updated).cancel_at_period_end);

        for status in ["draft", "open", "paid", "uncollectible", "void"] {
            let invoice: stripe_shared::Invoice =
                parse(&mock.invoice(id(&customer), id(&sub), status, 4900));
            assert_eq!(
                (
                    invoice.status.expect("status").as_str(),
                    invoice.number.is_some()
                ),
                (status, status != "draft")
            );
            // rc.10 (API basil and later): the invoice's parent names the subscription.
            let parent = invoice
                .parent
                .and_then(|p| p.subscription_details)
                .expect("subscription details");
            assert_eq!(parent.subscription.id().as_str(), id(&sub));
            assert!(invoice.subscription.is_none());
        }
        let paid = mock.invoice(id(&customer), id(&sub), "paid", 4900);
        assert_eq!(
            (
                cents(&paid["amount_paid"]),
                cents(&paid["amount_remaining"])
            ),
            (4900, 0)
        );
        assert_eq!(
            mock.object(id(&sub)).expect("stored")["latest_invoice"],
            paid["id"]
        );

        for (kind, last4) in [("card", "4242"), ("sepa_debit", "3000")] {
            let pm: stripe_shared::PaymentMethod = parse(&payment_method_json(kind, &customer));
            assert_eq!(pm.type_.as_str(), kind);
            let found = pm
                .card
                .map(|c| c.last4)
                .or(pm.sepa_debit.and_then(|s| s.last4));
            assert_eq!(found.as_deref(), Some(last4));
        }
        // The subscription as `GET …?expand[0]=default_payment_method` returns it.
        let mut store = mock.shared.store();
        let pm = store.insert(payment_method_json("card", &customer));
        store.objects.get_mut(id(&sub)).expect("stored")["default_payment_method"] =
            pm["id"].clone();
        let params = decode(b"expand[0]=default_payment_method");
        let parsed: stripe_shared::Subscription =
            parse(&expand(&store, store.objects[id(&sub)].clone(), &params));
        let expanded = parsed.default_payment_method.expect("a payment method");
        assert_eq!(
            expanded
                .as_object()
                .expect("expanded")
                .card
                .as_ref()
                .expect("a card")
                .brand,
            "visa"
        );
        drop(store);
        assert_eq!(
            (
                mock.customers().len(),
                mock.subscriptions().len(),
                mock.invoices().len()
            ),
            (1, 7, 6)
        );
    }

    #[tokio::test]
    async fn events_verify_and_parse_with_async_stripe_webhook() {
        let mock = StripeMock::start(KEY, &[("price_pro", 4900)]).await;
        let customer = mock.customer(WORKSHOP, "werkstatt@example.com");
        let sub = mock.subscription(id(&customer), "price_pro", "active", now());
        let created = event("customer.subscription.created", sub.clone(), now());
        assert!(created["data"].get("previous_attributes").is_none());
        let mut updated = event("customer.subscription.updated", sub, now());
        updated["data"]["previous_attributes"] = json!({ "status": "trialing" });
        for envelope in [created, updated] {
            let (payload, t) = (envelope.to_string(), now());
            let header = sign(&payload, SECRET, t);
            assert_eq!(
                header,
                stripe_webhook::Webhook::generate_test_header(&payload, SECRET, Some(t))
            );
            let parsed = stripe_webhook::Webhook::construct_event_with_timestamp(
                &payload, &header, SECRET, t,
            );
            let parsed = parsed.unwrap_or_else(|e| panic!("{e}: {envelope:#}"));
            assert_eq!(
                (parsed.id.as_str(), parsed.api_version),
                (id(&envelope), Some(stripe_shared::version::VERSION))
            );
            let (stripe_webhook::EventObject::CustomerSubscriptionCreated(s)
            | stripe_webhook::EventObject::CustomerSubscriptionUpdated(s)) = parsed.data.object
            else {
                panic!("not a subscription event: {envelope:#}");
            };
            assert_eq!(s.id.as_str(), id(&envelope["data"]["object"]));
            let forged = stripe_webhook::Webhook::construct_event_with_timestamp(
                &payload,
                &header,
                "whsec_other",
                t,
            );
            assert!(forged.is_err(), "a wrong secret must not verify");
        }
    }

    type Received = Arc<Mutex<Vec<(String, String)>>>;

    /// A webhook endpoint keeping (Stripe-Signature, body) of what it receives.
    async fn receiver() -> (String, Received) {
        async fn receive(
            State(seen): State<Received>,
            headers: HeaderMap,
            body: String,
        ) -> StatusCode {
            let signature = headers
                .get("stripe-signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            seen.lock()
                .expect("lock")
                .push((signature.to_owned(), body));
            StatusCode::OK
        }
        let received = Received::default();
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!("http://{}/webhook", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
        (url, received)
    }

    /// Every received event, verified and parsed as CarBot's webhook handler does.
    fn verified(received: &Received) -> Vec<stripe_webhook::Event> {
        let verify = |(signature, body): &(String, String)| {
            stripe_webhook::Webhook::construct_event(body, signature, SECRET)
                .unwrap_or_else(|e| panic!("{e}: {body}"))
        };
        received.lock().expect("lock").iter().map(verify).collect()
    }

    /// Sends `request`; returns the status, whether it was an idempotent replay, and the body.
    async fn send(request: reqwest::RequestBuilder) -> (u16, bool, Value) {
        let response = request.send().await.expect("a response");
        let (status, replayed) = (
            response.status().as_u16(),
            response.headers().contains_key("idempotent-replayed"),
        );
        (status, replayed, response.json().await.expect("JSON"))
    }

    #[tokio::test]
    async fn checkout_pay_and_portal_over_http() {
        let mock = StripeMock::start(KEY, &[("price_pro", 4900), ("price_team", 9900)]).await;
        let (webhook, received) = receiver().await;
        mock.set_webhook(&webhook, SECRET);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let post = |path: &str, form: &[(&str, &str)]| {
            let request = http
                .post(format!("{}/v1/{path}", mock.base_url))
                .bearer_auth(KEY);
            request.header("Stripe-Version", API_VERSION).form(form)
        };
        let get = |path: &str| {
            http.get(format!("{}/v1/{path}", mock.base_url))
                .bearer_auth(KEY)
        };

        // A customer, created twice with one Idempotency-Key: the second answer is the first.
        let form = [
            ("email", "werkstatt@example.com"),
            ("name", "Autohaus Beispiel"),
            ("metadata[workshop_id]", WORKSHOP),
        ];
        let (status, replayed, customer) =
            send(post("customers", &form).header("Idempotency-Key", "k1")).await;
        assert_eq!((status, replayed), (200, false), "{customer}");
        let again = send(post("customers", &form).header("Idempotency-Key", "k1")).await;
        assert_eq!((again.0, again.1, mock.customers().len()), (200, true, 1));
        assert_eq!(again.2, customer);
        let parsed: stripe_shared::Customer = parse(&customer);
        assert_eq!(parsed.email.as_deref(), Some("werkstatt@example.com"));
        let customer_id = id(&customer);
        let recorded = &mock.requests()[0];
        assert_eq!(
            (recorded.method.as_str(), recorded.path.as_str()),
            ("POST", "/v1/customers")
        );
        assert_eq!(recorded.param("metadata[workshop_id]"), Some(WORKSHOP));
        assert_eq!(
            (
                recorded.idempotency_key.as_deref(),
                recorded.stripe_version.as_deref()
            ),
            (Some("k1"), Some(API_VERSION))
        );
        assert_eq!(
            send(get(&format!("customers/{customer_id}"))).await.2,
            customer
        );

        // A checkout session as CarBot creates it.
        let (success, cancel) = (
            "https://carbot.test/billing?session={CHECKOUT_SESSION_ID}",
            "https://carbot.test/billing?abgebrochen=1",
        );
        let form = [
            ("mode", "subscription"),
            ("customer", customer_id),
            ("client_reference_id", WORKSHOP),
            ("line_items[0][price]", "price_pro"),
            ("line_items[0][quantity]", "1"),
            ("payment_method_types[0]", "card"),
            ("payment_method_types[1]", "sepa_debit"),
            ("locale", "de"),
            ("automatic_tax[enabled]", "false"),
            ("success_url", success),
            ("cancel_url", cancel),
            ("subscription_data[metadata][workshop_id]", WORKSHOP),
            ("metadata[workshop_id]", WORKSHOP),
        ];
        let (status, _, session) = send(post("checkout/sessions", &form)).await;
        assert_eq!(status, 200, "{session}");
        let parsed: stripe_shared::CheckoutSession = parse(&session);
        let session_id = parsed.id.as_str();
        assert!(session_id.starts_with("cs_test_"));
        assert_eq!(
            parsed.url,
            Some(format!("{}/pay/{session_id}", mock.base_url))
        );
        assert_eq!(
            (parsed.payment_method_types, parsed.amount_total),
            (vec!["card".into(), "sepa_debit".into()], Some(4900))
        );
        assert_eq!(
            send(get(&format!("checkout/sessions/{session_id}")))
                .await
                .2,
            session
        );

        let page = http
            .get(format!("{}/pay/{session_id}", mock.base_url))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        for needle in [
            "Stripe-Testkasse",
            "49,00 €",
            "id=\"pay-card\"",
            "id=\"pay-sepa\"",
            "id=\"cancel\"",
            cancel,
        ] {
            assert!(page.contains(needle), "{needle} in {page}");
        }

        // Paying: three signed events in order, then the redirect to the success URL.
        let paid = http
            .post(format!("{}/pay/{session_id}", mock.base_url))
            .form(&[("method", "sepa_debit")])
            .send()
            .await
            .expect("pay");
        assert_eq!(paid.status().as_u16(), 303);
        assert_eq!(
            paid.headers()["location"],
            success.replace("{CHECKOUT_SESSION_ID}", session_id)
        );
        let events = verified(&received);
        let types: Vec<&str> = events.iter().map(|e| e.type_.as_str()).collect();
        assert_eq!(
            types,
            [
                "checkout.session.completed",
                "customer.subscription.created",
                "invoice.paid"
            ]
        );
        assert_eq!(
            mock.delivered(),
            types
                .iter()
                .map(|t| ((*t).to_owned(), 200))
                .collect::<Vec<_>>()
        );
        let stripe_webhook::EventObject::CheckoutSessionCompleted(completed) =
            &events[0].data.object
        else {
            panic!("a checkout session");
        };
        assert_eq!(
            (
                completed.status.as_ref().map(|s| s.as_str()),
                completed.payment_status.as_str()
            ),
            (Some("complete"), "paid")
        );
        let sub_id = completed
            .subscription
            .as_ref()
            .expect("a subscription")
            .id()
            .as_str()
            .to_owned();
        let stripe_webhook::EventObject::InvoicePaid(invoice) = &events[2].data.object else {
            panic!("an invoice");
        };
        assert_eq!(
            (invoice.amount_paid, invoice.number.as_deref()),
            (4900, Some("CB-0001"))
        );

        let (status, _, sub) = send(get(&format!(
            "subscriptions/{sub_id}?expand[0]=default_payment_method"
        )))
        .await;
        assert_eq!(status, 200, "{sub}");
        let parsed: stripe_shared::Subscription = parse(&sub);
        assert_eq!(
            (
                parsed.metadata["workshop_id"].as_str(),
                parsed.customer.id().as_str()
            ),
            (WORKSHOP, customer_id)
        );
        let pm = parsed
            .default_payment_method
            .expect("a payment method")
            .into_object()
            .expect("expanded");
        assert_eq!(
            pm.sepa_debit.as_ref().and_then(|s| s.last4.as_deref()),
            Some("3000")
        );
        let (_, _, pm) = send(get(&format!("payment_methods/{}", pm.id.as_str()))).await;
        assert_eq!(
            parse::<stripe_shared::PaymentMethod>(&pm).type_.as_str(),
            "sepa_debit"
        );
        let (_, _, invoice) =
            send(get(&format!("invoices/{}", text(&sub["latest_invoice"])))).await;
        assert_eq!(
            parse::<stripe_shared::Invoice>(&invoice)
                .status
                .as_ref()
                .map(|s| s.as_str()),
            Some("paid")
        );
        let pdf = http
            .get(text(&invoice["invoice_pdf"]))
            .send()
            .await
            .expect("pdf");
        assert_eq!(pdf.headers()["content-type"], "application/pdf");

        // The portal: cancelling sends customer.subscription.updated.
        let form = [
            ("customer", customer_id),
            ("return_url", "https://carbot.test/billing"),
        ];
        let (status, _, portal) = send(post("billing_portal/sessions", &form)).await;
        assert_eq!(status, 200, "{portal}");
        let portal: stripe_billing::BillingPortalSession = parse(&portal);
        assert!(portal.id.as_str().starts_with("bps_"));
        let page = http
            .get(&portal.url)
            .send()
            .await
            .expect("portal")
            .text()
            .await
            .expect("html");
        for needle in [
            "Stripe-Kundenportal",
            "id=\"cancel-subscription\"",
            "Abo kündigen",
            "id=\"return\"",
            "https://carbot.test/billing",
        ] {
            assert!(page.contains(needle), "{needle} in {page}");
        }
        let cancel = http
            .post(format!("{}/cancel", portal.url))
            .send()
            .await
            .expect("cancel");
        assert_eq!(cancel.status().as_u16(), 303);
        let events = verified(&received);
        let stripe_webhook::EventObject::CustomerSubscriptionUpdated(updated) =
            &events[3].data.object
        else {
            panic!("a subscription update");
        };
        assert!(updated.cancel_at_period_end && events[3].data.previous_attributes.is_some());
        assert_eq!(
            mock.object(&sub_id).expect("stored")["cancel_at_period_end"],
            true
        );
        let page = http
            .get(&portal.url)
            .send()
            .await
            .expect("portal")
            .text()
            .await
            .expect("html");
        assert!(
            page.contains("endet am") && !page.contains("cancel-subscription"),
            "{page}"
        );
    }

    #[tokio::test]
    async fn refusals_are_shaped_like_stripes() {
        let mock = StripeMock::start(KEY, &[("price_pro", 4900)]).await;
        let http = reqwest::Client::new();
        let get = |path: &str, key: &str| {
            http.get(format!("{}/v1/{path}", mock.base_url))
                .bearer_auth(key)
        };

        let (status, _, body) = send(get("customers/cus_x", "sk_test_wrong1234")).await;
        let error = parse::<stripe_shared::Error>(&body).error;
        assert_eq!(
            (status, error.type_.as_str()),
            (401, "invalid_request_error")
        );
        assert!(
            error
                .message
                .expect("a message")
                .starts_with("Invalid API Key provided: sk_test_")
        );

        let (status, _, body) = send(get("subscriptions/sub_x", KEY)).await;
        assert_eq!(
            (status, &body["error"]["message"]),
            (404, &json!("No such subscription: 'sub_x'"))
        );
        let error = parse::<stripe_shared::Error>(&body).error;
        assert_eq!(
            (error.code.expect("a code").as_str(), error.param.as_deref()),
            ("resource_missing", Some("id"))
        );
        assert_eq!(send(get("coupons", KEY)).await.0, 404);

        let form = [
            ("mode", "subscription"),
            ("line_items[0][price]", "price_gone"),
            ("line_items[0][quantity]", "1"),
        ];
        let request = http
            .post(format!("{}/v1/checkout/sessions", mock.base_url))
            .bearer_auth(KEY)
            .form(&form);
        let (status, _, body) = send(request).await;
        assert_eq!(
            (status, &body["error"]["param"]),
            (400, &json!("line_items[0][price]"))
        );
        assert_eq!(
            mock.requests().iter().map(|r| r.status).collect::<Vec<_>>(),
            [401, 404, 404, 400]
        );
    }

    #[test]
    fn the_proof_has_teeth() {
        let customer = customer_json(None, None, json!({}));
        let mut pm = payment_method_json("card", &customer);
        assert!(miniserde::json::from_str::<stripe_shared::PaymentMethod>(&pm.to_string()).is_ok());
        pm.as_object_mut()
            .expect("an object")
            .remove("billing_details");
        assert!(
            miniserde::json::from_str::<stripe_shared::PaymentMethod>(&pm.to_string()).is_err()
        );
    }

    #[tokio::test]
    async fn a_trial_checkout_starts_trialing_at_no_charge() {
        let mock = StripeMock::start(KEY, &[("price_pro", 4900)]).await;
        let customer = mock.customer(WORKSHOP, "werkstatt@example.com");
        let trial_end = (now() + 14 * DAY).to_string();
        let form = [
            ("mode", "subscription"),
            ("customer", id(&customer)),
            ("line_items[0][price]", "price_pro"),
            ("success_url", "https://carbot.test/ok"),
            ("subscription_data[trial_end]", &trial_end),
        ];
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let request = http
            .post(format!("{}/v1/checkout/sessions", mock.base_url))
            .bearer_auth(KEY)
            .form(&form);
        let (_, _, session) = send(request).await;
        let page = http
            .get(text(&session["url"]))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(
            page.contains("id=\"trial\"") && !page.contains("pay-sepa"),
            "{page}"
        );
        let paid = http
            .post(text(&session["url"]))
            .form(&[("method", "card")])
            .send()
            .await
            .expect("pay");
        assert_eq!(paid.headers()["location"], "https://carbot.test/ok");
        let session: stripe_shared::CheckoutSession =
            parse(&mock.object(id(&session)).expect("stored"));
        assert_eq!(session.payment_status.as_str(), "no_payment_required");
        let sub: stripe_shared::Subscription = parse(&mock.subscriptions()[0]);
        assert_eq!(
            (sub.status.as_str(), sub.trial_end),
            ("trialing", trial_end.parse().ok())
        );
        assert_eq!(
            sub.items.data[0].current_period_end,
            sub.trial_end.expect("a trial end")
        );
        assert_eq!(cents(&mock.invoices()[0]["amount_paid"]), 0);
        assert!(
            mock.delivered().is_empty(),
            "no webhook configured, nothing sent"
        );
    }
}
