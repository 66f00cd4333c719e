//! The admin's users: `GET /console/users` (the list, newest first, and the form to create
//! one), `POST /console/users`, and `POST /console/users/{id}` (deactivate, reactivate, change
//! the role). Everything is `users::use_cases`: only admins (403 for anyone else), a role that
//! fits its office's kind, the password policy, the last active admin kept.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{
    done_notice, drawn, drawn_again, first_page, next_page, page_request, Choice, Field, Problems,
    Select,
};
use super::layout::{self, role_key, see_other, Area, Chrome, ConsoleUser};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::offices::use_cases as offices;
use crate::offices::OfficeView;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::{PageRequest, Paginated, MAX_LIMIT};
use crate::users::use_cases::{self as users, CreateUser, UpdateUser};
use crate::users::{Role, UserFilter, UserView};

texts! {
    /// The words of the users' page.
    UsersTexts {
        title = "console.users.title",
        name = "console.users.name",
        email = "console.users.email",
        role = "console.users.role",
        office = "console.users.office",
        no_office = "console.users.no_office",
        state = "console.users.state",
        active = "console.users.active",
        inactive = "console.users.inactive",
        actions = "console.users.actions",
        password = "console.users.password",
        password_hint = "console.users.password_hint",
        create_section = "console.users.create_section",
        create = "console.users.create",
        choose = "console.users.choose",
        empty = "console.users.empty",
        next = "console.users.next",
        save_role = "console.users.save_role",
        deactivate = "console.users.deactivate",
        deactivate_explain = "console.users.deactivate_explain",
        deactivate_confirm = "console.users.deactivate_confirm",
        reactivate = "console.users.reactivate",
    }
}

/// The notices after a form that worked (`?done=`).
const NOTICES: &[(&str, &str)] = &[
    ("created", "console.users.done.created"),
    ("deactivated", "console.users.done.deactivated"),
    ("reactivated", "console.users.done.reactivated"),
    ("role", "console.users.done.role"),
];

/// The fields of the create form, for [`Problems::of`].
const FORM_FIELDS: &[&str] = &["name", "email", "role", "office_id", "password"];

/// A row of the users' list, with its forms.
struct UserRow {
    name: String,
    email: String,
    role: String,
    office: String,
    active: bool,
    version: i32,
    action: String,
    role_select: Select,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    chrome: Chrome,
    title: String,
    t: UsersTexts,
    notice: Option<String>,
    alert: Option<String>,
    rows: Vec<UserRow>,
    next: Option<String>,
    fields: Vec<Field>,
    role: Select,
    office: Select,
    password: Field,
}

/// What the page is drawn from: a page of users, their offices' names, and the offices a new
/// user may belong to.
struct Listed {
    users: Paginated<UserView>,
    office_names: HashMap<String, String>,
    offices: Vec<OfficeView>,
}

async fn list(state: &AppState, user: &ConsoleUser, page: PageRequest) -> Result<Listed, AppError> {
    let caller = user.caller.clone();
    let all = PageRequest {
        limit: MAX_LIMIT,
        after: None,
    };
    state
        .db
        .run(move |c| {
            let users = users::list_page(c, &caller, &UserFilter::default(), &page)?;
            let ids: Vec<&str> = users
                .items
                .iter()
                .filter_map(|u| u.office_id.as_deref())
                .collect();
            let office_names = offices::names(c, &caller, &ids)?;
            let offices = offices::list_page(c, &caller, None, &all)?.items;
            Ok(Listed {
                users,
                office_names,
                offices,
            })
        })
        .await
}

/// The roles to choose from, in words, `chosen` selected.
fn role_choices(lang: Lang, t: &UsersTexts, chosen: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", t.choose.clone(), chosen)];
    choices.extend(Role::ALL.iter().map(|role| {
        Choice::new(
            role.as_str(),
            Message::new(role_key(*role)).render(lang),
            chosen,
        )
    }));
    choices
}

fn user_row(
    lang: Lang,
    t: &UsersTexts,
    index: usize,
    u: UserView,
    names: &HashMap<String, String>,
) -> UserRow {
    let choices = role_choices(lang, t, u.role.as_str());
    let prefix = format!("user{index}");
    UserRow {
        role_select: Select::new(&prefix, "role", &t.role, choices, &Problems::none()),
        role: Message::new(role_key(u.role)).render(lang),
        office: u
            .office_id
            .as_ref()
            .and_then(|o| names.get(o).cloned())
            .unwrap_or_default(),
        action: format!("/console/users/{}", u.id),
        active: u.active,
        version: u.version,
        name: u.name,
        email: u.email,
    }
}

