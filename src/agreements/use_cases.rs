//! The agreement use cases: recording the signed agreement, reading it with its follow-ups, and
//! recording and listing the payments (docs/agreements.md). Each is a plain function of the
//! acting caller, its input and the clock's `now`, owning its transaction and its timeline event,
//! so that every front door records an agreement or a payment the same way and nothing here knows
//! about HTTP (docs/architecture.md). The case's status changes only through
//! `cases::transitions::reach_agreement`, the one writer of a case's status.

use crate::domain::lengths;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::views::{agreement_view, AgreementView};
use super::{Agreement, Payment, PaymentView, Term};
use crate::auth::caller::Caller;
use crate::cases::access::find_for;
use crate::cases::intake::amount;
use crate::cases::lifecycle::CaseStatus;
use crate::cases::transitions;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::validation::{free_text, text, Validator};
use crate::error::AppError;
use crate::notify::texts::WorkerTexts;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// The most terms one agreement may list.
pub const MAX_TERMS: usize = 100;

/// One payment term as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermInputBody {
    pub description: String,
    pub amount_fen: i64,
    /// Who receives the money (a worker, or "all claimants").
    pub payee: String,
    pub due_date: NaiveDate,
}

/// `POST /cases/{id}/agreements` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgreement {
    pub signed_at: DateTime<Utc>,
    pub terms: Vec<TermInputBody>,
}

/// `POST /cases/{id}/payments` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePayment {
    pub amount_fen: i64,
    pub paid_at: DateTime<Utc>,
    pub note: Option<String>,
    /// How the payment is shared among the workers of the case (a collective dispute's roster):
    /// each a worker party of this case, the shares adding up to `amount_fen` exactly
    /// (`roster::rules`). Without it the payment counts for the case only.
    #[serde(default)]
    pub allocations: Option<Vec<crate::roster::rules::AllocationInput>>,
}

/// A term whose fields all passed their checks.
struct ValidTerm {
    description: String,
    payee: String,
    amount_fen: i64,
    due_date: NaiveDate,
}

/// Checks the whole agreement body, reporting every invalid field at once by its path
/// (`terms[1].amount_fen`), as docs/agreements.md lists them.
fn validate_agreement(
    input: &CreateAgreement,
    now: DateTime<Utc>,
) -> Result<Vec<ValidTerm>, AppError> {
    let mut v = Validator::new();
    v.require(
        input.signed_at <= now + chrono::Duration::minutes(5),
        "signed_at",
        crate::msg!("field.not_future"),
    );
    v.require(
        !input.terms.is_empty(),
        "terms",
        crate::msg!("field.terms.empty"),
    );
    v.require(
        input.terms.len() <= MAX_TERMS,
        "terms",
        crate::msg!("field.terms.too_many", max = MAX_TERMS),
    );
    let mut terms = Vec::new();
    for (index, term) in input.terms.iter().enumerate() {
        let description = v.check(
            &format!("terms[{index}].description"),
            free_text(&term.description, lengths::REASON),
        );
        let payee = v.check(
            &format!("terms[{index}].payee"),
            text(&term.payee, lengths::NAME),
        );
        let amount_fen = v.check(
            &format!("terms[{index}].amount_fen"),
            amount(term.amount_fen),
        );
        if term.due_date < input.signed_at.date_naive() {
            v.add(
                &format!("terms[{index}].due_date"),
                crate::msg!("field.due_date.before_signing"),
            );
        }
        if let (Some(description), Some(payee), Some(amount_fen)) = (description, payee, amount_fen)
        {
            terms.push(ValidTerm {
                description,
                payee,
                amount_fen,
                due_date: term.due_date,
            });
        }
    }
    v.finish()?;
    Ok(terms)
}

/// Records the signed agreement of a case in mediation: union staff only (403); the body is
/// checked first (422), then, in one transaction, the case must be visible (404), have no
/// agreement yet (409 `agreement_exists`) and be in mediation (409 `invalid_transition`); the
/// agreement and its terms are stored, the case reaches `agreement_reached` with the sum of
/// the terms as its agreed amount, and `agreement_signed` goes on the timeline; the consenting
/// workers are texted the payment schedule. Returns the agreement view.
pub fn record_agreement(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreateAgreement,
    texts: &WorkerTexts,
    now: DateTime<Utc>,
) -> Result<AgreementView, AppError> {
    caller.require(crate::auth::policy::Action::WorkCases)?;
    let terms = validate_agreement(&input, now)?;
    let total: i64 = terms.iter().map(|t| t.amount_fen).sum();
    let case = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        if super::for_case(connection, &case.id)?.is_some() {
            return Err(AppError::Conflict {
                code: "agreement_exists",
                detail: crate::msg!("detail.agreement_exists"),
            });
        }
        transitions::may_reach_agreement(&case)?;
        let agreement = Agreement {
            id: new_id(),
            case_id: case.id.clone(),
            signed_at: input.signed_at.naive_utc(),
            total_amount_fen: total,
            created_by: caller.actor_id().to_owned(),
            created_at: now.naive_utc(),
        };
        let rows: Vec<Term> = terms
            .into_iter()
            .enumerate()
            .map(|(i, term)| Term {
                id: new_id(),
                agreement_id: agreement.id.clone(),
                position: i as i32 + 1,
                description: term.description,
                amount_fen: term.amount_fen,
                payee: term.payee,
                due_date: term.due_date,
            })
            .collect();
        super::insert(connection, &agreement, &rows)?;
        transitions::reach_agreement(connection, &case, total, now.naive_utc())?;
        let data = json!({"agreement_id": agreement.id, "signed_at": input.signed_at, "total_amount_fen": total,
                          "terms": rows.len(), "from": "in_mediation", "to": "agreement_reached"});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "agreement_signed",
            data,
            now.naive_utc(),
        )?;
        let schedule: Vec<_> = rows.iter().map(|t| (t.due_date, t.amount_fen)).collect();
        let reached = crate::cases::reload(connection, &case.id)?;
        crate::notify::texts::agreement_signed(
            connection,
            texts,
            &reached,
            &schedule,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(reached)
    })?;
    agreement_view(connection, &case, now)
}

