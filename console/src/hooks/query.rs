//! The parameters of the address's query (`?token=…`, `?workshop=…`), as e-mail links carry them.

use std::collections::HashMap;

use yew::prelude::*;
use yew_router::prelude::use_location;

/// The value of the query parameter `name` of the current address, decoded.
#[hook]
pub fn use_query_param(name: &'static str) -> Option<String> {
    let location = use_location();
    location
        .and_then(|l| l.query::<HashMap<String, String>>().ok())
        .and_then(|mut query| query.remove(name))
        .filter(|value| !value.is_empty())
}
