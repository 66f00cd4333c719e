//! Answering referrals: who may act on one, and the one write that moves it along its
//! lifecycle and records it on the case timeline (visible to the union and the receiving office).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::rules::{self, ReferralAction, ReferralStatus};
use super::scope_of;
use super::Referral;
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices::{self, OfficeKind};
use crate::schema::referrals;
use crate::timeline::{self, Actor};

/// What an answer carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub reason: Option<String>,
    pub outcome: Option<String>,
    pub result: Option<String>,
}

/// 403 unless the caller's role ever acts on referrals: partner offices answer them, union staff
/// send, cancel and record answers. Checked before a request body is read.
pub fn require_referral_role(caller: &Caller) -> Result<(), AppError> {
    if policy::may_act_on_referrals(caller.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "the {} role may not act on referrals",
            caller.role
        )))
    }
}

/// Loads a referral `caller` may act on with `action`: the receiving office answers its own
/// referrals (union staff record answers for court and arbitration, which do not use the
/// system); union staff cancel. Anything else is invisible (404) or forbidden (403).
pub fn load_for_action(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: ReferralAction,
) -> Result<(Referral, OfficeKind), AppError> {
    let scope = scope_of(connection, caller)?;
    require_referral_role(caller)?;
    let referral = super::find_visible(connection, &scope, id)?;
    let office_kind = offices::find(connection, &referral.office_id)?.kind;
    if !policy::may_act_on_referral(caller.role, action, office_kind) {
        return Err(AppError::Forbidden(match action {
            ReferralAction::Cancel => "only union staff may cancel a referral".into(),
            _ => "only the receiving office answers this referral".into(),
        }));
    }
    Ok((referral, office_kind))
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
        detail: format!("a {from} referral cannot be given the action {action}"),
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
        return Err(AppError::PreconditionFailed(
            "the referral changed meanwhile; read it again".into(),
        ));
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
