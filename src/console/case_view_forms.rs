//! The case page's action forms as data: each a `<details class="action">` drawn by one template
//! macro (`templates/console/case_forms.html`), with labelled fields, the values typed kept and
//! each error next to its field after a failed submission, and an explicit confirmation.

use std::collections::BTreeMap;

use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::pages::forms::Values;

/// An option of a select or of a group of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            selected: false,
        }
    }
}

/// One field of an action form.
pub struct FormField {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    /// `text`, `date`, `datetime-local`, `textarea`, `select`, `checkbox`, `checkboxes` or `file`.
    pub kind: &'static str,
    /// `decimal` for amounts, else empty.
    pub inputmode: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    pub checked: bool,
}

/// An action the case allows now, as a form.
pub struct ActionForm {
    /// Unique on the page: the ids of its fields start with it.
    pub key: String,
    pub title: String,
    pub url: String,
    pub multipart: bool,
    pub intro: Option<String>,
    /// Hidden fields: the version drawn, the action asked for.
    pub hidden: Vec<(String, String)>,
    pub fields: Vec<FormField>,
    /// The "我已核对" checkbox every action must have ticked.
    pub confirm: FormField,
    pub submit: String,
    pub danger: bool,
    /// Opened: the form that just failed, so its errors show.
    pub open: bool,
    /// Errors of the form that belong to no field drawn.
    pub errors: Vec<String>,
}

/// A submission that failed: which form, what was typed, and what went wrong, by form field.
pub struct Failed {
    pub form: String,
    pub values: Values,
    pub fields: Vec<FieldError>,
}

impl Failed {
    /// The failure of form `form` with `error`, its field errors renamed by `rename` from the
    /// API's names (`amount_fen`) to the form's (`amount`).
    pub fn new(
        form: &str,
        values: Values,
        error: &AppError,
        rename: &dyn Fn(&str) -> String,
    ) -> Self {
        let fields = match error {
            AppError::Validation(errors) => errors
                .iter()
                .map(|e| FieldError::new(rename(&e.field), e.message.clone()))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            form: form.to_owned(),
            values,
            fields,
        }
    }
}

/// The names of fields as the API gives them, for forms whose fields have the API's names.
pub fn same_name(field: &str) -> String {
    field.to_owned()
}

/// 422 on the confirmation checkbox unless it was ticked: nothing is done unconfirmed.
pub fn require_confirmation(values: &Values) -> Result<(), AppError> {
    if values.checked("confirm") {
        Ok(())
    } else {
        Err(AppError::invalid(
            "confirm",
            msg!("console.case.confirm_required"),
        ))
    }
}

/// A form being drawn: its values (typed, after a failure; else the defaults) and errors.
pub struct Draft {
    key: String,
    lang: Lang,
    values: Values,
    errors: BTreeMap<String, Vec<String>>,
    open: bool,
    fields: Vec<FormField>,
}

impl Draft {
    /// The form `key`, with the failed submission's values and errors when it is the one that
    /// failed; `defaults` otherwise.
    pub fn new(key: &str, lang: Lang, failed: Option<&Failed>, defaults: Values) -> Self {
        let mine = failed.filter(|f| f.form == key);
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for error in mine.map(|f| f.fields.as_slice()).unwrap_or_default() {
            errors
                .entry(error.field.clone())
                .or_default()
                .push(error.message.render(lang));
        }
        Self {
            key: key.to_owned(),
            lang,
            values: mine.map(|f| f.values.clone()).unwrap_or(defaults),
            open: mine.is_some(),
            errors,
            fields: Vec::new(),
        }
    }

