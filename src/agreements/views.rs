//! What the API and the dossier show of an agreement: its terms with what is paid of each, and
//! the statutory follow-ups, computed for today in the case office's time zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::follow_ups::{self, FollowUps, TermInput, TermState};
use super::{Agreement, Term};
use crate::cases::deadlines::office_zone;
use crate::cases::Case;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices;

/// A term with how much of it is paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermView {
    pub id: String,
    pub position: i32,
    pub description: String,
    pub amount_fen: i64,
    pub payee: String,
    pub due_date: NaiveDate,
    pub paid_fen: i64,
    pub state: TermState,
}

/// The agreement, its terms and the statutory follow-ups.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    pub id: String,
    pub case_id: String,
    pub signed_at: DateTime<Utc>,
    pub total_amount_fen: i64,
    /// Money actually paid so far (all payments on the case).
    pub paid_fen: i64,
    pub terms: Vec<TermView>,
    pub follow_ups: FollowUps,
}

/// The agreement view of `case` (404 when it has none), shared with the dossier.
pub fn agreement_view(
    connection: &mut DbConnection,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<AgreementView, AppError> {
    let (agreement, terms) = super::for_case(connection, &case.id)?.ok_or(AppError::NotFound)?;
    let zone = office_zone(&offices::find(connection, &case.office_id)?.time_zone);
    Ok(view_of(agreement, terms, case, zone, now))
}

/// [`agreement_view`] for a reader that already knows the case office's time zone `zone` (the
/// case page): the agreement and its terms, without reading the office again.
pub fn agreement_view_in(
    connection: &mut DbConnection,
    case: &Case,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<AgreementView, AppError> {
    let (agreement, terms) = super::for_case(connection, &case.id)?.ok_or(AppError::NotFound)?;
    Ok(view_of(agreement, terms, case, zone, now))
}

/// The view of `agreement` and its `terms` for `now`: statutory days are calendar days in the
/// case office's time zone `zone`.
fn view_of(
    agreement: Agreement,
    terms: Vec<Term>,
    case: &Case,
    zone: Tz,
    now: DateTime<Utc>,
) -> AgreementView {
    let today = now.with_timezone(&zone).date_naive();
    let signed_on = agreement
        .signed_at
        .and_utc()
        .with_timezone(&zone)
        .date_naive();
    let inputs: Vec<TermInput> = terms
        .iter()
        .map(|t| TermInput {
            amount_fen: t.amount_fen,
            due_date: t.due_date,
        })
        .collect();
    let coverage = follow_ups::allocate(&inputs, case.recovered_amount_fen, today);
    let category = case.category;
    AgreementView {
        follow_ups: follow_ups::follow_ups(
            signed_on,
            &inputs,
            case.recovered_amount_fen,
            category,
            today,
        ),
        paid_fen: case.recovered_amount_fen,
        terms: terms
            .into_iter()
            .zip(coverage)
            .map(|(t, c)| TermView {
                id: t.id,
                position: t.position,
                description: t.description,
                amount_fen: t.amount_fen,
                payee: t.payee,
                due_date: t.due_date,
                paid_fen: c.paid_fen,
                state: c.state,
            })
            .collect(),
        id: agreement.id,
        case_id: agreement.case_id.into(),
        signed_at: agreement.signed_at.and_utc(),
        total_amount_fen: agreement.total_amount_fen,
    }
}
