//! The pages after the application: `/track` and the case it shows, `/survey/{token}`, and the
//! pages that only say something (thanks, an unknown link, a failure).

use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::fields::{render, Choice, ErrorLink, FormState, Input, Trouble};
use super::forms::Values;
use super::layout::{texts, Chrome, Section};
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::public::surveys::SurveyState;
use crate::public::worker_view::WorkerView;

texts! {
    /// The words of the track form and of the case it shows.
    TrackTexts {
        title = "page.track.title",
        intro = "page.track.intro",
        case_number = "page.track.case_number",
        case_number_hint = "page.track.case_number_hint",
        access_code = "page.track.access_code",
        submit = "page.track.submit",
        status = "page.track.status",
        milestones = "page.track.milestones",
        upcoming = "page.track.upcoming",
        rights = "page.track.rights",
        from = "page.track.from",
        until = "page.track.until",
        open = "page.track.open",
        office = "page.track.office",
        phone = "page.track.phone",
        address = "page.track.address",
        again = "page.track.again",
        you = "page.track.you",
        share = "page.track.share",
        claimed = "page.track.claimed",
        agreed = "page.track.agreed",
        paid = "page.track.paid",
        representative = "page.track.representative",
        name = "page.apply.name",
        id_number = "page.apply.id_number",
        mobile = "page.apply.phone",
    }
}

/// `/track`: the case number and access code.
#[derive(Template)]
#[template(path = "public/track.html")]
pub struct TrackPage {
    pub chrome: Chrome,
    pub title: String,
    pub t: TrackTexts,
    pub errors_title: String,
    pub errors: Vec<ErrorLink>,
    pub notice: Option<String>,
    pub case_number: Input,
    pub access_code: Input,
}

/// The track form with `values` typed (or the case number from the texted link), after
/// `trouble`. A case not found is a notice: it says nothing about which of the two was wrong.
pub fn track_page(lang: Lang, values: &Values, trouble: &Trouble) -> Result<String, AppError> {
    let t = TrackTexts::new(lang);
    let mut form = FormState::new(lang, values, trouble);
    let case_number = form
        .input(
            "case_number",
            &t.case_number,
            Some(&t.case_number_hint),
            true,
        )
        .code();
    let access_code = form.input("access_code", &t.access_code, None, true).code();
    render(&TrackPage {
        chrome: Chrome::new(lang, Section::Track),
        title: t.title.clone(),
        errors_title: form.summary_title(),
        errors: form.summary(),
        notice: trouble.notice.as_ref().map(|m| m.render(lang)),
        case_number,
        access_code,
        t,
    })
}

/// A milestone as the page lists it.
pub struct MilestoneRow {
    pub date: String,
    pub words: String,
    pub upcoming: bool,
}

/// A right as the page lists it.
pub struct RightRow {
    pub words: String,
    pub basis: String,
    pub from: Option<String>,
    pub until: Option<String>,
    pub open_now: bool,
}

/// The case, as its worker follows it.
#[derive(Template)]
#[template(path = "public/case.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub title: String,
    pub t: TrackTexts,
    pub view: WorkerView,
    pub milestones: Vec<MilestoneRow>,
    pub rights: Vec<RightRow>,
    /// The worker's own amounts on a collective case's roster, in yuan: claimed, agreed, paid.
    pub share: Option<[String; 3]>,
}

/// A local date the way the worker view writes them: 2026年12月5日, or ISO in English.
fn date_words(lang: Lang, date: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
        Lang::English => date.format("%Y-%m-%d").to_string(),
    }
}

pub fn case_page(lang: Lang, view: WorkerView) -> Result<String, AppError> {
    let t = TrackTexts::new(lang);
    let milestones = view
        .milestones
        .iter()
        .map(|m| MilestoneRow {
            date: date_words(lang, m.date),
            words: m.words.clone(),
            upcoming: m.upcoming,
        })
        .collect();
    let rights = view
        .rights
        .iter()
        .map(|r| RightRow {
            words: r.words.clone(),
            basis: r.basis_words.clone(),
            from: r.applies_from.map(|d| date_words(lang, d)),
            until: r.applies_until.map(|d| date_words(lang, d)),
            open_now: r.open_now,
        })
        .collect();
    render(&CasePage {
        chrome: Chrome::new(lang, Section::Track),
        title: msg!("page.track.case", case_number = &view.case_number).render(lang),
        share: view.share.as_ref().map(|s| {
            [s.claimed_amount_fen, s.agreed_amount_fen, s.paid_amount_fen].map(crate::notify::yuan)
        }),
        t,
        view,
        milestones,
        rights,
    })
}

