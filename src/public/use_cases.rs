//! The worker's front door, as use cases the public API and the pages both call: which offices
//! take online applications, a code texted to prove the phone, the application itself (through
//! the same intake as `POST /cases`), and the case as the worker may follow it.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::{self, digest, same_digest};
use super::surveys::worker_actor;
use super::throttle::{self, hit};
use crate::cases::intake::{self, CreateCase, EmployerInput, WorkerInput, WorkerRole};
use crate::cases::{Category, Channel};
use crate::db::{write_transaction, DbConnection};
use crate::domain::identifiers::parse_phone;
use crate::domain::new_id;
use crate::domain::protect::PersonalData;
use crate::domain::validation::Validator;
use crate::error::AppError;
use crate::notify::sms::{enqueue_sms, Sms, SmsTemplate};
use crate::notify::templates::Template;
use crate::notify::Notification;
use crate::offices::{self, OfficeKind};
use crate::schema::{
    case_access, case_parties, offices as offices_table, phone_verifications, users,
};
use crate::users::Role;

/// How long a texted code is good for.
pub const CODE_MINUTES: i64 = 10;

/// Wrong codes before a texted code is spent and a new one must be asked for.
const CODE_ATTEMPTS: i32 = 5;

/// Who is asking, as far as a request without an account tells: the client's address (the
/// peer's, or `X-Forwarded-For`'s when the peer is a trusted proxy).
#[derive(Debug, Clone)]
pub struct PublicContext {
    pub client_address: String,
    /// The origin of the links texted to the worker (`MEDIATION_PUBLIC_URL`).
    pub base_url: String,
}

/// A union office that takes online applications, as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicOfficeView {
    /// Short code: the one an application names (`office_code`).
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The area it serves, e.g. `鹤山市沙坪街道`.
    pub area: Option<String>,
}

/// The union offices that take online applications, by code.
pub fn online_offices(connection: &mut DbConnection) -> Result<Vec<PublicOfficeView>, AppError> {
    let rows = offices_table::table
        .filter(offices_table::accepts_online.eq(true))
        .filter(offices_table::kind.eq(OfficeKind::Union))
        .order(offices_table::code.asc())
        .select((
            offices_table::code,
            offices_table::name,
            offices_table::address,
            offices_table::phone,
            offices_table::area,
        ))
        .load::<(
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        )>(connection)?;
    Ok(rows
        .into_iter()
        .map(|(code, name, address, phone, area)| PublicOfficeView {
            code,
            name,
            address,
            phone,
            area,
        })
        .collect())
}

/// `POST /public/verifications` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    /// A mainland mobile number; full-width digits and spaces are fine.
    pub phone: String,
}

/// When the texted code stops working.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationSent {
    pub expires_at: DateTime<Utc>,
}

/// A mobile number (11 digits), or the field's message.
fn mobile(raw: &str) -> Result<String, crate::i18n::Message> {
    let phone = parse_phone(raw)?;
    if phone.contains('-') {
        return Err(crate::msg!("field.phone.mobile"));
    }
    Ok(phone)
}

/// Texts a 6-digit code to `input.phone`, good for [`CODE_MINUTES`] and once. Throttled per
/// phone and per address (429), so the form cannot be used to flood someone's phone.
pub fn request_verification(
    connection: &mut DbConnection,
    context: &PublicContext,
    personal_data: &PersonalData,
    input: VerificationRequest,
    now: DateTime<Utc>,
) -> Result<VerificationSent, AppError> {
    let phone = mobile(&input.phone).map_err(|m| AppError::invalid("phone", m))?;
    hit(
        connection,
        personal_data,
        throttle::CODES_PER_ADDRESS,
        &context.client_address,
        now,
    )?;
    hit(
        connection,
        personal_data,
        throttle::CODES_PER_PHONE,
        &phone,
        now,
    )?;
    let code = codes::new_verification_code();
    let id = new_id();
    let expires_at = now + Duration::minutes(CODE_MINUTES);
    write_transaction(connection, |connection| {
        diesel::insert_into(phone_verifications::table)
            .values((
                phone_verifications::id.eq(&id),
                phone_verifications::phone_digest.eq(digest(personal_data, "phone", "", &phone)),
                phone_verifications::code_digest.eq(digest(personal_data, "verify", &id, &code)),
                phone_verifications::expires_at.eq(expires_at.naive_utc()),
                phone_verifications::created_at.eq(now.naive_utc()),
            ))
            .execute(connection)?;
        let sms = Sms {
            template: SmsTemplate::VerificationCode,
            phone: &phone,
            params: [
                ("code", code.clone()),
                ("minutes", CODE_MINUTES.to_string()),
            ]
            .into(),
            case_id: None,
            dedup_key: None,
        };
        enqueue_sms(connection, personal_data, sms, now.naive_utc())
            .map_err(AppError::from_write)?;
        Ok::<_, AppError>(())
    })?;
    Ok(VerificationSent { expires_at })
}

