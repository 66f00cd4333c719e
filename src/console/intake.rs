//! `/console/cases/new`: the intake form (登记案件). Posting it calls
//! `employers::register_case` (`cases::use_cases::register`, then the intake warnings), the
//! use case behind `POST /api/v1/cases`, so the console and the API accept and refuse exactly
//! the same intakes and warn alike; a refused one comes back with every
//! value kept and each error, in Chinese, next to its field (422).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use chrono::{DateTime, Utc};

use super::intake_fields::{Check, Field, Form, Select};
use super::intake_form::{flag_field, worker_field, IntakeForm, WORKER_ROWS};
use super::layout::{self, failure, see_other, Area, Chrome, ConsoleUser};
use super::session;
use super::words::{category_words, channel_words};
use crate::app::AppState;
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::cases::deadlines::office_zone;
use crate::cases::{intake, Category, Channel, Flag};
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::employers::{self, use_cases::RegisteredCase};
use crate::error::AppError;
use crate::i18n::{Lang, Message};
use crate::msg;
use crate::offices;
use crate::pages::fields::{ErrorLink, Trouble};
use crate::pages::forms::Values;
use crate::pages::layout::texts;

texts! {
    /// The words of the intake form.
    IntakeTexts {
        title = "console.intake.title",
        intro = "console.intake.intro",
        dispute_section = "console.intake.dispute_section",
        category = "console.intake.category",
        channel = "console.intake.channel",
        summary = "console.intake.summary",
        summary_hint = "console.intake.summary_hint",
        received_at = "console.intake.received_at",
        received_at_hint = "console.intake.received_at_hint",
        amount = "console.intake.amount",
        amount_hint = "console.intake.amount_hint",
        workers_involved = "console.intake.workers_involved",
        workers_involved_hint = "console.intake.workers_involved_hint",
        flags = "console.intake.flags",
        employer_section = "console.intake.employer_section",
        employer_name = "console.intake.employer_name",
        credit_code = "console.intake.credit_code",
        credit_code_hint = "console.intake.credit_code_hint",
        employer_address = "console.intake.employer_address",
        contact_name = "console.intake.contact_name",
        contact_phone = "console.intake.contact_phone",
        workers_hint = "console.intake.workers_hint",
        worker_name = "console.intake.worker_name",
        id_number = "console.intake.id_number",
        phone = "console.intake.phone",
        role = "console.intake.role",
        sms_consent = "console.intake.sms_consent",
        submit = "console.intake.submit",
    }
}

/// One worker row of the form.
struct WorkerRow {
    legend: String,
    name: Field,
    id_number: Field,
    phone: Field,
    role: Select,
    sms_consent: Check,
}

#[derive(Template)]
#[template(path = "console/intake.html")]
struct IntakePage {
    chrome: Chrome,
    title: String,
    t: IntakeTexts,
    errors_title: String,
    errors: Vec<ErrorLink>,
    /// Something wrong with the intake as a whole (an outage).
    notice: Option<String>,
    dispute: DisputeFields,
    employer: Vec<Field>,
    workers: Vec<WorkerRow>,
}

/// The fields about the dispute itself.
struct DisputeFields {
    category: Select,
    channel: Select,
    summary: Field,
    received_at: Field,
    amount: Field,
    workers_involved: Field,
    flags: Vec<Check>,
}

fn flag_words(flag: Flag) -> Message {
    match flag {
        Flag::GigEconomy => msg!("console.intake.flag.gig_economy"),
        Flag::MigrantWorker => msg!("console.intake.flag.migrant_worker"),
        Flag::Restructuring => msg!("console.intake.flag.restructuring"),
    }
}

/// A select with "请选择" first, then `options`.
fn required_select(
    form: &mut Form,
    name: &str,
    label: &str,
    options: impl Iterator<Item = (String, Message)>,
) -> Select {
    let choose = (String::new(), msg!("console.intake.choose"));
    form.select(name, label, std::iter::once(choose).chain(options), true)
}

fn worker_row(form: &mut Form, t: &IntakeTexts, lang: Lang, row: usize) -> WorkerRow {
    let first = row == 0;
    let roles = [
        ("claimant".to_owned(), msg!("console.intake.role.claimant")),
        (
            "representative".to_owned(),
            msg!("console.intake.role.representative"),
        ),
    ];
    WorkerRow {
        legend: msg!("console.intake.worker_section", number = row + 1).render(lang),
        name: form.text(&worker_field(row, "name"), &t.worker_name, None, first),
        id_number: form.text(&worker_field(row, "id_number"), &t.id_number, None, false),
        phone: form
            .text(&worker_field(row, "phone"), &t.phone, None, false)
            .kind("tel", "numeric"),
        role: form.select(&worker_field(row, "role"), &t.role, roles, false),
        sms_consent: form.check(&worker_field(row, "sms_consent"), &t.sms_consent),
    }
}

