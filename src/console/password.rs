//! `/console/password`: everyone signed in changes their own password, through
//! `auth::change_password`, the use case behind `POST /api/v1/auth/password`. The use case checks
//! the current password (a wrong guess counts toward the sign-in lockout: 422, then 429), the
//! password policy and that the new one differs, and ends every *other* session of the person
//! (their other browsers, their API tokens) in the same transaction; this session stays signed
//! in. Only typing the new password twice alike is the form's own check.

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{done_notice, form_again, shown, Field, Problems};
use super::layout::{self, failure, see_other, Area, Chrome, ConsoleUser};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::auth::password::MIN_LENGTH;
use crate::auth::use_cases::ChangePassword;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::pages::forms::Values;
use crate::pages::layout::texts;

/// Where the page is, and where a change that worked lands.
const PATH: &str = "/console/password";

/// The fields of the form, for [`Problems::of`]: an error of any other field shows above it.
const FIELDS: [&str; 3] = ["current_password", "new_password", "repeat_password"];

texts! {
    /// The words of the password page.
    PasswordTexts {
        title = "console.password.title",
        intro = "console.password.intro",
        current = "console.password.current",
        new = "console.password.new",
        repeat = "console.password.repeat",
        submit = "console.password.submit",
    }
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    chrome: Chrome,
    title: String,
    t: PasswordTexts,
    notice: Option<String>,
    alert: Option<String>,
    fields: Vec<Field>,
}

/// The page with the form (never a password typed in it), `notice` after a change and
/// `problems` after a refusal.
fn password_page(
    lang: Lang,
    user: &ConsoleUser,
    notice: Option<String>,
    problems: Problems,
) -> Result<String, AppError> {
    let t = PasswordTexts::new(lang);
    let blank = Values::default();
    let field = |name: &'static str, label: &str| {
        Field::text("pw", name, label, &blank, &problems)
            .kind("password")
            .required()
    };
    let mut current = field("current_password", &t.current);
    current.autocomplete = "current-password";
    let hint = msg!("console.password.new_hint", min = MIN_LENGTH).render(lang);
    let fields = vec![
        current,
        field("new_password", &t.new).hint(&hint),
        field("repeat_password", &t.repeat),
    ];
    let view = PasswordPage {
        chrome: Chrome::new(lang, user, Area::Other),
        title: t.title.clone(),
        alert: problems.notice.clone(),
        t,
        notice,
        fields,
    };
    view.render().map_err(layout::rendering)
}

/// `GET /console/password`: the form, with the notice of a change that just worked.
pub async fn password_form(user: ConsoleUser, request: HttpRequest) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let notice = done_notice(&query, &[("changed", "console.password.done")], lang);
    shown(lang, password_page(lang, &user, notice, Problems::none()))
}

/// `POST /console/password`: changes the password, then 303 to the page with its notice; the
/// form again with each error beside its field (422), or with the lockout's 429 and
/// `Retry-After`.
pub async fn change(
    state: web::Data<AppState>,
    user: ConsoleUser,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |values| {
        match change_own(&state, &user, &values).await {
            Ok(()) => see_other(&format!("{PATH}?done=changed")),
            Err(error) => refused(&user, error),
        }
    })
    .await
}

/// The new password typed twice alike, then the use case.
async fn change_own(state: &AppState, user: &ConsoleUser, values: &Values) -> Result<(), AppError> {
    let new_password = values.get("new_password").to_owned();
    if new_password != values.get("repeat_password") {
        return Err(AppError::invalid(
            "repeat_password",
            msg!("console.password.mismatch"),
        ));
    }
    let input = ChangePassword {
        current_password: values.get("current_password").to_owned(),
        new_password,
    };
    let (caller, settings, now) = (
        user.caller.clone(),
        state.config.auth.clone(),
        state.clock.now(),
    );
    state
        .db
        .run(move |c| crate::auth::change_password(c, &caller, &settings, input, now))
        .await
}

/// The answer to a refused change: the form again for what the person can fix or wait out (a
/// field, a lockout, a change made meanwhile), the failure page for anything else.
fn refused(user: &ConsoleUser, error: AppError) -> HttpResponse {
    let lang = lang();
    let on_the_form = matches!(
        error,
        AppError::Validation(_) | AppError::TooManyRequests { .. } | AppError::Conflict { .. }
    );
    if !on_the_form {
        return failure(lang, Some(user), error);
    }
    let problems = Problems::of(&error, lang, &FIELDS);
    let mut response = form_again(&error, lang, password_page(lang, user, None, problems));
    if let AppError::TooManyRequests {
        retry_after_seconds,
        ..
    } = error
    {
        if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
    }
    response
}
