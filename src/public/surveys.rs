//! The satisfaction survey a worker answers once, from the link in the text that tells them
//! their case closed (the 12351 hotline's "回访满意率").
//!
//! A survey is issued when a case concludes (`issue`, in the transaction that concludes it);
//! the link carries a 130-bit token of which only the SHA-256 is stored. Issuing again for the
//! same case (a case reopened and concluded again) gives a new link while it is unanswered.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::codes::new_survey_token;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::lengths;
use crate::domain::new_id;
use crate::domain::validation::{free_text, Validator};
use crate::error::AppError;
use crate::schema::{cases, surveys};
use crate::timeline::{self, Actor};

/// `POST /public/surveys/{token}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub satisfaction: i32,
    pub comment: Option<String>,
}

/// What the survey page needs to know.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyState {
    pub case_number: String,
    pub answered: bool,
}

/// The worker, as the timeline names someone who has no account.
pub fn worker_actor() -> Actor {
    Actor {
        id: None,
        kind: "worker",
        role: None,
        office_id: None,
    }
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Issues the survey of a concluded case and returns its token, for the link in the closing
/// text. Call inside the transaction that concludes the case. An answered survey stays
/// answered: its token is then `None`, and no second link is sent.
pub fn issue(
    connection: &mut DbConnection,
    case_id: &CaseId,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let answered: Option<Option<chrono::NaiveDateTime>> = surveys::table
        .filter(surveys::case_id.eq(case_id.as_str()))
        .select(surveys::answered_at)
        .first(connection)
        .optional()?;
    if let Some(Some(_)) = answered {
        return Ok(None);
    }
    let token = new_survey_token();
    let digest = token_digest(&token);
    if answered.is_some() {
        diesel::update(surveys::table.filter(surveys::case_id.eq(case_id.as_str())))
            .set(surveys::token_digest.eq(&digest))
            .execute(connection)?;
    } else {
        diesel::insert_into(surveys::table)
            .values((
                surveys::id.eq(new_id()),
                surveys::case_id.eq(case_id.as_str()),
                surveys::token_digest.eq(&digest),
                surveys::created_at.eq(now.naive_utc()),
            ))
            .execute(connection)?;
    }
    Ok(Some(token))
}

/// The survey behind a link; 404 for a token that was never issued or was replaced.
pub fn state(connection: &mut DbConnection, token: &str) -> Result<SurveyState, AppError> {
    let (case_number, answered_at) = surveys::table
        .inner_join(cases::table.on(cases::id.eq(surveys::case_id)))
        .filter(surveys::token_digest.eq(token_digest(token)))
        .select((cases::case_number, surveys::answered_at))
        .first::<(String, Option<chrono::NaiveDateTime>)>(connection)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(SurveyState {
        case_number,
        answered: answered_at.is_some(),
    })
}

/// Records the worker's rating, once: 409 `already_answered` the second time. The rating goes
/// on the case's timeline, where the mediator sees it.
/// Throttled per client address, like every public write.
pub fn answer(
    connection: &mut DbConnection,
    context: &super::use_cases::PublicContext,
    personal_data: &crate::domain::protect::PersonalData,
    token: &str,
    input: SurveyAnswer,
    now: DateTime<Utc>,
) -> Result<SurveyState, AppError> {
    super::throttle::hit(
        connection,
        personal_data,
        super::throttle::SURVEYS_PER_ADDRESS,
        &context.client_address,
        now,
    )?;
    let mut v = Validator::new();
    let scale = crate::follow_ups::rules::SATISFACTION;
    v.require(
        scale.contains(&input.satisfaction),
        "satisfaction",
        crate::msg!("field.between", min = scale.start(), max = scale.end()),
    );
    let comment = input
        .comment
        .as_deref()
        .filter(|c| !crate::domain::text::is_blank(c))
        .and_then(|c| v.check("comment", free_text(c, lengths::REASON)));
    v.finish()?;
    let digest = token_digest(token);
    write_transaction(connection, |connection| {
        let (survey_id, case_id, case_number, answered_at) = surveys::table
            .inner_join(cases::table.on(cases::id.eq(surveys::case_id)))
            .filter(surveys::token_digest.eq(&digest))
            .select((
                surveys::id,
                surveys::case_id,
                cases::case_number,
                surveys::answered_at,
            ))
            .first::<(String, String, String, Option<chrono::NaiveDateTime>)>(connection)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let updated = diesel::update(
            surveys::table
                .filter(surveys::id.eq(&survey_id))
                .filter(surveys::answered_at.is_null()),
        )
        .set((
            surveys::satisfaction.eq(input.satisfaction),
            surveys::comment.eq(&comment),
            surveys::answered_at.eq(now.naive_utc()),
        ))
        .execute(connection)?;
        if answered_at.is_some() || updated == 0 {
            return Err(AppError::Conflict {
                code: "already_answered",
                detail: crate::msg!("detail.already_answered"),
            });
        }
        timeline::append(
            connection,
            &CaseId::from(case_id),
            &worker_actor(),
            "survey_answered",
            serde_json::json!({"satisfaction": input.satisfaction, "comment": comment}),
            now.naive_utc(),
        )?;
        Ok(SurveyState {
            case_number,
            answered: true,
        })
    })
}
