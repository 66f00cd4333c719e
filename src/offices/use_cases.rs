//! What callers do with offices — admins create and edit them, every signed-in caller lists and
//! reads them (to pick referral targets) — as functions any front door calls. Each takes the
//! acting [`Caller`] and checks their role, validates its input, owns its transaction and returns
//! the [`OfficeView`] the API answers with; HTTP (`If-Match` parsing, `ETag` and `Location`)
//! stays in `offices::handlers`.

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{NewOffice, OfficeChanges, OfficeKind, OfficeView, DEFAULT_TIME_ZONE};
use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::db::{is_unique_violation, write_transaction, DbConnection};
use crate::domain::check_version;
use crate::domain::ids::OfficeId;
use crate::domain::validation::{text, Validator};
use crate::domain::{new_id, Email};
use crate::error::AppError;
use crate::i18n::Message;
use crate::pagination::{PageRequest, Paginated};

/// `POST /offices` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOffice {
    pub name: String,
    /// 2–10 letters or digits, starting with a letter; stored upper-case.
    pub code: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    /// IANA time zone; default `Asia/Shanghai`.
    pub time_zone: Option<String>,
    /// List a union office to workers for online applications (default `false`).
    pub accepts_online: Option<bool>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The area it serves, as workers know it.
    pub area: Option<String>,
}

/// `PATCH /offices/{id}` body: only the fields given change. `email` or `parent_id` set to
/// `""` clear them. The kind of an office never changes (its users' roles depend on it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOffice {
    pub name: Option<String>,
    pub code: Option<String>,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    pub time_zone: Option<String>,
    pub accepts_online: Option<bool>,
    /// `""` clears it, as for `address`, `phone` and `area`.
    pub address: Option<String>,
    pub phone: Option<String>,
    pub area: Option<String>,
}

/// A field of a PATCH: left as it is (`None`), cleared (`Some(None)`), or set.
type Change = Option<Option<String>>;

/// The public contact fields of an office, each optional and cleared by `""`: an address and
/// an area of at most [`lengths::PLACE`] and [`lengths::NAME`] characters, a phone number.
fn public_contact(
    v: &mut Validator,
    address: Option<&str>,
    phone: Option<&str>,
    area: Option<&str>,
) -> (Change, Change, Change) {
    let blank = |s: &&str| crate::domain::text::is_blank(s);
    let address = address.map(|a| {
        Some(a)
            .filter(|a| !blank(a))
            .and_then(|a| v.check("address", text(a, lengths::PLACE)))
    });
    let phone = phone.map(|p| {
        Some(p)
            .filter(|p| !blank(p))
            .and_then(|p| v.check("phone", crate::domain::identifiers::parse_phone(p)))
    });
    let area = area.map(|a| {
        Some(a)
            .filter(|a| !blank(a))
            .and_then(|a| v.check("area", text(a, lengths::NAME)))
    });
    (address, phone, area)
}

/// An office code as case numbers carry it: upper-cased, 2–10 letters or digits, a letter first.
fn parse_code(raw: &str) -> Result<String, Message> {
    let code = raw.trim().to_ascii_uppercase();
    let valid = (2..=10).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(code)
    } else {
        Err(crate::msg!("field.office_code"))
    }
}

/// An IANA time zone, by its canonical name: the office's deadlines are counted in it.
fn parse_time_zone(raw: &str) -> Result<String, Message> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| crate::msg!("field.time_zone", value = raw))
}

/// An email address, or none when blank (which clears it on an edit).
fn parse_optional_email(raw: &str) -> Result<Option<String>, Message> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Email::parse(raw).map(|email| Some(email.as_str().to_owned()))
    }
}

/// A unique violation on insert or update can only be the code: the id is new, the rest is not
/// unique.
fn code_taken_or(error: diesel::result::Error) -> AppError {
    if is_unique_violation(&error) {
        AppError::invalid("code", crate::msg!("field.office_code.taken"))
    } else {
        error.into()
    }
}

fn check_parent_exists(connection: &mut DbConnection, parent: &str) -> Result<(), AppError> {
    super::find(connection, &parent.into())
        .map_err(|_| AppError::invalid("parent_id", crate::msg!("field.no_such_office")))?;
    Ok(())
}

