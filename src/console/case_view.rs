//! What the case page shows: the `?parties=` and `?events=` cursors read into pages, then one
//! read use case, `cases::page::load`, which checks the person's visibility once (a case they
//! may not see is `NotFound`, the 404 page) and reads every section in one snapshot, with what
//! a partner office or a lawyer may see of it decided there, not here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::auth::caller::Caller;
use crate::cases::deadlines::office_zone;
use crate::cases::page::Pages;
use crate::cases::CaseView;
use crate::db::DbConnection;
use crate::domain::ids::{CaseId, OfficeId};
use crate::error::AppError;
use crate::pagination::{PageQuery, MAX_LIMIT};
use crate::timeline::use_cases::TimelineQuery;

pub use crate::cases::page::CaseFile;

/// Where the two lists that may run long (a collective dispute's workers, a busy timeline)
/// continue: the `?parties=` and `?events=` cursors of the page's "下一页" links.
#[derive(Debug, Clone, Default)]
pub struct Cursors {
    pub parties: Option<String>,
    pub events: Option<String>,
}

impl Cursors {
    /// The pages these cursors ask for, as many rows as the API gives at once (400 for a cursor
    /// the API did not issue).
    fn pages(&self) -> Result<Pages, AppError> {
        let parties = PageQuery {
            limit: Some(MAX_LIMIT),
            cursor: self.parties.clone(),
        }
        .parse()?;
        let events = TimelineQuery {
            limit: Some(MAX_LIMIT),
            cursor: self.events.clone(),
        }
        .page()?;
        Ok(Pages { parties, events })
    }
}

/// Loads the case page of `case_id` as `caller` may see it.
pub fn load(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    cursors: &Cursors,
    now: DateTime<Utc>,
) -> Result<CaseFile, AppError> {
    let pages = cursors.pages()?;
    crate::cases::page::load(connection, caller, case_id, &pages, now)
}

/// The time zone of a visible case's office (404 when the case is out of sight), in which a
/// form's dates and times were typed.
pub fn zone_of(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Tz, AppError> {
    let case = crate::cases::get(connection, caller, case_id, now)?;
    let office = crate::offices::use_cases::get(connection, caller, &office_id(&case))?;
    Ok(office_zone(&office.time_zone))
}

fn office_id(case: &CaseView) -> OfficeId {
    OfficeId::from(case.office.id.as_str())
}
