//! `leadEvents`: new and changed leads, live, resumable after a cursor.

use async_graphql::{Context, Enum, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};

use super::lead::{Lead, LeadLoader};
use crate::auth::ApiScope;
use crate::context::Ctx;
use crate::events::{self, Event};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadEventKind {
    Created,
    Updated,
}

#[derive(SimpleObject)]
pub struct LeadEvent {
    pub cursor: String,
    pub kind: LeadEventKind,
    pub lead: Lead,
}

#[derive(Default)]
pub struct LeadSubscription;

#[Subscription]
impl LeadSubscription {
    /// New and changed leads of the workshop (users, and API tokens with LEADS_READ).
    async fn lead_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = LeadEvent> + use<>> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsRead))?;
        let after = events::parse_cursor(after)?;
        let platform = ctx.platform();
        let stream = events::follow(
            platform.pool.clone(),
            platform.events.as_ref(),
            tenant,
            events::Following::of(ctx, after),
            |stored| {
                matches!(
                    stored.event,
                    Event::LeadCreated { .. } | Event::LeadUpdated { .. }
                )
            },
        );
        let leads = ctx.shared_loader::<LeadLoader>();
        Ok(stream.filter_map(move |stored| {
            let leads = leads.clone();
            async move {
                let cursor = stored.cursor()?;
                let (kind, id) = match stored.event {
                    Event::LeadCreated { lead_id, .. } => (LeadEventKind::Created, lead_id),
                    Event::LeadUpdated { lead_id, .. } => (LeadEventKind::Updated, lead_id),
                    _ => return None,
                };
                // The lead as it is now (an erased one shows no contact data any more).
                let row = leads
                    .load_one((tenant, id))
                    .await
                    .inspect_err(|error| tracing::warn!(?error, "loading the lead of an event"))
                    .ok()??;
                Some(LeadEvent {
                    cursor,
                    kind,
                    lead: Lead { row, tenant },
                })
            }
        }))
    }
}
