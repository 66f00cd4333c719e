//! The case page's forms that add to the case file: a referral to a partner office, a joint
//! session, the signed agreement with its terms, a payment, a follow-up. Each handler names its
//! form and hands [`act`] the work (the token check and the answer are `act`'s); the work reads
//! the form ([`super::case_actions_input`]) and calls the use case, which decides everything
//! else and writes the audit event; dates and times are read in the case office's time zone.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::case_actions_input::{all_of, day, local_moment, on_day, required_yuan, Reading};
use super::case_page::{act, Form};
use super::case_view::zone_of;
use super::case_view_actions::TERM_ROWS;
use super::case_view_forms::require_confirmation;
use super::layout::ConsoleUser;
use super::session::lang;
use crate::agreements::use_cases::{CreateAgreement, CreatePayment, TermInputBody};
use crate::app::AppState;
use crate::domain::ids::CaseId;
use crate::error::AppError;
use crate::follow_ups::use_cases::CreateFollowUp;
use crate::follow_ups::FollowUpMethod;
use crate::i18n::{Lang, List, Message};
use crate::msg;
use crate::pages::forms::Values;
use crate::referrals::rules::ReferralKind;
use crate::referrals::use_cases::CreateReferral;
use crate::sessions::use_cases::CreateSession;

/// The enum value a select sent: "required" when blank, "one of …" when unknown.
fn chosen<T: Copy>(
    typed: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, Message> {
    match typed.trim() {
        "" => Err(msg!("field.required")),
        value => parse(value).ok_or_else(|| {
            msg!(
                "field.one_of",
                allowed = List::of(all.iter().map(|v| name(*v)))
            )
        }),
    }
}

/// `POST /console/cases/{id}/referrals`: refer the case to a partner office for one task.
pub async fn refer(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("refer");
    act(&state, &user, id.into_inner(), &body, form, send_referral).await
}

async fn send_referral(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    let input = referral(values)?;
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    let due_hours = state.config.referral_due_hours.clone();
    state
        .db
        .run(move |c| crate::referrals::refer(c, &caller, &id, input, &due_hours, now))
        .await
        .map(drop)
}

fn referral(values: &Values) -> Result<CreateReferral, AppError> {
    require_confirmation(values)?;
    let mut reading = Reading::default();
    let kind = chosen(
        values.get("kind"),
        ReferralKind::parse,
        ReferralKind::ALL,
        ReferralKind::as_str,
    );
    let kind = reading.take("kind", kind);
    Ok(CreateReferral {
        office_id: values.get("office_id").trim().to_owned(),
        kind: reading.done(kind)?,
        request: values.get("request").to_owned(),
        due_at: None,
    })
}

/// `POST /console/cases/{id}/sessions`: schedule a joint session with partner offices.
pub async fn schedule(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let offices = all_of(&body, "office_ids");
    let form = Form::named("session").with_group("office_ids");
    let work = async |state: &AppState, user: &ConsoleUser, case_id: &CaseId, values: &Values| {
        hold_session(state, user, case_id, values, offices).await
    };
    act(&state, &user, id.into_inner(), &body, form, work).await
}

async fn hold_session(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
    offices: Vec<String>,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let (caller, id, now, texts) = (
        user.caller.clone(),
        case_id.clone(),
        state.clock.now(),
        state.texts(),
    );
    let typed = values.get("scheduled_at").to_owned();
    let location = values.get("location").to_owned();
    state
        .db
        .run(move |c| {
            let zone = zone_of(c, &caller, &id, now)?;
            let scheduled_at = local_moment(&typed, zone)
                .map_err(|message| AppError::invalid("scheduled_at", message))?;
            let input = CreateSession {
                scheduled_at,
                location,
                office_ids: offices,
            };
            crate::sessions::schedule(c, &caller, &id, input, &texts, now)
        })
        .await
        .map(drop)
}

/// The rows of the agreement form with anything typed in them, in order: blank rows are left
/// out, so the use case's `terms[i]` is form row `rows[i]`.
fn filled_rows(values: &Values) -> Vec<usize> {
    (0..TERM_ROWS)
        .filter(|row| {
            ["description", "amount", "payee", "due_date"]
                .iter()
                .any(|part| {
                    !values
                        .get(&format!("terms[{row}].{part}"))
                        .trim()
                        .is_empty()
                })
        })
        .collect()
}

/// `POST /console/cases/{id}/agreement`: record the signed agreement and its terms. The rows
/// typed in are read here too, only to put the use case's `terms[i]` errors back on their rows.
pub async fn agreement(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let rows = filled_rows(&Values::read(&body));
    let rename = |field: &str| agreement_field(field, &rows);
    let form = Form::named("agreement").renamed(&rename);
    act(&state, &user, id.into_inner(), &body, form, sign_agreement).await
}

async fn sign_agreement(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let rows = filled_rows(values);
    let (caller, id, now, texts) = (
        user.caller.clone(),
        case_id.clone(),
        state.clock.now(),
        state.texts(),
    );
    let (form, lang) = (values.clone(), lang());
    state
        .db
        .run(move |c| {
            let zone = zone_of(c, &caller, &id, now)?;
            let input = signed_agreement(&form, &rows, zone, now, lang)?;
            crate::agreements::record_agreement(c, &caller, &id, input, &texts, now)
        })
        .await
        .map(drop)
}

/// The form's name of the use case's field: `signed_at` → `signed_on`, `terms[1].amount_fen` →
/// `terms[2].amount` when the second term was typed in the third row.
fn agreement_field(field: &str, rows: &[usize]) -> String {
    if field == "signed_at" {
        return "signed_on".to_owned();
    }
    let term = field
        .strip_prefix("terms[")
        .and_then(|rest| rest.split_once("]."))
        .and_then(|(index, part)| Some((rows.get(index.parse::<usize>().ok()?)?, part)));
    match term {
        Some((row, part)) => format!("terms[{row}].{}", part.trim_end_matches("_fen")),
        None => field.to_owned(),
    }
}

/// The agreement typed in the form: the signing day and each filled row as a term. A term
/// with no description is named after its row ("第 1 期款项").
fn signed_agreement(
    values: &Values,
    rows: &[usize],
    zone: Tz,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<CreateAgreement, AppError> {
    let mut reading = Reading::default();
    let signed_on = reading.take("signed_on", day(values.get("signed_on")));
    let mut terms = Vec::new();
    for row in rows {
        let field = |part: &str| format!("terms[{row}].{part}");
        let amount = reading.take(
            &field("amount"),
            required_yuan(values.get(&field("amount"))),
        );
        let due = reading.take(&field("due_date"), day(values.get(&field("due_date"))));
        let description = values
            .optional(&field("description"))
            .unwrap_or_else(|| msg!("console.case.form.term_default", n = row + 1).render(lang));
        let payee = values.get(&field("payee")).to_owned();
        terms.extend(amount.zip(due).map(|(amount_fen, due_date)| TermInputBody {
            description,
            amount_fen,
            payee,
            due_date,
        }));
    }
    let signed_on = reading.done(signed_on)?;
    Ok(CreateAgreement {
        signed_at: on_day(signed_on, zone, now),
        terms,
    })
}

/// `POST /console/cases/{id}/payments`: record money actually paid.
pub async fn payment(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("payment").renamed(&payment_field);
    act(&state, &user, id.into_inner(), &body, form, pay).await
}

/// The payment form's name of the use case's field: the form takes yuan on a day.
fn payment_field(field: &str) -> String {
    match field {
        "amount_fen" => "amount".to_owned(),
        "paid_at" => "paid_on".to_owned(),
        other => other.to_owned(),
    }
}

async fn pay(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    require_confirmation(values)?;
    let mut reading = Reading::default();
    let amount = reading.take("amount", required_yuan(values.get("amount")));
    let paid_on = reading.take("paid_on", day(values.get("paid_on")));
    let (amount_fen, paid_on) = reading.done(amount.zip(paid_on))?;
    let note = values.optional("note");
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    state
        .db
        .run(move |c| {
            let paid_at = on_day(paid_on, zone_of(c, &caller, &id, now)?, now);
            let input = CreatePayment {
                amount_fen,
                paid_at,
                note,
                allocations: None,
            };
            crate::agreements::record_payment(c, &caller, &id, input, now)
        })
        .await
        .map(drop)
}

/// `POST /console/cases/{id}/follow-ups`: record a follow-up with the worker.
pub async fn follow_up(
    state: web::Data<AppState>,
    user: ConsoleUser,
    id: web::Path<CaseId>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::named("follow_up");
    act(&state, &user, id.into_inner(), &body, form, call_back).await
}

async fn call_back(
    state: &AppState,
    user: &ConsoleUser,
    case_id: &CaseId,
    values: &Values,
) -> Result<(), AppError> {
    let input = follow_up_input(values)?;
    let (caller, id, now) = (user.caller.clone(), case_id.clone(), state.clock.now());
    state
        .db
        .run(move |c| crate::follow_ups::record(c, &caller, &id, input, now))
        .await
        .map(drop)
}

/// The follow-up typed in the form; a rating is optional.
fn follow_up_input(values: &Values) -> Result<CreateFollowUp, AppError> {
    require_confirmation(values)?;
    let mut reading = Reading::default();
    let method = chosen(
        values.get("method"),
        FollowUpMethod::parse,
        FollowUpMethod::ALL,
        FollowUpMethod::as_str,
    );
    let method = reading.take("method", method);
    let rating = match values.optional("satisfaction") {
        Some(typed) => {
            let number = typed.trim().parse::<i32>().map(Some);
            reading.take(
                "satisfaction",
                number.map_err(|_| msg!("field.expected_integer")),
            )
        }
        None => Some(None),
    };
    let (method, satisfaction) = reading.done(method.zip(rating))?;
    Ok(CreateFollowUp {
        method,
        reached: values.checked("reached"),
        satisfaction,
        note: values.get("note").to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terms_error_lands_on_the_row_it_was_typed_in() {
        let rows = [0, 2];
        assert_eq!(
            agreement_field("terms[1].amount_fen", &rows),
            "terms[2].amount"
        );
        assert_eq!(agreement_field("terms[0].payee", &rows), "terms[0].payee");
        assert_eq!(agreement_field("signed_at", &rows), "signed_on");
        assert_eq!(agreement_field("terms", &rows), "terms");
    }

    #[test]
    fn blank_rows_of_the_agreement_form_are_left_out() {
        let values = Values::read(b"terms[0].amount=3000&terms[2].payee=x&terms[1].amount=+");
        assert_eq!(filled_rows(&values), [0, 2]);
    }

    #[test]
    fn every_unreadable_field_of_the_agreement_is_reported_at_once() {
        let values = Values::read(b"signed_on=x&terms[0].amount=1.234&terms[0].due_date=");
        let zone = chrono_tz::Asia::Shanghai;
        let Err(AppError::Validation(errors)) =
            signed_agreement(&values, &[0], zone, Utc::now(), Lang::Zh)
        else {
            panic!("read")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["signed_on", "terms[0].amount", "terms[0].due_date"]
        );
    }
}
