//! The roster of a collective dispute (LDMAL Art. 7: ten or more workers with a common claim, who
//! may elect representatives): worker by worker, what each claims, what the agreement gives
//! them, what has actually reached them, and who represents the others (docs/cases.md
//! "Collective disputes").
//!
//! Why a table beside `case_parties` rather than columns on it: a party is who someone is (and
//! carries protected personal data); an entry is money, written by other use cases (a payment's
//! allocations) at other times. The roster lists every worker party of the case, with an entry
//! or without one (then all zero): a row is written the first time a worker's amounts, their
//! representative mark or a payment to them is recorded. The workers elected as representatives
//! at intake (`role: representative`, a party of kind `representative`) are on it too. `paid_amount_fen` is only ever the sum
//! of the payment allocations to the worker, updated in the payment's own transaction.
//!
//! What counts is a pure rule in [`rules`]; reading and writing it in [`use_cases`]; the HTTP
//! side in [`handlers`].

pub mod handlers;
pub mod rules;
pub mod use_cases;

pub use use_cases::{list_for, set_entry};

use chrono::NaiveDateTime;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::{DbConnection, MultiBackend};
use crate::pagination::{PageRequest, Paginated};
use crate::parties::PartyKind;
use crate::schema::{case_parties, cases, roster_entries};

/// A roster entry as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = roster_entries)]
pub struct RosterEntry {
    pub party_id: String,
    pub case_id: String,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    pub paid_amount_fen: i64,
    pub representative: bool,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// One worker on the roster, as the API shows it (no ID or phone numbers: the parties list has
/// them, masked).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RosterEntryView {
    /// The worker party (`GET /cases/{id}/parties`).
    pub party_id: String,
    pub name: String,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// The sum of the payment allocations to this worker — never a promised amount.
    pub paid_amount_fen: i64,
    /// Elected by the workers to represent them (LDMAL Art. 7): marked here, or registered as a
    /// representative party at intake (then always true).
    pub representative: bool,
    /// Paid at least the agreed amount, and something was agreed.
    pub paid_in_full: bool,
    /// The entry's version, for `If-Match` on `PUT`; 0 while nothing was recorded for the worker.
    pub version: i32,
}

/// `PUT /cases/{id}/roster/{party_id}` body: the worker's amounts and mark, all of them (a PUT
/// replaces; the paid amount is not here, it comes from payments).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterEntryInput {
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    pub representative: bool,
}

/// A worker party (its id, name, creation time and kind) and their entry, if any.
type RosterRow = (
    String,
    String,
    NaiveDateTime,
    PartyKind,
    Option<RosterEntry>,
);

/// The parties on a roster: the workers, and the representatives the workers elected from among
/// themselves (intake's `role: representative`), who are workers too (LDMAL Art. 7).
const ON_ROSTER: [PartyKind; 2] = [PartyKind::Worker, PartyKind::Representative];

fn view_of((party_id, name, _, kind, entry): RosterRow) -> RosterEntryView {
    let (claimed, agreed, paid, representative, version) = entry.map_or((0, 0, 0, false, 0), |e| {
        (
            e.claimed_amount_fen,
            e.agreed_amount_fen,
            e.paid_amount_fen,
            e.representative,
            e.version,
        )
    });
    RosterEntryView {
        party_id,
        name,
        claimed_amount_fen: claimed,
        agreed_amount_fen: agreed,
        paid_amount_fen: paid,
        representative: representative || kind == PartyKind::Representative,
        paid_in_full: rules::paid_in_full(agreed, paid),
        version,
    }
}

/// The worker parties of a case with their entries, in the order they were added.
macro_rules! workers_with_entries {
    ($case_id:expr) => {
        case_parties::table
            .left_join(roster_entries::table)
            .filter(case_parties::case_id.eq($case_id.to_owned()))
            .filter(case_parties::kind.eq_any(ON_ROSTER))
            .select((
                case_parties::id,
                case_parties::name,
                case_parties::created_at,
                case_parties::kind,
                Option::<RosterEntry>::as_select(),
            ))
    };
}

/// A page of the roster of a case, oldest party first, in one query.
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> QueryResult<Paginated<RosterEntryView>> {
    let query = workers_with_entries!(case_id).into_boxed();
    let rows: Vec<RosterRow> =
        crate::keyset_page_oldest_first!(query, case_parties, created_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |(id, _, at, ..)| (*at, id.as_str())).map(view_of))
}

/// The whole roster of a case, for a page that shows it at once (the console's case page): one
/// query, at most `limit` workers.
pub fn whole_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    limit: i64,
) -> QueryResult<Vec<RosterEntryView>> {
    let rows: Vec<RosterRow> = workers_with_entries!(case_id)
        .order((case_parties::created_at.asc(), case_parties::id.asc()))
        .limit(limit)
        .load(connection)?;
    Ok(rows.into_iter().map(view_of).collect())
}

