//! Client keys (`cb_pub_…`): what a workshop's website embeds to show the widget, limited to
//! the origins the owner allows.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use rand::RngCore;
use uuid::Uuid;

use crate::auth::{RequestOrigin, Tenant, origin_allowed};
use crate::context::Ctx;
use crate::db::Conn;
use crate::db::schema::client_keys;
use crate::error::{ApiError, ApiResult, UserError, UserErrorCode, UserErrors};
use crate::ids::{self, NodeType};
use crate::pagination::{Page, PageInfo, edges};
use crate::plans::{Entitlements, Quota};
use crate::principal::tenant_of_client_key;

pub const KEY_PREFIX: &str = "cb_pub_";
const MAX_LABEL: usize = 80;
const MAX_ORIGINS: usize = 20;

/// A key row with its usage, as listed.
#[derive(QueryableByName, Debug, Clone)]
pub struct ClientKeyRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Array<Text>)]
    pub allowed_origins: Vec<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub paused_by_plan: bool,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub conversations: i64,
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
    #[diesel(sql_type = BigInt)]
    pub leads: i64,
}

const KEYS_SQL: &str = "
SELECT k.id, k.key, k.label, k.allowed_origins, k.revoked_at, k.paused_by_plan, k.created_at,
       coalesce(u.conversations, 0) AS conversations, coalesce(u.messages, 0) AS messages,
       (SELECT count(*) FROM leads l WHERE l.client_key_id = k.id) AS leads
FROM client_keys k
LEFT JOIN LATERAL (
    SELECT count(*) AS conversations, sum(c.message_count)::bigint AS messages
    FROM conversations c WHERE c.client_key_id = k.id
) u ON true
WHERE k.workshop_id = $1 AND ($2::uuid[] IS NULL OR k.id = ANY($2))
  AND ($3::timestamptz IS NULL OR (k.created_at, k.id) < ($3, $4))
ORDER BY k.created_at DESC, k.id DESC
LIMIT $5";

pub async fn find(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    ids: &[Uuid],
) -> ApiResult<Vec<ClientKeyRow>> {
    query(conn, tenant, Some(ids), None, 1_000).await
}

async fn query(
    conn: &mut Conn<'_>,
    tenant: Tenant,
    ids: Option<&[Uuid]>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<ClientKeyRow>> {
    // Raw SQL: the usage counts come from a LATERAL join with aggregates.
    Ok(diesel::sql_query(KEYS_SQL)
        .bind::<SqlUuid, _>(tenant.workshop_id())
        .bind::<Nullable<Array<SqlUuid>>, _>(ids)
        .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
        .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}

/// A key for the widget on the workshop's website(s).
pub struct ClientKey(pub ClientKeyRow);

#[derive(SimpleObject)]
pub struct ClientKeyUsage {
    pub conversations: i64,
    pub messages: i64,
    pub leads: i64,
}

#[Object]
impl ClientKey {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ClientKey, self.0.id)
    }
    /// `cb_pub_…`: public by design, it appears in the website's HTML.
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Origins whose pages may use the key; `https://*.example.de` covers every subdomain.
    async fn allowed_origins(&self) -> &[String] {
        &self.0.allowed_origins
    }
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Paused because the plan allows fewer keys (the newest are paused first): it starts no
    /// new conversations (those already open go on) and comes back on upgrade.
    async fn paused_by_plan(&self) -> bool {
        self.0.paused_by_plan
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Conversations, messages and leads that came in through this key.
    async fn usage(&self) -> ClientKeyUsage {
        ClientKeyUsage {
            conversations: self.0.conversations,
            messages: self.0.messages,
            leads: self.0.leads,
        }
    }
}

#[derive(SimpleObject)]
pub struct ClientKeyEdge {
    pub cursor: String,
    pub node: ClientKey,
}

#[derive(SimpleObject)]
pub struct ClientKeyConnection {
    pub edges: Vec<ClientKeyEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// The `clientKeyId` of a list filter (leads, conversations), checked to be a key's id.
pub fn filter_id(id: Option<&ID>) -> ApiResult<Option<Uuid>> {
    id.map(|id| {
        ids::decode(NodeType::ClientKey, id)
            .ok_or_else(|| ApiError::BadRequest("`clientKeyId` is not a client key id.".into()))
    })
    .transpose()
}

/// `scheme://host[:port]`, lower-cased; `*.` may lead the host. `None` when malformed.
pub fn normalise_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = origin.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return None;
    }
    let host = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok();
    let valid = is_ip
        || host == "localhost"
        || (host.contains('.') && host.len() <= 253 && host.split('.').all(label_ok));
    valid.then_some(origin)
}

fn check_label(errors: &mut UserErrors, label: &str) -> String {
    let label = label.trim().to_owned();
    if label.is_empty() {
        errors.push(
            &["label"],
            UserErrorCode::Required,
            "Bitte eine Bezeichnung angeben, z. B. „Website“.",
        );
    } else if label.chars().count() > MAX_LABEL {
        errors.push(
            &["label"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_LABEL} Zeichen."),
        );
    }
    label
}

