//! `GET /console/figures`: the supervisor's figures page — the figures of `GET /api/v1/stats`
//! (the same use case, `stats::for_caller`, so the same roles, scope and period rules) as charts
//! with their tables ([`super::figures_view`]), and a form to choose the period and the office.
//!
//! The form sends `from`, `to` and `office_id`, the API's parameters, read by the API's own
//! query parser: a date that does not parse, or a `to` before `from`, is the API's 400
//! `invalid_query`, shown above the form. Who may see figures at all is the use case's answer:
//! partner staff and lawyers get its 403.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Datelike, Utc};

use super::figures_view::{self, ChartBlock, Fact};
use super::layout::{self, failure, page, Area, Chrome, ConsoleUser};
use super::session::lang;
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::pages::forms::Values;
use crate::pages::layout::texts;
use crate::stats::scope::{office_choices, OfficeChoice};
use crate::stats::{self, Stats, StatsParams};

texts! {
    /// The words of the page around the charts.
    FiguresTexts {
        title = "console.figures.title",
        intro = "console.figures.intro",
        period = "console.figures.period",
        from = "console.figures.from",
        to = "console.figures.to",
        office = "console.figures.office",
        every_office = "console.figures.every_office",
        show = "console.figures.show",
        all_time = "console.figures.all_time",
        years = "console.figures.years",
        headline = "console.figures.headline",
        export_csv = "export.console.csv",
        export_xlsx = "export.console.xlsx",
    }
}

/// An office of the form's choice.
pub struct OfficeOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// A link choosing a whole year (or all time).
pub struct PeriodLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "console/figures.html")]
pub struct FiguresPage {
    pub chrome: Chrome,
    pub title: String,
    pub t: FiguresTexts,
    pub from: String,
    pub to: String,
    pub offices: Vec<OfficeOption>,
    pub periods: Vec<PeriodLink>,
    pub error: Option<String>,
    pub facts: Vec<Fact>,
    pub blocks: Vec<ChartBlock>,
    /// The figures of the period as a spreadsheet (a row per office).
    pub export_csv: String,
    pub export_xlsx: String,
}

/// The form's fields as typed: blank ones are left out, so an empty date means "open". The
/// export links carry the same (`console::exports`).
pub(super) fn period_query(values: &Values) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for name in ["from", "to", "office_id"] {
        if let Some(value) = values.optional(name) {
            query.append_pair(name, value.trim());
        }
    }
    query.finish()
}

/// What the figures use case answered: the office choice (the caller may read figures), and
/// the figures or why this period or office cannot be shown.
type Loaded = (Vec<OfficeChoice>, Result<Stats, AppError>);

/// `GET /console/figures?from=&to=&office_id=`.
pub async fn figures(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = lang();
    let values = Values::read(request.query_string().as_bytes());
    let params = crate::http::query::parse_query::<StatsParams>(&period_query(&values));
    let (caller, now, days) = (
        user.caller.clone(),
        state.clock.now(),
        state.config.follow_up_days,
    );
    let loaded = state
        .db
        .run(move |connection| -> Result<Loaded, AppError> {
            let choices = office_choices(connection, &caller)?;
            let figures = params.and_then(|p| stats::for_caller(connection, &caller, p, now, days));
            Ok((choices, figures))
        })
        .await;
    match loaded {
        Ok((choices, figures)) => draw(&user, lang, &values, choices, figures, now),
        Err(error) => failure(lang, Some(&user), error),
    }
}

/// What the page shows of the use case's answer.
struct Shown {
    status: StatusCode,
    error: Option<String>,
    facts: Vec<Fact>,
    blocks: Vec<ChartBlock>,
}

/// The figures (200), or none and the reason above the form (the API's 400); any other
/// failure is for a failure page.
fn shown(figures: Result<Stats, AppError>, lang: Lang) -> Result<Shown, AppError> {
    match figures {
        Ok(stats) => Ok(Shown {
            status: StatusCode::OK,
            error: None,
            facts: figures_view::facts(&stats, lang),
            blocks: figures_view::blocks(&stats, lang),
        }),
        Err(AppError::BadRequest { detail, .. }) => Ok(Shown {
            status: StatusCode::BAD_REQUEST,
            error: Some(detail.render(lang)),
            facts: Vec::new(),
            blocks: Vec::new(),
        }),
        Err(other) => Err(other),
    }
}

