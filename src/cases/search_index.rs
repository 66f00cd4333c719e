//! The search index of cases (issue 19): each case's search keys (`domain::search_keys`) stored
//! where its backend looks them up fast — PostgreSQL a `TEXT[]` under a GIN index, SQLite a
//! contentless FTS5 table — and the look-up that narrows `?q=` to the cases holding the
//! query's keys before `LIKE` rechecks them. The one module that knows the two layouts, so their
//! backend-specific SQL stays here (docs/performance.md, "Search at province scale").
//!
//! Whatever changes a case's search text or office calls [`refresh`] in the same transaction:
//! a search never misses a case its `LIKE` would find. Cases written before the index existed
//! are keyed at startup by [`index_missing`].

pub mod key_counts;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};

use crate::db::{write_transaction, DbConnection};
use crate::domain::search_keys;
use crate::schema::cases;

/// How many cases [`index_missing`] keys per transaction: short enough that a node serving
/// meanwhile (or a second node starting) waits briefly for SQLite's single writer.
const BATCH: i64 = 1_000;

/// Rewrites the search keys of case `case_id` from its current search text and office. Call in
/// the transaction that changed either, after the change.
pub fn refresh(connection: &mut DbConnection, case_id: &str) -> QueryResult<()> {
    let (text, office): (String, String) = cases::table
        .find(case_id)
        .select((cases::search_text, cases::office_id))
        .first(connection)?;
    store(connection, case_id, &text, &office)
}

/// [`refresh`] for a writer that holds the case's search text and office as it wrote them
/// (intake): the same keys, without reading the case back.
pub fn store(
    connection: &mut DbConnection,
    case_id: &str,
    search_text: &str,
    office_id: &str,
) -> QueryResult<()> {
    let keys = search_keys::case_keys(search_text, office_id).join(" ");
    if connection.is_postgres() {
        diesel::sql_query(
            "INSERT INTO case_search (case_id, keys) VALUES ($1, string_to_array($2, ' ')) \
             ON CONFLICT (case_id) DO UPDATE SET keys = excluded.keys",
        )
        .bind::<Text, _>(case_id)
        .bind::<Text, _>(&keys)
        .execute(connection)?;
    } else {
        write_sqlite(connection, case_id, &keys, true)?;
    }
    Ok(())
}

/// Writes one case's keys on SQLite: a `case_search_docs` row gives the case a stable integer
/// (the FTS rowid), then its old keys (if any) are deleted and the new ones inserted. With
/// `replace` false, a case that already has keys is left alone (the backfill's rule).
fn write_sqlite(
    connection: &mut DbConnection,
    case_id: &str,
    keys: &str,
    replace: bool,
) -> QueryResult<()> {
    let added: Vec<Doc> = diesel::sql_query(
        "INSERT INTO case_search_docs (case_id) VALUES ($1) ON CONFLICT (case_id) DO NOTHING \
         RETURNING doc",
    )
    .bind::<Text, _>(case_id)
    .load(connection)?;
    let doc = match added.first() {
        Some(added) => added.doc,
        None if !replace => return Ok(()),
        None => {
            let Doc { doc } =
                diesel::sql_query("SELECT doc FROM case_search_docs WHERE case_id = $1")
                    .bind::<Text, _>(case_id)
                    .get_result(connection)?;
            diesel::sql_query("DELETE FROM case_search WHERE rowid = $1")
                .bind::<BigInt, _>(doc)
                .execute(connection)?;
            doc
        }
    };
    diesel::sql_query("INSERT INTO case_search (rowid, keys) VALUES ($1, $2)")
        .bind::<BigInt, _>(doc)
        .bind::<Text, _>(keys)
        .execute(connection)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Doc {
    #[diesel(sql_type = BigInt)]
    doc: i64,
}

/// A case without keys, as [`index_missing`] reads it.
#[derive(QueryableByName)]
struct Unkeyed {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    search_text: String,
    #[diesel(sql_type = Text)]
    office_id: String,
}

/// Keys every case that has none yet (written before this index existed, or by SQL outside the
/// service such as the benchmark's copies), in batches of [`BATCH`] in id order; returns how
/// many it keyed. A second node doing the same at once is harmless: a case keyed by the other
/// node first keeps its keys (the same ones). A no-op once done.
pub fn index_missing(connection: &mut DbConnection) -> QueryResult<usize> {
    let unkeyed = if connection.is_postgres() {
        "SELECT c.id, c.search_text, c.office_id FROM cases c WHERE c.id > $1 \
         AND NOT EXISTS (SELECT 1 FROM case_search s WHERE s.case_id = c.id) \
         ORDER BY c.id LIMIT $2"
    } else {
        "SELECT c.id, c.search_text, c.office_id FROM cases c WHERE c.id > $1 \
         AND NOT EXISTS (SELECT 1 FROM case_search_docs d WHERE d.case_id = c.id) \
         ORDER BY c.id LIMIT $2"
    };
    let mut after = String::new();
    let mut keyed = 0;
    loop {
        let batch = write_transaction(connection, |connection| {
            let rows: Vec<Unkeyed> = diesel::sql_query(unkeyed)
                .bind::<Text, _>(&after)
                .bind::<BigInt, _>(BATCH)
                .load(connection)?;
            write_batch(connection, &rows)?;
            Ok::<_, diesel::result::Error>(rows)
        })?;
        let Some(last) = batch.last() else {
            return Ok(keyed);
        };
        after = last.id.clone();
        keyed += batch.len();
    }
}

/// Writes the keys of `rows`, leaving any case another node keyed meanwhile as it is.
fn write_batch(connection: &mut DbConnection, rows: &[Unkeyed]) -> QueryResult<()> {
    let keys: Vec<String> = rows
        .iter()
        .map(|row| search_keys::case_keys(&row.search_text, &row.office_id).join(" "))
        .collect();
    match connection {
        // One statement per batch: a million cases are keyed in minutes, not an hour.
        DbConnection::Postgresql(pg) => {
            let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
            diesel::sql_query(
                "INSERT INTO case_search (case_id, keys) \
                 SELECT id, string_to_array(k, ' ') FROM unnest($1::text[], $2::text[]) AS t(id, k) \
                 ON CONFLICT (case_id) DO NOTHING",
            )
            .bind::<Array<Text>, _>(ids)
            .bind::<Array<Text>, _>(&keys)
            .execute(pg)?;
        }
        DbConnection::Sqlite(_) => {
            for (row, keys) in rows.iter().zip(&keys) {
                write_sqlite(connection, &row.id, keys, false)?;
            }
        }
    }
    Ok(())
}

/// A search narrows to at most this many candidates. A query held by more cases than this
/// (`鹤山市`, an office's case number prefix) is common enough that the scope's newest cases
/// hold a page of matches: it filters the scope as before, instead of sorting thousands of
/// candidates (measured in docs/performance.md).
pub const MAX_CANDIDATES: i64 = 1_000;

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = Text)]
    case_id: String,
}

