//! Billing: what a workshop pays, through Stripe (or as the operator set it), and how that
//! decides its plan. `startCheckout` and `openBillingPortal` send the owner to Stripe; Stripe's
//! webhooks land in an inbox ([`inbox`]) that a worker applies ([`state`]) in any order; the
//! plan rules themselves are in [`crate::plans`]. Without `STRIPE_SECRET_KEY` billing says so
//! (`configured: false`, `BILLING_NOT_CONFIGURED`) and `carbot admin set-plan` sets plans
//! ([`admin`]).

pub mod admin;
pub mod inbox;
pub mod provider;
pub mod state;

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::context::Ctx;
use crate::db::schema::{billing_accounts, client_keys, invoices, leads, users, workshops};
use crate::error::{ApiResult, UserError, UserErrorCode};
use crate::mail::Mailer;
use crate::money::Money;
use crate::pagination::{OffsetPage, PageInfo};
use crate::plans::{PLANS, Plan, PlanCode, PlanStatus, StoredPlan};
use crate::principal::Tenant;
pub use provider::{PaymentError, Payments};

/// Stripe's prices of the three plans (`STRIPE_PRICE_BASIC|PREMIUM|ENTERPRISE`).
#[derive(Debug, Clone, Default)]
pub struct Prices {
    pub basic: Option<String>,
    pub premium: Option<String>,
    pub enterprise: Option<String>,
}

/// How this platform takes payments: a provider, or none (then the operator sets plans).
#[derive(Debug, Clone, Default)]
pub struct BillingSetup {
    pub payments: Option<Arc<dyn Payments>>,
    pub prices: Prices,
    /// Wakes this process's [`inbox::Worker`] when an event was stored.
    pub wake: Arc<tokio::sync::Notify>,
}

impl BillingSetup {
    pub fn configured(&self) -> bool {
        self.payments.is_some()
    }

    pub fn price_of(&self, code: PlanCode) -> Option<&str> {
        match code {
            PlanCode::Basic => self.prices.basic.as_deref(),
            PlanCode::Premium => self.prices.premium.as_deref(),
            PlanCode::Enterprise => self.prices.enterprise.as_deref(),
        }
    }

    pub fn plan_of_price(&self, price: &str) -> Option<PlanCode> {
        [PlanCode::Basic, PlanCode::Premium, PlanCode::Enterprise]
            .into_iter()
            .find(|code| self.price_of(*code) == Some(price))
    }
}

pub(crate) use crate::accounts::team::owners;

/// Who keeps the workshop's plan.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingManager {
    /// Nobody yet: the free trial.
    Trial,
    /// A Stripe subscription.
    Stripe,
    /// The operator (`carbot admin set-plan`), e.g. for a deal outside Stripe.
    Manual,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethodKind {
    Card,
    SepaDebit,
    Other,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct PaymentMethod {
    pub kind: PaymentMethodKind,
    /// `visa`, `mastercard`, … for cards.
    pub brand: Option<String>,
    pub last4: Option<String>,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
}

/// An invoice Stripe issued for the workshop.
#[derive(SimpleObject, Debug, Clone)]
pub struct Invoice {
    /// Stripe's id (`in_…`).
    pub id: async_graphql::ID,
    /// The number printed on the invoice.
    pub number: Option<String>,
    pub amount: Money,
    pub status: InvoiceStatus,
    /// Stripe's page of the invoice (to view and pay it).
    pub hosted_url: Option<String>,
    pub pdf_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct InvoiceEdge {
    pub cursor: String,
    pub node: Invoice,
}

#[derive(SimpleObject)]
pub struct InvoiceConnection {
    pub edges: Vec<InvoiceEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// A counted allowance of the plan.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Client keys not revoked (paused ones count).
    ClientKeys,
    /// Leads this calendar month (UTC).
    LeadsPerMonth,
    /// Workshops of the organisation.
    Locations,
}

#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Usage {
    pub quota: Quota,
    pub used: i64,
    /// `null`: unlimited.
    pub limit: Option<i32>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = invoices, check_for_backend(diesel::pg::Pg))]
