//! The parties of a case: workers, the employer and representatives. ID and phone numbers are
//! stored encrypted with a keyed search hash (see `domain::protect`) and shown masked.

pub mod handlers;
pub mod use_cases;

pub use use_cases::{add, list_for, reveal};

use crate::domain::lengths;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::identifiers::{mask_id_number, mask_phone, parse_phone, parse_resident_id};
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::protect::PersonalData;
use crate::domain::validation::{text, Validator};
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{case_parties, cases};
use crate::text_enum;

text_enum! {
    /// A party's place in the dispute.
    pub enum PartyKind {
        Worker = "worker",
        Employer = "employer",
        Representative = "representative",
    }
}

/// A party as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_parties)]
pub struct Party {
    pub id: String,
    pub case_id: CaseId,
    pub kind: PartyKind,
    pub name: String,
    pub id_number_cipher: Option<String>,
    pub id_number_masked: Option<String>,
    pub id_number_hash: Option<String>,
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub created_at: NaiveDateTime,
    /// The party agreed to be texted about the case (PIPL): only then is a text written to them.
    pub sms_consent: bool,
    /// When that consent was recorded.
    pub sms_consent_at: Option<NaiveDateTime>,
}

/// A party as the API shows it: ID and phone numbers masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyView {
    pub id: String,
    pub kind: PartyKind,
    pub name: String,
    /// Masked, e.g. `4401**********123X`.
    pub id_number: Option<String>,
    /// Masked, e.g. `138****5678`.
    pub phone: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Whether the party agreed to receive text messages about the case
    /// (docs/notifications.md, "Text messages to workers").
    pub sms_consent: bool,
    /// When that consent was recorded; `null` without consent.
    pub sms_consent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Party> for PartyView {
    fn from(party: Party) -> Self {
        Self {
            kind: party.kind,
            id: party.id,
            name: party.name,
            id_number: party.id_number_masked,
            phone: party.phone_masked,
            created_at: party.created_at.and_utc(),
            sms_consent: party.sms_consent,
            sms_consent_at: party.sms_consent_at.map(|t| t.and_utc()),
        }
    }
}

/// A party as received (`POST /cases/{id}/parties`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub kind: PartyKind,
    pub name: String,
    /// A resident ID number (GB 11643); for the employer party, leave empty. Full-width
    /// characters and spaces are accepted and normalised (NFKC, spaces removed).
    pub id_number: Option<String>,
    /// A mainland mobile or a landline with area code; full-width characters, spaces, hyphens
    /// and parentheses are accepted and normalised.
    pub phone: Option<String>,
    /// The worker (or their representative) agrees to receive text messages about the case on
    /// this phone, which must then be a mobile. Default `false`: nobody is texted without it.
    #[serde(default)]
    pub sms_consent: bool,
}

/// A checked party whose sensitive numbers are still in plain text (never stored as such).
#[derive(Debug, Clone)]
pub struct ValidParty {
    pub kind: PartyKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub sms_consent: bool,
}

/// Whether `phone` (normalised by `parse_phone`) can receive a text: a mainland mobile, not a
/// landline.
pub fn is_mobile(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// Checks one party, reporting problems under `prefix` (e.g. `workers[0].`).
pub fn validate(v: &mut Validator, prefix: &str, input: &PartyInput) -> Option<ValidParty> {
    let name = v.check(&format!("{prefix}name"), text(&input.name, lengths::NAME));
    let present = |raw: &Option<String>| {
        raw.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id_number = present(&input.id_number)
        .map(|raw| v.check(&format!("{prefix}id_number"), parse_resident_id(&raw)));
    let phone =
        present(&input.phone).map(|raw| v.check(&format!("{prefix}phone"), parse_phone(&raw)));
    // `Some(None)` is a number that failed its check: already reported, the party is invalid.
    let (id_number, phone) = match (id_number, phone) {
        (Some(None), _) | (_, Some(None)) => return None,
        (id_number, phone) => (id_number.flatten(), phone.flatten()),
    };
    if input.sms_consent {
        let field = format!("{prefix}sms_consent");
        if input.kind == PartyKind::Employer {
            v.add(&field, crate::msg!("field.sms_consent.worker_side"));
            return None;
        }
        if !phone.as_deref().is_some_and(is_mobile) {
            v.add(&field, crate::msg!("field.sms_consent.needs_mobile"));
            return None;
        }
    }
    Some(ValidParty {
        kind: input.kind,
        name: name?,
        id_number,
        phone,
        sms_consent: input.sms_consent,
    })
}

impl ValidParty {
    /// The row to store: numbers encrypted, masked and (ID numbers) search-hashed.
    pub fn protect(&self, protector: &PersonalData, case_id: &str, now: NaiveDateTime) -> Party {
        Party {
            id: new_id(),
            case_id: case_id.to_owned().into(),
            kind: self.kind,
            name: self.name.clone(),
            id_number_cipher: self.id_number.as_deref().map(|n| protector.encrypt(n)),
            id_number_masked: self.id_number.as_deref().map(mask_id_number),
            id_number_hash: self.id_number.as_deref().map(|n| protector.search_hash(n)),
            phone_cipher: self.phone.as_deref().map(|p| protector.encrypt(p)),
            phone_masked: self.phone.as_deref().map(mask_phone),
            created_at: now,
            sms_consent: self.sms_consent,
            sms_consent_at: self.sms_consent.then_some(now),
        }
    }
}

pub fn insert(connection: &mut DbConnection, party: &Party) -> QueryResult<usize> {
    diesel::insert_into(case_parties::table)
        .values(party)
        .execute(connection)
}

/// Appends a new party's name to its case's search text, in the format of
/// `cases::extend_search_text`. Appended in SQL, not read and rewritten, so two parties added
/// at once both stay searchable; the case's search keys are rewritten after it in the same
/// transaction (`cases::search_index`), from the text as the row lock left it.
pub fn add_to_search_text(
    connection: &mut DbConnection,
    case_id: &str,
    name: &str,
) -> QueryResult<usize> {
    let line = crate::cases::extend_search_text("", &[name]);
    let updated = diesel::update(cases::table.find(case_id))
        .set(cases::search_text.eq(cases::search_text.concat(line)))
        .execute(connection)?;
    crate::cases::search_index::refresh(connection, case_id)?;
    Ok(updated)
}

/// A page of the parties of a case, in the order they were added.
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> QueryResult<Paginated<Party>> {
    let query = case_parties::table
        .filter(case_parties::case_id.eq(case_id.to_owned()))
        .select(Party::as_select())
        .into_boxed();
    let rows: Vec<Party> =
        crate::keyset_page_oldest_first!(query, case_parties, created_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |p| {
        (p.created_at, p.id.as_str())
    }))
}

/// The parties of a case in the order they were added.
pub fn list(connection: &mut DbConnection, case_id: &str) -> QueryResult<Vec<Party>> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .order((case_parties::created_at.asc(), case_parties::id.asc()))
        .select(Party::as_select())
        .load(connection)
}
