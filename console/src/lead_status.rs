//! A lead's statuses in pipeline order, and the moves between them.

pub const STATUSES: [&str; 6] = ["NEW", "CONTACTED", "QUOTED", "BOOKED", "WON", "LOST"];

/// The moves the server allows (see the README): forward, WON after BOOKED, LOST from any open.
pub fn next_statuses(current: &str) -> Vec<&'static str> {
    let rank = |s: &str| STATUSES.iter().position(|x| *x == s).unwrap_or(0);
    match current {
        "WON" | "LOST" => vec![],
        _ => STATUSES
            .iter()
            .copied()
            .filter(|next| match *next {
                "LOST" => true,
                "WON" => current == "BOOKED",
                other => rank(other) > rank(current),
            })
            .collect(),
    }
}
