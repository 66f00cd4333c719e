//! Cases: the heart of the product. The model and its queries live here; the lifecycle and the
//! statutory clock are pure rules in [`lifecycle`] and [`deadlines`]; intake validation in
//! [`intake`]; what callers can do with cases in [`use_cases`] (re-exported here); who sees what
//! in [`access`]; whom a case may be assigned to in [`assignees`]; the union staff's work list,
//! most urgent first, in [`work`]; the filtered list of `GET /cases` in [`listing`]; HTTP handlers
//! in [`handlers`].

pub mod access;
pub mod assignees;
pub mod deadlines;
pub mod handlers;
pub mod intake;
pub mod lifecycle;
pub mod page;
pub mod priority;
pub mod search_index;
pub mod transitions;
pub mod use_cases;
pub mod work;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use self::access::CaseScope;
use self::lifecycle::CaseStatus;
pub use self::use_cases::{get, list_for, register, transition, update};
use crate::db::DbConnection;
use crate::domain::ids::{CaseId, OfficeId, UserId};
use crate::offices::OfficeKind;
use crate::schema::{cases, offices};
use crate::text_enum;

text_enum! {
    /// What the dispute is about (LDMAL Art. 2 and the sub-types unions see).
    pub enum Category {
        WageArrears = "wage_arrears",
        OvertimePay = "overtime_pay",
        Compensation = "compensation",
        WorkInjury = "work_injury",
        SocialInsurance = "social_insurance",
        LabourContract = "labour_contract",
        LabourRelationship = "labour_relationship",
        RestAndLeave = "rest_and_leave",
        Other = "other",
    }
}

text_enum! {
    /// How the dispute reached the union.
    pub enum Channel {
        WalkIn = "walk_in",
        Hotline12351 = "hotline_12351",
        Online = "online",
        GridWorker = "grid_worker",
        CourtReferral = "court_referral",
        Other = "other",
    }
}

text_enum! {
    /// Circumstances that change how a case is handled.
    pub enum Flag {
        GigEconomy = "gig_economy",
        MigrantWorker = "migrant_worker",
        Restructuring = "restructuring",
    }
}

/// LDMAL Art. 7: ten or more workers with a common claim make a collective dispute.
pub const COLLECTIVE_THRESHOLD: i32 = 10;

/// Whether a case with this many workers is collective (群体性).
pub fn is_collective(workers_involved: i32) -> bool {
    workers_involved >= COLLECTIVE_THRESHOLD
}

/// Flags as stored: sorted, de-duplicated, comma-separated.
pub fn store_flags(flags: &[Flag]) -> String {
    let mut names: Vec<&str> = flags.iter().map(|f| f.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// A case as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: CaseId,
    pub case_number: String,
    pub office_id: OfficeId,
    pub status: CaseStatus,
    pub category: Category,
    pub channel: Channel,
    pub summary: String,
    pub assignee_id: Option<UserId>,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    pub recovered_amount_fen: i64,
    pub workers_involved: i32,
    pub collective: bool,
    pub flags: String,
    pub received_at: NaiveDateTime,
    pub mediation_deadline: NaiveDate,
    pub deadline_passes_at: NaiveDateTime,
    pub escalated_to: Option<String>,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    pub employer_address: Option<String>,
    pub employer_contact_name: Option<String>,
    pub employer_contact_phone_cipher: Option<String>,
    pub employer_contact_phone_masked: Option<String>,
    pub search_text: String,
    pub events_count: i32,
    pub events_head: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// When the case was accepted (for the figures); `None` if it never was.
    pub accepted_at: Option<NaiveDateTime>,
    /// When it reached a terminal status.
    pub concluded_at: Option<NaiveDateTime>,
}

impl Case {
    /// 409 `case_closed` once the case has ended: nothing more is added to a closed file.
    pub fn ensure_open(&self) -> Result<(), crate::error::AppError> {
        if self.status.is_terminal() {
            return Err(crate::error::AppError::Conflict {
                code: "case_closed",
                detail: crate::msg!("detail.case_closed", status = self.status),
            });
        }
        Ok(())
    }
}

/// The office a case belongs to, as shown inside the case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseOffice {
    pub id: String,
    pub name: String,
    pub kind: OfficeKind,
}

