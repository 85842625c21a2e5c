//! Webhooks for integrators (Enterprise): endpoints that receive the workshop's events as
//! Standard Webhooks, signed with the endpoint's `whsec_…` secret, with a delivery log and
//! redelivery. Owners manage them, and API tokens with `WEBHOOKS_MANAGE`.
//!
//! A delivery is queued by the statement that stores its event (`crate::events`), so it exists
//! exactly when the change committed; the [`worker`] sends it. Bodies are
//! `{type, timestamp, data}` with the GraphQL ids of what happened and no personal data, the
//! same message `events(after:)` lists.

pub mod replay;
pub mod signing;
pub mod target;
pub mod worker;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{ApiScope, Tenant};
use crate::context::Ctx;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::events::PUBLIC_TYPES;
use crate::ids::{self, NodeType};
use crate::pagination::{Page, PageInfo, edges};
use crate::plans::{Entitlements, Feature};
use target::Targets;

/// The public event types an endpoint can ask for (`Event::public_type`).
pub const EVENT_TYPES: [&str; PUBLIC_TYPES.len()] = {
    let mut types = [""; PUBLIC_TYPES.len()];
    let mut i = 0;
    while i < types.len() {
        types[i] = PUBLIC_TYPES[i].1;
        i += 1;
    }
    types
};
/// The type of `sendTestWebhook`'s message.
pub const TEST_TYPE: &str = "webhook.test";
pub const MAX_ENDPOINTS: i64 = 20;
const MAX_DESCRIPTION: usize = 200;
/// How long the old secret still signs after `rotateWebhookSecret`.
pub const ROLL: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// What the webhook mutations check URLs against (the worker gets the same targets).
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookSetup {
    pub targets: Targets,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct EndpointRow {
    id: Uuid,
    url: String,
    description: String,
    event_types: Vec<String>,
    active: bool,
    disabled_reason: Option<String>,
    previous_secret_expires_at: Option<DateTime<Utc>>,
    failing_since: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Why the platform switched an endpoint off.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookDisabledReason {
    /// The receiver answered 410 Gone.
    Gone,
    /// Every delivery failed for five days.
    Failing,
}

pub struct WebhookEndpoint(EndpointRow);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The public event types it receives (`lead.created`, …).
    async fn event_types(&self) -> &[String] {
        &self.0.event_types
    }
    /// Whether events are sent to it. While it is off no new deliveries are queued (those
    /// queued before wait and go out when it is on again).
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Set when the platform switched it off; `null` when active or switched off by the owner.
    async fn disabled_reason(&self) -> Option<WebhookDisabledReason> {
        match self.0.disabled_reason.as_deref() {
            Some("GONE") => Some(WebhookDisabledReason::Gone),
            Some("FAILING") => Some(WebhookDisabledReason::Failing),
            _ => None,
        }
    }
    /// Since the first failed delivery after the last successful one; after five days the
    /// endpoint is switched off.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    /// Until when the previous secret still signs, after a rotation.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .previous_secret_expires_at
            .filter(|t| *t > Utc::now())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Given up: ten attempts failed, or the receiver answered 410 Gone.
    Failed,
}

impl WebhookDeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
        }
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Option<i64>,
    message_id: String,
    event_type: String,
    body: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    response_status: Option<i32>,
    response_body: Option<String>,
    duration_ms: Option<i32>,
    last_error: Option<String>,
    redelivery_of: Option<Uuid>,
    created_at: DateTime<Utc>,
}

