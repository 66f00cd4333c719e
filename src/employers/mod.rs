//! Employers as a first-class view (issue 17 B, docs/prevention.md "A repeat employer found at
//! intake"): every case and risk against one employer that the caller may see, the wage-arrears
//! watch-list, and the warnings an intake answers with. An employer is not a table of its own:
//! it is the `employer_key` each case carries in `case_employers` (`domain::employer`), written
//! in the intake's transaction, so nothing is kept in step by hand. Every query here carries the
//! caller's case scope (`cases::access::CaseScope`) or the risks' (`risks::RiskScope`) in its
//! WHERE clause; nothing is loaded and then filtered.

pub mod handlers;
pub mod rules;
pub mod use_cases;

pub use self::use_cases::{get, list_for, register_case, warnings_for_case, watchlist};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use self::rules::{CaseHit, Signal};
use crate::agreements::follow_ups::TermInput;
use crate::cases::access::CaseScope;
use crate::cases::lifecycle::CaseStatus;
use crate::db::DbConnection;
use crate::domain::employer::{self, EmployerMatch};
use crate::pagination::PageRequest;
use crate::risks::RiskScope;
use crate::schema::{
    agreement_terms, agreements, case_employers, case_parties, cases, offices, risks,
};

/// The statuses of a case still being worked (an agreement not yet carried out included).
pub const OPEN_STATUSES: [CaseStatus; 4] = [
    CaseStatus::Intake,
    CaseStatus::Accepted,
    CaseStatus::InMediation,
    CaseStatus::AgreementReached,
];
/// A risk still being looked after.
pub const OPEN_RISK_STATUSES: [&str; 2] = ["open", "handling"];
/// The risk levels that put an employer on the watch-list.
pub const HIGH_RISK_LEVELS: [&str; 2] = ["high", "major"];

/// A warning names at most [`rules::MAX_NAMED`] cases, the first by case number: the queries
/// stop there, so a worker or an employer with thousands of open cases (a fixed test ID number,
/// a large employer) does not make every intake read them all (issue 19: intake had fallen to
/// 3.5 req/s on SQLite at 100,000 cases).
const NAMED_LIMIT: i64 = rules::MAX_NAMED as i64;

fn open_statuses() -> Vec<&'static str> {
    OPEN_STATUSES.iter().map(|s| s.as_str()).collect()
}

/// Stored times are UTC without a zone; answered as RFC 3339 in UTC like every time in the API.
fn utc<S: serde::Serializer>(at: &NaiveDateTime, to: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&at.and_utc(), to)
}

fn utc_or_null<S: serde::Serializer>(at: &Option<NaiveDateTime>, to: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&at.map(|at| at.and_utc()), to)
}

/// One employer in `GET /employers`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmployerSummary {
    /// `cc-<credit code>` or `nm-<normalised name>`: the id of `/employers/{id}`.
    pub id: String,
    pub name: String,
    pub credit_code: Option<String>,
    /// Cases you may see against the employer.
    pub cases: i64,
    #[serde(serialize_with = "utc_or_null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_received_at: Option<NaiveDateTime>,
}

/// A case in an employer's view.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct EmployerCase {
    pub id: String,
    pub case_number: String,
    pub status: CaseStatus,
    pub office_id: String,
    pub office_name: String,
    #[serde(serialize_with = "utc")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: NaiveDateTime,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// Money actually paid (the sum of the recorded payments).
    pub paid_amount_fen: i64,
    /// The name the case gives the employer.
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
}

/// A risk in an employer's view.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct EmployerRisk {
    pub id: String,
    pub level: String,
    pub status: String,
    pub category: String,
    pub office_id: String,
    pub case_id: Option<String>,
    #[serde(serialize_with = "utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    pub employer_name: String,
}

