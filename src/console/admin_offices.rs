//! The admin's offices: `GET /console/offices` (the list, with each office's kind in words, its
//! parent and whether it takes online applications, and the form to create one),
//! `POST /console/offices`, and `GET/POST /console/offices/{id}` (edit). Creating and editing
//! are `offices::use_cases::create` and `edit`: who may, and every rule of a valid office (the
//! code, the parent, online applications for unions only), are theirs.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{
    done_notice, drawn, drawn_again, first_page, next_page, page_request, Problems,
};
use super::admin_office_form::{
    create_input, office_form, update_input, values_of, OfficeForm, OfficesTexts, FORM_FIELDS,
};
use super::layout::{self, see_other, Area, Chrome, ConsoleUser};
use super::session::{lang, posted};
use super::words::office_kind_words;
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::db::DbConnection;
use crate::domain::ids::OfficeId;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::offices::use_cases as offices;
use crate::offices::{OfficeKind, OfficeView};
use crate::pages::forms::Values;
use crate::pagination::{PageRequest, Paginated, MAX_LIMIT};

/// The notices after a form that worked (`?done=`).
const NOTICES: &[(&str, &str)] = &[
    ("created", "console.offices.done.created"),
    ("saved", "console.offices.done.saved"),
];

/// A row of the offices' list.
struct OfficeRow {
    href: String,
    clients: String,
    name: String,
    code: String,
    kind: String,
    parent: String,
    online: bool,
    email: String,
}

#[derive(Template)]
#[template(path = "console/offices.html")]
struct OfficesPage {
    chrome: Chrome,
    title: String,
    t: OfficesTexts,
    notice: Option<String>,
    alert: Option<String>,
    rows: Vec<OfficeRow>,
    next: Option<String>,
    /// Everyone may read the directory (to pick referral targets); only an admin changes it,
    /// so only an admin is offered its forms.
    may_manage: bool,
    form: OfficeForm,
}

/// What the list page is drawn from: a page of offices, their parents' names, and the union
/// offices a new office may be placed under.
struct Listed {
    offices: Paginated<OfficeView>,
    parents: HashMap<String, String>,
    unions: Vec<OfficeView>,
}

/// The union offices to choose a parent from, in one page of the most the API serves.
fn union_offices(c: &mut DbConnection, caller: &Caller) -> Result<Vec<OfficeView>, AppError> {
    let all = PageRequest {
        limit: MAX_LIMIT,
        after: None,
    };
    Ok(offices::list_page(c, caller, Some(OfficeKind::Union), &all)?.items)
}

async fn list(state: &AppState, user: &ConsoleUser, page: PageRequest) -> Result<Listed, AppError> {
    let caller = user.caller.clone();
    state
        .db
        .run(move |c| {
            let offices = offices::list_page(c, &caller, None, &page)?;
            let ids: Vec<&str> = offices
                .items
                .iter()
                .filter_map(|o| o.parent_id.as_deref())
                .collect();
            let parents = offices::names(c, &caller, &ids)?;
            let unions = union_offices(c, &caller)?;
            Ok(Listed {
                offices,
                parents,
                unions,
            })
        })
        .await
}

fn offices_page(
    lang: Lang,
    user: &ConsoleUser,
    listed: Listed,
    notice: Option<String>,
    values: &Values,
    problems: &Problems,
) -> Result<String, AppError> {
    let t = OfficesTexts::new(lang);
    let Listed {
        offices,
        parents,
        unions,
    } = listed;
    let next = next_page("/console/offices", &[], offices.next_cursor.as_deref());
    let rows = offices
        .items
        .into_iter()
        .map(|o| OfficeRow {
            href: format!("/console/offices/{}", o.id),
            clients: format!("/console/offices/{}/clients", o.id),
            parent: o
                .parent_id
                .as_ref()
                .and_then(|p| parents.get(p).cloned())
                .unwrap_or_default(),
            kind: office_kind_words(o.kind).render(lang),
            online: o.accepts_online,
            email: o.email.unwrap_or_default(),
            name: o.name,
            code: o.code,
        })
        .collect();
    let view = OfficesPage {
        chrome: Chrome::new(lang, user, Area::Offices),
        title: t.title.clone(),
        notice,
        alert: problems.notice.clone(),
        rows,
        next,
        may_manage: policy::allows(user.caller.role, Action::ManageDirectory),
        form: office_form(lang, &t, &unions, values, problems, true),
        t,
    };
    view.render().map_err(layout::rendering)
}

