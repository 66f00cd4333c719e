//! The rules of referrals as pure functions: which tasks each kind of office takes, which
//! answers each may give, the default time to answer, and the referral's own small lifecycle.

use crate::offices::OfficeKind;
use crate::text_enum;

text_enum! {
    /// The task given to the receiving office (docs/referrals.md "Kinds and default due times", by office kind).
    pub enum ReferralKind {
        LegalConsultation = "legal_consultation",
        DutyLawyer = "duty_lawyer",
        LegalAid = "legal_aid",
        PeopleMediation = "people_mediation",
        Negotiation = "negotiation",
        LabourInspection = "labour_inspection",
        SocialInsuranceCheck = "social_insurance_check",
        LocateParty = "locate_party",
        KeepOrder = "keep_order",
        WageCrimeInvestigation = "wage_crime_investigation",
        JudicialConfirmation = "judicial_confirmation",
        PaymentOrder = "payment_order",
        Litigation = "litigation",
        Arbitration = "arbitration",
    }
}

text_enum! {
    /// Where a referral stands.
    pub enum ReferralStatus {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What the receiving office may do with a referral (and the union: cancel).
    pub enum ReferralAction {
        Accept = "accept",
        Decline = "decline",
        Complete = "complete",
        Cancel = "cancel",
    }
}

impl ReferralKind {
    /// The kind of office that takes this task.
    pub fn office_kind(self) -> OfficeKind {
        use ReferralKind::*;
        match self {
            LegalConsultation | DutyLawyer | LegalAid | PeopleMediation => OfficeKind::Judicial,
            Negotiation | LabourInspection | SocialInsuranceCheck => OfficeKind::Hr,
            LocateParty | KeepOrder | WageCrimeInvestigation => OfficeKind::Police,
            JudicialConfirmation | PaymentOrder | Litigation => OfficeKind::Court,
            Arbitration => OfficeKind::Arbitration,
        }
    }

    /// Hours the office has to answer unless the union sets `due_at` (or configuration
    /// overrides it): urgent for keeping order, weeks for court work.
    pub fn default_due_hours(self) -> i64 {
        use ReferralKind::*;
        match self {
            KeepOrder => 4,
            LegalConsultation | DutyLawyer => 24,
            LocateParty | Negotiation => 48,
            LegalAid | PeopleMediation | SocialInsuranceCheck => 72,
            LabourInspection => 120,
            WageCrimeInvestigation => 168,
            PaymentOrder => 360,
            JudicialConfirmation | Litigation => 720,
            Arbitration => 1080,
        }
    }
}

/// The tasks an office of `kind` takes, as text for messages.
pub fn kinds_for(kind: OfficeKind) -> Vec<&'static str> {
    ReferralKind::ALL
        .iter()
        .filter(|k| k.office_kind() == kind)
        .map(|k| k.as_str())
        .collect()
}

/// Outcome codes an office of `kind` may report when completing a referral (docs/referrals.md "Outcome codes").
pub fn outcomes_for(kind: OfficeKind) -> &'static [&'static str] {
    match kind {
        OfficeKind::Police => &[
            "party_located",
            "party_not_found",
            "order_kept",
            "case_opened",
            "other",
        ],
        OfficeKind::Judicial => &[
            "advice_given",
            "lawyer_attended",
            "legal_aid_granted",
            "other",
        ],
        OfficeKind::Hr => &[
            "employer_agreed_to_pay",
            "inspection_opened",
            "no_violation_found",
            "other",
        ],
        OfficeKind::Court => &["confirmed", "payment_order_issued", "filed", "other"],
        OfficeKind::Arbitration => &["accepted", "awarded", "other"],
        OfficeKind::Union => &["other"],
    }
}

/// The status `action` leads to, or `None` when it is not allowed from `from`.
/// An office may complete a referral it never formally accepted (the police found the owner
/// within the hour); nothing leaves declined, completed or cancelled.
pub fn next_status(from: ReferralStatus, action: ReferralAction) -> Option<ReferralStatus> {
    use ReferralAction as A;
    use ReferralStatus as S;
    match (from, action) {
        (S::Pending, A::Accept) => Some(S::Accepted),
        (S::Pending | S::Accepted, A::Decline) => Some(S::Declined),
        (S::Pending | S::Accepted, A::Complete) => Some(S::Completed),
        (S::Pending | S::Accepted, A::Cancel) => Some(S::Cancelled),
        _ => None,
    }
}

/// Still waiting on the receiving office.
pub fn is_open(status: ReferralStatus) -> bool {
    matches!(status, ReferralStatus::Pending | ReferralStatus::Accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_office_kind_takes_the_tasks_api_md_lists() {
        assert_eq!(
            kinds_for(OfficeKind::Judicial),
            [
                "legal_consultation",
                "duty_lawyer",
                "legal_aid",
                "people_mediation"
            ]
        );
        assert_eq!(
            kinds_for(OfficeKind::Hr),
            ["negotiation", "labour_inspection", "social_insurance_check"]
        );
        assert_eq!(
            kinds_for(OfficeKind::Police),
            ["locate_party", "keep_order", "wage_crime_investigation"]
        );
        assert_eq!(
            kinds_for(OfficeKind::Court),
            ["judicial_confirmation", "payment_order", "litigation"]
        );
        assert_eq!(kinds_for(OfficeKind::Arbitration), ["arbitration"]);
        assert!(kinds_for(OfficeKind::Union).is_empty());
    }

    #[test]
    fn outcomes_are_per_office_kind_with_other_everywhere() {
        assert!(outcomes_for(OfficeKind::Police).contains(&"party_located"));
        assert!(!outcomes_for(OfficeKind::Hr).contains(&"party_located"));
        assert!(outcomes_for(OfficeKind::Hr).contains(&"employer_agreed_to_pay"));
        for kind in OfficeKind::ALL {
            assert!(outcomes_for(*kind).contains(&"other"));
        }
    }

    #[test]
    fn locating_a_party_is_due_in_48_hours_by_default() {
        assert_eq!(ReferralKind::LocateParty.default_due_hours(), 48);
        assert!(ReferralKind::ALL.iter().all(|k| k.default_due_hours() > 0));
    }

    #[test]
    fn the_referral_lifecycle_allows_exactly_these_moves() {
        use ReferralAction as A;
        use ReferralStatus as S;
        let allowed = [
            (S::Pending, A::Accept, S::Accepted),
            (S::Pending, A::Decline, S::Declined),
            (S::Pending, A::Complete, S::Completed),
            (S::Pending, A::Cancel, S::Cancelled),
            (S::Accepted, A::Decline, S::Declined),
            (S::Accepted, A::Complete, S::Completed),
            (S::Accepted, A::Cancel, S::Cancelled),
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
}
