//! What a payment event changes. Each event carries a snapshot of its object taken when the
//! event was created; a snapshot older than the one kept for that object (by that time, and for
//! the same second by how far along its status is) changes nothing. So the state after a set of events
//! is the same in whatever order they arrive (snapshots of one second and one status apply in
//! arrival order), and a repeated event has no second effect (the inbox stores an id once).
//!
//! The workshop's entitlements (`plan_code`, `billing_status`, `access_until`) are written here
//! and nowhere else, in the transaction of the event, together with the keys a plan pauses and
//! the e-mails the change causes.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::provider::{
    EventKind, InvoiceChange, InvoiceSnapshot, InvoiceStatus, PaymentMethodFacts, ProviderEvent,
    SubscriptionChange, SubscriptionSnapshot,
};
use super::{BillingSetup, owners};
use crate::db::schema::{billing_accounts, invoices, stripe_subscriptions, workshops};
use crate::mail::{self, BillingMail, Mailer, NewMail, Template};
use crate::plans::{PlanCode, PlanStatus, plan};

/// How long a workshop keeps its plan after a failed payment.
pub const GRACE: Duration = Duration::days(7);

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// An older snapshot than one already applied.
    Stale,
    /// Nothing to do: a type billing does not act on, or an object of no workshop of ours.
    Ignored,
    /// Signed, but not readable by this version (kept in the inbox, logged as an error).
    Unreadable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "APPLIED",
            Self::Stale => "STALE",
            Self::Ignored => "IGNORED",
            Self::Unreadable => "UNREADABLE",
        }
    }
}

/// Stripe's subscription statuses in the order a subscription moves through them; a later one
/// wins over an earlier one of the same second.
fn status_rank(status: &str) -> i16 {
    match status {
        "incomplete" => 0,
        "trialing" => 1,
        "active" => 2,
        "past_due" => 3,
        "unpaid" | "paused" => 4,
        "canceled" | "incomplete_expired" => 5,
        _ => 0,
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = billing_accounts, check_for_backend(diesel::pg::Pg))]
struct Account {
    managed_by: String,
}

/// The workshop a customer belongs to: the one whose account holds the customer, or else the one
/// the provider names (Checkout's `client_reference_id`, the subscription's metadata), which then
/// gets the customer.
async fn workshop_of(
    conn: &mut AsyncPgConnection,
    customer_id: Option<&str>,
    named: Option<Uuid>,
) -> QueryResult<Option<Uuid>> {
    if let Some(customer_id) = customer_id {
        let known: Option<Uuid> = billing_accounts::table
            .filter(billing_accounts::stripe_customer_id.eq(customer_id))
            .select(billing_accounts::workshop_id)
            .first(conn)
            .await
            .optional()?;
        if known.is_some() {
            return Ok(known);
        }
    }
    let Some(workshop_id) = named else {
        return Ok(None);
    };
    let exists: bool = diesel::select(diesel::dsl::exists(workshops::table.find(workshop_id)))
        .get_result(conn)
        .await?;
    if !exists {
        return Ok(None);
    }
    // A workshop that has another customer is not taken over by a name in metadata.
    let other_customer: bool = diesel::select(diesel::dsl::exists(
        billing_accounts::table
            .find(workshop_id)
            .filter(billing_accounts::stripe_customer_id.is_not_null()),
    ))
    .get_result(conn)
    .await?;
    if customer_id.is_some() && other_customer {
        return Ok(None);
    }
    ensure_account(conn, workshop_id).await?;
    if let Some(customer_id) = customer_id {
        diesel::update(billing_accounts::table.find(workshop_id))
            .filter(billing_accounts::stripe_customer_id.is_null())
            .set(billing_accounts::stripe_customer_id.eq(customer_id))
            .execute(conn)
            .await?;
    }
    Ok(Some(workshop_id))
}