texts! {
    /// The words of the survey.
    SurveyTexts {
        title = "page.survey.title",
        rating = "page.survey.rating",
        comment = "page.survey.comment",
        submit = "page.survey.submit",
    }
}

/// `/survey/{token}`: the rating and a comment.
#[derive(Template)]
#[template(path = "public/survey.html")]
pub struct SurveyPage {
    pub chrome: Chrome,
    pub title: String,
    pub t: SurveyTexts,
    pub intro: String,
    pub action: String,
    pub errors_title: String,
    pub errors: Vec<ErrorLink>,
    pub notice: Option<String>,
    pub ratings: Vec<Choice>,
    pub rating_error: Option<String>,
    pub comment: Input,
    pub required_tag: String,
}

pub fn survey_page(
    lang: Lang,
    token: &str,
    survey: &SurveyState,
    values: &Values,
    trouble: &Trouble,
) -> Result<String, AppError> {
    let t = SurveyTexts::new(lang);
    let mut form = FormState::new(lang, values, trouble);
    let chosen = values.get("satisfaction");
    let ratings = [
        ("5", msg!("page.survey.rating.5")),
        ("4", msg!("page.survey.rating.4")),
        ("3", msg!("page.survey.rating.3")),
        ("2", msg!("page.survey.rating.2")),
        ("1", msg!("page.survey.rating.1")),
    ]
    .into_iter()
    .map(|(value, words)| Choice {
        value: value.to_owned(),
        label: words.render(lang),
        selected: value == chosen,
    })
    .collect();
    let rating_error = form.label("satisfaction", &t.rating);
    let comment = form.input("comment", &t.comment, None, false);
    render(&SurveyPage {
        chrome: Chrome::new(lang, Section::Other),
        title: t.title.clone(),
        intro: msg!("page.survey.intro", case_number = &survey.case_number).render(lang),
        action: format!("/survey/{}", utf8_path_segment(token)),
        errors_title: form.summary_title(),
        errors: form.summary(),
        notice: trouble.notice.as_ref().map(|m| m.render(lang)),
        ratings,
        rating_error,
        comment,
        required_tag: form.tag(true),
        t,
    })
}

/// A path segment percent-encoded (a token is URL-safe already; anything else is escaped).
fn utf8_path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A page that only says something: the survey's thanks, an unknown link, an error.
#[derive(Template)]
#[template(path = "public/message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub title: String,
    pub text: String,
    /// Where "back" leads, and its words.
    pub back_href: &'static str,
    pub back: String,
    /// The page reports a failure (styled as an alert).
    pub failure: bool,
}

/// Which message page.
pub enum Said {
    /// The survey was answered just now.
    SurveyThanks,
    /// The survey had been answered before.
    SurveyAnswered,
    /// The survey link is unknown.
    SurveyNotFound,
    /// A failure no form can show (an outage, a bug): its title and detail.
    Failure { title: String, detail: Message },
}

pub fn message_page(lang: Lang, said: Said) -> Result<String, AppError> {
    let survey_title = || msg!("page.survey.title").render(lang);
    let (title, text, failure) = match said {
        Said::SurveyThanks => (
            msg!("page.survey.thanks").render(lang),
            msg!("page.survey.thanks_text").render(lang),
            false,
        ),
        Said::SurveyAnswered => (
            survey_title(),
            msg!("page.survey.answered").render(lang),
            false,
        ),
        Said::SurveyNotFound => (
            survey_title(),
            msg!("page.survey.not_found").render(lang),
            true,
        ),
        Said::Failure { title, detail } => (title, detail.render(lang), true),
    };
    render(&MessagePage {
        chrome: Chrome::new(lang, Section::Other),
        title,
        text,
        back_href: "/apply",
        back: msg!("page.error.back").render(lang),
        failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::apply::{ApplyTexts, SubmittedTexts};
    use crate::pages::layout::ChromeTexts;

    #[test]
    fn every_word_of_the_pages_is_in_both_catalogues() {
        let keys = [
            ChromeTexts::KEYS,
            ApplyTexts::KEYS,
            SubmittedTexts::KEYS,
            TrackTexts::KEYS,
            SurveyTexts::KEYS,
        ];
        for key in keys.concat() {
            for lang in Lang::ALL {
                assert_ne!(Message::new(key).render(lang), key, "{key} in {lang:?}");
            }
        }
    }
}
