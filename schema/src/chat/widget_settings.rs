//! The widget's appearance (greeting, colour, position, consent text): public per client key
//! for the widget, editable by the owner in the console.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::client_keys::active_key;
use super::consent;
use crate::accounts::workshop::Locale;
use crate::auth::Tenant;
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::{privacy_settings, workshops};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};

const MAX_GREETING: usize = 300;
const MAX_CONSENT: usize = 1_000;
const DEFAULT_COLOR: &str = "#1F6FEB";

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetPosition {
    BottomRight,
    BottomLeft,
}

impl WidgetPosition {
    fn as_str(self) -> &'static str {
        match self {
            Self::BottomRight => "BOTTOM_RIGHT",
            Self::BottomLeft => "BOTTOM_LEFT",
        }
    }
}

/// What the widget shows before anyone types: public, no secrets.
#[derive(SimpleObject)]
pub struct WidgetConfig {
    pub workshop_name: String,
    pub greeting: String,
    /// `#RRGGBB`.
    pub primary_color: String,
    pub position: WidgetPosition,
    /// The workshop's language (greeting and consent follow the `locale` asked for).
    pub locale: Locale,
    /// The consent the lead form asks for, stored with every lead as given.
    pub consent_text: String,
    /// The version of `consentText`: `submitLead` names it, so the lead stores this very text.
    pub consent_version: ID,
    /// The workshop's privacy notice, linked from the widget.
    pub privacy_notice_url: Option<String>,
}

pub fn default_greeting(locale: Locale, workshop: &str) -> String {
    match locale {
        Locale::De => format!(
            "Hallo! Ich bin der digitale Assistent von {workshop}. Fragen Sie mich nach Preisen, Terminen oder Öffnungszeiten."
        ),
        Locale::En => format!(
            "Hello! I am {workshop}'s digital assistant. Ask me about prices, appointments or opening hours."
        ),
        Locale::Tr => format!(
            "Merhaba! {workshop} dijital asistanıyım. Fiyatlar, randevular veya çalışma saatleri hakkında sorabilirsiniz."
        ),
        Locale::Pl => format!(
            "Dzień dobry! Jestem cyfrowym asystentem {workshop}. Proszę pytać o ceny, terminy lub godziny otwarcia."
        ),
    }
}

pub fn default_consent(locale: Locale, workshop: &str) -> String {
    match locale {
        Locale::De => format!(
            "Ich willige ein, dass {workshop} meine Angaben zur Bearbeitung meiner Anfrage speichert und mich dazu kontaktiert. Die Einwilligung kann ich jederzeit widerrufen."
        ),
        Locale::En => format!(
            "I agree that {workshop} stores my details to handle my request and contacts me about it. I can withdraw this consent at any time."
        ),
        Locale::Tr => format!(
            "{workshop} firmasının talebimi işlemek için bilgilerimi saklamasını ve bu konuda benimle iletişime geçmesini kabul ediyorum. Bu onayı istediğim zaman geri alabilirim."
        ),
        Locale::Pl => format!(
            "Wyrażam zgodę na przechowywanie moich danych przez {workshop} w celu obsługi mojego zapytania i kontaktu ze mną w tej sprawie. Mogę w każdej chwili wycofać tę zgodę."
        ),
    }
}

/// The workshop settings the widget and the lead consent depend on.
#[derive(Queryable, Debug, Clone)]
pub struct WidgetSettings {
    pub name: String,
    pub locale: String,
    pub brand_color: Option<String>,
    pub widget_greeting: Option<String>,
    pub widget_position: String,
    pub consent_text: Option<String>,
    pub privacy_notice_url: Option<String>,
}

pub async fn widget_settings(conn: &mut Conn<'_>, tenant: Tenant) -> ApiResult<WidgetSettings> {
    Ok(workshops::table
        .inner_join(privacy_settings::table)
        .filter(workshops::id.eq(tenant.workshop_id()))
        .select((
            workshops::name,
            workshops::locale,
            workshops::brand_color,
            workshops::widget_greeting,
            workshops::widget_position,
            workshops::consent_text,
            privacy_settings::notice_url,
        ))
        .first(conn)
        .await?)
}

