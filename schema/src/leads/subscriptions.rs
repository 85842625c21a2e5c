//! `leadEvents`: new and changed leads, live, resumable after a cursor.

use async_graphql::{Context, Enum, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};

use super::lead::Lead;
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
            after,
            |stored| {
                matches!(
                    stored.event,
                    Event::LeadCreated { .. } | Event::LeadUpdated { .. }
                )
            },
        );
        Ok(stream.filter_map(move |stored| {
            let cursor = stored.cursor();
            let (kind, row) = match stored.event {
                Event::LeadCreated { lead } => (LeadEventKind::Created, lead),
                Event::LeadUpdated { lead, .. } => (LeadEventKind::Updated, lead),
                _ => return futures_util::future::ready(None),
            };
            futures_util::future::ready(cursor.map(|cursor| LeadEvent {
                cursor,
                kind,
                lead: Lead { row, tenant },
            }))
        }))
    }
}
