//! The workshop (tenant): its profile, and `updateWorkshop`.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::validate;
use crate::auth::Tenant;
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::workshops;
use crate::error::{ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
pub use crate::locale::Locale;
use crate::plans::{Entitlements, Plan, PlanCode, PlanStatus, plan};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Monday first, as the week runs in Germany (and as `num_days_from_monday` counts).
    pub const ALL: [Self; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];
}

/// One opening interval, in the workshop's time zone; a day may have several (lunch break).
#[derive(SimpleObject, InputObject, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[graphql(input_name = "OpeningHoursInput")]
pub struct OpeningHours {
    pub weekday: Weekday,
    /// `HH:MM`, 24-hour clock.
    pub opens: String,
    /// `HH:MM`, later than `opens`.
    pub closes: String,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Address {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: String,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = workshops)]
pub struct WorkshopRow {
    pub id: Uuid,
    pub name: String,
    pub locale: String,
    pub time_zone: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub brand_color: Option<String>,
    pub legal_name: Option<String>,
    pub managing_director: Option<String>,
    pub commercial_register: Option<String>,
    pub vat_id: Option<String>,
    pub opening_hours: serde_json::Value,
    pub plan_code: String,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub billing_status: String,
    pub access_until: Option<DateTime<Utc>>,
    pub lead_reminder_minutes: i32,
    /// Goes up with every change to the workshop's catalog (a trigger keeps it).
    pub catalog_revision: i64,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Impressum {
    /// e.g. `Autohaus Nord GmbH`.
    pub legal_name: Option<String>,
    pub managing_director: Option<String>,
    /// e.g. `Amtsgericht Hamburg, HRB 123456`.
    pub commercial_register: Option<String>,
    /// e.g. `DE123456789`.
    pub vat_id: Option<String>,
}

/// A car-repair workshop: the tenant that owns every other piece of data.
pub struct Workshop(pub WorkshopRow);

#[Object]
impl Workshop {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Workshop, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn locale(&self) -> Locale {
        Locale::parse(&self.0.locale)
    }
    /// IANA time zone, e.g. `Europe/Berlin`.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    async fn address(&self) -> Address {
        Address {
            street: self.0.street.clone(),
            postal_code: self.0.postal_code.clone(),
            city: self.0.city.clone(),
            country: self.0.country.clone(),
        }
    }
    /// `#RRGGBB`.
    async fn brand_color(&self) -> Option<&str> {
        self.0.brand_color.as_deref()
    }
    /// Impressum (legal notice): the legal name, managing director, commercial register entry
    /// and VAT ID the workshop publishes.
    async fn impressum(&self) -> Impressum {
        Impressum {
            legal_name: self.0.legal_name.clone(),
            managing_director: self.0.managing_director.clone(),
            commercial_register: self.0.commercial_register.clone(),
            vat_id: self.0.vat_id.clone(),
        }
    }
    async fn opening_hours(&self) -> Vec<OpeningHours> {
        serde_json::from_value(self.0.opening_hours.clone()).unwrap_or_default()
    }
    async fn plan(&self) -> Plan {
        plan(PlanCode::parse(&self.0.plan_code).unwrap_or(PlanCode::Basic))
    }
    /// Trial, paid, past due, canceled or inactive (then leads are still captured, but the AI
    /// answers are off). The details are in `billing` (owners only).
    async fn plan_status(&self) -> PlanStatus {
        Entitlements::new(
            &self.0.plan_code,
            &self.0.billing_status,
            self.0.trial_ends_at,
            self.0.access_until,
            Utc::now(),
        )
        .status
    }
    /// End of the free Premium trial.
    async fn trial_ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.trial_ends_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// A lead still `NEW` this many minutes after it arrived sends one reminder e-mail, during
    /// opening hours (default 120).
    async fn lead_reminder_minutes(&self) -> i32 {
        self.0.lead_reminder_minutes
    }
}

/// Whether the workshop is open at `now`, by its opening hours in its time zone (an unknown
/// zone is read as Europe/Berlin). A workshop without opening hours counts as always open, so
/// that its reminders are not held back forever.
pub fn is_open(hours: &[OpeningHours], time_zone: &str, now: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    if hours.is_empty() {
        return true;
    }
    let zone: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
    let local = now.with_timezone(&zone);
    let weekday = Weekday::ALL[local.weekday().num_days_from_monday() as usize];
    let time = local.time();
    hours.iter().filter(|h| h.weekday == weekday).any(|h| {
        let parse = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
        matches!((parse(&h.opens), parse(&h.closes)), (Some(opens), Some(closes)) if opens <= time && time < closes)
    })
}

