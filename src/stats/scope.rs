//! Which offices a caller's figures may cover (docs/statistics.md, "Who may read them"), and the
//! union offices among them that a front door offers to narrow the figures to.

use diesel::prelude::*;

use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::access::CaseScope;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices::OfficeKind;
use crate::schema::offices;

/// A union office the figures can be narrowed to (`office_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeChoice {
    pub id: String,
    pub name: String,
}

/// Every office for admins, the caller's case offices for union staff (their office, and for a
/// supervisor those below it); nothing for anyone else.
pub fn offices_in_scope(
    connection: &mut DbConnection,
    caller: &Caller,
) -> Result<Vec<String>, AppError> {
    if policy::reads_every_offices_statistics(caller.role) {
        return Ok(offices::table.select(offices::id).load(connection)?);
    }
    Ok(match CaseScope::of(connection, caller)? {
        CaseScope::Offices(ids) => ids,
        _ => Vec::new(),
    })
}

/// The union offices in the caller's scope, sorted by name (in Rust, the same on both
/// backends): what `office_id` may usefully name. 403 for a role that reads no figures.
pub fn office_choices(
    connection: &mut DbConnection,
    caller: &Caller,
) -> Result<Vec<OfficeChoice>, AppError> {
    caller.require(Action::ViewStatistics)?;
    let in_scope = offices_in_scope(connection, caller)?;
    let mut choices: Vec<OfficeChoice> = offices::table
        .filter(offices::id.eq_any(in_scope))
        .filter(offices::kind.eq(OfficeKind::Union.as_str()))
        .select((offices::id, offices::name))
        .load::<(String, String)>(connection)?
        .into_iter()
        .map(|(id, name)| OfficeChoice { id, name })
        .collect();
    choices.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(choices)
}
