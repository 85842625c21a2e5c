//! GraphQL over HTTP per the GraphQL-over-HTTP spec: `POST` for everything, `GET` for queries,
//! `application/graphql-response+json` with 4xx when there is no `data`.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use carbot_schema::Principal;
use carbot_schema::accounts::session::{REFRESH_COOKIE, RequestCookies};
use carbot_schema::error::ApiError;
use carbot_schema::request_limits::MAX_BODY_BYTES;
use serde_json::json;

use crate::metrics::record_graphql;
use crate::request::{Refusal, RequestContext};
use crate::state::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// A refusal before execution, shaped like a GraphQL response without `data`.
fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, GRAPHQL_RESPONSE)],
        body.to_string(),
    )
        .into_response()
}

/// Which media type the client accepts for the response.
fn response_media_type(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(GRAPHQL_RESPONSE);
    };
    let types: Vec<&str> = accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    if types.iter().any(|t| {
        matches!(
            *t,
            "application/graphql-response+json" | "*/*" | "application/*"
        )
    }) {
        Some(GRAPHQL_RESPONSE)
    } else if types.contains(&"application/json") {
        Some(JSON)
    } else {
        None
    }
}

/// The refresh-token cookie, if the browser sent one.
fn request_cookies(state: &AppState, headers: &HeaderMap) -> RequestCookies {
    let refresh_token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty());
    RequestCookies {
        refresh_token,
        secure: state.secure_cookies,
    }
}

/// The principal behind `Authorization` (anonymous without it), or the response that refuses
/// the request: 401 for a bad token, 403 for a page that the widget's key does not allow.
async fn authenticate(
    state: &AppState,
    context: &RequestContext,
    headers: &HeaderMap,
) -> Result<Principal, Response> {
    let unauthorized = |message: &str| {
        let mut response = refusal(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        response
    };
    let token = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => match value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            Some(token) => Some(token.trim()),
            None => return Err(unauthorized("Use `Authorization: Bearer <token>`.")),
        },
    };
    context
        .authenticate(state, token)
        .await
        .map_err(|refused| match refused {
            Refusal::Token(ApiError::Unauthenticated) => {
                unauthorized("The token is invalid, expired or revoked.")
            }
            Refusal::Token(ApiError::PlanLimitReached(message)) => {
                refusal(StatusCode::FORBIDDEN, "PLAN_LIMIT_REACHED", &message)
            }
            Refusal::Token(ApiError::Unavailable) => {
                let retry = carbot_schema::error::UNAVAILABLE_RETRY_SECS;
                let body = json!({ "errors": [{ "message": ApiError::Unavailable.message(),
                    "extensions": { "code": "INTERNAL", "retryAfter": retry } }] });
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [
                        (header::CONTENT_TYPE, GRAPHQL_RESPONSE.to_owned()),
                        (header::RETRY_AFTER, retry.to_string()),
                    ],
                    body.to_string(),
                )
                    .into_response()
            }
            Refusal::Token(other) => {
                let error = async_graphql::ErrorExtensions::extend(&other);
                refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    &error.message,
                )
            }
            Refusal::Origin => refusal(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "This page's origin is not allowed for the widget's client key.",
            ),
        })
}

pub async fn post(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let started = Instant::now();
    let (mut parts, body) = request.into_parts();
    let Some(media_type) = response_media_type(&parts.headers) else {
        return refusal(
            StatusCode::NOT_ACCEPTABLE,
            "BAD_REQUEST",
            "Accept application/graphql-response+json or application/json.",
        );
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        record_graphql("unknown", "rejected", started.elapsed().as_secs_f64());
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            "Send the request as application/json.",
        );
    }
    let body = match read_body(body).await {
        Some(bytes) => bytes,
        None => {
            record_graphql("unknown", "rejected", started.elapsed().as_secs_f64());
            let mut response = refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BAD_REQUEST",
                "The request body is larger than 1 MiB.",
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            record_graphql("unknown", "rejected", started.elapsed().as_secs_f64());
            return refusal(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("The body is not a GraphQL request: {error}"),
            );
        }
    };
    let context = RequestContext::from_parts(&state, &mut parts).await;
    execute(
        &state,
        &parts.headers,
        context,
        request,
        media_type,
        started,
    )
    .await
}

