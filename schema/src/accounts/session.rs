//! Sign-up, sign-in, token refresh and sign-out.

use std::time::Duration;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::links::{self, LinkMail, Purpose};
use super::locations::{Membership, memberships_of};
use super::notifications::{NotificationSettings, settings};
use super::validate;
use super::workshop::{Locale, Workshop, load};
use crate::auth::Authenticator;
use crate::auth::tokens::{
    JwtKeys, REFRESH_TOKEN_PREFIX, REFRESH_TOKEN_TTL, hash_secret, new_secret,
};
use crate::auth::{Role, Tenant, passwords};
use crate::context::Ctx;
use crate::db::schema::{memberships, organizations, refresh_tokens, sessions, users, workshops};
use crate::db::{Conn, is_unique_violation};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
use crate::mail::Mailer;
use crate::principal::tenant_of_new_session;

const TRIAL: chrono::Duration = chrono::Duration::days(14);

/// Failed sign-ins allowed per account and per client address before sign-in pauses.
const LOGIN_FAILURES_PER_ACCOUNT: u32 = 5;
const LOGIN_FAILURES_PER_IP: u32 = 20;
const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
const REGISTRATIONS_PER_IP: u32 = 10;
const REGISTRATION_WINDOW: Duration = Duration::from_secs(60 * 60);
/// A console refreshes every quarter of an hour per tab; many people may share an address.
const REFRESHES_PER_IP_MINUTE: u32 = 60;
/// A refresh token is good for one refresh; a few more tries for a flaky network.
const REFRESHES_PER_TOKEN_MINUTE: u32 = 5;
const MINUTE_WINDOW: Duration = Duration::from_secs(60);

/// The signed-in user, their role and their workshop.
pub struct Viewer {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub tenant: Tenant,
}

#[Object]
impl Viewer {
    async fn id(&self) -> ID {
        ids::encode(NodeType::User, self.user_id)
    }
    async fn email(&self) -> &str {
        &self.email
    }
    async fn role(&self) -> Role {
        self.role
    }
    async fn workshop(&self, ctx: &Context<'_>) -> async_graphql::Result<Workshop> {
        let mut conn = ctx.platform().conn().await?;
        Ok(Workshop(load(&mut conn, self.tenant).await?))
    }
    /// Whether the address is confirmed. Until it is, lead e-mails are not sent to it.
    async fn email_verified(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let mut conn = ctx.platform().conn().await?;
        Ok(super::email::account(&mut conn, self.user_id).await?.2)
    }
    /// The language of the user's e-mails.
    async fn locale(&self, ctx: &Context<'_>) -> ApiResult<Locale> {
        let mut conn = ctx.platform().conn().await?;
        Ok(super::email::account(&mut conn, self.user_id).await?.1)
    }
    /// Every workshop (location) the user belongs to, with the role there.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let mut conn = ctx.platform().conn().await?;
        Ok(memberships_of(&mut conn, self.user_id).await?)
    }
    /// The e-mails the user gets for the workshop the session acts for.
    async fn notification_settings(&self, ctx: &Context<'_>) -> ApiResult<NotificationSettings> {
        let mut conn = ctx.platform().conn().await?;
        Ok(settings(&mut conn, self.tenant, self.user_id).await?)
    }
}

#[derive(SimpleObject)]
pub struct Session {
    /// Bearer token for `Authorization`; valid 15 minutes.
    pub access_token: String,
    /// Opaque; exchange it with `refreshSession` before it expires. Valid once.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    pub refresh_token_expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct SessionPayload {
    pub session: Option<Session>,
    pub viewer: Option<Viewer>,
    pub user_errors: Vec<UserError>,
}

impl SessionPayload {
    pub(crate) fn refused(errors: Vec<UserError>) -> Self {
        Self {
            session: None,
            viewer: None,
            user_errors: errors,
        }
    }
}

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub workshop_name: String,
    #[graphql(default_with = "Locale::De")]
    pub locale: Locale,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// Without it, the `carbot_refresh` cookie that sign-in set in the browser is used.
    pub refresh_token: Option<String>,
}

