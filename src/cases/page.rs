//! Everything one screen shows of a case, read at once: the case and its office's time zone, the
//! statutory dates, parties, referrals, joint sessions, the agreement, payments, follow-ups,
//! documents, the timeline, the names of everyone mentioned, and what the action forms offer
//! (assignees, partner offices, lawyers' grants). The console's case page draws it.
//!
//! Why one use case and not one list use case per section: each of those loads the case again
//! to check the caller's visibility (and a supervisor's office tree with it), about thirty
//! statements for one page. Here visibility is checked once — the caller's [`CaseScope`] is part
//! of the query that loads the case, as in `cases::get` — and every section is read with its
//! resource's own functions for that authorised case, like `dossier::assemble`. What a caller
//! sees *inside* the case is still decided by the functions that decide it for the list use
//! cases: `access::partner_office` (a partner office sees its own referrals, and restricted
//! events only when they are its own, through `timeline::use_cases::read_page_of`), `PartyView`
//! (numbers masked), `grants::use_cases::may_grant` and `desk_of` (who sees the grants), the
//! role checks of `assignees::eligible_for`. All of it is one read snapshot, so the summary, the
//! lists and the timeline agree with each other.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::access::{partner_office, CaseScope};
use super::assignees::{eligible_for, Assignee};
use super::{Case, CaseView};
use crate::agreements::views::{agreement_view_in, AgreementView};
use crate::agreements::PaymentView;
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::db::{read_snapshot, DbConnection};
use crate::documents::DocumentView;
use crate::domain::ids::CaseId;
use crate::dossier::StatutoryDates;
use crate::error::AppError;
use crate::follow_ups::FollowUpView;
use crate::grants::use_cases::{desk_of, may_grant, GrantDesk};
use crate::offices::{OfficeKind, OfficeView};
use crate::pagination::{PageQuery, PageRequest, Paginated, MAX_LIMIT};
use crate::parties::PartyView;
use crate::referrals::rules::kinds_for;
use crate::referrals::ReferralView;
use crate::sessions::SessionView;
use crate::timeline::use_cases::{read_page_of, TimelinePage};
use crate::timeline::EventView;

/// Which page of the two lists that may run long (a collective dispute's workers, a busy
/// timeline) to read; every other list inside a case is read as one page of [`MAX_LIMIT`].
#[derive(Debug, Clone)]
pub struct Pages {
    pub parties: PageRequest,
    pub events: TimelinePage,
}

/// Everything the case page shows, as the caller may see it.
pub struct CaseFile {
    pub case: CaseView,
    /// The case office's time zone: every date and time on the page is in it.
    pub zone: Tz,
    pub statutory: StatutoryDates,
    pub parties: Paginated<PartyView>,
    /// The roster of a collective case (the first [`MAX_LIMIT`] workers with their amounts,
    /// one query); `None` for a case of fewer than ten workers, which costs no query.
    pub roster: Option<Vec<crate::roster::RosterEntryView>>,
    pub referrals: Paginated<ReferralView>,
    pub sessions: Paginated<SessionView>,
    pub agreement: Option<AgreementView>,
    pub payments: Paginated<PaymentView>,
    pub follow_ups: Paginated<FollowUpView>,
    pub documents: Paginated<DocumentView>,
    pub timeline: Paginated<EventView>,
    /// Names by user or client id, for everyone the page mentions.
    pub names: HashMap<String, String>,
    /// Whom the case may be given to; empty unless the reader works cases and it is open.
    pub assignees: Vec<Assignee>,
    /// The offices referrals and joint sessions may involve; empty unless the reader works
    /// cases and the case is open.
    pub partner_offices: Vec<OfficeView>,
    /// The live grants and the lawyers to choose from; `None` unless the reader may grant
    /// (`grants::use_cases::may_grant`).
    pub grants: Option<GrantDesk>,
}

/// The first page of a list inside a case: as many as the API gives at once.
fn whole_page() -> PageRequest {
    PageRequest {
        limit: MAX_LIMIT,
        after: None,
    }
}

