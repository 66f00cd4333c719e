//! `/console/cases/{id}/warnings`: what the intake of a case found — an open case of a worker
//! with the same ID number, open cases or risks against the same employer — shown to the
//! mediator right after the intake form registered it (docs/prevention.md, "A repeat employer
//! found at intake"). The same use case as the `warnings` of `POST /api/v1/cases`
//! (`employers::warnings_for_case`), so it names only what the person may see; the worker's
//! online application never comes here.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::layout::{self, failure, Area, Chrome, ConsoleUser};
use super::session;
use crate::app::AppState;
use crate::domain::ids::CaseId;
use crate::employers;
use crate::employers::rules::{CaseHit, Warning, WarningKind};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::pages::layout::texts;

texts! {
    /// The words of the warnings page.
    WarningTexts {
        title = "console.warnings.title",
        employer = "console.warnings.employer",
        continue_to_case = "console.warnings.continue",
    }
}

/// One warning, in words.
struct Shown {
    heading: String,
    cases: Vec<CaseHit>,
    risks: Vec<String>,
    employer: Option<String>,
}

#[derive(Template)]
#[template(path = "console/intake_warnings.html")]
struct WarningsPage {
    chrome: Chrome,
    title: String,
    t: WarningTexts,
    case_id: String,
    warnings: Vec<Shown>,
}

fn shown(lang: Lang, warning: Warning) -> Shown {
    let heading = match warning.kind {
        WarningKind::PossibleDuplicate => msg!("console.warnings.possible_duplicate"),
        WarningKind::RepeatEmployer => msg!("console.warnings.repeat_employer"),
    };
    Shown {
        heading: heading.render(lang),
        cases: warning.cases,
        risks: warning
            .risks
            .iter()
            .map(|id| msg!("console.warnings.risk", id = id).render(lang))
            .collect(),
        employer: warning.employer_id,
    }
}

fn render(
    lang: Lang,
    user: &ConsoleUser,
    case_id: &CaseId,
    warnings: Vec<Warning>,
) -> Result<String, AppError> {
    let t = WarningTexts::new(lang);
    let view = WarningsPage {
        chrome: Chrome::new(lang, user, Area::Other),
        title: t.title.clone(),
        t,
        case_id: case_id.to_string(),
        warnings: warnings.into_iter().map(|w| shown(lang, w)).collect(),
    };
    view.render().map_err(layout::rendering)
}

/// `GET /console/cases/{id}/warnings`: the warnings of a case the person may see (404 page
/// otherwise); with none left, straight on to the case.
pub async fn show(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
) -> HttpResponse {
    let (lang, caller, case_id) = (session::lang(), user.caller.clone(), id.into_inner());
    let asked = case_id.clone();
    let found = state
        .db
        .run(move |connection| employers::warnings_for_case(connection, &caller, &asked))
        .await;
    match found {
        Ok(warnings) if warnings.is_empty() => {
            layout::see_other(&format!("/console/cases/{case_id}"))
        }
        Ok(warnings) => layout::page(
            StatusCode::OK,
            lang,
            render(lang, &user, &case_id, warnings),
        ),
        Err(error) => failure(lang, Some(&user), error),
    }
}
