//! What the figures page shows of the figures of `GET /stats` ([`Stats`]): the headline numbers,
//! and each chart with the table of the same numbers beside it. Each chart and its table are
//! made from one list of rows ([`Figures`]), so they cannot disagree.

use crate::cases::{Category, Channel};
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::notify::yuan;
use crate::pages::layout::texts;
use crate::stats::Stats;

use super::charts::{self, Chart, Shape};
use super::words::{category_words, channel_words, office_kind_words};

texts! {
    /// The words of the charts and their tables.
    ChartTexts {
        no_data = "console.figures.no_data",
        not_applicable = "console.figures.not_applicable",
        cases = "console.figures.cases",
        monthly = "console.figures.monthly",
        month = "console.figures.month",
        received = "console.figures.received",
        closed = "console.figures.closed",
        by_category = "console.figures.by_category",
        category = "console.figures.category",
        by_channel = "console.figures.by_channel",
        channel = "console.figures.channel",
        outcome = "console.figures.outcome",
        resolved = "console.figures.resolved",
        escalated = "console.figures.escalated",
        withdrawn = "console.figures.withdrawn",
        amounts = "console.figures.amounts",
        amount = "console.figures.amount",
        claimed = "console.figures.claimed",
        agreed = "console.figures.agreed",
        recovered = "console.figures.recovered",
        partners = "console.figures.partners",
        partner = "console.figures.partner",
        kind = "console.figures.kind",
        referrals = "console.figures.referrals",
        to_accept = "console.figures.to_accept",
        to_complete = "console.figures.to_complete",
        overdue = "console.figures.overdue",
        overdue_title = "console.figures.overdue_title",
        what = "console.figures.what",
        overdue_cases = "console.figures.overdue_cases",
        follow_ups_due = "console.figures.follow_ups_due",
        satisfaction = "console.figures.satisfaction",
        union_office = "console.figures.union_office",
        satisfaction_rate = "console.figures.satisfaction_rate",
        online = "console.figures.online",
        follow_ups_done = "console.figures.follow_ups_done",
        responses = "console.figures.responses",
        total = "console.figures.total",
        accepted = "console.figures.accepted",
        success_rate = "console.figures.success_rate",
        collective = "console.figures.collective",
        workers = "console.figures.workers",
    }
}

/// A headline number.
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A row of a chart's table: the label, the charted values as shown, and any further columns
/// the table has but the chart does not draw.
pub struct TableRow {
    pub label: String,
    pub cells: Vec<String>,
}

/// A chart and the table of its numbers.
pub struct ChartBlock {
    pub id: &'static str,
    pub heading: String,
    /// The `<svg>`, every text in it escaped by [`charts::draw`].
    pub svg: String,
    pub head: Vec<String>,
    pub rows: Vec<TableRow>,
    pub no_data: String,
}

/// A charted number and how a person reads it.
struct Value {
    number: f64,
    shown: String,
}

fn count(value: i64) -> Value {
    Value {
        number: value as f64,
        shown: value.to_string(),
    }
}

/// What one chart and its table show: a column per series (charted), then `extra` columns
/// (table only).
struct Figures {
    label_head: String,
    series: Vec<String>,
    extra_head: Vec<String>,
    rows: Vec<(String, Vec<Value>, Vec<String>)>,
}

