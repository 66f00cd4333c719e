//! `/console`: where signing in lands, and the stylesheet every console page links.

use actix_web::{web, HttpRequest, HttpResponse};

use super::layout::{self, home_of, see_other, ConsoleUser, STYLESHEET};
use super::work;
use crate::app::AppState;
use crate::pages::handlers::cached_stylesheet;
use crate::users::Role;

/// `GET /console`: union staff see their work ("我的工作"); everyone else goes to their own
/// first page.
pub async fn home(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    match user.caller.role {
        Role::UnionMediator | Role::UnionSupervisor => work::my_work(user, state, request).await,
        other => see_other(home_of(other)),
    }
}

/// `GET /static/console.css`: the console's stylesheet, from the binary.
pub async fn stylesheet(request: HttpRequest) -> HttpResponse {
    cached_stylesheet(&request, STYLESHEET, layout::stylesheet_version())
}
