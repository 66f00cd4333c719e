//! The one access module: which cases a caller may see, as a filter applied inside every case
//! query — so an invisible case is never loaded, and answers 404 exactly as if it did not exist —
//! and how every use case inside a case loads it: [`find_for`] to read, [`case_to_change`] to
//! write (visible, at the version the client read, still open). What a caller sees *inside* a
//! visible case is decided here too: [`partner_office`] limits events and notes, and
//! `referrals::scope_of` the referrals. Who may do what is the pure role matrix in
//! `auth::policy` (`may_add_notes`, `may_act_on_referral`, …), unit-tested there.

use diesel::backend::Backend;
use diesel::dsl::sql;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};

use crate::auth::caller::{Caller, Principal};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::ids::CaseId;
use crate::offices;
use crate::schema::{case_grants, cases, referrals};
use crate::users::Role;

/// The set of cases a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// The cases of these offices (a mediator's office; a supervisor's office and those below).
    Offices(Vec<String>),
    /// The cases that have or had a referral to this partner office, whatever its status. The
    /// case list reads the same set from `case_partner_offices`, written with each referral.
    ReferredTo(String),
    /// The cases this lawyer holds an unrevoked grant for that has not expired at that time.
    GrantedTo(String, chrono::NaiveDateTime),
    /// No case at all (admins see statistics, not case contents).
    Nothing,
}

impl CaseScope {
    /// The scope of `caller`; a supervisor's descendant offices are read in one recursive query.
    pub fn of(connection: &mut DbConnection, caller: &Caller) -> QueryResult<Self> {
        let Some(office) = &caller.office_id else {
            return Ok(Self::Nothing);
        };
        Ok(match caller.role {
            Role::UnionMediator => Self::Offices(vec![office.to_string()]),
            Role::UnionSupervisor => Self::Offices(offices::with_descendants(connection, office)?),
            Role::PoliceOfficer | Role::JudicialOfficer | Role::HrOfficer => {
                Self::ReferredTo(office.to_string())
            }
            Role::Lawyer => match &caller.principal {
                Principal::User { id } => Self::GrantedTo(id.to_string(), caller.now.naive_utc()),
                Principal::Client { .. } => Self::Nothing,
            },
            // Grid workers see the risks they reported, never a case (docs/prevention.md).
            Role::Admin | Role::GridWorker => Self::Nothing,
        })
    }

    /// The SQL filter of this scope over `cases`, or over any join that contains `cases` (a
    /// case with its office is read in one statement).
    pub fn filter<QS: 'static>(
        &self,
    ) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>
    where
        OneOffice: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
        AnyOffice: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
        Referred: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
        Granted: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
    {
        match self {
            // One office (a mediator's) is an equality, not `= ANY(array)`: PostgreSQL can then
            // read the newest cases straight off the (office, …, created_at, id) indexes and stop
            // after a page, instead of sorting every matching case of the office.
            Self::Offices(ids) if ids.len() == 1 => Box::new(cases::office_id.eq(ids[0].clone())),
            // Several offices (a supervisor's tree) hold most cases: the newest cases of the
            // whole table, kept when their office is in scope, fill a page after a few dozen
            // rows (`cases_created`, `cases_status_created`). PostgreSQL weighs that against
            // the office indexes with its statistics. SQLite has none and always read every
            // case of the tree and sorted it (6 s at 1,000,000 cases); [`Unindexed`] keeps it
            // off the office indexes.
            Self::Offices(ids) => Box::new(any_office(ids)),
            Self::ReferredTo(office) => Box::new(
                cases::id.eq_any(
                    referrals::table
                        .filter(referrals::office_id.eq(office.clone()))
                        .select(referrals::case_id),
                ),
            ),
            Self::GrantedTo(user, now) => Box::new(cases::id.eq_any(granted_cases(user, *now))),
            Self::Nothing => Box::new(sql::<Bool>("1 = 0")),
        }
    }

    /// The offices of an office scope written as several offices are ([`Unindexed`]), even
    /// one: for a query that already names its few candidate cases by id (a search). SQLite then
    /// looks the candidates up by id and checks their office, instead of walking the office's
    /// index newest first until a page of them turns up, which reads the whole office when
    /// fewer match. PostgreSQL's plan does not change (it drops the cast). `None` for the other
    /// scopes, whose [`Self::filter`] applies as it is.
    pub fn offices_row_by_row(&self) -> Option<AnyOffice> {
        match self {
            Self::Offices(ids) => Some(any_office(ids)),
            _ => None,
        }
    }
}

