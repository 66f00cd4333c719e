//! What a caller can do with a case's timeline, as functions any front door calls: read it a
//! page at a time, add a note, check its hash chain. Each takes the acting [`Caller`]; the case
//! must be visible to it (`cases::access::find_for`, else 404), and a partner office sees and
//! writes restricted events only as `cases::access::partner_office` says (docs/security.md).
//! HTTP (extractors, body parsing, status codes) stays in `timeline::handlers`.

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{Actor, ChainCheck, EventView};
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::cases::access::{find_for, partner_office, CaseScope};
use crate::cases::find_visible;
use crate::cases::Case;
use crate::db::{read_snapshot, write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::validation::free_text;
use crate::error::AppError;
use crate::pagination::{Paginated, DEFAULT_LIMIT, MAX_LIMIT};

/// Paging of the timeline, oldest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Events per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A checked page of the timeline: the events after sequence `after`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelinePage {
    pub after: i32,
    pub limit: i64,
}

impl TimelineQuery {
    /// 400 for a limit out of range or a cursor this API did not issue; a blank cursor is no
    /// cursor, as a form that submits an empty field sends it. The timeline's cursor is
    /// the last sequence number read: events are only ever appended, so it never goes stale.
    /// Checked before the caller's session, as the API always has (docs/errors.md).
    pub fn page(&self) -> Result<TimelinePage, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: crate::msg!("detail.invalid_query.limit", max = MAX_LIMIT),
            });
        }
        let cursor = self.cursor.as_deref().filter(|c| !c.trim().is_empty());
        let after = match cursor {
            Some(cursor) => cursor.parse::<i32>().map_err(|_| AppError::BadRequest {
                code: "invalid_cursor",
                detail: crate::msg!("detail.invalid_cursor"),
            })?,
            None => 0,
        };
        Ok(TimelinePage { after, limit })
    }
}

/// A page of a visible case's timeline, oldest first; a partner office sees only unrestricted
/// events and its own. One event more than the page is read, to know whether another follows.
/// The caller's scope is part of the events' query, so a page is one statement (issue 19); only
/// an empty page asks again, to tell an invisible case (404) from a page past the last event.
pub fn read_page(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: TimelinePage,
) -> Result<Paginated<EventView>, AppError> {
    let scope = CaseScope::of(connection, caller)?;
    let visible: super::VisibleCase = scope.filter();
    let events = super::list(
        connection,
        case_id.as_str(),
        partner_office(caller),
        page.after,
        page.limit + 1,
        Some(visible),
    )?;
    if events.is_empty() {
        find_visible(connection, &scope, case_id)?;
    }
    Ok(one_page(events, page.limit))
}

/// [`read_page`] of a case the caller was already found to see (`find_for`), for a reader that
/// loads the whole case at once and checks its visibility once: the same page, and a partner
/// office still sees only unrestricted events and its own.
pub fn read_page_of(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
    page: TimelinePage,
) -> Result<Paginated<EventView>, AppError> {
    let viewer_office = partner_office(caller);
    let events = super::list(
        connection,
        &case.id,
        viewer_office,
        page.after,
        page.limit + 1,
        None,
    )?;
    Ok(one_page(events, page.limit))
}

/// The page of `limit` events out of `limit + 1` read, and the cursor when one more followed.
fn one_page(mut events: Vec<super::Event>, limit: i64) -> Paginated<EventView> {
    let next_cursor =
        (events.len() as i64 > limit).then(|| events[limit as usize - 1].sequence.to_string());
    events.truncate(limit as usize);
    Paginated {
        items: events.into_iter().map(EventView::from).collect(),
        next_cursor,
    }
}

/// `POST /cases/{id}/notes` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: String,
}

/// 403 unless the caller's role writes notes (`policy::may_add_notes`). Front doors call it
/// before reading the body; [`add_note`] checks it again.
pub fn require_note_role(caller: &Caller) -> Result<(), AppError> {
    if policy::may_add_notes(caller.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(crate::msg!(
            "detail.forbidden.notes",
            role = caller.role
        )))
    }
}

/// Adds a note to a visible case's timeline; the body is checked before the case is loaded. A
/// partner office's note is for the union and that office only, like its referrals.
pub fn add_note(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: NoteInput,
    now: DateTime<Utc>,
) -> Result<EventView, AppError> {
    require_note_role(caller)?;
    let note = free_text(&input.body, lengths::NOTE).map_err(|m| AppError::invalid("body", m))?;
    let event = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        let data = json!({"body": note});
        Ok::<_, AppError>(super::append_restricted(
            connection,
            &case.id,
            &Actor::from(caller),
            "note",
            data,
            now.naive_utc(),
            partner_office(caller),
        )?)
    })?;
    Ok(EventView::from(event))
}

/// Recomputes a visible case's hash chain, on one snapshot so that an event appended meanwhile
/// is not mistaken for tampering (`timeline::verify`).
pub fn check_chain(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
) -> Result<ChainCheck, AppError> {
    read_snapshot(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        Ok(super::verify(connection, &case.id)?)
    })
}