/// Spends the newest live code texted to `phone` if `code` is it; counts a wrong one. Runs in
/// the application's transaction, so a code is spent only by an application that was stored.
fn spend_code(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    phone: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let newest = phone_verifications::table
        .filter(phone_verifications::phone_digest.eq(digest(personal_data, "phone", "", phone)))
        .filter(phone_verifications::used_at.is_null())
        .filter(phone_verifications::expires_at.gt(now.naive_utc()))
        .filter(phone_verifications::failed_attempts.lt(CODE_ATTEMPTS))
        .order(phone_verifications::created_at.desc())
        .select((phone_verifications::id, phone_verifications::code_digest))
        .first::<(String, String)>(connection)
        .optional()?;
    let Some((id, stored)) = newest else {
        return Ok(false);
    };
    let typed = crate::domain::identifiers::normalize_typed(code);
    let row = phone_verifications::table.filter(phone_verifications::id.eq(&id));
    if same_digest(&stored, &digest(personal_data, "verify", &id, &typed)) {
        diesel::update(row)
            .set(phone_verifications::used_at.eq(now.naive_utc()))
            .execute(connection)?;
        Ok(true)
    } else {
        diesel::update(row)
            .set(phone_verifications::failed_attempts.eq(phone_verifications::failed_attempts + 1))
            .execute(connection)?;
        Ok(false)
    }
}

/// `POST /public/applications` body: a worker applies for mediation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The union office applied to (`GET /public/offices`).
    pub office_code: String,
    pub phone: String,
    /// The code texted by `POST /public/verifications`.
    pub verification_code: String,
    /// The worker's name.
    pub name: String,
    pub id_number: Option<String>,
    pub category: Category,
    pub summary: String,
    pub claimed_amount_fen: Option<i64>,
    pub workers_involved: i32,
    pub employer: ApplicationEmployer,
    /// The worker agrees to be texted about the case (PIPL); required to apply online.
    pub sms_consent: bool,
}

/// The employer, as a worker knows it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationEmployer {
    pub name: String,
    pub credit_code: Option<String>,
    pub address: Option<String>,
}

/// What the worker keeps: the case number and access code, and the link to follow the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub case_number: String,
    /// Shown once and texted; with the case number it opens the case's page.
    pub access_code: String,
    pub track_url: String,
}

