//! The outbox, for the admin: `GET /console/notifications` (every email and text message the
//! service sent, is sending or gave up on: status, template, recipients, attempts, last error)
//! and `POST /console/notifications/{id}/retry` for one that died or keeps failing. Both are
//! `notify::use_cases` (`outbox_page`, `retry_as`): only admins; a message already sent is never
//! sent twice (409).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin_kit::{
    done_notice, drawn, drawn_again, first_page, next_page, page_request, when,
};
use super::layout::{self, see_other, Area, Chrome, ConsoleUser};
use super::session::{lang, posted};
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::notify::use_cases::{outbox_page, retry_as};
use crate::notify::{NotificationView, OutboxChannel, OutboxStatus};
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::{PageRequest, Paginated};

texts! {
    /// The words of the outbox page.
    NotificationsTexts {
        title = "console.notifications.title",
        intro = "console.notifications.intro",
        tabs = "console.notifications.tabs",
        tab_all = "console.notifications.tab_all",
        created_at = "console.notifications.created_at",
        status = "console.notifications.status",
        channel = "console.notifications.channel",
        template = "console.notifications.template",
        recipients = "console.notifications.recipients",
        subject = "console.notifications.subject",
        attempts = "console.notifications.attempts",
        last_error = "console.notifications.last_error",
        retry = "console.notifications.retry",
        empty = "console.notifications.empty",
        next = "console.notifications.next",
    }
}

/// The notices after a form that worked (`?done=`).
const NOTICES: &[(&str, &str)] = &[("retried", "console.notifications.done.retried")];

/// A row of the outbox.
struct NotificationRow {
    created_at: String,
    status: String,
    channel: String,
    template: String,
    recipients: String,
    subject: String,
    attempts: i32,
    last_error: String,
    /// Where its retry posts, for a message that died or is failing.
    retry: Option<String>,
}

/// A tab of the status filter.
struct StatusTab {
    href: String,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "console/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    title: String,
    t: NotificationsTexts,
    notice: Option<String>,
    alert: Option<String>,
    tabs: Vec<StatusTab>,
    rows: Vec<NotificationRow>,
    next: Option<String>,
}

/// An outbox row's state in words: a pending row that has failed before is "failing".
fn status_words(n: &NotificationView) -> Message {
    match n.status {
        OutboxStatus::Pending if n.last_error.is_some() => msg!("console.notifications.failing"),
        OutboxStatus::Pending => msg!("console.notifications.pending"),
        OutboxStatus::Sent => msg!("console.notifications.sent"),
        OutboxStatus::Dead => msg!("console.notifications.dead"),
    }
}

fn channel_words(channel: OutboxChannel) -> Message {
    match channel {
        OutboxChannel::Email => msg!("console.notifications.email"),
        OutboxChannel::Sms => msg!("console.notifications.sms"),
    }
}

fn row(lang: Lang, n: NotificationView) -> NotificationRow {
    let failed = n.status == OutboxStatus::Dead || n.last_error.is_some();
    NotificationRow {
        created_at: when(n.created_at),
        status: status_words(&n).render(lang),
        channel: channel_words(n.channel).render(lang),
        retry: (failed && n.status != OutboxStatus::Sent)
            .then(|| format!("/console/notifications/{}/retry", n.id)),
        recipients: n.recipients.join(", "),
        attempts: n.attempts,
        last_error: n.last_error.unwrap_or_default(),
        template: n.template,
        subject: n.subject,
    }
}

fn notifications_page(
    lang: Lang,
    user: &ConsoleUser,
    status: Option<OutboxStatus>,
    found: Paginated<NotificationView>,
    notice: Option<String>,
    alert: Option<String>,
) -> Result<String, AppError> {
    let t = NotificationsTexts::new(lang);
    let mut tabs = vec![StatusTab {
        href: "/console/notifications".to_owned(),
        label: t.tab_all.clone(),
        current: status.is_none(),
    }];
    tabs.extend(OutboxStatus::ALL.iter().map(|each| {
        StatusTab {
            href: format!("/console/notifications?status={each}"),
            label: match each {
                OutboxStatus::Pending => msg!("console.notifications.pending"),
                OutboxStatus::Sent => msg!("console.notifications.sent"),
                OutboxStatus::Dead => msg!("console.notifications.dead"),
            }
            .render(lang),
            current: status == Some(*each),
        }
    }));
    let filter = status.map_or("", |s| s.as_str());
    let view = NotificationsPage {
        chrome: Chrome::new(lang, user, Area::Notifications),
        title: t.title.clone(),
        notice,
        alert,
        tabs,
        next: next_page(
            "/console/notifications",
            &[("status", filter)],
            found.next_cursor.as_deref(),
        ),
        rows: found.items.into_iter().map(|n| row(lang, n)).collect(),
        t,
    };
    view.render().map_err(layout::rendering)
}

async fn list(
    state: &AppState,
    user: &ConsoleUser,
    status: Option<OutboxStatus>,
    page: PageRequest,
) -> Result<Paginated<NotificationView>, AppError> {
    let caller = user.caller.clone();
    state
        .db
        .run(move |c| outbox_page(c, &caller, status, &page))
        .await
}

/// `GET /console/notifications`: the outbox, newest first, by status (`?status=`).
pub async fn notifications(
    state: web::Data<AppState>,
    user: ConsoleUser,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let query = Values::read(request.query_string().as_bytes());
    let status = OutboxStatus::parse(query.get("status"));
    let found = async { list(&state, &user, status, page_request(&query)?).await }.await;
    drawn(lang, &user, found, |found| {
        let notice = done_notice(&query, NOTICES, lang);
        notifications_page(lang, &user, status, found, notice, None)
    })
}

/// `POST /console/notifications/{id}/retry`: queues the message again now with a fresh count
/// of attempts; the outbox again with the reason when it cannot be (already sent: 409).
pub async fn retry(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |_| {
        let (caller, now) = (user.caller.clone(), state.clock.now());
        let retried = state.db.run(move |c| retry_as(c, &caller, &id, now)).await;
        let error = match retried {
            Ok(_) => return see_other("/console/notifications?done=retried"),
            Err(error) => error,
        };
        let (lang, found) = (lang(), list(&state, &user, None, first_page()).await);
        drawn_again(lang, &user, &error, &[], found, |found, problems| {
            let alert = problems.notice.clone();
            notifications_page(lang, &user, None, found, None, alert)
        })
    })
    .await
}
