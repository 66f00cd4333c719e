//! The partner office's inbox as a page: its tabs (pending, accepted, overdue, all) and a row
//! per referral — the case, the task in words, the union office that asks, when, by when (with
//! an overdue badge) and where it stands. Drawing only; the rows are `referrals::use_cases`'s.

use askama::Template;

use super::admin_kit::{next_page, when};
use super::layout::{self, Area, Chrome, ConsoleUser};
use super::words::{referral_kind_words, referral_status_words};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::layout::texts;
use crate::pagination::Paginated;
use crate::referrals::rules::ReferralStatus;
use crate::referrals::use_cases::{InboxEntry, ReferralQuery};

texts! {
    /// The words of the inbox.
    InboxTexts {
        title = "console.inbox.title",
        tabs = "console.inbox.tabs",
        tab_all = "console.inbox.tab_all",
        tab_pending = "console.inbox.tab_pending",
        tab_accepted = "console.inbox.tab_accepted",
        tab_overdue = "console.inbox.tab_overdue",
        case_number = "console.inbox.case_number",
        kind = "console.inbox.kind",
        from = "console.inbox.from",
        requested_at = "console.inbox.requested_at",
        due_at = "console.inbox.due_at",
        status = "console.inbox.status",
        overdue = "console.inbox.overdue",
        empty = "console.inbox.empty",
        next = "console.inbox.next",
    }
}

/// A tab of the inbox: which referrals it lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    All,
    Pending,
    Accepted,
    Overdue,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::All, Tab::Pending, Tab::Accepted, Tab::Overdue];

    /// The tab a link asks for (`?tab=`); anything else is all referrals.
    pub fn of(value: &str) -> Self {
        match value {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "overdue" => Self::Overdue,
            _ => Self::All,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Overdue => "overdue",
        }
    }

    /// The inbox's filters of this tab, as `GET /api/v1/referrals` takes them.
    pub fn query(self) -> ReferralQuery {
        let (status, overdue) = match self {
            Self::All => (None, None),
            Self::Pending => (Some(ReferralStatus::Pending), None),
            Self::Accepted => (Some(ReferralStatus::Accepted), None),
            Self::Overdue => (None, Some(true)),
        };
        ReferralQuery { status, overdue }
    }

    fn label(self, t: &InboxTexts) -> String {
        match self {
            Self::All => t.tab_all.clone(),
            Self::Pending => t.tab_pending.clone(),
            Self::Accepted => t.tab_accepted.clone(),
            Self::Overdue => t.tab_overdue.clone(),
        }
    }
}

/// A link of the tab bar.
pub struct TabLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A row of the inbox.
pub struct InboxRow {
    pub href: String,
    pub case_number: String,
    pub kind: String,
    pub from: String,
    pub requested_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/referrals.html")]
struct InboxPage {
    chrome: Chrome,
    title: String,
    t: InboxTexts,
    tabs: Vec<TabLink>,
    rows: Vec<InboxRow>,
    next: Option<String>,
}

/// The inbox of `tab`: a page of referrals, newest first.
pub fn inbox_page(
    lang: Lang,
    user: &ConsoleUser,
    tab: Tab,
    found: Paginated<InboxEntry>,
) -> Result<String, AppError> {
    let t = InboxTexts::new(lang);
    let tabs = Tab::ALL
        .iter()
        .map(|each| TabLink {
            href: format!("/console/referrals?tab={}", each.code()),
            label: each.label(&t),
            current: *each == tab,
        })
        .collect();
    let rows = found
        .items
        .into_iter()
        .map(|entry| inbox_row(lang, entry))
        .collect();
    let next = next_page(
        "/console/referrals",
        &[("tab", tab.code())],
        found.next_cursor.as_deref(),
    );
    let view = InboxPage {
        chrome: Chrome::new(lang, user, Area::Referrals),
        title: t.title.clone(),
        t,
        tabs,
        rows,
        next,
    };
    view.render().map_err(layout::rendering)
}

fn inbox_row(lang: Lang, entry: InboxEntry) -> InboxRow {
    let r = entry.referral;
    InboxRow {
        href: format!("/console/referrals/{}", r.id),
        case_number: r.case_number,
        kind: referral_kind_words(r.kind).to_owned(),
        from: entry.from_office.map(|o| o.name).unwrap_or_default(),
        requested_at: when(r.created_at),
        due_at: when(r.due_at),
        overdue: r.overdue,
        status: referral_status_words(r.status).render(lang),
    }
}
