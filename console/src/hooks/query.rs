//! The parameters of the address's query (`?token=…`, `?workshop=…`), as e-mail links carry them.

use std::collections::HashMap;

use yew::prelude::*;
use yew_router::prelude::use_location;

/// The value of the query parameter `name` of the current address, decoded.
#[hook]
pub fn use_query_param(name: &'static str) -> Option<String> {
    use_query_params().remove(name)
}

/// Every parameter of the current address's query, decoded (a list page's filter).
#[hook]
pub fn use_query_params() -> HashMap<String, String> {
    let location = use_location();
    location
        .and_then(|l| l.query::<HashMap<String, String>>().ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect()
}