/// The refresh token as the browser holds it: an `HttpOnly`, `SameSite=Strict` cookie on
/// `/graphql`, out of reach of scripts (the console keeps only the access token, in memory).
pub const REFRESH_COOKIE: &str = "carbot_refresh";

/// The cookies of the request that matter here, put into the request by the transport.
#[derive(Debug, Clone, Default)]
pub struct RequestCookies {
    pub refresh_token: Option<String>,
    /// Mark cookies `Secure` (the platform is reached over HTTPS).
    pub secure: bool,
}

/// Sets (or with `None` clears) the refresh-token cookie on the response.
fn set_refresh_cookie(ctx: &Context<'_>, token: Option<&str>) {
    let secure = ctx
        .data_opt::<RequestCookies>()
        .is_some_and(|cookies| cookies.secure);
    let (value, max_age) = match token {
        Some(token) => (token, REFRESH_TOKEN_TTL.num_seconds()),
        None => ("", 0),
    };
    ctx.append_http_header(
        "set-cookie",
        format!(
            "{REFRESH_COOKIE}={value}; Path=/graphql; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
            if secure { "; Secure" } else { "" }
        ),
    );
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True when the session was ended.
    pub ok: bool,
    pub user_errors: Vec<UserError>,
}

pub(crate) fn client_ip(ctx: &Context<'_>) -> String {
    ctx.client_ip()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Creates a session with its first refresh token and signs the access token.
async fn open_session(
    conn: &mut Conn<'_>,
    keys: &JwtKeys,
    user_id: Uuid,
    tenant: Tenant,
) -> ApiResult<Session> {
    let workshop_id = tenant.workshop_id();
    let session_id = Uuid::now_v7();
    let now = Utc::now();
    let refresh = new_secret(REFRESH_TOKEN_PREFIX);
    let refresh_expires_at = now + REFRESH_TOKEN_TTL;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(session_id),
                sessions::user_id.eq(user_id),
                sessions::workshop_id.eq(workshop_id),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(&refresh.hash),
                refresh_tokens::session_id.eq(session_id),
                refresh_tokens::workshop_id.eq(workshop_id),
                refresh_tokens::expires_at.eq(refresh_expires_at),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    let (access_token, expires_at) = keys.issue(user_id, workshop_id, session_id, now);
    Ok(Session {
        access_token,
        refresh_token: refresh.plain,
        expires_at,
        refresh_token_expires_at: refresh_expires_at,
    })
}

/// Opens a session for `viewer` (its user in its workshop), sets the refresh cookie and answers
/// signed in: the end of every mutation that signs someone in.
pub(crate) async fn sign_in(
    ctx: &Context<'_>,
    conn: &mut Conn<'_>,
    viewer: Viewer,
) -> ApiResult<SessionPayload> {
    let session = open_session(
        conn,
        ctx.service::<Authenticator>().keys(),
        viewer.user_id,
        viewer.tenant,
    )
    .await?;
    set_refresh_cookie(ctx, Some(&session.refresh_token));
    Ok(SessionPayload {
        session: Some(session),
        viewer: Some(viewer),
        user_errors: vec![],
    })
}

/// A workshop's first owner, as registration (or the demo seed) creates them.
pub struct NewOwner<'a> {
    pub email: &'a str,
    pub password_hash: String,
    pub workshop_name: &'a str,
    pub locale: Locale,
    /// Registration: send the confirmation link (the address counts as unconfirmed until it is
    /// used). `None`: the address is taken as confirmed (the demo workshop).
    pub verification: Option<&'a Mailer>,
}

