//! The pure rules of a roster: when a worker counts as paid in full, and how a payment may be
//! shared among the workers (its `allocations`).
//!
//! The allocation rule is **exact**: the shares of a payment add up to the payment, fen for fen.
//! A payment in a collective case is money handed to named workers; a remainder allocated to
//! nobody would be counted as recovered for the case and yet reach no worker's share, so the
//! case's recovered amount and the sum of the workers' paid amounts would drift apart. A payment
//! that is not shared (no `allocations`) is still allowed: it counts for the case only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::intake::amount;
use crate::domain::validation::Validator;

/// The most workers one payment may be shared among (a large collective dispute).
pub const MAX_ALLOCATIONS: usize = 1000;

/// One worker's share of a payment, as received.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    /// A worker party of the same case.
    pub party_id: String,
    /// More than zero; the shares add up to the payment's `amount_fen` exactly.
    pub amount_fen: i64,
}

/// Paid at least what was agreed, and something was agreed (a worker with nothing agreed is not
/// "paid in full", whatever reached them).
pub fn paid_in_full(agreed_fen: i64, paid_fen: i64) -> bool {
    agreed_fen > 0 && paid_fen >= agreed_fen
}

/// Checks the shares of a payment of `payment_fen`, reporting each problem under its field
/// (`allocations[2].amount_fen`, `allocations[3].party_id`, or `allocations` for the sum).
/// Whether each party is a worker of the case is the use case's check (it needs the database).
pub fn check_allocations(v: &mut Validator, payment_fen: i64, allocations: &[AllocationInput]) {
    if allocations.len() > MAX_ALLOCATIONS {
        v.add(
            "allocations",
            crate::msg!("field.allocations.too_many", max = MAX_ALLOCATIONS),
        );
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut sum: i64 = 0;
    let mut every_share_valid = true;
    for (index, share) in allocations.iter().enumerate() {
        let field = format!("allocations[{index}].amount_fen");
        match amount(share.amount_fen) {
            Err(message) => {
                v.add(&field, message);
                every_share_valid = false;
            }
            Ok(0) => {
                v.add(&field, crate::msg!("field.amount.not_positive"));
                every_share_valid = false;
            }
            Ok(fen) => sum = sum.saturating_add(fen),
        }
        if !seen.insert(share.party_id.as_str()) {
            v.add(
                &format!("allocations[{index}].party_id"),
                crate::msg!("field.allocations.duplicate"),
            );
        }
    }
    if every_share_valid && sum != payment_fen {
        v.add(
            "allocations",
            crate::msg!(
                "field.allocations.sum_mismatch",
                sum = sum,
                amount = payment_fen
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(party: &str, fen: i64) -> AllocationInput {
        AllocationInput {
            party_id: party.into(),
            amount_fen: fen,
        }
    }

    fn fields(payment_fen: i64, allocations: &[AllocationInput]) -> Vec<String> {
        let mut v = Validator::new();
        check_allocations(&mut v, payment_fen, allocations);
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(crate::error::AppError::Validation(errors)) => {
                errors.into_iter().map(|e| e.field).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn shares_that_add_up_to_the_payment_are_accepted() {
        assert!(fields(300_000, &[share("a", 100_000), share("b", 200_000)]).is_empty());
    }

    #[test]
    fn shares_that_fall_short_of_or_exceed_the_payment_are_refused_on_the_list() {
        assert_eq!(fields(300_000, &[share("a", 100_000)]), ["allocations"]);
        assert_eq!(
            fields(300_000, &[share("a", 200_000), share("b", 200_000)]),
            ["allocations"]
        );
        assert_eq!(
            fields(300_000, &[]),
            ["allocations"],
            "an empty list shares nothing"
        );
    }

    #[test]
    fn a_zero_or_negative_share_is_refused_on_its_own_field_without_a_sum_error() {
        assert_eq!(
            fields(100, &[share("a", 0), share("b", -5), share("c", 100)]),
            ["allocations[0].amount_fen", "allocations[1].amount_fen"]
        );
    }

    #[test]
    fn a_worker_named_twice_is_refused_on_the_second_mention() {
        assert_eq!(
            fields(200, &[share("a", 100), share("a", 100)]),
            ["allocations[1].party_id"]
        );
    }

    #[test]
    fn too_many_shares_are_refused_at_once() {
        let many: Vec<_> = (0..=MAX_ALLOCATIONS)
            .map(|i| share(&i.to_string(), 1))
            .collect();
        assert_eq!(fields(many.len() as i64, &many), ["allocations"]);
    }

    #[test]
    fn paid_in_full_needs_something_agreed_and_at_least_that_much_paid() {
        assert!(paid_in_full(100, 100));
        assert!(paid_in_full(100, 150));
        assert!(!paid_in_full(100, 99));
        assert!(!paid_in_full(0, 0));
        assert!(!paid_in_full(0, 50));
    }
}
