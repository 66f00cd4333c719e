//! The fields of the console's forms as their templates draw them — the intake form and the case
//! list's filters: each field's label, "必填/选填" tag, hint, the value typed and, after a failed
//! submission, its error next to it, with an error summary at the top linking to each field.
//! (`templates/console/intake_fields.html` holds the macros that draw them.)
//!
//! Errors arrive under the form's field names (the intake maps the API's paths to them first),
//! so a field finds its own error by name.

use std::collections::BTreeMap;

use crate::error::FieldError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::pages::fields::{Choice, ErrorLink};
use crate::pages::forms::Values;

/// One field: a text input, a textarea, a select's frame or a checkbox.
pub struct Field {
    pub name: String,
    pub id: String,
    pub label: String,
    /// "必填" or "选填".
    pub tag: String,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub value: String,
    /// The input's `type`: `text`, `tel`, `datetime-local`, `search`.
    pub kind: &'static str,
    /// The keyboard a phone shows: `numeric`, `decimal`, or empty.
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
    /// The ids of the hint and the error, for `aria-describedby`.
    pub described_by: String,
}

impl Field {
    pub fn kind(mut self, kind: &'static str, inputmode: &'static str) -> Self {
        self.kind = kind;
        self.inputmode = inputmode;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }
}

/// A select: its frame and its options, the one typed selected.
pub struct Select {
    pub f: Field,
    pub options: Vec<Choice>,
}

/// A checkbox, ticked as it was sent.
pub struct Check {
    pub f: Field,
    pub checked: bool,
}

/// The id of a field's input: `workers[0].id_number` → `f-workers-0-id-number`.
pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
            dash = false;
        } else if !dash {
            id.push('-');
            dash = true;
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// A form being drawn: the values typed, the errors by field, the labels seen (for the summary).
pub struct Form<'a> {
    lang: Lang,
    values: &'a Values,
    errors: BTreeMap<String, Vec<String>>,
    order: Vec<(String, String)>,
    labels: BTreeMap<String, String>,
    required: String,
    optional: String,
}

impl<'a> Form<'a> {
    pub fn new(lang: Lang, values: &'a Values, errors: &[FieldError]) -> Self {
        let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut order = Vec::new();
        for error in errors {
            let text = error.message.render(lang);
            by_field
                .entry(error.field.clone())
                .or_default()
                .push(text.clone());
            order.push((error.field.clone(), text));
        }
        Self {
            lang,
            values,
            errors: by_field,
            order,
            labels: BTreeMap::new(),
            required: msg!("page.required").render(lang),
            optional: msg!("page.optional").render(lang),
        }
    }

    /// A text input named `name`, with the value typed.
    pub fn text(&mut self, name: &str, label: &str, hint: Option<&str>, required: bool) -> Field {
        let id = field_id(name);
        self.labels.insert(name.to_owned(), label.to_owned());
        let separator = if self.lang == Lang::Zh { "；" } else { "; " };
        let error = self.errors.get(name).map(|m| m.join(separator));
        let mut described = Vec::new();
        if hint.is_some() {
            described.push(format!("{id}-hint"));
        }
        if error.is_some() {
            described.push(format!("{id}-error"));
        }
        Field {
            name: name.to_owned(),
            label: label.to_owned(),
            tag: if required {
                self.required.clone()
            } else {
                self.optional.clone()
            },
            required,
            hint: hint.map(str::to_owned),
            error,
            value: self.values.get(name).to_owned(),
            kind: "text",
            inputmode: "",
            autocomplete: "off",
            described_by: described.join(" "),
            id,
        }
    }

    /// A select named `name` offering `options` (value, words), the value sent selected.
    pub fn select(
        &mut self,
        name: &str,
        label: &str,
        options: impl IntoIterator<Item = (String, Message)>,
        required: bool,
    ) -> Select {
        let f = self.text(name, label, None, required);
        let options = options
            .into_iter()
            .map(|(value, words)| Choice {
                selected: value == f.value,
                label: words.render(self.lang),
                value,
            })
            .collect();
        Select { f, options }
    }

    /// A checkbox named `name`, ticked when the form sent it.
    pub fn check(&mut self, name: &str, label: &str) -> Check {
        let checked = self.values.checked(name);
        Check {
            f: self.text(name, label, None, false),
            checked,
        }
    }

    /// Every error in the order reported, linked to its field (or plain when no field of the
    /// form shows it).
    pub fn summary(&self) -> Vec<ErrorLink> {
        let colon = if self.lang == Lang::Zh { "：" } else { ": " };
        self.order
            .iter()
            .map(|(field, text)| match self.labels.get(field) {
                Some(label) => ErrorLink {
                    href: format!("#{}", field_id(field)),
                    text: format!("{label}{colon}{text}"),
                },
                None => ErrorLink {
                    href: String::new(),
                    text: msg!("problem.field_item", field = field, message = text)
                        .render(self.lang),
                },
            })
            .collect()
    }

    /// The summary's heading: "请更正以下 N 项信息".
    pub fn summary_title(&self) -> String {
        msg!("page.errors.title", count = self.order.len()).render(self.lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_plain_words_joined_by_dashes() {
        assert_eq!(field_id("workers[0].id_number"), "f-workers-0-id-number");
        assert_eq!(field_id("employer.credit_code"), "f-employer-credit-code");
        assert_eq!(field_id("summary"), "f-summary");
    }

    #[test]
    fn a_field_shows_its_own_errors_and_the_summary_links_to_it() {
        let values = Values::read("employer.credit_code=123".as_bytes());
        let errors = [
            FieldError::new("employer.credit_code", msg!("field.credit_code.format")),
            FieldError::new("elsewhere", msg!("field.required")),
        ];
        let mut form = Form::new(Lang::Zh, &values, &errors);
        let code = form.text(
            "employer.credit_code",
            "统一社会信用代码",
            Some("18 位"),
            false,
        );
        assert_eq!(code.value, "123");
        assert!(code.error.as_deref().unwrap().contains("统一社会信用代码"));
        assert_eq!(
            code.described_by,
            "f-employer-credit-code-hint f-employer-credit-code-error"
        );
        let summary = form.summary();
        assert_eq!(summary[0].href, "#f-employer-credit-code");
        assert!(summary[1].href.is_empty());
        assert_eq!(form.summary_title(), "请更正以下 2 项信息");
    }
}
