//! Referrals: the union asks a partner office — judicial office, HR & social-security office,
//! police station, court, arbitration — to do one task on a case, by a due time. The model and
//! its queries live here; the rules in [`rules`]; what callers do with referrals (refer, list,
//! answer, cancel) in [`use_cases`], the one write of an answer in [`answers`]; HTTP in
//! [`handlers`] (docs/referrals.md).

pub mod answers;
pub mod handlers;
pub mod rules;
pub mod use_cases;

pub use use_cases::{
    accept, cancel, complete, decline, get, inbox, list_for_case, refer, require_referral_role,
};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use self::rules::{is_open, ReferralKind, ReferralStatus};
use crate::cases::access::CaseScope;
use crate::cases::{Case, CaseOffice};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::ids::{CaseId, OfficeId};
use crate::offices::OfficeKind;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{cases, offices, referrals};
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Text};

/// A referral as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: String,
    pub case_id: CaseId,
    pub office_id: OfficeId,
    pub kind: ReferralKind,
    pub request: String,
    pub status: ReferralStatus,
    pub due_at: NaiveDateTime,
    pub created_by: String,
    pub accepted_at: Option<NaiveDateTime>,
    pub declined_at: Option<NaiveDateTime>,
    pub decline_reason: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub result: Option<String>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl Referral {
    /// Past its due time and still waiting on the receiving office.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        is_open(self.status) && self.due_at <= now.naive_utc()
    }
}

/// A referral as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    /// The receiving office.
    pub office: CaseOffice,
    pub kind: ReferralKind,
    pub request: String,
    pub status: ReferralStatus,
    pub due_at: DateTime<Utc>,
    /// Past `due_at` and still pending or accepted.
    pub overdue: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The structured answer, e.g. `party_located`.
    pub outcome: Option<String>,
    /// The free-text answer.
    pub result: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Views for `rows`, with their case numbers and offices loaded in two queries in all.
pub fn views(
    connection: &mut DbConnection,
    rows: Vec<Referral>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ReferralView>> {
    let case_ids: Vec<&str> = rows.iter().map(|r| r.case_id.as_str()).collect();
    let numbers: HashMap<String, String> = cases::table
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, cases::case_number))
        .load::<(String, String)>(connection)?
        .into_iter()
        .collect();
    views_numbered(connection, rows, &numbers, now)
}

/// [`views`] of referrals of `case`, which the reader has already loaded (the case's referral
/// list, the case page, the dossier): its number is not read again, only the offices, in one
/// query.
pub fn views_of_case(
    connection: &mut DbConnection,
    rows: Vec<Referral>,
    case: &Case,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ReferralView>> {
    let numbers = HashMap::from([(case.id.to_string(), case.case_number.clone())]);
    views_numbered(connection, rows, &numbers, now)
}

/// Views for `rows`, given the `numbers` of their cases by case id: their offices loaded in
/// one query.
fn views_numbered(
    connection: &mut DbConnection,
    rows: Vec<Referral>,
    numbers: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ReferralView>> {
    let office_ids: Vec<&str> = rows.iter().map(|r| r.office_id.as_str()).collect();
    let offices: HashMap<String, CaseOffice> = offices::table
        .filter(offices::id.eq_any(office_ids))
        .select((offices::id, offices::name, offices::kind))
        .load::<(String, String, OfficeKind)>(connection)?
        .into_iter()
        .map(|(id, name, kind)| (id.clone(), CaseOffice { id, name, kind }))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let utc = |t: Option<NaiveDateTime>| t.map(|t| t.and_utc());
            ReferralView {
                overdue: r.is_overdue(now),
                status: r.status,
                kind: r.kind,
                case_number: numbers.get(r.case_id.as_str()).cloned().unwrap_or_default(),
                office: offices
                    .get(r.office_id.as_str())
                    .cloned()
                    .unwrap_or(CaseOffice {
                        id: r.office_id.clone().into(),
                        name: String::new(),
                        kind: OfficeKind::Union,
                    }),
                id: r.id,
                case_id: r.case_id.into(),
                request: r.request,
                due_at: r.due_at.and_utc(),
                created_by: r.created_by,
                created_at: r.created_at.and_utc(),
                accepted_at: utc(r.accepted_at),
                declined_at: utc(r.declined_at),
                decline_reason: r.decline_reason,
                completed_at: utc(r.completed_at),
                outcome: r.outcome,
                result: r.result,
                cancelled_at: utc(r.cancelled_at),
                cancel_reason: r.cancel_reason,
                updated_at: r.updated_at.and_utc(),
                version: r.version,
            }
        })
        .collect())
}

/// Stores a referral and, in the same transaction, makes its case visible to the receiving
/// office in `case_partner_offices` (the rows a partner's case list walks, issue 19).
pub fn insert(connection: &mut DbConnection, referral: &Referral) -> QueryResult<usize> {
    let inserted = diesel::insert_into(referrals::table)
        .values(referral)
        .execute(connection)?;
    // A second referral of the same case to the same office adds nothing: the office already
    // sees the case. `ON CONFLICT` is written as SQL because diesel's multi-backend connection
    // has no upsert; both backends accept this text.
    diesel::sql_query(
        "INSERT INTO case_partner_offices (office_id, case_id, case_created_at) \
         SELECT $1, cases.id, cases.created_at FROM cases WHERE cases.id = $2 \
         ON CONFLICT (office_id, case_id) DO NOTHING",
    )
    .bind::<Text, _>(referral.office_id.as_str())
    .bind::<Text, _>(referral.case_id.as_str())
    .execute(connection)?;
    Ok(inserted)
}

