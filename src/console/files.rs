//! `GET /console/files`: the case files granted to a lawyer, each until its grant expires, with
//! links to the case's page and its printable dossier. Which files those are is
//! `grants::use_cases::granted_files` (the visibility of `CaseScope::GrantedTo`), so an expired
//! or revoked grant drops the file here as it does everywhere.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{drawn, next_page, page_request, when};
use super::layout::{self, Area, Chrome, ConsoleUser};
use super::session::lang;
use super::words::{category_words, status_words};
use crate::app::AppState;
use crate::error::AppError;
use crate::grants::use_cases::{granted_files, GrantedFile};
use crate::i18n::Lang;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::Paginated;

texts! {
    /// The words of the lawyer's files.
    FilesTexts {
        title = "console.files.title",
        intro = "console.files.intro",
        case_number = "console.files.case_number",
        employer = "console.files.employer",
        category = "console.files.category",
        status = "console.files.status",
        office = "console.files.office",
        expires_at = "console.files.expires_at",
        open = "console.files.open",
        dossier = "console.files.dossier",
        empty = "console.files.empty",
        next = "console.files.next",
    }
}

/// A granted file in the list.
struct FileRow {
    case_number: String,
    employer: String,
    category: String,
    status: String,
    office: String,
    expires_at: String,
    href: String,
    dossier: String,
}

#[derive(Template)]
#[template(path = "console/files.html")]
struct FilesPage {
    chrome: Chrome,
    title: String,
    t: FilesTexts,
    rows: Vec<FileRow>,
    next: Option<String>,
}

fn files_page(
    lang: Lang,
    user: &ConsoleUser,
    found: Paginated<GrantedFile>,
) -> Result<String, AppError> {
    let t = FilesTexts::new(lang);
    let rows = found
        .items
        .into_iter()
        .map(|file| FileRow {
            href: format!("/console/cases/{}", file.case.id),
            dossier: format!("/console/cases/{}/dossier", file.case.id),
            case_number: file.case.case_number,
            employer: file.case.employer.name,
            category: category_words(file.case.category).render(lang),
            status: status_words(file.case.status).render(lang),
            office: file.case.office.name,
            expires_at: when(file.expires_at),
        })
        .collect();
    let view = FilesPage {
        chrome: Chrome::new(lang, user, Area::Files),
        title: t.title.clone(),
        next: next_page("/console/files", &[], found.next_cursor.as_deref()),
        t,
        rows,
    };
    view.render().map_err(layout::rendering)
}

/// `GET /console/files`: the lawyer's granted case files, newest case first.
pub async fn files(
    state: web::Data<AppState>,
    user: ConsoleUser,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let found = async {
        let page = page_request(&query)?;
        let (caller, now) = (user.caller.clone(), state.clock.now());
        state
            .db
            .run(move |c| granted_files(c, &caller, &page, now))
            .await
    }
    .await;
    drawn(lang, &user, found, |found| files_page(lang, &user, found))
}
