//! Search keys: what the search index stores for a case and looks up for `?q=`.
//!
//! `?q=` is a substring search over a case's search text (case number, employer and party names,
//! one per line). A substring of three or more characters contains every character trigram of
//! itself, so the cases that hold all of a query's trigrams are a superset of those that match;
//! the query rechecks them with `LIKE` and the results are exactly the substring search's
//! (docs/performance.md, "Search at province scale").
//!
//! Each trigram is stored twice: once qualified by the case's office, so a mediator's search
//! reads only their office's postings (every employer name in a province shares the city's
//! trigrams, 鹤山市…), and once global, for scopes of several offices. A key is one token of
//! `[0-9a-z]`: FTS5's `unicode61` tokenizer keeps it whole and PostgreSQL stores it as plain text.

use std::collections::BTreeSet;

/// At most this many keys are looked up per query: spread over the query so that together they
/// still cover all of it. More keys cost more index look-ups and cut few candidates (measured in
/// docs/performance.md).
pub const MAX_QUERY_KEYS: usize = 6;

/// The keys of a case: every distinct trigram of every line of `search_text`, once global and
/// once qualified by `office_id`; sorted, so a rewrite of unchanged keys writes the same value.
pub fn case_keys(search_text: &str, office_id: &str) -> Vec<String> {
    let tag = office_tag(office_id);
    let trigrams = trigrams(search_text);
    let mut keys: Vec<String> = trigrams
        .iter()
        .map(|t| global_key(*t))
        .chain(trigrams.iter().map(|t| office_key(&tag, *t)))
        .collect();
    keys.sort_unstable();
    keys
}

/// The keys to look up for the lower-cased query `q`: those of `office` when the search is
/// within one office, else the global ones. Empty when `q` has no trigram within a line (one or
/// two characters): then there is nothing to look up and the search scans as before.
pub fn query_keys(q: &str, office: Option<&str>) -> Vec<String> {
    let trigrams = spread(&ordered_trigrams(q), MAX_QUERY_KEYS);
    match office {
        Some(office) => {
            let tag = office_tag(office);
            trigrams.iter().map(|t| office_key(&tag, *t)).collect()
        }
        None => trigrams.into_iter().map(global_key).collect(),
    }
}

/// The distinct trigrams of `text`, each line on its own (a trigram never spans a line break),
/// ASCII letters folded to lower case: SQLite's `LIKE` ignores ASCII case, so a key must too.
fn trigrams(text: &str) -> BTreeSet<u64> {
    ordered_trigrams(text).into_iter().collect()
}

/// The distinct trigrams of `text` in the order they first occur.
fn ordered_trigrams(text: &str) -> Vec<u64> {
    let mut seen = BTreeSet::new();
    let mut ordered = Vec::new();
    for line in text.split('\n') {
        let chars: Vec<char> = line.chars().map(|c| c.to_ascii_lowercase()).collect();
        for window in chars.windows(3) {
            let packed = pack(window[0], window[1], window[2]);
            if seen.insert(packed) {
                ordered.push(packed);
            }
        }
    }
    ordered
}

/// At most `max` of `items`, the first, the last and the rest evenly between.
fn spread(items: &[u64], max: usize) -> Vec<u64> {
    if items.len() <= max {
        return items.to_vec();
    }
    let last = items.len() - 1;
    (0..max)
        .map(|i| items[(i * last + (max - 1) / 2) / (max - 1)])
        .collect()
}

/// Three code points (21 bits each) in one number: exact, so distinct trigrams never share a key.
fn pack(a: char, b: char, c: char) -> u64 {
    (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c)
}

fn global_key(trigram: u64) -> String {
    format!("g{}", base36(trigram))
}

fn office_key(tag: &str, trigram: u64) -> String {
    format!("o{tag}{}", base36(trigram))
}

