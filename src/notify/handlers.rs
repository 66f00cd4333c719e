//! `/api/v1/notifications`: admins see what was sent, what is waiting and what died, and retry.
//! The HTTP adapter of the outbox queries in [`super`] and the retry in [`super::use_cases`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{NotificationView, OutboxStatus};
use crate::app::AppState;
use crate::auth::extract::Admin;
use crate::http::error::{AppError, Problem};
use crate::notify;
use crate::pagination::{PageQuery, Paginated};

/// Filter of `GET /notifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub status: Option<OutboxStatus>,
}

/// The outbox, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageQuery, NotificationQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of notifications", body = Paginated<NotificationView>),
              (status = 403, description = "Not an admin", body = Problem)))]
pub async fn list_notifications(
    state: web::Data<AppState>,
    admin: Admin,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<NotificationQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let status = query.status;
    let list = state
        .db
        .run(move |connection| notify::use_cases::outbox_page(connection, &admin.0, status, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Sends a dead (or waiting) notification again now, with a fresh count of attempts.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications",
    params(("id" = String, Path, description = "The notification's id")), security(("bearer" = [])),
    responses((status = 200, description = "Queued again", body = NotificationView),
              (status = 404, description = "No such notification", body = Problem),
              (status = 409, description = "Already sent", body = Problem)))]
pub async fn retry_notification(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| notify::use_cases::retry_as(connection, &admin.0, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