/// One message to one endpoint, with its last attempt.
pub struct WebhookDelivery(DeliveryRow);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookDelivery, self.0.id)
    }
    async fn endpoint_id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.endpoint_id)
    }
    /// The `webhook-id` header: `msg_<event id>` (the same in every attempt and
    /// redelivery, so receivers can drop repeats).
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// The event's id (`ReplayedEvent.id` in `events`); `null` for a test message.
    async fn event_id(&self) -> Option<String> {
        self.0.event_id.map(|id| id.to_string())
    }
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The JSON body as sent: `{type, timestamp, data}`.
    async fn payload(&self) -> &str {
        &self.0.body
    }
    async fn status(&self) -> WebhookDeliveryStatus {
        match self.0.status.as_str() {
            "SUCCEEDED" => WebhookDeliveryStatus::Succeeded,
            "FAILED" => WebhookDeliveryStatus::Failed,
            _ => WebhookDeliveryStatus::Pending,
        }
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due; `null` once it succeeded or was given up.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == "PENDING").then_some(self.0.next_attempt_at)
    }
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
    /// The HTTP status of the last attempt; `null` when there was no answer.
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }
    /// The first 1,000 characters of the last answer.
    async fn response_body(&self) -> Option<&str> {
        self.0.response_body.as_deref()
    }
    async fn duration_ms(&self) -> Option<i32> {
        self.0.duration_ms
    }
    /// Why the last attempt got no answer (refused address, timeout, connection error).
    async fn error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The delivery this one repeats (`redeliverWebhook`).
    async fn redelivery_of(&self) -> Option<ID> {
        self.0
            .redelivery_of
            .map(|id| ids::encode(NodeType::WebhookDelivery, id))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryEdge {
    pub cursor: String,
    pub node: WebhookDelivery,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    pub edges: Vec<WebhookDeliveryEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// Who may manage webhooks: an owner or a token with `WEBHOOKS_MANAGE`.
fn manager(ctx: &Context<'_>) -> ApiResult<Tenant> {
    ctx.principal().writer(ApiScope::WebhooksManage)
}

async fn require_plan(conn: &mut AsyncPgConnection, tenant: Tenant) -> ApiResult<()> {
    Entitlements::load(conn, tenant)
        .await?
        .require(Feature::Webhooks)
}

async fn load_endpoints(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Option<Uuid>,
) -> ApiResult<Vec<EndpointRow>> {
    let mut query = tenant
        .webhook_endpoints()
        .select(EndpointRow::as_select())
        .order((webhook_endpoints::created_at, webhook_endpoints::id))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(webhook_endpoints::id.eq(id));
    }
    Ok(query.load(conn).await?)
}

async fn load_delivery(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Uuid,
) -> ApiResult<Option<DeliveryRow>> {
    Ok(tenant
        .webhook_deliveries()
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workshop's webhook endpoints, oldest first.
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebhookEndpoint>> {
        let tenant = manager(ctx)?;
        let mut conn = ctx.platform().conn().await?;
        Ok(load_endpoints(&mut conn, tenant, None)
            .await?
            .into_iter()
            .map(WebhookEndpoint)
            .collect())
    }

    /// The event types an endpoint can receive.
    async fn webhook_event_types(&self) -> Vec<&'static str> {
        EVENT_TYPES.to_vec()
    }

    /// An endpoint's deliveries, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        first: Option<i32>,
        after: Option<String>,
        status: Option<WebhookDeliveryStatus>,
    ) -> ApiResult<WebhookDeliveryConnection> {
        let tenant = manager(ctx)?;
        let page = Page::new(first, after)?;
        let endpoint = ids::decode(NodeType::WebhookEndpoint, &endpoint_id).ok_or_else(|| {
            ApiError::BadRequest("`endpointId` is not a webhook endpoint id.".into())
        })?;
        let mut conn = ctx.platform().conn().await?;
        let of_endpoint = || {
            let mut query = tenant
                .webhook_deliveries()
                .filter(webhook_deliveries::endpoint_id.eq(endpoint))
                .into_boxed();
            if let Some(status) = status {
                query = query.filter(webhook_deliveries::status.eq(status.as_str()));
            }
            query
        };
        let mut query = of_endpoint()
            .select(DeliveryRow::as_select())
            .order((
                webhook_deliveries::created_at.desc(),
                webhook_deliveries::id.desc(),
            ))
            .limit(page.limit());
        if let Some((at, id)) = page.after {
            query = query.filter(
                webhook_deliveries::created_at
                    .lt(at)
                    .or(webhook_deliveries::created_at
                        .eq(at)
                        .and(webhook_deliveries::id.lt(id))),
            );
        }
        let rows = query.load(&mut conn).await?;
        let total_count = of_endpoint().count().get_result(&mut conn).await?;
        let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
        Ok(WebhookDeliveryConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| WebhookDeliveryEdge {
                    cursor,
                    node: WebhookDelivery(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }
}

#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    pub url: String,
    /// Public event types (`webhookEventTypes`), at least one.
    pub event_types: Vec<String>,
    #[graphql(default)]
    pub description: String,
}

/// Absent fields stay.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub id: ID,
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// Switching an endpoint on again sends what was queued before it went off; events of
    /// the time it was off are not queued.
    pub active: Option<bool>,
}

#[derive(InputObject)]
pub struct WebhookEndpointIdInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    pub delivery_id: ID,
}

