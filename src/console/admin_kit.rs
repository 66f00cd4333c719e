//! What the partner office's, the lawyer's and the admin's console pages share: times in the
//! offices' local time, a form's fields with their errors, the "next page" link of a keyset
//! list, and the answers of their pages (drawn, drawn again after a form failed, a failure).
//! Only drawing: what an error means for a field is the use case's, read through
//! `pages::fields::Trouble`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use chrono::{DateTime, Utc};

use super::layout::{self, failure, page, ConsoleUser};
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::pages::fields::Trouble;
use crate::pages::forms::Values;
use crate::pagination::{PageQuery, PageRequest, DEFAULT_LIMIT};

/// A time as the offices read it: Beijing time (every office of the service is in China; the
/// per-office zone matters for deadlines, which the use cases count).
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The page of a list that a query string (`?cursor=…`) asks for, checked as the API checks
/// it: a cursor this service did not issue is a 400 page.
pub fn page_request(query: &Values) -> Result<PageRequest, AppError> {
    PageQuery {
        limit: None,
        cursor: query.optional("cursor"),
    }
    .parse()
}

/// The link to the next page of a list at `path`, keeping its `filters`; `None` on the last page.
pub fn next_page(path: &str, filters: &[(&str, &str)], cursor: Option<&str>) -> Option<String> {
    let cursor = cursor?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(name, value);
    }
    query.append_pair("cursor", cursor);
    Some(format!("{path}?{}", query.finish()))
}

/// What went wrong with a submitted form, in words: each error of a field the form shows under
/// that field, everything else (a conflict, a field the form does not have) above the form.
#[derive(Debug, Default)]
pub struct Problems {
    fields: BTreeMap<String, String>,
    pub notice: Option<String>,
}

impl Problems {
    /// Nothing went wrong.
    pub fn none() -> Self {
        Self::default()
    }

    /// What `error` means for a form with the fields `shown`.
    pub fn of(error: &AppError, lang: Lang, shown: &[&str]) -> Self {
        let trouble = Trouble::of(error);
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        let mut elsewhere = Vec::new();
        for error in trouble.fields {
            let text = error.message.render(lang);
            if shown.contains(&error.field.as_str()) {
                let entry = fields.entry(error.field).or_default();
                if !entry.is_empty() {
                    entry.push_str(if lang == Lang::Zh { "；" } else { "; " });
                }
                entry.push_str(&text);
            } else {
                let item = crate::msg!("problem.field_item", field = error.field, message = text);
                elsewhere.push(item.render(lang));
            }
        }
        elsewhere.extend(trouble.notice.map(|notice| notice.render(lang)));
        Self {
            fields,
            notice: (!elsewhere.is_empty()).then(|| elsewhere.join(" ")),
        }
    }

    /// The error under field `name`.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }
}

/// The id of the input of field `name` in the form `prefix` of a page: unique on the page, and
/// only of the characters an id (and a label's `for`) reads plainly.
fn input_id(prefix: &str, name: &str) -> String {
    format!("{prefix}-{}", name.replace(['.', '_'], "-"))
}

/// One input of a console form: its label, the value typed, its hint and error.
pub struct Field {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    /// `text`, `email`, `tel`, `password`.
    pub kind: &'static str,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
    /// The ids of the hint and the error, for `aria-describedby`.
    pub described_by: String,
}

impl Field {
    /// A text field `name` labelled `label`, with the value typed and the error of `problems`;
    /// `prefix` keeps ids unique when a page has several forms.
    pub fn text(
        prefix: &str,
        name: &'static str,
        label: &str,
        values: &Values,
        problems: &Problems,
    ) -> Self {
        let id = input_id(prefix, name);
        let error = problems.field(name);
        let described_by = if error.is_some() {
            format!("{id}-error")
        } else {
            String::new()
        };
        Self {
            name,
            label: label.to_owned(),
            kind: "text",
            value: values.get(name).to_owned(),
            hint: None,
            error,
            required: false,
            autocomplete: "off",
            described_by,
            id,
        }
    }

    /// The same field of another input type (`email`, `tel`); a password is never sent back
    /// to the browser, and a browser may offer to make one up.
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        if kind == "password" {
            self.value.clear();
            self.autocomplete = "new-password";
        }
        self
    }

    /// A field that must be filled in.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// A hint under the label.
    pub fn hint(mut self, hint: &str) -> Self {
        self.described_by = [format!("{}-hint", self.id), self.described_by]
            .join(" ")
            .trim()
            .to_owned();
        self.hint = Some(hint.to_owned());
        self
    }
}

