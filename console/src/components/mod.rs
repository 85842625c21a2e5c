//! Widgets and helpers that more than one page uses. Pages import these, never each other.

pub mod color_field;
pub mod confirm;
pub mod copy_button;
pub mod dates;
pub mod drill;
pub mod field;
pub mod link;
pub mod load;
pub mod owners_only;
pub mod pager;
pub mod past_due_banner;
pub mod user_errors;
pub mod verify_banner;
pub mod workshop_switcher;