fn check_origins(errors: &mut UserErrors, origins: &[String]) -> Vec<String> {
    if origins.is_empty() {
        errors.push(
            &["allowedOrigins"],
            UserErrorCode::Required,
            "Mindestens eine Domain angeben, z. B. https://autohaus-nord.de.",
        );
    }
    if origins.len() > MAX_ORIGINS {
        errors.push(
            &["allowedOrigins"],
            UserErrorCode::TooLong,
            format!("Höchstens {MAX_ORIGINS} Domains."),
        );
    }
    let mut normalised = Vec::new();
    for (index, origin) in origins.iter().enumerate() {
        match normalise_origin(origin) {
            Some(origin) if !normalised.contains(&origin) => normalised.push(origin),
            Some(_) => {}
            None => errors.push(
                &["allowedOrigins", &index.to_string()],
                UserErrorCode::Invalid,
                "Im Format https://autohaus-nord.de oder https://*.autohaus-nord.de angeben (ohne Pfad).",
            ),
        }
    }
    normalised
}

fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", hex::encode(bytes))
}

#[derive(InputObject)]
pub struct CreateClientKeyInput {
    pub label: String,
    pub allowed_origins: Vec<String>,
}

#[derive(SimpleObject)]
pub struct ClientKeyPayload {
    pub client_key: Option<ClientKey>,
    pub user_errors: Vec<UserError>,
}

impl ClientKeyPayload {
    fn errors(errors: UserErrors) -> Self {
        Self {
            client_key: None,
            user_errors: errors.into_vec(),
        }
    }
}

#[derive(InputObject)]
pub struct UpdateClientKeyInput {
    pub id: ID,
    pub label: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
}

fn key_not_found() -> ClientKeyPayload {
    ClientKeyPayload {
        client_key: None,
        user_errors: vec![UserError::new(
            &["id"],
            UserErrorCode::NotFound,
            "Diesen Client-Key gibt es nicht.",
        )],
    }
}

#[derive(InputObject)]
pub struct RevokeClientKeyInput {
    pub id: ID,
}

/// An active key, checked against the page's origin: it grants the widget's endpoints its
/// workshop's tenant handle.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    pub id: Uuid,
    pub tenant: Tenant,
}