/// The employer, as shown inside the case (the contact phone masked).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmployerView {
    pub name: String,
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A case as the API shows it (docs/cases.md "The case").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub case_number: String,
    pub status: CaseStatus,
    pub category: Category,
    pub channel: Channel,
    pub summary: String,
    pub office: CaseOffice,
    pub assignee_id: Option<String>,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// The sum of recorded payments — never a promised amount.
    pub recovered_amount_fen: i64,
    pub workers_involved: i32,
    /// Ten or more workers (LDMAL Art. 7).
    pub collective: bool,
    pub flags: Vec<Flag>,
    pub received_at: DateTime<Utc>,
    /// The 15th day after receipt, in the office's time zone (LDMAL Art. 14).
    pub mediation_deadline: NaiveDate,
    /// The deadline has passed and the case is still in intake, accepted or in mediation.
    pub overdue: bool,
    /// Where an escalated case went.
    #[schema(value_type = Option<crate::cases::lifecycle::Destination>)]
    pub escalated_to: Option<String>,
    pub employer: EmployerView,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// The columns of a case that its view shows: what a list selects, so a page of cases does not
/// read, decode and allocate the search text, the event chain's head and the phone's ciphertext
/// of every row only to drop them (docs/performance.md). A loaded [`Case`] converts into it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseViewColumns {
    pub id: CaseId,
    pub case_number: String,
    pub office_id: OfficeId,
    pub status: CaseStatus,
    pub category: Category,
    pub channel: Channel,
    pub summary: String,
    pub assignee_id: Option<UserId>,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    pub recovered_amount_fen: i64,
    pub workers_involved: i32,
    pub collective: bool,
    pub flags: String,
    pub received_at: NaiveDateTime,
    pub mediation_deadline: NaiveDate,
    pub deadline_passes_at: NaiveDateTime,
    pub escalated_to: Option<String>,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    pub employer_address: Option<String>,
    pub employer_contact_name: Option<String>,
    pub employer_contact_phone_masked: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl From<Case> for CaseViewColumns {
    fn from(case: Case) -> Self {
        Self {
            id: case.id,
            case_number: case.case_number,
            office_id: case.office_id,
            status: case.status,
            category: case.category,
            channel: case.channel,
            summary: case.summary,
            assignee_id: case.assignee_id,
            claimed_amount_fen: case.claimed_amount_fen,
            agreed_amount_fen: case.agreed_amount_fen,
            recovered_amount_fen: case.recovered_amount_fen,
            workers_involved: case.workers_involved,
            collective: case.collective,
            flags: case.flags,
            received_at: case.received_at,
            mediation_deadline: case.mediation_deadline,
            deadline_passes_at: case.deadline_passes_at,
            escalated_to: case.escalated_to,
            employer_name: case.employer_name,
            employer_credit_code: case.employer_credit_code,
            employer_address: case.employer_address,
            employer_contact_name: case.employer_contact_name,
            employer_contact_phone_masked: case.employer_contact_phone_masked,
            created_at: case.created_at,
            updated_at: case.updated_at,
            version: case.version,
        }
    }
}

impl CaseView {
    /// The view of a case: from a loaded [`Case`] or from a list's [`CaseViewColumns`].
    pub fn new(case: impl Into<CaseViewColumns>, office: CaseOffice, now: DateTime<Utc>) -> Self {
        let case = case.into();
        let status = case.status;
        Self {
            overdue: deadlines::is_overdue(status, case.deadline_passes_at.and_utc(), now),
            category: case.category,
            channel: case.channel,
            flags: case.flags.split(',').filter_map(Flag::parse).collect(),
            id: case.id.into(),
            case_number: case.case_number,
            status,
            summary: case.summary,
            office,
            assignee_id: case.assignee_id.map(Into::into),
            claimed_amount_fen: case.claimed_amount_fen,
            agreed_amount_fen: case.agreed_amount_fen,
            recovered_amount_fen: case.recovered_amount_fen,
            workers_involved: case.workers_involved,
            collective: case.collective,
            received_at: case.received_at.and_utc(),
            mediation_deadline: case.mediation_deadline,
            escalated_to: case.escalated_to,
            employer: EmployerView {
                name: case.employer_name,
                credit_code: case.employer_credit_code,
                address: case.employer_address,
                contact_name: case.employer_contact_name,
                contact_phone: case.employer_contact_phone_masked,
            },
            created_at: case.created_at.and_utc(),
            updated_at: case.updated_at.and_utc(),
            version: case.version,
        }
    }
}

/// The case `id` if `scope` lets the caller see it; `NotFound` otherwise — the same answer.
pub fn find_visible(
    connection: &mut DbConnection,
    scope: &CaseScope,
    id: &CaseId,
) -> QueryResult<Case> {
    cases::table
        .filter(cases::id.eq(id))
        .filter(scope.filter())
        .select(Case::as_select())
        .first(connection)
}

