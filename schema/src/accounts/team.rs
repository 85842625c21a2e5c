//! The team of a workshop: members with their roles, and invitations by e-mail.
//!
//! Roles: `OWNER` may do everything; `STAFF` works conversations and leads and reads the catalog
//! and KPIs, but changes no catalog, keys, tokens, billing, members or settings. A workshop
//! always keeps at least one owner.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::session::{SessionPayload, Viewer, insert_membership, sign_in};
use super::user::User;
use super::validate;
use crate::auth::tokens::{hash_secret, new_secret};
use crate::auth::{Role, Tenant, passwords};
use crate::context::Ctx;
use crate::db::schema::{invitations, memberships, outbox, sessions, users, workshops};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
use crate::limits::HOUR;
use crate::locale::Locale;
use crate::mail::{self, Mailer, NewMail, Template};
use crate::pagination::{OffsetPage, PageInfo};
use crate::principal::tenant_of_new_session;

const INVITATION_PREFIX: &str = "cbi_";
const INVITATION_TTL: chrono::Duration = chrono::Duration::days(7);
const INVITATIONS_PER_WORKSHOP_HOUR: u32 = 30;
const INVITATIONS_PER_IP_HOUR: u32 = 60;

/// A member of the workshop.
#[derive(SimpleObject)]
#[graphql(name = "Member")]
pub struct TeamMember {
    /// The member's user id (what `updateMemberRole` and `removeMember` take).
    pub id: ID,
    pub email: String,
    pub user: User,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    /// Whether the member has confirmed their e-mail address.
    pub email_verified: bool,
}

#[derive(SimpleObject)]
pub struct MemberEdge {
    pub cursor: String,
    pub node: TeamMember,
}

#[derive(SimpleObject)]
pub struct MemberConnection {
    pub edges: Vec<MemberEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct InvitationRow {
    pub id: Uuid,
    pub workshop_id: Uuid,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// An invitation that has not been accepted yet.
pub struct Invitation(pub InvitationRow);

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Invitation, self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        role_of(&self.0.role)
    }
    /// The link works until then (7 days).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// What became of the invitation's e-mail: `BOUNCED` or `SUPPRESSED` means the address
    /// does not take mail, and the colleague never got the link.
    async fn delivery(&self, ctx: &Context<'_>) -> ApiResult<Option<Delivery>> {
        let mut conn = ctx.platform().conn().await?;
        // The e-mail was written in the invitation's transaction: the same `now()`.
        let status: Option<String> = outbox::table
            .filter(outbox::workshop_id.eq(self.0.workshop_id))
            .filter(outbox::kind.eq("INVITATION"))
            .filter(outbox::recipient.eq(&self.0.email))
            .filter(outbox::created_at.ge(self.0.created_at))
            .order(outbox::created_at.asc())
            .select(outbox::status)
            .first(&mut conn)
            .await
            .optional()?;
        Ok(status.as_deref().and_then(Delivery::parse))
    }
}

/// Where an e-mail stands in the outbox.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting to go out, or to be tried again.
    Pending,
    Sent,
    /// Kept in the outbox and the log (no SMTP server configured).
    Logged,
    /// Given up after every retry.
    Failed,
    /// The mail server refused the address for good.
    Bounced,
    /// Not sent: the address bounced before.
    Suppressed,
}

impl Delivery {
    fn parse(status: &str) -> Option<Self> {
        Some(match status {
            "PENDING" => Self::Pending,
            "SENT" => Self::Sent,
            "LOGGED" => Self::Logged,
            "FAILED" => Self::Failed,
            "BOUNCED" => Self::Bounced,
            "SUPPRESSED" => Self::Suppressed,
            _ => return None,
        })
    }
}

#[derive(SimpleObject)]
pub struct InvitationEdge {
    pub cursor: String,
    pub node: Invitation,
}

#[derive(SimpleObject)]
pub struct InvitationConnection {
    pub edges: Vec<InvitationEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

fn role_of(text: &str) -> Role {
    Role::from_membership(text, false)
}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Staff => "STAFF",
        Role::Owner | Role::PlatformAdmin => "OWNER",
    }
}

#[derive(InputObject)]
pub struct InviteMemberInput {
    pub email: String,
    /// `OWNER` or `STAFF`.
    pub role: Role,
}