/// A select with its options and error.
pub struct Select {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

impl Select {
    pub fn new(
        prefix: &str,
        name: &'static str,
        label: &str,
        choices: Vec<Choice>,
        problems: &Problems,
    ) -> Self {
        Self {
            id: input_id(prefix, name),
            name,
            label: label.to_owned(),
            choices,
            error: problems.field(name),
        }
    }
}

/// A checkbox with its error.
pub struct Checkbox {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub checked: bool,
    pub error: Option<String>,
}

impl Checkbox {
    pub fn new(
        prefix: &str,
        name: &'static str,
        label: &str,
        values: &Values,
        problems: &Problems,
    ) -> Self {
        Self {
            id: input_id(prefix, name),
            name,
            label: label.to_owned(),
            checked: values.checked(name),
            error: problems.field(name),
        }
    }
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: &str, label: String, chosen: &str) -> Self {
        Self {
            value: value.to_owned(),
            label,
            selected: value == chosen,
        }
    }
}

/// The notice of a page reached by the redirect after a form that worked (`?done=…`): the
/// code is looked up in `notices`, so a link can only show the service's own words.
pub fn done_notice(query: &Values, notices: &[(&str, &'static str)], lang: Lang) -> Option<String> {
    let done = query.get("done");
    notices
        .iter()
        .find(|(code, _)| *code == done)
        .map(|(_, key)| Message::new(key).render(lang))
}

/// A form drawn again after `error` (everything typed kept, the errors beside their fields),
/// with the error's status: 422 for a field, 409 for a conflict, 412 for a stale version.
pub fn form_again(
    error: &AppError,
    lang: Lang,
    rendered: Result<String, AppError>,
) -> HttpResponse {
    layout::log(error);
    page(error.status_code(), lang, rendered)
}

/// A page that was drawn, with 200.
pub fn shown(lang: Lang, rendered: Result<String, AppError>) -> HttpResponse {
    page(StatusCode::OK, lang, rendered)
}

/// The page `draw` makes of what was `loaded`, with 200; the failure page when it could not be
/// loaded (not found, not allowed, a cursor this service did not issue, the database down).
pub fn drawn<L>(
    lang: Lang,
    user: &ConsoleUser,
    loaded: Result<L, AppError>,
    draw: impl FnOnce(L) -> Result<String, AppError>,
) -> HttpResponse {
    match loaded {
        Ok(loaded) => shown(lang, draw(loaded)),
        Err(error) => failure(lang, Some(user), error),
    }
}

/// A form again after `error` ([`form_again`]): the page `draw` makes of what was `loaded`,
/// with what the error means for the form's `fields`; the failure page when the page could not
/// be loaded.
pub fn drawn_again<L>(
    lang: Lang,
    user: &ConsoleUser,
    error: &AppError,
    fields: &[&str],
    loaded: Result<L, AppError>,
    draw: impl FnOnce(L, &Problems) -> Result<String, AppError>,
) -> HttpResponse {
    match loaded {
        Ok(loaded) => {
            let problems = Problems::of(error, lang, fields);
            form_again(error, lang, draw(loaded, &problems))
        }
        Err(load_error) => failure(lang, Some(user), load_error),
    }
}

/// The first page of a list, of the size the API serves by default: the list a form that
/// failed is shown above again.
pub fn first_page() -> PageRequest {
    PageRequest {
        limit: DEFAULT_LIMIT,
        after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_link_keeps_the_filters_and_encodes_the_cursor() {
        assert_eq!(
            next_page("/console/referrals", &[("tab", "overdue")], None),
            None
        );
        assert_eq!(
            next_page(
                "/console/referrals",
                &[("tab", "overdue"), ("q", "")],
                Some("a+b/c")
            )
            .as_deref(),
            Some("/console/referrals?tab=overdue&cursor=a%2Bb%2Fc")
        );
    }

    #[test]
    fn a_field_s_error_goes_under_it_and_any_other_above_the_form() {
        let error = AppError::Validation(vec![
            crate::error::FieldError::new("reason", crate::msg!("field.empty")),
            crate::error::FieldError::new("office_id", crate::msg!("field.no_such_office")),
        ]);
        let problems = Problems::of(&error, Lang::Zh, &["reason"]);
        assert_eq!(problems.field("reason").as_deref(), Some("不能为空"));
        assert!(problems
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("office_id")));
        let conflict = AppError::PreconditionFailed(crate::msg!("detail.version_conflict.office"));
        let problems = Problems::of(&conflict, Lang::Zh, &["name"]);
        assert!(problems.field("name").is_none() && problems.notice.is_some());
    }

    #[test]
    fn only_the_service_s_own_notices_are_shown_after_a_redirect() {
        let notices = [("accepted", "console.referral.done.accepted")];
        let query = Values::read(b"done=accepted");
        assert!(done_notice(&query, &notices, Lang::Zh).is_some());
        assert!(done_notice(&Values::read(b"done=%3Cscript%3E"), &notices, Lang::Zh).is_none());
    }
}
