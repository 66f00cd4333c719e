//! `/console/cases/{id}`: the case page — summary, statutory dates, parties, the timeline in
//! sentences, referrals, sessions, agreement and payments, follow-ups, documents, and the forms
//! of the actions the case allows now — and `/console/cases/{id}/dossier`, the printable case
//! file. Also the one way every action of the page answers ([`act`], [`answer`]): 303 back to
//! the page with a notice when the use case did it, the page again with the form open, the
//! values kept and the errors beside the fields when it refused (422, 409, 412 …), a failure
//! page when the case is not there for this person (404) or something broke.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::case_actions_input::{all_of, with_all};
use super::case_view::{self, Cursors};
use super::case_view_forms::{same_name, Failed};
use super::case_view_page::{build, Extra};
use super::layout::{self, failure, page, see_other, ConsoleUser};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::i18n::Message;
use crate::msg;
use crate::pages::forms::Values;

/// `GET /console/cases/{id}`: the case as the signed-in person may see it; 404 page otherwise.
pub async fn show(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    request: HttpRequest,
) -> HttpResponse {
    let query = Values::read(request.query_string().as_bytes());
    let cursors = Cursors {
        parties: query.optional("parties"),
        events: query.optional("events"),
    };
    let extra = Extra {
        notice: query.optional("notice").and_then(|key| notice_of(&key)),
        ..Extra::default()
    };
    draw(
        &state,
        &user,
        id.into_inner(),
        cursors,
        StatusCode::OK,
        extra,
    )
    .await
}

/// `GET /console/cases/{id}/dossier`: the printable case file (`dossier::page`), assembled by
/// `dossier::assemble` with the signed-in person's visibility.
pub async fn dossier(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
) -> HttpResponse {
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let rendered = state
        .db
        .run(move |c| crate::dossier::assemble(c, &caller, &id, now))
        .await
        .and_then(|file| crate::dossier::page::render(&file));
    match rendered {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("content-security-policy", crate::http::hardening::PAGE_CSP))
            .insert_header(("cache-control", "private, no-store"))
            .insert_header(("referrer-policy", "same-origin"))
            .body(body),
        Err(error) => failure(lang(), Some(&user), error),
    }
}

/// The case page of `case_id` with `status` and what it says on top.
pub async fn draw(
    state: &AppState,
    user: &ConsoleUser,
    case_id: CaseId,
    cursors: Cursors,
    status: StatusCode,
    extra: Extra,
) -> HttpResponse {
    let (caller, now, lang) = (user.caller.clone(), state.clock.now(), lang());
    let loaded = state
        .db
        .run(move |c| case_view::load(c, &caller, &case_id, &cursors, now))
        .await;
    match loaded {
        Ok(file) => {
            let view = build(&file, user, lang, &extra, now);
            page(status, lang, view.render().map_err(layout::rendering))
        }
        Err(error) => failure(lang, Some(user), error),
    }
}

/// What the page says after form `form` was sent: `done` is the use case's answer.
pub struct Sent<'a> {
    pub state: &'a AppState,
    pub user: &'a ConsoleUser,
    pub case_id: CaseId,
    pub form: &'a str,
    pub values: Values,
    /// Renames the use case's field names to the form's.
    pub rename: &'a dyn Fn(&str) -> String,
}

impl<'a> Sent<'a> {
    /// Form `form` of the case page, sent with `values`, its fields named as the use case's.
    pub fn new(
        state: &'a AppState,
        user: &'a ConsoleUser,
        case_id: CaseId,
        form: &'a str,
        values: Values,
    ) -> Self {
        Self {
            state,
            user,
            case_id,
            form,
            values,
            rename: &same_name,
        }
    }

    /// The same, the use case's field names renamed to the form's by `rename`.
    pub fn renamed(self, rename: &'a dyn Fn(&str) -> String) -> Self {
        Self { rename, ..self }
    }
}

/// A form of the case page as [`act`] answers it: its key (the notice after it worked, the form
/// opened again when it did not) and how the use case's field names map to the form's.
pub struct Form<'a> {
    key: &'a str,
    rename: &'a dyn Fn(&str) -> String,
    group: Option<&'a str>,
}

impl<'a> Form<'a> {
    /// Form `key`, its fields named as the use case's.
    pub fn named(key: &'a str) -> Self {
        Self {
            key,
            rename: &same_name,
            group: None,
        }
    }

