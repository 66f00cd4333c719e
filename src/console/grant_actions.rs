//! The grant forms of the case page, posted: `POST /console/cases/{id}/grants` gives a lawyer
//! read access through `grants::grant` until the end of the day chosen (in the case office's
//! time zone), `POST /console/cases/{id}/grants/{grant_id}/revoke` ends a grant through
//! `grants::revoke_grant`. Both are answered like every action of the page (`case_page::act`):
//! the use case checks who may, the case's visibility, the lawyer and the expiry.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::case_actions_input::{day, Reading};
use super::case_page::{act, Form};
use super::case_view::zone_of;
use super::case_view_forms::require_confirmation;
use super::grants::REVOKE_PREFIX;
use super::layout::ConsoleUser;
use crate::app::AppState;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::grants::use_cases::CreateGrant;
use crate::i18n::Message;
use crate::msg;
use crate::pages::forms::Values;

/// `POST /console/cases/{id}/grants`: give a lawyer read access to the case until the end of the
/// day chosen, in the case office's time zone.
pub async fn grant(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("grant").renamed(&grant_field);
    act(&state, &user, id.into_inner(), &body, form, give).await
}

/// The grant form's name of the use case's field: the form takes a day, not an instant.
fn grant_field(field: &str) -> String {
    match field {
        "expires_at" => "expires_on".to_owned(),
        other => other.to_owned(),
    }
}

async fn give(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let mut reading = Reading::default();
    let lawyer = reading.take("user_id", chosen(values.get("user_id")));
    let until = reading.take("expires_on", day(values.get("expires_on")));
    let (user_id, until) = reading.done(lawyer.zip(until))?;
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    state
        .db
        .run(move |c| {
            let expires_at = end_of(until, zone_of(c, &caller, &id, now)?);
            let input = CreateGrant {
                user_id,
                expires_at,
            };
            crate::grants::grant(c, &caller, &id, input, now)
        })
        .await
        .map(drop)
}

/// The lawyer chosen in the select; "required" when none was.
fn chosen(typed: &str) -> Result<String, Message> {
    match typed.trim() {
        "" => Err(msg!("field.required")),
        id => Ok(id.to_owned()),
    }
}

/// The last second of `day` in `zone`: a grant "until 30 July" runs through that day.
fn end_of(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    day.and_hms_opt(23, 59, 59)
        .and_then(|last| zone.from_local_datetime(&last).latest())
        .map(|last| last.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
}

/// `POST /console/cases/{id}/grants/{grant_id}/revoke`: end a grant at once.
pub async fn revoke(
    state: web::Data<AppState>,
    user: ConsoleUser,
    path: web::Path<(CaseId, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (case_id, grant_id) = path.into_inner();
    let key = format!("{REVOKE_PREFIX}{grant_id}");
    let work = async |state: &AppState, user: &ConsoleUser, case_id: &CaseId, values: &Values| {
        take_back(state, user, case_id, values, grant_id).await
    };
    act(&state, &user, case_id, &body, Form::named(&key), work).await
}

async fn take_back(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
    grant_id: String,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    state
        .db
        .run(move |c| crate::grants::revoke_grant(c, &caller, &id, &grant_id, now))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_until_a_day_runs_through_that_day_in_the_offices_zone() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 30).unwrap();
        let end = end_of(day, chrono_tz::Asia::Shanghai);
        assert_eq!(end.to_rfc3339(), "2026-07-30T15:59:59+00:00");
    }

    #[test]
    fn the_use_case_s_expiry_error_lands_on_the_day_field() {
        assert_eq!(grant_field("expires_at"), "expires_on");
        assert_eq!(grant_field("user_id"), "user_id");
        assert_eq!(chosen(" "), Err(msg!("field.required")));
    }
}
