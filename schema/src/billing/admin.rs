//! The operator's hand on plans (`carbot admin set-plan`): for a platform without Stripe, and for
//! a deal made outside it. A plan set here stays until the given day (end of day, Berlin time) or
//! until the operator sets another; Stripe events do not override it unless the workshop later
//! subscribes through Checkout itself.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::state;
use crate::db::schema::{billing_accounts, memberships, users, workshops};
use crate::plans::{PlanCode, PlanStatus};

#[derive(Debug, thiserror::Error)]
pub enum SetPlanError {
    #[error("no workshop has the id or an owner with the e-mail address {0:?}")]
    UnknownWorkshop(String),
    #[error("{0:?} is an owner of several workshops ({1}); name one by its id")]
    Ambiguous(String, String),
    #[error("--until {0} lies in the past")]
    InPast(NaiveDate),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

/// What `set_plan` did.
#[derive(Debug, Clone)]
pub struct PlanSet {
    pub workshop_id: Uuid,
    pub workshop_name: String,
    pub plan: PlanCode,
    pub until: Option<DateTime<Utc>>,
}

/// The workshop `reference` names: its id, or the e-mail address of its one owner.
async fn resolve(conn: &mut AsyncPgConnection, reference: &str) -> Result<Uuid, SetPlanError> {
    if let Ok(id) = reference.parse::<Uuid>() {
        let exists: bool = diesel::select(diesel::dsl::exists(workshops::table.find(id)))
            .get_result(conn)
            .await?;
        return exists
            .then_some(id)
            .ok_or_else(|| SetPlanError::UnknownWorkshop(reference.into()));
    }
    let owned: Vec<Uuid> = memberships::table
        .inner_join(users::table)
        .filter(users::email.eq(reference.trim().to_lowercase()))
        .filter(memberships::role.eq("OWNER"))
        .select(memberships::workshop_id)
        .load(conn)
        .await?;
    match owned.as_slice() {
        [] => Err(SetPlanError::UnknownWorkshop(reference.into())),
        [one] => Ok(*one),
        many => Err(SetPlanError::Ambiguous(
            reference.into(),
            many.iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Puts the workshop on `plan`, active until the end of `until` (Berlin time) or open-ended.
pub async fn set_plan(
    conn: &mut AsyncPgConnection,
    reference: &str,
    plan: PlanCode,
    until: Option<NaiveDate>,
    note: Option<&str>,
) -> Result<PlanSet, SetPlanError> {
    let until = match until {
        None => None,
        Some(day) => {
            let end = day
                .succ_opt()
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .and_then(|midnight| {
                    midnight
                        .and_local_timezone(chrono_tz::Europe::Berlin)
                        .earliest()
                })
                .map(|at| at.with_timezone(&Utc))
                .ok_or(SetPlanError::InPast(day))?;
            if end <= Utc::now() {
                return Err(SetPlanError::InPast(day));
            }
            Some(end)
        }
    };
    conn.transaction::<_, SetPlanError, _>(async |conn| {
        let workshop_id = resolve(conn, reference).await?;
        state::ensure_account(conn, workshop_id).await?;
        diesel::update(billing_accounts::table.find(workshop_id))
            .set((
                billing_accounts::managed_by.eq("MANUAL"),
                billing_accounts::manual_note.eq(note),
                billing_accounts::current_period_end.eq(until),
                billing_accounts::cancel_at_period_end.eq(false),
                billing_accounts::past_due_since.eq(None::<DateTime<Utc>>),
                billing_accounts::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        state::write_entitlements(
            conn,
            workshop_id,
            Some(plan),
            PlanStatus::Active,
            until,
            None,
        )
        .await?;
        let workshop_name = workshops::table
            .find(workshop_id)
            .select(workshops::name)
            .first(conn)
            .await?;
        Ok(PlanSet {
            workshop_id,
            workshop_name,
            plan,
            until,
        })
    })
    .await
}
