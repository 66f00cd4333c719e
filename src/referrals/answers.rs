//! Answering referrals: what an answer may carry, and the one write that moves a referral along
//! its lifecycle and records it on the case timeline (visible to the union and the receiving
//! office). Who may answer, and loading the referral, are the use cases' (`referrals::use_cases`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::rules::{self, ReferralAction, ReferralStatus};
use super::Referral;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices::OfficeKind;
use crate::schema::referrals;
use crate::timeline::{self, Actor};

/// What an answer carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub reason: Option<String>,
    pub outcome: Option<String>,
    pub result: Option<String>,
}

/// 422 unless the answer's outcome, when it has one, is a code an office of `office_kind` may
/// give (`rules::outcomes_for`; docs/referrals.md "Outcome codes").
pub fn check_outcome(answer: &Answer, office_kind: OfficeKind) -> Result<(), AppError> {
    let Some(outcome) = &answer.outcome else {
        return Ok(());
    };
    let allowed = rules::outcomes_for(office_kind);
    if allowed.contains(&outcome.as_str()) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "outcome",
            crate::msg!(
                "field.outcome.not_for_office",
                office_kind = office_kind,
                allowed = crate::i18n::List::of(allowed.iter().copied())
            ),
        ))
    }
}

/// Moves a referral along its lifecycle and records it on the case timeline (restricted to the
/// union and the receiving office), or refuses with 409 and changes nothing.
pub fn apply(
    connection: &mut DbConnection,
    current: &Referral,
    action: ReferralAction,
    answer: &Answer,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Referral, AppError> {
    let from = current.status;
    let to = rules::next_status(from, action).ok_or_else(|| AppError::Conflict {
        code: "invalid_transition",
        detail: crate::msg!(
            "detail.invalid_transition.referral",
            status = from,
            action = action
        ),
    })?;
    let at = Some(now);
    let updated = diesel::update(
        referrals::table
            .find(&current.id)
            .filter(referrals::version.eq(current.version)),
    )
    .set((
        referrals::status.eq(to.as_str()),
        referrals::accepted_at.eq(if to == ReferralStatus::Accepted {
            at
        } else {
            current.accepted_at
        }),
        referrals::declined_at.eq(if to == ReferralStatus::Declined {
            at
        } else {
            None
        }),
        referrals::decline_reason.eq(if to == ReferralStatus::Declined {
            answer.reason.clone()
        } else {
            None
        }),
        referrals::completed_at.eq(if to == ReferralStatus::Completed {
            at
        } else {
            None
        }),
        referrals::outcome.eq(answer.outcome.clone()),
        referrals::result.eq(answer.result.clone()),
        referrals::cancelled_at.eq(if to == ReferralStatus::Cancelled {
            at
        } else {
            None
        }),
        referrals::cancel_reason.eq(if to == ReferralStatus::Cancelled {
            answer.reason.clone()
        } else {
            None
        }),
        referrals::updated_at.eq(now),
        referrals::version.eq(current.version + 1),
    ))
    .execute(connection)?;
    if updated == 0 {
        return Err(AppError::PreconditionFailed(crate::msg!(
            "detail.version_conflict.referral"
        )));
    }
    let kind = format!("referral_{to}");
    let data = json!({"referral_id": current.id, "office_id": current.office_id, "kind": current.kind,
                      "from": from, "to": to, "reason": answer.reason, "outcome": answer.outcome, "result": answer.result});
    timeline::append_restricted(
        connection,
        &current.case_id,
        actor,
        &kind,
        data,
        now,
        Some(&current.office_id),
    )?;
    let updated = super::reload(connection, &current.id)?;
    crate::notify::messages::referral_answered(connection, &updated, now)?;
    Ok(super::reload(connection, &current.id)?)
}
