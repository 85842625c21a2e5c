//! Forgotten and changed passwords.

use async_graphql::{Context, InputObject, Object};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::email::{EmailSentPayload, account};
use super::links::{self, LinkMail, Purpose};
use super::session::{SessionPayload, Viewer, client_ip, sign_in};
use crate::auth::{Role, passwords};
use crate::context::Ctx;
use crate::db::schema::{memberships, sessions, users};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode};
use crate::limits::HOUR;
use crate::locale::Locale;
use crate::mail::{self, Mailer, NewMail, Template};
use crate::principal::tenant_of_new_session;

const RESETS_PER_IP_HOUR: u32 = 10;
const RESETS_PER_ADDRESS_HOUR: u32 = 3;
const CHANGES_PER_USER_HOUR: u32 = 10;

#[derive(InputObject)]
pub struct RequestPasswordResetInput {
    pub email: String,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The `token` of the link in the e-mail.
    pub token: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// Ends the user's sessions (but `keep`): their access tokens stop working at once.
pub(crate) async fn end_sessions(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(Uuid::nil()))),
    )
    .set((
        sessions::revoked_at.eq(Utc::now()),
        sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)
    .await
}

/// The user's sessions ended: the open connections of each of their workshops authenticate
/// again (after the commit).
async fn sessions_ended(
    ctx: &Context<'_>,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> ApiResult<()> {
    let workshops: Vec<Uuid> = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::workshop_id)
        .load(conn)
        .await?;
    for workshop in workshops {
        crate::events::access_changed(ctx.platform().events.as_ref(), workshop).await;
    }
    Ok(())
}

/// Why a reset did not happen; an `Err` out of the transaction rolls it back.
enum Refusal {
    Invalid,
    Weak(&'static str),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Refusal {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error)
    }
}

fn weak(problem: &str) -> UserError {
    UserError::new(&["password"], UserErrorCode::WeakPassword, problem)
}

#[derive(Default)]
pub struct PasswordMutation;