/// `cases.office_id` among `ids`, written so that no index of the office serves it.
fn any_office(ids: &[String]) -> AnyOffice {
    Unindexed(cases::office_id).eq_any(ids.to_vec())
}

/// The shapes of [`CaseScope::filter`], named so it can state where each may be used.
pub type OneOffice = diesel::dsl::Eq<cases::office_id, String>;
pub type AnyOffice = diesel::dsl::EqAny<Unindexed<cases::office_id>, Vec<String>>;
type ReferredCases = diesel::dsl::Select<
    diesel::dsl::Filter<referrals::table, diesel::dsl::Eq<referrals::office_id, String>>,
    referrals::case_id,
>;
pub type Referred = diesel::dsl::EqAny<cases::id, ReferredCases>;
pub type Granted = diesel::dsl::EqAny<cases::id, GrantedCases>;

/// A text column written `CAST(column AS TEXT)`. PostgreSQL drops a cast of text to text while
/// it parses, so its planner sees the bare column, statistics and indexes alike; SQLite keeps
/// the cast as an expression and cannot look it up in an index on the column. One statement
/// thus lets each planner do its best for a supervisor's many offices (see
/// [`CaseScope::filter`]), with no SQL per backend.
#[derive(Debug, Clone, Copy, QueryId)]
pub struct Unindexed<E>(pub E);

impl<E: Expression<SqlType = Text>> Expression for Unindexed<E> {
    type SqlType = Text;
}

impl<E, QS> AppearsOnTable<QS> for Unindexed<E>
where
    E: AppearsOnTable<QS>,
    Self: Expression,
{
}

impl<E, QS> SelectableExpression<QS> for Unindexed<E>
where
    E: SelectableExpression<QS>,
    Self: AppearsOnTable<QS>,
{
}

impl<E: ValidGrouping<G>, G> ValidGrouping<G> for Unindexed<E> {
    type IsAggregate = E::IsAggregate;
}

impl<E: QueryFragment<DB>, DB: Backend> QueryFragment<DB> for Unindexed<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("CAST(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" AS TEXT)");
        Ok(())
    }
}

type ForUser =
    diesel::dsl::Filter<case_grants::table, diesel::dsl::Eq<case_grants::user_id, String>>;
type Unrevoked = diesel::dsl::Filter<ForUser, diesel::dsl::IsNull<case_grants::revoked_at>>;
type Unexpired =
    diesel::dsl::Filter<Unrevoked, diesel::dsl::Gt<case_grants::expires_at, chrono::NaiveDateTime>>;
/// The subquery of [`granted_cases`], named so it can be embedded in other filters.
pub type GrantedCases = diesel::dsl::Select<Unexpired, case_grants::case_id>;

/// The ids of the cases `user` holds a live grant for at `now`.
pub fn granted_cases(user: &str, now: chrono::NaiveDateTime) -> GrantedCases {
    case_grants::table
        .filter(case_grants::user_id.eq(user.to_owned()))
        .filter(case_grants::revoked_at.is_null())
        .filter(case_grants::expires_at.gt(now))
        .select(case_grants::case_id)
}

/// Loads a case the caller may see, or 404 — the caller's scope is part of the query.
pub fn find_for(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &CaseId,
) -> Result<super::Case, crate::error::AppError> {
    let scope = CaseScope::of(connection, caller)?;
    Ok(super::find_visible(connection, &scope, id)?)
}

/// Loads a case for a change: visible to the caller (else 404), at the version the client read
/// when it sent one (else 412), and not closed (else 409 `case_closed`) — the checks every write
/// inside a case makes, in this order. Call inside the write transaction.
pub fn case_to_change(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &CaseId,
    expected_version: Option<i32>,
) -> Result<super::Case, crate::error::AppError> {
    let case = find_for(connection, caller, id)?;
    crate::domain::check_version(expected_version, case.version)?;
    case.ensure_open()?;
    Ok(case)
}

/// The office whose restricted events and notes a partner may see; `None` (everything) for
/// union staff and lawyers.
pub fn partner_office(caller: &Caller) -> Option<&str> {
    crate::auth::policy::is_partner(caller.role)
        .then_some(caller.office_id.as_deref().unwrap_or(""))
}
