//! `events(after, first, types)`: the workshop's stored events in the order they committed, with
//! the same messages as webhooks, so that an integrator who was away catches up. Events are kept
//! for the workshop's event retention (30 days by default; `privacySettings`).

use async_graphql::{Context, Json, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use crate::auth::ApiScope;
use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::events::{PUBLIC_TYPES, Replayed, StoredEvent, replay};
use crate::pagination::{MAX_PAGE_SIZE, PageInfo};

const DEFAULT_FIRST: i32 = 50;

/// One stored event as integrators see it.
pub struct ReplayedEvent(StoredEvent);

#[Object]
impl ReplayedEvent {
    /// The event's id: webhooks send it as `webhook-id: msg_<id>`.
    async fn id(&self) -> String {
        self.0.id.map(|id| id.to_string()).unwrap_or_default()
    }
    /// The public type (`lead.created`, …).
    async fn r#type(&self) -> &'static str {
        self.0.event.public_type().unwrap_or_default()
    }
    async fn timestamp(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The webhook body's `data`: the ids of what happened.
    async fn data(&self) -> Json<serde_json::Value> {
        Json(self.0.event.public_data())
    }
}

#[derive(SimpleObject)]
pub struct ReplayedEventEdge {
    pub cursor: String,
    pub node: ReplayedEvent,
}

#[derive(SimpleObject)]
pub struct ReplayedEventConnection {
    pub edges: Vec<ReplayedEventEdge>,
    pub page_info: PageInfo,
}

fn cursor(xid: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("ev:{xid}:{id}"))
}

fn parse_cursor(text: &str) -> Option<(i64, i64)> {
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
    let (xid, id) = decoded.strip_prefix("ev:")?.split_once(':')?;
    Some((xid.parse().ok()?, id.parse().ok()?))
}

#[derive(Default)]
pub struct ReplayQuery;

#[Object]
impl ReplayQuery {
    /// The workshop's events after `after` (an `endCursor`; from the oldest kept when absent),
    /// oldest first, of `types` (all when absent). A page ends before events of transactions
    /// that are still running, so paging on with `endCursor` never skips one. Owners, staff and
    /// API tokens with `LEADS_READ`.
    #[graphql(complexity = "first.unwrap_or(50).max(0) as usize * child_complexity")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
        types: Option<Vec<String>>,
    ) -> ApiResult<ReplayedEventConnection> {
        let tenant = ctx.principal().tenant(Some(ApiScope::LeadsRead))?;
        let first = first.unwrap_or(DEFAULT_FIRST);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(ApiError::BadRequest(format!(
                "`first` must be between 0 and {MAX_PAGE_SIZE}."
            )));
        }
        let after =
            match after {
                Some(text) => Some(parse_cursor(&text).ok_or_else(|| {
                    ApiError::BadRequest("`after` is not an events cursor.".into())
                })?),
                None => None,
            };
        let kinds = match &types {
            Some(types) => {
                let mut kinds = Vec::new();
                for t in types {
                    let kind = PUBLIC_TYPES
                        .iter()
                        .find(|(_, public)| public == t)
                        .map(|(kind, _)| *kind)
                        .ok_or_else(|| {
                            ApiError::BadRequest(format!("`types`: unknown event type {t:?}."))
                        })?;
                    kinds.push(kind);
                }
                Some(kinds)
            }
            None => None,
        };
        let mut conn = ctx.platform().conn().await?;
        let mut rows: Vec<Replayed> = replay(
            &mut conn,
            tenant,
            after,
            kinds.as_deref(),
            i64::from(first) + 1,
        )
        .await?;
        let has_next_page = rows.len() > usize::try_from(first).unwrap_or(0);
        rows.truncate(usize::try_from(first).unwrap_or(0));
        let edges: Vec<ReplayedEventEdge> = rows
            .into_iter()
            .map(|r| ReplayedEventEdge {
                cursor: cursor(r.xid, r.event.id.unwrap_or_default()),
                node: ReplayedEvent(r.event),
            })
            .collect();
        // At the end, the cursor to come back with is the last one seen (or the one given).
        let end_cursor = edges
            .last()
            .map(|e| e.cursor.clone())
            .or_else(|| after.map(|(x, i)| cursor(x, i)));
        Ok(ReplayedEventConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: after.is_some(),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor,
            },
            edges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_strangers_are_refused() {
        assert_eq!(parse_cursor(&cursor(812, 44)), Some((812, 44)));
        assert_eq!(parse_cursor("44"), None);
        assert_eq!(parse_cursor(&URL_SAFE_NO_PAD.encode("ev:x:1")), None);
    }
}
