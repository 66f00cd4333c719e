//! Applying a lifecycle transition: checking the request, then the one write that changes the
//! status and records who, when and why on the timeline.

use crate::domain::lengths;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::lifecycle::{next_status, CaseAction, CaseStatus, Destination, TransitionRequest};
use super::Case;
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::domain::validation::{text, Validator};
use crate::error::AppError;
use crate::referrals::rules::ReferralStatus;
use crate::schema::{cases, referrals};
use crate::timeline::{self, Actor};

/// A transition request whose reason and destination fit its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTransition {
    pub action: CaseAction,
    pub reason: Option<String>,
    pub destination: Option<Destination>,
}

impl TransitionRequest {
    /// Reject, withdraw and escalate need a reason; escalate, and only escalate, a destination.
    pub fn validate(self) -> Result<ValidTransition, AppError> {
        let mut v = Validator::new();
        let reason = self
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        if self.action.needs_reason() {
            v.require(
                reason.is_some(),
                "reason",
                crate::msg!("field.reason.required_for", action = self.action),
            );
        }
        if let Some(reason) = &reason {
            v.check("reason", text(reason, lengths::REASON));
        }
        match (self.action, self.destination) {
            (CaseAction::Escalate, None) => v.add(
                "destination",
                crate::msg!(
                    "field.destination.required",
                    allowed = crate::i18n::List::of(Destination::ALL.iter().map(|d| d.as_str()))
                ),
            ),
            (CaseAction::Escalate, Some(_)) | (_, None) => {}
            (_, Some(_)) => v.add(
                "destination",
                crate::msg!("field.destination.only_escalate"),
            ),
        }
        v.finish()?;
        Ok(ValidTransition {
            action: self.action,
            reason,
            destination: self.destination,
        })
    }
}

