//! `GET /console/cases`: the cases the person may see, newest first, with the filters of
//! `GET /api/v1/cases` (status, category, channel, overdue, collective, `q`, assignee) as a GET
//! form — so a filtered list is a link that can be bookmarked — through
//! `cases::use_cases::list_for`, and the mediators' names loaded for the page in one query.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use chrono::{DateTime, Utc};

use super::case_rows::{case_row, page_query, CaseRow, CaseTableTexts};
use super::intake_fields::{Field, Form, Select};
use super::layout::{self, failure, Area, Chrome, ConsoleUser};
use super::session;
use super::words::{category_words, channel_words, status_words};
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::lifecycle::CaseStatus;
use crate::cases::use_cases::{self, CaseQuery};
use crate::cases::{work, CaseView, Category, Channel};
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, List, Message};
use crate::msg;
use crate::pages::fields::ErrorLink;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::{PageQuery, Paginated};

/// The query parameters a page of the list keeps in its links: the filter form's (the API's
/// names) and the page size.
const KEPT: [&str; 8] = [
    "limit",
    "status",
    "category",
    "channel",
    "overdue",
    "collective",
    "q",
    "assignee_id",
];

texts! {
    /// The words of the case list.
    CaseListTexts {
        title = "console.case_list.title",
        filters = "console.case_list.filters",
        q = "console.case_list.q",
        q_hint = "console.case_list.q_hint",
        status = "console.case_list.status",
        category = "console.case_list.category",
        channel = "console.case_list.channel",
        overdue = "console.case_list.overdue",
        collective = "console.case_list.collective",
        assignee = "console.case_list.assignee",
        submit = "console.case_list.submit",
        reset = "console.case_list.reset",
        empty = "console.case_list.empty",
        new_case = "console.case_list.new_case",
        export_csv = "export.console.csv",
        export_xlsx = "export.console.xlsx",
    }
}

/// An optional select value as an enum: blank is "any".
fn optional_choice<T: Copy>(
    errors: &mut Vec<FieldError>,
    values: &Values,
    name: &str,
    all: &[T],
    parse: impl Fn(&str) -> Option<T>,
    as_str: impl Fn(T) -> &'static str,
) -> Option<T> {
    let typed = values.get(name);
    if typed.is_empty() {
        return None;
    }
    let parsed = parse(typed);
    if parsed.is_none() {
        let allowed = List::of(all.iter().map(|value| as_str(*value)));
        errors.push(FieldError::new(
            name,
            msg!("field.one_of", allowed = allowed),
        ));
    }
    parsed
}

fn optional_bool(errors: &mut Vec<FieldError>, values: &Values, name: &str) -> Option<bool> {
    match values.get(name) {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push(FieldError::new(name, msg!("field.expected_boolean")));
            None
        }
    }
}

/// The filters as the use case's query, or the fields that hold a value no option offers (a
/// hand-edited link). The console's export link reads the same (`console::exports`).
pub(super) fn read_filters(values: &Values) -> Result<CaseQuery, Vec<FieldError>> {
    let mut errors = Vec::new();
    let query = CaseQuery {
        status: optional_choice(
            &mut errors,
            values,
            "status",
            CaseStatus::ALL,
            CaseStatus::parse,
            CaseStatus::as_str,
        ),
        category: optional_choice(
            &mut errors,
            values,
            "category",
            Category::ALL,
            Category::parse,
            Category::as_str,
        ),
        channel: optional_choice(
            &mut errors,
            values,
            "channel",
            Channel::ALL,
            Channel::parse,
            Channel::as_str,
        ),
        overdue: optional_bool(&mut errors, values, "overdue"),
        collective: optional_bool(&mut errors, values, "collective"),
        q: values.optional("q"),
        assignee_id: values.optional("assignee_id"),
        sort: None,
    };
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(errors)
    }
}

/// A page of the list with the names of its mediators.
struct Found {
    cases: Paginated<CaseView>,
    names: std::collections::HashMap<String, String>,
}

/// The link to the list with the same filters: its first page, or the page after `cursor`.
fn page_link(values: &Values, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for name in KEPT {
        if let Some(value) = values.optional(name) {
            query.append_pair(name, &value);
        }
    }
    if let Some(cursor) = cursor {
        query.append_pair("cursor", cursor);
    }
    match query.finish() {
        query if query.is_empty() => "/console/cases".to_owned(),
        query => format!("/console/cases?{query}"),
    }
}

/// The export of every case under the same filters (no page size, no cursor), as `format`.
fn export_link(values: &Values, format: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for name in KEPT.iter().filter(|name| **name != "limit") {
        if let Some(value) = values.optional(name) {
            query.append_pair(name, &value);
        }
    }
    query.append_pair("format", format);
    format!("/console/cases/export?{}", query.finish())
}

#[derive(Template)]
#[template(path = "console/case_list.html")]
struct CaseListView {
    chrome: Chrome,
    title: String,
    t: CaseListTexts,
    table: CaseTableTexts,
    caption: String,
    errors_title: String,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    may_register: bool,
    q: Field,
    selects: Vec<Select>,
    rows: Vec<CaseRow>,
    next: Option<String>,
    first: Option<String>,
    export_csv: String,
    export_xlsx: String,
}

