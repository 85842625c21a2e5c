//! Leads: the requests visitors leave through the widget, with their consent and estimated
//! value, and the workshop's follow-up (status, notes). How they are stored, changed and
//! streamed is all in this folder (their row type is `db::rows::LeadRow`).

pub mod export;
pub mod follow_up;
pub mod lead;
pub mod list;
pub mod notify;
pub mod submit;
pub mod subscriptions;

use async_graphql::MergedObject;

pub use lead::{Lead, LeadLoader, LeadNote, LeadRow, LeadStatus, NoteLoader, NoteRow, find};

#[derive(MergedObject, Default)]
pub struct LeadsQuery(list::LeadListQuery);

#[derive(MergedObject, Default)]
pub struct LeadsMutation(
    submit::SubmitLeadMutation,
    follow_up::FollowUpMutation,
    export::ExportLeadsMutation,
);