/// Fills `case_partner_offices` from `referrals`: one row per office and case with any
/// referral between them, rows already there left alone. The migration that created the table
/// filled it the same way; a loader that writes referrals by SQL calls this after.
pub fn backfill_partner_offices(connection: &mut DbConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO case_partner_offices (office_id, case_id, case_created_at) \
         SELECT DISTINCT referrals.office_id, referrals.case_id, cases.created_at \
         FROM referrals INNER JOIN cases ON cases.id = referrals.case_id \
         WHERE true ON CONFLICT (office_id, case_id) DO NOTHING",
    )
    .execute(connection)
}

pub fn reload(connection: &mut DbConnection, id: &str) -> QueryResult<Referral> {
    referrals::table
        .find(id)
        .select(Referral::as_select())
        .first(connection)
}

/// Which referrals a caller may see: those to their own office (partner staff), or those on
/// the cases of their scope (union staff).
#[derive(Debug, Clone)]
pub enum ReferralScope {
    ToOffice(String),
    OnCases(CaseScope),
}

impl ReferralScope {
    /// The SQL filter of this scope over `referrals`.
    pub fn filter(
        &self,
    ) -> Box<dyn BoxableExpression<referrals::table, MultiBackend, SqlType = Bool>> {
        match self {
            Self::ToOffice(office) | Self::OnCases(CaseScope::ReferredTo(office)) => {
                Box::new(referrals::office_id.eq(office.clone()))
            }
            Self::OnCases(CaseScope::Offices(ids)) => Box::new(
                referrals::case_id.eq_any(
                    cases::table
                        .filter(cases::office_id.eq_any(ids.clone()))
                        .select(cases::id),
                ),
            ),
            Self::OnCases(CaseScope::GrantedTo(user, now)) => {
                Box::new(referrals::case_id.eq_any(crate::cases::access::granted_cases(user, *now)))
            }
            Self::OnCases(CaseScope::Nothing) => Box::new(sql::<Bool>("1 = 0")),
        }
    }
}

/// A referral visible in `scope`, or `NotFound`.
pub fn find_visible(
    connection: &mut DbConnection,
    scope: &ReferralScope,
    id: &str,
) -> QueryResult<Referral> {
    referrals::table
        .filter(referrals::id.eq(id))
        .filter(scope.filter())
        .select(Referral::as_select())
        .first(connection)
}

/// The referrals of one case, oldest first; only those to `office` when given.
pub fn for_case(
    connection: &mut DbConnection,
    case_id: &str,
    office: Option<&str>,
) -> QueryResult<Vec<Referral>> {
    let mut query = referrals::table
        .filter(referrals::case_id.eq(case_id))
        .into_boxed();
    if let Some(office) = office {
        query = query.filter(referrals::office_id.eq(office.to_owned()));
    }
    query
        .order((referrals::created_at.asc(), referrals::id.asc()))
        .select(Referral::as_select())
        .load(connection)
}

/// A page of the referrals of one case, oldest first; only those to `office` when given.
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    office: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Paginated<Referral>> {
    let mut query = referrals::table
        .filter(referrals::case_id.eq(case_id.to_owned()))
        .select(Referral::as_select())
        .into_boxed();
    if let Some(office) = office {
        query = query.filter(referrals::office_id.eq(office.to_owned()));
    }
    let rows: Vec<Referral> =
        crate::keyset_page_oldest_first!(query, referrals, created_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |r| {
        (r.created_at, r.id.as_str())
    }))
}

/// A page of the referrals in `scope`, newest first, by status and overdue.
pub fn list(
    connection: &mut DbConnection,
    scope: &ReferralScope,
    status: Option<ReferralStatus>,
    overdue: Option<bool>,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> QueryResult<Paginated<Referral>> {
    let mut query = referrals::table
        .filter(scope.filter())
        .select(Referral::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(referrals::status.eq(status.as_str()));
    }
    let open = [
        ReferralStatus::Pending.as_str(),
        ReferralStatus::Accepted.as_str(),
    ];
    match overdue {
        Some(true) => {
            query = query
                .filter(referrals::status.eq_any(open))
                .filter(referrals::due_at.le(now.naive_utc()))
        }
        Some(false) => {
            query = query.filter(
                referrals::status
                    .ne_all(open)
                    .or(referrals::due_at.gt(now.naive_utc())),
            )
        }
        None => {}
    }
    let rows = crate::keyset_page!(query, referrals, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |r| {
        (r.created_at, r.id.as_str())
    }))
}

/// The scope in which `caller` sees referrals: a partner office (`cases::access::partner_office`,
/// the one statement of who that is) sees the referrals to itself, everyone else those on the
/// cases they see.
pub fn scope_of(
    connection: &mut DbConnection,
    caller: &crate::auth::caller::Caller,
) -> Result<ReferralScope, crate::error::AppError> {
    if let Some(office) = crate::cases::access::partner_office(caller) {
        return Ok(ReferralScope::ToOffice(office.to_owned()));
    }
    Ok(ReferralScope::OnCases(crate::cases::access::CaseScope::of(
        connection, caller,
    )?))
}

/// The union office that holds each of `case_ids` (the office a referral came from), in one
/// query: an inbox row says who asks without loading its case.
pub fn referring_offices(
    connection: &mut DbConnection,
    case_ids: &[&str],
) -> QueryResult<HashMap<String, CaseOffice>> {
    let rows: Vec<(String, String, String, OfficeKind)> = cases::table
        .inner_join(offices::table)
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, offices::id, offices::name, offices::kind))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(case_id, id, name, kind)| (case_id, CaseOffice { id, name, kind }))
        .collect())
}