/// Bodies up to this size are read to the end even when refused, so that an ordinary client
/// gets its 413 rather than a broken connection; beyond it the connection is cut.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// The body if it fits `MAX_BODY_BYTES`; `None` when it is larger (or breaks off).
async fn read_body(mut body: Body) -> Option<Bytes> {
    use http_body_util::BodyExt;
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > DRAIN_LIMIT {
            return None;
        }
        if seen <= MAX_BODY_BYTES {
            chunks.push(data);
        }
    }
    match (seen <= MAX_BODY_BYTES, chunks.len()) {
        (false, _) => None,
        // The usual case: one frame, used as it is.
        (true, 1) => chunks.pop(),
        (true, _) => Some(chunks.concat().into()),
    }
}

pub async fn get_query(
    state: AppState,
    headers: HeaderMap,
    context: RequestContext,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let Some(media_type) = response_media_type(&headers) else {
        return refusal(
            StatusCode::NOT_ACCEPTABLE,
            "BAD_REQUEST",
            "Accept application/graphql-response+json or application/json.",
        );
    };
    let Some(query) = params.get("query") else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "Missing the `query` parameter.",
        );
    };
    let mut request = async_graphql::Request::new(query.clone());
    if let Some(name) = params.get("operationName") {
        request = request.operation_name(name.clone());
    }
    if let Some(variables) = params.get("variables") {
        match serde_json::from_str(variables) {
            Ok(variables) => {
                request = request.variables(async_graphql::Variables::from_json(variables))
            }
            Err(_) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`variables` is not JSON.",
                );
            }
        }
    }
    if let Some(kind) = state
        .schemas
        .operation_type(query, request.operation_name.as_deref())
        && kind != OperationType::Query
    {
        record_graphql(
            operation_label(Some(kind)),
            "rejected",
            started.elapsed().as_secs_f64(),
        );
        let mut response = refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "Only queries may be sent with GET; use POST.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, &headers, context, request, media_type, started).await
}

fn operation_label(kind: Option<OperationType>) -> &'static str {
    match kind {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    }
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    context: RequestContext,
    request: async_graphql::Request,
    media_type: &'static str,
    started: Instant,
) -> Response {
    let kind = state
        .schemas
        .operation_type(&request.query, request.operation_name.as_deref());
    let principal = match authenticate(state, &context, headers).await {
        Ok(principal) => principal,
        Err(response) => {
            record_graphql(
                operation_label(kind),
                "rejected",
                started.elapsed().as_secs_f64(),
            );
            return response;
        }
    };
    let schema = state.schemas.for_principal(&principal).clone();
    let mut request = request.data(request_cookies(state, headers));
    context.insert_into(&mut request.data, principal.clone());
    if !principal.may_introspect() {
        request = request.disable_introspection();
    }
    let response = schema.execute(request).await;
    let outcome = if response.errors.is_empty() {
        "ok"
    } else {
        "error"
    };
    record_graphql(
        operation_label(kind),
        outcome,
        started.elapsed().as_secs_f64(),
    );
    into_http(response, media_type)
}