/// Six hex digits of a stable hash (FNV-1a) of the office id. Two offices that share a tag only
/// share candidates, which the `LIKE` recheck and the office filter remove.
fn office_tag(office_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in office_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:06x}", hash >> 40)
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: &str = "0190a5c2-0000-7000-8000-000000000001";

    fn is_token(key: &str) -> bool {
        !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    }

    #[test]
    fn every_query_key_of_a_substring_is_a_key_of_the_case() {
        let text = "t00-2026-000123\n鹤山市沙坪家具有限厂0号\n张先生";
        let keys = case_keys(text, OFFICE);
        for q in [
            "沙坪家具",
            "鹤山市沙坪家具有限厂0号",
            "2026-0001",
            "张先生",
            "厂0号",
        ] {
            for office in [Some(OFFICE), None] {
                let wanted = query_keys(q, office);
                assert!(!wanted.is_empty(), "{q}");
                assert!(wanted.iter().all(|k| keys.contains(k)), "{q} {office:?}");
            }
        }
    }

    #[test]
    fn no_substring_of_any_line_is_ever_left_out() {
        let text = "sp-2026-000042\n鹤山市雅瑶电子实业厂12号\nfoo_bar 50% ltd\n欧阳修远";
        let keys = case_keys(text, OFFICE);
        for line in text.split('\n') {
            let chars: Vec<char> = line.chars().collect();
            for start in 0..chars.len() {
                for end in start + 1..=chars.len() {
                    let q: String = chars[start..end].iter().collect();
                    for office in [Some(OFFICE), None] {
                        let wanted = query_keys(&q, office);
                        assert_eq!(wanted.is_empty(), end - start < 3, "{q}");
                        assert!(wanted.iter().all(|k| keys.contains(k)), "{q}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_query_not_in_the_case_misses_at_least_one_key() {
        let keys = case_keys("鹤山市沙坪家具有限厂0号", OFFICE);
        let wanted = query_keys("鹤山市雅瑶", Some(OFFICE));
        assert!(wanted.iter().any(|k| !keys.contains(k)));
    }

    #[test]
    fn trigrams_never_span_two_lines() {
        let keys = case_keys("abc\ndef", OFFICE);
        // "abc" and "def", global and for the office: "bcd" would span the line break.
        assert_eq!(keys.len(), 4);
        assert!(!keys.contains(&query_keys("bcd", None)[0]));
        // A query across the break looks up only the trigrams within its lines.
        assert_eq!(query_keys("abc\nde", None), query_keys("abc", None));
    }

    #[test]
    fn one_or_two_characters_have_no_key() {
        assert!(query_keys("沙", None).is_empty());
        assert!(query_keys("沙坪", Some(OFFICE)).is_empty());
        assert!(query_keys("ab\ncd", None).is_empty());
        assert!(case_keys("ab", OFFICE).is_empty());
    }

    #[test]
    fn keys_are_single_tokens_of_digits_and_lower_case_letters() {
        let text = "A%_b\\c\n鹤山市\u{10FFFF}\u{10FFFF}\u{10FFFF}\n\"' x";
        let keys = case_keys(text, OFFICE);
        assert!(!keys.is_empty());
        assert!(keys.iter().all(|k| is_token(k)), "{keys:?}");
        assert!(keys
            .iter()
            .all(|k| k.starts_with('g') || k.starts_with('o')));
    }

    #[test]
    fn office_keys_differ_between_offices_and_from_global_keys() {
        let here = query_keys("沙坪家", Some(OFFICE));
        let there = query_keys("沙坪家", Some("0190a5c2-0000-7000-8000-000000000002"));
        let global = query_keys("沙坪家", None);
        assert_ne!(here, there);
        assert_ne!(here, global);
        assert_eq!(here[0].len(), global[0].len() + 6);
    }

    #[test]
    fn ascii_case_is_folded_like_sqlite_like() {
        assert_eq!(case_keys("ABC", OFFICE), case_keys("abc", OFFICE));
        assert_eq!(query_keys("T00", None), query_keys("t00", None));
    }

    #[test]
    fn distinct_trigrams_are_stored_once() {
        let keys = case_keys("aaaa\naaa", OFFICE);
        assert_eq!(keys.len(), 2);
    }

    #[test]
    fn long_queries_look_up_a_spread_that_starts_and_ends_with_the_query() {
        let q = "鹤山市沙坪家具有限厂0号";
        let all: Vec<String> = ordered_trigrams(q).into_iter().map(global_key).collect();
        let chosen = query_keys(q, None);
        assert_eq!(all.len(), 10);
        assert_eq!(chosen.len(), MAX_QUERY_KEYS);
        assert_eq!(chosen.first(), all.first());
        assert_eq!(chosen.last(), all.last());
        let mut unique = chosen.clone();
        unique.dedup();
        assert_eq!(unique.len(), chosen.len());
        assert!(chosen.iter().all(|k| all.contains(k)));
    }

    #[test]
    fn base36_is_exact() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        assert_eq!(
            u64::from_str_radix(&base36(u64::MAX), 36).unwrap(),
            u64::MAX
        );
    }
}
