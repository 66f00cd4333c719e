//! What every console page shares: its Content-Security-Policy, the stylesheet served from the
//! binary, the chrome (the office, the person signed in, the navigation their role has, the
//! sign-out form) and the answers every handler gives — a page, a redirect after a form, a
//! failure page.

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::pages::layout::texts;
use crate::users::Role;

/// The console's Content-Security-Policy: this origin's stylesheet and images (the charts are
/// inline SVG elements, which need nothing), forms that post only here, never framed, and no
/// script of any kind.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Where the console's stylesheet is served.
pub const STYLESHEET_PATH: &str = "/static/console.css";

/// The console's one stylesheet, compiled into the binary.
pub const STYLESHEET: &str = include_str!("../../templates/console/console.css");

/// A digest of [`STYLESHEET`]: its ETag and the `v` of the URL the pages link.
pub fn stylesheet_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| hex::encode(&Sha256::digest(STYLESHEET.as_bytes())[..6]))
}

texts! {
    /// The words of the chrome: the title bar, the navigation, the password link, the
    /// sign-out button.
    ConsoleChromeTexts {
        site = "console.site",
        sign_out = "console.sign_out",
        skip = "console.skip",
        password = "console.password.link",
    }
}

/// An entry of the navigation.
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// Which part of the console a page belongs to, for the navigation's `aria-current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Work,
    Intake,
    Cases,
    Figures,
    Referrals,
    Files,
    Offices,
    Users,
    Notifications,
    Other,
}

/// The navigation a role has: only what it may use.
fn navigation(role: Role, area: Area, lang: Lang) -> Vec<NavLink> {
    let entries: &[(&'static str, &'static str, Area)] = match role {
        Role::UnionMediator => &[
            ("/console", "console.nav.work", Area::Work),
            ("/console/cases/new", "console.nav.intake", Area::Intake),
            ("/console/cases", "console.nav.cases", Area::Cases),
            ("/console/figures", "console.nav.figures", Area::Figures),
        ],
        Role::UnionSupervisor => &[
            ("/console", "console.nav.work", Area::Work),
            ("/console/cases/new", "console.nav.intake", Area::Intake),
            ("/console/cases", "console.nav.cases", Area::Cases),
            ("/console/figures", "console.nav.figures", Area::Figures),
        ],
        Role::PoliceOfficer | Role::JudicialOfficer | Role::HrOfficer => &[(
            "/console/referrals",
            "console.nav.referrals",
            Area::Referrals,
        )],
        Role::Lawyer => &[("/console/files", "console.nav.files", Area::Files)],
        // Grid workers report risks over the API (docs/prevention.md); no console pages yet.
        Role::GridWorker => &[],
        Role::Admin => &[
            ("/console/offices", "console.nav.offices", Area::Offices),
            ("/console/users", "console.nav.users", Area::Users),
            (
                "/console/notifications",
                "console.nav.notifications",
                Area::Notifications,
            ),
            ("/console/figures", "console.nav.figures", Area::Figures),
        ],
    };
    entries
        .iter()
        .map(|(href, key, entry)| NavLink {
            href,
            label: Message::new(key).render(lang),
            current: *entry == area,
        })
        .collect()
}

/// The catalogue key of a role's name.
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "console.role.admin",
        Role::UnionMediator => "console.role.union_mediator",
        Role::UnionSupervisor => "console.role.union_supervisor",
        Role::PoliceOfficer => "console.role.police_officer",
        Role::JudicialOfficer => "console.role.judicial_officer",
        Role::HrOfficer => "console.role.hr_officer",
        Role::Lawyer => "console.role.lawyer",
        Role::GridWorker => "console.role.grid_worker",
    }
}

/// The console's first page for a role: where signing in lands.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::UnionMediator | Role::UnionSupervisor => "/console",
        Role::PoliceOfficer | Role::JudicialOfficer | Role::HrOfficer => "/console/referrals",
        Role::Lawyer => "/console/files",
        Role::Admin => "/console/offices",
        Role::GridWorker => "/console/password",
    }
}

