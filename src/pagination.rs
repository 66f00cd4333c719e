//! Keyset pagination, newest first: `?limit=` (default 50, max 200) and an opaque `?cursor=`.
//!
//! The cursor encodes the `(created_at, id)` of the last item served; the next page continues
//! strictly after it in `ORDER BY created_at DESC, id DESC`, so pages stay stable while rows
//! are inserted and cost the same at page 1 and page 10,000 (no OFFSET). The lists inside a
//! case (parties, referrals, sessions, payments, documents) run the other way, oldest first
//! (`keyset_page_oldest_first!`), with the same cursor over their own ordering key.

use base64::Engine;
use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The query parameters every list accepts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    /// Continue after this `(created_at, id)`.
    pub after: Option<(NaiveDateTime, String)>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: crate::msg!("detail.invalid_query.limit", max = MAX_LIMIT),
            });
        }
        // A blank cursor is no cursor: a form with an empty field sends `?cursor=`.
        let cursor = self.cursor.as_deref().filter(|c| !c.trim().is_empty());
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(PageRequest { limit, after })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paginated<T> {
    /// Builds the page from up to `limit + 1` rows fetched in keyset order: the extra row only
    /// tells whether another page exists. `key` gives a row's `(created_at, id)`.
    pub fn from_rows(
        mut rows: Vec<T>,
        page: &PageRequest,
        key: impl Fn(&T) -> (NaiveDateTime, &str),
    ) -> Self {
        let has_more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|row| {
                let (at, id) = key(row);
                encode_cursor(at, id)
            })
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// A bounded list answered whole, as the one and last page (`next_cursor: null`).
    pub fn whole(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paginated<U> {
        Paginated {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

fn encode_cursor(at: NaiveDateTime, id: &str) -> String {
    let at = at.and_utc();
    // Times the service writes are whole microseconds; a time a client sent (a payment's
    // `paid_at`, a session's `scheduled_at`) may carry nanoseconds, which SQLite keeps. They
    // follow the microseconds as `.nnn`, so the next page starts exactly after the last row.
    let raw = match at.timestamp_subsec_nanos() % 1000 {
        0 => format!("{}|{id}", at.timestamp_micros()),
        nanos => format!("{}.{nanos:03}|{id}", at.timestamp_micros()),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(cursor: &str) -> Result<(NaiveDateTime, String), AppError> {
    let invalid = || AppError::BadRequest {
        code: "invalid_cursor",
        detail: crate::msg!("detail.invalid_cursor"),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (time, id) = text.split_once('|').ok_or_else(invalid)?;
    let (micros, nanos) = match time.split_once('.') {
        None => (time, 0),
        Some((micros, nanos)) if nanos.len() == 3 && nanos.bytes().all(|b| b.is_ascii_digit()) => {
            (micros, nanos.parse::<i64>().map_err(|_| invalid())?)
        }
        Some(_) => return Err(invalid()),
    };
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .and_then(|at| at.checked_add_signed(chrono::Duration::nanoseconds(nanos)))
        .ok_or_else(invalid)?;
    Ok((at.naive_utc(), id.to_owned()))
}

/// Applies keyset order, the cursor and `limit + 1` to a boxed diesel query over a table with
/// `created_at` and `id` columns — or, with four arguments, over two columns that carry a row's
/// `created_at` and `id` (a partner's case list walks `case_partner_offices`' copies of them).
#[macro_export]
macro_rules! keyset_page {
    ($query:expr, $table:ident, $page:expr) => {
        $crate::keyset_page!($query, $table::created_at, $table::id, $page)
    };
    ($query:expr, $created_at:expr, $id:expr, $page:expr) => {{
        use diesel::prelude::*;
        let mut query = $query;
        if let Some((at, id)) = &$page.after {
            query = query.filter(
                $created_at
                    .lt(*at)
                    .or($created_at.eq(*at).and($id.lt(id.clone()))),
            );
        }
        query
            .order(($created_at.desc(), $id.desc()))
            .limit($page.limit + 1)
    }};
}

/// Applies keyset order oldest first — `ORDER BY <key> ASC, id ASC` — the cursor and
/// `limit + 1` to a boxed diesel query. The lists inside a case use it: they read in the order
/// things happened (`created_at`, or a payment's `paid_at`, a session's `scheduled_at`), and
/// a page continues strictly after the `(key, id)` of the previous page's last item.
#[macro_export]
macro_rules! keyset_page_oldest_first {
    ($query:expr, $table:ident, $key:ident, $page:expr) => {{
        use diesel::prelude::*;
        let mut query = $query;
        if let Some((at, id)) = &$page.after {
            query = query.filter(
                $table::$key
                    .gt(*at)
                    .or($table::$key.eq(*at).and($table::id.gt(id.clone()))),
            );
        }
        query
            .order(($table::$key.asc(), $table::id.asc()))
            .limit($page.limit + 1)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let at = DateTime::from_timestamp_micros(1_763_600_000_123_456)
            .unwrap()
            .naive_utc();
        let cursor = encode_cursor(at, "0194-abc");
        let query = PageQuery {
            limit: Some(10),
            cursor: Some(cursor),
        };
        assert_eq!(
            query.parse().unwrap().after,
            Some((at, "0194-abc".to_owned()))
        );
    }

    #[test]
    fn a_cursor_keeps_the_nanoseconds_a_client_sent() {
        let at = DateTime::from_timestamp(1_763_600_000, 123_456_789)
            .unwrap()
            .naive_utc();
        let query = PageQuery {
            limit: None,
            cursor: Some(encode_cursor(at, "p-1")),
        };
        assert_eq!(query.parse().unwrap().after, Some((at, "p-1".to_owned())));
        let before_1970 = DateTime::from_timestamp(-1, 999_999_001)
            .unwrap()
            .naive_utc();
        let query = PageQuery {
            limit: None,
            cursor: Some(encode_cursor(before_1970, "p-2")),
        };
        assert_eq!(
            query.parse().unwrap().after,
            Some((before_1970, "p-2".to_owned()))
        );
        for forged in ["1.5|x", "1.abc|x", "1.0001|x", "1.|x"] {
            let query = PageQuery {
                limit: None,
                cursor: Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged)),
            };
            assert_eq!(
                query.parse().unwrap_err().code(),
                "invalid_cursor",
                "{forged}"
            );
        }
    }

    #[test]
    fn limits_outside_1_to_200_and_forged_cursors_are_refused() {
        for limit in [0, 201, -1] {
            assert!(PageQuery {
                limit: Some(limit),
                cursor: None
            }
            .parse()
            .is_err());
        }
        let forged = PageQuery {
            limit: None,
            cursor: Some("not-a-cursor!".into()),
        };
        assert_eq!(forged.parse().unwrap_err().code(), "invalid_cursor");
    }

    #[test]
    fn the_extra_row_produces_a_next_cursor() {
        let at = DateTime::from_timestamp(1_763_600_000, 0)
            .unwrap()
            .naive_utc();
        let page = PageRequest {
            limit: 2,
            after: None,
        };
        let rows = vec![
            (at, "c".to_string()),
            (at, "b".to_string()),
            (at, "a".to_string()),
        ];
        let paginated = Paginated::from_rows(rows, &page, |(at, id)| (*at, id.as_str()));
        assert_eq!(paginated.items.len(), 2);
        assert!(paginated.next_cursor.is_some());
        let last = Paginated::from_rows(vec![(at, "a".to_string())], &page, |(at, id)| {
            (*at, id.as_str())
        });
        assert!(last.next_cursor.is_none());
    }
}