impl WidgetSettings {
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale)
    }

    pub fn consent(&self, locale: Locale) -> String {
        self.consent_text
            .clone()
            .unwrap_or_else(|| default_consent(locale, &self.name))
    }

    /// What the widget shows a visitor who reads `visitor` (the workshop's language when
    /// `None`); records the consent text it shows as a version.
    pub async fn into_config(
        self,
        conn: &mut AsyncPgConnection,
        tenant: Tenant,
        visitor: Option<Locale>,
    ) -> ApiResult<WidgetConfig> {
        let locale = self.locale();
        let shown = visitor.unwrap_or(locale);
        let consent_text = self.consent(shown);
        let version = consent::served(conn, tenant, shown, &consent_text).await?;
        Ok(WidgetConfig {
            greeting: self
                .widget_greeting
                .clone()
                .unwrap_or_else(|| default_greeting(shown, &self.name)),
            consent_text,
            consent_version: ids::encode(NodeType::ConsentVersion, version),
            primary_color: self.brand_color.clone().unwrap_or(DEFAULT_COLOR.into()),
            position: if self.widget_position == "BOTTOM_LEFT" {
                WidgetPosition::BottomLeft
            } else {
                WidgetPosition::BottomRight
            },
            locale,
            privacy_notice_url: self.privacy_notice_url,
            workshop_name: self.name,
        })
    }
}

/// The widget's appearance; absent fields stay, `null` returns to the default text.
#[derive(InputObject)]
pub struct UpdateWidgetSettingsInput {
    pub greeting: async_graphql::MaybeUndefined<String>,
    pub position: Option<WidgetPosition>,
    pub consent_text: async_graphql::MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct UpdateWidgetSettingsPayload {
    pub widget_config: Option<WidgetConfig>,
    pub user_errors: Vec<UserError>,
}

fn optional_text(
    errors: &mut UserErrors,
    field: &str,
    value: async_graphql::MaybeUndefined<String>,
    max: usize,
) -> Option<Option<String>> {
    use async_graphql::MaybeUndefined::*;
    match value {
        Undefined => None,
        Null => Some(None),
        Value(text) => {
            let text = text.trim().to_owned();
            if text.chars().count() > max {
                errors.push(
                    &[field],
                    UserErrorCode::TooLong,
                    format!("Höchstens {max} Zeichen."),
                );
            }
            Some((!text.is_empty()).then_some(text))
        }
    }
}

#[derive(Default)]
pub struct WidgetSettingsQuery;

#[Object]
impl WidgetSettingsQuery {
    /// The widget's public appearance for a client key; refused for pages the key does not allow.
    /// `locale`: the visitor's language, for the greeting and the consent text (the workshop's
    /// language without it).
    async fn widget_config(
        &self,
        ctx: &Context<'_>,
        client_key: String,
        locale: Option<Locale>,
    ) -> ApiResult<WidgetConfig> {
        let mut conn = ctx.platform().conn().await?;
        let key = active_key(&mut conn, &client_key, ctx.origin())
            .await?
            .ok_or(ApiError::NotFound)?;
        widget_settings(&mut conn, key.tenant)
            .await?
            .into_config(&mut conn, key.tenant, locale)
            .await
    }

    /// The widget's current appearance, for the console (signed-in users).
    async fn widget_settings(&self, ctx: &Context<'_>) -> ApiResult<WidgetConfig> {
        let tenant = ctx.principal().member()?.tenant;
        let mut conn = ctx.platform().conn().await?;
        widget_settings(&mut conn, tenant)
            .await?
            .into_config(&mut conn, tenant, None)
            .await
    }
}

#[derive(Default)]
pub struct WidgetSettingsMutation;

#[Object]
impl WidgetSettingsMutation {
    async fn update_widget_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateWidgetSettingsInput,
    ) -> ApiResult<UpdateWidgetSettingsPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut errors = UserErrors::default();
        let greeting = optional_text(&mut errors, "greeting", input.greeting, MAX_GREETING);
        let consent = optional_text(&mut errors, "consentText", input.consent_text, MAX_CONSENT);
        if !errors.is_empty() {
            return Ok(UpdateWidgetSettingsPayload {
                widget_config: None,
                user_errors: errors.into_vec(),
            });
        }
        let mut conn = ctx.platform().conn().await?;
        diesel::update(workshops::table.find(tenant.workshop_id()))
            .set((
                greeting.map(|g| workshops::widget_greeting.eq(g)),
                consent.map(|c| workshops::consent_text.eq(c)),
                input
                    .position
                    .map(|p| workshops::widget_position.eq(p.as_str())),
                workshops::updated_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await?;
        let settings = widget_settings(&mut conn, tenant).await?;
        Ok(UpdateWidgetSettingsPayload {
            widget_config: Some(settings.into_config(&mut conn, tenant, None).await?),
            user_errors: vec![],
        })
    }
}