struct InvoiceRow {
    id: String,
    number: Option<String>,
    amount_cents: i64,
    status: String,
    hosted_url: Option<String>,
    pdf_url: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Debug, Default)]
#[diesel(table_name = billing_accounts, check_for_backend(diesel::pg::Pg))]
struct AccountView {
    managed_by: String,
    current_period_end: Option<DateTime<Utc>>,
    cancel_at_period_end: bool,
    payment_method_kind: Option<String>,
    payment_method_brand: Option<String>,
    payment_method_last4: Option<String>,
}

/// What the workshop pays and may use.
pub struct Billing {
    tenant: Tenant,
    configured: bool,
    plan: Plan,
    status: PlanStatus,
    trial_ends_at: Option<DateTime<Utc>>,
    access_until: Option<DateTime<Utc>>,
    account: AccountView,
}

#[Object]
impl Billing {
    /// Whether this platform takes payments through Stripe; without it the operator sets plans.
    async fn configured(&self) -> bool {
        self.configured
    }
    async fn plan(&self) -> Plan {
        self.plan
    }
    async fn status(&self) -> PlanStatus {
        self.status
    }
    async fn trial_ends_at(&self) -> Option<DateTime<Utc>> {
        self.trial_ends_at
    }
    /// The end of the period paid for (Stripe), or of the plan the operator set `--until`.
    async fn current_period_end(&self) -> Option<DateTime<Utc>> {
        self.account
            .current_period_end
            .or((self.account.managed_by == "MANUAL")
                .then_some(self.access_until)
                .flatten())
    }
    /// The subscription ends at `currentPeriodEnd` (cancelled in the portal).
    async fn cancel_at_period_end(&self) -> bool {
        self.account.cancel_at_period_end
    }
    /// While `PAST_DUE`: when the workshop turns `INACTIVE` unless a payment succeeds.
    async fn grace_ends_at(&self) -> Option<DateTime<Utc>> {
        (self.status == PlanStatus::PastDue)
            .then_some(self.access_until)
            .flatten()
    }
    async fn managed_by(&self) -> BillingManager {
        match self.account.managed_by.as_str() {
            "STRIPE" => BillingManager::Stripe,
            "MANUAL" => BillingManager::Manual,
            _ => BillingManager::Trial,
        }
    }
    async fn payment_method(&self) -> Option<PaymentMethod> {
        let kind = match self.account.payment_method_kind.as_deref()? {
            "CARD" => PaymentMethodKind::Card,
            "SEPA_DEBIT" => PaymentMethodKind::SepaDebit,
            _ => PaymentMethodKind::Other,
        };
        Some(PaymentMethod {
            kind,
            brand: self.account.payment_method_brand.clone(),
            last4: self.account.payment_method_last4.clone(),
        })
    }
    /// Newest first.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<InvoiceConnection> {
        let page = OffsetPage::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let rows: Vec<InvoiceRow> = self
            .tenant
            .invoices()
            .select(InvoiceRow::as_select())
            .order((invoices::created_at.desc(), invoices::id.desc()))
            .limit(page.first + 1)
            .offset(page.offset)
            .load(&mut conn)
            .await?;
        let total_count: i64 = if ctx.look_ahead().field("totalCount").exists() {
            self.tenant.invoices().count().get_result(&mut conn).await?
        } else {
            0
        };
        let (edges, page_info) = page.edges(rows);
        Ok(InvoiceConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| InvoiceEdge {
                    cursor,
                    node: Invoice {
                        id: row.id.into(),
                        number: row.number,
                        amount: Money::eur(i32::try_from(row.amount_cents).unwrap_or(i32::MAX)),
                        status: match row.status.as_str() {
                            "DRAFT" => InvoiceStatus::Draft,
                            "OPEN" => InvoiceStatus::Open,
                            "PAID" => InvoiceStatus::Paid,
                            "VOID" => InvoiceStatus::Void,
                            _ => InvoiceStatus::Uncollectible,
                        },
                        hosted_url: row.hosted_url,
                        pdf_url: row.pdf_url,
                        created_at: row.created_at,
                    },
                })
                .collect(),
            page_info,
            total_count,
        })
    }
    /// Use of every counted allowance against the plan's limit.
    async fn usage(&self, ctx: &Context<'_>) -> ApiResult<Vec<Usage>> {
        let mut conn = ctx.platform().conn().await?;
        let keys: i64 = self
            .tenant
            .client_keys()
            .filter(client_keys::revoked_at.is_null())
            .count()
            .get_result(&mut conn)
            .await?;
        let now = Utc::now();
        let month_start = now
            .date_naive()
            .with_day(1)
            .unwrap_or(now.date_naive())
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let leads_this_month: i64 = self
            .tenant
            .leads()
            .filter(leads::created_at.ge(month_start))
            .count()
            .get_result(&mut conn)
            .await?;
        let organization_id: Uuid = workshops::table
            .find(self.tenant.workshop_id())
            .select(workshops::organization_id)
            .first(&mut conn)
            .await?;
        let locations: i64 = workshops::table
            .filter(workshops::organization_id.eq(organization_id))
            .count()
            .get_result(&mut conn)
            .await?;
        let limits = self.plan.limits;
        Ok(vec![
            Usage {
                quota: Quota::ClientKeys,
                used: keys,
                limit: limits.client_keys,
            },
            Usage {
                quota: Quota::LeadsPerMonth,
                used: leads_this_month,
                limit: limits.leads_per_month,
            },
            Usage {
                quota: Quota::Locations,
                used: locations,
                limit: Some(if limits.multi_location {
                    i32::try_from(crate::accounts::locations::MAX_LOCATIONS).unwrap_or(i32::MAX)
                } else {
                    1
                }),
            },
        ])
    }
}

