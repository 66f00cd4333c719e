//! The words a case's file shows for the API's codes: a party's kind, a document's type, a
//! session's status and outcome, a term's state, a follow-up's method, an escalation's
//! destination, the fields of an edit — from the message catalogue, so a reader never sees
//! `pay_slip` or `no_agreement`. Status, channel, category and referral words are in
//! [`crate::words`]. Below the front doors (it was `console::case_view_words`) so that the
//! console's case page and the printed case file (`dossier::case_file`) say the same.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::agreements::follow_ups::TermState;
use crate::cases::lifecycle::{CaseAction, Destination};
use crate::documents::DocumentType;
use crate::follow_ups::FollowUpMethod;
use crate::i18n::Message;
use crate::msg;
use crate::parties::PartyKind;
use crate::sessions::{SessionOutcome, SessionStatus};

/// A time as the page shows it: minutes, in the case office's time zone.
pub fn local_time(at: &DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// A calendar date as the page shows it.
pub fn date(day: &NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Fen as yuan with two decimals and thousands separators: `300000` → `3,000.00`.
pub fn yuan(fen: i64) -> String {
    let plain = crate::notify::yuan(fen);
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, "00"));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{fraction}")
}

pub fn party_kind_words(kind: PartyKind) -> Message {
    match kind {
        PartyKind::Worker => msg!("console.case.party_kind.worker"),
        PartyKind::Employer => msg!("console.case.party_kind.employer"),
        PartyKind::Representative => msg!("console.case.party_kind.representative"),
    }
}

pub fn document_type_words(kind: DocumentType) -> Message {
    match kind {
        DocumentType::PaySlip => msg!("console.case.document_type.pay_slip"),
        DocumentType::Contract => msg!("console.case.document_type.contract"),
        DocumentType::Photo => msg!("console.case.document_type.photo"),
        DocumentType::Agreement => msg!("console.case.document_type.agreement"),
        DocumentType::Evidence => msg!("console.case.document_type.evidence"),
        DocumentType::Identity => msg!("console.case.document_type.identity"),
        DocumentType::Correspondence => msg!("console.case.document_type.correspondence"),
        DocumentType::Other => msg!("console.case.document_type.other"),
    }
}

pub fn session_status_words(status: SessionStatus) -> Message {
    match status {
        SessionStatus::Scheduled => msg!("console.case.session_status.scheduled"),
        SessionStatus::Held => msg!("console.case.session_status.held"),
        SessionStatus::Cancelled => msg!("console.case.session_status.cancelled"),
    }
}

pub fn session_outcome_words(outcome: SessionOutcome) -> Message {
    match outcome {
        SessionOutcome::Agreement => msg!("console.case.session_outcome.agreement"),
        SessionOutcome::PartialAgreement => msg!("console.case.session_outcome.partial_agreement"),
        SessionOutcome::NoAgreement => msg!("console.case.session_outcome.no_agreement"),
        SessionOutcome::Postponed => msg!("console.case.session_outcome.postponed"),
    }
}

pub fn term_state_words(state: TermState) -> Message {
    match state {
        TermState::Paid => msg!("console.case.term_state.paid"),
        TermState::Due => msg!("console.case.term_state.due"),
        TermState::Missed => msg!("console.case.term_state.missed"),
    }
}

pub fn follow_up_method_words(method: FollowUpMethod) -> Message {
    match method {
        FollowUpMethod::Phone => msg!("console.case.follow_up_method.phone"),
        FollowUpMethod::Visit => msg!("console.case.follow_up_method.visit"),
        FollowUpMethod::Sms => msg!("console.case.follow_up_method.sms"),
    }
}

pub fn destination_words(destination: Destination) -> Message {
    match destination {
        Destination::Arbitration => msg!("console.case.destination.arbitration"),
        Destination::Court => msg!("console.case.destination.court"),
        Destination::PaymentOrder => msg!("console.case.destination.payment_order"),
        Destination::JudicialConfirmation => {
            msg!("console.case.destination.judicial_confirmation")
        }
    }
}

/// The button and heading of a lifecycle action.
pub fn case_action_words(action: CaseAction) -> Message {
    match action {
        CaseAction::Accept => msg!("console.case.action.accept"),
        CaseAction::Reject => msg!("console.case.action.reject"),
        CaseAction::Start => msg!("console.case.action.start"),
        CaseAction::Resolve => msg!("console.case.action.resolve"),
        CaseAction::Escalate => msg!("console.case.action.escalate"),
        CaseAction::Withdraw => msg!("console.case.action.withdraw"),
    }
}

/// A field of the case as an `edit` event names it.
pub fn case_field_words(field: &str) -> Message {
    match field {
        "summary" => msg!("console.case.field.summary"),
        "category" => msg!("console.case.field.category"),
        "channel" => msg!("console.case.field.channel"),
        "claimed_amount_fen" => msg!("console.case.field.claimed_amount"),
        "workers_involved" => msg!("console.case.field.workers_involved"),
        "flags" => msg!("console.case.field.flags"),
        other => msg!("console.case.field.other", field = other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_are_grouped_by_thousands_with_two_decimals() {
        assert_eq!(yuan(300_000), "3,000.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(12_345_678_901), "123,456,789.01");
        assert_eq!(yuan(99_900), "999.00");
    }
}