#[derive(SimpleObject)]
pub struct InviteMemberPayload {
    pub invitation: Option<Invitation>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RevokeInvitationInput {
    pub invitation_id: ID,
}

#[derive(SimpleObject)]
pub struct RevokeInvitationPayload {
    pub revoked_invitation_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    /// The `token` of the link in the e-mail.
    pub token: String,
    /// For a new account its password; for an existing account its current password (not
    /// needed when signed in as the invited address).
    pub password: Option<String>,
    /// The language of a new account's e-mails; the workshop's by default.
    pub locale: Option<Locale>,
}

#[derive(InputObject)]
pub struct UpdateMemberRoleInput {
    pub user_id: ID,
    pub role: Role,
}

#[derive(SimpleObject)]
pub struct UpdateMemberRolePayload {
    pub member: Option<TeamMember>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RemoveMemberInput {
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    pub removed_user_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

fn not_member() -> UserError {
    UserError::new(
        &["userId"],
        UserErrorCode::NotFound,
        "Diese Person gehört nicht zum Team.",
    )
}

fn last_owner() -> UserError {
    UserError::new(
        &["userId"],
        UserErrorCode::LastOwner,
        "Die Werkstatt braucht mindestens einen Inhaber. Ernennen Sie zuerst einen weiteren Inhaber.",
    )
}

/// A membership with its user, as the team lists it.
#[derive(Queryable, Selectable)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct MemberRow {
    #[diesel(select_expression = users::id)]
    id: Uuid,
    #[diesel(select_expression = users::email)]
    email: String,
    #[diesel(select_expression = users::is_platform_admin)]
    is_platform_admin: bool,
    #[diesel(select_expression = memberships::role)]
    role: String,
    #[diesel(select_expression = memberships::created_at)]
    joined_at: DateTime<Utc>,
    #[diesel(select_expression = users::email_verified_at)]
    email_verified_at: Option<DateTime<Utc>>,
}

impl From<MemberRow> for TeamMember {
    fn from(row: MemberRow) -> Self {
        let role = Role::from_membership(&row.role, row.is_platform_admin);
        Self {
            id: ids::encode(NodeType::User, row.id),
            email: row.email.clone(),
            user: User {
                id: row.id,
                email: row.email,
                role,
            },
            role,
            joined_at: row.joined_at,
            email_verified: row.email_verified_at.is_some(),
        }
    }
}

/// A member of the tenant's workshop.
async fn member(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    user_id: Uuid,
) -> QueryResult<Option<TeamMember>> {
    let row: Option<MemberRow> = tenant
        .memberships()
        .inner_join(users::table)
        .filter(memberships::user_id.eq(user_id))
        .select(MemberRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(TeamMember::from))
}

/// Locks the workshop's memberships and counts its owners: changes of roles are serialised, so
/// two owners cannot demote each other at once and leave none.
async fn lock_owners(conn: &mut AsyncPgConnection, tenant: Tenant) -> QueryResult<usize> {
    let roles: Vec<String> = tenant
        .memberships()
        .select(memberships::role)
        .for_update()
        .load(conn)
        .await?;
    Ok(roles.iter().filter(|r| *r == "OWNER").count())
}

#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// The workshop's team, owners first (signed-in members of any role).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<MemberConnection> {
        let tenant = ctx.principal().member()?.tenant;
        let page = OffsetPage::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let rows: Vec<MemberRow> = tenant
            .memberships()
            .inner_join(users::table)
            .order((
                memberships::role.asc(),
                memberships::created_at.asc(),
                users::id.asc(),
            ))
            .select(MemberRow::as_select())
            .limit(page.first + 1)
            .offset(page.offset)
            .load(&mut conn)
            .await?;
        let total_count = tenant.memberships().count().get_result(&mut conn).await?;
        let (edges, page_info) = page.edges(rows);
        Ok(MemberConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| MemberEdge {
                    cursor,
                    node: TeamMember::from(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }

    /// Invitations not yet accepted, revoked or expired, newest first (owners only).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<InvitationConnection> {
        let tenant = ctx.principal().owner()?.tenant;
        let page = OffsetPage::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let pending = || {
            tenant
                .invitations()
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(Utc::now()))
        };
        let rows: Vec<InvitationRow> = pending()
            .order((invitations::created_at.desc(), invitations::id.desc()))
            .select(InvitationRow::as_select())
            .limit(page.first + 1)
            .offset(page.offset)
            .load(&mut conn)
            .await?;
        let total_count = pending().count().get_result(&mut conn).await?;
        let (edges, page_info) = page.edges(rows);
        Ok(InvitationConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| InvitationEdge {
                    cursor,
                    node: Invitation(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }
}

#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Invites a colleague by e-mail; the link is good for 7 days. Inviting an address again
    /// replaces its earlier invitation.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> ApiResult<InviteMemberPayload> {
        let owner = ctx.principal().owner()?;
        let tenant = owner.tenant;
        let mut errors = UserErrors::default();
        let email = validate::email(&mut errors, &["email"], &input.email);
        if input.role == Role::PlatformAdmin {
            errors.push(
                &["role"],
                UserErrorCode::Invalid,
                "Eingeladen wird als OWNER oder STAFF.",
            );
        }
        let (Some(email), true) = (email, errors.is_empty()) else {
            return Ok(InviteMemberPayload {
                invitation: None,
                user_errors: errors.into_vec(),
            });
        };
        let platform = ctx.platform();
        // Per workshop, and per client address across the workshops a person signs in to.
        platform
            .limit(
                &format!("invite:workshop:{}", tenant.workshop_id()),
                INVITATIONS_PER_WORKSHOP_HOUR,
                HOUR,
            )
            .await?;
        platform
            .limit(
                &format!("invite:ip:{}", super::session::client_ip(ctx)),
                INVITATIONS_PER_IP_HOUR,
                HOUR,
            )
            .await?;
        let mut conn = platform.conn().await?;
        let already: bool = diesel::select(diesel::dsl::exists(
            tenant
                .memberships()
                .inner_join(users::table)
                .filter(users::email.eq(&email)),
        ))
        .get_result(&mut conn)
        .await?;
        if already {
            return Ok(InviteMemberPayload {
                invitation: None,
                user_errors: vec![UserError::new(
                    &["email"],
                    UserErrorCode::Duplicate,
                    "Diese Person gehört bereits zum Team.",
                )],
            });
        }
        let mailer = ctx.service::<Mailer>();
        let role = role_text(input.role);
        let row = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let now = Utc::now();
                diesel::update(
                    tenant
                        .invitations()
                        .filter(invitations::email.eq(&email))
                        .filter(invitations::accepted_at.is_null())
                        .filter(invitations::revoked_at.is_null()),
                )
                .set(invitations::revoked_at.eq(now))
                .execute(conn)
                .await?;
                let secret = new_secret(INVITATION_PREFIX);
                let row: InvitationRow = diesel::insert_into(invitations::table)
                    .values((
                        invitations::id.eq(Uuid::now_v7()),
                        invitations::workshop_id.eq(tenant.workshop_id()),
                        invitations::email.eq(&email),
                        invitations::role.eq(role),
                        invitations::token_hash.eq(&secret.hash),
                        invitations::invited_by.eq(owner.user_id),
                        invitations::expires_at.eq(now + INVITATION_TTL),
                    ))
                    .returning(InvitationRow::as_returning())
                    .get_result(conn)
                    .await?;
                let (workshop, workshop_locale): (String, String) = workshops::table
                    .find(tenant.workshop_id())
                    .select((workshops::name, workshops::locale))
                    .first(conn)
                    .await?;
                let inviter: String = users::table
                    .find(owner.user_id)
                    .select(users::email)
                    .first(conn)
                    .await?;
                // An existing account reads its own language; a new one the workshop's.
                let locale: Option<String> = users::table
                    .filter(users::email.eq(&email))
                    .select(users::locale)
                    .first(conn)
                    .await
                    .optional()?;
                let link = mailer.link(&format!("/invitation?token={}", secret.plain));
                mail::enqueue(
                    conn,
                    NewMail {
                        to: &email,
                        reply_to: None,
                        locale: Locale::parse(locale.as_deref().unwrap_or(&workshop_locale)),
                        template: Template::Invitation {
                            workshop: &workshop,
                            inviter: &inviter,
                            owner_role: role == "OWNER",
                            link: &link,
                        },
                        workshop_id: Some(tenant.workshop_id()),
                        user_id: None,
                        lead_id: None,
                    },
                )
                .await?;
                Ok(row)
            })
            .await?;
        mailer.wake();
        Ok(InviteMemberPayload {
            invitation: Some(Invitation(row)),
            user_errors: vec![],
        })
    }

