//! A mutation's `userErrors` as the forms show them: by field, and the rest in one list.

/// The message of the user error whose field path ends in `name`.
pub fn error_for(errors: &[(String, String)], name: &str) -> Option<String> {
    errors
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, message)| message.clone())
}

/// `userErrors` as `(path, message)`, the path after `input` joined by dots
/// (`openingHours.3.closes`, `allowedOrigins.1`); an empty path means the whole input.
pub fn error_paths<'a>(
    errors: impl IntoIterator<Item = (&'a Option<Vec<String>>, &'a String)>,
) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|(field, message)| {
            let path = field
                .as_deref()
                .map(|parts| {
                    let parts = match parts.split_first() {
                        Some((first, rest)) if first == "input" => rest,
                        _ => parts,
                    };
                    parts.join(".")
                })
                .unwrap_or_default();
            (path, message.clone())
        })
        .collect()
}

/// The errors that name no field (or one this form does not show), one message per line.
pub fn other_errors(errors: &[(String, String)], shown: &[&str]) -> Vec<String> {
    errors
        .iter()
        .filter(|(path, _)| {
            !shown
                .iter()
                .any(|s| path == s || path.starts_with(&format!("{s}.")))
        })
        .map(|(path, message)| {
            if path.is_empty() {
                message.clone()
            } else {
                format!("{path}: {message}")
            }
        })
        .collect()
}