/// Resolves a `cb_pub_…` key and checks the caller's `Origin` against it: unknown or revoked →
/// `Ok(None)`; a page not on the allowed list (or no `Origin` at all) → `Forbidden`.
pub async fn active_key(
    conn: &mut Conn<'_>,
    key: &str,
    origin: &RequestOrigin,
) -> ApiResult<Option<ActiveKey>> {
    if !key.starts_with(KEY_PREFIX) || key.len() != KEY_PREFIX.len() + 32 {
        return Ok(None);
    }
    let row: Option<(Uuid, Uuid, Vec<String>)> = client_keys::table
        .filter(client_keys::key.eq(key))
        .filter(client_keys::revoked_at.is_null())
        .filter(client_keys::paused_by_plan.eq(false))
        .select((
            client_keys::id,
            client_keys::workshop_id,
            client_keys::allowed_origins,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((id, workshop_id, allowed_origins)) = row else {
        return Ok(None);
    };
    if !origin
        .0
        .as_deref()
        .is_some_and(|o| origin_allowed(&allowed_origins, o))
    {
        return Err(ApiError::Forbidden(
            "This page's origin is not allowed for this client key.",
        ));
    }
    Ok(Some(ActiveKey {
        id,
        tenant: tenant_of_client_key(workshop_id),
    }))
}

#[derive(Default)]
pub struct ClientKeyQuery;

#[Object]
impl ClientKeyQuery {
    /// The workshop's client keys with their usage, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn client_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ClientKeyConnection> {
        let tenant = ctx.principal().member()?.tenant;
        let page = Page::new(first, after)?;
        let mut conn = ctx.platform().conn().await?;
        let rows = query(&mut conn, tenant, None, page.after, page.limit()).await?;
        let total_count = tenant.client_keys().count().get_result(&mut conn).await?;
        let (edges, page_info) = edges(&page, rows, |r| (r.created_at, r.id));
        Ok(ClientKeyConnection {
            edges: edges
                .into_iter()
                .map(|(cursor, row)| ClientKeyEdge {
                    cursor,
                    node: ClientKey(row),
                })
                .collect(),
            page_info,
            total_count,
        })
    }
}

#[derive(Default)]
pub struct ClientKeyMutation;

#[Object]
impl ClientKeyMutation {
    async fn create_client_key(
        &self,
        ctx: &Context<'_>,
        input: CreateClientKeyInput,
    ) -> ApiResult<ClientKeyPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let mut errors = UserErrors::default();
        let label = check_label(&mut errors, &input.label);
        let origins = check_origins(&mut errors, &input.allowed_origins);
        if !errors.is_empty() {
            return Ok(ClientKeyPayload::errors(errors));
        }
        let mut conn = ctx.platform().conn().await?;
        let entitlements = Entitlements::load(&mut conn, tenant).await?;
        let active: i64 = tenant
            .client_keys()
            .filter(client_keys::revoked_at.is_null())
            .count()
            .get_result(&mut conn)
            .await?;
        if entitlements.remaining(Quota::ClientKeys, active) == Some(0) {
            return Err(ApiError::PlanLimitReached(format!(
                "Ihr Tarif {} umfasst {} aktive Client-Keys. Widerrufen Sie einen oder wechseln Sie den Tarif.",
                entitlements.plan.name,
                entitlements.plan.limits.client_keys.unwrap_or_default()
            )));
        }
        let id = Uuid::now_v7();
        diesel::insert_into(client_keys::table)
            .values((
                client_keys::id.eq(id),
                client_keys::workshop_id.eq(tenant.workshop_id()),
                client_keys::key.eq(new_key()),
                client_keys::label.eq(label),
                client_keys::allowed_origins.eq(origins),
            ))
            .execute(&mut conn)
            .await?;
        let row = find(&mut conn, tenant, &[id]).await?.pop();
        Ok(ClientKeyPayload {
            client_key: row.map(ClientKey),
            user_errors: vec![],
        })
    }

    async fn update_client_key(
        &self,
        ctx: &Context<'_>,
        input: UpdateClientKeyInput,
    ) -> ApiResult<ClientKeyPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let Some(id) = ids::decode(NodeType::ClientKey, &input.id) else {
            return Ok(key_not_found());
        };
        let mut errors = UserErrors::default();
        let label = input.label.map(|l| check_label(&mut errors, &l));
        let origins = input
            .allowed_origins
            .map(|o| check_origins(&mut errors, &o));
        if !errors.is_empty() {
            return Ok(ClientKeyPayload::errors(errors));
        }
        let mut conn = ctx.platform().conn().await?;
        // Revoking twice keeps the first revocation time (raw SQL: the DSL has no `coalesce`).
        let updated = diesel::update(tenant.client_keys().filter(client_keys::id.eq(id)))
            .set((
                label.map(|l| client_keys::label.eq(l)),
                origins.map(|o| client_keys::allowed_origins.eq(o)),
                client_keys::updated_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await?;
        if updated == 0 {
            return Ok(key_not_found());
        }
        let row = find(&mut conn, tenant, &[id]).await?.pop();
        drop(conn);
        // Visitors on an origin the key no longer allows lose their connections.
        ctx.platform().access_changed(tenant).await;
        Ok(ClientKeyPayload {
            client_key: row.map(ClientKey),
            user_errors: vec![],
        })
    }

    // Revoking stops the widget on every page at once, ends its visitors' tokens and frees a slot
    // of the plan's key allowance. Conversations and leads stay.
    async fn revoke_client_key(
        &self,
        ctx: &Context<'_>,
        input: RevokeClientKeyInput,
    ) -> ApiResult<ClientKeyPayload> {
        let tenant = ctx.principal().owner()?.tenant;
        let Some(id) = ids::decode(NodeType::ClientKey, &input.id) else {
            return Ok(key_not_found());
        };
        let mut conn = ctx.platform().conn().await?;
        // Revoking twice keeps the first revocation time (raw SQL: the DSL has no `coalesce`).
        let updated = diesel::update(tenant.client_keys().filter(client_keys::id.eq(id)))
            .set(
                client_keys::revoked_at.eq(diesel::dsl::sql::<Nullable<Timestamptz>>(
                    "coalesce(revoked_at, now())",
                )),
            )
            .execute(&mut conn)
            .await?;
        if updated == 0 {
            return Ok(key_not_found());
        }
        let row = find(&mut conn, tenant, &[id]).await?.pop();
        drop(conn);
        // The key's visitors' open connections end.
        ctx.platform().access_changed(tenant).await;
        Ok(ClientKeyPayload {
            client_key: row.map(ClientKey),
            user_errors: vec![],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_or_refused() {
        assert_eq!(
            normalise_origin(" https://Autohaus-Nord.de/ ").as_deref(),
            Some("https://autohaus-nord.de")
        );
        assert_eq!(
            normalise_origin("https://*.autohaus-nord.de").as_deref(),
            Some("https://*.autohaus-nord.de")
        );
        assert_eq!(
            normalise_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "autohaus-nord.de",
            "ftp://autohaus-nord.de",
            "https://autohaus-nord.de/kontakt",
            "https://*",
            "https://autohaus nord.de",
            "https://autohaus-nord.de:0",
            "https://autohaus-nord.de:99999",
            "javascript:alert(1)",
            "https://-x.de",
        ] {
            assert_eq!(normalise_origin(bad), None, "{bad}");
        }
        let key = new_key();
        assert!(key.starts_with("cb_pub_") && key.len() == 39);
        assert!(
            key[7..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