/// The filter form's selects, each with "全部" first.
fn filter_selects(
    form: &mut Form,
    t: &CaseListTexts,
    me: &str,
    chosen_assignee: &str,
) -> Vec<Select> {
    let any = || (String::new(), msg!("console.case_list.any"));
    let with_any = |options: Vec<(String, Message)>| std::iter::once(any()).chain(options);
    let statuses = CaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), status_words(*s)));
    let categories = Category::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), category_words(*c)));
    let channels = Channel::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), channel_words(*c)));
    let overdue = vec![
        ("true".to_owned(), msg!("console.case_list.overdue_yes")),
        ("false".to_owned(), msg!("console.case_list.overdue_no")),
    ];
    let collective = vec![
        ("true".to_owned(), msg!("console.case_list.collective_yes")),
        ("false".to_owned(), msg!("console.case_list.collective_no")),
    ];
    let mut assignees = vec![(me.to_owned(), msg!("console.case_list.assignee_me"))];
    if !chosen_assignee.is_empty() && chosen_assignee != me {
        assignees.push((
            chosen_assignee.to_owned(),
            msg!("console.case_list.assignee_chosen"),
        ));
    }
    vec![
        form.select("status", &t.status, with_any(statuses.collect()), false),
        form.select(
            "category",
            &t.category,
            with_any(categories.collect()),
            false,
        ),
        form.select("channel", &t.channel, with_any(channels.collect()), false),
        form.select("overdue", &t.overdue, with_any(overdue), false),
        form.select("collective", &t.collective, with_any(collective), false),
        form.select("assignee_id", &t.assignee, with_any(assignees), false),
    ]
}

/// The rows of a page of cases, each with its mediator's name.
fn rows_of(lang: Lang, found: &Found) -> Vec<CaseRow> {
    found
        .cases
        .items
        .iter()
        .map(|case| {
            let name = case.assignee_id.as_ref().and_then(|id| found.names.get(id));
            case_row(lang, case, name.map(String::as_str), false)
        })
        .collect()
}

/// What the page shows under its filters: a page of cases, the filters that hold a value no
/// option offers, or why the list could not be read (a search too long, a forged cursor).
enum Outcome {
    Found(Found),
    Unreadable(Vec<FieldError>),
    Refused(Message),
}

/// The list page: the filters as typed, with their errors or the list's notice, and the cases.
fn list_view(
    lang: Lang,
    user: &ConsoleUser,
    values: &Values,
    outcome: Outcome,
) -> Result<String, AppError> {
    let t = CaseListTexts::new(lang);
    let (found, field_errors, notice) = match outcome {
        Outcome::Found(found) => (Some(found), Vec::new(), None),
        Outcome::Unreadable(errors) => (None, errors, None),
        Outcome::Refused(notice) => (None, Vec::new(), Some(notice.render(lang))),
    };
    let mut form = Form::new(lang, values, &field_errors);
    let q = form
        .text("q", &t.q, Some(&t.q_hint), false)
        .kind("search", "");
    let me = user.caller.actor_id();
    let selects = filter_selects(&mut form, &t, me, values.get("assignee_id"));
    let next = found
        .as_ref()
        .and_then(|found| found.cases.next_cursor.as_deref())
        .map(|cursor| page_link(values, Some(cursor)));
    CaseListView {
        chrome: Chrome::new(lang, user, Area::Cases),
        title: t.title.clone(),
        caption: t.title.clone(),
        errors_title: form.summary_title(),
        errors: form.summary(),
        notice,
        may_register: policy::allows(user.caller.role, Action::WorkCases),
        table: CaseTableTexts::new(lang),
        q,
        selects,
        rows: found
            .as_ref()
            .map_or_else(Vec::new, |found| rows_of(lang, found)),
        next,
        first: values.optional("cursor").map(|_| page_link(values, None)),
        export_csv: export_link(values, "csv"),
        export_xlsx: export_link(values, "xlsx"),
        t,
    }
    .render()
    .map_err(layout::rendering)
}

/// Loads a page of the list and its mediators' names.
fn find(
    connection: &mut DbConnection,
    caller: &Caller,
    query: CaseQuery,
    page: PageQuery,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<Found, AppError> {
    let cases = use_cases::list_for(connection, caller, query, &page.parse()?, protector, now)?;
    let assignees: Vec<&str> = cases
        .items
        .iter()
        .filter_map(|c| c.assignee_id.as_deref())
        .collect();
    let names = work::assignee_names(connection, caller, &assignees)?;
    Ok(Found { cases, names })
}

/// The page for what was found: the list (200), the filters to correct (400), the list's own
/// refusal beside the filters (its status), or a failure page.
fn answer(
    lang: Lang,
    user: &ConsoleUser,
    values: &Values,
    found: Result<Found, AppError>,
) -> HttpResponse {
    let (status, outcome) = match found {
        Ok(found) => (StatusCode::OK, Outcome::Found(found)),
        Err(AppError::Validation(errors)) => (StatusCode::BAD_REQUEST, Outcome::Unreadable(errors)),
        Err(error @ AppError::BadRequest { .. }) => {
            (error.status_code(), Outcome::Refused(error.detail()))
        }
        Err(error) => return failure(lang, Some(user), error),
    };
    layout::page(status, lang, list_view(lang, user, values, outcome))
}

/// `GET /console/cases?status=…&cursor=…`.
pub async fn case_list(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = session::lang();
    let values = Values::read(request.query_string().as_bytes());
    let query = match read_filters(&values) {
        Ok(query) => query,
        Err(errors) => return answer(lang, &user, &values, Err(AppError::Validation(errors))),
    };
    let page = page_query(&values);
    let (caller, protector, now) = (
        user.caller.clone(),
        state.personal_data.clone(),
        state.clock.now(),
    );
    let found = state
        .db
        .run(move |connection| find(connection, &caller, query, page, &protector, now))
        .await;
    answer(lang, &user, &values, found)
}
