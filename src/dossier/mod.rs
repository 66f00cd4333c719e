//! The dossier: the whole case file in one document — the case, its parties (masked), the
//! timeline, referrals with their answers, joint sessions, the agreement with its terms and
//! payments, the documents with their checksums, the statutory dates, and the head of the hash
//! chain so a printed file can later be checked against the system. JSON for systems; a
//! printable HTML page (server-side template, Chinese labels, no external assets) for people.

pub mod case_file;
pub mod handlers;
pub mod page;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::agreements::views::{agreement_view, AgreementView};
use crate::agreements::{payments_for_case, PaymentView};
use crate::auth::caller::Caller;
use crate::cases::access::find_for;
use crate::cases::access::partner_office;
use crate::cases::CaseView;
use crate::db::{read_snapshot, DbConnection};
use crate::documents::{self, DocumentView};
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::parties::PartyView;
use crate::referrals::{self, ReferralView};
use crate::sessions::{self, SessionView};
use crate::timeline::{self, ChainCheck, EventView};

/// The statutory dates of the case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatutoryDates {
    pub received_at: DateTime<Utc>,
    /// Art. 14: 15 days from receipt.
    pub mediation_deadline: NaiveDate,
    pub overdue: bool,
    /// 30 days from signing, when there is an agreement.
    pub judicial_confirmation_deadline: Option<NaiveDate>,
}

/// The whole case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dossier {
    pub generated_at: DateTime<Utc>,
    pub case: CaseView,
    pub statutory: StatutoryDates,
    pub parties: Vec<PartyView>,
    pub referrals: Vec<ReferralView>,
    pub sessions: Vec<SessionView>,
    pub agreement: Option<AgreementView>,
    pub payments: Vec<PaymentView>,
    pub documents: Vec<DocumentView>,
    pub timeline: Vec<EventView>,
    /// The recomputed hash chain; `head_hash` identifies this exact history.
    pub chain: ChainCheck,
}

/// Assembles the dossier of a case the caller may see (404 otherwise), with what the caller
/// may see of it: a partner office gets only its own referrals and restricted events. Everything
/// is read in one snapshot: the chain check must see the same events the dossier prints
/// (docs/case-files.md).
pub fn assemble(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Dossier, AppError> {
    read_snapshot(connection, |connection| {
        assemble_in(connection, caller, case_id, now)
    })
}

/// The case file as an A4 PDF (`case_file`), with the names of everyone its timeline mentions
/// loaded in the same snapshot; and the serial printed on its pages.
pub fn print(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String), AppError> {
    let (file, names) = read_snapshot(connection, |connection| {
        let file = assemble_in(connection, caller, case_id, now)?;
        let mut ids: Vec<&str> = Vec::new();
        for event in &file.timeline {
            ids.extend(event.actor.id.as_deref());
            if event.kind == "assignment" {
                for end in ["from", "to"] {
                    ids.extend(event.data.get(end).and_then(|v| v.as_str()));
                }
            }
        }
        let names = crate::timeline::names::actor_names(connection, &ids)?;
        Ok::<_, AppError>((file, names))
    })?;
    Ok((
        case_file::render_pdf(&file, &names)?,
        case_file::serial(&file),
    ))
}

/// [`assemble`], inside the caller's snapshot or transaction (the papers write their timeline
/// event in the transaction that read the case file).
pub fn assemble_in(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Dossier, AppError> {
    let case = find_for(connection, caller, case_id)?;
    let partner = partner_office(caller).map(str::to_owned);
    let agreement = match agreement_view(connection, &case, now) {
        Ok(view) => Some(view),
        Err(AppError::NotFound) => None,
        Err(other) => return Err(other),
    };
    let referral_rows = referrals::for_case(connection, &case.id, partner.as_deref())?;
    let referral_views = referrals::views_of_case(connection, referral_rows, &case, now)?;
    let session_rows = sessions::for_case(connection, &case.id)?;
    let events = timeline::list(connection, &case.id, partner.as_deref(), 0, i64::MAX, None)?;
    let chain = timeline::verify(connection, &case.id)?;
    let parties = crate::parties::list(connection, &case.id)?;
    let documents = documents::for_case(connection, &case.id)?;
    let payments = payments_for_case(connection, &case.id)?;
    let view = crate::cases::views(connection, vec![case], now)?.remove(0);
    Ok(Dossier {
        generated_at: now,
        statutory: StatutoryDates {
            received_at: view.received_at,
            mediation_deadline: view.mediation_deadline,
            overdue: view.overdue,
            judicial_confirmation_deadline: agreement
                .as_ref()
                .map(|a| a.follow_ups.judicial_confirmation_deadline),
        },
        case: view,
        parties: parties.into_iter().map(PartyView::from).collect(),
        referrals: referral_views,
        sessions: sessions::views(connection, session_rows)?,
        agreement,
        payments: payments.into_iter().map(PaymentView::from).collect(),
        documents: documents.into_iter().map(DocumentView::from).collect(),
        timeline: events.into_iter().map(EventView::from).collect(),
        chain,
    })
}
