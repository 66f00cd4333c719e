//! The intake form (登记案件) read into `cases::intake::CreateCase`, the body of
//! `POST /api/v1/cases`, and the API's field paths mapped back to the form's fields.
//!
//! Only what a form needs is done here: yuan typed become fen (`pages::forms::yuan_to_fen`), a
//! select's value an enum, a local date and time the instant it names in the office's time zone,
//! blank worker rows are left out. Every rule of an intake is the use case's
//! (`cases::use_cases::register`, `cases::intake::validate`); its errors come back under the
//! API's paths (`claimed_amount_fen`, `workers[1].id_number`), which [`IntakeForm::form_field`]
//! turns into the names of the fields that were typed.

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::cases::intake::{CreateCase, EmployerInput, WorkerInput, WorkerRole};
use crate::cases::{Category, Channel, Flag};
use crate::domain::identifiers::normalize_typed;
use crate::error::{AppError, FieldError};
use crate::i18n::{List, Message};
use crate::msg;
use crate::pages::forms::{yuan_to_fen, Values};

/// How many worker rows the form offers; the first is always sent.
pub const WORKER_ROWS: usize = 3;

/// The form name of a worker row's field: `workers[0].name`.
pub fn worker_field(row: usize, field: &str) -> String {
    format!("workers[{row}].{field}")
}

/// The form name of a flag's checkbox (a form keeps one value per name, so one name a flag).
pub fn flag_field(flag: Flag) -> String {
    format!("flag.{}", flag.as_str())
}

/// A submitted intake form: the use case's input, what the form itself could not read, and which
/// form row each worker came from.
pub struct IntakeForm {
    pub input: CreateCase,
    /// The date and time of receipt as typed, in the office's time zone, until it is placed.
    received_local: Option<NaiveDateTime>,
    /// `rows[i]`: the form row of `input.workers[i]`.
    rows: Vec<usize>,
    /// Fields the form could not read, under the form's names. When there are any, the input
    /// holds placeholders for those fields and must not be registered.
    pub unreadable: Vec<FieldError>,
}

fn one_of<T: Copy>(all: &[T], as_str: impl Fn(T) -> &'static str) -> Message {
    msg!(
        "field.one_of",
        allowed = List::of(all.iter().map(|value| as_str(*value)))
    )
}

/// A select's value as an enum; `field.required` when nothing was chosen.
fn choice<T: Copy>(
    typed: &str,
    all: &[T],
    parse: impl Fn(&str) -> Option<T>,
    as_str: impl Fn(T) -> &'static str,
) -> Result<T, Message> {
    if typed.is_empty() {
        return Err(msg!("field.required"));
    }
    parse(typed).ok_or_else(|| one_of(all, as_str))
}

/// A whole number as typed (full-width digits too); `None` when blank.
fn optional_count(typed: &str) -> Result<Option<i32>, Message> {
    let plain = normalize_typed(typed);
    if plain.is_empty() {
        return Ok(None);
    }
    plain
        .parse()
        .map(Some)
        .map_err(|_| msg!("field.expected_integer"))
}

/// A `datetime-local` value (`2026-11-20T09:30`, seconds optional); `None` when blank.
fn optional_local_time(typed: &str) -> Result<Option<NaiveDateTime>, Message> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(typed, format).ok())
        .map(Some)
        .ok_or_else(|| msg!("field.expected_local_date_time"))
}

/// What the form read, or `None` with the reason recorded under the field's name.
fn readable<T>(
    unreadable: &mut Vec<FieldError>,
    name: &str,
    read: Result<T, Message>,
) -> Option<T> {
    read.map_err(|message| unreadable.push(FieldError::new(name, message)))
        .ok()
}

/// Whether anything was typed in worker row `row` (the first row always counts).
fn row_filled(values: &Values, row: usize) -> bool {
    row == 0
        || ["name", "id_number", "phone"]
            .iter()
            .any(|field| values.optional(&worker_field(row, field)).is_some())
        || values.checked(&worker_field(row, "sms_consent"))
}

impl IntakeForm {
    /// Reads the posted form.
    pub fn read(values: &Values) -> Self {
        let mut unreadable = Vec::new();
        let category = readable(
            &mut unreadable,
            "category",
            choice(
                values.get("category"),
                Category::ALL,
                Category::parse,
                Category::as_str,
            ),
        );
        let channel = readable(
            &mut unreadable,
            "channel",
            choice(
                values.get("channel"),
                Channel::ALL,
                Channel::parse,
                Channel::as_str,
            ),
        );
        let amount = readable(
            &mut unreadable,
            "claimed_amount",
            yuan_to_fen(values.get("claimed_amount")),
        );
        let workers_involved = readable(
            &mut unreadable,
            "workers_involved",
            optional_count(values.get("workers_involved")),
        );
        let received_local = readable(
            &mut unreadable,
            "received_at",
            optional_local_time(values.get("received_at")),
        );
        let mut workers = Vec::new();
        let mut rows = Vec::new();
        for row in (0..WORKER_ROWS).filter(|row| row_filled(values, *row)) {
            let role_name = worker_field(row, "role");
            let role = match values.get(&role_name) {
                "" | "claimant" => Some(WorkerRole::Claimant),
                "representative" => Some(WorkerRole::Representative),
                _ => readable(
                    &mut unreadable,
                    &role_name,
                    Err(msg!(
                        "field.one_of",
                        allowed = List::of(["claimant", "representative"])
                    )),
                ),
            };
            workers.push(WorkerInput {
                name: values.get(&worker_field(row, "name")).to_owned(),
                id_number: values.optional(&worker_field(row, "id_number")),
                phone: values.optional(&worker_field(row, "phone")),
                role: role.unwrap_or_default(),
                sms_consent: values.checked(&worker_field(row, "sms_consent")),
            });
            rows.push(row);
        }
        let input = CreateCase {
            category: category.unwrap_or(Category::Other),
            channel: channel.unwrap_or(Channel::Other),
            summary: values.get("summary").to_owned(),
            received_at: None,
            claimed_amount_fen: amount.flatten().unwrap_or(0),
            workers_involved: workers_involved.flatten(),
            flags: Flag::ALL
                .iter()
                .copied()
                .filter(|flag| values.checked(&flag_field(*flag)))
                .collect(),
            employer: EmployerInput {
                name: values.get("employer.name").to_owned(),
                credit_code: values.optional("employer.credit_code"),
                address: values.optional("employer.address"),
                contact_name: values.optional("employer.contact_name"),
                contact_phone: values.optional("employer.contact_phone"),
            },
            workers,
        };
        Self {
            input,
            received_local: received_local.flatten(),
            rows,
            unreadable,
        }
    }