/// `GET /console/offices`: the offices, newest first, and the form to create one.
pub async fn offices_list(
    state: web::Data<AppState>,
    user: ConsoleUser,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let listed = async { list(&state, &user, page_request(&query)?).await }.await;
    drawn(lang, &user, listed, |listed| {
        let notice = done_notice(&query, NOTICES, lang);
        let (values, problems) = (Values::default(), Problems::none());
        offices_page(lang, &user, listed, notice, &values, &problems)
    })
}

/// `POST /console/offices`: creates an office and opens it; the list and the form again, with
/// each error beside its field, when it cannot be.
pub async fn create(
    state: web::Data<AppState>,
    user: ConsoleUser,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        let (caller, now) = (user.caller.clone(), state.clock.now());
        let input = create_input(&values);
        let created = state
            .db
            .run(move |c| offices::create(c, &caller, input?, now))
            .await;
        match created {
            Ok(office) => see_other(&format!("/console/offices/{}?done=created", office.id)),
            Err(error) => offices_again(&state, &user, &values, error).await,
        }
    })
    .await
}

/// The list and the create form again after `error`, with what was typed.
async fn offices_again(
    state: &AppState,
    user: &ConsoleUser,
    values: &Values,
    error: AppError,
) -> HttpResponse {
    let lang = lang();
    let listed = list(state, user, first_page()).await;
    drawn_again(
        lang,
        user,
        &error,
        FORM_FIELDS,
        listed,
        |listed, problems| offices_page(lang, user, listed, None, values, problems),
    )
}

#[derive(Template)]
#[template(path = "console/offices_edit.html")]
struct OfficeEditPage {
    chrome: Chrome,
    title: String,
    t: OfficesTexts,
    notice: Option<String>,
    alert: Option<String>,
    kind: String,
    version: i32,
    action: String,
    clients: String,
    may_manage: bool,
    form: OfficeForm,
}

fn edit_page(
    lang: Lang,
    user: &ConsoleUser,
    (office, unions): (OfficeView, Vec<OfficeView>),
    notice: Option<String>,
    values: &Values,
    problems: &Problems,
) -> Result<String, AppError> {
    let t = OfficesTexts::new(lang);
    let view = OfficeEditPage {
        chrome: Chrome::new(lang, user, Area::Offices),
        title: msg!("console.offices.edit_title", name = office.name.clone()).render(lang),
        notice,
        alert: problems.notice.clone(),
        kind: office_kind_words(office.kind).render(lang),
        version: office.version,
        action: format!("/console/offices/{}", office.id),
        clients: format!("/console/offices/{}/clients", office.id),
        may_manage: policy::allows(user.caller.role, Action::ManageDirectory),
        form: office_form(lang, &t, &unions, values, problems, false),
        t,
    };
    view.render().map_err(layout::rendering)
}

/// The office `id` and the union offices it may be placed under.
async fn load_office(
    state: &AppState,
    user: &ConsoleUser,
    id: OfficeId,
) -> Result<(OfficeView, Vec<OfficeView>), AppError> {
    let caller = user.caller.clone();
    state
        .db
        .run(move |c| {
            let office = offices::get(c, &caller, &id)?;
            Ok((office, union_offices(c, &caller)?))
        })
        .await
}

/// `GET /console/offices/{id}`: the office's edit form, filled in with what it is now.
pub async fn edit_form(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<OfficeId>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let loaded = load_office(&state, &user, id.into_inner()).await;
    drawn(lang, &user, loaded, |loaded| {
        let values = values_of(&loaded.0);
        let notice = done_notice(&query, NOTICES, lang);
        edit_page(lang, &user, loaded, notice, &values, &Problems::none())
    })
}

/// `POST /console/offices/{id}`: saves the office at the version the form was drawn from (a
/// change made meanwhile is the use case's 412, and the form comes back with it).
pub async fn edit(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<OfficeId>,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        let (id, caller, now) = (id.into_inner(), user.caller.clone(), state.clock.now());
        let (target, input) = (id.clone(), update_input(&values));
        let version = values.get("version").parse().ok();
        let saved = state
            .db
            .run(move |c| offices::edit(c, &caller, &target, version, input, now))
            .await;
        match saved {
            Ok(office) => see_other(&format!("/console/offices/{}?done=saved", office.id)),
            Err(error) => edit_again(&state, &user, id, &values, error).await,
        }
    })
    .await
}

/// The edit form again after `error`, with what was typed and the office's current version.
async fn edit_again(
    state: &AppState,
    user: &ConsoleUser,
    id: OfficeId,
    values: &Values,
    error: AppError,
) -> HttpResponse {
    let lang = lang();
    let loaded = load_office(state, user, id).await;
    drawn_again(
        lang,
        user,
        &error,
        FORM_FIELDS,
        loaded,
        |loaded, problems| edit_page(lang, user, loaded, None, values, problems),
    )
}
