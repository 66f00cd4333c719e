//! The case lifecycle (docs/cases.md "Lifecycle") as one pure function: which action moves which status where.
//!
//! ```text
//! intake ──accept──> accepted ──start──> in_mediation ──(agreement)──> agreement_reached ──resolve──> resolved
//!   │ reject                               │ resolve (settled on the spot) ─────────────────────────> resolved
//!   v                                      │ escalate (failed / 15 days) ──> escalated
//! rejected          withdraw from any open state ──> withdrawn      agreement_reached ──escalate──> escalated
//! ```
//! `agreement_reached` is entered by recording an agreement, not by a transition request.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::text_enum;

text_enum! {
    /// Where a case stands.
    pub enum CaseStatus {
        Intake = "intake",
        Accepted = "accepted",
        InMediation = "in_mediation",
        AgreementReached = "agreement_reached",
        Resolved = "resolved",
        Escalated = "escalated",
        Withdrawn = "withdrawn",
        Rejected = "rejected",
    }
}

text_enum! {
    /// What a mediator asks to do to a case (`POST /cases/{id}/transitions`).
    pub enum CaseAction {
        Accept = "accept",
        Reject = "reject",
        Start = "start",
        Resolve = "resolve",
        Escalate = "escalate",
        Withdraw = "withdraw",
    }
}

text_enum! {
    /// Where an escalated case goes next.
    pub enum Destination {
        Arbitration = "arbitration",
        Court = "court",
        PaymentOrder = "payment_order",
        JudicialConfirmation = "judicial_confirmation",
    }
}

impl CaseStatus {
    /// Statuses in which the case is still being worked (and the statutory clock runs).
    pub const OPEN_BEFORE_AGREEMENT: [CaseStatus; 3] = [
        CaseStatus::Intake,
        CaseStatus::Accepted,
        CaseStatus::InMediation,
    ];

    /// No transition leaves a terminal status.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Resolved | Self::Escalated | Self::Withdrawn | Self::Rejected
        )
    }
}

impl CaseAction {
    /// Reject, withdraw and escalate must say why: the record must explain every ending.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Reject | Self::Withdraw | Self::Escalate)
    }
}

/// Whether recording a mediation agreement may move a case in `status` to `agreement_reached`:
/// only from mediation (`transitions::may_reach_agreement` enforces it; a front door asks it to
/// offer the form only when it applies).
pub fn agreement_recordable(status: CaseStatus) -> bool {
    status == CaseStatus::InMediation
}

/// A transition request as received (reason and destination optional until checked).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: CaseAction,
    pub reason: Option<String>,
    /// Required for `escalate`.
    pub destination: Option<Destination>,
}

/// The status `action` leads to from `from`, or `None` when the lifecycle draws no such arrow.
pub fn next_status(from: CaseStatus, action: CaseAction) -> Option<CaseStatus> {
    use CaseAction as A;
    use CaseStatus as S;
    match (from, action) {
        (S::Intake, A::Accept) => Some(S::Accepted),
        (S::Intake, A::Reject) => Some(S::Rejected),
        (S::Accepted, A::Start) => Some(S::InMediation),
        (S::InMediation, A::Resolve) | (S::AgreementReached, A::Resolve) => Some(S::Resolved),
        (S::InMediation, A::Escalate) | (S::AgreementReached, A::Escalate) => Some(S::Escalated),
        (open, A::Withdraw) if !open.is_terminal() => Some(S::Withdrawn),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseAction as A;
    use CaseStatus as S;

    #[test]
    fn exactly_the_drawn_transitions_are_allowed() {
        let allowed = [
            (S::Intake, A::Accept, S::Accepted),
            (S::Intake, A::Reject, S::Rejected),
            (S::Intake, A::Withdraw, S::Withdrawn),
            (S::Accepted, A::Start, S::InMediation),
            (S::Accepted, A::Withdraw, S::Withdrawn),
            (S::InMediation, A::Resolve, S::Resolved),
            (S::InMediation, A::Escalate, S::Escalated),
            (S::InMediation, A::Withdraw, S::Withdrawn),
            (S::AgreementReached, A::Resolve, S::Resolved),
            (S::AgreementReached, A::Escalate, S::Escalated),
            (S::AgreementReached, A::Withdraw, S::Withdrawn),
        ];
        for from in S::ALL {
            for action in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| f == from && a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    next_status(*from, *action),
                    expected,
                    "{from} --{action}-->"
                );
            }
        }
    }

    #[test]
    fn terminal_statuses_have_no_way_out() {
        for status in S::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(
                A::ALL.iter().all(|a| next_status(*status, *a).is_none()),
                "{status}"
            );
        }
    }

    #[test]
    fn an_agreement_is_recorded_only_in_mediation() {
        let recordable: Vec<_> = S::ALL
            .iter()
            .filter(|s| agreement_recordable(**s))
            .collect();
        assert_eq!(recordable, [&S::InMediation]);
    }

    #[test]
    fn endings_other_than_resolution_need_a_reason() {
        let needing: Vec<_> = A::ALL.iter().filter(|a| a.needs_reason()).collect();
        assert_eq!(needing, [&A::Reject, &A::Escalate, &A::Withdraw]);
    }
}
