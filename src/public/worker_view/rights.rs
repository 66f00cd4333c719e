//! The worker's rights on the statutory clock, each with its dates and the law it rests on.
//!
//! Only what `../shared/product/DOMAIN.md` states is asserted, with one addition named below
//! (Art. 5). In particular nothing is said about mediation interrupting the one-year arbitration
//! limitation: DOMAIN.md does not say it, so the worker is not told it.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::{yuan_words, AgreementStanding, Calendar, IntakeDecision, WorkerCaseFacts};
use crate::agreements::follow_ups::{payment_order_applies, TermState};
use crate::cases::lifecycle::CaseStatus;
use crate::cases::Category;
use crate::i18n::Message;
use crate::msg;

/// What the worker may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    /// Arbitration once the 15-day mediation period has passed without agreement (Art. 14).
    ArbitrationAfterMediationPeriod,
    /// Arbitration without waiting: the union did not take the case, or mediation ended unsettled.
    ArbitrationDirectly,
    /// The one-year limit on applying for arbitration (Art. 27).
    ArbitrationLimitation,
    /// A payment the agreement promises this worker, by its due date.
    PaymentDue,
    /// Arbitration because the agreement was not performed in time (Art. 15).
    ArbitrationOnBreach,
    /// A court payment order on the agreement (Art. 16).
    PaymentOrder,
    /// Joint application to the court to confirm the agreement, within 30 days.
    JudicialConfirmation,
}

/// The law (or the agreement) a right rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// 劳动争议调解仲裁法 Art. 5 (arbitration when unwilling to mediate or mediation fails).
    Ldmal5,
    Ldmal14,
    Ldmal15,
    Ldmal16,
    Ldmal27,
    /// 民事诉讼法 Art. 205 / 人民调解法 Art. 33.
    JudicialConfirmation,
    /// The signed mediation agreement itself.
    MediationAgreement,
}

/// One right and when it can be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkerRight {
    pub kind: RightKind,
    pub basis: LegalBasis,
    /// The basis as a citation, e.g. "《劳动争议调解仲裁法》第十四条".
    pub basis_words: String,
    /// The first local day the right applies; none when it applies already without a date.
    pub applies_from: Option<NaiveDate>,
    /// The last local day it applies; none when the law gives no end this system can compute
    /// (Art. 27 counts from when the worker knew of the infringement, which only they know).
    pub applies_until: Option<NaiveDate>,
    /// Today falls within the dates above (for a payment: it is not yet overdue).
    pub open_now: bool,
    pub words: String,
}

/// The rights of `facts` today. `mediation_deadline` is the last day of the 15-day window.
pub(super) fn rights(
    facts: &WorkerCaseFacts,
    mediation_deadline: NaiveDate,
    agreement: Option<&AgreementStanding>,
    calendar: &Calendar,
) -> Vec<WorkerRight> {
    let right =
        |kind, basis, from, until, words| make_right(kind, basis, from, until, words, calendar);
    let mut found = Vec::new();
    let ended_on = facts
        .closed_at
        .map(|at| calendar.local_date(at))
        .unwrap_or(calendar.today);
    match facts.status {
        // Art. 14 runs only while mediation has not produced an agreement.
        status if CaseStatus::OPEN_BEFORE_AGREEMENT.contains(&status) => {
            let from = day_after(mediation_deadline);
            let words = if calendar.today >= from {
                msg!(
                    "worker_view.right.mediation_period.passed",
                    deadline = calendar.date_words(mediation_deadline),
                    from = calendar.date_words(from)
                )
            } else {
                msg!(
                    "worker_view.right.mediation_period.running",
                    deadline = calendar.date_words(mediation_deadline),
                    from = calendar.date_words(from)
                )
            };
            found.push(right(
                RightKind::ArbitrationAfterMediationPeriod,
                LegalBasis::Ldmal14,
                Some(from),
                None,
                words,
            ));
        }
        CaseStatus::Rejected => {
            let decided_on = match &facts.intake_decision {
                Some(IntakeDecision::NotAccepted { at, .. }) => calendar.local_date(*at),
                _ => ended_on,
            };
            found.push(right(
                RightKind::ArbitrationDirectly,
                LegalBasis::Ldmal5,
                Some(decided_on),
                None,
                msg!("worker_view.right.arbitration_directly.not_accepted"),
            ));
        }
        CaseStatus::Withdrawn | CaseStatus::Escalated if facts.agreement.is_none() => {
            found.push(right(
                RightKind::ArbitrationDirectly,
                LegalBasis::Ldmal5,
                Some(ended_on),
                None,
                msg!("worker_view.right.arbitration_directly.unsettled"),
            ));
        }
        _ => {}
    }
    if let Some(standing) = agreement {
        found.extend(agreement_rights(standing, facts.category, calendar));
    }
    let arbitration_is_in_view = found.iter().any(|r| {
        matches!(
            r.kind,
            RightKind::ArbitrationAfterMediationPeriod
                | RightKind::ArbitrationDirectly
                | RightKind::ArbitrationOnBreach
        )
    });
    if arbitration_is_in_view {
        found.push(right(
            RightKind::ArbitrationLimitation,
            LegalBasis::Ldmal27,
            None,
            None,
            limitation_words(facts.category),
        ));
    }
    found
}