/// `GET /employers/{id}`: every case and risk against the employer that you may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmployerView {
    pub id: String,
    /// The name on the newest case (or risk).
    pub name: String,
    pub credit_code: Option<String>,
    /// Every distinct name the employer was registered under.
    pub names: Vec<String>,
    pub open_cases: i64,
    pub closed_cases: i64,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// Money actually paid to the workers.
    pub paid_amount_fen: i64,
    /// Cases whose mediation agreement has a payment past due and not paid.
    pub agreements_with_missed_payments: i64,
    /// The cases whose agreement has a missed payment (case numbers).
    pub missed_payment_cases: Vec<String>,
    /// Newest first.
    pub cases: Vec<EmployerCase>,
    /// Newest first.
    pub risks: Vec<EmployerRisk>,
}

/// A page of the employers of the cases in `scope`, ordered by id; `q` is part of a normalised
/// name, or a credit code.
pub fn list_page(
    connection: &mut DbConnection,
    scope: &CaseScope,
    q: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Vec<EmployerSummary>> {
    // Not boxed (a boxed query cannot be grouped): a filter left open matches everything —
    // `LIKE '%'`, and a key after '' — so one shape of statement serves every combination.
    let (mut name_pattern, mut key_pattern) = ("%".to_owned(), "%".to_owned());
    if let Some(q) = q {
        match crate::domain::identifiers::parse_credit_code(q) {
            Ok(code) => key_pattern = EmployerMatch::CreditCode(code).key(),
            Err(_) => name_pattern = crate::cases::like_pattern(&employer::normalize_name(q)),
        }
    }
    let after = page.after.as_ref().map_or("", |(_, key)| key.as_str());
    // Two statements. The first pages the employers: those one of whose spellings, among the
    // cases the caller may see, matches `q` (another office's name for the same credit code never
    // picks it). The second counts each picked employer with all its cases in scope, under any
    // spelling, as `GET /employers/{id}` counts them.
    let keys: Vec<String> = cases::table
        .inner_join(case_employers::table)
        .filter(scope.filter())
        .filter(
            case_employers::employer_name_normalized
                .like(name_pattern)
                .escape('\\'),
        )
        .filter(case_employers::employer_key.like(key_pattern).escape('\\'))
        .filter(case_employers::employer_key.gt(after.to_owned()))
        .select(case_employers::employer_key)
        .distinct()
        .order(case_employers::employer_key.asc())
        .limit(page.limit + 1)
        .load(connection)?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<EmployerGroupRow> = cases::table
        .inner_join(case_employers::table)
        .filter(scope.filter())
        .filter(case_employers::employer_key.eq_any(&keys))
        .group_by(case_employers::employer_key)
        .select((
            case_employers::employer_key,
            max(cases::employer_name),
            max(cases::employer_credit_code),
            count_star(),
            max(cases::received_at),
        ))
        .order(case_employers::employer_key.asc())
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, credit_code, cases, last)| EmployerSummary {
            id,
            name: name.unwrap_or_default(),
            credit_code,
            cases,
            last_received_at: last,
        })
        .collect())
}

/// The employer's cases in `scope`, newest first.
pub fn cases_of(
    connection: &mut DbConnection,
    scope: &CaseScope,
    employer: &EmployerMatch,
) -> QueryResult<Vec<EmployerCase>> {
    cases::table
        .inner_join(offices::table)
        .inner_join(case_employers::table)
        .filter(scope.filter())
        .filter(case_employers::employer_key.eq(employer.key()))
        .select((
            cases::id,
            cases::case_number,
            cases::status,
            cases::office_id,
            offices::name,
            cases::received_at,
            cases::claimed_amount_fen,
            cases::agreed_amount_fen,
            cases::recovered_amount_fen,
            cases::employer_name,
            cases::employer_credit_code,
        ))
        .order((cases::received_at.desc(), cases::id.desc()))
        .load(connection)
}

/// The employer's risks visible in `scope` (the risks' own visibility, `risks::RiskScope`),
/// newest first; `only_open` keeps those still
/// open or in hand.
pub fn risks_of(
    connection: &mut DbConnection,
    scope: &RiskScope,
    employer: &EmployerMatch,
    only_open: bool,
) -> QueryResult<Vec<EmployerRisk>> {
    let mut query = risks::table.filter(scope.filter()).into_boxed();
    query = match employer {
        EmployerMatch::CreditCode(code) => {
            query.filter(risks::employer_credit_code.eq(code.clone()))
        }
        EmployerMatch::Name(name) => query
            .filter(risks::employer_credit_code.is_null())
            .filter(risks::employer_name_normalized.eq(name.clone())),
    };
    if only_open {
        query = query.filter(risks::status.eq_any(OPEN_RISK_STATUSES));
    }
    query
        .select((
            risks::id,
            risks::level,
            risks::status,
            risks::category,
            risks::office_id,
            risks::case_id,
            risks::created_at,
            risks::employer_name,
        ))
        .order((risks::created_at.desc(), risks::id.desc()))
        .load(connection)
}