    fn field(
        &mut self,
        name: &str,
        label: Message,
        kind: &'static str,
        required: bool,
    ) -> FormField {
        let separator = if self.lang == Lang::Zh { "；" } else { "; " };
        FormField {
            id: format!("f-{}-{}", self.key, name.replace(['.', '_', '[', ']'], "-")),
            name: name.to_owned(),
            label: label.render(self.lang),
            hint: None,
            error: self.errors.remove(name).map(|e| e.join(separator)),
            required,
            kind,
            inputmode: "",
            value: self.values.get(name).to_owned(),
            choices: Vec::new(),
            checked: false,
        }
    }

    /// A one-line input of `kind` (`text`, `date`, `datetime-local`).
    pub fn input(
        &mut self,
        name: &str,
        label: Message,
        kind: &'static str,
        required: bool,
    ) -> &mut FormField {
        let field = self.field(name, label, kind, required);
        self.push(field)
    }

    /// An amount in yuan.
    pub fn yuan(&mut self, name: &str, label: Message, required: bool) -> &mut FormField {
        let mut field = self.field(name, label, "text", required);
        field.inputmode = "decimal";
        self.push(field)
    }

    pub fn textarea(&mut self, name: &str, label: Message, required: bool) -> &mut FormField {
        let field = self.field(name, label, "textarea", required);
        self.push(field)
    }

    /// A select of `choices`, the one typed (or defaulted) selected; a blank first option when
    /// `blank` names one.
    pub fn select(
        &mut self,
        name: &str,
        label: Message,
        choices: Vec<Choice>,
        blank: Option<Message>,
    ) -> &mut FormField {
        let mut field = self.field(name, label, "select", true);
        let chosen = field.value.clone();
        if let Some(blank) = blank {
            field.choices.push(Choice::new("", blank.render(self.lang)));
        }
        field.choices.extend(choices.into_iter().map(|mut c| {
            c.selected = c.value == chosen;
            c
        }));
        self.push(field)
    }

    /// Checkboxes named `name`, one per choice; those in `checked` ticked.
    pub fn checkboxes(
        &mut self,
        name: &str,
        label: Message,
        choices: Vec<Choice>,
    ) -> &mut FormField {
        let mut field = self.field(name, label, "checkboxes", false);
        let ticked = self.values.get(name).to_owned();
        field.choices = choices
            .into_iter()
            .map(|mut c| {
                c.selected = ticked.split(',').any(|v| v == c.value);
                c
            })
            .collect();
        self.push(field)
    }

    /// One checkbox.
    pub fn checkbox(&mut self, name: &str, label: Message) -> &mut FormField {
        let mut field = self.field(name, label, "checkbox", false);
        field.checked = self.values.checked(name);
        self.push(field)
    }

    /// A file to upload.
    pub fn file(&mut self, name: &str, label: Message) -> &mut FormField {
        let field = self.field(name, label, "file", true);
        self.push(field)
    }

    fn push(&mut self, field: FormField) -> &mut FormField {
        self.fields.push(field);
        self.fields.last_mut().expect("just pushed")
    }

    /// The finished form posting to `url`; errors of fields not drawn are listed above them.
    pub fn finish(
        mut self,
        title: Message,
        url: String,
        submit: Message,
        hidden: Vec<(String, String)>,
    ) -> ActionForm {
        let mut confirm = self.field("confirm", msg!("console.case.confirm"), "checkbox", true);
        confirm.checked = false;
        let errors = std::mem::take(&mut self.errors)
            .into_values()
            .flatten()
            .collect();
        ActionForm {
            key: self.key,
            title: title.render(self.lang),
            url,
            multipart: false,
            intro: None,
            hidden,
            fields: self.fields,
            confirm,
            submit: submit.render(self.lang),
            danger: false,
            open: self.open,
            errors,
        }
    }
}

impl ActionForm {
    pub fn intro(mut self, intro: Message, lang: Lang) -> Self {
        self.intro = Some(intro.render(lang));
        self
    }

    pub fn danger(mut self) -> Self {
        self.danger = true;
        self
    }

    pub fn multipart(mut self) -> Self {
        self.multipart = true;
        self
    }
}