    /// The same, the use case's field names renamed to the form's by `rename`.
    pub fn renamed(self, rename: &'a dyn Fn(&str) -> String) -> Self {
        Self { rename, ..self }
    }

    /// The same with the checkbox group `name`: a browser sends one pair per ticked box, so the
    /// form drawn again keeps all of them ticked, and an error on one (`name[1]`) is the group's.
    pub fn with_group(self, name: &'a str) -> Self {
        Self {
            group: Some(name),
            ..self
        }
    }

    /// The form's name of the use case's `field`.
    fn field(&self, field: &str) -> String {
        match self.group {
            Some(group) if field.starts_with(&format!("{group}[")) => group.to_owned(),
            _ => (self.rename)(field),
        }
    }
}

/// The answer to `form` of the case page posted with `body`: its token checked (a refusal is the
/// failure page), `work` done with its fields, then [`answer`]. Each action's handler says only
/// which form it is and what it does.
pub async fn act(
    state: &AppState,
    user: &ConsoleUser,
    case_id: CaseId,
    body: &[u8],
    form: Form<'_>,
    work: impl AsyncFnOnce(&AppState, &ConsoleUser, &CaseId, &Values) -> Result<(), AppError>,
) -> HttpResponse {
    posted(state, user, body, async |values| {
        let done = work(state, user, &case_id, &values).await;
        let values = match form.group {
            Some(group) => with_all(values, group, &all_of(body, group)),
            None => values,
        };
        let rename = |field: &str| form.field(field);
        let sent = Sent::new(state, user, case_id, form.key, values).renamed(&rename);
        answer(sent, done).await
    })
    .await
}

/// The answer to a sent form: 303 to the case page with the notice of `form` when `done` is Ok;
/// the page again, with the form open and its errors, when the use case refused; a failure page
/// when the case is out of sight or the service failed.
pub async fn answer(sent: Sent<'_>, done: Result<(), AppError>) -> HttpResponse {
    let error = match done {
        Ok(()) => {
            let to = format!(
                "/console/cases/{}?notice={}#actions",
                sent.case_id, sent.form
            );
            return see_other(&to);
        }
        Err(error) => error,
    };
    if !shown_on_the_form(&error) {
        return failure(lang(), Some(sent.user), error);
    }
    let extra = Extra {
        alert: Some(alert_of(&error)),
        failed: Some(Failed::new(sent.form, sent.values, &error, sent.rename)),
        ..Extra::default()
    };
    let (state, user, status) = (sent.state, sent.user, error.status_code());
    draw(state, user, sent.case_id, Cursors::default(), status, extra).await
}

/// What the page says on top when a form was refused: the case changed meanwhile (412), fix
/// the marked fields (422), or the use case's own words (409 and the like).
fn alert_of(error: &AppError) -> Message {
    match error {
        AppError::PreconditionFailed(_) => msg!("console.case.stale"),
        AppError::Validation(_) => msg!("console.case.fix_fields"),
        other => other.detail(),
    }
}

/// Whether `error` is something the person can act on in the form (fix a field, read the
/// changed case, choose another action) rather than a failure of its own page.
fn shown_on_the_form(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Validation(_)
            | AppError::Conflict { .. }
            | AppError::PreconditionFailed(_)
            | AppError::BadRequest { .. }
            | AppError::UnsupportedMediaType(_)
            | AppError::PayloadTooLarge { .. }
    )
}

/// The notice after form `key` worked.
fn notice_of(key: &str) -> Option<Message> {
    Some(match key {
        "accept" => msg!("console.case.notice.accept"),
        "start" => msg!("console.case.notice.start"),
        "resolve" => msg!("console.case.notice.resolve"),
        "escalate" => msg!("console.case.notice.escalate"),
        "withdraw" => msg!("console.case.notice.withdraw"),
        "reject" => msg!("console.case.notice.reject"),
        "refer" => msg!("console.case.notice.refer"),
        "session" => msg!("console.case.notice.session"),
        "agreement" => msg!("console.case.notice.agreement"),
        "payment" => msg!("console.case.notice.payment"),
        "follow_up" => msg!("console.case.notice.follow_up"),
        "assign" => msg!("console.case.notice.assign"),
        "note" => msg!("console.case.notice.note"),
        "upload" => msg!("console.case.notice.upload"),
        _ => return super::grants::notice_of(key),
    })
}
