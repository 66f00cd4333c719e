//! `/api/v1/notifications`: admins see what was sent, what is waiting and what died, and retry.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{NotificationView, OutboxRow, OutboxStatus};
use crate::app::AppState;
use crate::auth::extract::Admin;
use crate::http::error::{AppError, Problem};
use crate::pagination::{PageQuery, Paginated};
use crate::schema::outbox;

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
    _admin: Admin,
    page: web::Query<PageQuery>,
    query: web::Query<NotificationQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let status = query.status;
    let list = state
        .db
        .run(move |connection| Ok(super::list(connection, status, &page)?))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(NotificationView::from)))
}

/// Sends a dead (or waiting) notification again now, with a fresh count of attempts.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "Queued again", body = NotificationView),
              (status = 404, description = "No such notification", body = Problem),
              (status = 409, description = "Already sent", body = Problem)))]
pub async fn retry_notification(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now().naive_utc();
    let row = state
        .db
        .run(move |connection| {
            crate::db::write_transaction(connection, |connection| {
                let row: OutboxRow = outbox::table
                    .find(id.as_str())
                    .select(OutboxRow::as_select())
                    .first(connection)?;
                if row.status == OutboxStatus::Sent {
                    return Err(AppError::Conflict {
                        code: "already_sent",
                        detail: "this notification was already sent".into(),
                    });
                }
                diesel::update(outbox::table.find(&row.id))
                    .set((
                        outbox::status.eq(OutboxStatus::Pending.as_str()),
                        outbox::attempts.eq(0),
                        outbox::next_attempt_at.eq(now),
                        outbox::claimed_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(connection)?;
                Ok(outbox::table
                    .find(&row.id)
                    .select(OutboxRow::as_select())
                    .first(connection)?)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(NotificationView::from(row)))
}