/// `createWebhookEndpoint` and `rotateWebhookSecret`: the secret is shown here only.
#[derive(SimpleObject, Default)]
pub struct WebhookSecretPayload {
    pub endpoint: Option<WebhookEndpoint>,
    /// `whsec_…`: verify signatures with it; it is not shown again.
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct WebhookEndpointPayload {
    pub endpoint: Option<WebhookEndpoint>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct DeleteWebhookEndpointPayload {
    pub deleted_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Default)]
pub struct WebhookDeliveryPayload {
    pub delivery: Option<WebhookDelivery>,
    pub user_errors: Vec<UserError>,
}

/// `message` names what does not exist ("Diesen Webhook-Endpunkt gibt es nicht.").
fn not_found(field: &str, message: &'static str) -> Vec<UserError> {
    vec![UserError::new(&[field], UserErrorCode::NotFound, message)]
}

/// A payload that carries only why nothing happened.
trait Refused: Default {
    fn refused(user_errors: Vec<UserError>) -> Self;
}

macro_rules! refused {
    ($($payload:ty),*) => {
        $(impl Refused for $payload {
            fn refused(user_errors: Vec<UserError>) -> Self {
                Self {
                    user_errors,
                    ..Default::default()
                }
            }
        })*
    };
}

refused!(
    WebhookSecretPayload,
    WebhookEndpointPayload,
    DeleteWebhookEndpointPayload,
    WebhookDeliveryPayload
);

/// The payload that says the endpoint does not exist (or is another workshop's).
fn no_endpoint<P: Refused>() -> P {
    P::refused(not_found("id", "Diesen Webhook-Endpunkt gibt es nicht."))
}

/// The endpoint an input names: its id, or the refusal to answer with.
fn endpoint_id<P: Refused>(id: &ID) -> Result<Uuid, P> {
    ids::decode(NodeType::WebhookEndpoint, id).ok_or_else(no_endpoint)
}

async fn endpoint(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Uuid,
) -> ApiResult<Option<WebhookEndpoint>> {
    Ok(load_endpoints(conn, tenant, Some(id))
        .await?
        .pop()
        .map(WebhookEndpoint))
}

fn check_event_types(errors: &mut UserErrors, types: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    for t in types {
        let t = t.trim();
        if !EVENT_TYPES.contains(&t) {
            errors.push(
                &["eventTypes"],
                UserErrorCode::Invalid,
                format!(
                    "Unbekannter Ereignistyp „{t}“; möglich sind {}.",
                    EVENT_TYPES.join(", ")
                ),
            );
        } else if !wanted.iter().any(|w| w == t) {
            wanted.push(t.to_owned());
        }
    }
    if types.is_empty() {
        errors.push(
            &["eventTypes"],
            UserErrorCode::Required,
            "Mindestens ein Ereignistyp.",
        );
    }
    wanted
}

fn check_description(errors: &mut UserErrors, description: &str) -> String {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        errors.push(
            &["description"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_DESCRIPTION} Zeichen."),
        );
    }
    description.to_owned()
}

async fn check_url(errors: &mut UserErrors, setup: &WebhookSetup, url: &str) -> String {
    match setup.targets.check(url).await {
        Ok(url) => url.to_string(),
        Err(refused) => {
            errors.push(&["url"], UserErrorCode::Invalid, refused.0);
            String::new()
        }
    }
}