/// What `templates/console/base.html` needs of every signed-in page.
pub struct Chrome {
    /// The `lang` of the document: `zh-CN` or `en`.
    pub lang: &'static str,
    pub stylesheet: String,
    pub t: ConsoleChromeTexts,
    /// The person signed in and their role, in words.
    pub who: String,
    pub nav: Vec<NavLink>,
    /// The form token the sign-out form (and every other form) carries.
    pub csrf: String,
}

impl Chrome {
    pub fn new(lang: Lang, user: &ConsoleUser, area: Area) -> Self {
        Self {
            lang: lang.tag(),
            stylesheet: format!("{STYLESHEET_PATH}?v={}", stylesheet_version()),
            t: ConsoleChromeTexts::new(lang),
            who: format!(
                "{} · {}",
                user.name,
                Message::new(role_key(user.caller.role)).render(lang)
            ),
            nav: navigation(user.caller.role, area, lang),
            csrf: user.csrf.clone(),
        }
    }

    /// The chrome of a page before signing in: no navigation, no person.
    pub fn signed_out(lang: Lang) -> Self {
        Self {
            lang: lang.tag(),
            stylesheet: format!("{STYLESHEET_PATH}?v={}", stylesheet_version()),
            t: ConsoleChromeTexts::new(lang),
            who: String::new(),
            nav: Vec::new(),
            csrf: String::new(),
        }
    }
}

/// A signed-in person in the console: the same [`Caller`] the API builds from a bearer token,
/// their name for the title bar, and the form token of their session.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    pub caller: Caller,
    pub name: String,
    pub csrf: String,
}

/// A console page with `status`, or the failure page when it could not be rendered. Never
/// cached, never framed, no referrer leaves it.
pub fn page(status: StatusCode, lang: Lang, rendered: Result<String, AppError>) -> HttpResponse {
    let body = match rendered {
        Ok(body) => body,
        Err(error) => return failure(lang, None, error),
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .insert_header((header::VARY, "accept-language, cookie"))
        .body(body)
}

/// 303 to `location`: the answer to a form that worked (post/redirect/get), so reloading the
/// page that follows does not post it again.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Logs what the log must know of `error`: a bug in full, an outage's reason (never shown).
pub fn log(error: &AppError) {
    match error {
        AppError::Internal(cause) => {
            tracing::error!(
                error = format!("{cause:#}"),
                "internal error in the console"
            )
        }
        AppError::DatabaseUnavailable(reason) | AppError::Unavailable(reason) => {
            tracing::warn!(%reason, "unavailable in the console")
        }
        _ => {}
    }
}

/// A failure no form can show (not found, forbidden, the database is down, a bug): a page with
/// the status's title and the API's words, with the chrome when the person is known.
pub fn failure(lang: Lang, user: Option<&ConsoleUser>, error: AppError) -> HttpResponse {
    log(&error);
    let mut response = status_page(lang, user, error.status_code(), &error.detail());
    if let AppError::TooManyRequests {
        retry_after_seconds,
        ..
    } = error
    {
        if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// A page saying `detail` under the title of `status`.
pub fn status_page(
    lang: Lang,
    user: Option<&ConsoleUser>,
    status: StatusCode,
    detail: &Message,
) -> HttpResponse {
    let chrome = match user {
        Some(user) => Chrome::new(lang, user, Area::Other),
        None => Chrome::signed_out(lang),
    };
    let view = MessagePage {
        chrome,
        title: crate::http::error::title(status, lang),
        detail: detail.render(lang),
    };
    match askama::Template::render(&view) {
        Ok(body) => page(status, lang, Ok(body)),
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(detail.render(lang)),
    }
}

/// An askama failure as an internal error (a template that compiled cannot fail but for a
/// bug in a value's `Display`).
pub fn rendering(error: askama::Error) -> AppError {
    AppError::Internal(anyhow::Error::new(error).context("render a console page"))
}

/// A page that only says something: a failure's title and detail.
#[derive(askama::Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub title: String,
    pub detail: String,
}