pub async fn load(conn: &mut Conn<'_>, tenant: Tenant) -> ApiResult<WorkshopRow> {
    Ok(workshops::table
        .find(tenant.workshop_id())
        .select(WorkshopRow::as_select())
        .first(conn)
        .await?)
}

/// Changes to the workshop profile; an absent field stays, `null` clears an optional field.
#[derive(InputObject, Debug, Default)]
pub struct UpdateWorkshopInput {
    pub name: Option<String>,
    pub locale: Option<Locale>,
    pub time_zone: Option<String>,
    pub phone: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub street: MaybeUndefined<String>,
    pub postal_code: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub country: Option<String>,
    pub brand_color: MaybeUndefined<String>,
    pub opening_hours: Option<Vec<OpeningHours>>,
    pub legal_name: MaybeUndefined<String>,
    pub managing_director: MaybeUndefined<String>,
    pub commercial_register: MaybeUndefined<String>,
    /// `DE` followed by 9 digits (other EU formats accepted by shape).
    pub vat_id: MaybeUndefined<String>,
    /// Minutes, 5 to 10080 (a week).
    pub lead_reminder_minutes: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateWorkshopPayload {
    pub workshop: Option<Workshop>,
    pub user_errors: Vec<UserError>,
}

/// Time zones of the markets CarBot serves.
pub const TIME_ZONES: [&str; 6] = [
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Europe/Luxembourg",
];

#[derive(AsChangeset, Default)]
#[diesel(table_name = workshops)]
struct WorkshopChanges {
    name: Option<String>,
    locale: Option<String>,
    time_zone: Option<String>,
    phone: Option<Option<String>>,
    email: Option<Option<String>>,
    website: Option<Option<String>>,
    street: Option<Option<String>>,
    postal_code: Option<Option<String>>,
    city: Option<Option<String>>,
    country: Option<String>,
    brand_color: Option<Option<String>>,
    legal_name: Option<Option<String>>,
    managing_director: Option<Option<String>>,
    commercial_register: Option<Option<String>>,
    vat_id: Option<Option<String>>,
    opening_hours: Option<serde_json::Value>,
    lead_reminder_minutes: Option<i32>,
    updated_at: Option<DateTime<Utc>>,
}

/// Trims an optional text field and checks it; empty text clears the field.
fn optional_text(
    errors: &mut UserErrors,
    field: &'static str,
    value: MaybeUndefined<String>,
    max: usize,
    check: impl Fn(&str) -> Option<&'static str>,
) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(text) => {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Some(None);
            }
            if text.chars().count() > max {
                errors.push(
                    &[field],
                    UserErrorCode::TooLong,
                    format!("Höchstens {max} Zeichen."),
                );
            } else if let Some(message) = check(&text) {
                errors.push(&[field], UserErrorCode::Invalid, message);
            }
            Some(Some(text))
        }
    }
}

fn check_opening_hours(errors: &mut UserErrors, hours: &[OpeningHours]) {
    if hours.len() > 21 {
        errors.push(
            &["openingHours"],
            UserErrorCode::TooLong,
            "Höchstens 21 Zeiträume.",
        );
    }
    for (index, interval) in hours.iter().enumerate() {
        let index = index.to_string();
        let parse = |t: &str| {
            NaiveTime::parse_from_str(t, "%H:%M")
                .ok()
                .filter(|_| t.len() == 5)
        };
        match (parse(&interval.opens), parse(&interval.closes)) {
            (Some(opens), Some(closes)) if opens < closes => {}
            (Some(_), Some(_)) => errors.push(
                &["openingHours", &index, "closes"],
                UserErrorCode::Invalid,
                "Die Schließzeit muss nach der Öffnungszeit liegen.",
            ),
            _ => errors.push(
                &["openingHours", &index],
                UserErrorCode::Invalid,
                "Zeiten im Format HH:MM angeben.",
            ),
        }
    }
}

#[derive(Default)]
pub struct WorkshopQuery;