/// Queues a delivery of `body` to `endpoint`, due now, and wakes the worker.
async fn queue(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    delivery: NewDelivery<'_>,
) -> ApiResult<DeliveryRow> {
    let row = diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(Uuid::now_v7()),
            webhook_deliveries::workshop_id.eq(tenant.workshop_id()),
            webhook_deliveries::endpoint_id.eq(delivery.endpoint_id),
            webhook_deliveries::event_id.eq(delivery.event_id),
            webhook_deliveries::message_id.eq(delivery.message_id),
            webhook_deliveries::event_type.eq(delivery.event_type),
            webhook_deliveries::body.eq(delivery.body),
            webhook_deliveries::redelivery_of.eq(delivery.redelivery_of),
        ))
        .returning(DeliveryRow::as_returning())
        .get_result(conn)
        .await?;
    crate::events::deliveries_queued().notify_one();
    Ok(row)
}

struct NewDelivery<'a> {
    endpoint_id: Uuid,
    event_id: Option<i64>,
    message_id: &'a str,
    event_type: &'a str,
    body: &'a str,
    redelivery_of: Option<Uuid>,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// A new endpoint, active at once; its secret is in the answer and never shown again.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> ApiResult<WebhookSecretPayload> {
        let tenant = manager(ctx)?;
        let setup = ctx.data_unchecked::<WebhookSetup>();
        let mut errors = UserErrors::default();
        let event_types = check_event_types(&mut errors, &input.event_types);
        let description = check_description(&mut errors, &input.description);
        let url = check_url(&mut errors, setup, &input.url).await;
        if !errors.is_empty() {
            return Ok(WebhookSecretPayload::refused(errors.into_vec()));
        }
        let mut conn = ctx.platform().conn().await?;
        require_plan(&mut conn, tenant).await?;
        let count: i64 = tenant
            .webhook_endpoints()
            .count()
            .get_result(&mut conn)
            .await?;
        if count >= MAX_ENDPOINTS {
            return Ok(WebhookSecretPayload::refused(vec![UserError::new(
                &["url"],
                UserErrorCode::OutOfRange,
                format!("Höchstens {MAX_ENDPOINTS} Endpunkte je Werkstatt."),
            )]));
        }
        let secret = signing::new_secret();
        let id = Uuid::now_v7();
        diesel::insert_into(webhook_endpoints::table)
            .values((
                webhook_endpoints::id.eq(id),
                webhook_endpoints::workshop_id.eq(tenant.workshop_id()),
                webhook_endpoints::url.eq(&url),
                webhook_endpoints::description.eq(&description),
                webhook_endpoints::event_types.eq(&event_types),
                webhook_endpoints::secret.eq(&secret),
            ))
            .execute(&mut conn)
            .await?;
        Ok(WebhookSecretPayload {
            endpoint: endpoint(&mut conn, tenant, id).await?,
            secret: Some(secret),
            user_errors: vec![],
        })
    }

    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> ApiResult<WebhookEndpointPayload> {
        let tenant = manager(ctx)?;
        let setup = ctx.data_unchecked::<WebhookSetup>();
        let id = match endpoint_id(&input.id) {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        let mut errors = UserErrors::default();
        let event_types = input
            .event_types
            .map(|t| check_event_types(&mut errors, &t));
        let description = input
            .description
            .map(|d| check_description(&mut errors, &d));
        let url = match input.url {
            Some(url) => Some(check_url(&mut errors, setup, &url).await),
            None => None,
        };
        if !errors.is_empty() {
            return Ok(WebhookEndpointPayload::refused(errors.into_vec()));
        }
        let mut conn = ctx.platform().conn().await?;
        require_plan(&mut conn, tenant).await?;
        let updated = diesel::update(
            tenant
                .webhook_endpoints()
                .filter(webhook_endpoints::id.eq(id)),
        )
        .set((
            url.map(|u| webhook_endpoints::url.eq(u)),
            event_types.map(|t| webhook_endpoints::event_types.eq(t)),
            description.map(|d| webhook_endpoints::description.eq(d)),
            input.active.map(|a| webhook_endpoints::active.eq(a)),
            // Whoever switches it on or off decides now; the platform's reason is history.
            input
                .active
                .map(|_| webhook_endpoints::disabled_reason.eq(None::<String>)),
            input
                .active
                .filter(|a| *a)
                .map(|_| webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>)),
            webhook_endpoints::updated_at.eq(Utc::now()),
        ))
        .execute(&mut conn)
        .await?;
        if updated == 0 {
            return Ok(no_endpoint());
        }
        if input.active == Some(true) {
            crate::events::deliveries_queued().notify_one();
        }
        Ok(WebhookEndpointPayload {
            endpoint: endpoint(&mut conn, tenant, id).await?,
            user_errors: vec![],
        })
    }

    /// A new secret; the previous one signs too for 24 hours, so receivers can switch over.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> ApiResult<WebhookSecretPayload> {
        let tenant = manager(ctx)?;
        let id = match endpoint_id(&input.id) {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        let mut conn = ctx.platform().conn().await?;
        require_plan(&mut conn, tenant).await?;
        let secret = signing::new_secret();
        let now = Utc::now();
        let updated = diesel::update(
            tenant
                .webhook_endpoints()
                .filter(webhook_endpoints::id.eq(id)),
        )
        .set((
            webhook_endpoints::previous_secret.eq(webhook_endpoints::secret.nullable()),
            webhook_endpoints::previous_secret_expires_at.eq(now + ROLL),
            webhook_endpoints::secret.eq(&secret),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .await?;
        if updated == 0 {
            return Ok(no_endpoint());
        }
        Ok(WebhookSecretPayload {
            endpoint: endpoint(&mut conn, tenant, id).await?,
            secret: Some(secret),
            user_errors: vec![],
        })
    }

    /// Deletes the endpoint with its delivery log; nothing more is sent to it.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> ApiResult<DeleteWebhookEndpointPayload> {
        let tenant = manager(ctx)?;
        let id = match endpoint_id(&input.id) {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        let mut conn = ctx.platform().conn().await?;
        let deleted = diesel::delete(
            tenant
                .webhook_endpoints()
                .filter(webhook_endpoints::id.eq(id)),
        )
        .execute(&mut conn)
        .await?;
        Ok(if deleted == 0 {
            no_endpoint()
        } else {
            DeleteWebhookEndpointPayload {
                deleted_id: Some(input.id),
                user_errors: vec![],
            }
        })
    }

    /// Sends a `webhook.test` message to the endpoint now (also when it is switched off, so
    /// that a repaired receiver can be tried before switching it on).
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> ApiResult<WebhookDeliveryPayload> {
        let tenant = manager(ctx)?;
        let id = match endpoint_id(&input.id) {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        let mut conn = ctx.platform().conn().await?;
        require_plan(&mut conn, tenant).await?;
        if endpoint(&mut conn, tenant, id).await?.is_none() {
            return Ok(no_endpoint());
        }
        let message_id = format!("msg_test_{}", Uuid::now_v7().simple());
        let body = json!({
            "type": TEST_TYPE,
            "timestamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "data": { "endpointId": input.id.0 },
        })
        .to_string();
        let row = queue(
            &mut conn,
            tenant,
            NewDelivery {
                endpoint_id: id,
                event_id: None,
                message_id: &message_id,
                event_type: TEST_TYPE,
                body: &body,
                redelivery_of: None,
            },
        )
        .await?;
        Ok(WebhookDeliveryPayload {
            delivery: Some(WebhookDelivery(row)),
            user_errors: vec![],
        })
    }

    /// Sends a delivery again, as a new delivery with the same `webhook-id` and body.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        input: RedeliverWebhookInput,
    ) -> ApiResult<WebhookDeliveryPayload> {
        let tenant = manager(ctx)?;
        let not_found = || {
            WebhookDeliveryPayload::refused(not_found(
                "deliveryId",
                "Diesen Webhook-Versand gibt es nicht.",
            ))
        };
        let Some(id) = ids::decode(NodeType::WebhookDelivery, &input.delivery_id) else {
            return Ok(not_found());
        };
        let mut conn = ctx.platform().conn().await?;
        require_plan(&mut conn, tenant).await?;
        let Some(original) = load_delivery(&mut conn, tenant, id).await? else {
            return Ok(not_found());
        };
        let row = queue(
            &mut conn,
            tenant,
            NewDelivery {
                endpoint_id: original.endpoint_id,
                event_id: original.event_id,
                message_id: &original.message_id,
                event_type: &original.event_type,
                body: &original.body,
                redelivery_of: Some(original.id),
            },
        )
        .await?;
        Ok(WebhookDeliveryPayload {
            delivery: Some(WebhookDelivery(row)),
            user_errors: vec![],
        })
    }
}