/// Creates a workshop on the Premium trial, in an organisation of its own, with `email` as its
/// owner and the standard catalog installed; returns (user, workshop).
pub async fn create_workshop_with_owner(
    conn: &mut Conn<'_>,
    owner: NewOwner<'_>,
) -> Result<(Uuid, Uuid), diesel::result::Error> {
    let user_id = Uuid::now_v7();
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let plan = PlanState {
            code: "PREMIUM".into(),
            billing_status: "TRIALING".into(),
            trial_ends_at: Some(Utc::now() + TRIAL),
            access_until: None,
        };
        let workshop_id =
            insert_workshop(conn, None, owner.workshop_name, owner.locale, &plan).await?;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(user_id),
                users::email.eq(owner.email),
                users::password_hash.eq(owner.password_hash),
                users::locale.eq(owner.locale.as_str()),
                users::email_verified_at.eq(owner.verification.is_none().then(Utc::now)),
            ))
            .execute(conn)
            .await?;
        insert_membership(conn, user_id, workshop_id, Role::Owner).await?;
        if let Some(mailer) = owner.verification {
            links::send(
                conn,
                mailer,
                LinkMail {
                    user_id,
                    purpose: Purpose::VerifyEmail,
                    to: owner.email,
                    locale: owner.locale,
                    workshop_id: Some(workshop_id),
                },
            )
            .await?;
        }
        Ok(workshop_id)
    })
    .await
    .map(|workshop_id| (user_id, workshop_id))
}

/// What a workshop pays for; a new location starts with its organisation's.
#[derive(Debug, Clone)]
pub(crate) struct PlanState {
    pub code: String,
    pub billing_status: String,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

/// Inserts a workshop into `organization` (a new one when `None`) with the standard catalog.
pub(crate) async fn insert_workshop(
    conn: &mut AsyncPgConnection,
    organization: Option<Uuid>,
    name: &str,
    locale: Locale,
    plan: &PlanState,
) -> Result<Uuid, diesel::result::Error> {
    let workshop_id = Uuid::now_v7();
    let organization_id = match organization {
        Some(id) => id,
        None => {
            diesel::insert_into(organizations::table)
                .values((
                    organizations::id.eq(workshop_id),
                    organizations::name.eq(name),
                ))
                .execute(conn)
                .await?;
            workshop_id
        }
    };
    diesel::insert_into(workshops::table)
        .values((
            workshops::id.eq(workshop_id),
            workshops::organization_id.eq(organization_id),
            workshops::name.eq(name),
            workshops::locale.eq(locale.as_str()),
            workshops::plan_code.eq(&plan.code),
            workshops::trial_ends_at.eq(plan.trial_ends_at),
            workshops::billing_status.eq(&plan.billing_status),
            workshops::access_until.eq(plan.access_until),
            // The first daily summary comes the next morning, not on the day of sign-up.
            workshops::daily_summary_sent_on.eq(Utc::now()
                .with_timezone(&chrono_tz::Europe::Berlin)
                .date_naive()),
        ))
        .execute(conn)
        .await?;
    crate::catalog::standard::install(conn, tenant_of_new_session(workshop_id)).await?;
    Ok(workshop_id)
}

/// Adds `user_id` to the workshop. Owners get every notification by default; staff choose theirs.
pub(crate) async fn insert_membership(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    workshop_id: Uuid,
    role: Role,
) -> Result<(), diesel::result::Error> {
    let owner = role != Role::Staff;
    diesel::insert_into(memberships::table)
        .values((
            memberships::user_id.eq(user_id),
            memberships::workshop_id.eq(workshop_id),
            memberships::role.eq(if owner { "OWNER" } else { "STAFF" }),
            memberships::notify_new_lead.eq(owner),
            memberships::notify_reminder.eq(owner),
            memberships::notify_daily_summary.eq(owner),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A refresh token with its session, as found when presented.
#[derive(Queryable, Selectable)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct PresentedToken {
    #[diesel(select_expression = sessions::id)]
    session_id: Uuid,
    #[diesel(select_expression = sessions::user_id)]
    user_id: Uuid,
    #[diesel(select_expression = sessions::workshop_id)]
    workshop_id: Uuid,
    #[diesel(select_expression = refresh_tokens::expires_at)]
    expires_at: DateTime<Utc>,
    #[diesel(select_expression = refresh_tokens::used_at)]
    used_at: Option<DateTime<Utc>>,
    #[diesel(select_expression = sessions::revoked_at)]
    revoked_at: Option<DateTime<Utc>>,
}

/// Outcome of presenting a refresh token, decided inside one transaction.
enum Refresh {
    Rotated {
        user_id: Uuid,
        workshop_id: Uuid,
        session_id: Uuid,
    },
    Invalid,
    /// The token was used before: someone holds a copy. The whole session (of this workshop)
    /// is revoked.
    Reused(Uuid),
}

#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The signed-in user, their role and their workshop.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let member = ctx.principal().member()?;
        let mut conn = ctx.platform().conn().await?;
        let email = users::table
            .find(member.user_id)
            .select(users::email)
            .first(&mut conn)
            .await?;
        Ok(Viewer {
            user_id: member.user_id,
            email,
            role: member.role,
            tenant: member.tenant,
        })
    }
}

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Creates a workshop and its owner, starts the 14-day Premium trial and signs in.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> ApiResult<SessionPayload> {
        let platform = ctx.platform();
        let mut errors = UserErrors::default();
        let email = validate::email(&mut errors, &["email"], &input.email);
        let name = validate::workshop_name(&mut errors, &["workshopName"], &input.workshop_name);
        if let Some(problem) =
            passwords::policy_violation(&input.password, email.as_deref().unwrap_or(""))
        {
            errors.push(&["password"], UserErrorCode::WeakPassword, problem);
        }
        let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
            return Ok(SessionPayload::refused(errors.into_vec()));
        };
        platform
            .limiter
            .hit(
                &format!("register:ip:{}", client_ip(ctx)),
                REGISTRATIONS_PER_IP,
                REGISTRATION_WINDOW,
            )
            .await?;

