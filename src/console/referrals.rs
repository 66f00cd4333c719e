//! The partner office's inbox and a referral's page: `GET /console/referrals` (pending,
//! accepted, overdue, all), `GET /console/referrals/{id}` (the request, its answers, the
//! referred case and the timeline as the office may see it), and the answers —
//! `POST /console/referrals/{id}/accept|decline|complete`. Every handler extracts, calls the
//! use cases of `referrals` (and of `cases` and `timeline` for the case), and draws a page; a
//! referral of another office is the use case's 404.

use actix_web::{web, HttpRequest, HttpResponse};

use super::admin_kit::{done_notice, form_again, page_request, shown, Problems};
use super::layout::{failure, see_other, ConsoleUser};
use super::referral_inbox::{self, Tab};
use super::referral_view::{self, Attempt, Loaded, ANSWER_FIELDS};
use super::session::{checked_form, lang};
use crate::app::AppState;
use crate::cases;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::pages::forms::Values;
use crate::referrals::use_cases::{self as referrals, CompleteReferral, DeclineReferral};
use crate::timeline::use_cases::{self as timeline, TimelinePage};

/// The notices after an answer that worked (`?done=`).
const NOTICES: &[(&str, &str)] = &[
    ("accepted", "console.referral.done.accepted"),
    ("declined", "console.referral.done.declined"),
    ("completed", "console.referral.done.completed"),
];

/// Events of the timeline shown per page of the referral's page.
const EVENTS_PER_PAGE: i64 = 50;

/// `GET /console/referrals`: the referrals to the person's office, newest first, by tab.
pub async fn inbox(
    state: web::Data<AppState>,
    user: ConsoleUser,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let tab = Tab::of(query.get("tab"));
    let page = match page_request(&query) {
        Ok(page) => page,
        Err(error) => return failure(lang, Some(&user), error),
    };
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let found = state
        .db
        .run(move |c| referrals::inbox_with_senders(c, &caller, &tab.query(), &page, now))
        .await;
    match found {
        Ok(found) => shown(lang, referral_inbox::inbox_page(lang, &user, tab, found)),
        Err(error) => failure(lang, Some(&user), error),
    }
}

/// The referral `id`, its case and a page of the case's timeline after event `after`, as the
/// person may see them (404 for a referral of another office).
async fn load(
    state: &AppState,
    user: &ConsoleUser,
    id: String,
    after: i32,
) -> Result<Loaded, AppError> {
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let page = TimelinePage {
        after,
        limit: EVENTS_PER_PAGE,
    };
    state
        .db
        .run(move |c| {
            let referral = referrals::get(c, &caller, &id, now)?;
            let case_id = CaseId::from(&referral.case_id);
            let case = cases::use_cases::get(c, &caller, &case_id, now)?;
            let events = timeline::read_page(c, &caller, &case_id, page)?;
            Ok(Loaded {
                referral,
                case,
                events,
            })
        })
        .await
}

/// `GET /console/referrals/{id}`: the referral's page, with the notice of an answer just given.
pub async fn show(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let after = query.get("after").parse().unwrap_or(0);
    match load(&state, &user, id.into_inner(), after).await {
        Ok(loaded) => {
            let notice = done_notice(&query, NOTICES, lang);
            let (values, problems) = (Values::default(), Problems::none());
            let rendered = referral_view::referral_page(
                lang,
                &user,
                loaded,
                notice,
                Attempt::None,
                &values,
                &problems,
            );
            shown(lang, rendered)
        }
        Err(error) => failure(lang, Some(&user), error),
    }
}

/// The answer of `attempt` done: back to the referral's page with its notice. Not done: the
/// page again with what was typed and each error beside its field, with the error's status.
async fn answered(
    state: &AppState,
    user: &ConsoleUser,
    id: String,
    attempt: Attempt,
    values: &Values,
    outcome: Result<(), AppError>,
) -> HttpResponse {
    let lang = lang();
    let done = match attempt {
        Attempt::Accept => "accepted",
        Attempt::Decline => "declined",
        _ => "completed",
    };
    let error = match outcome {
        Ok(()) => return see_other(&format!("/console/referrals/{id}?done={done}")),
        Err(error) => error,
    };
    match load(state, user, id, 0).await {
        Ok(loaded) => {
            let problems = Problems::of(&error, lang, ANSWER_FIELDS);
            let rendered =
                referral_view::referral_page(lang, user, loaded, None, attempt, values, &problems);
            form_again(&error, lang, rendered)
        }
        Err(load_error) => failure(lang, Some(user), load_error),
    }
}

/// `POST /console/referrals/{id}/accept`: the office takes the task on.
pub async fn accept(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = match checked_form(&state, &user, &body) {
        Ok(values) => values,
        Err(error) => return failure(lang(), Some(&user), error),
    };
    let (id, caller, now) = (id.into_inner(), user.caller.clone(), state.clock.now());
    let target = id.clone();
    let outcome = state
        .db
        .run(move |c| referrals::accept(c, &caller, &target, now).map(drop))
        .await;
    answered(&state, &user, id, Attempt::Accept, &values, outcome).await
}

/// `POST /console/referrals/{id}/decline`: the office declines, saying why (the use case
/// requires the reason).
pub async fn decline(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = match checked_form(&state, &user, &body) {
        Ok(values) => values,
        Err(error) => return failure(lang(), Some(&user), error),
    };
    let input = DeclineReferral {
        reason: values.get("reason").to_owned(),
    };
    let (id, caller, now) = (id.into_inner(), user.caller.clone(), state.clock.now());
    let target = id.clone();
    let outcome = state
        .db
        .run(move |c| referrals::decline(c, &caller, &target, input, now).map(drop))
        .await;
    answered(&state, &user, id, Attempt::Decline, &values, outcome).await
}

/// `POST /console/referrals/{id}/complete`: the office reports an outcome its kind may give
/// (`referrals::rules::outcomes_for`, checked by the use case) and what it did.
pub async fn complete(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let values = match checked_form(&state, &user, &body) {
        Ok(values) => values,
        Err(error) => return failure(lang(), Some(&user), error),
    };
    let input = CompleteReferral {
        outcome: values.get("outcome").to_owned(),
        result: values.get("result").to_owned(),
    };
    let (id, caller, now) = (id.into_inner(), user.caller.clone(), state.clock.now());
    let target = id.clone();
    let outcome = state
        .db
        .run(move |c| referrals::complete(c, &caller, &target, input, now).map(drop))
        .await;
    answered(&state, &user, id, Attempt::Complete, &values, outcome).await
}