fn users_page(
    lang: Lang,
    user: &ConsoleUser,
    listed: Listed,
    notice: Option<String>,
    values: &Values,
    problems: &Problems,
) -> Result<String, AppError> {
    let t = UsersTexts::new(lang);
    let Listed {
        users,
        office_names,
        offices,
    } = listed;
    let next = next_page("/console/users", &[], users.next_cursor.as_deref());
    let rows = users
        .items
        .into_iter()
        .enumerate()
        .map(|(index, u)| user_row(lang, &t, index, u, &office_names))
        .collect();
    let field = |name, label: &String| Field::text("new", name, label, values, problems);
    let mut office_choices = vec![Choice::new(
        "",
        t.no_office.clone(),
        values.get("office_id"),
    )];
    office_choices.extend(
        offices
            .iter()
            .map(|o| Choice::new(&o.id, o.name.clone(), values.get("office_id"))),
    );
    let view = UsersPage {
        chrome: Chrome::new(lang, user, Area::Users),
        title: t.title.clone(),
        notice,
        alert: problems.notice.clone(),
        rows,
        next,
        fields: vec![
            field("name", &t.name).required(),
            field("email", &t.email).kind("email").required(),
        ],
        role: Select::new(
            "new",
            "role",
            &t.role,
            role_choices(lang, &t, values.get("role")),
            problems,
        ),
        office: Select::new("new", "office_id", &t.office, office_choices, problems),
        password: field("password", &t.password)
            .kind("password")
            .required()
            .hint(&t.password_hint),
        t,
    };
    view.render().map_err(layout::rendering)
}

/// `GET /console/users`: the users, newest first, and the form to create one.
pub async fn users_list(
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
        users_page(lang, &user, listed, notice, &values, &problems)
    })
}

/// The page again after a form that failed: the first page of users, what was typed, each
/// error beside its field, with the error's status.
async fn users_again(
    state: &AppState,
    user: &ConsoleUser,
    values: &Values,
    error: AppError,
    fields: &[&str],
) -> HttpResponse {
    let lang = lang();
    let listed = list(state, user, first_page()).await;
    drawn_again(lang, user, &error, fields, listed, |listed, problems| {
        users_page(lang, user, listed, None, values, problems)
    })
}

/// The role a select sent, or the field's error.
fn role_of(values: &Values) -> Result<Role, AppError> {
    Role::parse(values.get("role")).ok_or_else(|| AppError::invalid("role", msg!("field.required")))
}

/// `POST /console/users`: creates a user (the use case checks the role against the office's
/// kind, the password against the policy); the page again with the errors when it cannot.
pub async fn create(
    state: web::Data<AppState>,
    user: ConsoleUser,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        let input = role_of(&values).map(|role| CreateUser {
            email: values.get("email").to_owned(),
            name: values.get("name").to_owned(),
            role,
            office_id: values.optional("office_id"),
            password: values.get("password").to_owned(),
        });
        let (caller, now) = (user.caller.clone(), state.clock.now());
        let created = state
            .db
            .run(move |c| users::create(c, &caller, input?, now))
            .await;
        match created {
            Ok(_) => see_other("/console/users?done=created"),
            Err(error) => users_again(&state, &user, &values, error, FORM_FIELDS).await,
        }
    })
    .await
}

/// What a row's form asks (`action`): the change and the notice that says it was made.
fn change_of(values: &Values) -> Result<(UpdateUser, &'static str), AppError> {
    let mut change = UpdateUser {
        email: None,
        name: None,
        role: None,
        office_id: None,
        active: None,
    };
    let done = match values.get("action") {
        "deactivate" => {
            change.active = Some(false);
            "deactivated"
        }
        "reactivate" => {
            change.active = Some(true);
            "reactivated"
        }
        _ => {
            change.role = Some(role_of(values)?);
            "role"
        }
    };
    Ok((change, done))
}

/// `POST /console/users/{id}`: deactivates (ending the user's sessions at once), reactivates,
/// or changes the role of a user, at the version the page showed.
pub async fn change(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<UserId>,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        let (caller, now, version) = (
            user.caller.clone(),
            state.clock.now(),
            values.get("version").parse().ok(),
        );
        let (id, asked) = (id.into_inner(), change_of(&values));
        let changed = state
            .db
            .run(move |c| {
                let (input, done) = asked?;
                users::edit(c, &caller, &id, version, input, now).map(|_| done)
            })
            .await;
        match changed {
            Ok(done) => see_other(&format!("/console/users?done={done}")),
            Err(error) => users_again(&state, &user, &Values::default(), error, &[]).await,
        }
    })
    .await
}
