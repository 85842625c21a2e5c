//! `privacySettings` / `updatePrivacySettings`: how long the workshop keeps what it no longer
//! needs, and where its privacy notice is.

use async_graphql::{InputObject, SimpleObject};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::auth::Tenant;
use crate::db::schema::privacy_settings;
use crate::error::{ApiResult, UserErrorCode, UserErrors};

/// Bounds of each setting, in days (also checked by the database).
pub const CONVERSATION_DAYS: (i32, i32) = (1, 3650);
pub const CLOSED_LEAD_DAYS: (i32, i32) = (30, 3650);
pub const EVENT_DAYS: (i32, i32) = (1, 365);

#[derive(SimpleObject, Queryable, Debug, Clone)]
pub struct PrivacySettings {
    /// Conversations that led to no request are erased this many days after their last message
    /// (default 90).
    pub conversation_retention_days: i32,
    /// Requests marked WON or LOST lose their personal data this many days after their last
    /// change (default 1095, three years).
    pub closed_lead_retention_days: i32,
    /// Stored events (the integrators' replay window) are deleted after this many days
    /// (default 30).
    pub event_retention_days: i32,
    /// The workshop's privacy notice; the widget links it.
    pub privacy_notice_url: Option<String>,
    /// The workshop's local day the retention job last ran for.
    pub retention_last_run_on: Option<NaiveDate>,
}

pub async fn load(conn: &mut AsyncPgConnection, tenant: Tenant) -> ApiResult<PrivacySettings> {
    Ok(tenant
        .privacy_settings()
        .select((
            privacy_settings::conversation_days,
            privacy_settings::closed_lead_days,
            privacy_settings::event_days,
            privacy_settings::notice_url,
            privacy_settings::ran_on,
        ))
        .first(conn)
        .await?)
}

/// Absent fields stay; `privacyNoticeUrl: null` removes the link.
#[derive(InputObject)]
pub struct UpdatePrivacySettingsInput {
    pub conversation_retention_days: Option<i32>,
    pub closed_lead_retention_days: Option<i32>,
    pub event_retention_days: Option<i32>,
    pub privacy_notice_url: async_graphql::MaybeUndefined<String>,
}

/// The checked change.
#[derive(AsChangeset, Default)]
#[diesel(table_name = privacy_settings)]
pub struct PrivacyChange {
    conversation_days: Option<i32>,
    closed_lead_days: Option<i32>,
    event_days: Option<i32>,
    notice_url: Option<Option<String>>,
}

fn days(
    errors: &mut UserErrors,
    field: &str,
    value: Option<i32>,
    (min, max): (i32, i32),
) -> Option<i32> {
    let value = value?;
    if !(min..=max).contains(&value) {
        errors.push(
            &[field],
            UserErrorCode::OutOfRange,
            format!("Zwischen {min} und {max} Tagen."),
        );
    }
    Some(value)
}

/// `https://host/…` (or `http://`), with a host and nothing a link could not hold.
fn is_web_address(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

impl PrivacyChange {
    pub fn parse(input: UpdatePrivacySettingsInput) -> Result<Self, UserErrors> {
        use async_graphql::MaybeUndefined::*;
        let mut errors = UserErrors::default();
        let change = Self {
            conversation_days: days(
                &mut errors,
                "conversationRetentionDays",
                input.conversation_retention_days,
                CONVERSATION_DAYS,
            ),
            closed_lead_days: days(
                &mut errors,
                "closedLeadRetentionDays",
                input.closed_lead_retention_days,
                CLOSED_LEAD_DAYS,
            ),
            event_days: days(
                &mut errors,
                "eventRetentionDays",
                input.event_retention_days,
                EVENT_DAYS,
            ),
            notice_url: match input.privacy_notice_url {
                Undefined => None,
                Null => Some(None),
                Value(url) => {
                    let url = url.trim().to_owned();
                    let valid = url.len() <= 500 && is_web_address(&url);
                    if !valid {
                        errors.push(
                            &["privacyNoticeUrl"],
                            UserErrorCode::Invalid,
                            "Bitte eine vollständige Adresse mit https:// angeben.",
                        );
                    }
                    Some(Some(url))
                }
            },
        };
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(errors)
        }
    }

    pub async fn apply(self, conn: &mut AsyncPgConnection, tenant: Tenant) -> ApiResult<()> {
        if self.conversation_days.is_none()
            && self.closed_lead_days.is_none()
            && self.event_days.is_none()
            && self.notice_url.is_none()
        {
            return Ok(());
        }
        diesel::update(tenant.privacy_settings())
            .set((self, privacy_settings::updated_at.eq(chrono::Utc::now())))
            .execute(conn)
            .await?;
        Ok(())
    }
}