async fn load_billing(
    conn: &mut AsyncPgConnection,
    setup: &BillingSetup,
    tenant: Tenant,
) -> ApiResult<Billing> {
    let stored = StoredPlan::load(conn, tenant).await?;
    let entitlements = stored.entitlements(Utc::now());
    let account = tenant
        .billing_accounts()
        .select(AccountView::as_select())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_else(|| AccountView {
            managed_by: "TRIAL".into(),
            ..AccountView::default()
        });
    Ok(Billing {
        tenant,
        configured: setup.configured(),
        plan: entitlements.plan,
        status: entitlements.status,
        trial_ends_at: stored.trial_ends_at,
        access_until: stored.access_until,
        account,
    })
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// The public price list.
    async fn plans(&self) -> Vec<Plan> {
        PLANS.to_vec()
    }

    /// What the workshop pays and may use. Owners only (staff and API tokens get FORBIDDEN).
    async fn billing(&self, ctx: &Context<'_>) -> ApiResult<Billing> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut conn = ctx.platform().conn().await?;
        load_billing(&mut conn, ctx.service::<BillingSetup>(), tenant).await
    }
}

#[derive(InputObject)]
pub struct StartCheckoutInput {
    pub plan: PlanCode,
}

#[derive(SimpleObject)]
pub struct StartCheckoutPayload {
    /// Stripe's Checkout page (or the customer portal for a workshop that already pays).
    pub url: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct OpenBillingPortalPayload {
    /// Stripe's customer portal: payment method, invoices, cancellation.
    pub url: Option<String>,
    pub user_errors: Vec<UserError>,
}

fn refused(code: UserErrorCode, message: &str) -> (Option<String>, Vec<UserError>) {
    (None, vec![UserError::new(&[], code, message)])
}

const NOT_CONFIGURED: &str = "Online-Zahlung ist auf dieser Plattform nicht eingerichtet. Ihr Betreiber stellt Ihren Tarif ein.";
const UNAVAILABLE: &str = "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.";

/// A key Stripe recognises a repeated request by: what is created, and for whom.
fn idempotency_key(kind: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    format!("carbot-{kind}-{}", &hex::encode(hash.finalize())[..32])
}

/// The workshop's customer at Stripe, created on first use.
async fn customer(
    conn: &mut AsyncPgConnection,
    payments: &dyn Payments,
    tenant: Tenant,
    owner_email: &str,
) -> ApiResult<Result<String, PaymentError>> {
    let workshop_id = tenant.workshop_id();
    state::ensure_account(conn, workshop_id).await?;
    let known: Option<String> = tenant
        .billing_accounts()
        .select(billing_accounts::stripe_customer_id)
        .first(conn)
        .await?;
    if let Some(id) = known {
        return Ok(Ok(id));
    }
    let name: String = workshops::table
        .find(workshop_id)
        .select(workshops::name)
        .first(conn)
        .await?;
    let id_text = workshop_id.to_string();
    let created = payments
        .create_customer(provider::NewCustomer {
            workshop_id,
            name: &name,
            email: owner_email,
            idempotency_key: &idempotency_key("customer", &[&id_text]),
        })
        .await;
    let Ok(customer_id) = created else {
        return Ok(created);
    };
    diesel::update(billing_accounts::table.find(workshop_id))
        .filter(billing_accounts::stripe_customer_id.is_null())
        .set(billing_accounts::stripe_customer_id.eq(&customer_id))
        .execute(conn)
        .await?;
    Ok(Ok(customer_id))
}

async fn portal_url(
    payments: &dyn Payments,
    mailer: &Mailer,
    tenant: Tenant,
    customer_id: &str,
) -> Result<String, PaymentError> {
    let return_url = mailer.link(&state::plan_page(tenant.workshop_id()));
    // Portal sessions live minutes: a repeated click within the same minute gets the same one.
    let minute = (Utc::now().timestamp() / 60).to_string();
    payments
        .create_portal(
            customer_id,
            &return_url,
            &idempotency_key("portal", &[customer_id, &return_url, &minute]),
        )
        .await
}

fn unavailable(error: &PaymentError) -> (Option<String>, Vec<UserError>) {
    tracing::error!(%error, "a call to the payment provider failed");
    refused(UserErrorCode::BillingUnavailable, UNAVAILABLE)
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Sends the owner to Stripe Checkout for `plan` (card or SEPA Direct Debit); a workshop
    /// that already pays goes to the customer portal instead, to change its plan there.
    async fn start_checkout(
        &self,
        ctx: &Context<'_>,
        input: StartCheckoutInput,
    ) -> ApiResult<StartCheckoutPayload> {
        let owner = ctx.principal().owner()?;
        let tenant = owner.tenant;
        let setup = ctx.service::<BillingSetup>();
        let (url, user_errors) = 'answer: {
            let Some(payments) = setup.payments.as_deref() else {
                break 'answer refused(UserErrorCode::BillingNotConfigured, NOT_CONFIGURED);
            };
            let Some(price) = setup.price_of(input.plan) else {
                tracing::warn!(
                    plan = input.plan.as_str(),
                    "no Stripe price is configured for this plan"
                );
                break 'answer refused(UserErrorCode::BillingNotConfigured, NOT_CONFIGURED);
            };
            // Per workshop, and per client address (each checkout creates a Stripe session).
            ctx.platform()
                .limit(
                    &format!("billing:checkout:{}", tenant.workshop_id()),
                    20,
                    crate::limits::HOUR,
                )
                .await?;
            let address = ctx
                .client_ip()
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            ctx.platform()
                .limit(
                    &format!("billing:checkout:ip:{address}"),
                    60,
                    crate::limits::HOUR,
                )
                .await?;
            let mut conn = ctx.platform().conn().await?;
            let email: String = users::table
                .find(owner.user_id)
                .select(users::email)
                .first(&mut conn)
                .await?;
            let customer_id = match customer(&mut conn, payments, tenant, &email).await? {
                Ok(id) => id,
                Err(error) => break 'answer unavailable(&error),
            };
            let subscription: Option<(Option<String>, Option<String>)> = tenant
                .billing_accounts()
                .select((
                    billing_accounts::stripe_subscription_id,
                    billing_accounts::stripe_status,
                ))
                .first(&mut conn)
                .await
                .optional()?;
            let mailer = ctx.service::<Mailer>();
            if let Some((Some(_), Some(status))) = &subscription
                // Paid for (or about to be): the plan changes in the portal.
                && state::PAYING.contains(&status.as_str())
            {
                break 'answer match portal_url(payments, mailer, tenant, &customer_id).await {
                    Ok(url) => (Some(url), vec![]),
                    Err(error) => unavailable(&error),
                };
            }
            let (stored, trial_ends_at): (String, Option<DateTime<Utc>>) = workshops::table
                .find(tenant.workshop_id())
                .select((workshops::billing_status, workshops::trial_ends_at))
                .first(&mut conn)
                .await?;
            // The rest of a running trial stays free (Stripe wants at least two days).
            let trial_end = trial_ends_at.filter(|end| {
                stored == PlanStatus::Trialing.as_str()
                    && *end > Utc::now() + chrono::Duration::days(2)
            });
            // The session that started the Checkout acts for this workshop when it comes back.
            let success_url = mailer.link("/plan?checkout=success");
            let cancel_url = mailer.link("/plan?checkout=canceled");
            let trial_text = trial_end
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default();
            // With the last subscription seen in it: after one has completed (or ended), the
            // next Checkout is a new one, not Stripe's replay of the finished session.
            let last_subscription = subscription
                .as_ref()
                .and_then(|(id, _)| id.clone())
                .unwrap_or_default();
            let key = idempotency_key(
                "checkout",
                &[
                    &customer_id,
                    price,
                    &success_url,
                    &cancel_url,
                    &trial_text,
                    &last_subscription,
                ],
            );
            match payments
                .create_checkout(provider::NewCheckout {
                    workshop_id: tenant.workshop_id(),
                    customer_id: &customer_id,
                    price_id: price,
                    success_url: &success_url,
                    cancel_url: &cancel_url,
                    trial_end,
                    idempotency_key: &key,
                })
                .await
            {
                Ok(url) => (Some(url), vec![]),
                Err(error) => unavailable(&error),
            }
        };
        Ok(StartCheckoutPayload { url, user_errors })
    }

    /// Stripe's customer portal, to change the payment method, see invoices or cancel.
    async fn open_billing_portal(&self, ctx: &Context<'_>) -> ApiResult<OpenBillingPortalPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let setup = ctx.service::<BillingSetup>();
        let (url, user_errors) = 'answer: {
            let Some(payments) = setup.payments.as_deref() else {
                break 'answer refused(UserErrorCode::BillingNotConfigured, NOT_CONFIGURED);
            };
            let mut conn = ctx.platform().conn().await?;
            let customer_id: Option<String> = tenant
                .billing_accounts()
                .select(billing_accounts::stripe_customer_id)
                .first(&mut conn)
                .await
                .optional()?
                .flatten();
            let Some(customer_id) = customer_id else {
                break 'answer refused(
                    UserErrorCode::NotFound,
                    "Es gibt noch kein Zahlungskonto. Wählen Sie zuerst einen Tarif.",
                );
            };
            match portal_url(payments, ctx.service::<Mailer>(), tenant, &customer_id).await {
                Ok(url) => (Some(url), vec![]),
                Err(error) => unavailable(&error),
            }
        };
        Ok(OpenBillingPortalPayload { url, user_errors })
    }
}
