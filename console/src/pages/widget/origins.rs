//! Where a key may be used: its allowed origins as typed and checked, and the embed code.

use crate::ctx::Ctx;
use crate::i18n::Key;

/// The console's own origin (`https://app.carbot.de`).
pub(super) fn own_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The line a workshop puts on its website: this release's script, pinned by its integrity
/// hash (the platform keeps serving it after later releases).
pub(super) fn snippet(key: &str, (url, integrity): &(String, String)) -> String {
    format!(
        r#"<script src="{url}" integrity="{integrity}" crossorigin="anonymous" data-client-key="{key}" async></script>"#
    )
}

/// Whether `origin` may use a key with these allowed origins (as the server decides it).
pub(super) fn allows(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    allowed.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.split_once("://*.") {
            Some((scheme, domain)) => origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"))
                .is_some_and(|host| {
                    host.strip_suffix(domain)
                        .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
                }),
            None => origin == pattern,
        }
    })
}

pub(super) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The origins typed one per line: `(line number, origin)` of the non-empty lines.
pub(super) fn origin_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// The errors about the origins sent as `lines`, each with its line number.
pub(super) fn origin_errors(
    ctx: &Ctx,
    errors: &[(String, String)],
    lines: &[(usize, String)],
) -> Option<String> {
    let messages: Vec<String> = errors
        .iter()
        .filter_map(|(path, message)| {
            if path == "allowedOrigins" {
                return Some(message.clone());
            }
            let index: usize = path.strip_prefix("allowedOrigins.")?.parse().ok()?;
            Some(match lines.get(index) {
                Some((line, origin)) => {
                    format!("{} {line} ({origin}): {message}", ctx.t(Key::WgLine))
                }
                None => message.clone(),
            })
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join("\n"))
}
