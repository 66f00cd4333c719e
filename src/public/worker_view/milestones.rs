//! What has happened on the case, in the order a worker lives it: received, accepted (or not,
//! and why), joint sessions, the agreement with its payment schedule and what was paid, closing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    outcome_words, yuan_words, AgreementStanding, Calendar, IntakeDecision, OwnTerm,
    WorkerCaseFacts,
};
use crate::agreements::follow_ups::TermState;
use crate::cases::lifecycle::CaseStatus;
use crate::i18n::Message;
use crate::msg;

/// What kind of event a milestone is, for pages that draw each kind differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Received,
    Accepted,
    NotAccepted,
    JointSession,
    AgreementSigned,
    /// One of the worker's payment terms, dated on its due date.
    PaymentTerm,
    PaymentReceived,
    Closed,
}

/// One event of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Milestone {
    pub kind: MilestoneKind,
    /// The local date in the office's calendar.
    pub date: NaiveDate,
    /// The instant, where the event is one (not for a term's due date).
    pub at: Option<DateTime<Utc>>,
    /// The date is after today: a session to attend, a payment to come.
    pub upcoming: bool,
    pub words: String,
    /// For a payment term: how much is due and how much of it is paid.
    pub payment: Option<PaymentStanding>,
}

/// How much of one term is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct PaymentStanding {
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub state: TermState,
}

/// The milestones of `facts`, oldest first within each stage.
pub(super) fn milestones(
    facts: &WorkerCaseFacts,
    agreement: Option<&AgreementStanding>,
    calendar: &Calendar,
) -> Vec<Milestone> {
    let event = |kind, at: DateTime<Utc>, words: Message| Milestone {
        kind,
        date: calendar.local_date(at),
        at: Some(at),
        upcoming: calendar.local_date(at) > calendar.today,
        words: calendar.render(words),
        payment: None,
    };
    let mut found = vec![event(
        MilestoneKind::Received,
        facts.received_at,
        msg!(
            "worker_view.milestone.received",
            case_number = &facts.case_number
        ),
    )];
    let mut not_accepted_shown = false;
    match &facts.intake_decision {
        Some(IntakeDecision::Accepted { at }) => found.push(event(
            MilestoneKind::Accepted,
            *at,
            msg!("worker_view.milestone.accepted"),
        )),
        Some(IntakeDecision::NotAccepted { at, reason }) => {
            not_accepted_shown = true;
            found.push(event(
                MilestoneKind::NotAccepted,
                *at,
                msg!("worker_view.milestone.not_accepted", reason = reason),
            ));
        }
        None => {}
    }
    let mut sessions: Vec<_> = facts.joint_sessions.iter().collect();
    sessions.sort_by_key(|session| session.starts_at);
    for session in sessions {
        found.push(event(
            MilestoneKind::JointSession,
            session.starts_at,
            msg!(
                "worker_view.milestone.joint_session",
                time = calendar.time_words(session.starts_at),
                place = &session.place
            ),
        ));
    }
    if let (Some(standing), Some(agreement)) = (agreement, &facts.agreement) {
        found.push(event(
            MilestoneKind::AgreementSigned,
            agreement.signed_at,
            agreement_words(standing),
        ));
        found.extend(
            standing
                .own_terms
                .iter()
                .map(|term| payment_term(term, calendar)),
        );
        // In a collective agreement a payment may be another worker's money: show payments
        // one by one only when every term is this worker's; their terms still show what is paid.
        if standing.wholly_this_workers {
            let mut payments: Vec<_> = agreement.payments.iter().collect();
            payments.sort_by_key(|payment| payment.paid_at);
            for payment in payments {
                found.push(event(
                    MilestoneKind::PaymentReceived,
                    payment.paid_at,
                    msg!(
                        "worker_view.milestone.payment_received",
                        amount = yuan_words(payment.amount_fen)
                    ),
                ));
            }
        }
    }
    // A case not accepted ends with that decision, already shown with its reason.
    let closing_shown_already = facts.status == CaseStatus::Rejected && not_accepted_shown;
    if let Some(closed_at) = facts.closed_at {
        if facts.status.is_terminal() && !closing_shown_already {
            found.push(event(
                MilestoneKind::Closed,
                closed_at,
                msg!(
                    "worker_view.closed",
                    outcome = outcome_words(facts.status, facts.escalated_to)
                ),
            ));
        }
    }
    found
}

/// "Agreement signed: 3,000.00 yuan in 2 instalments", or without sums when none is this worker's.
fn agreement_words(standing: &AgreementStanding) -> Message {
    if standing.own_terms.is_empty() {
        return msg!("worker_view.milestone.agreement_signed_no_terms");
    }
    msg!(
        "worker_view.milestone.agreement_signed",
        amount = yuan_words(standing.own_terms.iter().map(|t| t.amount_fen).sum()),
        terms = standing.own_terms.len()
    )
}

fn payment_term(term: &OwnTerm, calendar: &Calendar) -> Milestone {
    let due_date = calendar.date_words(term.due_date);
    let amount = yuan_words(term.amount_fen);
    let words = match term.state {
        TermState::Paid => msg!(
            "worker_view.milestone.payment_term.paid",
            number = term.number,
            amount = amount,
            due_date = due_date
        ),
        TermState::Due => msg!(
            "worker_view.milestone.payment_term.due",
            number = term.number,
            amount = amount,
            due_date = due_date,
            paid = yuan_words(term.paid_fen)
        ),
        TermState::Missed => msg!(
            "worker_view.milestone.payment_term.missed",
            number = term.number,
            amount = amount,
            due_date = due_date,
            owed = yuan_words(term.amount_fen - term.paid_fen)
        ),
    };
    Milestone {
        kind: MilestoneKind::PaymentTerm,
        date: term.due_date,
        at: None,
        upcoming: term.due_date > calendar.today,
        words: calendar.render(words),
        payment: Some(PaymentStanding {
            amount_fen: term.amount_fen,
            paid_fen: term.paid_fen,
            state: term.state,
        }),
    }
}
