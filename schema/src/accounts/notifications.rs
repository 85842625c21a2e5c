//! Which e-mails a member gets for a workshop, and the language of their e-mails.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::session::Viewer;
use uuid::Uuid;

use crate::auth::Tenant;
use crate::context::Ctx;
use crate::db::schema::{memberships, users};
use crate::error::{ApiResult, UserError};
use crate::locale::Locale;

/// The e-mails a member gets for the workshop the session acts for. Owners get all three by
/// default; staff choose theirs. Nothing is sent before the address is confirmed.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationSettings {
    /// Every new lead, within seconds.
    pub new_lead: bool,
    /// A lead still `NEW` after the workshop's reminder time, during opening hours.
    pub reminder: bool,
    /// Each morning: yesterday's chats and leads, and what is still open.
    pub daily_summary: bool,
}

pub(crate) async fn settings(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    user_id: Uuid,
) -> QueryResult<NotificationSettings> {
    let (new_lead, reminder, daily_summary) = tenant
        .memberships()
        .filter(memberships::user_id.eq(user_id))
        .select((
            memberships::notify_new_lead,
            memberships::notify_reminder,
            memberships::notify_daily_summary,
        ))
        .first(conn)
        .await?;
    Ok(NotificationSettings {
        new_lead,
        reminder,
        daily_summary,
    })
}

/// Changes to the caller's notifications; an absent field stays.
#[derive(InputObject)]
pub struct UpdateNotificationSettingsInput {
    pub new_lead: Option<bool>,
    pub reminder: Option<bool>,
    pub daily_summary: Option<bool>,
}

#[derive(SimpleObject)]
pub struct UpdateNotificationSettingsPayload {
    pub notification_settings: Option<NotificationSettings>,
    pub user_errors: Vec<UserError>,
}

#[derive(AsChangeset)]
#[diesel(table_name = memberships)]
struct Changes {
    notify_new_lead: Option<bool>,
    notify_reminder: Option<bool>,
    notify_daily_summary: Option<bool>,
}

#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// The language of the user's e-mails.
    pub locale: Option<Locale>,
}

#[derive(SimpleObject)]
pub struct UpdateProfilePayload {
    pub viewer: Option<Viewer>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// The caller's own notifications for this workshop (any role).
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateNotificationSettingsInput,
    ) -> ApiResult<UpdateNotificationSettingsPayload> {
        let member = ctx.principal().member()?;
        let mut conn = ctx.platform().conn().await?;
        if input.new_lead.is_some() || input.reminder.is_some() || input.daily_summary.is_some() {
            diesel::update(
                member
                    .tenant
                    .memberships()
                    .filter(memberships::user_id.eq(member.user_id)),
            )
            .set(Changes {
                notify_new_lead: input.new_lead,
                notify_reminder: input.reminder,
                notify_daily_summary: input.daily_summary,
            })
            .execute(&mut conn)
            .await?;
        }
        Ok(UpdateNotificationSettingsPayload {
            notification_settings: Some(settings(&mut conn, member.tenant, member.user_id).await?),
            user_errors: vec![],
        })
    }

    /// The caller's own profile: the language of their e-mails.
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateProfileInput,
    ) -> ApiResult<UpdateProfilePayload> {
        let member = ctx.principal().member()?;
        let mut conn = ctx.platform().conn().await?;
        if let Some(locale) = input.locale {
            diesel::update(users::table.find(member.user_id))
                .set(users::locale.eq(locale.as_str()))
                .execute(&mut conn)
                .await?;
        }
        let email = users::table
            .find(member.user_id)
            .select(users::email)
            .first(&mut conn)
            .await?;
        Ok(UpdateProfilePayload {
            viewer: Some(Viewer {
                user_id: member.user_id,
                email,
                role: member.role,
                tenant: member.tenant,
            }),
            user_errors: vec![],
        })
    }
}