#[Object]
impl WorkshopQuery {
    /// The caller's workshop (for users and API tokens alike).
    async fn workshop(&self, ctx: &Context<'_>) -> ApiResult<Workshop> {
        let tenant = ctx.principal().tenant(None)?;
        let mut conn = ctx.platform().conn().await?;
        Ok(Workshop(load(&mut conn, tenant).await?))
    }
}

#[derive(Default)]
pub struct WorkshopMutation;

#[Object]
impl WorkshopMutation {
    async fn update_workshop(
        &self,
        ctx: &Context<'_>,
        input: UpdateWorkshopInput,
    ) -> ApiResult<UpdateWorkshopPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut errors = UserErrors::default();
        let mut changes = WorkshopChanges::default();

        if let Some(name) = input.name {
            changes.name = validate::workshop_name(&mut errors, &["name"], &name);
        }
        changes.locale = input.locale.map(|l| l.as_str().to_owned());
        if let Some(zone) = input.time_zone {
            if !TIME_ZONES.contains(&zone.as_str()) {
                errors.push(
                    &["timeZone"],
                    UserErrorCode::Invalid,
                    format!("Unterstützt: {}.", TIME_ZONES.join(", ")),
                );
            }
            changes.time_zone = Some(zone);
        }
        changes.phone = optional_text(
            &mut errors,
            "phone",
            input.phone,
            30,
            validate::phone_problem,
        );
        changes.email = optional_text(
            &mut errors,
            "email",
            input.email,
            254,
            validate::email_problem,
        )
        .map(|e| e.map(|e| e.to_lowercase()));
        changes.website = optional_text(
            &mut errors,
            "website",
            input.website,
            200,
            validate::website_problem,
        );
        changes.street = optional_text(&mut errors, "street", input.street, 200, |_| None);
        changes.postal_code =
            optional_text(&mut errors, "postalCode", input.postal_code, 10, |t| {
                (!t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'))
                .then_some("Ungültige Postleitzahl.")
            });
        changes.city = optional_text(&mut errors, "city", input.city, 100, |_| None);
        if let Some(country) = input.country {
            let country = country.trim().to_uppercase();
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                errors.push(
                    &["country"],
                    UserErrorCode::Invalid,
                    "Ländercode nach ISO 3166-1, z. B. DE.",
                );
            }
            changes.country = Some(country);
        }
        changes.brand_color = optional_text(&mut errors, "brandColor", input.brand_color, 7, |t| {
            let hex = t.strip_prefix('#').unwrap_or("");
            (hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()))
                .then_some("Farbe im Format #RRGGBB.")
        });
        changes.legal_name =
            optional_text(&mut errors, "legalName", input.legal_name, 200, |_| None);
        changes.managing_director = optional_text(
            &mut errors,
            "managingDirector",
            input.managing_director,
            200,
            |_| None,
        );
        changes.commercial_register = optional_text(
            &mut errors,
            "commercialRegister",
            input.commercial_register,
            200,
            |_| None,
        );
        changes.vat_id = optional_text(&mut errors, "vatId", input.vat_id, 20, |t| {
            let t = t.replace(' ', "");
            let (country, rest) = t.split_at(t.len().min(2));
            (!(country.chars().all(|c| c.is_ascii_uppercase())
                && country.len() == 2
                && (2..=13).contains(&rest.len())
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
                && (country != "DE"
                    || (rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit())))))
            .then_some("USt-IdNr. im Format DE123456789.")
        });
        if let Some(minutes) = input.lead_reminder_minutes {
            if !(5..=10_080).contains(&minutes) {
                errors.push(
                    &["leadReminderMinutes"],
                    UserErrorCode::OutOfRange,
                    "Zwischen 5 Minuten und einer Woche (10080).",
                );
            }
            changes.lead_reminder_minutes = Some(minutes);
        }
        if let Some(hours) = input.opening_hours {
            check_opening_hours(&mut errors, &hours);
            changes.opening_hours = Some(serde_json::to_value(&hours).unwrap_or_default());
        }
        if !errors.is_empty() {
            return Ok(UpdateWorkshopPayload {
                workshop: None,
                user_errors: errors.into_vec(),
            });
        }

        changes.updated_at = Some(Utc::now());
        let platform = ctx.platform();
        let mut conn = platform.conn().await?;
        let row = diesel::update(workshops::table.find(tenant.workshop_id()))
            .set(&changes)
            .returning(WorkshopRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(UpdateWorkshopPayload {
            workshop: Some(Workshop(row)),
            user_errors: vec![],
        })
    }
}