/// One grouped row of the employer list: key, a spelling of the name, a credit code, the
/// number of cases and the newest case's time.
type EmployerGroupRow = (
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<NaiveDateTime>,
);

/// One due term as read: case id, case number, employer key and name, paid, amount, due date.
type DueTermRow = (String, String, String, String, i64, i64, NaiveDate);

/// A due term with its case, the employer's key and name, and the money paid on the case.
pub type DueTerm = (CaseHit, String, String, i64, TermInput);

/// The terms due by `today` of the agreements on the cases in `scope` (of one employer, or
/// all), with the money paid on each case: `(case id, case number, employer key, employer name,
/// paid, term)`. One query for the whole scope, grouped by the caller.
pub fn due_terms(
    connection: &mut DbConnection,
    scope: &CaseScope,
    employer_key: Option<&str>,
    today: NaiveDate,
) -> QueryResult<Vec<DueTerm>> {
    let mut query = agreement_terms::table
        .inner_join(agreements::table.inner_join(cases::table.inner_join(case_employers::table)))
        .filter(scope.filter())
        .filter(agreement_terms::due_date.lt(today))
        .into_boxed();
    if let Some(key) = employer_key {
        query = query.filter(case_employers::employer_key.eq(key.to_owned()));
    }
    let rows: Vec<DueTermRow> = query
        .select((
            cases::id,
            cases::case_number,
            case_employers::employer_key,
            cases::employer_name,
            cases::recovered_amount_fen,
            agreement_terms::amount_fen,
            agreement_terms::due_date,
        ))
        .order((cases::id.asc(), agreement_terms::due_date.asc()))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, case_number, key, name, paid, amount_fen, due_date)| {
            (
                CaseHit { case_number, id },
                key,
                name,
                paid,
                TermInput {
                    amount_fen,
                    due_date,
                },
            )
        })
        .collect())
}

/// The cases whose agreement has a missed payment, from [`due_terms`] rows (grouped by case).
pub fn missed_cases(
    rows: Vec<(CaseHit, String, String, i64, TermInput)>,
    today: NaiveDate,
) -> Vec<(CaseHit, String, String)> {
    let mut by_case: std::collections::BTreeMap<
        String,
        (CaseHit, String, String, i64, Vec<TermInput>),
    > = Default::default();
    for (hit, key, name, paid, term) in rows {
        by_case
            .entry(hit.id.clone())
            .or_insert_with(|| (hit, key, name, paid, Vec::new()))
            .4
            .push(term);
    }
    by_case
        .into_values()
        .filter(|(_, _, _, paid, terms)| rules::payment_missed(terms, *paid, today))
        .map(|(hit, key, name, _, _)| (hit, key, name))
        .collect()
}

/// Employers with at least [`rules::WATCH_DISPUTES`] cases received since `since`, in `scope`.
pub fn repeated_disputes(
    connection: &mut DbConnection,
    scope: &CaseScope,
    since: NaiveDateTime,
    at_least: i64,
) -> QueryResult<Vec<(String, String, Signal)>> {
    let rows: Vec<(String, Option<String>, i64)> = cases::table
        .inner_join(case_employers::table)
        .filter(scope.filter())
        .filter(cases::received_at.ge(since))
        .group_by(case_employers::employer_key)
        .having(count_star().ge(at_least))
        .select((
            case_employers::employer_key,
            max(cases::employer_name),
            count_star(),
        ))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(key, name, n)| (key, name.unwrap_or_default(), Signal::Disputes(n)))
        .collect())
}