impl Figures {
    fn new(label_head: &str, series: &[&str]) -> Self {
        Self {
            label_head: label_head.to_owned(),
            series: series.iter().map(|s| s.to_string()).collect(),
            extra_head: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn row(mut self, label: String, values: Vec<Value>) -> Self {
        self.rows.push((label, values, Vec::new()));
        self
    }

    fn block(self, id: &'static str, heading: String, shape: Shape, t: &ChartTexts) -> ChartBlock {
        let series = self
            .series
            .iter()
            .enumerate()
            .map(|(index, name)| charts::Series {
                name: name.clone(),
                values: self.rows.iter().map(|r| r.1[index].number).collect(),
                shown: self.rows.iter().map(|r| r.1[index].shown.clone()).collect(),
            })
            .collect();
        let chart = Chart {
            id: format!("chart-{id}"),
            title: heading.clone(),
            shape,
            labels: self.rows.iter().map(|r| r.0.clone()).collect(),
            series,
            no_data: t.no_data.clone(),
        };
        let mut head = vec![self.label_head];
        head.extend(self.series);
        head.extend(self.extra_head);
        ChartBlock {
            id,
            heading,
            svg: charts::draw(&chart),
            head,
            rows: self
                .rows
                .into_iter()
                .map(|(label, values, extra)| TableRow {
                    label,
                    cells: values.into_iter().map(|v| v.shown).chain(extra).collect(),
                })
                .collect(),
            no_data: t.no_data.clone(),
        }
    }
}

/// A share (0–1) as a percentage, or "n/a" when there is none.
fn percent(rate: Option<f64>, t: &ChartTexts) -> Value {
    match rate {
        Some(rate) => Value {
            number: rate * 100.0,
            shown: format!("{:.1}%", rate * 100.0),
        },
        None => Value {
            number: 0.0,
            shown: t.not_applicable.clone(),
        },
    }
}

fn hours(value: Option<f64>, t: &ChartTexts) -> Value {
    match value {
        Some(hours) => Value {
            number: hours,
            shown: format!("{hours}"),
        },
        None => Value {
            number: 0.0,
            shown: t.not_applicable.clone(),
        },
    }
}

fn fen(amount: i64) -> Value {
    Value {
        number: amount as f64 / 100.0,
        shown: yuan(amount),
    }
}

/// A code in words, or the code itself when the catalogue has no words for it.
fn words_of(code: &str, words: Option<Message>, lang: Lang) -> String {
    words.map_or_else(|| code.to_owned(), |m| m.render(lang))
}

/// The headline numbers above the charts.
pub fn facts(stats: &Stats, lang: Lang) -> Vec<Fact> {
    let t = ChartTexts::new(lang);
    let fact = |label: &String, value: String| Fact {
        label: label.clone(),
        value,
    };
    vec![
        fact(&t.received, stats.cases_received.to_string()),
        fact(&t.accepted, stats.cases_accepted.to_string()),
        fact(&t.resolved, stats.cases_resolved.to_string()),
        fact(&t.success_rate, percent(stats.success_rate, &t).shown),
        fact(&t.recovered, yuan(stats.recovered_amount_fen)),
        fact(&t.overdue_cases, stats.overdue_cases.to_string()),
        fact(&t.collective, stats.collective_cases.to_string()),
        fact(&t.workers, stats.workers_involved.to_string()),
    ]
}

/// Every chart of the page, in reading order.
pub fn blocks(stats: &Stats, lang: Lang) -> Vec<ChartBlock> {
    let t = ChartTexts::new(lang);
    vec![
        monthly(stats, &t),
        by_category(stats, &t, lang),
        by_channel(stats, &t, lang),
        outcomes(stats, &t, lang),
        amounts(stats, &t),
        partners(stats, &t, lang),
        overdue(stats, &t, lang),
        satisfaction(stats, &t),
    ]
}

fn monthly(stats: &Stats, t: &ChartTexts) -> ChartBlock {
    let figures = stats.by_month.iter().fold(
        Figures::new(&t.month, &[&t.received, &t.closed]),
        |figures, month| {
            figures.row(
                month.month.clone(),
                vec![count(month.received), count(month.closed)],
            )
        },
    );
    figures.block("monthly", t.monthly.clone(), Shape::Columns, t)
}

fn by_category(stats: &Stats, t: &ChartTexts, lang: Lang) -> ChartBlock {
    let figures = stats.by_category.iter().fold(
        Figures::new(&t.category, &[&t.cases]),
        |figures, (code, cases)| {
            let words = Category::parse(code).map(category_words);
            figures.row(words_of(code, words, lang), vec![count(*cases)])
        },
    );
    figures.block("category", t.by_category.clone(), Shape::Rows, t)
}

fn by_channel(stats: &Stats, t: &ChartTexts, lang: Lang) -> ChartBlock {
    let figures = stats.by_channel.iter().fold(
        Figures::new(&t.channel, &[&t.cases]),
        |figures, (code, cases)| {
            let words = Channel::parse(code).map(channel_words);
            figures.row(words_of(code, words, lang), vec![count(*cases)])
        },
    );
    figures.block("channel", t.by_channel.clone(), Shape::Rows, t)
}

/// The mediations that ended, by how; the heading states the success rate.
fn outcomes(stats: &Stats, t: &ChartTexts, lang: Lang) -> ChartBlock {
    let rate = percent(stats.success_rate, t).shown;
    let heading = msg!("console.figures.outcomes", rate = rate).render(lang);
    let ended = stats.cases_resolved + stats.cases_escalated + stats.cases_withdrawn;
    let mut figures = Figures::new(&t.outcome, &[&t.cases]);
    if ended > 0 {
        figures = figures
            .row(t.resolved.clone(), vec![count(stats.cases_resolved)])
            .row(t.escalated.clone(), vec![count(stats.cases_escalated)])
            .row(t.withdrawn.clone(), vec![count(stats.cases_withdrawn)]);
    }
    figures.block("outcomes", heading, Shape::Rows, t)
}

fn amounts(stats: &Stats, t: &ChartTexts) -> ChartBlock {
    let figures = Figures::new(&t.what, &[&t.amount])
        .row(t.claimed.clone(), vec![fen(stats.claimed_amount_fen)])
        .row(t.agreed.clone(), vec![fen(stats.agreed_amount_fen)])
        .row(t.recovered.clone(), vec![fen(stats.recovered_amount_fen)]);
    figures.block("amounts", t.amounts.clone(), Shape::Rows, t)
}

/// Median hours to accept and to complete per partner office; the table adds the office's kind,
/// its referrals and the overdue ones.
fn partners(stats: &Stats, t: &ChartTexts, lang: Lang) -> ChartBlock {
    let mut figures = Figures::new(&t.partner, &[&t.to_accept, &t.to_complete]);
    figures.extra_head = vec![t.kind.clone(), t.referrals.clone(), t.overdue.clone()];
    for office in &stats.partner_offices {
        figures.rows.push((
            office.office_name.clone(),
            vec![
                hours(office.median_hours_to_accept, t),
                hours(office.median_hours_to_complete, t),
            ],
            vec![
                office_kind_words(office.kind).render(lang),
                office.referrals.to_string(),
                office.overdue.to_string(),
            ],
        ));
    }
    figures.block("partners", t.partners.clone(), Shape::Rows, t)
}

/// What is late now: open cases past their statutory date, concluded cases waiting for their
/// follow-up, and each partner office's late referrals.
fn overdue(stats: &Stats, t: &ChartTexts, lang: Lang) -> ChartBlock {
    let mut figures = Figures::new(&t.what, &[&t.cases])
        .row(t.overdue_cases.clone(), vec![count(stats.overdue_cases)])
        .row(t.follow_ups_due.clone(), vec![count(stats.follow_ups_due)]);
    for office in &stats.partner_offices {
        let label = msg!(
            "console.figures.overdue_referrals",
            office = &office.office_name
        );
        figures = figures.row(label.render(lang), vec![count(office.overdue)]);
    }
    figures.block("overdue", t.overdue_title.clone(), Shape::Rows, t)
}

/// The share of satisfied workers per union office; the table adds the worker's side's other
/// figures and the totals.
fn satisfaction(stats: &Stats, t: &ChartTexts) -> ChartBlock {
    let mut figures = Figures::new(&t.union_office, &[&t.satisfaction_rate]);
    figures.extra_head = vec![
        t.responses.clone(),
        t.online.clone(),
        t.follow_ups_done.clone(),
        t.follow_ups_due.clone(),
    ];
    for office in &stats.union_offices {
        figures.rows.push((
            office.office_name.clone(),
            vec![percent(office.satisfaction_rate, t)],
            vec![
                office.satisfaction_responses.to_string(),
                office.online_applications.to_string(),
                office.follow_ups_done.to_string(),
                office.follow_ups_due.to_string(),
            ],
        ));
    }
    if stats.union_offices.len() > 1 {
        figures.rows.push((
            t.total.clone(),
            vec![percent(stats.satisfaction_rate, t)],
            vec![
                stats.satisfaction_responses.to_string(),
                stats.online_applications.to_string(),
                stats.follow_ups_done.to_string(),
                stats.follow_ups_due.to_string(),
            ],
        ));
    }
    figures.block("satisfaction", t.satisfaction.clone(), Shape::Rows, t)
}
