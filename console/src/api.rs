//! GraphQL over HTTP and WebSocket, typed by `graphql_client` against `graphql/schema.graphql`:
//! a schema change that breaks an operation breaks this build.

use graphql_client::{GraphQLQuery, QueryBody, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Scalars of the schema as the console handles them (RFC 3339 text and `YYYY-MM-DD`).
pub type DateTime = String;
pub type NaiveDate = String;
/// The schema's `JSON` scalar (the privacy log's counts).
#[expect(
    clippy::upper_case_acronyms,
    reason = "the scalar's name in the schema"
)]
pub type JSON = serde_json::Value;

macro_rules! operations {
    ($file:literal: $($name:ident),+ $(,)?) => {
        $(
            #[derive(GraphQLQuery)]
            #[graphql(
                schema_path = "../graphql/schema.graphql",
                query_path = $file,
                response_derives = "Debug, Clone, PartialEq",
                variables_derives = "Debug, Clone"
            )]
            pub struct $name;
        )+
    };
}

operations!("../graphql/console/session.graphql": Login, Register, Refresh, Logout, ResetPassword, AcceptInvitation, SwitchWorkshop, CurrentViewer);
operations!("../graphql/console/account.graphql": VerifyEmail, RequestEmailVerification, RequestPasswordReset, ChangePassword, ChangeEmail, AccountSettings, UpdateProfile, UpdateNotificationSettings, UpdateLeadReminder);
operations!("../graphql/console/team.graphql": Members, Invitations, InviteMember, RevokeInvitation, UpdateMemberRole, RemoveMember, LocationPlan, CreateLocation);
operations!("../graphql/console/leads.graphql": Leads, LeadDetail, UpdateLeadStatus, AddLeadNote, LeadEvents);
operations!("../graphql/console/chats.graphql": Conversations, ConversationById, TakeOver, Release, SendOwnerMessage, InboxEvents);
operations!("../graphql/console/analytics.graphql": Analytics, AnalyticsDetails, WorkshopTimeZone);
operations!("../graphql/console/catalog.graphql": Services, Categories, CreateService, UpdateService, DeleteService, ImportServices, ExportServices, InstallStandardCatalog);
operations!("../graphql/console/privacy.graphql": PrivacySettings, UpdatePrivacySettings, ExportContactData, EraseContact, WithdrawLeadConsent, PrivacyAuditLog);
operations!("../graphql/console/webhooks.graphql": WebhookEndpoints, WebhookDeliveries, CreateWebhookEndpoint, UpdateWebhookEndpoint, RotateWebhookSecret, DeleteWebhookEndpoint, SendTestWebhook, RedeliverWebhook);
operations!("../graphql/console/settings.graphql": ClientKeys, CreateClientKey, UpdateClientKey, RevokeClientKey, WidgetSettings, UpdateBrandColor, UpdateWidgetSettings, ApiTokens, CreateApiToken, RevokeApiToken, WorkshopSettings, UpdateWorkshop, Billing, BillingStatus, StartCheckout, OpenBillingPortal);

/// Why a request produced no data. The console's own reasons carry no text: pages show them in
/// the viewer's language (`Ctx::error_text`).
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The session is over (401 or UNAUTHENTICATED): sign in again.
    SignedOut,
    /// No answer: the network or the server is down.
    Unreachable,
    /// The server's rate limit (429): wait a moment.
    TooManyRequests,
    /// An answer the console cannot read; the detail is for whoever reports it.
    Unreadable(String),
    /// The server's own message (a refusal with its code), in the caller's language.
    Message(String),
}

/// German, for the places that cannot know the viewer's language.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignedOut => f.write_str("Bitte melden Sie sich erneut an."),
            Self::Unreachable => f.write_str("Keine Verbindung zum Server."),
            Self::TooManyRequests => f.write_str("Zu viele Anfragen – bitte einen Moment warten."),
            Self::Unreadable(detail) => write!(f, "Unlesbare Antwort des Servers: {detail}"),
            Self::Message(text) => f.write_str(text),
        }
    }
}

fn js_error(error: JsValue) -> ApiError {
    error
        .as_string()
        .map_or(ApiError::Unreachable, ApiError::Unreadable)
}

/// Runs a query or mutation; `token` is the in-memory access token.
pub async fn run<Q: GraphQLQuery>(
    token: Option<&str>,
    variables: Q::Variables,
) -> Result<Q::ResponseData, ApiError>
where
    Q::Variables: Serialize,
    Q::ResponseData: DeserializeOwned,
{
    let body: QueryBody<Q::Variables> = Q::build_query(variables);
    let text = post(
        token,
        &serde_json::to_string(&body).map_err(|e| ApiError::Unreadable(e.to_string()))?,
    )
    .await?;
    let response: Response<Q::ResponseData> =
        serde_json::from_str(&text).map_err(|e| ApiError::Unreadable(e.to_string()))?;
    if let Some(errors) = response.errors.filter(|e| !e.is_empty()) {
        let code = errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
            .unwrap_or("");
        if code == "UNAUTHENTICATED" {
            return Err(ApiError::SignedOut);
        }
        return Err(ApiError::Message(errors[0].message.clone()));
    }
    response
        .data
        .ok_or_else(|| ApiError::Unreadable("no data".into()))
}

async fn post(token: Option<&str>, body: &str) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new().map_err(js_error)?;
    headers
        .set("content-type", "application/json")
        .map_err(js_error)?;
    headers
        .set(
            "accept",
            "application/graphql-response+json, application/json",
        )
        .map_err(js_error)?;
    if let Some(token) = token {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .map_err(js_error)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init("/graphql", &init).map_err(js_error)?;
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    if response.status() == 401 {
        return Err(ApiError::SignedOut);
    }
    if response.status() == 429 {
        return Err(ApiError::TooManyRequests);
    }
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    Ok(text.as_string().unwrap_or_default())
}

/// A field's user errors as `(last path segment, message)` pairs.
pub fn field_errors<'a>(
    errors: impl IntoIterator<Item = (&'a Option<Vec<String>>, &'a String)>,
) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|(field, message)| {
            (
                field
                    .as_ref()
                    .and_then(|f| f.last().cloned())
                    .unwrap_or_default(),
                message.clone(),
            )
        })
        .collect()
}

/// Saves text as a file download (CSV exports).
pub fn download(name: &str, text: &str, mime: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    save_blob(name, &blob);
}

/// Downloads one of the server's files (`/exports/….csv?…`) with the session's token and saves
/// it as `name`, byte for byte (the CSVs' BOM included). A refusal's message comes back as the
/// server wrote it.
pub async fn download_file(token: Option<&str>, path: &str, name: &str) -> Result<(), ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(js_error)?;
    if let Some(token) = token {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .map_err(js_error)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(js_error)?;
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    match response.status() {
        200 => {}
        401 => return Err(ApiError::SignedOut),
        429 => return Err(ApiError::TooManyRequests),
        _ => {
            // The refusal's body: `{"errors": [{"message", "extensions": {"code"}}]}`.
            let text = JsFuture::from(response.text().map_err(js_error)?)
                .await
                .map_err(js_error)?
                .as_string()
                .unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|body| body["errors"][0]["message"].as_str().map(str::to_owned))
                .unwrap_or(text);
            return Err(ApiError::Message(message));
        }
    }
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    save_blob(name, &blob);
    Ok(())
}

fn save_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(document) = web_sys::window().and_then(|w| w.document())
        && let Ok(anchor) = document.create_element("a")
        && let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
