//! Which papers a case's state allows, and how a paper's serial number is written. Pure
//! functions of facts read from the case, unit-tested here; the use cases only gather the facts.

use chrono::NaiveDate;

use super::PaperKind;
use crate::cases::lifecycle::CaseStatus;

/// What the rules need to know about a case.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    pub status: Option<CaseStatus>,
    /// The timeline shows the case was accepted (a withdrawn case may have been, or not).
    pub accepted: bool,
    pub has_agreement: bool,
    /// Art. 14: fifteen days passed since the application without an agreement.
    pub mediation_period_over: bool,
    /// Art. 16: a term of the agreement was not paid by its due date.
    pub term_missed: bool,
    /// The last day to apply for judicial confirmation (30 days from signing).
    pub confirmation_deadline: Option<NaiveDate>,
    pub today: Option<NaiveDate>,
    /// The case's referrals (each gets its own letter).
    pub referral_ids: Vec<String>,
}

/// The papers `facts` allow, in the order an office issues them.
pub fn available(facts: &CaseFacts) -> Vec<PaperKind> {
    PaperKind::ALL
        .iter()
        .copied()
        .filter(|kind| allows(facts, *kind))
        .collect()
}

/// Whether `facts` allow `kind`.
pub fn allows(facts: &CaseFacts, kind: PaperKind) -> bool {
    use CaseStatus as S;
    let Some(status) = facts.status else {
        return false;
    };
    match kind {
        PaperKind::AcceptanceNotice => {
            facts.accepted || !matches!(status, S::Intake | S::Rejected | S::Withdrawn)
        }
        PaperKind::NonAcceptanceNotice => status == S::Rejected,
        PaperKind::MediationAgreement => facts.has_agreement,
        PaperKind::TerminationCertificate => {
            !facts.has_agreement
                && (status == S::Escalated
                    || (matches!(status, S::Accepted | S::InMediation)
                        && facts.mediation_period_over))
        }
        PaperKind::JudicialConfirmationApplication => {
            facts.has_agreement
                && match (facts.today, facts.confirmation_deadline) {
                    (Some(today), Some(deadline)) => today <= deadline,
                    _ => false,
                }
        }
        PaperKind::PaymentOrderApplication => facts.has_agreement && facts.term_missed,
        PaperKind::AssistanceLetter => !facts.referral_ids.is_empty(),
    }
}

/// The serial number printed on a paper and recorded on the timeline: the case number (which
/// already names the office and the year) and the paper's sequence within the case, so two
/// papers never share a number and a printed paper points back to its case.
pub fn serial(case_number: &str, sequence: i64) -> String {
    format!("{case_number}-W{sequence:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: CaseStatus) -> CaseFacts {
        CaseFacts {
            status: Some(status),
            today: NaiveDate::from_ymd_opt(2026, 12, 7),
            ..CaseFacts::default()
        }
    }

    #[test]
    fn a_case_in_intake_has_no_paper_yet() {
        assert!(available(&facts(CaseStatus::Intake)).is_empty());
    }

    #[test]
    fn a_rejected_case_gets_the_notice_of_non_acceptance_only() {
        assert_eq!(
            available(&facts(CaseStatus::Rejected)),
            vec![PaperKind::NonAcceptanceNotice]
        );
    }

    #[test]
    fn an_accepted_case_gets_the_notice_of_acceptance() {
        assert_eq!(
            available(&facts(CaseStatus::InMediation)),
            vec![PaperKind::AcceptanceNotice]
        );
    }

    #[test]
    fn a_withdrawn_case_has_the_acceptance_notice_only_when_it_was_accepted() {
        let mut withdrawn = facts(CaseStatus::Withdrawn);
        assert!(!allows(&withdrawn, PaperKind::AcceptanceNotice));
        withdrawn.accepted = true;
        assert!(allows(&withdrawn, PaperKind::AcceptanceNotice));
    }

    #[test]
    fn mediation_ends_without_agreement_on_escalation_or_after_fifteen_days() {
        assert!(allows(
            &facts(CaseStatus::Escalated),
            PaperKind::TerminationCertificate
        ));
        let mut running = facts(CaseStatus::InMediation);
        assert!(!allows(&running, PaperKind::TerminationCertificate));
        running.mediation_period_over = true;
        assert!(allows(&running, PaperKind::TerminationCertificate));
        running.has_agreement = true;
        assert!(!allows(&running, PaperKind::TerminationCertificate));
    }

    #[test]
    fn judicial_confirmation_is_offered_until_its_thirtieth_day() {
        let mut signed = facts(CaseStatus::AgreementReached);
        signed.has_agreement = true;
        signed.confirmation_deadline = NaiveDate::from_ymd_opt(2026, 12, 7);
        assert!(allows(&signed, PaperKind::JudicialConfirmationApplication));
        signed.confirmation_deadline = NaiveDate::from_ymd_opt(2026, 12, 6);
        assert!(!allows(&signed, PaperKind::JudicialConfirmationApplication));
        assert!(allows(&signed, PaperKind::MediationAgreement));
    }

    #[test]
    fn a_payment_order_needs_a_missed_term() {
        let mut signed = facts(CaseStatus::AgreementReached);
        signed.has_agreement = true;
        assert!(!allows(&signed, PaperKind::PaymentOrderApplication));
        signed.term_missed = true;
        assert!(allows(&signed, PaperKind::PaymentOrderApplication));
    }

    #[test]
    fn a_letter_of_assistance_needs_a_referral() {
        let mut case = facts(CaseStatus::InMediation);
        assert!(!allows(&case, PaperKind::AssistanceLetter));
        case.referral_ids.push("r1".into());
        assert!(allows(&case, PaperKind::AssistanceLetter));
    }

    #[test]
    fn the_serial_names_the_case_and_the_papers_sequence() {
        assert_eq!(serial("SJ-2026-000042", 3), "SJ-2026-000042-W003");
    }
}
