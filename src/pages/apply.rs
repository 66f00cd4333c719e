//! `/apply`: the application form and the page after it, with the case number and access code.

use askama::Template;

use super::fields::{render, Choice, ErrorLink, FormState, Input, Trouble};
use super::forms::Values;
use super::layout::{texts, Chrome, Section};
use crate::cases::Category;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::msg;
use crate::public::use_cases::{PublicOfficeView, Submitted};

/// The catalogue's words for a category (they live in `crate::words`).
pub use crate::words::category_words;

texts! {
    /// The words of the application form.
    ApplyTexts {
        title = "page.apply.title",
        intro = "page.apply.intro",
        office_section = "page.apply.office_section",
        office = "page.apply.office",
        choose = "page.apply.choose",
        no_offices = "page.apply.no_offices",
        you_section = "page.apply.you_section",
        name = "page.apply.name",
        id_number = "page.apply.id_number",
        id_number_hint = "page.apply.id_number_hint",
        phone = "page.apply.phone",
        phone_hint = "page.apply.phone_hint",
        send_code = "page.apply.send_code",
        code = "page.apply.code",
        code_hint = "page.apply.code_hint",
        dispute_section = "page.apply.dispute_section",
        category = "page.apply.category",
        employer_name = "page.apply.employer_name",
        employer_name_hint = "page.apply.employer_name_hint",
        credit_code = "page.apply.credit_code",
        credit_code_hint = "page.apply.credit_code_hint",
        employer_address = "page.apply.employer_address",
        amount = "page.apply.amount",
        amount_hint = "page.apply.amount_hint",
        workers = "page.apply.workers",
        workers_hint = "page.apply.workers_hint",
        summary = "page.apply.summary",
        summary_hint = "page.apply.summary_hint",
        consent = "page.apply.consent",
        submit = "page.apply.submit",
    }
}

/// `/apply`: the application form.
#[derive(Template)]
#[template(path = "public/apply.html")]
pub struct ApplyPage {
    pub chrome: Chrome,
    pub title: String,
    pub t: ApplyTexts,
    pub errors_title: String,
    pub errors: Vec<ErrorLink>,
    /// Something wrong with the application as a whole (too many attempts, an outage).
    pub notice: Option<String>,
    /// Beside the phone: the code was sent, or could not be.
    pub code_notice: Option<String>,
    pub code_alarming: bool,
    pub offices: Vec<Choice>,
    pub office_error: Option<String>,
    pub name: Input,
    pub id_number: Input,
    pub phone: Input,
    pub code: Input,
    pub categories: Vec<Choice>,
    pub category_error: Option<String>,
    pub employer_name: Input,
    pub credit_code: Input,
    pub employer_address: Input,
    pub amount: Input,
    pub workers: Input,
    pub summary: Input,
    pub consent: bool,
    pub consent_error: Option<String>,
    /// "必填", for the fields drawn outside [`Input`].
    pub required_tag: String,
}

/// Which button sent the form.
pub enum Step {
    /// None yet (the empty form), or the application's.
    Apply,
    /// "Send me a code"; `sent` when the code went out.
    Code { sent: Option<CodeSent> },
}

/// A code on its way: to the masked phone, good for `minutes`.
pub struct CodeSent {
    pub phone: String,
    pub minutes: i64,
}