/// Serialises a GraphQL response; errors without a code get `BAD_REQUEST`, and a response
/// without data (a request error) is a 400 without a `data` entry.
pub fn into_http(mut response: async_graphql::Response, media_type: &'static str) -> Response {
    let retry_after =
        response
            .errors
            .iter()
            .find_map(|e| match e.extensions.as_ref()?.get("retryAfter")? {
                async_graphql::Value::Number(n) => n.as_u64(),
                _ => None,
            });
    let extra_headers = std::mem::take(&mut response.http_headers);
    let (status, body) = if response.errors.is_empty() {
        (StatusCode::OK, serde_json::to_vec(&response))
    } else {
        let request_error = response.data == async_graphql::Value::Null
            && response.errors.iter().all(|e| e.path.is_empty());
        let mut value = serde_json::to_value(&response).unwrap_or_default();
        if let Some(errors) = value.get_mut("errors").and_then(|e| e.as_array_mut()) {
            for error in errors {
                let extensions = error
                    .as_object_mut()
                    .map(|e| e.entry("extensions").or_insert_with(|| json!({})));
                if let Some(extensions) = extensions.and_then(|e| e.as_object_mut()) {
                    extensions
                        .entry("code")
                        .or_insert_with(|| json!("BAD_REQUEST"));
                }
            }
        }
        if request_error && let Some(object) = value.as_object_mut() {
            object.remove("data");
        }
        let first_code = value["errors"][0]["extensions"]["code"].as_str();
        let status = match (request_error, first_code) {
            (false, _) => StatusCode::OK,
            // Refused before it ran: the cost budget is used up, or the document is not one
            // the caller may run (a widget visitor's own document).
            (true, Some("RATE_LIMITED")) => StatusCode::TOO_MANY_REQUESTS,
            (true, Some("FORBIDDEN")) => StatusCode::FORBIDDEN,
            (true, _) => StatusCode::BAD_REQUEST,
        };
        (status, serde_json::to_vec(&value))
    };
    let mut http = Response::new(Body::from(body.unwrap_or_default()));
    *http.status_mut() = status;
    http.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Some(seconds) = retry_after {
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    // Headers the resolvers set, such as the refresh-token cookie.
    for (name, value) in &extra_headers {
        http.headers_mut().append(name, value.clone());
    }
    http
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed(method: Method) -> Response {
    let mut response = refusal(
        StatusCode::METHOD_NOT_ALLOWED,
        "BAD_REQUEST",
        &format!("{method} is not supported on /graphql; use POST, or GET for queries."),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// The query of a CSV download: `from` and `to` (days, both included), optionally
/// `clientKeyId` and, for the series, `granularity` (`day`, `week`, `month`).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    from: Option<String>,
    to: Option<String>,
    client_key_id: Option<String>,
    granularity: Option<String>,
}

/// `GET /exports/{name}.csv`: a CSV download (see `carbot_schema::analytics::csv_export`),
/// for the console and for integrators, with the same `Authorization` as `/graphql`.
pub async fn export(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(query): Query<ExportQuery>,
    request: axum::extract::Request,
) -> Response {
    use carbot_schema::analytics::Granularity;
    use carbot_schema::analytics::csv_export::{self, Export, ExportRequest};
    let (mut parts, _) = request.into_parts();
    let context = RequestContext::from_parts(&state, &mut parts).await;
    let principal = match authenticate(&state, &context, &parts.headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let Some(export) = file.strip_suffix(".csv").and_then(Export::parse) else {
        return refusal(StatusCode::NOT_FOUND, "NOT_FOUND", "No such export.");
    };
    let day = |value: &Option<String>| {
        value
            .as_deref()
            .and_then(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
    };
    let (Some(from), Some(to)) = (day(&query.from), day(&query.to)) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "`from` and `to` must be days (YYYY-MM-DD).",
        );
    };
    let granularity = match query.granularity.as_deref() {
        None | Some("day") => Granularity::Day,
        Some("week") => Granularity::Week,
        Some("month") => Granularity::Month,
        Some(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "`granularity` is one of day, week, month.",
            );
        }
    };
    let request = ExportRequest {
        from,
        to,
        client_key_id: query.client_key_id,
        granularity,
    };
    let started = csv_export::start(
        &state.services.pool,
        state.services.limiter.as_ref(),
        Some(context.client_ip.0),
        &principal,
        export,
        request,
    )
    .await;
    let chunks = match started {
        Ok(chunks) => chunks,
        Err(error) => {
            let status = match &error {
                ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
                ApiError::Forbidden(_) | ApiError::PlanLimitReached(_) => StatusCode::FORBIDDEN,
                ApiError::NotFound => StatusCode::NOT_FOUND,
                ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
                ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            return refusal(status, error.code().as_str(), &error.message());
        }
    };
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|piece| (piece, chunks))
    });
    let filename = format!("carbot-{}-{from}-{to}.csv", export.name());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
