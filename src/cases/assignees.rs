//! Who a case may be given to, for a front door that offers the choice (the console's
//! assignment form): active union staff of the case's own office, the rule
//! `use_cases::update` enforces when the assignee is set (`policy::may_be_assigned`), read here
//! as a list so the form offers nobody the update would refuse.

use diesel::prelude::*;

use super::access::find_for;
use super::Case;
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::schema::users;
use crate::users::Role;

/// A person a case may be assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub id: String,
    pub name: String,
}

/// The people a visible case (else 404) may be assigned to, by name, in one query: union staff
/// only (403 for anyone else). An office has tens of staff, not thousands, so the list is whole.
pub fn eligible(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
) -> Result<Vec<Assignee>, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let case = find_for(connection, caller, case_id)?;
    eligible_for(connection, caller, &case)
}

/// [`eligible`] for a case the caller was already found to see (`find_for`), as a reader that
/// loads the whole case at once checks it once: union staff only (403), one query.
pub fn eligible_for(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
) -> Result<Vec<Assignee>, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|role| policy::may_be_assigned(**role))
        .map(|role| role.as_str())
        .collect();
    let rows: Vec<(String, String)> = users::table
        .filter(users::office_id.eq(case.office_id.as_str()))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(roles))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Assignee { id, name })
        .collect())
}
