//! Hooks that more than one page uses.

pub mod confirm;
pub mod navigate;
pub mod query;
pub mod reload;
pub mod switch_workshop;
