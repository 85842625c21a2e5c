//! `POST /webhooks/stripe`: Stripe's events. A verified event is stored in the billing inbox and
//! answered `200` only once it is stored (so Stripe retries anything we could not keep); the
//! billing worker applies it. A repeated event id is answered `200` and changes nothing.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use carbot_schema::billing::inbox;

use crate::state::AppState;
use crate::stripe::{SignatureError, verify};

/// Stripe's events are far smaller; anything larger is refused before it is read further.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(serde::Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    type_: String,
    created: i64,
}

fn refuse(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_owned()).into_response()
}

pub async fn stripe(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return refuse("The body is larger than 1 MiB (or was cut off).");
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(error) = verify(signature, &body, &state.stripe_webhook_secrets, now) {
        if error == SignatureError::NotConfigured {
            tracing::warn!("a Stripe webhook arrived, but STRIPE_WEBHOOK_SECRET is not set");
        } else {
            tracing::info!(%error, "a Stripe webhook was refused");
        }
        return refuse(&error.to_string());
    }
    let Ok(payload) = std::str::from_utf8(&body) else {
        return refuse("The body is not UTF-8.");
    };
    let Ok(envelope) = serde_json::from_str::<Envelope>(payload) else {
        return refuse("The body is not a Stripe event.");
    };
    let Some(created) = chrono::DateTime::from_timestamp(envelope.created, 0) else {
        return refuse("The event's `created` is not a time.");
    };
    let stored = async {
        let mut conn = state.services.pool.get().await.map_err(|e| e.to_string())?;
        inbox::store(&mut conn, &envelope.id, &envelope.type_, created, payload)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match stored {
        Ok(new) => {
            if new {
                state.services.billing.wake.notify_one();
            }
            tracing::info!(event = %envelope.id, type_ = %envelope.type_, new, "Stripe webhook stored");
            (StatusCode::OK, "ok").into_response()
        }
        Err(error) => {
            tracing::error!(%error, event = %envelope.id, "a Stripe webhook could not be stored; Stripe will retry");
            (StatusCode::SERVICE_UNAVAILABLE, "not stored; retry").into_response()
        }
    }
}
