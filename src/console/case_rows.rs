//! The rows of the console's case tables ("my work" and the case list): a case as a mediator
//! scans it — number (linking to the case's page), employer, category, status in words, the day
//! it was received, its mediation deadline and who has it — with badges for overdue, due soon and
//! collective disputes. Drawn by `templates/console/case_table.html`.

use chrono::NaiveDate;

use crate::cases::work::day_of_receipt;
use crate::cases::CaseView;
use crate::console::words::{category_words, status_words};
use crate::i18n::Lang;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::pagination::PageQuery;

texts! {
    /// The words of a case table: its headings, badges and pager.
    CaseTableTexts {
        number = "console.cases.col.number",
        employer = "console.cases.col.employer",
        category = "console.cases.col.category",
        status = "console.cases.col.status",
        received = "console.cases.col.received",
        deadline = "console.cases.col.deadline",
        assignee = "console.cases.col.assignee",
        unassigned = "console.cases.unassigned",
        overdue = "console.cases.badge.overdue",
        soon = "console.cases.badge.soon",
        collective = "console.cases.badge.collective",
        next_page = "console.cases.next_page",
        first_page = "console.cases.first_page",
    }
}

/// One case in a table.
pub struct CaseRow {
    /// The case's page: `/console/cases/{id}`.
    pub href: String,
    pub case_number: String,
    pub employer: String,
    pub category: String,
    pub status: String,
    pub received: String,
    pub deadline: String,
    /// The mediator's name; empty when the case is unassigned.
    pub assignee: String,
    pub overdue: bool,
    pub due_soon: bool,
    pub collective: bool,
}

/// A day as the tables write it: `2026-12-05`, the same in both languages and easy to compare
/// down a column.
pub fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The row of `case`, with its mediator's name when it has one.
pub fn case_row(lang: Lang, case: &CaseView, assignee: Option<&str>, due_soon: bool) -> CaseRow {
    CaseRow {
        href: format!("/console/cases/{}", case.id),
        case_number: case.case_number.clone(),
        employer: case.employer.name.clone(),
        category: category_words(case.category).render(lang),
        status: status_words(case.status).render(lang),
        received: day(day_of_receipt(case.mediation_deadline)),
        deadline: day(case.mediation_deadline),
        assignee: assignee.unwrap_or_default().to_owned(),
        overdue: case.overdue,
        due_soon,
        collective: case.collective,
    }
}

/// `?limit=` and `?cursor=` of a list page as the API reads them; a limit that is not a number
/// is read as 0, which the page check refuses (400) rather than ignoring.
pub fn page_query(values: &Values) -> PageQuery {
    PageQuery {
        limit: values
            .optional("limit")
            .map(|limit| limit.trim().parse().unwrap_or(0)),
        cursor: values.optional("cursor"),
    }
}