/// The page around what is shown: the form as typed, the period links, the office choice.
fn draw(
    user: &ConsoleUser,
    lang: Lang,
    values: &Values,
    choices: Vec<OfficeChoice>,
    figures: Result<Stats, AppError>,
    now: DateTime<Utc>,
) -> HttpResponse {
    let shown = match shown(figures, lang) {
        Ok(shown) => shown,
        Err(error) => return failure(lang, Some(user), error),
    };
    let t = FiguresTexts::new(lang);
    let view = FiguresPage {
        chrome: Chrome::new(lang, user, Area::Figures),
        title: t.title.clone(),
        from: values.get("from").to_owned(),
        to: values.get("to").to_owned(),
        offices: offer(choices, values.get("office_id")),
        periods: period_links(values, now, lang),
        export_csv: export_link(values, "csv"),
        export_xlsx: export_link(values, "xlsx"),
        t,
        error: shown.error,
        facts: shown.facts,
        blocks: shown.blocks,
    };
    page(shown.status, lang, view.render().map_err(layout::rendering))
}

/// The figures of the period and office as typed, exported as `format`.
fn export_link(values: &Values, format: &str) -> String {
    match period_query(values) {
        query if query.is_empty() => format!("/console/figures/export?format={format}"),
        query => format!("/console/figures/export?{query}&format={format}"),
    }
}

/// The office choice, shown only when there is more than one office to choose from.
fn offer(choices: Vec<OfficeChoice>, selected: &str) -> Vec<OfficeOption> {
    if choices.len() < 2 {
        return Vec::new();
    }
    choices
        .into_iter()
        .map(|choice| OfficeOption {
            selected: choice.id == selected,
            id: choice.id,
            name: choice.name,
        })
        .collect()
}

/// Links to this year, the two before it, and all time, keeping the chosen office. The year is
/// the one in China (the service's default time zone).
fn period_links(values: &Values, now: DateTime<Utc>, lang: Lang) -> Vec<PeriodLink> {
    let zone = crate::cases::deadlines::office_zone(crate::offices::DEFAULT_TIME_ZONE);
    let year = now.with_timezone(&zone).year();
    let office = values.optional("office_id");
    let link = |label: String, from: Option<String>, to: Option<String>| {
        let typed = Values::default()
            .with("from", from.as_deref().unwrap_or(""))
            .with("to", to.as_deref().unwrap_or(""))
            .with("office_id", office.as_deref().unwrap_or(""));
        let query = period_query(&typed);
        PeriodLink {
            current: values.get("from") == typed.get("from") && values.get("to") == typed.get("to"),
            href: format!("/console/figures?{query}")
                .trim_end_matches('?')
                .to_owned(),
            label,
        }
    };
    let mut links: Vec<PeriodLink> = (0..3)
        .map(|back| {
            let y = year - back;
            let label = msg!("console.figures.year", year = y).render(lang);
            link(
                label,
                Some(format!("{y}-01-01")),
                Some(format!("{y}-12-31")),
            )
        })
        .collect();
    let all_time = crate::i18n::Message::new("console.figures.all_time").render(lang);
    links.push(link(all_time, None, None));
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_fields_of_the_period_form_are_left_out_of_the_query() {
        let typed = Values::read(b"from=&to=2026-12-31&office_id=&csrf=x&other=1");
        assert_eq!(period_query(&typed), "to=2026-12-31");
        let params = crate::http::query::parse_query::<StatsParams>(&period_query(&typed));
        assert!(params.is_ok_and(|p| p.from.is_none() && p.to.is_some()));
    }

    #[test]
    fn year_links_cover_whole_years_and_keep_the_office() {
        let now = "2026-12-31T17:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let typed = Values::read(b"from=2027-01-01&to=2027-12-31&office_id=o1");
        let links = period_links(&typed, now, Lang::Zh);
        assert_eq!(links.len(), 4);
        assert_eq!(
            links[0].href, "/console/figures?from=2027-01-01&to=2027-12-31&office_id=o1",
            "1 January already in China"
        );
        assert!(links[0].current && !links[1].current);
        assert_eq!(links[3].href, "/console/figures?office_id=o1");
    }
}
