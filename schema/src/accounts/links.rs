//! Single-use links e-mailed to a user: confirm an address, confirm a new address, reset the
//! password. The link carries a random 256-bit secret; only its SHA-256 is stored, so the table
//! cannot be turned into working links, and a link cannot be forged or guessed. Each works once
//! and until it expires; a newer link of the same purpose replaces the older ones.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::tokens::{hash_secret, new_secret};
use crate::context::Ctx;
use crate::db::schema::account_tokens;
use crate::error::ApiResult;
use crate::locale::Locale;
use crate::mail::{self, Mailer, NewMail, Template};

pub(crate) const LINK_PREFIX: &str = "cbl_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    VerifyEmail,
    ChangeEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "VERIFY_EMAIL",
            Self::ChangeEmail => "CHANGE_EMAIL",
            Self::ResetPassword => "RESET_PASSWORD",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::VerifyEmail, Self::ChangeEmail, Self::ResetPassword]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// The console page the link opens.
    fn path(self) -> &'static str {
        match self {
            Self::VerifyEmail | Self::ChangeEmail => "/verify-email",
            Self::ResetPassword => "/reset-password",
        }
    }

    fn lifetime(self) -> chrono::Duration {
        match self {
            Self::VerifyEmail => chrono::Duration::days(7),
            Self::ChangeEmail => chrono::Duration::days(1),
            Self::ResetPassword => chrono::Duration::hours(1),
        }
    }
}

/// Creates a link for `user_id`, sent to `email`; earlier unused links of the same purpose stop
/// working. Returns the secret for the e-mail.
async fn issue(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    purpose: Purpose,
    email: &str,
) -> QueryResult<String> {
    let now = Utc::now();
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::expires_at.eq(now))
    .execute(conn)
    .await?;
    let secret = new_secret(LINK_PREFIX);
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::token_hash.eq(&secret.hash),
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::email.eq(email),
            account_tokens::expires_at.eq(now + purpose.lifetime()),
        ))
        .execute(conn)
        .await?;
    Ok(secret.plain)
}

/// A link to e-mail: to whom, in which language, about which workshop.
pub(crate) struct LinkMail<'a> {
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// The address the link goes to (for `ChangeEmail` the new one).
    pub to: &'a str,
    pub locale: Locale,
    pub workshop_id: Option<Uuid>,
}

/// Issues a link and writes its e-mail to the outbox, in the caller's transaction.
pub(crate) async fn send(
    conn: &mut AsyncPgConnection,
    mailer: &Mailer,
    mail: LinkMail<'_>,
) -> QueryResult<()> {
    let secret = issue(conn, mail.user_id, mail.purpose, mail.to).await?;
    let link = mailer.link(&format!("{}?token={secret}", mail.purpose.path()));
    let template = match mail.purpose {
        Purpose::VerifyEmail => Template::VerifyEmail { link: &link },
        Purpose::ChangeEmail => Template::ConfirmNewEmail {
            link: &link,
            new_email: mail.to,
        },
        Purpose::ResetPassword => Template::PasswordReset { link: &link },
    };
    mail::enqueue(
        conn,
        NewMail {
            to: mail.to,
            reply_to: None,
            locale: mail.locale,
            template,
            workshop_id: mail.workshop_id,
            user_id: Some(mail.user_id),
            lead_id: None,
        },
    )
    .await?;
    Ok(())
}

/// Secrets presented per client address and hour (links and invitations alike): with 256 bits
/// guessing is hopeless anyway, and this keeps anyone from trying at speed.
pub(crate) async fn limit_presented(ctx: &async_graphql::Context<'_>) -> ApiResult<()> {
    let address = ctx
        .client_ip()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    ctx.platform()
        .limit(&format!("links:ip:{address}"), 30, crate::limits::HOUR)
        .await
}

/// A link that was valid when presented, now used up.
#[derive(Debug, Clone)]
pub(crate) struct Redeemed {
    pub purpose: Purpose,
    pub user_id: Uuid,
    /// The address the link was sent to.
    pub email: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = account_tokens, check_for_backend(diesel::pg::Pg))]
struct LinkRow {
    user_id: Uuid,
    purpose: String,
    email: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

/// Uses up the link if it is one of `purposes`, unused and unexpired; `None` otherwise. Run it in
/// the transaction of what the link does, so that a failure leaves the link usable.
pub(crate) async fn redeem(
    conn: &mut AsyncPgConnection,
    plain: &str,
    purposes: &[Purpose],
) -> QueryResult<Option<Redeemed>> {
    if !plain.starts_with(LINK_PREFIX) {
        return Ok(None);
    }
    let hash = hash_secret(plain.trim());
    let row: Option<LinkRow> = account_tokens::table
        .find(&hash)
        .select(LinkRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let now = Utc::now();
    let Some(LinkRow {
        user_id,
        purpose,
        email,
        expires_at,
        used_at: None,
    }) = row
    else {
        return Ok(None);
    };
    let Some(purpose) = Purpose::parse(&purpose).filter(|p| purposes.contains(p)) else {
        return Ok(None);
    };
    if expires_at <= now {
        return Ok(None);
    }
    diesel::update(account_tokens::table.find(&hash))
        .set(account_tokens::used_at.eq(now))
        .execute(conn)
        .await?;
    Ok(Some(Redeemed {
        purpose,
        user_id,
        email,
    }))
}
