//! Relay connections: bounded pages and opaque keyset cursors.

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// A checked page request: `first` within 0..=100, `after` a cursor of this list.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub first: i64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

impl Page {
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(ApiError::BadRequest(format!(
                "`first` must be between 0 and {MAX_PAGE_SIZE}."
            )));
        }
        let after = after
            .map(|cursor| {
                decode_cursor(&cursor).ok_or_else(|| {
                    ApiError::BadRequest("`after` is not a cursor of this list.".into())
                })
            })
            .transpose()?;
        Ok(Self {
            first: i64::from(first),
            after,
        })
    }

    /// Rows to fetch: one more than asked, to learn whether there is a next page.
    pub fn limit(&self) -> i64 {
        self.first + 1
    }
}

pub fn encode_cursor(created_at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", created_at.timestamp_micros()))
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let (micros, id) = std::str::from_utf8(&raw).ok()?.split_once('|')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        Uuid::parse_str(id).ok()?,
    ))
}

/// A page of a list ordered by something other than creation (e.g. search relevance): the
/// cursor is the position in the list.
#[derive(Debug, Clone, Copy)]
pub struct OffsetPage {
    pub first: i64,
    pub offset: i64,
}

impl OffsetPage {
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = Page::new(first, None)?.first;
        let offset = match after {
            None => 0,
            Some(cursor) => URL_SAFE_NO_PAD
                .decode(&cursor)
                .ok()
                .and_then(|raw| {
                    String::from_utf8(raw)
                        .ok()?
                        .strip_prefix("o:")?
                        .parse::<i64>()
                        .ok()
                })
                .filter(|n| *n >= 0)
                .map(|n| n + 1)
                .ok_or_else(|| {
                    ApiError::BadRequest("`after` is not a cursor of this list.".into())
                })?,
        };
        Ok(Self { first, offset })
    }

    /// Edges and page info for `rows` fetched with `LIMIT first + 1 OFFSET offset`.
    pub fn edges<T>(&self, mut rows: Vec<T>) -> (Vec<(String, T)>, PageInfo) {
        let has_next_page = rows.len() as i64 > self.first;
        rows.truncate(self.first as usize);
        let edges: Vec<(String, T)> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                (
                    URL_SAFE_NO_PAD.encode(format!("o:{}", self.offset + i as i64)),
                    row,
                )
            })
            .collect();
        let info = PageInfo {
            has_next_page,
            has_previous_page: self.offset > 0,
            start_cursor: edges.first().map(|(c, _)| c.clone()),
            end_cursor: edges.last().map(|(c, _)| c.clone()),
        };
        (edges, info)
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// Builds the edges and page info of a newest-first list from `rows` fetched with [`Page::limit`].
pub fn edges<T>(
    page: &Page,
    mut rows: Vec<T>,
    key: impl Fn(&T) -> (DateTime<Utc>, Uuid),
) -> (Vec<(String, T)>, PageInfo) {
    let has_next_page = rows.len() as i64 > page.first;
    rows.truncate(page.first as usize);
    let edges: Vec<(String, T)> = rows
        .into_iter()
        .map(|row| {
            let (at, id) = key(&row);
            (encode_cursor(at, id), row)
        })
        .collect();
    let info = PageInfo {
        has_next_page,
        has_previous_page: page.after.is_some(),
        start_cursor: edges.first().map(|(c, _)| c.clone()),
        end_cursor: edges.last().map(|(c, _)| c.clone()),
    };
    (edges, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_cursors_round_trip() {
        assert!(Page::new(Some(101), None).is_err());
        assert!(Page::new(Some(-1), None).is_err());
        assert!(Page::new(None, Some("bogus".into())).is_err());
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).expect("time");
        let id = Uuid::new_v4();
        let page = Page::new(Some(5), Some(encode_cursor(at, id))).expect("page");
        assert_eq!(page.after, Some((at, id)));
        assert_eq!(page.limit(), 6);
    }
}
