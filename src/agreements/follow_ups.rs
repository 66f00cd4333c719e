//! What the law says happens after a mediation agreement, as pure functions of the terms, the
//! money actually paid, the dispute's category and today's date:
//!
//! - 民事诉讼法 Art. 205 / 人民调解法 Art. 33: judicial confirmation is applied for jointly within
//!   30 days of the agreement taking effect.
//! - 劳动争议调解仲裁法 Art. 15: a party may apply for arbitration when the agreement is not
//!   performed within its term.
//! - Art. 16: for wages, injury medical costs, economic compensation or damages, the worker may
//!   apply to the court for a payment order (支付令) on the agreement.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::Category;

/// Days after signing within which judicial confirmation must be applied for.
pub const JUDICIAL_CONFIRMATION_DAYS: u64 = 30;

/// Where one payment term stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TermState {
    Paid,
    Due,
    Missed,
}

/// One term as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermInput {
    pub amount_fen: i64,
    pub due_date: NaiveDate,
}

/// How payments cover a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermCoverage {
    pub paid_fen: i64,
    pub state: TermState,
}

/// The statutory options and dates once an agreement exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FollowUps {
    /// Last day to apply jointly for judicial confirmation (signing date + 30 days).
    pub judicial_confirmation_deadline: NaiveDate,
    pub judicial_confirmation_open: bool,
    /// The earliest due date of a term not yet fully paid.
    pub next_payment_due: Option<NaiveDate>,
    pub missed_terms: usize,
    pub fully_paid: bool,
    /// A term was missed and the claim is of a kind Art. 16 covers.
    pub payment_order_eligible: bool,
    /// A term was missed (Art. 15).
    pub arbitration_eligible: bool,
    /// The same, in sentences for people.
    pub notes: Vec<String>,
}

/// Spreads the money paid over the terms in order of due date: the earliest term is paid first.
pub fn allocate(terms: &[TermInput], paid_total: i64, today: NaiveDate) -> Vec<TermCoverage> {
    let mut order: Vec<usize> = (0..terms.len()).collect();
    order.sort_by_key(|&i| (terms[i].due_date, i));
    let mut left = paid_total.max(0);
    let mut coverage = vec![
        TermCoverage {
            paid_fen: 0,
            state: TermState::Due
        };
        terms.len()
    ];
    for i in order {
        let paid = left.min(terms[i].amount_fen);
        left -= paid;
        let state = if paid >= terms[i].amount_fen {
            TermState::Paid
        } else if today > terms[i].due_date {
            TermState::Missed
        } else {
            TermState::Due
        };
        coverage[i] = TermCoverage {
            paid_fen: paid,
            state,
        };
    }
    coverage
}

/// Art. 16 covers wages, injury medical costs, economic compensation and damages.
pub fn payment_order_applies(category: Category) -> bool {
    matches!(
        category,
        Category::WageArrears
            | Category::OvertimePay
            | Category::Compensation
            | Category::WorkInjury
    )
}

/// The follow-ups of an agreement signed on `signed_on`.
pub fn follow_ups(
    signed_on: NaiveDate,
    terms: &[TermInput],
    paid_total: i64,
    category: Category,
    today: NaiveDate,
) -> FollowUps {
    let coverage = allocate(terms, paid_total, today);
    let deadline = signed_on
        .checked_add_days(Days::new(JUDICIAL_CONFIRMATION_DAYS))
        .unwrap_or(signed_on);
    let missed_terms = coverage
        .iter()
        .filter(|c| c.state == TermState::Missed)
        .count();
    let fully_paid = coverage.iter().all(|c| c.state == TermState::Paid);
    let next_payment_due = terms
        .iter()
        .zip(&coverage)
        .filter(|(_, c)| c.state != TermState::Paid)
        .map(|(t, _)| t.due_date)
        .min();
    let payment_order_eligible = missed_terms > 0 && payment_order_applies(category);
    let arbitration_eligible = missed_terms > 0;
    let mut notes = Vec::new();
    if today <= deadline && !fully_paid {
        notes.push(format!(
            "双方可在{deadline}前共同向人民法院申请司法确认。The parties may jointly apply to the court for judicial confirmation until {deadline}."
        ));
    }
    if payment_order_eligible {
        notes.push("用人单位未按期履行：劳动者可持调解协议向人民法院申请支付令（劳动争议调解仲裁法第十六条）。The employer missed a payment: the worker may apply to the court for a payment order on the agreement (LDMAL Art. 16).".into());
    }
    if arbitration_eligible {
        notes.push("协议未按期履行：当事人可以依法申请仲裁（第十五条）。The agreement was not performed in time: a party may apply for arbitration (LDMAL Art. 15).".into());
    }
    if fully_paid {
        notes.push(
            "协议款项已全部支付，案件可以结案。Every term is paid: the case may be resolved."
                .into(),
        );
    }
    FollowUps {
        judicial_confirmation_deadline: deadline,
        judicial_confirmation_open: today <= deadline,
        next_payment_due,
        missed_terms,
        fully_paid,
        payment_order_eligible,
        arbitration_eligible,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn two_terms() -> Vec<TermInput> {
        vec![
            TermInput {
                amount_fen: 200_000,
                due_date: day("2026-12-10"),
            },
            TermInput {
                amount_fen: 100_000,
                due_date: day("2026-12-01"),
            },
        ]
    }

    #[test]
    fn payments_cover_the_earliest_due_term_first() {
        let coverage = allocate(&two_terms(), 150_000, day("2026-11-25"));
        assert_eq!(
            coverage[1],
            TermCoverage {
                paid_fen: 100_000,
                state: TermState::Paid
            }
        );
        assert_eq!(
            coverage[0],
            TermCoverage {
                paid_fen: 50_000,
                state: TermState::Due
            }
        );
    }

    #[test]
    fn the_judicial_confirmation_window_is_thirty_days() {
        let f = follow_ups(
            day("2026-11-21"),
            &two_terms(),
            0,
            Category::WageArrears,
            day("2026-11-21"),
        );
        assert_eq!(f.judicial_confirmation_deadline, day("2026-12-21"));
        assert!(f.judicial_confirmation_open);
        let late = follow_ups(
            day("2026-11-21"),
            &two_terms(),
            0,
            Category::WageArrears,
            day("2026-12-22"),
        );
        assert!(!late.judicial_confirmation_open);
    }

    #[test]
    fn a_missed_wage_payment_opens_payment_order_and_arbitration() {
        let f = follow_ups(
            day("2026-11-21"),
            &two_terms(),
            0,
            Category::WageArrears,
            day("2026-12-02"),
        );
        assert_eq!(f.missed_terms, 1);
        assert!(f.payment_order_eligible && f.arbitration_eligible);
        assert_eq!(f.next_payment_due, Some(day("2026-12-01")));
        assert!(f.notes.iter().any(|n| n.contains("支付令")));
    }

    #[test]
    fn a_missed_payment_outside_art_16_opens_only_arbitration() {
        let f = follow_ups(
            day("2026-11-21"),
            &two_terms(),
            0,
            Category::SocialInsurance,
            day("2026-12-02"),
        );
        assert!(!f.payment_order_eligible);
        assert!(f.arbitration_eligible);
    }

    #[test]
    fn a_fully_paid_agreement_has_nothing_pending() {
        let f = follow_ups(
            day("2026-11-21"),
            &two_terms(),
            300_000,
            Category::WageArrears,
            day("2027-01-01"),
        );
        assert!(f.fully_paid);
        assert_eq!((f.missed_terms, f.next_payment_due), (0, None));
        assert!(!f.arbitration_eligible);
    }
}
