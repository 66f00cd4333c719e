//! The case page's forms that move or hand over the case, or write on its timeline: lifecycle
//! moves (accept, start, resolve, escalate, withdraw, reject), assignment, notes, and revealing a
//! party's full numbers. Each handler names its form and hands [`act`] the work: the token check
//! and the answer are `act`'s; the work reads the form into the use case's input and lets the
//! use case decide — permissions, visibility, rules, the version drawn
//! (`expected_version`: a stale one is 412) and the audit event are all the use case's.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::case_page::{act, answer, draw, Form, Sent};
use super::case_view::Cursors;
use super::case_view_forms::require_confirmation;
use super::case_view_page::Extra;
use super::layout::ConsoleUser;
use super::session::posted;
use crate::app::AppState;
use crate::cases::lifecycle::{CaseAction, Destination, TransitionRequest};
use crate::cases::use_cases::UpdateCase;
use crate::domain::ids::{CaseId, UserId};
use crate::error::AppError;
use crate::msg;
use crate::pages::forms::Values;
use crate::parties::use_cases::{RevealRequest, RevealedParty};
use crate::timeline::use_cases::NoteInput;

/// The version of the case the form was drawn at (its hidden `version`), for `If-Match`.
pub fn drawn_version(values: &Values) -> Option<i32> {
    values.get("version").trim().parse().ok()
}

/// `POST /console/cases/{id}/transitions`: a lifecycle move, at the version drawn. The form's
/// key is the action asked for, so its notice (or the form reopened) is that action's; reading
/// the name before the token check does nothing with it.
pub async fn transition(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let action = CaseAction::parse(Values::read(&body).get("action"));
    let form = Form::named(action.map_or("transition", CaseAction::as_str));
    act(&state, &user, id.into_inner(), &body, form, move_case).await
}

async fn move_case(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    let action = CaseAction::parse(values.get("action")).ok_or(AppError::BadRequest {
        code: "invalid_action",
        detail: msg!("console.case.unknown_action"),
    })?;
    require_confirmation(values)?;
    let request = TransitionRequest {
        action,
        reason: values.optional("reason"),
        destination: values
            .optional("destination")
            .and_then(|d| Destination::parse(&d)),
    };
    let (caller, id, expected) = (user.caller.clone(), case_id.clone(), drawn_version(values));
    let (texts, now) = (state.texts(), state.clock.now());
    state
        .db
        .run(move |c| crate::cases::transition(c, &caller, &id, expected, request, &texts, now))
        .await
        .map(drop)
}

/// `POST /console/cases/{id}/assignee`: give the case to a mediator (or, for a supervisor,
/// another one, or none), at the version drawn.
pub async fn assign(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("assign");
    act(&state, &user, id.into_inner(), &body, form, hand_over).await
}

async fn hand_over(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let input = UpdateCase {
        summary: None,
        category: None,
        channel: None,
        claimed_amount_fen: None,
        workers_involved: None,
        flags: None,
        assignee_id: Some(values.optional("assignee_id").map(UserId::from)),
    };
    let (caller, id, expected) = (user.caller.clone(), case_id.clone(), drawn_version(values));
    let now = state.clock.now();
    state
        .db
        .run(move |c| crate::cases::update(c, &caller, &id, expected, input, now))
        .await
        .map(drop)
}

/// `POST /console/cases/{id}/notes`: a note on the timeline.
pub async fn note(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("note");
    act(&state, &user, id.into_inner(), &body, form, write_note).await
}

async fn write_note(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let input = NoteInput {
        body: values.get("body").to_owned(),
    };
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    state
        .db
        .run(move |c| crate::timeline::add_note(c, &caller, &id, input, now))
        .await
        .map(drop)
}

/// `POST /console/cases/{id}/parties/{party_id}/reveal`: a party's full numbers, shown once on
/// the page this answers (never in a URL, never cached), the reveal and its purpose recorded by
/// the use case on the timeline. Not [`act`]: what it answers when it worked is the page itself.
pub async fn reveal(
    state: web::Data<AppState>,
    user: ConsoleUser,
    path: web::Path<(CaseId, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (case_id, party_id) = path.into_inner();
    let form = format!("reveal-{party_id}");
    posted(&state, &user, &body, async |values| {
        match reveal_numbers(&state, &user, &case_id, party_id, &values).await {
            Ok(revealed) => show_revealed(&state, &user, case_id, revealed).await,
            Err(error) => {
                let sent = Sent::new(&state, &user, case_id, &form, values);
                answer(sent, Err(error)).await
            }
        }
    })
    .await
}

/// The case page with `revealed`'s numbers on top, this once.
async fn show_revealed(
    state: &AppState,
    user: &ConsoleUser,
    case_id: CaseId,
    revealed: RevealedParty,
) -> HttpResponse {
    let extra = Extra {
        notice: Some(msg!("console.case.notice.reveal")),
        revealed: Some(revealed),
        ..Extra::default()
    };
    draw(
        state,
        user,
        case_id,
        Cursors::default(),
        StatusCode::OK,
        extra,
    )
    .await
}

async fn reveal_numbers(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    party_id: String,
    values: &Values,
) -> Result<RevealedParty, AppError> {
    require_confirmation(values)?;
    let input = Ok(RevealRequest {
        purpose: values.get("purpose").to_owned(),
    });
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    let protector = state.personal_data.clone();
    state
        .db
        .run(move |c| {
            crate::parties::use_cases::reveal(c, &caller, &id, &party_id, input, &protector, now)
        })
        .await
}
