//! Plans, what they allow, and the one place that answers "may this workshop do X / how many
//! of Y are left". What the workshop paid is kept by `billing`, which writes the three columns
//! this module reads (`plan_code`, `billing_status`, `access_until`, next to `trial_ends_at`).

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::workshops;
use crate::error::{ApiError, ApiResult};
use crate::limits::BucketSize;
use crate::money::Money;
use crate::principal::Tenant;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanCode {
    Basic,
    Premium,
    Enterprise,
}

impl PlanCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "BASIC",
            Self::Premium => "PREMIUM",
            Self::Enterprise => "ENTERPRISE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Basic, Self::Premium, Self::Enterprise]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// What a plan allows; `null` counts mean unlimited.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    pub client_keys: Option<i32>,
    pub leads_per_month: Option<i32>,
    pub ai_chat: bool,
    pub csv_exports: bool,
    pub advanced_analytics: bool,
    pub branding: bool,
    pub api_access: bool,
    pub multi_location: bool,
    /// Webhook endpoints for integrators.
    pub webhooks: bool,
    /// The query-cost budget of each API token (`extensions.cost`); the workshop's tokens
    /// together get twice this. `null` without API access.
    pub api_cost_budget: Option<BucketSize>,
}

/// A plan of the public price list (monthly, VAT included).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Plan {
    pub code: PlanCode,
    pub name: &'static str,
    pub price: Money,
    pub limits: PlanLimits,
}

pub const PLANS: [Plan; 3] = [
    Plan {
        code: PlanCode::Basic,
        name: "Basic",
        price: Money {
            amount_cents: 4_900,
            currency: "EUR",
        },
        limits: PlanLimits {
            client_keys: Some(3),
            leads_per_month: Some(100),
            ai_chat: true,
            csv_exports: false,
            advanced_analytics: false,
            branding: false,
            api_access: false,
            multi_location: false,
            webhooks: false,
            api_cost_budget: None,
        },
    },
    Plan {
        code: PlanCode::Premium,
        name: "Premium",
        price: Money {
            amount_cents: 9_900,
            currency: "EUR",
        },
        limits: PlanLimits {
            client_keys: Some(10),
            leads_per_month: None,
            ai_chat: true,
            csv_exports: true,
            advanced_analytics: true,
            branding: true,
            api_access: false,
            multi_location: false,
            webhooks: false,
            api_cost_budget: None,
        },
    },
    Plan {
        code: PlanCode::Enterprise,
        name: "Enterprise",
        price: Money {
            amount_cents: 19_900,
            currency: "EUR",
        },
        limits: PlanLimits {
            client_keys: None,
            leads_per_month: None,
            ai_chat: true,
            csv_exports: true,
            advanced_analytics: true,
            branding: true,
            api_access: true,
            multi_location: true,
            webhooks: true,
            api_cost_budget: Some(BucketSize {
                maximum: 10_000,
                restore_per_second: 500,
            }),
        },
    },
];

pub fn plan(code: PlanCode) -> Plan {
    PLANS
        .into_iter()
        .find(|p| p.code == code)
        .unwrap_or(PLANS[0])
}

/// Where the workshop stands with its plan.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    /// The free 14-day Premium trial runs (or a trial of a Stripe subscription).
    Trialing,
    /// A paid subscription runs, or a plan the operator set (`carbot admin set-plan`).
    Active,
    /// A payment failed: the plan stays for a grace period of 7 days (`graceEndsAt`), then the
    /// workshop is `INACTIVE`.
    PastDue,
    /// The subscription ended; paid features are closed until the owner subscribes again.
    Canceled,
    /// Trial or grace period over: leads are still captured (none is ever lost), but the AI
    /// answers are off and paid features are closed until the owner subscribes.
    Inactive,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trialing => "TRIALING",
            Self::Active => "ACTIVE",
            Self::PastDue => "PAST_DUE",
            Self::Canceled => "CANCELED",
            Self::Inactive => "INACTIVE",
        }
    }

    pub fn parse(text: &str) -> Self {
        [Self::Trialing, Self::Active, Self::PastDue, Self::Canceled]
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(Self::Inactive)
    }

    /// The status now, from the stored one and the end of what it grants: a trial ends at
    /// `trial_ends_at` (or `access_until` for a Stripe trial), a grace period and a plan the
    /// operator set `--until` a date end at `access_until`.
    pub fn effective(
        stored: &str,
        trial_ends_at: Option<DateTime<Utc>>,
        access_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        match Self::parse(stored) {
            Self::Trialing if access_until.or(trial_ends_at).is_some_and(|end| end > now) => {
                Self::Trialing
            }
            Self::Active if access_until.is_none_or(|end| end > now) => Self::Active,
            Self::PastDue if access_until.is_some_and(|end| end > now) => Self::PastDue,
            Self::Canceled => Self::Canceled,
            _ => Self::Inactive,
        }
    }

    /// Whether the plan's features are open.
    pub fn grants_plan(self) -> bool {
        matches!(self, Self::Trialing | Self::Active | Self::PastDue)
    }
}

/// Features a plan may include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    AiChat,
    CsvExport,
    ApiAccess,
    AdvancedAnalytics,
    Branding,
    MultiLocation,
    Webhooks,
}

/// Counted allowances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    ClientKeys,
    LeadsPerMonth,
}

/// The plan columns of a workshop, as billing last wrote them.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = workshops, check_for_backend(diesel::pg::Pg))]
pub struct StoredPlan {
    pub plan_code: String,
    pub billing_status: String,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub access_until: Option<DateTime<Utc>>,
}

