//! `POST /public/track`: the case as its worker may follow it, by case number and access code.
//!
//! A wrong code answers exactly as an unknown case does (404, after the same work), and every
//! lookup counts against the case number and the client's address, right or wrong, so an access
//! code cannot be found by trying.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::codes::{digest, normalize_access_code, same_digest};
use super::throttle::{self, hit};
use super::use_cases::PublicContext;
use super::worker_view::{
    worker_view, AgreementFacts, IntakeDecision, JointSession, OfficeContact, PaymentMade,
    PaymentTerm, WorkerCaseFacts, WorkerIdentity, WorkerShare, WorkerView,
};
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::CaseStatus;
use crate::cases::Case;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::schema::{
    agreement_terms, agreements, case_access, case_events, case_parties, cases, mediation_sessions,
    offices, payments,
};
use crate::sessions::SessionStatus;

/// `POST /public/track` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackRequest {
    /// As texted, e.g. `SP-2026-000123`.
    pub case_number: String,
    /// As texted, e.g. `7KQ2M-X9D4P`; case, spaces and hyphens do not matter.
    pub access_code: String,
}

/// The worker's view of the case `input` names, in `lang`; 404 for an unknown case or a wrong
/// code alike.
pub fn track(
    connection: &mut DbConnection,
    context: &PublicContext,
    personal_data: &PersonalData,
    input: TrackRequest,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<WorkerView, AppError> {
    let number =
        crate::domain::identifiers::normalize_typed(&input.case_number).to_ascii_uppercase();
    hit(
        connection,
        personal_data,
        throttle::LOOKUPS_PER_ADDRESS,
        &context.client_address,
        now,
    )?;
    hit(
        connection,
        personal_data,
        throttle::LOOKUPS_PER_CASE,
        &number,
        now,
    )?;
    let found = cases::table
        .inner_join(case_access::table.on(case_access::case_id.eq(cases::id)))
        .filter(cases::case_number.eq(&number))
        .select((Case::as_select(), case_access::code_digest))
        .first::<(Case, String)>(connection)
        .optional()?;
    let typed = normalize_access_code(&input.access_code);
    let (case, stored) = match found {
        Some(found) => found,
        None => {
            // The same work as a wrong code, so the answer takes the same time.
            let _ = same_digest(&digest(personal_data, "access", "", &typed), "");
            return Err(AppError::NotFound);
        }
    };
    if !same_digest(&stored, &digest(personal_data, "access", &case.id, &typed)) {
        return Err(AppError::NotFound);
    }
    let facts = facts_of(connection, &case)?;
    let mut view = worker_view(&facts, now, lang);
    view.worker = worker_identity(connection, &case)?;
    view.share = worker_share(connection, &case)?;
    Ok(view)
}

/// The roster entry of the worker the access code was issued for, if the case keeps one: their
/// own amounts only. A case has one access code, issued to the worker who applied online, so
/// the other workers of a collective case cannot follow their own share here (docs/cases.md).
fn worker_share(
    connection: &mut DbConnection,
    case: &Case,
) -> Result<Option<WorkerShare>, AppError> {
    let party: Option<Option<String>> = case_access::table
        .filter(case_access::case_id.eq(case.id.as_str()))
        .select(case_access::party_id)
        .first(connection)
        .optional()?;
    let Some(party_id) = party.flatten() else {
        return Ok(None);
    };
    Ok(crate::roster::entry_of(connection, &party_id)?
        .filter(|entry| entry.case_id == case.id.as_str())
        .map(|entry| WorkerShare {
            claimed_amount_fen: entry.claimed_amount_fen,
            agreed_amount_fen: entry.agreed_amount_fen,
            paid_amount_fen: entry.paid_amount_fen,
            representative: entry.representative,
        }))
}

/// The worker party the access code was issued for, numbers as stored masked.
fn worker_identity(
    connection: &mut DbConnection,
    case: &Case,
) -> Result<Option<WorkerIdentity>, AppError> {
    let party = case_access::table
        .inner_join(case_parties::table.on(case_access::party_id.eq(case_parties::id.nullable())))
        .filter(case_access::case_id.eq(case.id.as_str()))
        .select((
            case_parties::name,
            case_parties::id_number_masked,
            case_parties::phone_masked,
        ))
        .first::<(String, Option<String>, Option<String>)>(connection)
        .optional()?;
    Ok(
        party.map(|(name, id_number_masked, phone_masked)| WorkerIdentity {
            name,
            id_number_masked,
            phone_masked,
        }),
    )
}

/// What the worker's view is computed from, read in five queries whatever the case holds.
fn facts_of(connection: &mut DbConnection, case: &Case) -> Result<WorkerCaseFacts, AppError> {
    let (name, phone, address, zone) = offices::table
        .find(case.office_id.as_str())
        .select((
            offices::name,
            offices::phone,
            offices::address,
            offices::time_zone,
        ))
        .first::<(String, Option<String>, Option<String>, String)>(connection)?;
    let joint_sessions = mediation_sessions::table
        .filter(mediation_sessions::case_id.eq(case.id.as_str()))
        .filter(mediation_sessions::status.ne(SessionStatus::Cancelled))
        .order(mediation_sessions::scheduled_at.asc())
        .select((
            mediation_sessions::scheduled_at,
            mediation_sessions::location,
        ))
        .load::<(chrono::NaiveDateTime, String)>(connection)?
        .into_iter()
        .map(|(at, place)| JointSession {
            starts_at: at.and_utc(),
            place,
        })
        .collect();
    Ok(WorkerCaseFacts {
        case_number: case.case_number.clone(),
        status: case.status,
        category: case.category,
        received_at: case.received_at.and_utc(),
        office_time_zone: office_zone(&zone),
        intake_decision: intake_decision(connection, case)?,
        joint_sessions,
        agreement: agreement_of(connection, case)?,
        escalated_to: case
            .escalated_to
            .as_deref()
            .and_then(crate::cases::lifecycle::Destination::parse),
        closed_at: case
            .concluded_at
            .filter(|_| case.status.is_terminal())
            .map(|at| at.and_utc()),
        office: OfficeContact {
            name,
            phone,
            address,
        },
    })
}

/// Accepted (when), or not accepted (when, and the reason the mediator gave on the timeline).
fn intake_decision(
    connection: &mut DbConnection,
    case: &Case,
) -> Result<Option<IntakeDecision>, AppError> {
    if let Some(at) = case.accepted_at {
        return Ok(Some(IntakeDecision::Accepted { at: at.and_utc() }));
    }
    if case.status != CaseStatus::Rejected {
        return Ok(None);
    }
    let transitions: Vec<(chrono::NaiveDateTime, String)> = case_events::table
        .filter(case_events::case_id.eq(case.id.as_str()))
        .filter(case_events::kind.eq("transition"))
        .order(case_events::sequence.desc())
        .select((case_events::occurred_at, case_events::data))
        .load(connection)?;
    let rejection = transitions.into_iter().find_map(|(at, data)| {
        let data: serde_json::Value = serde_json::from_str(&data).ok()?;
        (data["to"] == "rejected").then(|| IntakeDecision::NotAccepted {
            at: at.and_utc(),
            reason: data["reason"].as_str().unwrap_or_default().to_owned(),
        })
    });
    Ok(rejection)
}

/// The agreement with every term (payee compared with nothing: the worker of an online
/// application is the case's one claimant, so every term is theirs) and every payment.
fn agreement_of(
    connection: &mut DbConnection,
    case: &Case,
) -> Result<Option<AgreementFacts>, AppError> {
    let Some((id, signed_at)) = agreements::table
        .filter(agreements::case_id.eq(case.id.as_str()))
        .select((agreements::id, agreements::signed_at))
        .first::<(String, chrono::NaiveDateTime)>(connection)
        .optional()?
    else {
        return Ok(None);
    };
    let terms = agreement_terms::table
        .filter(agreement_terms::agreement_id.eq(&id))
        .order(agreement_terms::position.asc())
        .select((agreement_terms::amount_fen, agreement_terms::due_date))
        .load::<(i64, chrono::NaiveDate)>(connection)?
        .into_iter()
        .map(|(amount_fen, due_date)| PaymentTerm {
            amount_fen,
            due_date,
            payable_to_this_worker: true,
        })
        .collect();
    let payments = payments::table
        .filter(payments::case_id.eq(case.id.as_str()))
        .order(payments::paid_at.asc())
        .select((payments::amount_fen, payments::paid_at))
        .load::<(i64, chrono::NaiveDateTime)>(connection)?
        .into_iter()
        .map(|(amount_fen, paid_at)| PaymentMade {
            amount_fen,
            paid_at: paid_at.and_utc(),
        })
        .collect();
    Ok(Some(AgreementFacts {
        signed_at: signed_at.and_utc(),
        terms,
        payments,
    }))
}
