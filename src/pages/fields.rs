//! What every form page is drawn from: the values typed ([`Values`]), what went wrong
//! ([`Trouble`]), and each field with its label, hint, value and error ([`Input`]), so a failed
//! form comes back with every value kept and each error next to its field, in the same words as
//! the API's problem document.

use std::collections::BTreeMap;

use askama::Template;

use super::forms::{form_field, Values};
use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, Message};
use crate::msg;

/// What went wrong with a submitted form, for the page that shows it again.
#[derive(Debug, Default)]
pub struct Trouble {
    /// Errors of single fields, under the form's field names.
    pub fields: Vec<FieldError>,
    /// A message about the whole form (too many attempts, a service outage, a notice).
    pub notice: Option<Message>,
}

impl Trouble {
    /// Nothing went wrong (yet).
    pub fn none() -> Self {
        Self::default()
    }

    /// What `error` means for the form: its field errors, or its detail as a message.
    pub fn of(error: &AppError) -> Self {
        match error {
            AppError::Validation(errors) => Self {
                fields: errors
                    .iter()
                    .map(|e| FieldError::new(form_field(&e.field), e.message.clone()))
                    .collect(),
                notice: None,
            },
            other => Self {
                fields: Vec::new(),
                notice: Some(other.detail()),
            },
        }
    }
}

/// One text input with its label, hint, value and error.
pub struct Input {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    /// "必填" or "选填".
    pub tag: String,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub value: String,
    /// `text` or `tel`.
    pub kind: &'static str,
    /// The keyboard a phone shows: `numeric`, `decimal`, or empty for text.
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
    /// A code of capitals and digits (case number, access code): the phone's keyboard starts
    /// in capitals and does not "correct" it.
    pub code: bool,
    /// The ids of the hint and error, for `aria-describedby`.
    pub described_by: String,
}

impl Input {
    pub(super) fn kind(mut self, kind: &'static str, inputmode: &'static str) -> Self {
        self.kind = kind;
        self.inputmode = inputmode;
        self
    }

    pub(super) fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }

    pub(super) fn code(mut self) -> Self {
        self.code = true;
        self
    }
}

/// A link in the error summary at the top of a form.
pub struct ErrorLink {
    /// `#f-…`, the field's id; empty for an error of no field on the form.
    pub href: String,
    pub text: String,
}

/// An option of a select or a radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The id of a form field's input: `employer.name` → `f-employer-name`.
fn field_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-"))
}

/// A form being drawn: the values typed and the errors, by field, in one language.
pub(super) struct FormState<'a> {
    lang: Lang,
    values: &'a Values,
    errors: BTreeMap<String, Vec<String>>,
    order: Vec<(String, String)>,
    labels: BTreeMap<&'static str, String>,
    required: String,
    optional: String,
}

impl<'a> FormState<'a> {
    pub(super) fn new(lang: Lang, values: &'a Values, trouble: &Trouble) -> Self {
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut order = Vec::new();
        for error in &trouble.fields {
            let text = error.message.render(lang);
            errors
                .entry(error.field.clone())
                .or_default()
                .push(text.clone());
            order.push((error.field.clone(), text));
        }
        Self {
            lang,
            values,
            errors,
            order,
            labels: BTreeMap::new(),
            required: msg!("page.required").render(lang),
            optional: msg!("page.optional").render(lang),
        }
    }

    /// The error shown under field `name`, all its messages joined.
    fn error(&self, name: &str) -> Option<String> {
        let separator = if self.lang == Lang::Zh { "；" } else { "; " };
        self.errors
            .get(name)
            .map(|messages| messages.join(separator))
    }

    /// Records the label of a field drawn outside [`FormState::input`] (a select, a textarea).
    pub(super) fn label(&mut self, name: &'static str, label: &str) -> Option<String> {
        self.labels.insert(name, label.to_owned());
        self.error(name)
    }

    pub(super) fn tag(&self, required: bool) -> String {
        if required {
            self.required.clone()
        } else {
            self.optional.clone()
        }
    }

    pub(super) fn input(
        &mut self,
        name: &'static str,
        label: &str,
        hint: Option<&str>,
        required: bool,
    ) -> Input {
        let id = field_id(name);
        let error = self.label(name, label);
        let mut described = Vec::new();
        if hint.is_some() {
            described.push(format!("{id}-hint"));
        }
        if error.is_some() {
            described.push(format!("{id}-error"));
        }
        Input {
            name,
            label: label.to_owned(),
            tag: self.tag(required),
            required,
            hint: hint.map(str::to_owned),
            error,
            value: self.values.get(name).to_owned(),
            kind: "text",
            inputmode: "",
            autocomplete: "off",
            code: false,
            described_by: described.join(" "),
            id,
        }
    }

    /// The error summary: every error in the order reported, linked to its field.
    pub(super) fn summary(&self) -> Vec<ErrorLink> {
        self.order
            .iter()
            .map(|(field, text)| match self.labels.get(field.as_str()) {
                Some(label) => ErrorLink {
                    href: format!("#{}", field_id(field)),
                    text: format!(
                        "{label}{}{text}",
                        if self.lang == Lang::Zh { "：" } else { ": " }
                    ),
                },
                None => ErrorLink {
                    href: String::new(),
                    text: msg!("problem.field_item", field = field, message = text)
                        .render(self.lang),
                },
            })
            .collect()
    }

    pub(super) fn summary_title(&self) -> String {
        msg!("page.errors.title", count = self.order.len()).render(self.lang)
    }
}

/// A page's HTML, or an internal error if its template fails.
pub(super) fn render(page: &impl Template) -> Result<String, AppError> {
    page.render()
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("render a worker's page")))
}