/// The ids of the cases holding every key of the lower-cased query `text` (those of `office`
/// when the search is within that one office), plus the cases a party's ID number hash names
/// when `q` is an exact ID number: a superset of the matches, which the caller rechecks with
/// its `LIKE` (and ID number) filter. `None` when there is nothing to narrow by: `text` has no
/// trigram (one or two characters), or more than [`MAX_CANDIDATES`] cases hold its keys.
pub fn candidates(
    connection: &mut DbConnection,
    office: Option<&str>,
    text: &str,
    id_number_hash: Option<&str>,
) -> QueryResult<Option<Vec<String>>> {
    let keys = search_keys::query_keys(text, office);
    if keys.is_empty() {
        return Ok(None);
    }
    let (lookup, keys) = match connection {
        // `@>` with every key: GIN's fast scan advances the frequent keys' postings only to
        // the candidates of the rare ones.
        DbConnection::Postgresql(_) => (
            "SELECT case_id FROM case_search WHERE keys @> string_to_array($1, ' ')",
            keys.join(" "),
        ),
        // FTS5 ANDs space-separated phrases; each key is one token of [0-9a-z]. It reads
        // each key's whole list, so only the rarest few are asked for (`key_counts`).
        DbConnection::Sqlite(sqlite) => (
            "SELECT d.case_id FROM case_search s JOIN case_search_docs d ON d.doc = s.rowid \
             WHERE case_search MATCH $1",
            key_counts::rarest(sqlite, &keys)?
                .iter()
                .map(|key| format!("\"{key}\""))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    let found: Vec<Candidate> = match id_number_hash {
        Some(hash) => diesel::sql_query(format!(
            "{lookup} UNION SELECT case_id FROM case_parties WHERE id_number_hash = $2 LIMIT $3"
        ))
        .bind::<Text, _>(keys)
        .bind::<Text, _>(hash)
        .bind::<BigInt, _>(MAX_CANDIDATES + 1)
        .load(connection)?,
        None => diesel::sql_query(format!("{lookup} LIMIT $2"))
            .bind::<Text, _>(keys)
            .bind::<BigInt, _>(MAX_CANDIDATES + 1)
            .load(connection)?,
    };
    if found.len() as i64 > MAX_CANDIDATES {
        return Ok(None);
    }
    Ok(Some(found.into_iter().map(|c| c.case_id).collect()))
}
