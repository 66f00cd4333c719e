//! What the case page shows, loaded through the API's use cases in one read snapshot, so the
//! summary, the lists and the timeline agree with each other: each use case checks visibility
//! itself (a case the person may not see is `NotFound`, the 404 page), and a partner office
//! gets only what those use cases give it (its own referrals, its own restricted events).
//!
//! The names of everyone on the page (the timeline's actors, the assignee, who made each
//! referral, payment, upload and follow-up) are loaded afterwards in one batch
//! ([`crate::timeline::names::actor_names`]), never one query per line.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::agreements::views::AgreementView;
use crate::agreements::PaymentView;
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::assignees::Assignee;
use crate::cases::deadlines::office_zone;
use crate::cases::CaseView;
use crate::db::{read_snapshot, DbConnection};
use crate::documents::DocumentView;
use crate::domain::ids::{CaseId, OfficeId};
use crate::dossier::StatutoryDates;
use crate::error::AppError;
use crate::follow_ups::FollowUpView;
use crate::offices::{OfficeKind, OfficeView};
use crate::pagination::{PageQuery, PageRequest, Paginated, MAX_LIMIT};
use crate::parties::PartyView;
use crate::referrals::rules::kinds_for;
use crate::referrals::ReferralView;
use crate::sessions::SessionView;
use crate::timeline::use_cases::TimelineQuery;
use crate::timeline::EventView;

/// Where the two lists that may run long (a collective dispute's workers, a busy timeline)
/// continue: the `?parties=` and `?events=` cursors of the page's "下一页" links.
#[derive(Debug, Clone, Default)]
pub struct Cursors {
    pub parties: Option<String>,
    pub events: Option<String>,
}

/// Everything the case page draws, as the use cases answered it.
pub struct CaseFile {
    pub case: CaseView,
    /// The case office's time zone: every date and time on the page is in it.
    pub zone: Tz,
    pub statutory: StatutoryDates,
    pub parties: Paginated<PartyView>,
    pub referrals: Paginated<ReferralView>,
    pub sessions: Paginated<SessionView>,
    pub agreement: Option<AgreementView>,
    pub payments: Paginated<PaymentView>,
    pub follow_ups: Paginated<FollowUpView>,
    pub documents: Paginated<DocumentView>,
    pub timeline: Paginated<EventView>,
    /// Names by user or client id, for everyone the page mentions.
    pub names: HashMap<String, String>,
    /// Whom the case may be given to; empty unless the reader works cases.
    pub assignees: Vec<Assignee>,
    /// The offices referrals and joint sessions may involve; empty unless the reader works
    /// cases and the case is open.
    pub partner_offices: Vec<OfficeView>,
}

/// The first page of a list inside a case: as many as the API gives at once.
fn whole_page() -> PageRequest {
    PageRequest {
        limit: MAX_LIMIT,
        after: None,
    }
}

/// The page of a list that continues after `cursor` (400 for a cursor the API did not issue).
fn page_after(cursor: &Option<String>) -> Result<PageRequest, AppError> {
    PageQuery {
        limit: Some(MAX_LIMIT),
        cursor: cursor.clone(),
    }
    .parse()
}

/// Loads the case page of `case_id` as `caller` may see it.
pub fn load(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    cursors: &Cursors,
    now: DateTime<Utc>,
) -> Result<CaseFile, AppError> {
    let parties_page = page_after(&cursors.parties)?;
    let events_page = TimelineQuery {
        limit: Some(MAX_LIMIT),
        cursor: cursors.events.clone(),
    }
    .page()?;
    let mut file = read_snapshot(connection, |connection| {
        let case = crate::cases::get(connection, caller, case_id, now)?;
        let office = crate::offices::use_cases::get(connection, caller, &office_id(&case))?;
        let agreement = match crate::agreements::read_agreement(connection, caller, case_id, now) {
            Ok(agreement) => Some(agreement),
            Err(AppError::NotFound) => None,
            Err(other) => return Err(other),
        };
        let statutory = StatutoryDates {
            received_at: case.received_at,
            mediation_deadline: case.mediation_deadline,
            overdue: case.overdue,
            judicial_confirmation_deadline: agreement
                .as_ref()
                .map(|a| a.follow_ups.judicial_confirmation_deadline),
        };
        Ok::<_, AppError>(CaseFile {
            zone: office_zone(&office.time_zone),
            statutory,
            parties: crate::parties::use_cases::list_for(
                connection,
                caller,
                case_id,
                &parties_page,
            )?,
            referrals: crate::referrals::list_for_case(
                connection,
                caller,
                case_id,
                &whole_page(),
                now,
            )?,
            sessions: crate::sessions::use_cases::list_for(
                connection,
                caller,
                case_id,
                &whole_page(),
            )?,
            payments: crate::agreements::list_payments(connection, caller, case_id, &whole_page())?,
            follow_ups: crate::follow_ups::list_for(connection, caller, case_id, &whole_page())?,
            documents: crate::documents::use_cases::list(
                connection,
                caller,
                case_id,
                &whole_page(),
            )?,
            timeline: crate::timeline::read_page(connection, caller, case_id, events_page)?,
            agreement,
            case,
            names: HashMap::new(),
            assignees: Vec::new(),
            partner_offices: Vec::new(),
        })
    })?;
    file.names = crate::timeline::names::actor_names(connection, &mentioned(&file))?;
    if policy::allows(caller.role, Action::WorkCases) && !file.case.status.is_terminal() {
        file.assignees = crate::cases::assignees::eligible(connection, caller, case_id)?;
        file.partner_offices = partner_offices(connection, caller)?;
    }
    Ok(file)
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

/// Every user or client id the page names someone by.
fn mentioned(file: &CaseFile) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    ids.extend(file.case.assignee_id.as_deref());
    for event in &file.timeline.items {
        ids.extend(event.actor.id.as_deref());
        if event.kind == "assignment" {
            for end in ["from", "to"] {
                ids.extend(event.data.get(end).and_then(|v| v.as_str()));
            }
        }
    }
    ids.extend(file.referrals.items.iter().map(|r| r.created_by.as_str()));
    ids.extend(file.payments.items.iter().map(|p| p.recorded_by.as_str()));
    ids.extend(file.documents.items.iter().map(|d| d.uploaded_by.as_str()));
    ids.extend(file.follow_ups.items.iter().map(|f| f.recorded_by.as_str()));
    ids
}

/// The offices that take referrals (`referrals::rules::kinds_for` names tasks for their kind),
/// for the referral and joint-session forms: the directory read a page at a time — one query
/// for any county's directory — and the union offices left out.
fn partner_offices(
    connection: &mut DbConnection,
    caller: &Caller,
) -> Result<Vec<OfficeView>, AppError> {
    let (mut offices, mut page) = (Vec::new(), whole_page());
    loop {
        let found = crate::offices::use_cases::list_page(connection, caller, None, &page)?;
        let takes_referrals = |o: &OfficeView| !kinds_for(o.kind).is_empty();
        offices.extend(found.items.into_iter().filter(takes_referrals));
        match found.next_cursor {
            Some(cursor) => page = page_after(&Some(cursor))?,
            None => break,
        }
    }
    let rank = |kind: OfficeKind| OfficeKind::ALL.iter().position(|k| *k == kind);
    offices.sort_by_key(|o| (rank(o.kind), o.name.clone()));
    Ok(offices)
}