    /// Whether a time of receipt was typed, which needs the office's time zone to place.
    pub fn needs_time_zone(&self) -> bool {
        self.received_local.is_some()
    }

    /// Places the typed time of receipt in `zone` (the office's): the instant the office's
    /// clock showed that time. A time the zone skips (a daylight-saving gap) cannot be placed.
    pub fn place_received_at(&mut self, zone: Tz) {
        let Some(local) = self.received_local else {
            return;
        };
        match zone.from_local_datetime(&local).earliest() {
            Some(at) => self.input.received_at = Some(at.with_timezone(&Utc)),
            None => self.unreadable.push(FieldError::new(
                "received_at",
                msg!("field.expected_local_date_time"),
            )),
        }
    }

    /// The form field that shows an error of the API's field `api_field`.
    pub fn form_field(&self, api_field: &str) -> String {
        if api_field == "claimed_amount_fen" {
            return "claimed_amount".to_owned();
        }
        let worker = api_field
            .strip_prefix("workers[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(index, field)| Some((index.parse::<usize>().ok()?, field)));
        match worker {
            Some((index, field)) => {
                worker_field(self.rows.get(index).copied().unwrap_or(index), field)
            }
            None => api_field.to_owned(),
        }
    }

    /// `error` with its field errors under the form's field names.
    pub fn on_form(&self, error: AppError) -> AppError {
        match error {
            AppError::Validation(errors) => AppError::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(self.form_field(&e.field), e.message))
                    .collect(),
            ),
            other => other,
        }
    }

    /// The form's own errors followed by those of the use case's validation (`more`, under the
    /// API's paths) on fields the form did read — one answer naming every field to correct.
    pub fn all_errors(&self, more: Option<AppError>) -> AppError {
        let mut errors = self.unreadable.clone();
        if let Some(AppError::Validation(more)) = more.map(|e| self.on_form(e)) {
            let reported: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(more.into_iter().filter(|e| !reported.contains(&e.field)));
        }
        AppError::Validation(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> IntakeForm {
        IntakeForm::read(&Values::read(body.as_bytes()))
    }

    #[test]
    fn yuan_selects_and_rows_are_read_into_the_api_s_body() {
        let read = form(
            "category=wage_arrears&channel=walk_in&summary=s&claimed_amount=3000.5\
             &flag.migrant_worker=on&employer.name=e&employer.credit_code=%20\
             &workers%5B0%5D.name=a&workers%5B2%5D.name=c&workers%5B2%5D.role=representative\
             &workers%5B2%5D.sms_consent=on",
        );
        assert!(read.unreadable.is_empty());
        assert_eq!(read.input.claimed_amount_fen, 300_050);
        assert_eq!(read.input.flags, [Flag::MigrantWorker]);
        assert_eq!(read.input.employer.credit_code, None, "blank is absent");
        let names: Vec<&str> = read.input.workers.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["a", "c"], "the blank middle row is left out");
        assert_eq!(read.input.workers[1].role, WorkerRole::Representative);
        assert!(read.input.workers[1].sms_consent);
        assert_eq!(
            read.form_field("workers[1].id_number"),
            "workers[2].id_number"
        );
        assert_eq!(read.form_field("claimed_amount_fen"), "claimed_amount");
        assert_eq!(
            read.form_field("employer.credit_code"),
            "employer.credit_code"
        );
    }

    #[test]
    fn what_the_form_cannot_read_is_reported_under_its_own_field() {
        let read = form(
            "category=&channel=fax&claimed_amount=12.345&workers_involved=two&received_at=noon",
        );
        let fields: Vec<&str> = read.unreadable.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "category",
                "channel",
                "claimed_amount",
                "workers_involved",
                "received_at"
            ]
        );
        assert_eq!(
            read.input.workers.len(),
            1,
            "the first worker row is always sent"
        );
    }

    #[test]
    fn a_typed_time_of_receipt_is_the_office_s_local_time() {
        let mut read = form("received_at=2026-11-20T09:30");
        assert!(read.needs_time_zone());
        read.place_received_at(chrono_tz::Asia::Shanghai);
        assert_eq!(
            read.input.received_at.unwrap().to_rfc3339(),
            "2026-11-20T01:30:00+00:00"
        );
    }
}