pub(crate) async fn ensure_account(
    conn: &mut AsyncPgConnection,
    workshop_id: Uuid,
) -> QueryResult<()> {
    diesel::insert_into(billing_accounts::table)
        .values(billing_accounts::workshop_id.eq(workshop_id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The workshop an event concerns, if it is one of ours.
pub async fn workshop_of_event(
    conn: &mut AsyncPgConnection,
    event: &ProviderEvent,
) -> QueryResult<Option<Uuid>> {
    match &event.kind {
        EventKind::CheckoutCompleted {
            workshop_id,
            customer_id,
            ..
        } => workshop_of(conn, customer_id.as_deref(), *workshop_id).await,
        EventKind::Subscription(_, subscription) => {
            workshop_of(
                conn,
                Some(&subscription.customer_id),
                subscription.workshop_id,
            )
            .await
        }
        EventKind::Invoice(_, invoice) => workshop_of(conn, Some(&invoice.customer_id), None).await,
        EventKind::Other => Ok(None),
    }
}

/// The payment method `subscription` names, if its customer's account holds another one.
pub async fn payment_method_to_fetch(
    conn: &mut AsyncPgConnection,
    subscription: &SubscriptionSnapshot,
) -> QueryResult<Option<String>> {
    let Some(wanted) = &subscription.default_payment_method else {
        return Ok(None);
    };
    let known: Option<Option<String>> = billing_accounts::table
        .filter(billing_accounts::stripe_customer_id.eq(&subscription.customer_id))
        .select(billing_accounts::payment_method_id)
        .first(conn)
        .await
        .optional()?;
    Ok((known.flatten().as_ref() != Some(wanted)).then(|| wanted.clone()))
}

/// Applies `event` to `workshop_id`'s billing, in the caller's transaction.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    setup: &BillingSetup,
    mailer: &Mailer,
    workshop_id: Uuid,
    event: &ProviderEvent,
    payment_method: Option<PaymentMethodFacts>,
) -> QueryResult<Outcome> {
    ensure_account(conn, workshop_id).await?;
    let account: Account = billing_accounts::table
        .find(workshop_id)
        .select(Account::as_select())
        .for_update()
        .first(conn)
        .await?;
    match &event.kind {
        EventKind::CheckoutCompleted {
            subscription_id, ..
        } => {
            diesel::update(billing_accounts::table.find(workshop_id))
                .set((
                    billing_accounts::managed_by.eq("STRIPE"),
                    billing_accounts::stripe_subscription_id.eq(subscription_id),
                    billing_accounts::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            Ok(Outcome::Applied)
        }
        EventKind::Subscription(change, subscription) => {
            apply_subscription(
                conn,
                setup,
                mailer,
                workshop_id,
                &account,
                event.created,
                *change,
                subscription,
                payment_method,
            )
            .await
        }
        EventKind::Invoice(change, invoice) => {
            apply_invoice(conn, mailer, workshop_id, event.created, *change, invoice).await
        }
        EventKind::Other => Ok(Outcome::Ignored),
    }
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = stripe_subscriptions, check_for_backend(diesel::pg::Pg))]
struct Subscription {
    id: String,
    status: String,
    price_id: Option<String>,
    current_period_end: Option<DateTime<Utc>>,
    cancel_at_period_end: bool,
    trial_end: Option<DateTime<Utc>>,
    snapshot_at: DateTime<Utc>,
    snapshot_rank: i16,
    past_due_since: Option<DateTime<Utc>>,
}

/// The newest snapshot of a subscription, as stored (and replaced) in `stripe_subscriptions`.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = stripe_subscriptions, treat_none_as_null = true)]
struct SubscriptionRow<'a> {
    id: &'a str,
    workshop_id: Uuid,
    status: &'a str,
    price_id: Option<&'a str>,
    current_period_end: Option<DateTime<Utc>>,
    cancel_at_period_end: bool,
    trial_end: Option<DateTime<Utc>>,
    snapshot_at: DateTime<Utc>,
    snapshot_rank: i16,
    past_due_since: Option<DateTime<Utc>>,
}

/// Stripe's statuses of a subscription that is paid for (or about to be).
pub(crate) const PAYING: [&str; 4] = ["trialing", "active", "past_due", "unpaid"];

/// Keeps the newest snapshot of each subscription, then lets the workshop's current one decide:
/// the newest of those that are paid for, else the newest of all. Both steps depend only on the
/// set of snapshots seen, not on their order, and a second subscription that ends (say a
/// Checkout in another tab, cancelled) does not end the one that pays.
#[expect(clippy::too_many_arguments)]
async fn apply_subscription(
    conn: &mut AsyncPgConnection,
    setup: &BillingSetup,
    mailer: &Mailer,
    workshop_id: Uuid,
    account: &Account,
    created: DateTime<Utc>,
    change: SubscriptionChange,
    snapshot: &SubscriptionSnapshot,
    payment_method: Option<PaymentMethodFacts>,
) -> QueryResult<Outcome> {
    let status = if change == SubscriptionChange::Deleted {
        "canceled"
    } else {
        snapshot.status.as_str()
    };
    let rank = status_rank(status);
    let known: Option<Subscription> = stripe_subscriptions::table
        .find(&snapshot.id)
        .select(Subscription::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if known
        .as_ref()
        .is_some_and(|k| (created, rank) < (k.snapshot_at, k.snapshot_rank))
    {
        return Ok(Outcome::Stale);
    }
    let was_past_due = known.as_ref().and_then(|k| k.past_due_since);
    let past_due_since =
        matches!(status, "past_due" | "unpaid").then(|| was_past_due.unwrap_or(created));
    let row = SubscriptionRow {
        id: &snapshot.id,
        workshop_id,
        status,
        price_id: snapshot.price_id.as_deref(),
        current_period_end: snapshot.current_period_end,
        cancel_at_period_end: snapshot.cancel_at_period_end,
        trial_end: snapshot.trial_end,
        snapshot_at: created,
        snapshot_rank: rank,
        past_due_since,
    };
    diesel::insert_into(stripe_subscriptions::table)
        .values(&row)
        .on_conflict(stripe_subscriptions::id)
        .do_update()
        .set(&row)
        .execute(conn)
        .await?;
    if let Some(method) = payment_method {
        diesel::update(billing_accounts::table.find(workshop_id))
            .set((
                billing_accounts::payment_method_id.eq(&method.id),
                billing_accounts::payment_method_kind.eq(method.kind.as_str()),
                billing_accounts::payment_method_brand.eq(&method.brand),
                billing_accounts::payment_method_last4.eq(&method.last4),
            ))
            .execute(conn)
            .await?;
    }
    let mut all: Vec<Subscription> = stripe_subscriptions::table
        .filter(stripe_subscriptions::workshop_id.eq(workshop_id))
        .select(Subscription::as_select())
        .load(conn)
        .await?;
    all.sort_by(|a, b| {
        let key = |s: &Subscription| {
            (
                PAYING.contains(&s.status.as_str()),
                s.snapshot_at,
                s.id.clone(),
            )
        };
        key(b).cmp(&key(a))
    });
    let Some(current) = all.into_iter().next() else {
        return Ok(Outcome::Applied);
    };
    let this_is_current = current.id == snapshot.id;
    // A plan the operator set stays until the workshop subscribes (a new subscription that
    // starts); neither the renewal nor the end of an older subscription undoes it.
    let takes_over = account.managed_by != "MANUAL"
        || (this_is_current
            && change == SubscriptionChange::Created
            && matches!(status, "trialing" | "active"));
    if !takes_over {
        return Ok(Outcome::Applied);
    }
    diesel::update(billing_accounts::table.find(workshop_id))
        .set((
            billing_accounts::managed_by.eq("STRIPE"),
            billing_accounts::stripe_subscription_id.eq(&current.id),
            billing_accounts::stripe_status.eq(&current.status),
            billing_accounts::current_period_end.eq(current.current_period_end),
            billing_accounts::cancel_at_period_end.eq(current.cancel_at_period_end),
            billing_accounts::past_due_since.eq(current.past_due_since),
            billing_accounts::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    let entitlement = match current.status.as_str() {
        "trialing" => Some((
            PlanStatus::Trialing,
            current.trial_end.map(|end| end + Duration::days(1)),
        )),
        "active" => Some((PlanStatus::Active, None)),
        "past_due" | "unpaid" => Some((
            PlanStatus::PastDue,
            current.past_due_since.map(|at| at + GRACE),
        )),
        "canceled" | "incomplete_expired" => Some((PlanStatus::Canceled, None)),
        "paused" => Some((PlanStatus::Inactive, None)),
        // `incomplete`: the first payment is not through yet; the workshop stays as it is.
        _ => None,
    };
    let plan_code = current
        .price_id
        .as_deref()
        .and_then(|price| setup.plan_of_price(price));
    if current.price_id.is_some() && plan_code.is_none() {
        tracing::warn!(
            subscription = %current.id,
            price = ?current.price_id,
            "a subscription's price is none of STRIPE_PRICE_BASIC|PREMIUM|ENTERPRISE; the plan stays"
        );
    }
    if let Some((status, access_until)) = entitlement {
        write_entitlements(
            conn,
            workshop_id,
            plan_code,
            status,
            access_until,
            current.trial_end,
        )
        .await?;
    }
    if !this_is_current {
        return Ok(Outcome::Applied);
    }
    let workshop = workshop_name(conn, workshop_id).await?;
    let plan_name = match plan_code {
        Some(code) => plan(code).name,
        None => current_plan_name(conn, workshop_id).await?,
    };
    let link = mailer.link(&plan_page(workshop_id));
    if was_past_due.is_none()
        && let Some(since) = current.past_due_since
    {
        let grace_until = (since + GRACE)
            .with_timezone(&chrono_tz::Europe::Berlin)
            .date_naive();
        send_to_owners(conn, workshop_id, || BillingMail::PaymentFailed {
            workshop: &workshop,
            plan: plan_name,
            grace_until,
            link: &link,
        })
        .await?;
    }
    if change == SubscriptionChange::TrialWillEnd
        && let Some(end) = current.trial_end
    {
        let ends_on = end.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
        send_to_owners(conn, workshop_id, || BillingMail::TrialEnding {
            workshop: &workshop,
            ends_on,
            then_plan: Some(plan_name),
            link: &link,
        })
        .await?;
    }
    Ok(Outcome::Applied)
}

async fn apply_invoice(
    conn: &mut AsyncPgConnection,
    mailer: &Mailer,
    workshop_id: Uuid,
    created: DateTime<Utc>,
    change: InvoiceChange,
    invoice: &InvoiceSnapshot,
) -> QueryResult<Outcome> {
    let rank = invoice.status.rank();
    let known: Option<(String, DateTime<Utc>, i16)> = invoices::table
        .find(&invoice.id)
        .select((
            invoices::status,
            invoices::snapshot_at,
            invoices::snapshot_rank,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let stale = known
        .as_ref()
        .is_some_and(|(_, at, known_rank)| (created, rank) < (*at, *known_rank));
    if !stale {
        diesel::insert_into(invoices::table)
            .values((
                invoices::id.eq(&invoice.id),
                invoices::workshop_id.eq(workshop_id),
                invoices::number.eq(&invoice.number),
                invoices::amount_cents.eq(invoice.amount_cents),
                invoices::currency.eq(&invoice.currency),
                invoices::status.eq(invoice.status.as_str()),
                invoices::hosted_url.eq(&invoice.hosted_url),
                invoices::pdf_url.eq(&invoice.pdf_url),
                invoices::created_at.eq(invoice.created),
                invoices::snapshot_at.eq(created),
                invoices::snapshot_rank.eq(rank),
            ))
            .on_conflict(invoices::id)
            .do_update()
            .set((
                invoices::number.eq(&invoice.number),
                invoices::amount_cents.eq(invoice.amount_cents),
                invoices::status.eq(invoice.status.as_str()),
                invoices::hosted_url.eq(&invoice.hosted_url),
                invoices::pdf_url.eq(&invoice.pdf_url),
                invoices::snapshot_at.eq(created),
                invoices::snapshot_rank.eq(rank),
            ))
            .execute(conn)
            .await?;
    }
    let workshop = workshop_name(conn, workshop_id).await?;
    let link = invoice
        .hosted_url
        .clone()
        .unwrap_or_else(|| mailer.link(&plan_page(workshop_id)));
    match change {
        // Once per invoice: the first time it is seen paid.
        InvoiceChange::Paid
            if invoice.status == InvoiceStatus::Paid
                && invoice.amount_cents > 0
                && known.as_ref().is_none_or(|(status, ..)| status != "PAID") =>
        {
            let plan_name = current_plan_name(conn, workshop_id).await?;
            send_to_owners(conn, workshop_id, || BillingMail::PaymentReceived {
                workshop: &workshop,
                plan: plan_name,
                amount_cents: invoice.amount_cents,
                number: invoice.number.as_deref(),
                link: &link,
            })
            .await?;
        }
        InvoiceChange::PaymentActionRequired if !stale => {
            send_to_owners(conn, workshop_id, || BillingMail::PaymentActionRequired {
                workshop: &workshop,
                amount_cents: invoice.amount_cents,
                link: &link,
            })
            .await?;
        }
        // A failed payment is told with the subscription turning past due (one e-mail with
        // the grace period's end), not once per attempt.
        _ => {}
    }
    Ok(if stale {
        Outcome::Stale
    } else {
        Outcome::Applied
    })
}

/// The console's plan page for `workshop_id` (the console switches to that workshop).
pub(crate) fn plan_page(workshop_id: Uuid) -> String {
    format!(
        "/plan?workshop={}",
        crate::ids::encode(crate::ids::NodeType::Workshop, workshop_id).0
    )
}

async fn workshop_name(conn: &mut AsyncPgConnection, workshop_id: Uuid) -> QueryResult<String> {
    workshops::table
        .find(workshop_id)
        .select(workshops::name)
        .first(conn)
        .await
}

async fn current_plan_name(
    conn: &mut AsyncPgConnection,
    workshop_id: Uuid,
) -> QueryResult<&'static str> {
    let code: String = workshops::table
        .find(workshop_id)
        .select(workshops::plan_code)
        .first(conn)
        .await?;
    Ok(plan(PlanCode::parse(&code).unwrap_or(PlanCode::Basic)).name)
}

/// Writes one e-mail per owner of the workshop into the outbox.
pub(crate) async fn send_to_owners<'a>(
    conn: &mut AsyncPgConnection,
    workshop_id: Uuid,
    mail: impl Fn() -> BillingMail<'a>,
) -> QueryResult<()> {
    for (user_id, email, locale) in owners(conn, workshop_id).await? {
        mail::enqueue(
            conn,
            NewMail {
                to: &email,
                reply_to: None,
                locale,
                template: Template::Billing(mail()),
                workshop_id: Some(workshop_id),
                user_id: Some(user_id),
                lead_id: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Sets what the workshop may use, for it and for the locations of its organisation that have no
/// billing of their own (a location follows the workshop that pays), then pauses or resumes
/// client keys to fit the plan.
pub async fn write_entitlements(
    conn: &mut AsyncPgConnection,
    workshop_id: Uuid,
    plan_code: Option<PlanCode>,
    status: PlanStatus,
    access_until: Option<DateTime<Utc>>,
    trial_ends_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    let followers: Vec<Uuid> = diesel::sql_query(
        "SELECT w.id FROM workshops w
         JOIN workshops payer ON payer.organization_id = w.organization_id AND payer.id = $1
         LEFT JOIN billing_accounts b ON b.workshop_id = w.id
         WHERE w.id = $1 OR b.workshop_id IS NULL OR b.managed_by = 'TRIAL'
         ORDER BY w.id",
    )
    .bind::<SqlUuid, _>(workshop_id)
    .load::<IdRow>(conn)
    .await?
    .into_iter()
    .map(|row| row.id)
    .collect();
    for id in &followers {
        let target = workshops::table.find(*id);
        if let Some(code) = plan_code {
            diesel::update(target)
                .set(workshops::plan_code.eq(code.as_str()))
                .execute(conn)
                .await?;
        }
        diesel::update(target)
            .set((
                workshops::billing_status.eq(status.as_str()),
                workshops::access_until.eq(access_until),
                workshops::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        if status == PlanStatus::Trialing && trial_ends_at.is_some() {
            diesel::update(target)
                .set(workshops::trial_ends_at.eq(trial_ends_at))
                .execute(conn)
                .await?;
        }
        fit_client_keys(conn, *id).await?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Pauses the keys over the plan's limit, newest first, and resumes the rest: nothing is deleted,
/// and an upgrade brings the paused keys back.
pub async fn fit_client_keys(conn: &mut AsyncPgConnection, workshop_id: Uuid) -> QueryResult<()> {
    let code: String = workshops::table
        .find(workshop_id)
        .select(workshops::plan_code)
        .first(conn)
        .await?;
    let limit = plan(PlanCode::parse(&code).unwrap_or(PlanCode::Basic))
        .limits
        .client_keys;
    diesel::sql_query(
        "WITH ranked AS (
             SELECT id, row_number() OVER (ORDER BY created_at, id) AS n
             FROM client_keys WHERE workshop_id = $1 AND revoked_at IS NULL
         )
         UPDATE client_keys k SET paused_by_plan = ($2::int IS NOT NULL AND r.n > $2), updated_at = now()
         FROM ranked r
         WHERE k.id = r.id AND k.paused_by_plan IS DISTINCT FROM ($2::int IS NOT NULL AND r.n > $2)",
    )
    .bind::<SqlUuid, _>(workshop_id)
    .bind::<Nullable<Integer>, _>(limit)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_statuses_outrank_earlier_ones_of_the_same_second() {
        let order = [
            "incomplete",
            "trialing",
            "active",
            "past_due",
            "unpaid",
            "canceled",
        ];
        for pair in order.windows(2) {
            assert!(status_rank(pair[0]) < status_rank(pair[1]), "{pair:?}");
        }
        assert_eq!(status_rank("incomplete_expired"), status_rank("canceled"));
    }
}