/// The open high and major risks visible in `scope`, keyed by their employer.
pub fn high_risks(
    connection: &mut DbConnection,
    scope: &RiskScope,
) -> QueryResult<Vec<(String, String, Signal)>> {
    let rows: Vec<(String, Option<String>, String, String)> = risks::table
        .filter(scope.filter())
        .filter(risks::level.eq_any(HIGH_RISK_LEVELS))
        .filter(risks::status.eq_any(OPEN_RISK_STATUSES))
        .select((
            risks::id,
            risks::employer_credit_code,
            risks::employer_name_normalized,
            risks::employer_name,
        ))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, normalized, name)| {
            let key = employer::employer_key(&normalized, code.as_deref());
            (key, name, Signal::Risk(id))
        })
        .collect())
}

/// The first [`NAMED_LIMIT`] open cases by case number in `scope`, other than `except`, with a
/// worker whose ID-number digest is one of `digests` (the keyed digests parties store, never the
/// number).
pub fn open_cases_with_id_numbers(
    connection: &mut DbConnection,
    scope: &CaseScope,
    digests: Vec<String>,
    except: &str,
) -> QueryResult<Vec<CaseHit>> {
    if digests.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = case_parties::table
        .inner_join(cases::table)
        .filter(scope.filter())
        .filter(case_parties::id_number_hash.eq_any(digests))
        .filter(cases::id.ne(except.to_owned()))
        .filter(cases::status.eq_any(open_statuses()))
        .select((cases::id, cases::case_number))
        .distinct()
        .order((cases::case_number.asc(), cases::id.asc()))
        .limit(NAMED_LIMIT)
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, case_number)| CaseHit { case_number, id })
        .collect())
}

/// The first [`NAMED_LIMIT`] open cases by case number in `scope`, other than `except`, against
/// the employer `key`.
pub fn open_cases_of(
    connection: &mut DbConnection,
    scope: &CaseScope,
    key: &str,
    except: &str,
) -> QueryResult<Vec<CaseHit>> {
    let rows: Vec<(String, String)> = cases::table
        .inner_join(case_employers::table)
        .filter(scope.filter())
        .filter(case_employers::employer_key.eq(key.to_owned()))
        .filter(cases::id.ne(except.to_owned()))
        .filter(cases::status.eq_any(open_statuses()))
        .select((cases::id, cases::case_number))
        .order((cases::case_number.asc(), cases::id.asc()))
        .limit(NAMED_LIMIT)
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, case_number)| CaseHit { case_number, id })
        .collect())
}

/// Keys the cases registered before employers had keys: the migration cannot (NFKC is not
/// written alike in SQL on both backends). Every case without a `case_employers` row gets one;
/// a no-op once done. Run after the migrations (`startup::connect_and_migrate`).
pub fn backfill_keys(connection: &mut DbConnection) -> QueryResult<usize> {
    let rows: Vec<(String, String, Option<String>)> = cases::table
        .left_join(case_employers::table)
        .filter(case_employers::case_id.nullable().is_null())
        .select((cases::id, cases::employer_name, cases::employer_credit_code))
        .load(connection)?;
    for (id, name, code) in &rows {
        match crate::cases::intake::stamp_employer(connection, id, name, code.as_deref()) {
            // Another node starting at the same moment keyed this case first: the same key.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            other => {
                other?;
            }
        }
    }
    Ok(rows.len())
}

/// The figures' repeat employers (`/stats`, `prevention.repeat_employers`): employers with at
/// least [`rules::REPEAT_EMPLOYER_CASES`] cases received in `[from, until)` by `offices` (the
/// figures' scope), matched as everywhere here — by credit code, else by normalised name.
pub fn count_repeat_employers(
    connection: &mut DbConnection,
    offices: Vec<String>,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<i64> {
    let repeated: Vec<String> = cases::table
        .inner_join(case_employers::table)
        .filter(cases::office_id.eq_any(offices))
        .filter(cases::received_at.ge(from))
        .filter(cases::received_at.lt(until))
        .group_by(case_employers::employer_key)
        .having(count_star().ge(rules::REPEAT_EMPLOYER_CASES))
        .select(case_employers::employer_key)
        .load(connection)?;
    Ok(repeated.len() as i64)
}