/// One worker of the case and their entry; `None` when the party is not a worker of that case.
pub fn worker_of_case(
    connection: &mut DbConnection,
    case_id: &str,
    party_id: &str,
) -> QueryResult<Option<RosterEntryView>> {
    let row: Option<RosterRow> = workers_with_entries!(case_id)
        .filter(case_parties::id.eq(party_id.to_owned()))
        .first(connection)
        .optional()?;
    Ok(row.map(view_of))
}

/// Of `party_ids`, those that are worker parties of the case, in one query.
pub fn workers_among(
    connection: &mut DbConnection,
    case_id: &str,
    party_ids: &[&str],
) -> QueryResult<Vec<String>> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .filter(case_parties::kind.eq_any(ON_ROSTER))
        .filter(case_parties::id.eq_any(party_ids.to_vec()))
        .select(case_parties::id)
        .load(connection)
}

/// Writes a worker's amounts and mark: the entry's next version, or its first.
pub fn save_entry(
    connection: &mut DbConnection,
    case_id: &str,
    party_id: &str,
    input: &RosterEntryInput,
    now: NaiveDateTime,
) -> QueryResult<RosterEntry> {
    let updated = diesel::update(roster_entries::table.find(party_id))
        .set((
            roster_entries::claimed_amount_fen.eq(input.claimed_amount_fen),
            roster_entries::agreed_amount_fen.eq(input.agreed_amount_fen),
            roster_entries::representative.eq(input.representative),
            roster_entries::version.eq(roster_entries::version + 1),
            roster_entries::updated_at.eq(now),
        ))
        .execute(connection)?;
    if updated == 0 {
        diesel::insert_into(roster_entries::table)
            .values(&RosterEntry {
                party_id: party_id.to_owned(),
                case_id: case_id.to_owned(),
                claimed_amount_fen: input.claimed_amount_fen,
                agreed_amount_fen: input.agreed_amount_fen,
                paid_amount_fen: 0,
                representative: input.representative,
                version: 1,
                updated_at: now,
            })
            .execute(connection)?;
    }
    roster_entries::table
        .find(party_id)
        .select(RosterEntry::as_select())
        .first(connection)
}

/// Adds `amount_fen` to what a worker was paid, writing their first entry if they had none.
/// Added in SQL, not read and rewritten, so two payments recorded at once both count.
pub fn add_paid(
    connection: &mut DbConnection,
    case_id: &str,
    party_id: &str,
    amount_fen: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(roster_entries::table.find(party_id))
        .set((
            roster_entries::paid_amount_fen.eq(roster_entries::paid_amount_fen + amount_fen),
            roster_entries::version.eq(roster_entries::version + 1),
            roster_entries::updated_at.eq(now),
        ))
        .execute(connection)?;
    if updated == 0 {
        diesel::insert_into(roster_entries::table)
            .values(&RosterEntry {
                party_id: party_id.to_owned(),
                case_id: case_id.to_owned(),
                claimed_amount_fen: 0,
                agreed_amount_fen: 0,
                paid_amount_fen: amount_fen,
                representative: false,
                version: 1,
                updated_at: now,
            })
            .execute(connection)?;
    }
    Ok(())
}

/// The entry of one party, if one was written (the worker's own share on the tracking page).
pub fn entry_of(connection: &mut DbConnection, party_id: &str) -> QueryResult<Option<RosterEntry>> {
    roster_entries::table
        .find(party_id)
        .select(RosterEntry::as_select())
        .first(connection)
        .optional()
}

/// How many workers on the rosters of the collective cases `cases_in` selects were paid in
/// full ([`rules::paid_in_full`], written in SQL here so the figure is a count, not a load): the figure
/// `collective_workers_paid_in_full`. `cases_in` is the figures' case scope (`stats::cases_in`).
pub fn count_paid_in_full(
    connection: &mut DbConnection,
    cases_in: Box<dyn BoxableExpression<cases::table, MultiBackend, SqlType = Bool>>,
) -> QueryResult<i64> {
    // `cases_in` is boxed for `cases` alone, so it cannot go into a join or a subquery here: the
    // ids are loaded, then counted in chunks that stay below both databases' limits on bound
    // parameters (SQLite 32,766; PostgreSQL 65,535).
    let collective_in_scope: Vec<String> = cases::table
        .filter(cases_in)
        .filter(cases::collective.eq(true))
        .select(cases::id)
        .load(connection)?;
    let mut paid_in_full = 0;
    for chunk in collective_in_scope.chunks(10_000) {
        paid_in_full += roster_entries::table
            .filter(roster_entries::case_id.eq_any(chunk))
            .filter(roster_entries::agreed_amount_fen.gt(0))
            .filter(roster_entries::paid_amount_fen.ge(roster_entries::agreed_amount_fen))
            .count()
            .get_result::<i64>(connection)?;
    }
    Ok(paid_in_full)
}