/// The agreement of a case the caller sees, with what is paid and the follow-ups for `now`; 404
/// when the case is invisible or has no agreement.
pub fn read_agreement(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<AgreementView, AppError> {
    let case = find_for(connection, caller, case_id)?;
    agreement_view(connection, &case, now)
}

/// Whether a case in `status` takes payments: in mediation (a case settled on the spot) or under
/// an agreement; never once it is closed, nor before mediation started. Public so a front door
/// offers the payment form exactly when this use case would take it.
pub fn takes_payments(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::InMediation | CaseStatus::AgreementReached
    )
}

/// Records money actually paid to the workers: union staff only (403); the body is checked
/// first (422), then, in one transaction, the case must be visible (404) and take payments (409
/// `invalid_transition`); the payment is stored, the case's recovered amount is recomputed by
/// the database from all its payments (a new version of the case), the `allocations` (if any)
/// are stored and added to the workers' roster entries (422 and nothing written when a party is
/// not a worker of the case), and `payment_recorded` goes on the timeline.
pub fn record_payment(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreatePayment,
    now: DateTime<Utc>,
) -> Result<PaymentView, AppError> {
    caller.require(crate::auth::policy::Action::WorkCases)?;
    let mut v = Validator::new();
    let amount_fen = v.check("amount_fen", amount(input.amount_fen));
    v.require(
        input.amount_fen > 0,
        "amount_fen",
        crate::msg!("field.amount.not_positive"),
    );
    v.require(
        input.paid_at <= now + chrono::Duration::minutes(5),
        "paid_at",
        crate::msg!("field.not_future"),
    );
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .and_then(|n| v.check("note", free_text(n, lengths::REASON)));
    if let (Some(fen), Some(shares)) = (amount_fen, &input.allocations) {
        crate::roster::use_cases::check_shares(&mut v, fen, shares);
    }
    let amount_fen = v.finish_with(|| amount_fen)?;
    let payment = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        if !takes_payments(case.status) {
            return Err(AppError::Conflict {
                code: "invalid_transition",
                detail: crate::msg!("detail.invalid_transition.payment", status = case.status),
            });
        }
        let payment = Payment {
            id: new_id(),
            case_id: case.id.clone(),
            amount_fen,
            paid_at: input.paid_at.naive_utc(),
            note: note.clone(),
            recorded_by: caller.actor_id().to_owned(),
            created_at: now.naive_utc(),
        };
        super::insert_payment(connection, &payment)?;
        let shares = input.allocations.as_deref().unwrap_or_default();
        if !shares.is_empty() {
            // One allocation per case at a time (the timeline's lock): a worker's first roster
            // entry is written by whichever payment comes first, never by two at once.
            timeline::lock_chain(connection, &case.id)?;
        }
        crate::roster::use_cases::allocate(
            connection,
            &case,
            &payment.id,
            shares,
            now.naive_utc(),
        )?;
        super::refresh_recovered(connection, &case.id, now.naive_utc())?;
        let recovered = crate::cases::reload(connection, &case.id)?.recovered_amount_fen;
        let mut data = json!({"payment_id": payment.id, "amount_fen": amount_fen, "paid_at": input.paid_at,
                          "note": note, "recovered_amount_fen": recovered});
        if !shares.is_empty() {
            data["allocations"] = json!(shares);
        }
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "payment_recorded",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(payment)
    })?;
    Ok(PaymentView::from(payment))
}

/// A page of the payments of a case the caller sees (else 404), earliest `paid_at` first.
pub fn list_payments(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<PaymentView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    Ok(super::payments_page(connection, &case.id, page)?.map(PaymentView::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payments_are_taken_in_mediation_and_under_an_agreement_only() {
        use CaseStatus::*;
        for status in [InMediation, AgreementReached] {
            assert!(takes_payments(status), "{status}");
        }
        for status in [Intake, Accepted, Resolved, Escalated, Withdrawn, Rejected] {
            assert!(!takes_payments(status), "{status}");
        }
    }
}
