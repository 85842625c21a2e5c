//! Query-cost budgets, after Shopify's: an operation's cost is its complexity (the model of
//! the complexity limit: a field costs 1, a connection `first` × its selection, `nodes` the
//! number of ids × its selection), known after validation and before any resolver runs. The
//! cost is taken from leaky buckets — one per API token (the plan's `apiCostBudget`), one for
//! all API tokens of a workshop together (twice that), one per console user and workshop
//! ([`CONSOLE`]) and one for a workshop's users together ([`TEAM`]) — in Redis when it is
//! configured, so that every process draws from the same
//! budget. An operation that does not fit is refused with `RATE_LIMITED` and `Retry-After`
//! before it runs. After it ran, the difference between the requested cost and the actual one
//! (the same count over what the response holds) is given back.
//!
//! Every response to an API token or a signed-in user reports `extensions.cost
//! { requestedQueryCost actualQueryCost throttleStatus { maximumAvailable currentlyAvailable
//! restoreRate } }`, `throttleStatus` being the bucket that holds least. Widget visitors and
//! anonymous callers draw from no bucket (they run only trusted documents and keep their own
//! per-action limits) and get no report. A subscription is charged when it starts.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest, NextValidation,
};
use async_graphql::{Response, ServerError, SimpleObject, ValidationResult, Value};
use serde_json::json;
use uuid::Uuid;

use crate::context::Platform;
use crate::error::ErrorCode;
use crate::limits::{Bucket, BucketSize, Draw};
use crate::principal::Principal;

/// The budget of each signed-in user in each workshop (console and GraphiQL): generous, so that
/// owners never meet it in ordinary work, and apart from the integrators' buckets, so that an
/// integrator using up the workshop's budget does not lock its owner out.
pub const CONSOLE: BucketSize = BucketSize {
    maximum: 100_000,
    restore_per_second: 5_000,
};

/// An API token's buckets: its own, of the plan's `size`, and its workshop's (all tokens).
pub fn token_buckets(token_id: Uuid, workshop_id: Uuid, size: BucketSize) -> Vec<Bucket> {
    vec![
        Bucket {
            key: format!("cost:token:{token_id}"),
            size,
        },
        Bucket {
            key: format!("cost:workshop:{workshop_id}"),
            size: BucketSize {
                maximum: size.maximum * 2,
                restore_per_second: size.restore_per_second * 2,
            },
        },
    ]
}

/// The ceiling of all signed-in users of one workshop together (its team in the console).
pub const TEAM: BucketSize = BucketSize {
    maximum: 300_000,
    restore_per_second: 15_000,
};

/// The buckets an operation of `principal` draws from, the narrowest first.
pub fn buckets(principal: &Principal) -> Vec<Bucket> {
    match principal {
        Principal::ApiToken {
            token_id,
            workshop_id,
            cost_budget: Some(size),
            ..
        } => token_buckets(*token_id, *workshop_id, *size),
        Principal::User {
            user_id,
            workshop_id,
            ..
        } => vec![
            Bucket {
                key: format!("cost:user:{user_id}:{workshop_id}"),
                size: CONSOLE,
            },
            Bucket {
                key: format!("cost:team:{workshop_id}"),
                size: TEAM,
            },
        ],
        Principal::ApiToken { .. } | Principal::Visitor(_) | Principal::Anonymous => Vec::new(),
    }
}

/// Where a caller's budget stands: the bucket that holds least of those it draws from.
#[derive(SimpleObject, serde::Serialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Points the bucket holds when full.
    pub maximum_available: u32,
    /// Points it holds now.
    pub currently_available: u32,
    /// Points restored per second.
    pub restore_rate: u32,
}

/// The status of `buckets` at `levels` (as a draw answered them); `None` without buckets.
pub fn throttle_status(buckets: &[Bucket], levels: &[f64]) -> Option<ThrottleStatus> {
    buckets
        .iter()
        .zip(levels)
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(bucket, level)| ThrottleStatus {
            maximum_available: bucket.size.maximum,
            currently_available: level.max(0.0).floor() as u32,
            restore_rate: bucket.size.restore_per_second,
        })
}

/// The cost of what a response holds: every field once per object that holds it.
pub fn response_cost(value: &Value) -> u64 {
    match value {
        Value::Object(fields) => fields.values().map(|v| 1 + response_cost(v)).sum(),
        Value::List(items) => items.iter().map(response_cost).sum(),
        _ => 0,
    }
}

/// In a subscription request's data: learns the subscription's cost once it is validated and
/// charged, so that sockets that share the running subscription (`api/src/multiplex.rs`) are
/// charged the same when they join.
#[derive(Clone)]
pub struct SubscriptionCost(pub tokio::sync::watch::Sender<Option<u64>>);

/// Charges `cost` to the principal's buckets as the start of a subscription does; the refusal
/// (`RATE_LIMITED` with `retryAfter`) when they hold too little.
pub async fn charge(
    limiter: &dyn crate::limits::RateLimiter,
    principal: &Principal,
    cost: u64,
) -> Option<ServerError> {
    let buckets = buckets(principal);
    if buckets.is_empty() {
        return None;
    }
    draw(limiter, &buckets, cost).await.1
}