/// Registers an online application as a case in `intake` (channel `online`) through the same
/// validation and intake as `POST /cases`, spends the texted code, keeps the worker's access
/// code, records the consent to SMS, tells the office's mediators by email and the worker by
/// text — all in one transaction.
pub fn apply(
    connection: &mut DbConnection,
    context: &PublicContext,
    personal_data: &PersonalData,
    input: Application,
    now: DateTime<Utc>,
) -> Result<Submitted, AppError> {
    hit(
        connection,
        personal_data,
        throttle::APPLICATIONS_PER_ADDRESS,
        &context.client_address,
        now,
    )?;
    let mut v = Validator::new();
    let phone = v.check("phone", mobile(&input.phone));
    v.require(
        input.sms_consent,
        "sms_consent",
        crate::msg!("field.sms_consent.required"),
    );
    let office = offices::find_by_code(connection, &input.office_code.trim().to_ascii_uppercase())
        .optional()?
        .filter(|o| o.kind == OfficeKind::Union && o.accepts_online);
    v.require(
        office.is_some(),
        "office_code",
        crate::msg!("field.office_code.not_online"),
    );
    let intake = intake::validate(case_input(&input, phone.clone()), now);
    let intake = match (intake, v.finish()) {
        (Ok(intake), Ok(())) => intake,
        (Err(AppError::Validation(mut errors)), Err(AppError::Validation(mine))) => {
            errors.extend(mine);
            return Err(AppError::Validation(rename_intake_fields(errors)));
        }
        (Err(AppError::Validation(errors)), _) => {
            return Err(AppError::Validation(rename_intake_fields(errors)))
        }
        (Err(other), _) | (_, Err(other)) => return Err(other),
    };
    let (Some(office), Some(phone)) = (office, phone) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validated application lost its office"
        )));
    };
    let access_code = codes::new_access_code();
    let case = write_transaction(connection, |connection| {
        if !spend_code(
            connection,
            personal_data,
            &phone,
            &input.verification_code,
            now,
        )? {
            return Err(AppError::invalid(
                "verification_code",
                crate::msg!("field.verification_code.wrong"),
            ));
        }
        let at = now.naive_utc();
        let case = intake::register(
            connection,
            &office,
            &intake,
            &worker_actor(),
            personal_data,
            at,
        )?;
        let party_id: Option<String> = case_parties::table
            .filter(case_parties::case_id.eq(case.id.as_str()))
            .order(case_parties::created_at.asc())
            .select(case_parties::id)
            .first(connection)
            .optional()?;
        let normalized = codes::normalize_access_code(&access_code);
        diesel::insert_into(case_access::table)
            .values((
                case_access::case_id.eq(case.id.as_str()),
                case_access::code_digest.eq(digest(personal_data, "access", &case.id, &normalized)),
                case_access::party_id.eq(party_id),
                case_access::created_at.eq(at),
            ))
            .execute(connection)?;
        tell_the_office(connection, &office, &case, at)?;
        let sms = Sms {
            template: SmsTemplate::ApplicationReceived,
            phone: &phone,
            params: [
                ("case_number", case.case_number.clone()),
                ("access_code", access_code.clone()),
                ("track_url", track_url(context, &case.case_number)),
            ]
            .into(),
            case_id: Some(&case.id),
            dedup_key: None,
        };
        enqueue_sms(connection, personal_data, sms, at).map_err(AppError::from_write)?;
        Ok(case)
    })?;
    Ok(Submitted {
        track_url: track_url(context, &case.case_number),
        case_number: case.case_number,
        access_code,
    })
}

/// The link a worker follows to their case: the page with the case number filled in (the
/// access code is typed, never put in a URL that lands in histories and logs).
pub fn track_url(context: &PublicContext, case_number: &str) -> String {
    format!("{}/track?case={case_number}", context.base_url)
}

/// The application as the intake of `POST /cases` reads it: the worker is the one claimant.
fn case_input(input: &Application, phone: Option<String>) -> CreateCase {
    CreateCase {
        category: input.category,
        channel: Channel::Online,
        summary: input.summary.clone(),
        received_at: None,
        claimed_amount_fen: input.claimed_amount_fen.unwrap_or(0),
        workers_involved: Some(input.workers_involved),
        flags: Vec::new(),
        employer: EmployerInput {
            name: input.employer.name.clone(),
            credit_code: input.employer.credit_code.clone(),
            address: input.employer.address.clone(),
            contact_name: None,
            contact_phone: None,
        },
        workers: vec![WorkerInput {
            name: input.name.clone(),
            id_number: input.id_number.clone(),
            phone: phone.or_else(|| Some(input.phone.clone())),
            role: WorkerRole::Claimant,
            // Stored with the party by the intake, as staff record it (PIPL).
            sms_consent: input.sms_consent,
        }],
    }
}

/// The intake names the worker's fields `workers[0].name`; the application calls them `name`.
fn rename_intake_fields(errors: Vec<crate::error::FieldError>) -> Vec<crate::error::FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            if let Some(rest) = error.field.strip_prefix("workers[0].") {
                error.field = rest.to_owned();
            }
            error
        })
        .collect()
}

/// The office's union staff and its own address hear of the application.
fn tell_the_office(
    connection: &mut DbConnection,
    office: &offices::Office,
    case: &crate::cases::Case,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let staff = [Role::UnionMediator.as_str(), Role::UnionSupervisor.as_str()];
    let mut recipients: Vec<String> = users::table
        .filter(users::office_id.eq(office.id.as_str()))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(staff))
        .select(users::email)
        .load(connection)?;
    recipients.extend(office.email.clone());
    let vars = [
        ("office_name", office.name.clone()),
        ("case_number", case.case_number.clone()),
        ("category", case.category.as_str().to_owned()),
        ("workers_involved", case.workers_involved.to_string()),
        ("employer", case.employer_name.clone()),
        ("console_url", crate::notify::links::case_page(&case.id)),
    ]
    .into();
    let notification = Notification {
        template: Template::OnlineApplication,
        recipients,
        case_id: Some(&case.id),
        dedup_key: None,
        vars,
    };
    crate::notify::enqueue(connection, notification, now).map_err(AppError::from_write)?;
    Ok(())
}