/// The case page of `case_id` as `caller` may see it (404 when the case is out of sight), in one
/// read snapshot: a fixed number of statements, whatever the number of rows.
pub fn load(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    pages: &Pages,
    now: DateTime<Utc>,
) -> Result<CaseFile, AppError> {
    read_snapshot(connection, |connection| {
        load_in_snapshot(connection, caller, case_id, pages, now)
    })
}

/// [`load`], inside its snapshot.
fn load_in_snapshot(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    pages: &Pages,
    now: DateTime<Utc>,
) -> Result<CaseFile, AppError> {
    let scope = CaseScope::of(connection, caller)?;
    let (case, view, zone) = super::find_visible_with_view(connection, &scope, case_id, now)?;
    let agreement = match agreement_view_in(connection, &case, zone, now) {
        Ok(agreement) => Some(agreement),
        Err(AppError::NotFound) => None,
        Err(other) => return Err(other),
    };
    let mut file = CaseFile {
        zone,
        statutory: StatutoryDates {
            received_at: view.received_at,
            mediation_deadline: view.mediation_deadline,
            overdue: view.overdue,
            judicial_confirmation_deadline: agreement
                .as_ref()
                .map(|a| a.follow_ups.judicial_confirmation_deadline),
        },
        parties: crate::parties::page_for_case(connection, &case.id, &pages.parties)?
            .map(PartyView::from),
        roster: match case.collective {
            true => Some(crate::roster::whole_for_case(
                connection, &case.id, MAX_LIMIT,
            )?),
            false => None,
        },
        referrals: referrals(connection, caller, &case, now)?,
        sessions: sessions(connection, &case)?,
        agreement,
        payments: crate::agreements::payments_page(connection, &case.id, &whole_page())?
            .map(PaymentView::from),
        follow_ups: crate::follow_ups::page_for_case(connection, &case.id, &whole_page())?
            .map(FollowUpView::from),
        documents: crate::documents::page_for_case(connection, &case.id, &whole_page())?
            .map(DocumentView::from),
        timeline: read_page_of(connection, caller, &case, pages.events)?,
        case: view,
        names: HashMap::new(),
        assignees: Vec::new(),
        partner_offices: Vec::new(),
        grants: None,
    };
    file.names = crate::timeline::names::actor_names(connection, &mentioned(&file))?;
    offers(connection, caller, &case, &mut file, now)?;
    Ok(file)
}

/// The referrals of the case, oldest first: all of them for union staff and lawyers, only their
/// own office's for partner staff (`access::partner_office`, as `referrals::list_for_case`).
fn referrals(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Paginated<ReferralView>, AppError> {
    let office = partner_office(caller);
    let found = crate::referrals::page_for_case(connection, &case.id, office, &whole_page())?;
    Ok(Paginated {
        next_cursor: found.next_cursor,
        items: crate::referrals::views_of_case(connection, found.items, case, now)?,
    })
}

/// The joint sessions of the case in time order, their offices loaded in one query.
fn sessions(
    connection: &mut DbConnection,
    case: &Case,
) -> Result<Paginated<SessionView>, AppError> {
    let found = crate::sessions::page_for_case(connection, &case.id, &whole_page())?;
    Ok(Paginated {
        next_cursor: found.next_cursor,
        items: crate::sessions::views(connection, found.items)?,
    })
}

/// What the action forms choose from, for the readers who may use them: the assignees and the
/// partner offices while a case worker reads an open case, the grant desk for whoever may grant.
fn offers(
    connection: &mut DbConnection,
    caller: &Caller,
    case: &Case,
    file: &mut CaseFile,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if policy::allows(caller.role, Action::WorkCases) && !case.status.is_terminal() {
        file.assignees = eligible_for(connection, caller, case)?;
        file.partner_offices = partner_offices(connection, caller)?;
    }
    if may_grant(caller.role) {
        file.grants = Some(desk_of(connection, caller, case, now)?);
    }
    Ok(())
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
            Some(cursor) => {
                page = PageQuery {
                    limit: Some(MAX_LIMIT),
                    cursor: Some(cursor),
                }
                .parse()?
            }
            None => break,
        }
    }
    let rank = |kind: OfficeKind| OfficeKind::ALL.iter().position(|k| *k == kind);
    offices.sort_by_key(|o| (rank(o.kind), o.name.clone()));
    Ok(offices)
}