/// After an agreement: each unpaid payment date of this worker, then — once one is missed —
/// arbitration (Art. 15) and, for the claims Art. 16 lists, a payment order; and the 30-day
/// judicial confirmation window while anything remains to be paid.
fn agreement_rights(
    standing: &AgreementStanding,
    category: Category,
    calendar: &Calendar,
) -> Vec<WorkerRight> {
    let mut found = Vec::new();
    for term in standing
        .own_terms
        .iter()
        .filter(|t| t.state != TermState::Paid)
    {
        found.push(make_right(
            RightKind::PaymentDue,
            LegalBasis::MediationAgreement,
            Some(standing.signed_on),
            Some(term.due_date),
            msg!(
                "worker_view.right.payment_due",
                number = term.number,
                amount = yuan_words(term.amount_fen - term.paid_fen),
                due_date = calendar.date_words(term.due_date)
            ),
            calendar,
        ));
    }
    if let Some(missed_on) = standing.first_missed_due_date() {
        let from = day_after(missed_on);
        found.push(make_right(
            RightKind::ArbitrationOnBreach,
            LegalBasis::Ldmal15,
            Some(from),
            None,
            msg!(
                "worker_view.right.arbitration_on_breach",
                due_date = calendar.date_words(missed_on)
            ),
            calendar,
        ));
        if payment_order_applies(category) {
            found.push(make_right(
                RightKind::PaymentOrder,
                LegalBasis::Ldmal16,
                Some(from),
                None,
                msg!("worker_view.right.payment_order"),
                calendar,
            ));
        }
    }
    if !standing.follow_ups.fully_paid {
        let deadline = standing.follow_ups.judicial_confirmation_deadline;
        found.push(make_right(
            RightKind::JudicialConfirmation,
            LegalBasis::JudicialConfirmation,
            Some(standing.signed_on),
            Some(deadline),
            msg!(
                "worker_view.right.judicial_confirmation",
                deadline = calendar.date_words(deadline)
            ),
            calendar,
        ));
    }
    found
}

/// Art. 27, with DOMAIN.md's rule for wages owed during employment where the claim is pay.
fn limitation_words(category: Category) -> Message {
    match category {
        Category::WageArrears | Category::OvertimePay => {
            msg!("worker_view.right.limitation.unpaid_wages")
        }
        _ => msg!("worker_view.right.limitation"),
    }
}

fn make_right(
    kind: RightKind,
    basis: LegalBasis,
    applies_from: Option<NaiveDate>,
    applies_until: Option<NaiveDate>,
    words: Message,
    calendar: &Calendar,
) -> WorkerRight {
    let today = calendar.today;
    WorkerRight {
        kind,
        basis,
        basis_words: calendar.render(basis_words(basis)),
        applies_from,
        applies_until,
        open_now: applies_from.is_none_or(|from| today >= from)
            && applies_until.is_none_or(|until| today <= until),
        words: calendar.render(words),
    }
}

fn basis_words(basis: LegalBasis) -> Message {
    match basis {
        LegalBasis::Ldmal5 => msg!("worker_view.basis.ldmal_5"),
        LegalBasis::Ldmal14 => msg!("worker_view.basis.ldmal_14"),
        LegalBasis::Ldmal15 => msg!("worker_view.basis.ldmal_15"),
        LegalBasis::Ldmal16 => msg!("worker_view.basis.ldmal_16"),
        LegalBasis::Ldmal27 => msg!("worker_view.basis.ldmal_27"),
        LegalBasis::JudicialConfirmation => msg!("worker_view.basis.judicial_confirmation"),
        LegalBasis::MediationAgreement => msg!("worker_view.basis.mediation_agreement"),
    }
}

fn day_after(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}