/// Cases joined with their offices: a case view (or a page of them) costs one query, and the
/// office comes by primary key in the same statement.
macro_rules! cases_with_offices {
    () => {
        cases::table.inner_join(offices::table)
    };
}

/// The select clause of a list over `cases_with_offices!`: the view's columns only.
macro_rules! case_with_office {
    () => {
        (CaseViewColumns::as_select(), offices::name, offices::kind)
    };
}

mod listing;
pub use self::listing::{like_pattern, list, CaseFilter};

/// A listed case with its office's name and kind (see `case_with_office!`).
type CaseRow = (CaseViewColumns, String, OfficeKind);

fn view_of(
    (case, office_name, office_kind): (impl Into<CaseViewColumns>, String, OfficeKind),
    now: DateTime<Utc>,
) -> CaseView {
    let case = case.into();
    let office = CaseOffice {
        id: case.office_id.clone().into(),
        name: office_name,
        kind: office_kind,
    };
    CaseView::new(case, office, now)
}

/// The view of a case the caller may see, in one query of the view's columns only; `NotFound`
/// when it is invisible.
pub fn find_visible_view(
    connection: &mut DbConnection,
    scope: &CaseScope,
    id: &CaseId,
    now: DateTime<Utc>,
) -> QueryResult<CaseView> {
    let row: CaseRow = cases_with_offices!()
        .filter(cases::id.eq(id))
        .filter(scope.filter())
        .select(case_with_office!())
        .first(connection)?;
    Ok(view_of(row, now))
}

/// The row and the view of a case the caller may see, and its office's time zone
/// (`deadlines::office_zone`), in one query; `NotFound` when it is invisible. For a reader that
/// shows the case (the view) and goes on to load its records with the functions that take the
/// row it authorised, dating them in the office's zone (`cases::page`).
pub fn find_visible_with_view(
    connection: &mut DbConnection,
    scope: &CaseScope,
    id: &CaseId,
    now: DateTime<Utc>,
) -> QueryResult<(Case, CaseView, Tz)> {
    let (case, name, kind, time_zone): (Case, String, OfficeKind, String) = cases_with_offices!()
        .filter(cases::id.eq(id))
        .filter(scope.filter())
        .select((
            Case::as_select(),
            offices::name,
            offices::kind,
            offices::time_zone,
        ))
        .first(connection)?;
    Ok((
        case.clone(),
        view_of((case, name, kind), now),
        deadlines::office_zone(&time_zone),
    ))
}

/// Re-reads a case after changing it. Only for a case already loaded through [`find_visible`]
/// in the same transaction: it applies no visibility of its own.
pub fn reload(connection: &mut DbConnection, id: &CaseId) -> QueryResult<Case> {
    cases::table
        .find(id)
        .select(Case::as_select())
        .first(connection)
}

/// The offices of `cases`, loaded in one query (never one per case).
pub fn offices_of(
    connection: &mut DbConnection,
    cases: &[Case],
) -> QueryResult<HashMap<String, CaseOffice>> {
    let mut ids: Vec<&str> = cases.iter().map(|c| c.office_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(String, String, OfficeKind)> = offices::table
        .filter(offices::id.eq_any(ids))
        .select((offices::id, offices::name, offices::kind))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind)| (id.clone(), CaseOffice { id, name, kind }))
        .collect())
}

/// Case views for `cases`, with their offices, in two queries in all.
pub fn views(
    connection: &mut DbConnection,
    cases: Vec<Case>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<CaseView>> {
    let offices = offices_of(connection, &cases)?;
    Ok(cases
        .into_iter()
        .map(|case| {
            let office = offices
                .get(case.office_id.as_str())
                .cloned()
                .unwrap_or_else(|| CaseOffice {
                    id: case.office_id.clone().into(),
                    name: String::new(),
                    kind: OfficeKind::Union,
                });
            CaseView::new(case, office, now)
        })
        .collect())
}

/// Appends `names` to a case's search text (lower-cased), e.g. when a party is added.
pub fn extend_search_text(current: &str, names: &[&str]) -> String {
    let mut text = current.to_owned();
    for name in names {
        text.push('\n');
        text.push_str(&name.to_lowercase());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_workers_make_a_collective_dispute() {
        assert!(!is_collective(9));
        assert!(is_collective(10));
    }

    #[test]
    fn flags_are_stored_sorted_without_duplicates() {
        assert_eq!(
            store_flags(&[Flag::Restructuring, Flag::GigEconomy, Flag::GigEconomy]),
            "gig_economy,restructuring"
        );
        assert_eq!(store_flags(&[]), "");
    }
}