/// Draws `cost` from `buckets`: their levels, and the refusal when one holds too little.
async fn draw(
    limiter: &dyn crate::limits::RateLimiter,
    buckets: &[Bucket],
    cost: u64,
) -> (Vec<f64>, Option<ServerError>) {
    let Draw { levels, refused } = limiter.draw(buckets, cost as i64).await;
    let refusal = refused.and_then(|retry| {
        let (bucket, level) = buckets
            .iter()
            .zip(&levels)
            .find(|(_, level)| (cost as f64) > **level)?;
        Some(refusal(cost, bucket, *level, retry.secs()))
    });
    (levels, refusal)
}

/// Registers the budget check with the schema.
pub struct CostBudgets;

impl ExtensionFactory for CostBudgets {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostCheck::default())
    }
}

/// One request's account: what it reserved and from which buckets.
#[derive(Default)]
struct CostCheck(Mutex<Option<Account>>);

struct Account {
    requested: u64,
    actual: Option<u64>,
    buckets: Vec<Bucket>,
    levels: Vec<f64>,
}

impl Account {
    fn report(&self) -> Value {
        Value::from_json(json!({
            "requestedQueryCost": self.requested,
            "actualQueryCost": self.actual.unwrap_or(0),
            "throttleStatus": throttle_status(&self.buckets, &self.levels),
        }))
        .unwrap_or_default()
    }
}

impl CostCheck {
    fn account(&self) -> std::sync::MutexGuard<'_, Option<Account>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn refusal(requested: u64, bucket: &Bucket, level: f64, retry_after_secs: u64) -> ServerError {
    let mut error = ErrorCode::RateLimited.request_error(format!(
        "This operation costs {requested} points; the budget holds {} of {} and restores {} per \
         second: retry in {retry_after_secs} s.",
        level.max(0.0).floor(),
        bucket.size.maximum,
        bucket.size.restore_per_second
    ));
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("retryAfter", retry_after_secs);
    }
    error
}

#[async_trait::async_trait]
impl Extension for CostCheck {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        if let Some(account) = self.account().as_ref() {
            response
                .extensions
                .entry("cost".to_owned())
                .or_insert_with(|| account.report());
        }
        response
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let requested = result.complexity as u64;
        let buckets = ctx.data_opt::<Principal>().map(buckets).unwrap_or_default();
        let Some(platform) = ctx.data_opt::<Platform>().filter(|_| !buckets.is_empty()) else {
            return Ok(result);
        };
        let (levels, refusal) = draw(platform.limiter.as_ref(), &buckets, requested).await;
        *self.account() = Some(Account {
            requested,
            actual: None,
            buckets,
            levels,
        });
        match refusal {
            Some(error) => Err(vec![error]),
            None => {
                if let Some(cost) = ctx.data_opt::<SubscriptionCost>() {
                    cost.0.send_replace(Some(requested));
                }
                Ok(result)
            }
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let taken = self
            .account()
            .as_ref()
            .map(|a| (a.requested, a.buckets.clone()));
        if let Some((requested, buckets)) = taken {
            let actual = response_cost(&response.data).min(requested);
            let unused = requested - actual;
            let levels = match ctx.data_opt::<Platform>() {
                Some(platform) if unused > 0 => Some(
                    platform
                        .limiter
                        .draw(&buckets, -(unused as i64))
                        .await
                        .levels,
                ),
                _ => None,
            };
            if let Some(account) = self.account().as_mut() {
                account.actual = Some(actual);
                if let Some(levels) = levels {
                    account.levels = levels;
                }
                response
                    .extensions
                    .insert("cost".to_owned(), account.report());
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_draw_from_their_own_and_their_teams_bucket_tokens_from_theirs_and_the_workshops() {
        let (user, workshop, token) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let owner = Principal::User {
            user_id: user,
            workshop_id: workshop,
            session_id: Uuid::new_v4(),
            role: crate::principal::Role::Owner,
            locale: crate::locale::Locale::De,
        };
        let keys: Vec<String> = buckets(&owner).into_iter().map(|b| b.key).collect();
        assert_eq!(
            keys,
            [
                format!("cost:user:{user}:{workshop}"),
                format!("cost:team:{workshop}")
            ]
        );
        let size = BucketSize {
            maximum: 10,
            restore_per_second: 1,
        };
        let integrator = Principal::ApiToken {
            token_id: token,
            workshop_id: workshop,
            scopes: Vec::new(),
            cost_budget: Some(size),
            expires_at: None,
        };
        let sizes: Vec<(String, u32)> = buckets(&integrator)
            .into_iter()
            .map(|b| (b.key, b.size.maximum))
            .collect();
        assert_eq!(
            sizes,
            [
                (format!("cost:token:{token}"), 10),
                (format!("cost:workshop:{workshop}"), 20)
            ]
        );
        assert!(buckets(&Principal::Anonymous).is_empty());
    }

    #[test]
    fn a_response_costs_its_fields_once_per_object() {
        let data = Value::from_json(json!({
            "leads": { "totalCount": 2, "edges": [
                { "node": { "id": "a", "name": "x" } },
                { "node": { "id": "b", "name": null } },
            ] }
        }))
        .expect("json");
        // leads, totalCount, edges, and per edge: node, id, name.
        assert_eq!(response_cost(&data), 3 + 2 * 3);
        assert_eq!(response_cost(&Value::Null), 0);
    }
}
