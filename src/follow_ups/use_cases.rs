//! The follow-up use cases: recording one on a concluded case, listing a case's follow-ups and
//! reading one (docs/follow-ups.md). Plain functions of the acting caller, its input and the
//! clock's `now`; the write owns its transaction and its timeline event, so every front door
//! records a follow-up the same way and nothing here knows about HTTP (docs/architecture.md).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::rules::{self, SATISFACTION};
use super::{FollowUp, FollowUpMethod, FollowUpView};
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::cases::access::find_for;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::lengths;
use crate::domain::new_id;
use crate::domain::validation::{free_text, Validator};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// `POST /cases/{id}/follow-ups` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUp {
    pub method: FollowUpMethod,
    /// Whether the worker was reached.
    pub reached: bool,
    /// The worker's satisfaction, 1 (very dissatisfied) to 5 (very satisfied), when they gave one.
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction: Option<i32>,
    /// What was said, or why the worker could not be reached.
    pub note: String,
}

/// A follow-up body whose fields passed their checks.
struct ValidFollowUp {
    note: String,
    satisfaction: Option<i32>,
}

/// Checks the body, reporting every invalid field at once.
fn validate(input: &CreateFollowUp) -> Result<ValidFollowUp, AppError> {
    let mut v = Validator::new();
    let note = v.check("note", free_text(&input.note, lengths::REASON));
    if let Some(satisfaction) = input.satisfaction {
        v.require(
            SATISFACTION.contains(&satisfaction),
            "satisfaction",
            crate::msg!(
                "field.between",
                min = SATISFACTION.start(),
                max = SATISFACTION.end()
            ),
        );
    }
    v.require(
        input.reached || input.satisfaction.is_none(),
        "satisfaction",
        crate::msg!("field.satisfaction.not_reached"),
    );
    let satisfaction = input.satisfaction;
    v.finish_with(|| {
        Some(ValidFollowUp {
            note: note?,
            satisfaction,
        })
    })
}

/// Records a follow-up on a concluded case. Checks, in this order: the role (403: union staff
/// only), the body (422), the case visible to the caller (404), the case concluded (409
/// `invalid_transition`). The follow-up and the `follow_up_recorded` timeline event are written
/// in one transaction; the case itself does not change (no new version).
pub fn record(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreateFollowUp,
    now: DateTime<Utc>,
) -> Result<FollowUpView, AppError> {
    caller.require(Action::WorkCases)?;
    let valid = validate(&input)?;
    let follow_up = write_transaction(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        if !rules::is_concluded(case.status) {
            return Err(AppError::Conflict {
                code: "invalid_transition",
                detail: crate::msg!("detail.invalid_transition.follow_up", status = case.status),
            });
        }
        let follow_up = FollowUp {
            id: new_id(),
            case_id: case.id.clone(),
            method: input.method,
            reached: input.reached,
            satisfaction: valid.satisfaction,
            note: valid.note.clone(),
            recorded_by: caller.actor_id().to_owned(),
            created_at: now.naive_utc(),
        };
        super::insert(connection, &follow_up)?;
        let data = json!({"follow_up_id": follow_up.id, "method": follow_up.method,
                          "reached": follow_up.reached, "satisfaction": follow_up.satisfaction,
                          "note": follow_up.note});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "follow_up_recorded",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(follow_up)
    })?;
    Ok(FollowUpView::from(follow_up))
}

/// A page of the follow-ups of a case the caller sees (else 404), oldest first.
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<FollowUpView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    Ok(super::page_for_case(connection, &case.id, page)?.map(FollowUpView::from))
}

/// One follow-up of a case the caller sees; 404 when the case is invisible or has no such
/// follow-up.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    follow_up_id: &str,
) -> Result<FollowUpView, AppError> {
    let case = find_for(connection, caller, case_id)?;
    super::find_in_case(connection, &case.id, follow_up_id)?
        .map(FollowUpView::from)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(reached: bool, satisfaction: Option<i32>, note: &str) -> CreateFollowUp {
        CreateFollowUp {
            method: FollowUpMethod::Phone,
            reached,
            satisfaction,
            note: note.into(),
        }
    }

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reached_worker_may_rate_one_to_five() {
        for satisfaction in [None, Some(1), Some(5)] {
            let valid = validate(&body(true, satisfaction, " 已回访 ")).unwrap();
            assert_eq!(valid.satisfaction, satisfaction);
            assert_eq!(valid.note, "已回访");
        }
    }

    #[test]
    fn a_rating_outside_one_to_five_a_blank_note_and_a_rating_nobody_gave_are_refused() {
        assert_eq!(
            fields(validate(&body(true, Some(6), "  ")).err().unwrap()),
            ["note", "satisfaction"]
        );
        assert_eq!(
            fields(validate(&body(true, Some(0), "好")).err().unwrap()),
            ["satisfaction"]
        );
        assert_eq!(
            fields(validate(&body(false, Some(5), "无人接听")).err().unwrap()),
            ["satisfaction"]
        );
        assert!(validate(&body(false, None, "无人接听")).is_ok());
    }
}
