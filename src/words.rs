//! The words people read for the API's codes: a case's status, category and channel, a
//! referral's kind and status, an office's kind — from the message catalogue, so a Chinese
//! reader never sees `in_mediation` or `wage_arrears`.
//!
//! Below the front doors (it was `console::words`) so that every front door says the same: the
//! staff console, the worker's pages (categories) and the spreadsheet exports (`exports`).

use crate::cases::lifecycle::CaseStatus;
use crate::cases::{Category, Channel};
use crate::i18n::Message;
use crate::msg;
use crate::offices::OfficeKind;
use crate::referrals::rules::{ReferralKind, ReferralStatus};

/// A case's status in words.
pub fn status_words(status: CaseStatus) -> Message {
    match status {
        CaseStatus::Intake => msg!("console.status.intake"),
        CaseStatus::Accepted => msg!("console.status.accepted"),
        CaseStatus::InMediation => msg!("console.status.in_mediation"),
        CaseStatus::AgreementReached => msg!("console.status.agreement_reached"),
        CaseStatus::Resolved => msg!("console.status.resolved"),
        CaseStatus::Escalated => msg!("console.status.escalated"),
        CaseStatus::Withdrawn => msg!("console.status.withdrawn"),
        CaseStatus::Rejected => msg!("console.status.rejected"),
    }
}

/// A dispute's category in words (the worker's application form uses the same).
pub fn category_words(category: Category) -> Message {
    match category {
        Category::WageArrears => msg!("category.wage_arrears"),
        Category::OvertimePay => msg!("category.overtime_pay"),
        Category::Compensation => msg!("category.compensation"),
        Category::WorkInjury => msg!("category.work_injury"),
        Category::SocialInsurance => msg!("category.social_insurance"),
        Category::LabourContract => msg!("category.labour_contract"),
        Category::LabourRelationship => msg!("category.labour_relationship"),
        Category::RestAndLeave => msg!("category.rest_and_leave"),
        Category::Other => msg!("category.other"),
    }
}

/// How a dispute reached the union, in words.
pub fn channel_words(channel: Channel) -> Message {
    match channel {
        Channel::WalkIn => msg!("console.channel.walk_in"),
        Channel::Hotline12351 => msg!("console.channel.hotline_12351"),
        Channel::Online => msg!("console.channel.online"),
        Channel::GridWorker => msg!("console.channel.grid_worker"),
        Channel::CourtReferral => msg!("console.channel.court_referral"),
        Channel::Other => msg!("console.channel.other"),
    }
}

/// A referral's status in words.
pub fn referral_status_words(status: ReferralStatus) -> Message {
    match status {
        ReferralStatus::Pending => msg!("console.referral_status.pending"),
        ReferralStatus::Accepted => msg!("console.referral_status.accepted"),
        ReferralStatus::Declined => msg!("console.referral_status.declined"),
        ReferralStatus::Completed => msg!("console.referral_status.completed"),
        ReferralStatus::Cancelled => msg!("console.referral_status.cancelled"),
    }
}

/// What a referral asks of the partner office, in Chinese: the labels the referral emails use
/// (`notify::messages::kind_label`), so the console and the mail say the same.
pub fn referral_kind_words(kind: ReferralKind) -> &'static str {
    crate::notify::messages::kind_label(kind)
}

/// An office's kind in words.
pub fn office_kind_words(kind: OfficeKind) -> Message {
    match kind {
        OfficeKind::Union => msg!("console.office_kind.union"),
        OfficeKind::Judicial => msg!("console.office_kind.judicial"),
        OfficeKind::Hr => msg!("console.office_kind.hr"),
        OfficeKind::Police => msg!("console.office_kind.police"),
        OfficeKind::Court => msg!("console.office_kind.court"),
        OfficeKind::Arbitration => msg!("console.office_kind.arbitration"),
    }
}

/// A partner office's answer to a referral (`referrals::rules::outcomes_for`), in words; a code
/// this list does not know is shown as it is, so a new code is never hidden.
pub fn outcome_words(code: &str) -> Option<Message> {
    Some(match code {
        "party_located" => msg!("console.outcome.party_located"),
        "party_not_found" => msg!("console.outcome.party_not_found"),
        "order_kept" => msg!("console.outcome.order_kept"),
        "case_opened" => msg!("console.outcome.case_opened"),
        "advice_given" => msg!("console.outcome.advice_given"),
        "lawyer_attended" => msg!("console.outcome.lawyer_attended"),
        "legal_aid_granted" => msg!("console.outcome.legal_aid_granted"),
        "employer_agreed_to_pay" => msg!("console.outcome.employer_agreed_to_pay"),
        "inspection_opened" => msg!("console.outcome.inspection_opened"),
        "no_violation_found" => msg!("console.outcome.no_violation_found"),
        "confirmed" => msg!("console.outcome.confirmed"),
        "payment_order_issued" => msg!("console.outcome.payment_order_issued"),
        "filed" => msg!("console.outcome.filed"),
        "accepted" => msg!("console.outcome.accepted"),
        "awarded" => msg!("console.outcome.awarded"),
        "other" => msg!("console.outcome.other"),
        _ => return None,
    })
}
