//! Consent texts as versions: every text a widget shows above the lead form's checkbox is
//! recorded (`consent_texts`) under an id derived from the workshop, the language and the text,
//! and a lead names the version its widget showed, so the stored consent is exactly what the
//! visitor read, and a version the server never served is refused.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::db::schema::consent_texts;
use crate::error::ApiResult;
use crate::locale::Locale;

/// One version of a consent text.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = consent_texts)]
pub struct ConsentVersion {
    pub id: Uuid,
    pub locale: String,
    pub text: String,
}

/// The id of a text as one workshop shows it in one language: a name-based UUID (version 8)
/// from the SHA-256 of the three.
pub fn version_id(tenant: Tenant, locale: Locale, text: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(tenant.workshop_id().as_bytes())
        .chain_update(locale.as_str().as_bytes())
        .chain_update([0])
        .chain_update(text.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Records that the widget shows `text` (once per version); returns the version's id.
pub async fn served(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    locale: Locale,
    text: &str,
) -> ApiResult<Uuid> {
    let id = version_id(tenant, locale, text);
    diesel::insert_into(consent_texts::table)
        .values((
            consent_texts::id.eq(id),
            consent_texts::workshop_id.eq(tenant.workshop_id()),
            consent_texts::locale.eq(locale.as_str()),
            consent_texts::text.eq(text),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(id)
}

/// A version this workshop's widget served, if it is one.
pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant: Tenant,
    id: Uuid,
) -> ApiResult<Option<ConsentVersion>> {
    Ok(tenant
        .consent_texts()
        .filter(consent_texts::id.eq(id))
        .select(ConsentVersion::as_select())
        .first(conn)
        .await
        .optional()?)
}