        let mut conn = platform.conn().await?;
        let email_taken = || {
            SessionPayload::refused(vec![UserError::new(
                &["email"],
                UserErrorCode::EmailTaken,
                "Für diese E-Mail-Adresse gibt es bereits ein Konto. Bitte melden Sie sich an.",
            )])
        };
        let exists: bool = diesel::select(diesel::dsl::exists(
            users::table.filter(users::email.eq(&email)),
        ))
        .get_result(&mut conn)
        .await?;
        if exists {
            return Ok(email_taken());
        }
        let password_hash = passwords::hash(input.password)
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;

        let created = create_workshop_with_owner(
            &mut conn,
            NewOwner {
                email: &email,
                password_hash,
                workshop_name: &name,
                locale: input.locale,
                verification: Some(ctx.service::<Mailer>()),
            },
        )
        .await;
        let (user_id, workshop_id) = match created {
            Err(e) if is_unique_violation(&e, "users_email_key") => return Ok(email_taken()),
            other => other?,
        };
        tracing::info!(%workshop_id, "workshop registered");
        ctx.service::<Mailer>().wake();
        let viewer = Viewer {
            user_id,
            email,
            role: Role::Owner,
            tenant: tenant_of_new_session(workshop_id),
        };
        sign_in(ctx, &mut conn, viewer).await
    }

    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> ApiResult<SessionPayload> {
        let platform = ctx.platform();
        let email = input.email.trim().to_lowercase();
        let account_key = format!("login:account:{email}");
        let ip_key = format!("login:ip:{}", client_ip(ctx));
        platform
            .limiter
            .check(&account_key, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW)
            .await?;
        platform
            .limiter
            .check(&ip_key, LOGIN_FAILURES_PER_IP, LOGIN_WINDOW)
            .await?;

        let mut conn = platform.conn().await?;
        let account: Option<(Uuid, String, bool)> = users::table
            .filter(users::email.eq(&email))
            .select((users::id, users::password_hash, users::is_platform_admin))
            .first(&mut conn)
            .await
            .optional()?;
        // An over-long password cannot be right; it is checked against the dummy hash all the same.
        let stored = account
            .as_ref()
            .map(|a| a.1.clone())
            .filter(|_| input.password.chars().count() <= passwords::MAX_LENGTH);
        let password: String = input.password.chars().take(passwords::MAX_LENGTH).collect();
        let verified = passwords::verify(password.clone(), stored).await;
        // The first membership is the workshop a session starts in.
        let membership: Option<(Uuid, String)> = match (&account, verified.matches) {
            (Some((user_id, _, _)), true) => memberships::table
                .filter(memberships::user_id.eq(user_id))
                .order(memberships::created_at.asc())
                .select((memberships::workshop_id, memberships::role))
                .first(&mut conn)
                .await
                .optional()?,
            _ => None,
        };
        let (Some((user_id, _, is_platform_admin)), Some((workshop_id, role))) =
            (account, membership)
        else {
            let _ = platform
                .limiter
                .hit(&account_key, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW)
                .await;
            let _ = platform
                .limiter
                .hit(&ip_key, LOGIN_FAILURES_PER_IP, LOGIN_WINDOW)
                .await;
            return Ok(SessionPayload::refused(vec![UserError::new(
                &[],
                UserErrorCode::InvalidCredentials,
                "E-Mail-Adresse oder Passwort ist falsch.",
            )]));
        };
        platform.limiter.reset(&account_key).await;
        if verified.needs_rehash
            && let Ok(rehashed) = passwords::hash(password).await
        {
            diesel::update(users::table.find(user_id))
                .set(users::password_hash.eq(rehashed))
                .execute(&mut conn)
                .await?;
        }
        let viewer = Viewer {
            user_id,
            email,
            role: Role::from_membership(&role, is_platform_admin),
            tenant: tenant_of_new_session(workshop_id),
        };
        sign_in(ctx, &mut conn, viewer).await
    }

    /// Exchanges a refresh token for a new session pair; each refresh token works once. At most
    /// 60 per client address and 5 per token a minute (then `RATE_LIMITED`).
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> ApiResult<SessionPayload> {
        let platform = ctx.platform();
        let invalid = || {
            SessionPayload::refused(vec![UserError::new(
                &["refreshToken"],
                UserErrorCode::InvalidToken,
                "Die Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
            )])
        };
        let Some(presented) = input.refresh_token.or_else(|| {
            ctx.data_opt::<RequestCookies>()
                .and_then(|cookies| cookies.refresh_token.clone())
        }) else {
            return Ok(invalid());
        };
        // Per client address (a console refreshes every quarter of an hour per tab) and per
        // token (each is good for one refresh).
        let address = ctx
            .client_ip()
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        platform
            .limit(
                &format!("refresh:ip:{address}"),
                REFRESHES_PER_IP_MINUTE,
                MINUTE_WINDOW,
            )
            .await?;
        if !presented.starts_with(REFRESH_TOKEN_PREFIX) {
            return Ok(invalid());
        }
        let presented = hash_secret(&presented);
        platform
            .limit(
                &format!("refresh:token:{}", hex::encode(&presented)),
                REFRESHES_PER_TOKEN_MINUTE,
                MINUTE_WINDOW,
            )
            .await?;
        let refresh = new_secret(REFRESH_TOKEN_PREFIX);
        let now = Utc::now();
        let mut conn = platform.conn().await?;
        let outcome = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let (presented, new_hash) = (presented.clone(), refresh.hash.clone());
                {
                    let row: Option<PresentedToken> = refresh_tokens::table
                        .inner_join(sessions::table)
                        .filter(refresh_tokens::token_hash.eq(&presented))
                        .select(PresentedToken::as_select())
                        .for_update()
                        .first(conn)
                        .await
                        .optional()?;
                    let Some(PresentedToken {
                        session_id,
                        user_id,
                        workshop_id,
                        expires_at,
                        used_at,
                        revoked_at,
                    }) = row
                    else {
                        return Ok(Refresh::Invalid);
                    };
                    if revoked_at.is_some() || expires_at <= now {
                        return Ok(Refresh::Invalid);
                    }
                    if used_at.is_some() {
                        diesel::update(sessions::table.find(session_id))
                            .set((
                                sessions::revoked_at.eq(now),
                                sessions::revoke_reason.eq("refresh token reused"),
                            ))
                            .execute(conn)
                            .await?;
                        return Ok(Refresh::Reused(workshop_id));
                    }
                    diesel::update(refresh_tokens::table.find(&presented))
                        .set(refresh_tokens::used_at.eq(now))
                        .execute(conn)
                        .await?;
                    diesel::insert_into(refresh_tokens::table)
                        .values((
                            refresh_tokens::token_hash.eq(new_hash),
                            refresh_tokens::session_id.eq(session_id),
                            refresh_tokens::workshop_id.eq(workshop_id),
                            refresh_tokens::expires_at.eq(now + REFRESH_TOKEN_TTL),
                        ))
                        .execute(conn)
                        .await?;
                    Ok(Refresh::Rotated {
                        user_id,
                        workshop_id,
                        session_id,
                    })
                }
            })
            .await?;
        let (user_id, workshop_id, session_id) = match outcome {
            Refresh::Rotated {
                user_id,
                workshop_id,
                session_id,
            } => (user_id, workshop_id, session_id),
            Refresh::Invalid => return Ok(invalid()),
            Refresh::Reused(workshop_id) => {
                tracing::warn!("refresh token reused; session revoked");
                crate::events::access_changed(ctx.platform().events.as_ref(), workshop_id).await;
                return Ok(invalid());
            }
        };
        let member: Option<(String, String, bool)> = memberships::table
            .inner_join(users::table)
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::workshop_id.eq(workshop_id))
            .select((users::email, memberships::role, users::is_platform_admin))
            .first(&mut conn)
            .await
            .optional()?;
        let Some((email, role, is_platform_admin)) = member else {
            return Ok(invalid());
        };
        let (access_token, expires_at) =
            ctx.service::<Authenticator>()
                .keys()
                .issue(user_id, workshop_id, session_id, now);
        set_refresh_cookie(ctx, Some(&refresh.plain));
        Ok(SessionPayload {
            session: Some(Session {
                access_token,
                refresh_token: refresh.plain,
                expires_at,
                refresh_token_expires_at: now + REFRESH_TOKEN_TTL,
            }),
            viewer: Some(Viewer {
                user_id,
                email,
                role: Role::from_membership(&role, is_platform_admin),
                tenant: tenant_of_new_session(workshop_id),
            }),
            user_errors: vec![],
        })
    }

    /// Ends the current session at once.
    // Ends the caller's session: its access tokens stop working at once, its refresh token too.
    async fn logout(&self, ctx: &Context<'_>) -> ApiResult<LogoutPayload> {
        let member = ctx.principal().member()?;
        let mut conn = ctx.platform().conn().await?;
        let ended = diesel::update(sessions::table.find(member.session_id))
            .filter(sessions::revoked_at.is_null())
            .set((
                sessions::revoked_at.eq(Utc::now()),
                sessions::revoke_reason.eq("logout"),
            ))
            .execute(&mut conn)
            .await?;
        drop(conn);
        if ended == 1 {
            ctx.platform().access_changed(member.tenant).await;
        }
        set_refresh_cookie(ctx, None);
        Ok(LogoutPayload {
            ok: ended == 1,
            user_errors: vec![],
        })
    }
}
