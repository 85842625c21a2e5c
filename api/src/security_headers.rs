//! Headers every response carries (`tower-http`): `X-Content-Type-Options: nosniff`,
//! `Referrer-Policy: strict-origin-when-cross-origin`, a CSP that allows nothing for responses
//! that set none of their own (the API's JSON, CSV and scripts; the console and GraphiQL set
//! theirs), and HSTS when the platform's public URL is `https`.

use axum::http::{HeaderValue, Response, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

type Maker<B> = fn(&Response<B>) -> Option<HeaderValue>;

pub fn nosniff() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    )
}

pub fn referrer_policy() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    )
}

/// For responses without a CSP of their own: nothing may load, nobody may frame them.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn default_csp() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DEFAULT_CSP),
    )
}

/// `Strict-Transport-Security` for a platform served over `https` (a year, subdomains too);
/// nothing over plain `http` (a browser ignores it there, and it would pin local development).
pub fn hsts<B>(https: bool) -> SetResponseHeaderLayer<Maker<B>> {
    fn on<B>(_: &Response<B>) -> Option<HeaderValue> {
        Some(HeaderValue::from_static(
            "max-age=31536000; includeSubDomains",
        ))
    }
    fn off<B>(_: &Response<B>) -> Option<HeaderValue> {
        None
    }
    SetResponseHeaderLayer::if_not_present(
        header::STRICT_TRANSPORT_SECURITY,
        if https { on::<B> } else { off::<B> },
    )
}

/// A strict CSP for an HTML page whose scripts and styles come from `host`: its inline scripts
/// are allowed by their SHA-256 only; it connects to this origin (HTTP and WebSocket) alone.
pub fn page_csp(page: &str, host: &str) -> String {
    let hashes: Vec<String> = inline_scripts(page)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'none'; script-src {host} {}; style-src {host} 'unsafe-inline'; \
         font-src {host} data:; img-src 'self' {host} data:; connect-src 'self' ws: wss:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        hashes.join(" ")
    )
}

/// The text of every `<script>` without a `src`.
fn inline_scripts(page: &str) -> impl Iterator<Item = &str> {
    page.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        let (script, _) = body.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(script)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_only() {
        let page = r#"<script src="https://cdn/x.js"></script><script>run()</script>"#;
        assert_eq!(inline_scripts(page).collect::<Vec<_>>(), ["run()"]);
        let csp = page_csp(page, "cdn");
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"run()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(
            csp.starts_with("default-src 'none'; script-src cdn 'sha256-"),
            "{csp}"
        );
    }
}
