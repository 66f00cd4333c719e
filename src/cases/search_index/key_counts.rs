//! How many cases hold each search key, on SQLite: the look-up then asks FTS5 for the query's
//! rarest keys only (issue 19).
//!
//! FTS5 answers `MATCH '"k1" "k2" …'` by reading every key's whole list of cases and
//! intersecting them. The trigrams every employer name shares (`鹤山市`) hold every case of the
//! office, so at a million cases they cost more than the rest together, and cut nothing. Any
//! subset of a query's keys still finds every case holding them all (the caller's `LIKE`
//! rechecks), so the look-up may leave the frequent ones out.
//!
//! The counts come from `case_search_vocab` (an `fts5vocab` view of the index), which also reads
//! each key's list to count it: as dear as the search it saves, once. So they are kept in memory
//! for [`KEEP_FOR`]: a count that is stale only makes a search slower, never wrong. The cache is
//! per process and not per database; a count from another database (tests run many) is as
//! harmless as a stale one.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::SqliteConnection;

/// How many of a query's keys are looked up: the rarest this many. Two cut the full employer
/// name of the benchmark to about a hundred candidates of an office of 20,000; a third costs
/// little and cuts more (docs/performance.md, "Search at province scale").
pub const RAREST: usize = 3;

/// How long a key's count is trusted.
const KEEP_FOR: Duration = Duration::from_secs(600);

/// The most counts kept; past it the cache starts over (a few bytes each).
const MOST_KEPT: usize = 100_000;

type Counts = HashMap<String, (i64, Instant)>;

fn cache() -> &'static Mutex<Counts> {
    static COUNTS: OnceLock<Mutex<Counts>> = OnceLock::new();
    COUNTS.get_or_init(|| Mutex::new(HashMap::new()))
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    term: String,
    #[diesel(sql_type = BigInt)]
    doc: i64,
}

/// The [`RAREST`] keys of `keys` by how many cases hold them, rarest first (all of them when
/// there are no more). A key no case holds counts 0: the search then finds nothing at once.
pub fn rarest(connection: &mut SqliteConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    if keys.len() <= RAREST {
        return Ok(keys.to_vec());
    }
    let now = Instant::now();
    let mut counts: Vec<(i64, &String)> = Vec::with_capacity(keys.len());
    let mut unknown: Vec<&String> = Vec::new();
    {
        let cache = cache().lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            match cache.get(key) {
                Some(&(count, at)) if now.duration_since(at) < KEEP_FOR => {
                    counts.push((count, key))
                }
                _ => unknown.push(key),
            }
        }
    }
    if !unknown.is_empty() {
        let placeholders = vec!["?"; unknown.len()].join(", ");
        let mut query = diesel::sql_query(format!(
            "SELECT term, doc FROM case_search_vocab WHERE term IN ({placeholders})"
        ))
        .into_boxed::<diesel::sqlite::Sqlite>();
        for key in &unknown {
            query = query.bind::<Text, _>(key.as_str());
        }
        let found: Vec<KeyCount> = query.load(connection)?;
        let found: HashMap<String, i64> = found.into_iter().map(|k| (k.term, k.doc)).collect();
        let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() + unknown.len() > MOST_KEPT {
            cache.clear();
        }
        for key in unknown {
            let count = found.get(key.as_str()).copied().unwrap_or(0);
            cache.insert(key.clone(), (count, now));
            counts.push((count, key));
        }
    }
    Ok(pick_rarest(counts))
}

/// The [`RAREST`] keys with the lowest counts, rarest first; ties in the query's order.
fn pick_rarest(mut counts: Vec<(i64, &String)>) -> Vec<String> {
    counts.sort_by_key(|&(count, _)| count);
    counts
        .into_iter()
        .take(RAREST)
        .map(|(_, key)| key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_keys_are_kept_and_the_ones_every_case_holds_left_out() {
        let keys: Vec<String> = ["city", "place", "trade", "kind", "number"]
            .map(String::from)
            .into();
        let counts = vec![
            (20_000, &keys[0]),
            (2_000, &keys[1]),
            (200, &keys[2]),
            (6_700, &keys[3]),
            (650, &keys[4]),
        ];
        assert_eq!(pick_rarest(counts), ["trade", "number", "place"]);
    }

    #[test]
    fn equal_counts_keep_the_query_order() {
        let keys: Vec<String> = ["a", "b", "c", "d"].map(String::from).into();
        let counts = keys.iter().map(|k| (5, k)).collect();
        assert_eq!(pick_rarest(counts), ["a", "b", "c"]);
    }
}