fn dispute_fields(form: &mut Form, t: &IntakeTexts, lang: Lang) -> DisputeFields {
    let categories = Category::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), category_words(*c)));
    let channels = Channel::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), channel_words(*c)));
    let (received_hint, amount_hint) = (
        Some(t.received_at_hint.as_str()),
        Some(t.amount_hint.as_str()),
    );
    DisputeFields {
        category: required_select(form, "category", &t.category, categories),
        channel: required_select(form, "channel", &t.channel, channels),
        summary: form.text("summary", &t.summary, Some(&t.summary_hint), true),
        received_at: form
            .text("received_at", &t.received_at, received_hint, false)
            .kind("datetime-local", ""),
        amount: form
            .text("claimed_amount", &t.amount, amount_hint, false)
            .kind("text", "decimal"),
        workers_involved: form
            .text(
                "workers_involved",
                &t.workers_involved,
                Some(&t.workers_involved_hint),
                false,
            )
            .kind("text", "numeric"),
        flags: Flag::ALL
            .iter()
            .map(|flag| form.check(&flag_field(*flag), &flag_words(*flag).render(lang)))
            .collect(),
    }
}

fn employer_fields(form: &mut Form, t: &IntakeTexts) -> Vec<Field> {
    vec![
        form.text("employer.name", &t.employer_name, None, true)
            .autocomplete("organization"),
        form.text(
            "employer.credit_code",
            &t.credit_code,
            Some(&t.credit_code_hint),
            false,
        ),
        form.text("employer.address", &t.employer_address, None, false),
        form.text("employer.contact_name", &t.contact_name, None, false),
        form.text("employer.contact_phone", &t.contact_phone, None, false)
            .kind("tel", "numeric"),
    ]
}

/// The intake form with `values` typed and `trouble` reported.
fn intake_page(
    lang: Lang,
    user: &ConsoleUser,
    values: &Values,
    trouble: &Trouble,
) -> Result<String, AppError> {
    let t = IntakeTexts::new(lang);
    let mut form = Form::new(lang, values, &trouble.fields);
    let dispute = dispute_fields(&mut form, &t, lang);
    let employer = employer_fields(&mut form, &t);
    let workers = (0..WORKER_ROWS)
        .map(|row| worker_row(&mut form, &t, lang, row))
        .collect();
    IntakePage {
        chrome: Chrome::new(lang, user, Area::Intake),
        title: t.title.clone(),
        errors_title: form.summary_title(),
        errors: form.summary(),
        notice: trouble.notice.as_ref().map(|m| m.render(lang)),
        t,
        dispute,
        employer,
        workers,
    }
    .render()
    .map_err(layout::rendering)
}

/// `GET /console/cases/new`: the empty form, for those who may register cases (the check
/// `register` makes first; anyone else gets its 403).
pub async fn intake_form(user: ConsoleUser) -> HttpResponse {
    let lang = session::lang();
    if let Err(error) = user.caller.require(Action::WorkCases) {
        return failure(lang, Some(&user), error);
    }
    let view = intake_page(lang, &user, &Values::default(), &Trouble::none());
    layout::page(StatusCode::OK, lang, view)
}

/// Registers the form's case, or answers every field to correct. A form with fields it could
/// not read (no category chosen, an amount that is not yuan) is not registered; the use case's
/// validation (`intake::validate`, which writes nothing) still reports the other fields, so one
/// answer lists every correction.
fn register_form(
    connection: &mut DbConnection,
    caller: &Caller,
    mut form: IntakeForm,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<RegisteredCase, AppError> {
    if let (true, Some(office_id)) = (form.needs_time_zone(), &caller.office_id) {
        let office = offices::use_cases::get(connection, caller, office_id)?;
        form.place_received_at(office_zone(&office.time_zone));
    }
    if !form.unreadable.is_empty() {
        caller.require(Action::WorkCases)?;
        let more = intake::validate(form.input.clone(), now).err();
        return Err(form.all_errors(more));
    }
    let input = form.input.clone();
    employers::register_case(connection, caller, input, protector, now).map_err(|e| form.on_form(e))
}

/// The case's page (303) once registered — by way of what its intake found, when it found
/// something (`intake_warnings`); a failure page when the person may not register
/// cases; else the form again with the values kept and what to correct, with the error's status.
fn answer(
    lang: Lang,
    user: &ConsoleUser,
    values: &Values,
    registered: Result<RegisteredCase, AppError>,
) -> HttpResponse {
    match registered {
        Ok(RegisteredCase { case, warnings }) if warnings.is_empty() => {
            see_other(&format!("/console/cases/{}", case.id))
        }
        Ok(RegisteredCase { case, .. }) => {
            see_other(&format!("/console/cases/{}/warnings", case.id))
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound)) => {
            failure(lang, Some(user), error)
        }
        Err(error) => {
            layout::log(&error);
            let view = intake_page(lang, user, values, &Trouble::of(&error));
            layout::page(error.status_code(), lang, view)
        }
    }
}

/// `POST /console/cases/new`: registers the case and shows its page (303), or the form again.
pub async fn register(
    user: ConsoleUser,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    session::posted(&state, &user, &body, async |values| {
        let form = IntakeForm::read(&values);
        let (caller, protector, now) = (
            user.caller.clone(),
            state.personal_data.clone(),
            state.clock.now(),
        );
        let registered = state
            .db
            .run(move |connection| register_form(connection, &caller, form, &protector, now))
            .await;
        answer(session::lang(), &user, &values, registered)
    })
    .await
}
