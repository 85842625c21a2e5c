//! Several locations (Enterprise): the workshops of one organisation, each with its own catalog,
//! keys, leads and settings, run from one login. A session acts for one workshop at a time;
//! `switchWorkshop` gives a session for another workshop the user belongs to.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::session::{
    PlanState, SessionPayload, Viewer, insert_membership, insert_workshop, sign_in,
};
use super::validate;
use super::workshop::{Workshop, WorkshopRow};
use crate::auth::Role;
use crate::context::Ctx;
use crate::db::schema::{memberships, sessions, users, workshops};
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
use crate::locale::Locale;
use crate::plans::{Entitlements, Feature};
use crate::principal::tenant_of_new_session;

/// Locations one organisation may have.
pub const MAX_LOCATIONS: i64 = 50;

/// A workshop the user belongs to, and their role there.
#[derive(SimpleObject)]
pub struct Membership {
    pub workshop: Workshop,
    pub role: Role,
}

/// Every workshop `user_id` belongs to, in the order they joined.
pub(crate) async fn memberships_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<Membership>> {
    let rows: Vec<(WorkshopRow, String, bool)> = memberships::table
        .inner_join(workshops::table)
        .inner_join(users::table)
        .filter(memberships::user_id.eq(user_id))
        .order((memberships::created_at.asc(), workshops::id.asc()))
        .select((
            WorkshopRow::as_select(),
            memberships::role,
            users::is_platform_admin,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(row, role, admin)| Membership {
            workshop: Workshop(row),
            role: Role::from_membership(&role, admin),
        })
        .collect())
}

#[derive(InputObject)]
pub struct CreateLocationInput {
    pub name: String,
}

#[derive(SimpleObject)]
pub struct CreateLocationPayload {
    /// The new workshop; `switchWorkshop` opens a session for it.
    pub workshop: Option<Workshop>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct SwitchWorkshopInput {
    pub workshop_id: ID,
}

#[derive(Default)]
pub struct LocationMutation;

#[Object]
impl LocationMutation {
    /// Adds a location to the caller's organisation (Enterprise, owners only): a workshop with
    /// its own standard catalog, keys, leads and settings, on the organisation's plan, with the
    /// caller as its owner.
    async fn create_location(
        &self,
        ctx: &Context<'_>,
        input: CreateLocationInput,
    ) -> ApiResult<CreateLocationPayload> {
        let owner = ctx.principal().owner()?;
        let mut conn = ctx.platform().conn().await?;
        Entitlements::load(&mut conn, owner.tenant)
            .await?
            .require(Feature::MultiLocation)?;
        let mut errors = UserErrors::default();
        let Some(name) = validate::workshop_name(&mut errors, &["name"], &input.name) else {
            return Ok(CreateLocationPayload {
                workshop: None,
                user_errors: errors.into_vec(),
            });
        };
        type Current = (
            Uuid,
            String,
            String,
            String,
            Option<DateTime>,
            Option<DateTime>,
        );
        type DateTime = chrono::DateTime<chrono::Utc>;
        let current: Current = workshops::table
            .find(owner.tenant.workshop_id())
            .select((
                workshops::organization_id,
                workshops::locale,
                workshops::plan_code,
                workshops::billing_status,
                workshops::trial_ends_at,
                workshops::access_until,
            ))
            .first(&mut conn)
            .await?;
        let (organization_id, locale, code, billing_status, trial_ends_at, access_until) = current;
        let locations: i64 = workshops::table
            .filter(workshops::organization_id.eq(organization_id))
            .count()
            .get_result(&mut conn)
            .await?;
        if locations >= MAX_LOCATIONS {
            return Ok(CreateLocationPayload {
                workshop: None,
                user_errors: vec![UserError::new(
                    &[],
                    UserErrorCode::OutOfRange,
                    format!("Höchstens {MAX_LOCATIONS} Standorte je Organisation."),
                )],
            });
        }
        let plan = PlanState {
            code,
            billing_status,
            trial_ends_at,
            access_until,
        };
        let workshop_id = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let id = insert_workshop(
                    conn,
                    Some(organization_id),
                    &name,
                    Locale::parse(&locale),
                    &plan,
                )
                .await?;
                insert_membership(conn, owner.user_id, id, Role::Owner).await?;
                Ok(id)
            })
            .await?;
        tracing::info!(%workshop_id, %organization_id, "location created");
        let row = super::workshop::load(&mut conn, tenant_of_new_session(workshop_id)).await?;
        Ok(CreateLocationPayload {
            workshop: Some(Workshop(row)),
            user_errors: vec![],
        })
    }

    /// A session for another workshop the user belongs to; the current session ends.
    async fn switch_workshop(
        &self,
        ctx: &Context<'_>,
        input: SwitchWorkshopInput,
    ) -> ApiResult<SessionPayload> {
        let member = ctx.principal().member()?;
        let not_member = || {
            SessionPayload::refused(vec![UserError::new(
                &["workshopId"],
                UserErrorCode::NotFound,
                "Sie gehören nicht zu dieser Werkstatt.",
            )])
        };
        let Some(workshop_id) = ids::decode(NodeType::Workshop, &input.workshop_id) else {
            return Ok(not_member());
        };
        let mut conn = ctx.platform().conn().await?;
        let found: Option<(String, String, bool)> = memberships::table
            .inner_join(users::table)
            .filter(memberships::user_id.eq(member.user_id))
            .filter(memberships::workshop_id.eq(workshop_id))
            .select((users::email, memberships::role, users::is_platform_admin))
            .first(&mut conn)
            .await
            .optional()?;
        let Some((email, role, is_platform_admin)) = found else {
            return Ok(not_member());
        };
        let viewer = Viewer {
            user_id: member.user_id,
            email,
            role: Role::from_membership(&role, is_platform_admin),
            tenant: tenant_of_new_session(workshop_id),
        };
        let signed_in = sign_in(ctx, &mut conn, viewer).await?;
        // Only once the new session exists does the old one end: a request cut short in between
        // leaves the user signed in.
        diesel::update(sessions::table.find(member.session_id))
            .set((
                sessions::revoked_at.eq(chrono::Utc::now()),
                sessions::revoke_reason.eq("switched workshop"),
            ))
            .execute(&mut conn)
            .await?;
        ctx.platform().access_changed(member.tenant).await;
        Ok(signed_in)
    }
}