/// The application form with `values` typed, after `trouble`.
pub fn apply_page(
    lang: Lang,
    offices: &[PublicOfficeView],
    values: &Values,
    trouble: &Trouble,
    step: Step,
) -> Result<String, AppError> {
    let t = ApplyTexts::new(lang);
    let mut form = FormState::new(lang, values, trouble);
    let chosen_office = values.get("office_code");
    let offices = offices
        .iter()
        .map(|office| Choice {
            value: office.code.clone(),
            label: match &office.area {
                Some(area) if !area.is_empty() => format!("{}（{area}）", office.name),
                _ => office.name.clone(),
            },
            selected: office.code.eq_ignore_ascii_case(chosen_office),
        })
        .collect();
    let chosen_category = values.get("category");
    let categories = Category::ALL
        .iter()
        .map(|category| Choice {
            value: category.as_str().to_owned(),
            label: category_words(*category).render(lang),
            selected: category.as_str() == chosen_category,
        })
        .collect();
    let office_error = form.label("office_code", &t.office);
    let name = form.input("name", &t.name, None, true).autocomplete("name");
    let id_number = form.input("id_number", &t.id_number, Some(&t.id_number_hint), false);
    let phone = form
        .input("phone", &t.phone, Some(&t.phone_hint), true)
        .kind("tel", "numeric")
        .autocomplete("tel");
    let code = form
        .input("verification_code", &t.code, Some(&t.code_hint), true)
        .kind("text", "numeric")
        .autocomplete("one-time-code");
    let category_error = form.label("category", &t.category);
    let employer_name = form.input(
        "employer.name",
        &t.employer_name,
        Some(&t.employer_name_hint),
        true,
    );
    let credit_code = form.input(
        "employer.credit_code",
        &t.credit_code,
        Some(&t.credit_code_hint),
        false,
    );
    let employer_address = form.input("employer.address", &t.employer_address, None, false);
    let amount = form
        .input("claimed_amount", &t.amount, Some(&t.amount_hint), false)
        .kind("text", "decimal");
    let mut workers = form
        .input("workers_involved", &t.workers, Some(&t.workers_hint), true)
        .kind("text", "numeric");
    if workers.value.is_empty() && values == &Values::default() {
        workers.value = "1".into();
    }
    let summary = form.input("summary", &t.summary, Some(&t.summary_hint), true);
    let consent_error = form.label("sms_consent", &t.consent);
    let trouble_notice = trouble.notice.as_ref().map(|m| m.render(lang));
    let (notice, code_notice, code_alarming) = match step {
        Step::Apply => (trouble_notice, None, false),
        Step::Code { .. } if trouble_notice.is_some() => (None, trouble_notice, true),
        Step::Code {
            sent: Some(CodeSent { phone, minutes }),
        } => (
            None,
            Some(msg!("page.apply.code_sent", phone = phone, minutes = minutes).render(lang)),
            false,
        ),
        Step::Code { sent: None } => (None, None, false),
    };
    render(&ApplyPage {
        chrome: Chrome::new(lang, Section::Apply),
        title: t.title.clone(),
        errors_title: form.summary_title(),
        errors: form.summary(),
        notice,
        code_notice,
        code_alarming,
        offices,
        office_error,
        name,
        id_number,
        phone,
        code,
        categories,
        category_error,
        employer_name,
        credit_code,
        employer_address,
        amount,
        workers,
        summary,
        consent: values.checked("sms_consent"),
        consent_error,
        required_tag: form.tag(true),
        t,
    })
}

texts! {
    /// The words of the page after a successful application.
    SubmittedTexts {
        title = "page.submitted.title",
        lead = "page.submitted.lead",
        case_number = "page.submitted.case_number",
        access_code = "page.submitted.access_code",
        keep = "page.submitted.keep",
        track = "page.submitted.track",
    }
}

/// The answer to a successful application: the case number and the access code, once.
#[derive(Template)]
#[template(path = "public/submitted.html")]
pub struct SubmittedPage {
    pub chrome: Chrome,
    pub title: String,
    pub t: SubmittedTexts,
    pub case_number: String,
    pub access_code: String,
    /// The track link, as a path on this site (the texted link is absolute).
    pub track_href: String,
}

/// The path and query of an absolute URL (`https://host/track?case=…` → `/track?case=…`).
fn local_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(at) if url.contains("://") => after_scheme[at..].to_owned(),
        _ if url.starts_with('/') => url.to_owned(),
        _ => "/track".to_owned(),
    }
}

pub fn submitted_page(lang: Lang, submitted: &Submitted) -> Result<String, AppError> {
    let t = SubmittedTexts::new(lang);
    render(&SubmittedPage {
        chrome: Chrome::new(lang, Section::Apply),
        title: t.title.clone(),
        case_number: submitted.case_number.clone(),
        access_code: submitted.access_code.clone(),
        track_href: local_path(&submitted.track_url),
        t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[test]
    fn the_texted_link_is_followed_on_this_site() {
        assert_eq!(
            local_path("https://tiaojie.example.cn/track?case=SP-2026-000001"),
            "/track?case=SP-2026-000001"
        );
        assert_eq!(local_path("/track?case=X"), "/track?case=X");
        assert_eq!(local_path("http://127.0.0.1:0"), "/track");
    }

    #[test]
    fn a_failed_form_keeps_its_values_and_shows_each_error_by_its_field() {
        let values =
            Values::read("name=%3Cb%3E张三&claimed_amount=12.345&sms_consent=on".as_bytes());
        let trouble = Trouble::of(&AppError::Validation(vec![
            FieldError::new("claimed_amount_fen", msg!("field.yuan")),
            FieldError::new("employer.name", msg!("field.empty")),
        ]));
        let page = apply_page(Lang::Zh, &[], &values, &trouble, Step::Apply).unwrap();
        assert!(
            page.contains("value=\"&#60;b&#62;张三\""),
            "escaped and kept"
        );
        assert!(page.contains("value=\"12.345\""));
        assert!(page.contains("href=\"#f-claimed-amount\""), "{page}");
        assert!(page.contains("用人单位名称：不能为空"));
        assert!(page.contains("请更正以下 2 项信息"));
        assert!(page.contains(" checked"), "the consent stays ticked");
        assert!(!page.contains("<script"), "no script");
        assert!(!page.contains("style="), "no inline style");
    }
}