impl StoredPlan {
    pub async fn load(conn: &mut AsyncPgConnection, tenant: Tenant) -> QueryResult<Self> {
        workshops::table
            .find(tenant.workshop_id())
            .select(Self::as_select())
            .first(conn)
            .await
    }

    pub fn entitlements(&self, now: DateTime<Utc>) -> Entitlements {
        Entitlements::new(
            &self.plan_code,
            &self.billing_status,
            self.trial_ends_at,
            self.access_until,
            now,
        )
    }
}

/// What a workshop may do right now.
#[derive(Debug, Clone, Copy)]
pub struct Entitlements {
    pub plan: Plan,
    pub status: PlanStatus,
}

impl Entitlements {
    pub fn new(
        plan_code: &str,
        billing_status: &str,
        trial_ends_at: Option<DateTime<Utc>>,
        access_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            plan: plan(PlanCode::parse(plan_code).unwrap_or(PlanCode::Basic)),
            status: PlanStatus::effective(billing_status, trial_ends_at, access_until, now),
        }
    }

    pub async fn load(conn: &mut AsyncPgConnection, tenant: Tenant) -> ApiResult<Self> {
        Ok(StoredPlan::load(conn, tenant)
            .await?
            .entitlements(Utc::now()))
    }

    pub fn allows(&self, feature: Feature) -> bool {
        let limits = self.plan.limits;
        self.status.grants_plan()
            && match feature {
                Feature::AiChat => limits.ai_chat,
                Feature::CsvExport => limits.csv_exports,
                Feature::ApiAccess => limits.api_access,
                Feature::AdvancedAnalytics => limits.advanced_analytics,
                Feature::Branding => limits.branding,
                Feature::MultiLocation => limits.multi_location,
                Feature::Webhooks => limits.webhooks,
            }
    }

    /// `Err(PLAN_LIMIT_REACHED)` with a message naming what to upgrade to.
    pub fn require(&self, feature: Feature) -> ApiResult<()> {
        if self.allows(feature) {
            return Ok(());
        }
        Err(ApiError::PlanLimitReached(if !self.status.grants_plan() {
            "Ihr Tarif ist nicht aktiv. Bitte wählen Sie einen Tarif, um diese Funktion zu nutzen."
                .into()
        } else {
            let needed = PLANS
                .iter()
                .find(|p| {
                    Self {
                        plan: **p,
                        status: PlanStatus::Active,
                    }
                    .allows(feature)
                })
                .map_or("Enterprise", |p| p.name);
            format!("Diese Funktion gehört zum Tarif {needed}. Bitte wechseln Sie den Tarif.")
        }))
    }

    /// How many more of `quota` may be used (`None`: unlimited); `used` is the current count.
    pub fn remaining(&self, quota: Quota, used: i64) -> Option<i64> {
        let limit = match quota {
            Quota::ClientKeys => self.plan.limits.client_keys,
            Quota::LeadsPerMonth => self.plan.limits.leads_per_month,
        };
        limit.map(|limit| (i64::from(limit) - used).max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_active_and_inactive_workshops() {
        let now = Utc::now();
        let days = chrono::Duration::days;
        let trial = Entitlements::new("PREMIUM", "TRIALING", Some(now + days(3)), None, now);
        assert_eq!(trial.status, PlanStatus::Trialing);
        assert!(trial.allows(Feature::CsvExport) && !trial.allows(Feature::ApiAccess));
        assert_eq!(trial.remaining(Quota::ClientKeys, 4), Some(6));
        assert_eq!(trial.remaining(Quota::LeadsPerMonth, 10_000), None);

        let lapsed = Entitlements::new("PREMIUM", "TRIALING", Some(now - days(1)), None, now);
        assert_eq!(lapsed.status, PlanStatus::Inactive);
        assert!(!lapsed.allows(Feature::AiChat) && lapsed.require(Feature::CsvExport).is_err());

        let basic = Entitlements::new("BASIC", "ACTIVE", None, None, now);
        assert!(basic.allows(Feature::AiChat) && !basic.allows(Feature::CsvExport));
        assert_eq!(basic.remaining(Quota::LeadsPerMonth, 100), Some(0));
        assert!(
            matches!(basic.require(Feature::CsvExport), Err(ApiError::PlanLimitReached(m)) if m.contains("Premium"))
        );
        assert!(
            Entitlements::new("ENTERPRISE", "ACTIVE", None, None, now).allows(Feature::ApiAccess)
        );
    }

    #[test]
    fn grace_periods_and_plans_set_until_a_date_end() {
        let now = Utc::now();
        let days = chrono::Duration::days;
        let status = |stored, until| PlanStatus::effective(stored, None, until, now);
        assert_eq!(status("PAST_DUE", Some(now + days(2))), PlanStatus::PastDue);
        assert_eq!(
            status("PAST_DUE", Some(now - days(1))),
            PlanStatus::Inactive
        );
        assert_eq!(status("ACTIVE", Some(now - days(1))), PlanStatus::Inactive);
        assert_eq!(status("ACTIVE", Some(now + days(1))), PlanStatus::Active);
        assert_eq!(status("CANCELED", None), PlanStatus::Canceled);
        assert_eq!(
            status("TRIALING", Some(now + days(1))),
            PlanStatus::Trialing
        );
        assert_eq!(status("garbage", None), PlanStatus::Inactive);
        let past_due = Entitlements::new("PREMIUM", "PAST_DUE", None, Some(now + days(5)), now);
        assert!(past_due.allows(Feature::CsvExport));
        let canceled = Entitlements::new("PREMIUM", "CANCELED", None, None, now);
        assert!(!canceled.allows(Feature::AiChat));
    }
}
