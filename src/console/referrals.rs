//! The partner office's inbox and a referral's page: `GET /console/referrals` (pending,
//! accepted, overdue, all), `GET /console/referrals/{id}` (the request, its answers, the
//! referred case and the timeline as the office may see it), and the answers —
//! `POST /console/referrals/{id}/accept|decline|complete`. Every handler extracts, calls the
//! use cases of `referrals` (and of `cases` and `timeline` for the case), and draws a page; a
//! referral of another office is the use case's 404.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use super::admin_kit::{done_notice, drawn, drawn_again, page_request, Problems};
use super::layout::{see_other, ConsoleUser};
use super::referral_inbox::{self, Tab};
use super::referral_view::{self, Attempt, Loaded, ANSWER_FIELDS};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::cases;
use crate::db::DbConnection;
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
    let found = async {
        let page = page_request(&query)?;
        let (caller, now) = (user.caller.clone(), state.clock.now());
        state
            .db
            .run(move |c| referrals::inbox_with_senders(c, &caller, &tab.query(), &page, now))
            .await
    }
    .await;
    drawn(lang, &user, found, |found| {
        referral_inbox::inbox_page(lang, &user, tab, found)
    })
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
    let loaded = load(&state, &user, id.into_inner(), after).await;
    drawn(lang, &user, loaded, |loaded| {
        let notice = done_notice(&query, NOTICES, lang);
        let (values, problems) = (Values::default(), Problems::none());
        let attempt = Attempt::None;
        referral_view::referral_page(lang, &user, loaded, notice, attempt, &values, &problems)
    })
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
    let loaded = load(state, user, id, 0).await;
    let draw = |loaded, problems: &Problems| {
        referral_view::referral_page(lang, user, loaded, None, attempt, values, problems)
    };
    drawn_again(lang, user, &error, ANSWER_FIELDS, loaded, draw)
}

/// An answer of the office to a referral, with what its form says.
enum Answer {
    Accept,
    Decline(DeclineReferral),
    Complete(CompleteReferral),
}

impl Answer {
    /// The form the answer came from, opened again when it is refused.
    fn attempt(&self) -> Attempt {
        match self {
            Self::Accept => Attempt::Accept,
            Self::Decline(_) => Attempt::Decline,
            Self::Complete(_) => Attempt::Complete,
        }
    }

    /// Gives the answer through the referral's use case, which decides whether it may be given.
    fn give(
        self,
        c: &mut DbConnection,
        caller: &Caller,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        match self {
            Self::Accept => referrals::accept(c, caller, id, now).map(drop),
            Self::Decline(input) => referrals::decline(c, caller, id, input, now).map(drop),
            Self::Complete(input) => referrals::complete(c, caller, id, input, now).map(drop),
        }
    }
}

/// The answer to an answer form of referral `id` posted with `body`: its token checked (a
/// refusal is the failure page), the answer `read` from its fields given, then [`answered`].
async fn respond(
    state: &AppState,
    user: &ConsoleUser,
    id: String,
    body: &[u8],
    read: fn(&Values) -> Answer,
) -> HttpResponse {
    posted(state, user, body, async |values| {
        let answer = read(&values);
        let attempt = answer.attempt();
        let (caller, now, target) = (user.caller.clone(), state.clock.now(), id.clone());
        let outcome = state
            .db
            .run(move |c| answer.give(c, &caller, &target, now))
            .await;
        answered(state, user, id, attempt, &values, outcome).await
    })
    .await
}

/// `POST /console/referrals/{id}/accept`: the office takes the task on.
pub async fn accept(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    respond(&state, &user, id.into_inner(), &body, |_| Answer::Accept).await
}

/// `POST /console/referrals/{id}/decline`: the office declines, saying why (the use case
/// requires the reason).
pub async fn decline(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let read = |values: &Values| {
        Answer::Decline(DeclineReferral {
            reason: values.get("reason").to_owned(),
        })
    };
    respond(&state, &user, id.into_inner(), &body, read).await
}

/// `POST /console/referrals/{id}/complete`: the office reports an outcome its kind may give
/// (`referrals::rules::outcomes_for`, checked by the use case) and what it did.
pub async fn complete(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let read = |values: &Values| {
        Answer::Complete(CompleteReferral {
            outcome: values.get("outcome").to_owned(),
            result: values.get("result").to_owned(),
        })
    };
    respond(&state, &user, id.into_inner(), &body, read).await
}