/// Every invalid field of a [`CreateOffice`] at once (422), or the office to insert.
fn validate_new(input: CreateOffice, now: DateTime<Utc>) -> Result<NewOffice, AppError> {
    let mut v = Validator::new();
    let name = v.check("name", text(&input.name, lengths::NAME));
    let code = v.check("code", parse_code(&input.code));
    let email = v.check(
        "email",
        parse_optional_email(input.email.as_deref().unwrap_or("")),
    );
    let time_zone = v.check(
        "time_zone",
        parse_time_zone(input.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE)),
    );
    let (address, phone, area) = public_contact(
        &mut v,
        input.address.as_deref(),
        input.phone.as_deref(),
        input.area.as_deref(),
    );
    let accepts_online = input.accepts_online.unwrap_or(false);
    v.require(
        !accepts_online || input.kind == OfficeKind::Union,
        "accepts_online",
        crate::msg!("field.accepts_online.union_only"),
    );
    let now = now.naive_utc();
    v.finish_with(|| {
        Some(NewOffice {
            accepts_online,
            address: address.flatten(),
            phone: phone.flatten(),
            area: area.flatten(),
            id: new_id(),
            name: name?,
            code: code?,
            kind: input.kind,
            email: email?,
            parent_id: input.parent_id.filter(|p| !p.is_empty()),
            time_zone: time_zone?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    })
}

/// Creates an office, below an existing parent when one is given.
pub fn create(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateOffice,
    now: DateTime<Utc>,
) -> Result<OfficeView, AppError> {
    caller.require(Action::ManageDirectory)?;
    let office = validate_new(input, now)?;
    let created = write_transaction(connection, |connection| {
        if let Some(parent) = &office.parent_id {
            check_parent_exists(connection, parent)?;
        }
        super::insert(connection, &office).map_err(code_taken_or)
    })?;
    Ok(created.into())
}

/// A page of offices, newest first, optionally of one kind.
pub fn list_page(
    connection: &mut DbConnection,
    caller: &Caller,
    kind: Option<OfficeKind>,
    page: &PageRequest,
) -> Result<Paginated<OfficeView>, AppError> {
    caller.require(Action::ViewOffices)?;
    Ok(super::list(connection, kind, page)?.map(OfficeView::from))
}

/// One office, or 404.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &OfficeId,
) -> Result<OfficeView, AppError> {
    caller.require(Action::ViewOffices)?;
    Ok(super::find(connection, id)?.into())
}

/// The names of the offices `ids`, in one query: a list that shows an office's parent, or a
/// user's office, by name without loading each.
pub fn names(
    connection: &mut DbConnection,
    caller: &Caller,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    caller.require(Action::ViewOffices)?;
    Ok(super::names(connection, ids)?)
}

/// Every invalid field of an [`UpdateOffice`] at once (422), or the changes it asks for.
fn validate_changes(input: UpdateOffice) -> Result<OfficeChanges, AppError> {
    let mut v = Validator::new();
    let (address, phone, area) = public_contact(
        &mut v,
        input.address.as_deref(),
        input.phone.as_deref(),
        input.area.as_deref(),
    );
    let changes = OfficeChanges {
        accepts_online: input.accepts_online,
        address,
        phone,
        area,
        name: input
            .name
            .as_deref()
            .and_then(|n| v.check("name", text(n, lengths::NAME))),
        code: input
            .code
            .as_deref()
            .and_then(|c| v.check("code", parse_code(c))),
        email: input
            .email
            .as_deref()
            .and_then(|e| v.check("email", parse_optional_email(e))),
        parent_id: input.parent_id.map(|p| Some(p).filter(|p| !p.is_empty())),
        time_zone: input
            .time_zone
            .as_deref()
            .and_then(|t| v.check("time_zone", parse_time_zone(t))),
    };
    v.finish()?;
    Ok(changes)
}

/// Edits an office at the version the client read. A new parent must exist and must not be the
/// office itself or below it: the office tree (supervisors' visibility) has no cycles.
pub fn edit(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &OfficeId,
    expected_version: Option<i32>,
    input: UpdateOffice,
    now: DateTime<Utc>,
) -> Result<OfficeView, AppError> {
    caller.require(Action::ManageDirectory)?;
    let changes = validate_changes(input)?;
    let now = now.naive_utc();
    let office = write_transaction(connection, |connection| {
        let current = super::find(connection, id)?;
        check_version(expected_version, current.version)?;
        if changes.accepts_online == Some(true) && current.kind != OfficeKind::Union {
            return Err(AppError::invalid(
                "accepts_online",
                crate::msg!("field.accepts_online.union_only"),
            ));
        }
        if let Some(Some(parent)) = &changes.parent_id {
            check_parent_exists(connection, parent)?;
            if super::ancestors(connection, parent)?
                .iter()
                .any(|a| a == id.as_str())
            {
                return Err(AppError::invalid(
                    "parent_id",
                    crate::msg!("field.parent_id.cycle"),
                ));
            }
        }
        super::update(connection, id, current.version, &changes, now)
            .map_err(code_taken_or)?
            .ok_or_else(|| {
                AppError::PreconditionFailed(crate::msg!("detail.version_conflict.office"))
            })
    })?;
    Ok(office.into())
}
