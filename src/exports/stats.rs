//! The figures export: `GET /stats` as a sheet with one row per union office in the caller's
//! scope (for a supervisor, each office of their tree) and a total row — the scope and period
//! decided once by the same use case as the JSON answer ([`crate::stats::query_for`]), the
//! figures counted by [`crate::stats::compute`] for each office alone and for the whole scope.
//!
//! The columns are read off the figures themselves (their JSON shape), so a figure added to
//! [`Stats`] — a number, or a nested object of numbers such as `prevention` — becomes a column
//! without a change here: the known ones get their Chinese header, an unknown one its field
//! path; an amount (`…_fen`) is shown in yuan. Lists (per partner office, per month, the union
//! offices' worker-side figures) are not columns: the rows are the offices already.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use super::table::{Cell, Table};
use crate::auth::caller::Caller;
use crate::case_words::destination_words;
use crate::cases::lifecycle::Destination;
use crate::cases::{Category, Channel};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::offices::OfficeKind;
use crate::schema::offices;
use crate::stats::{compute, query_for, Stats, StatsParams, StatsQuery};
use crate::words::{category_words, channel_words};

/// The figures `caller` may read for `params` as a table: a row per union office in scope,
/// sorted by name, then the total. The same 403/404/400 as `GET /stats`.
pub fn table(
    connection: &mut DbConnection,
    caller: &Caller,
    params: StatsParams,
    now: DateTime<Utc>,
    follow_up_days: u32,
    lang: Lang,
) -> Result<Table, AppError> {
    let query = query_for(connection, caller, params, now, follow_up_days)?;
    let mut unions: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(query.offices.clone()))
        .filter(offices::kind.eq(OfficeKind::Union.as_str()))
        .select((offices::id, offices::name))
        .load(connection)?;
    unions.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    let mut named: Vec<(String, Value)> = Vec::new();
    for (id, name) in unions {
        let alone = StatsQuery {
            offices: vec![id],
            ..query.clone()
        };
        named.push((name, figures(&compute(connection, &alone)?)));
    }
    named.push((
        msg!("export.stats.total").render(lang),
        figures(&compute(connection, &query)?),
    ));
    Ok(layout(named, lang))
}

/// The figures as JSON, to be read field by field.
fn figures(stats: &Stats) -> Value {
    serde_json::to_value(stats).unwrap_or(Value::Null)
}

/// Every number of `value` with its field path (`cases_received`, `by_category.other`,
/// `prevention.risks_open`), in the order met.
fn numbers(prefix: &str, value: &Value, found: &mut Vec<(String, Value)>) {
    if let Value::Object(fields) = value {
        for (key, field) in fields {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match field {
                Value::Object(_) => numbers(&path, field, found),
                Value::Number(_) | Value::Null => found.push((path, field.clone())),
                _ => {}
            }
        }
    }
}

/// The columns first that every reader expects, in this order; then whatever else the figures
/// hold, in the order of their field paths.
const FIRST: [&str; 18] = [
    "cases_received",
    "cases_accepted",
    "cases_resolved",
    "cases_escalated",
    "cases_withdrawn",
    "cases_rejected",
    "success_rate",
    "workers_involved",
    "collective_cases",
    "overdue_cases",
    "claimed_amount_fen",
    "agreed_amount_fen",
    "recovered_amount_fen",
    "online_applications",
    "follow_ups_due",
    "follow_ups_done",
    "satisfaction_responses",
    "satisfaction_rate",
];

/// The table of the offices' figures: columns are the union of the rows' field paths.
fn layout(named: Vec<(String, Value)>, lang: Lang) -> Table {
    let rows: Vec<(String, Vec<(String, Value)>)> = named
        .into_iter()
        .map(|(name, value)| {
            let mut found = Vec::new();
            numbers("", &value, &mut found);
            (name, found)
        })
        .collect();
    let mut paths: Vec<String> = FIRST.iter().map(|p| (*p).to_owned()).collect();
    paths.extend(
        Category::ALL
            .iter()
            .map(|c| format!("by_category.{}", c.as_str())),
    );
    paths.extend(
        Channel::ALL
            .iter()
            .map(|c| format!("by_channel.{}", c.as_str())),
    );
    let mut rest: Vec<String> = rows
        .iter()
        .flat_map(|(_, found)| found.iter().map(|(path, _)| path.clone()))
        .filter(|path| !paths.contains(path))
        .collect();
    rest.sort();
    rest.dedup();
    paths.extend(rest);
    let mut headers = vec![msg!("export.stats.office").render(lang)];
    headers.extend(paths.iter().map(|path| header(path, lang)));
    let rows = rows
        .into_iter()
        .map(|(name, found)| {
            let mut cells = vec![Cell::Text(name)];
            cells.extend(paths.iter().map(|path| {
                let value = found.iter().find(|(p, _)| p == path).map(|(_, v)| v);
                cell(path, value)
            }));
            cells
        })
        .collect();
    Table { headers, rows }
}

