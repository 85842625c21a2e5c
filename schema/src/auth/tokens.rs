//! Access tokens (short-lived JWTs) and the opaque secrets: refresh tokens and API tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const ACCESS_TOKEN_TTL: chrono::Duration = chrono::Duration::minutes(15);
pub const REFRESH_TOKEN_TTL: chrono::Duration = chrono::Duration::days(30);

const ISSUER: &str = "carbot";
const AUDIENCE: &str = "carbot-api";
const ACCESS_TYPE: &str = "access";
const VISITOR_TYPE: &str = "visitor";

/// A visitor token lasts as long as a visitor may come back to the same conversation.
pub const VISITOR_TOKEN_TTL: chrono::Duration = chrono::Duration::days(30);

pub const REFRESH_TOKEN_PREFIX: &str = "cbr_";
pub const API_TOKEN_PREFIX: &str = "cbt_";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub typ: String,
    /// The user.
    pub sub: Uuid,
    /// The workshop the session acts for.
    pub wid: Uuid,
    /// The session (refresh-token family); revoking it ends the token at once.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// A widget visitor's token: good for one conversation of one client key, nothing else.
#[derive(Debug, Serialize, Deserialize)]
pub struct VisitorClaims {
    pub iss: String,
    pub aud: String,
    pub typ: String,
    /// The conversation.
    pub sub: Uuid,
    pub wid: Uuid,
    /// The client key the conversation was started with.
    pub kid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks access tokens with the platform's HMAC secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(<redacted>)")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        user: Uuid,
        workshop: Uuid,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> (String, DateTime<Utc>) {
        let expires_at = now + ACCESS_TOKEN_TTL;
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ: ACCESS_TYPE.into(),
            sub: user,
            wid: workshop,
            sid: session,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::new_v4(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an HMAC key cannot fail");
        (token, expires_at)
    }

    pub fn issue_visitor(
        &self,
        conversation: Uuid,
        workshop: Uuid,
        client_key: Uuid,
        now: DateTime<Utc>,
    ) -> String {
        let claims = VisitorClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ: VISITOR_TYPE.into(),
            sub: conversation,
            wid: workshop,
            kid: client_key,
            iat: now.timestamp(),
            exp: (now + VISITOR_TOKEN_TTL).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an HMAC key cannot fail")
    }

    /// Like [`Self::verify`], for visitor tokens.
    pub fn verify_visitor(&self, token: &str) -> Option<VisitorClaims> {
        let data =
            jsonwebtoken::decode::<VisitorClaims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == VISITOR_TYPE).then_some(data.claims)
    }

    /// Checks signature, algorithm, `iss`, `aud`, `exp` and `typ`; `None` for any bad token.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let data =
            jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == ACCESS_TYPE).then_some(data.claims)
    }
}

/// A random secret with a recognisable prefix, and the hash under which it is stored.
pub struct Secret {
    pub plain: String,
    pub hash: Vec<u8>,
}

pub fn new_secret(prefix: &str) -> Secret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plain = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_secret(&plain);
    Secret { plain, hash }
}

/// Secrets carry 256 bits of entropy, so a fast hash suffices to keep the stored form useless.
pub fn hash_secret(plain: &str) -> Vec<u8> {
    Sha256::digest(plain.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_verify_only_with_the_right_key_and_type() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let (user, workshop, session) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (token, _) = keys.issue(user, workshop, session, Utc::now());
        let claims = keys.verify(&token).expect("valid token");
        assert_eq!(
            (claims.sub, claims.wid, claims.sid),
            (user, workshop, session)
        );

        let other = JwtKeys::new(b"another-secret-another-secret-xx");
        assert!(other.verify(&token).is_none());
        let (expired, _) = keys.issue(
            user,
            workshop,
            session,
            Utc::now() - chrono::Duration::hours(1),
        );
        assert!(keys.verify(&expired).is_none());

        let visitor = keys.issue_visitor(session, workshop, user, Utc::now());
        assert!(
            keys.verify(&visitor).is_none(),
            "a visitor token is no access token"
        );
        assert!(keys.verify_visitor(&token).is_none(), "and vice versa");
        let claims = keys.verify_visitor(&visitor).expect("valid visitor token");
        assert_eq!(
            (claims.sub, claims.wid, claims.kid),
            (session, workshop, user)
        );
    }

    #[test]
    fn secrets_have_their_prefix_and_hash_stably() {
        let secret = new_secret(API_TOKEN_PREFIX);
        assert!(secret.plain.starts_with("cbt_"));
        assert_eq!(secret.plain.len(), 4 + 43);
        assert_eq!(hash_secret(&secret.plain), secret.hash);
        assert_ne!(new_secret(API_TOKEN_PREFIX).plain, secret.plain);
    }
}
