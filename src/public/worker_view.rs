//! The worker's view of their own case (issue 15, the answer of `POST /public/track`): where the
//! case stands in plain words, what has happened so far, and — the point of it — which rights the
//! worker holds on which dates under the statutory clock.
//!
//! Why a pure function: the same view feeds the JSON API, the `/track` page and the SMS texts, and
//! its dates are law the worker may act on; so it takes plain facts and a fixed `now`, does no I/O,
//! and is tested on fixed dates. The statutory dates are not recomputed here: the 15-day window
//! comes from [`crate::cases::deadlines::mediation_clock`] and the agreement's follow-ups
//! (coverage of terms, judicial confirmation window, Art. 16 categories) from
//! [`crate::agreements::follow_ups`], so the worker reads the same dates the mediator does.
//!
//! Privacy by construction: the inputs hold no other party's personal data — no names, ID or
//! phone numbers, and a term payable to someone else is only a flag — so the view cannot leak
//! them. The worker's own masked ID and phone are added by the caller, not here.

mod milestones;
mod rights;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::agreements::follow_ups::{self, FollowUps, TermInput, TermState};
use crate::cases::deadlines::mediation_clock;
use crate::cases::lifecycle::{CaseStatus, Destination};
use crate::cases::Category;
use crate::i18n::{Lang, Message};
use crate::msg;

pub use self::milestones::{Milestone, MilestoneKind, PaymentStanding};
pub use self::rights::{LegalBasis, RightKind, WorkerRight};

/// What the tracker knows about one case, cut down to what its worker may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCaseFacts {
    pub case_number: String,
    pub status: CaseStatus,
    /// Decides whether a missed payment opens a payment order (Art. 16).
    pub category: Category,
    /// When the union received the application: the statutory clock starts here.
    pub received_at: DateTime<Utc>,
    /// The office's zone: statutory days are calendar days there (DOMAIN.md).
    pub office_time_zone: Tz,
    /// The union's answer to the application, once given.
    pub intake_decision: Option<IntakeDecision>,
    /// Joint mediation sessions that were held or are still scheduled (not cancelled ones).
    pub joint_sessions: Vec<JointSession>,
    pub agreement: Option<AgreementFacts>,
    /// Where an escalated case went.
    pub escalated_to: Option<Destination>,
    /// When the case reached its terminal status.
    pub closed_at: Option<DateTime<Utc>>,
    pub office: OfficeContact,
}

/// Whether the union took the case on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeDecision {
    Accepted {
        at: DateTime<Utc>,
    },
    /// The reason is the text the mediator recorded for the worker to read.
    NotAccepted {
        at: DateTime<Utc>,
        reason: String,
    },
}

/// A joint (tripartite) mediation meeting the worker is asked to attend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointSession {
    pub starts_at: DateTime<Utc>,
    pub place: String,
}

/// A signed mediation agreement: its payment terms, in their recorded order, and the money paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementFacts {
    /// Its local date is the effective date the follow-ups count from, as in the staff view.
    pub signed_at: DateTime<Utc>,
    /// Every term of the agreement, the other workers' too (without their payee): payments are
    /// spread over all terms, earliest due first, exactly as the staff view does.
    pub terms: Vec<PaymentTerm>,
    /// Every payment recorded on the case.
    pub payments: Vec<PaymentMade>,
}

/// One payment term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentTerm {
    pub amount_fen: i64,
    pub due_date: NaiveDate,
    /// False for a term payable to another worker of a collective case: it is counted, never shown.
    pub payable_to_this_worker: bool,
}

/// One payment recorded on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentMade {
    pub amount_fen: i64,
    pub paid_at: DateTime<Utc>,
}

/// Who to call about the case: the union office handling it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OfficeContact {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// The worker's view of their case, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkerView {
    pub case_number: String,
    pub status: CaseStatus,
    /// The status in words a worker understands, e.g. "已受理，调解中".
    pub status_words: String,
    /// What has happened (and what is scheduled), in order.
    pub milestones: Vec<Milestone>,
    /// What the worker may do, and from or until when.
    pub rights: Vec<WorkerRight>,
    pub office: OfficeContact,
    /// The worker themselves, as the case records them, numbers masked (the worker's own data
    /// only: nothing of any other party). `None` where the case has no worker party to show.
    pub worker: Option<WorkerIdentity>,
    /// The worker's own share on the roster of a collective case (docs/cases.md "Collective
    /// disputes"): theirs only, never another worker's. `None` when the case keeps no roster
    /// entry for them.
    pub share: Option<WorkerShare>,
}

/// One worker's own amounts on the roster of their case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkerShare {
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// What has reached this worker, from the payments shared among the workers.
    pub paid_amount_fen: i64,
    /// The worker was elected to represent the others (LDMAL Art. 7).
    pub representative: bool,
}

/// Who the case says the worker is: enough to recognise a typo, not enough to be a leak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkerIdentity {
    pub name: String,
    /// e.g. `4405**********0013`.
    pub id_number_masked: Option<String>,
    /// e.g. `139****1111`.
    pub phone_masked: Option<String>,
}

