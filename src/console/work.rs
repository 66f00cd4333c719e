//! `GET /console` for union staff: "我的工作" — the open cases assigned to me and the unassigned
//! ones of the offices I see, overdue first, then due soon, then by deadline
//! (`cases::work::my_work`, which owns the order and the visibility), paged by keyset.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::case_rows::{case_row, page_query, CaseRow, CaseTableTexts};
use super::layout::{self, failure, Area, Chrome, ConsoleUser};
use super::session;
use crate::app::AppState;
use crate::cases::work::{self, WorkItem, WorkPage};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::Paginated;

texts! {
    /// The words of "my work".
    WorkTexts {
        title = "console.work.title",
        intro = "console.work.intro",
        empty = "console.work.empty",
    }
}

#[derive(Template)]
#[template(path = "console/work.html")]
struct WorkView {
    chrome: Chrome,
    title: String,
    t: WorkTexts,
    table: CaseTableTexts,
    caption: String,
    rows: Vec<CaseRow>,
    next: Option<String>,
    first: Option<String>,
}

/// The link to the page of "my work" after `cursor`, as long as the page asked for.
fn page_link(values: &Values, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(limit) = values.optional("limit") {
        query.append_pair("limit", &limit);
    }
    query.append_pair("cursor", cursor);
    format!("/console?{}", query.finish())
}

fn work_view(
    lang: Lang,
    user: &ConsoleUser,
    values: &Values,
    found: Paginated<WorkItem>,
) -> Result<String, AppError> {
    let t = WorkTexts::new(lang);
    let rows = found
        .items
        .iter()
        .map(|item| {
            case_row(
                lang,
                &item.case,
                item.assignee_name.as_deref(),
                item.due_soon,
            )
        })
        .collect();
    WorkView {
        chrome: Chrome::new(lang, user, Area::Work),
        title: t.title.clone(),
        caption: t.title.clone(),
        t,
        table: CaseTableTexts::new(lang),
        rows,
        next: found
            .next_cursor
            .as_deref()
            .map(|cursor| page_link(values, cursor)),
        first: values.optional("cursor").map(|_| "/console".to_owned()),
    }
    .render()
    .map_err(layout::rendering)
}

/// "My work", page `?cursor=` (`?limit=` cases a page).
pub async fn my_work(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = session::lang();
    let values = Values::read(request.query_string().as_bytes());
    let page_query = page_query(&values);
    let (caller, now) = (user.caller.clone(), state.clock.now());
    let found = state
        .db
        .run(move |connection| {
            let page = WorkPage::parse(&page_query)?;
            work::my_work(connection, &caller, &page, now)
        })
        .await;
    match found {
        Ok(found) => layout::page(StatusCode::OK, lang, work_view(lang, &user, &values, found)),
        Err(error) => failure(lang, Some(&user), error),
    }
}
