//! Confirming e-mail addresses: the link sent at registration, sending it again, and changing
//! the address (which takes effect when the new address is confirmed).

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::links::{self, LinkMail, Purpose};
use super::validate;
use crate::auth::passwords;
use crate::context::Ctx;
use crate::db::is_unique_violation;
use crate::db::schema::{account_tokens, users};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::limits::HOUR;
use crate::locale::Locale;
use crate::mail::Mailer;

const LINKS_PER_USER_HOUR: u32 = 5;

#[derive(InputObject)]
pub struct VerifyEmailInput {
    /// The `token` of the link in the e-mail.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct VerifyEmailPayload {
    /// The confirmed address (after a change, the new one).
    pub email: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ChangeEmailInput {
    pub new_email: String,
    /// The current password, so that a session left open cannot take over the account.
    pub password: String,
}

/// The answer of a request that sends an e-mail.
#[derive(SimpleObject)]
pub struct EmailSentPayload {
    /// True when the request was accepted (the e-mail is on its way).
    pub ok: bool,
    pub user_errors: Vec<UserError>,
}

impl EmailSentPayload {
    pub(crate) fn sent() -> Self {
        Self {
            ok: true,
            user_errors: vec![],
        }
    }

    pub(crate) fn refused(errors: Vec<UserError>) -> Self {
        Self {
            ok: false,
            user_errors: errors,
        }
    }
}

/// The user's address, locale and whether the address is confirmed.
pub(crate) async fn account(
    conn: &mut diesel_async::AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<(String, Locale, bool)> {
    let (email, locale, verified): (String, String, Option<chrono::DateTime<Utc>>) = users::table
        .find(user_id)
        .select((users::email, users::locale, users::email_verified_at))
        .first(conn)
        .await?;
    Ok((email, Locale::parse(&locale), verified.is_some()))
}

/// Why a link did nothing; an `Err` out of the transaction rolls it back.
enum Refusal {
    InvalidLink,
    Taken,
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Refusal {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error)
    }
}

fn invalid_link() -> Vec<UserError> {
    vec![UserError::new(
        &["token"],
        UserErrorCode::InvalidToken,
        "Der Link ist ungültig, abgelaufen oder wurde schon benutzt.",
    )]
}

#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Confirms an address with the link from the e-mail (registration or `changeEmail`).
    /// Works signed out; each link works once.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        input: VerifyEmailInput,
    ) -> ApiResult<VerifyEmailPayload> {
        let platform = ctx.platform();
        links::limit_presented(ctx).await?;
        let mut conn = platform.conn().await?;
        let token = input.token;
        let outcome = conn
            .transaction::<_, Refusal, _>(async |conn| {
                let Some(link) =
                    links::redeem(conn, &token, &[Purpose::VerifyEmail, Purpose::ChangeEmail])
                        .await?
                else {
                    return Err(Refusal::InvalidLink);
                };
                let now = Utc::now();
                if link.purpose == Purpose::ChangeEmail {
                    let changed = diesel::update(users::table.find(link.user_id))
                        .set((
                            users::email.eq(&link.email),
                            users::email_verified_at.eq(now),
                        ))
                        .execute(conn)
                        .await;
                    match changed {
                        // Taken since the link was sent; the error rolls back (the link stays).
                        Err(e) if is_unique_violation(&e, "users_email_key") => {
                            return Err(Refusal::Taken);
                        }
                        other => other?,
                    };
                    // Links sent to the old address no longer fit the account.
                    diesel::update(
                        account_tokens::table
                            .filter(account_tokens::user_id.eq(link.user_id))
                            .filter(account_tokens::used_at.is_null()),
                    )
                    .set(account_tokens::expires_at.eq(now))
                    .execute(conn)
                    .await?;
                } else {
                    // Only the address the link went to is confirmed (not one changed since).
                    diesel::update(
                        users::table
                            .find(link.user_id)
                            .filter(users::email.eq(&link.email)),
                    )
                    .set(users::email_verified_at.eq(now))
                    .execute(conn)
                    .await?;
                }
                Ok(link.email)
            })
            .await;
        let refused = |errors| VerifyEmailPayload {
            email: None,
            user_errors: errors,
        };
        match outcome {
            Ok(email) => Ok(VerifyEmailPayload {
                email: Some(email),
                user_errors: vec![],
            }),
            Err(Refusal::InvalidLink) => Ok(refused(invalid_link())),
            Err(Refusal::Taken) => Ok(refused(vec![UserError::new(
                &["token"],
                UserErrorCode::EmailTaken,
                "Diese E-Mail-Adresse gehört inzwischen zu einem anderen Konto.",
            )])),
            Err(Refusal::Database(e)) => Err(e.into()),
        }
    }

    /// Sends the confirmation link again (signed-in users whose address is not confirmed).
    async fn request_email_verification(&self, ctx: &Context<'_>) -> ApiResult<EmailSentPayload> {
        let member = ctx.principal().member()?;
        let platform = ctx.platform();
        platform
            .limit(
                &format!("links:user:{}", member.user_id),
                LINKS_PER_USER_HOUR,
                HOUR,
            )
            .await?;
        let mailer = ctx.service::<Mailer>();
        let mut conn = platform.conn().await?;
        let sent = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let (email, locale, verified) = account(conn, member.user_id).await?;
                if verified {
                    return Ok(false);
                }
                links::send(
                    conn,
                    mailer,
                    LinkMail {
                        user_id: member.user_id,
                        purpose: Purpose::VerifyEmail,
                        to: &email,
                        locale,
                        workshop_id: Some(member.tenant.workshop_id()),
                    },
                )
                .await?;
                Ok(true)
            })
            .await?;
        if !sent {
            return Ok(EmailSentPayload::refused(vec![UserError::new(
                &[],
                UserErrorCode::Invalid,
                "Ihre E-Mail-Adresse ist bereits bestätigt.",
            )]));
        }
        mailer.wake();
        Ok(EmailSentPayload::sent())
    }

    /// Starts a change of the sign-in address: a link goes to the new address, and the change
    /// takes effect when it is used (`verifyEmail`). Needs the current password.
    async fn change_email(
        &self,
        ctx: &Context<'_>,
        input: ChangeEmailInput,
    ) -> ApiResult<EmailSentPayload> {
        let member = ctx.principal().member()?;
        let platform = ctx.platform();
        let mut errors = UserErrors::default();
        let Some(new_email) = validate::email(&mut errors, &["newEmail"], &input.new_email) else {
            return Ok(EmailSentPayload::refused(errors.into_vec()));
        };
        platform
            .limit(
                &format!("links:user:{}", member.user_id),
                LINKS_PER_USER_HOUR,
                HOUR,
            )
            .await?;
        let mut conn = platform.conn().await?;
        let (hash, locale): (String, String) = users::table
            .find(member.user_id)
            .select((users::password_hash, users::locale))
            .first(&mut conn)
            .await?;
        if !passwords::verify(input.password, Some(hash)).await.matches {
            return Ok(EmailSentPayload::refused(vec![UserError::new(
                &["password"],
                UserErrorCode::InvalidCredentials,
                "Das Passwort stimmt nicht.",
            )]));
        }
        let taken: bool = diesel::select(diesel::dsl::exists(
            users::table.filter(users::email.eq(&new_email)),
        ))
        .get_result(&mut conn)
        .await?;
        if taken {
            return Ok(EmailSentPayload::refused(vec![UserError::new(
                &["newEmail"],
                UserErrorCode::EmailTaken,
                "Diese E-Mail-Adresse gehört bereits zu einem Konto.",
            )]));
        }
        let mailer = ctx.service::<Mailer>();
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            links::send(
                conn,
                mailer,
                LinkMail {
                    user_id: member.user_id,
                    purpose: Purpose::ChangeEmail,
                    to: &new_email,
                    locale: Locale::parse(&locale),
                    workshop_id: Some(member.tenant.workshop_id()),
                },
            )
            .await
        })
        .await
        .map_err(ApiError::from)?;
        mailer.wake();
        Ok(EmailSentPayload::sent())
    }
}