/// Moves `current` along its lifecycle, or refuses with 409 `invalid_transition` and changes
/// nothing. Call inside a write transaction, after a visibility-checked load.
pub fn apply(
    connection: &mut DbConnection,
    current: &Case,
    transition: &ValidTransition,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Case, AppError> {
    let from = current.status;
    let to = next_status(from, transition.action).ok_or_else(|| AppError::Conflict {
        code: "invalid_transition",
        detail: crate::msg!(
            "detail.invalid_transition.case",
            status = from,
            action = transition.action
        ),
    })?;
    if from == CaseStatus::AgreementReached
        && transition.action == CaseAction::Resolve
        && current.recovered_amount_fen < current.agreed_amount_fen
    {
        return Err(AppError::Conflict {
            code: "agreement_unpaid",
            detail: crate::msg!(
                "detail.agreement_unpaid",
                recovered = current.recovered_amount_fen,
                agreed = current.agreed_amount_fen
            ),
        });
    }
    let destination = transition.destination.map(|d| d.as_str().to_owned());
    let updated = diesel::update(
        cases::table
            .find(&current.id)
            .filter(cases::version.eq(current.version)),
    )
    .set((
        cases::status.eq(to.as_str()),
        cases::escalated_to.eq(destination.clone().or(current.escalated_to.clone())),
        cases::updated_at.eq(now),
        cases::version.eq(current.version + 1),
        cases::accepted_at.eq(if to == CaseStatus::Accepted {
            Some(now)
        } else {
            current.accepted_at
        }),
        cases::concluded_at.eq(if to.is_terminal() {
            Some(now)
        } else {
            current.concluded_at
        }),
    ))
    .execute(connection)?;
    if updated == 0 {
        return Err(AppError::PreconditionFailed(crate::msg!(
            "detail.version_conflict.case"
        )));
    }
    let data = json!({
        "action": transition.action, "from": from, "to": to,
        "reason": transition.reason, "destination": destination,
    });
    timeline::append(connection, &current.id, actor, "transition", data, now)?;
    if to.is_terminal() {
        close_open_referrals(connection, &current.id, to, actor, now)?;
    }
    Ok(super::reload(connection, &current.id)?)
}

/// A case that ends takes its unanswered referrals with it: they are cancelled (so they are
/// not left overdue in partner inboxes and the figures), and the timeline says how many.
fn close_open_referrals(
    connection: &mut DbConnection,
    case_id: &CaseId,
    to: CaseStatus,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let open = [
        ReferralStatus::Pending.as_str(),
        ReferralStatus::Accepted.as_str(),
    ];
    let reason = format!("the case was {to}");
    let closed = diesel::update(
        referrals::table
            .filter(referrals::case_id.eq(case_id))
            .filter(referrals::status.eq_any(open)),
    )
    .set((
        referrals::status.eq(ReferralStatus::Cancelled.as_str()),
        referrals::cancelled_at.eq(Some(now)),
        referrals::cancel_reason.eq(Some(reason.clone())),
        referrals::updated_at.eq(now),
        referrals::version.eq(referrals::version + 1),
    ))
    .execute(connection)?;
    if closed > 0 {
        let data = json!({"cancelled_referrals": closed, "reason": reason});
        timeline::append(connection, case_id, actor, "referrals_closed", data, now)?;
    }
    Ok(())
}

/// 409 `invalid_transition` unless `current` is in mediation, the only status in which an
/// agreement is recorded.
pub fn may_reach_agreement(current: &Case) -> Result<(), AppError> {
    if super::lifecycle::agreement_recordable(current.status) {
        return Ok(());
    }
    Err(AppError::Conflict {
        code: "invalid_transition",
        detail: crate::msg!(
            "detail.invalid_transition.agreement",
            status = current.status
        ),
    })
}

/// Moves a case in mediation to `agreement_reached` with the agreed amount: the status change of
/// recording a mediation agreement. It lives here, beside [`apply`], so that this module is the
/// one writer of a case's status. 409 `invalid_transition` unless the case is in mediation; 412
/// when it changed since it was read. The caller records the agreement and its event in the same
/// transaction.
pub fn reach_agreement(
    connection: &mut DbConnection,
    current: &Case,
    agreed_amount_fen: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    may_reach_agreement(current)?;
    let updated = diesel::update(
        cases::table
            .find(&current.id)
            .filter(cases::version.eq(current.version)),
    )
    .set((
        cases::status.eq(CaseStatus::AgreementReached),
        cases::agreed_amount_fen.eq(agreed_amount_fen),
        cases::updated_at.eq(now),
        cases::version.eq(current.version + 1),
    ))
    .execute(connection)?;
    if updated == 0 {
        return Err(AppError::PreconditionFailed(crate::msg!(
            "detail.version_conflict.case"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        action: CaseAction,
        reason: Option<&str>,
        destination: Option<Destination>,
    ) -> TransitionRequest {
        TransitionRequest {
            action,
            reason: reason.map(str::to_owned),
            destination,
        }
    }

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endings_need_a_reason_and_escalation_a_destination() {
        assert_eq!(
            fields(
                request(CaseAction::Reject, None, None)
                    .validate()
                    .unwrap_err()
            ),
            ["reason"]
        );
        assert_eq!(
            fields(
                request(CaseAction::Withdraw, Some("  "), None)
                    .validate()
                    .unwrap_err()
            ),
            ["reason"]
        );
        assert_eq!(
            fields(
                request(CaseAction::Escalate, None, None)
                    .validate()
                    .unwrap_err()
            ),
            ["reason", "destination"]
        );
        let escalate = request(
            CaseAction::Escalate,
            Some("failed"),
            Some(Destination::Arbitration),
        )
        .validate();
        assert_eq!(escalate.unwrap().reason.as_deref(), Some("failed"));
    }

    #[test]
    fn only_escalation_takes_a_destination() {
        let accept = request(CaseAction::Accept, None, Some(Destination::Court)).validate();
        assert_eq!(fields(accept.unwrap_err()), ["destination"]);
        assert!(request(CaseAction::Start, None, None).validate().is_ok());
    }
}