    /// Withdraws an invitation; its link stops working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        input: RevokeInvitationInput,
    ) -> ApiResult<RevokeInvitationPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let id = ids::decode(NodeType::Invitation, &input.invitation_id);
        let mut conn = ctx.platform().conn().await?;
        let revoked = match id {
            Some(id) => {
                diesel::update(
                    tenant
                        .invitations()
                        .filter(invitations::id.eq(id))
                        .filter(invitations::accepted_at.is_null())
                        .filter(invitations::revoked_at.is_null()),
                )
                .set(invitations::revoked_at.eq(Utc::now()))
                .execute(&mut conn)
                .await?
            }
            None => 0,
        };
        if revoked == 0 {
            return Ok(RevokeInvitationPayload {
                revoked_invitation_id: None,
                user_errors: vec![UserError::new(
                    &["invitationId"],
                    UserErrorCode::NotFound,
                    "Keine offene Einladung mit dieser ID.",
                )],
            });
        }
        Ok(RevokeInvitationPayload {
            revoked_invitation_id: Some(input.invitation_id),
            user_errors: vec![],
        })
    }

    /// Joins the workshop of an invitation and signs in there: with a new account (the
    /// password is the new account's), or with the existing account of the invited address
    /// (its password, or a session of that account).
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> ApiResult<SessionPayload> {
        let platform = ctx.platform();
        super::links::limit_presented(ctx).await?;
        let invalid = || {
            SessionPayload::refused(vec![UserError::new(
                &["token"],
                UserErrorCode::InvalidToken,
                "Die Einladung ist ungültig, abgelaufen oder wurde schon angenommen.",
            )])
        };
        if !input.token.starts_with(INVITATION_PREFIX) {
            return Ok(invalid());
        }
        let hash = hash_secret(input.token.trim());
        let mut conn = platform.conn().await?;
        let invitation: Option<(InvitationRow, String)> = invitations::table
            .inner_join(workshops::table)
            .filter(invitations::token_hash.eq(&hash))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.gt(Utc::now()))
            .select((InvitationRow::as_select(), workshops::locale))
            .first(&mut conn)
            .await
            .optional()?;
        let Some((invitation, workshop_locale)) = invitation else {
            return Ok(invalid());
        };
        let existing: Option<(Uuid, String, bool)> = users::table
            .filter(users::email.eq(&invitation.email))
            .select((users::id, users::password_hash, users::is_platform_admin))
            .first(&mut conn)
            .await
            .optional()?;
        let password = input.password.unwrap_or_default();
        // The account that joins: an existing one proven by its session or password, or a new one.
        let new_account = match &existing {
            Some((user_id, stored, _)) => {
                let signed_in = ctx
                    .principal()
                    .member()
                    .is_ok_and(|m| m.user_id == *user_id);
                if !signed_in
                    && !passwords::verify(password, Some(stored.clone()))
                        .await
                        .matches
                {
                    return Ok(SessionPayload::refused(vec![UserError::new(
                        &["password"],
                        UserErrorCode::InvalidCredentials,
                        "Für diese E-Mail-Adresse gibt es ein Konto: bitte mit dessen Passwort annehmen.",
                    )]));
                }
                None
            }
            None => {
                if let Some(problem) = passwords::policy_violation(&password, &invitation.email) {
                    return Ok(SessionPayload::refused(vec![UserError::new(
                        &["password"],
                        UserErrorCode::WeakPassword,
                        problem,
                    )]));
                }
                Some(
                    passwords::hash(password)
                        .await
                        .map_err(|e| ApiError::BadRequest(e.to_string()))?,
                )
            }
        };
        let role = role_of(&invitation.role);
        let locale = input
            .locale
            .unwrap_or_else(|| Locale::parse(&workshop_locale));
        let accepted = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                // Locked and checked again: an invitation is accepted once.
                let still_open: Option<Uuid> = invitations::table
                    .find(invitation.id)
                    .filter(invitations::accepted_at.is_null())
                    .filter(invitations::revoked_at.is_null())
                    .select(invitations::id)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                if still_open.is_none() {
                    return Ok(None);
                }
                let user_id = match (&existing, new_account) {
                    (Some((user_id, _, _)), _) => *user_id,
                    (None, hash) => {
                        let user_id = Uuid::now_v7();
                        diesel::insert_into(users::table)
                            .values((
                                users::id.eq(user_id),
                                users::email.eq(&invitation.email),
                                users::password_hash.eq(hash.unwrap_or_default()),
                                users::locale.eq(locale.as_str()),
                                // The invitation reached this address.
                                users::email_verified_at.eq(Utc::now()),
                            ))
                            .execute(conn)
                            .await?;
                        user_id
                    }
                };
                let member: bool = diesel::select(diesel::dsl::exists(
                    memberships::table
                        .filter(memberships::user_id.eq(user_id))
                        .filter(memberships::workshop_id.eq(invitation.workshop_id)),
                ))
                .get_result(conn)
                .await?;
                if !member {
                    insert_membership(conn, user_id, invitation.workshop_id, role).await?;
                }
                diesel::update(invitations::table.find(invitation.id))
                    .set(invitations::accepted_at.eq(Utc::now()))
                    .execute(conn)
                    .await?;
                Ok(Some(user_id))
            })
            .await?;
        let Some(user_id) = accepted else {
            return Ok(invalid());
        };
        tracing::info!(workshop_id = %invitation.workshop_id, %user_id, "invitation accepted");
        let is_admin = existing.as_ref().is_some_and(|e| e.2);
        let viewer = Viewer {
            user_id,
            email: invitation.email,
            role: if is_admin { Role::PlatformAdmin } else { role },
            tenant: tenant_of_new_session(invitation.workshop_id),
        };
        sign_in(ctx, &mut conn, viewer).await
    }

    /// Makes a member an owner or staff; the last owner stays an owner.
    async fn update_member_role(
        &self,
        ctx: &Context<'_>,
        input: UpdateMemberRoleInput,
    ) -> ApiResult<UpdateMemberRolePayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let refused = |error| UpdateMemberRolePayload {
            member: None,
            user_errors: vec![error],
        };
        if input.role == Role::PlatformAdmin {
            return Ok(refused(UserError::new(
                &["role"],
                UserErrorCode::Invalid,
                "Rollen im Team sind OWNER und STAFF.",
            )));
        }
        let Some(user_id) = ids::decode(NodeType::User, &input.user_id) else {
            return Ok(refused(not_member()));
        };
        let role = role_text(input.role);
        let mut conn = ctx.platform().conn().await?;
        let outcome = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let owners = lock_owners(conn, tenant).await?;
                let Some(current) = member(conn, tenant, user_id).await? else {
                    return Ok(Err(not_member()));
                };
                if current.role != Role::Staff && role == "STAFF" && owners <= 1 {
                    return Ok(Err(last_owner()));
                }
                diesel::update(
                    tenant
                        .memberships()
                        .filter(memberships::user_id.eq(user_id)),
                )
                .set(memberships::role.eq(role))
                .execute(conn)
                .await?;
                Ok(Ok(member(conn, tenant, user_id).await?))
            })
            .await?;
        if outcome.is_ok() {
            // Their open connections end: they come back with the new role.
            ctx.platform().access_changed(tenant).await;
        }
        Ok(match outcome {
            Ok(member) => UpdateMemberRolePayload {
                member,
                user_errors: vec![],
            },
            Err(error) => refused(error),
        })
    }

    /// Removes someone from the team; their sessions for this workshop end at once.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveMemberInput,
    ) -> ApiResult<RemoveMemberPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let refused = |error| RemoveMemberPayload {
            removed_user_id: None,
            user_errors: vec![error],
        };
        let Some(user_id) = ids::decode(NodeType::User, &input.user_id) else {
            return Ok(refused(not_member()));
        };
        let mut conn = ctx.platform().conn().await?;
        let outcome = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let owners = lock_owners(conn, tenant).await?;
                let Some(current) = member(conn, tenant, user_id).await? else {
                    return Ok(Err(not_member()));
                };
                if current.role != Role::Staff && owners <= 1 {
                    return Ok(Err(last_owner()));
                }
                diesel::delete(
                    tenant
                        .memberships()
                        .filter(memberships::user_id.eq(user_id)),
                )
                .execute(conn)
                .await?;
                diesel::update(
                    tenant
                        .sessions()
                        .filter(sessions::user_id.eq(user_id))
                        .filter(sessions::revoked_at.is_null()),
                )
                .set((
                    sessions::revoked_at.eq(Utc::now()),
                    sessions::revoke_reason.eq("removed from the team"),
                ))
                .execute(conn)
                .await?;
                Ok(Ok(()))
            })
            .await?;
        if outcome.is_ok() {
            ctx.platform().access_changed(tenant).await;
        }
        Ok(match outcome {
            Ok(()) => RemoveMemberPayload {
                removed_user_id: Some(input.user_id),
                user_errors: vec![],
            },
            Err(error) => refused(error),
        })
    }
}

/// The workshop's owners: (user, address, language).
pub(crate) async fn owners(
    conn: &mut AsyncPgConnection,
    workshop_id: Uuid,
) -> QueryResult<Vec<(Uuid, String, Locale)>> {
    let rows: Vec<(Uuid, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::workshop_id.eq(workshop_id))
        .filter(memberships::role.eq("OWNER"))
        .select((users::id, users::email, users::locale))
        .order(users::email)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, locale)| (id, email, Locale::parse(&locale)))
        .collect())
}