/// A figure as a cell: an amount in yuan, a count as an integer, a share as it is; a count by
/// category or channel that is absent is 0, another absent figure an empty cell.
fn cell(path: &str, value: Option<&Value>) -> Cell {
    match value {
        Some(Value::Number(n)) if path.ends_with("_fen") => Cell::Yuan(n.as_i64().unwrap_or(0)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Decimal(n.as_f64().unwrap_or(0.0)),
        },
        None if path.starts_with("by_") => Cell::Int(0),
        _ => Cell::Empty,
    }
}

/// A column's header: Chinese words for the known figures, the field path for a new one.
fn header(path: &str, lang: Lang) -> String {
    if let Some(code) = path.strip_prefix("by_category.") {
        if let Some(category) = Category::parse(code) {
            return prefixed(
                msg!("export.stats.by_category"),
                category_words(category),
                lang,
            );
        }
    }
    if let Some(code) = path.strip_prefix("by_channel.") {
        if let Some(channel) = Channel::parse(code) {
            return prefixed(
                msg!("export.stats.by_channel"),
                channel_words(channel),
                lang,
            );
        }
    }
    if let Some(code) = path.strip_prefix("by_destination.") {
        let word = Destination::parse(code)
            .map_or_else(|| code.to_owned(), |d| destination_words(d).render(lang));
        return format!("{}{word}", msg!("export.stats.by_destination").render(lang));
    }
    known(path).map_or_else(|| path.to_owned(), |m| m.render(lang))
}

fn prefixed(prefix: Message, word: Message, lang: Lang) -> String {
    format!("{}{}", prefix.render(lang), word.render(lang))
}

fn known(path: &str) -> Option<Message> {
    Some(match path {
        "cases_received" => msg!("export.stats.cases_received"),
        "cases_accepted" => msg!("export.stats.cases_accepted"),
        "cases_resolved" => msg!("export.stats.cases_resolved"),
        "cases_escalated" => msg!("export.stats.cases_escalated"),
        "cases_withdrawn" => msg!("export.stats.cases_withdrawn"),
        "cases_rejected" => msg!("export.stats.cases_rejected"),
        "success_rate" => msg!("export.stats.success_rate"),
        "workers_involved" => msg!("export.stats.workers_involved"),
        "collective_cases" => msg!("export.stats.collective_cases"),
        "overdue_cases" => msg!("export.stats.overdue_cases"),
        "claimed_amount_fen" => msg!("export.stats.claimed_amount"),
        "agreed_amount_fen" => msg!("export.stats.agreed_amount"),
        "recovered_amount_fen" => msg!("export.stats.recovered_amount"),
        "online_applications" => msg!("export.stats.online_applications"),
        "follow_ups_due" => msg!("export.stats.follow_ups_due"),
        "follow_ups_done" => msg!("export.stats.follow_ups_done"),
        "satisfaction_responses" => msg!("export.stats.satisfaction_responses"),
        "satisfaction_rate" => msg!("export.stats.satisfaction_rate"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_number_becomes_a_column_and_a_new_nested_figure_keeps_its_path() {
        let rows = vec![
            (
                "沙坪街道工会".to_owned(),
                json!({"cases_received": 2, "claimed_amount_fen": 123450, "success_rate": 0.5,
                       "by_category": {"other": 2}, "prevention": {"risks_open": 3},
                       "by_month": [{"month": "2026-12"}]}),
            ),
            (
                "合计".to_owned(),
                json!({"cases_received": 2, "satisfaction_rate": null}),
            ),
        ];
        let table = layout(rows, Lang::Zh);
        let at = |header: &str| table.headers.iter().position(|h| h == header).unwrap();
        assert_eq!(table.headers[0], "单位");
        assert_eq!(table.rows[0][at("收案数")], Cell::Int(2));
        assert_eq!(table.rows[0][at("请求金额（元）")], Cell::Yuan(123450));
        assert_eq!(table.rows[0][at("调解成功率")], Cell::Decimal(0.5));
        assert_eq!(table.rows[0][at("类别：其他")], Cell::Int(2));
        assert_eq!(table.rows[1][at("类别：其他")], Cell::Int(0));
        assert_eq!(table.rows[0][at("prevention.risks_open")], Cell::Int(3));
        assert_eq!(table.rows[1][at("prevention.risks_open")], Cell::Empty);
        assert!(!table.headers.iter().any(|h| h.contains("by_month")));
    }
}
