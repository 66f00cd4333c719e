//! What a submitted form says, read into the input of the use case it is for.
//!
//! Only the page's own concerns are here: a form sends text, so the page turns yuan typed as
//! `4800.50` (or `４８００．５`) into fen, a select's value into a [`Category`], a count into a
//! number, a radio button into a rating. Everything the application must satisfy is checked by
//! the use case, and its field errors come back under the API's field names; [`form_field`]
//! names the form field each one belongs to.

use std::collections::BTreeMap;

use crate::cases::Category;
use crate::domain::identifiers::{mask_phone, normalize_typed};
use crate::error::{AppError, FieldError};
use crate::i18n::{List, Message};
use crate::msg;
use crate::public::surveys::SurveyAnswer;
use crate::public::use_cases::{Application, ApplicationEmployer, VerificationRequest};

/// A submitted form, field by field, as typed. A field sent twice keeps its first value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values(BTreeMap<String, String>);

impl Values {
    /// Reads an `application/x-www-form-urlencoded` body (or query string).
    pub fn read(body: &[u8]) -> Self {
        let mut values = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            values
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        Self(values)
    }

    /// The value of `name` as typed; empty when the form did not send it.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// The value of `name`, `None` when it is blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        let value = self.get(name);
        (!value.trim().is_empty()).then(|| value.to_owned())
    }

    /// Sets `name`, e.g. a case number taken from the link's query.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// The form field an error of the use case belongs to: the API's `claimed_amount_fen` is typed
/// in yuan as `claimed_amount`; every other field has the API's name.
pub fn form_field(api_field: &str) -> &str {
    match api_field {
        "claimed_amount_fen" => "claimed_amount",
        other => other,
    }
}

/// Yuan as typed — `4800`, `4800.5`, `4,800.50`, full-width digits — in fen; `None` when blank.
/// At most two decimals: the service keeps money in whole fen.
pub fn yuan_to_fen(typed: &str) -> Result<Option<i64>, Message> {
    let plain: String = normalize_typed(typed)
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '元'))
        .collect();
    if plain.is_empty() {
        return Ok(None);
    }
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(msg!("field.yuan"));
    }
    let fen = format!("{fraction:0<2}");
    whole
        .parse::<i64>()
        .ok()
        .and_then(|yuan| yuan.checked_mul(100))
        .and_then(|whole_fen| whole_fen.checked_add(fen.parse::<i64>().unwrap_or(0)))
        .map(Some)
        .ok_or_else(|| msg!("field.yuan"))
}

/// A whole number as typed (full-width digits too).
fn integer(typed: &str) -> Result<i32, Message> {
    let plain = normalize_typed(typed);
    if plain.is_empty() {
        return Err(msg!("field.required"));
    }
    plain.parse().map_err(|_| msg!("field.expected_integer"))
}

/// The category a select sent.
fn category(value: &str) -> Result<Category, Message> {
    if value.is_empty() {
        return Err(msg!("field.required"));
    }
    Category::parse(value).ok_or_else(|| {
        msg!(
            "field.one_of",
            allowed = List::of(Category::ALL.iter().map(|c| c.as_str()))
        )
    })
}

/// The application form as the use case's input, or the fields the page itself could not read
/// (then the use case is not asked: it would check an application the worker did not send).
pub fn application(values: &Values) -> Result<Application, AppError> {
    fn field<T>(errors: &mut Vec<FieldError>, name: &str, read: Result<T, Message>) -> Option<T> {
        read.map_err(|message| errors.push(FieldError::new(name, message)))
            .ok()
    }
    let mut errors = Vec::new();
    let category = field(&mut errors, "category", category(values.get("category")));
    let amount = field(
        &mut errors,
        "claimed_amount",
        yuan_to_fen(values.get("claimed_amount")),
    );
    let workers = field(
        &mut errors,
        "workers_involved",
        integer(values.get("workers_involved")),
    );
    let (Some(category), Some(claimed_amount_fen), Some(workers_involved)) =
        (category, amount, workers)
    else {
        return Err(AppError::Validation(errors));
    };
    Ok(Application {
        office_code: values.get("office_code").to_owned(),
        phone: values.get("phone").to_owned(),
        verification_code: values.get("verification_code").to_owned(),
        name: values.get("name").to_owned(),
        id_number: values.optional("id_number"),
        category,
        summary: values.get("summary").to_owned(),
        claimed_amount_fen,
        workers_involved,
        employer: ApplicationEmployer {
            name: values.get("employer.name").to_owned(),
            credit_code: values.optional("employer.credit_code"),
            address: values.optional("employer.address"),
        },
        sms_consent: values.checked("sms_consent"),
    })
}

/// The "send me a code" button: the phone typed so far.
pub fn verification(values: &Values) -> VerificationRequest {
    VerificationRequest {
        phone: values.get("phone").to_owned(),
    }
}

/// The phone typed, masked for the notice that a code was sent to it (`138****5678`).
pub fn masked_phone(typed: &str) -> String {
    mask_phone(&normalize_typed(typed))
}

/// The survey form: the rating chosen (a radio button) and the comment.
pub fn survey_answer(values: &Values) -> Result<SurveyAnswer, AppError> {
    let satisfaction =
        integer(values.get("satisfaction")).map_err(|m| AppError::invalid("satisfaction", m))?;
    Ok(SurveyAnswer {
        satisfaction,
        comment: values.optional("comment"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_are_read_as_fen_however_a_phone_keyboard_typed_them() {
        assert_eq!(yuan_to_fen("4800.50"), Ok(Some(480_050)));
        assert_eq!(yuan_to_fen("4800.5"), Ok(Some(480_050)));
        assert_eq!(yuan_to_fen("4800"), Ok(Some(480_000)));
        assert_eq!(yuan_to_fen(" 4,800.05 元"), Ok(Some(480_005)));
        assert_eq!(yuan_to_fen("４８００．５０"), Ok(Some(480_050)));
        assert_eq!(yuan_to_fen("¥3000"), Ok(Some(300_000)));
        assert_eq!(yuan_to_fen("  "), Ok(None));
        for wrong in ["4800.505", "-5", "abc", ".5", "1e5", "99999999999999999999"] {
            assert_eq!(yuan_to_fen(wrong), Err(msg!("field.yuan")), "{wrong}");
        }
    }

    #[test]
    fn a_form_keeps_the_first_value_of_a_field_and_reads_unicode() {
        let values =
            Values::read("name=%E5%BC%A0%E4%B8%89&name=x&sms_consent=on&empty=".as_bytes());
        assert_eq!(values.get("name"), "张三");
        assert!(values.checked("sms_consent"));
        assert!(!values.checked("other"));
        assert_eq!(values.optional("empty"), None);
        assert_eq!(values.get("missing"), "");
    }

    #[test]
    fn what_the_page_cannot_read_is_reported_per_field_before_the_use_case_is_asked() {
        let values = Values::read(b"category=&claimed_amount=12.345&workers_involved=two");
        let Err(AppError::Validation(errors)) = application(&values) else {
            panic!("not read")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["category", "claimed_amount", "workers_involved"]);
        let values = Values::read(
            "category=wage_arrears&claimed_amount=%EF%BC%93%EF%BC%90%EF%BC%90%EF%BC%90&workers_involved=1&sms_consent=on&employer.name=x"
                .as_bytes(),
        );
        let application = application(&values).expect("read");
        assert_eq!(application.claimed_amount_fen, Some(300_000));
        assert_eq!(application.category, Category::WageArrears);
        assert_eq!(application.employer.name, "x");
        assert!(application.sms_consent && application.id_number.is_none());
    }
}