#[Object]
impl PasswordMutation {
    /// E-mails a reset link (good for one hour, once) when the address has an account. The
    /// answer is the same for every address, so that it tells nobody which addresses exist.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        input: RequestPasswordResetInput,
    ) -> ApiResult<EmailSentPayload> {
        let platform = ctx.platform();
        let email = input.email.trim().to_lowercase();
        platform
            .limit(
                &format!("reset:ip:{}", client_ip(ctx)),
                RESETS_PER_IP_HOUR,
                HOUR,
            )
            .await?;
        platform
            .limit(
                &format!("reset:address:{email}"),
                RESETS_PER_ADDRESS_HOUR,
                HOUR,
            )
            .await?;
        let mailer = ctx.service::<Mailer>();
        let mut conn = platform.conn().await?;
        let sent = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let user: Option<(Uuid, String)> = users::table
                    .filter(users::email.eq(&email))
                    .select((users::id, users::locale))
                    .first(conn)
                    .await
                    .optional()?;
                let Some((user_id, locale)) = user else {
                    return Ok(false);
                };
                links::send(
                    conn,
                    mailer,
                    LinkMail {
                        user_id,
                        purpose: Purpose::ResetPassword,
                        to: &email,
                        locale: Locale::parse(&locale),
                        workshop_id: None,
                    },
                )
                .await?;
                Ok(true)
            })
            .await?;
        if sent {
            mailer.wake();
        }
        Ok(EmailSentPayload::sent())
    }

    /// Sets a new password with the link from `requestPasswordReset` and signs in; every other
    /// session of the user ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> ApiResult<SessionPayload> {
        let platform = ctx.platform();
        links::limit_presented(ctx).await?;
        let invalid = || {
            SessionPayload::refused(vec![UserError::new(
                &["token"],
                UserErrorCode::InvalidToken,
                "Der Link ist ungültig, abgelaufen oder wurde schon benutzt. Bitte fordern Sie einen neuen an.",
            )])
        };
        if input.password.chars().count() > passwords::MAX_LENGTH {
            return Ok(SessionPayload::refused(vec![weak(
                "Das Passwort ist zu lang.",
            )]));
        }
        let hash = passwords::hash(input.password.clone())
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let mut conn = platform.conn().await?;
        let password = input.password;
        let token = input.token;
        let outcome = conn
            .transaction::<_, Refusal, _>(async |conn| {
                let Some(link) = links::redeem(conn, &token, &[Purpose::ResetPassword]).await?
                else {
                    return Err(Refusal::Invalid);
                };
                let (email, _, _) = account(conn, link.user_id).await?;
                if let Some(problem) = passwords::policy_violation(&password, &email) {
                    // An error rolls the transaction back: the link stays usable.
                    return Err(Refusal::Weak(problem));
                }
                diesel::update(users::table.find(link.user_id))
                    .set((
                        users::password_hash.eq(&hash),
                        // The link reached the address: it is confirmed.
                        users::email_verified_at.eq(diesel::dsl::sql::<
                            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                        >(
                            "coalesce(email_verified_at, now())"
                        )),
                    ))
                    .execute(conn)
                    .await?;
                end_sessions(conn, link.user_id, None, "password reset").await?;
                let membership: Option<(Uuid, String, bool)> = memberships::table
                    .inner_join(users::table)
                    .filter(memberships::user_id.eq(link.user_id))
                    .order(memberships::created_at.asc())
                    .select((
                        memberships::workshop_id,
                        memberships::role,
                        users::is_platform_admin,
                    ))
                    .first(conn)
                    .await
                    .optional()?;
                Ok((link.user_id, email, membership))
            })
            .await;
        let (user_id, email, membership) = match outcome {
            Ok(found) => found,
            Err(Refusal::Invalid) => return Ok(invalid()),
            Err(Refusal::Weak(problem)) => return Ok(SessionPayload::refused(vec![weak(problem)])),
            Err(Refusal::Database(e)) => return Err(e.into()),
        };
        tracing::info!(%user_id, "password reset");
        sessions_ended(ctx, &mut conn, user_id).await?;
        // A user without a workshop (removed from every team) has a new password but no session.
        let Some((workshop_id, role, is_platform_admin)) = membership else {
            return Ok(SessionPayload::refused(vec![]));
        };
        let viewer = Viewer {
            user_id,
            email,
            role: Role::from_membership(&role, is_platform_admin),
            tenant: tenant_of_new_session(workshop_id),
        };
        sign_in(ctx, &mut conn, viewer).await
    }

    /// Changes the password of the signed-in user (the current one is needed); the user's other
    /// sessions end, this one stays.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> ApiResult<EmailSentPayload> {
        let member = ctx.principal().member()?;
        let platform = ctx.platform();
        platform
            .limit(
                &format!("password:user:{}", member.user_id),
                CHANGES_PER_USER_HOUR,
                HOUR,
            )
            .await?;
        let mut conn = platform.conn().await?;
        let (email, stored, locale): (String, String, String) = users::table
            .find(member.user_id)
            .select((users::email, users::password_hash, users::locale))
            .first(&mut conn)
            .await?;
        let current: String = input
            .current_password
            .chars()
            .take(passwords::MAX_LENGTH)
            .collect();
        if !passwords::verify(current, Some(stored)).await.matches {
            return Ok(EmailSentPayload::refused(vec![UserError::new(
                &["currentPassword"],
                UserErrorCode::InvalidCredentials,
                "Das aktuelle Passwort stimmt nicht.",
            )]));
        }
        if let Some(problem) = passwords::policy_violation(&input.new_password, &email) {
            return Ok(EmailSentPayload::refused(vec![UserError::new(
                &["newPassword"],
                UserErrorCode::WeakPassword,
                problem,
            )]));
        }
        let hash = passwords::hash(input.new_password)
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let mailer = ctx.service::<Mailer>();
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            diesel::update(users::table.find(member.user_id))
                .set(users::password_hash.eq(&hash))
                .execute(conn)
                .await?;
            end_sessions(
                conn,
                member.user_id,
                Some(member.session_id),
                "password changed",
            )
            .await?;
            mail::enqueue(
                conn,
                NewMail {
                    to: &email,
                    reply_to: None,
                    locale: Locale::parse(&locale),
                    template: Template::PasswordChanged,
                    workshop_id: None,
                    user_id: Some(member.user_id),
                    lead_id: None,
                },
            )
            .await?;
            Ok(())
        })
        .await?;
        mailer.wake();
        sessions_ended(ctx, &mut conn, member.user_id).await?;
        Ok(EmailSentPayload::sent())
    }
}