/// The view of `facts` at `now`, worded in `lang`.
pub fn worker_view(facts: &WorkerCaseFacts, now: DateTime<Utc>, lang: Lang) -> WorkerView {
    let calendar = Calendar {
        zone: facts.office_time_zone,
        today: now.with_timezone(&facts.office_time_zone).date_naive(),
        lang,
    };
    let agreement = facts
        .agreement
        .as_ref()
        .map(|agreement| AgreementStanding::of(agreement, facts.category, &calendar));
    let mediation_deadline = mediation_clock(facts.received_at, facts.office_time_zone).deadline;
    WorkerView {
        case_number: facts.case_number.clone(),
        status: facts.status,
        status_words: calendar.render(status_words(facts.status, facts.escalated_to)),
        milestones: milestones::milestones(facts, agreement.as_ref(), &calendar),
        rights: rights::rights(facts, mediation_deadline, agreement.as_ref(), &calendar),
        office: facts.office.clone(),
        worker: None,
        share: None,
    }
}

/// The status as a worker would say it. Terminal statuses say how the case ended.
fn status_words(status: CaseStatus, escalated_to: Option<Destination>) -> Message {
    match status {
        CaseStatus::Intake => msg!("worker_view.status.intake"),
        CaseStatus::Accepted => msg!("worker_view.status.accepted"),
        CaseStatus::InMediation => msg!("worker_view.status.in_mediation"),
        CaseStatus::AgreementReached => msg!("worker_view.status.agreement_reached"),
        CaseStatus::Rejected => msg!("worker_view.status.rejected"),
        CaseStatus::Resolved | CaseStatus::Escalated | CaseStatus::Withdrawn => msg!(
            "worker_view.closed",
            outcome = outcome_words(status, escalated_to)
        ),
    }
}

/// How a closed case ended, for the status and the closing milestone.
fn outcome_words(status: CaseStatus, escalated_to: Option<Destination>) -> Message {
    match status {
        CaseStatus::Escalated => msg!(
            "worker_view.outcome.escalated",
            destination = destination_words(escalated_to)
        ),
        CaseStatus::Withdrawn => msg!("worker_view.outcome.withdrawn"),
        CaseStatus::Rejected => msg!("worker_view.outcome.not_accepted"),
        _ => msg!("worker_view.outcome.resolved"),
    }
}

fn destination_words(destination: Option<Destination>) -> Message {
    match destination {
        Some(Destination::Arbitration) => msg!("worker_view.destination.arbitration"),
        Some(Destination::Court) => msg!("worker_view.destination.court"),
        Some(Destination::PaymentOrder) => msg!("worker_view.destination.payment_order"),
        Some(Destination::JudicialConfirmation) => {
            msg!("worker_view.destination.judicial_confirmation")
        }
        None => msg!("worker_view.destination.unknown"),
    }
}

/// The office's calendar and the reader's language: local dates, and dates and sums as words.
struct Calendar {
    zone: Tz,
    /// Today in the office's time zone: statutory days are local calendar days.
    today: NaiveDate,
    lang: Lang,
}

impl Calendar {
    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// "2026年12月5日" in Chinese; ISO "2026-12-05" in English, which no reader misreads.
    fn date_words(&self, date: NaiveDate) -> String {
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            Lang::English => date.format("%Y-%m-%d").to_string(),
        }
    }

    /// A local date and time, e.g. "2026年12月1日 09:30".
    fn time_words(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.zone);
        format!(
            "{} {:02}:{:02}",
            self.date_words(local.date_naive()),
            local.hour(),
            local.minute()
        )
    }

    fn render(&self, message: Message) -> String {
        message.render(self.lang)
    }
}

/// Fen as yuan with thousands separators: 96000000 → "960,000.00".
fn yuan_words(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// The agreement as the worker sees it: their own terms with what covers them, and the
/// statutory follow-ups of the whole agreement.
struct AgreementStanding {
    signed_on: NaiveDate,
    follow_ups: FollowUps,
    /// This worker's terms, in the agreement's order.
    own_terms: Vec<OwnTerm>,
    /// Every term is payable to this worker, so every payment is theirs to see.
    wholly_this_workers: bool,
}

/// One of this worker's terms, numbered among their own.
struct OwnTerm {
    number: usize,
    amount_fen: i64,
    due_date: NaiveDate,
    paid_fen: i64,
    state: TermState,
}

impl AgreementStanding {
    fn of(agreement: &AgreementFacts, category: Category, calendar: &Calendar) -> Self {
        let signed_on = calendar.local_date(agreement.signed_at);
        let inputs: Vec<TermInput> = agreement
            .terms
            .iter()
            .map(|term| TermInput {
                amount_fen: term.amount_fen,
                due_date: term.due_date,
            })
            .collect();
        let paid_total: i64 = agreement.payments.iter().map(|p| p.amount_fen).sum();
        let coverage = follow_ups::allocate(&inputs, paid_total, calendar.today);
        let own_terms = agreement
            .terms
            .iter()
            .zip(coverage)
            .filter(|(term, _)| term.payable_to_this_worker)
            .enumerate()
            .map(|(index, (term, covered))| OwnTerm {
                number: index + 1,
                amount_fen: term.amount_fen,
                due_date: term.due_date,
                paid_fen: covered.paid_fen,
                state: covered.state,
            })
            .collect();
        Self {
            signed_on,
            follow_ups: follow_ups::follow_ups(
                signed_on,
                &inputs,
                paid_total,
                category,
                calendar.today,
            ),
            own_terms,
            wholly_this_workers: agreement.terms.iter().all(|t| t.payable_to_this_worker),
        }
    }

    /// The earliest due date of this worker's terms that passed without full payment.
    fn first_missed_due_date(&self) -> Option<NaiveDate> {
        self.own_terms
            .iter()
            .filter(|term| term.state == TermState::Missed)
            .map(|term| term.due_date)
            .min()
    }
}
