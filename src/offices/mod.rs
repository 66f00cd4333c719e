//! Offices: the union offices that own cases and the partner offices cases are referred to.
//! The model and its queries live here; what callers do with offices in [`use_cases`], served
//! over HTTP by [`handlers`].

pub mod handlers;
pub mod use_cases;

pub use use_cases::{create, edit, get, list_page};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::OfficeId;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::offices;
use crate::text_enum;

text_enum! {
    /// What an office is; decides which roles may belong to it and what may be referred to it.
    pub enum OfficeKind {
        Union = "union",
        Judicial = "judicial",
        Hr = "hr",
        Police = "police",
        Court = "court",
        Arbitration = "arbitration",
    }
}

/// The time zone offices count deadlines in unless told otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// An office as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = offices)]
pub struct Office {
    pub id: OfficeId,
    pub name: String,
    pub code: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub parent_id: Option<OfficeId>,
    pub time_zone: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub accepts_online: bool,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub area: Option<String>,
}

/// An office as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeView {
    pub id: String,
    pub name: String,
    /// Short unique code used in case numbers, e.g. `HS`.
    pub code: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    /// IANA time zone in which deadlines are counted.
    pub time_zone: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// A union office listed to workers for online applications (`GET /public/offices`).
    pub accepts_online: bool,
    /// Where workers find it, as the public list shows.
    pub address: Option<String>,
    /// Its public phone number.
    pub phone: Option<String>,
    /// The area it serves, e.g. `鹤山市沙坪街道`.
    pub area: Option<String>,
}

impl From<Office> for OfficeView {
    fn from(office: Office) -> Self {
        let kind = office.kind;
        Self {
            id: office.id.into(),
            name: office.name,
            code: office.code,
            kind,
            email: office.email,
            parent_id: office.parent_id.map(Into::into),
            time_zone: office.time_zone,
            created_at: office.created_at.and_utc(),
            updated_at: office.updated_at.and_utc(),
            version: office.version,
            accepts_online: office.accepts_online,
            address: office.address,
            phone: office.phone,
            area: office.area,
        }
    }
}

/// A validated new office.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = offices)]
pub struct NewOffice {
    pub id: String,
    pub name: String,
    pub code: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    pub time_zone: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub accepts_online: bool,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub area: Option<String>,
}

/// Validated changes to an office; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = offices)]
pub struct OfficeChanges {
    pub name: Option<String>,
    pub code: Option<String>,
    pub email: Option<Option<String>>,
    pub parent_id: Option<Option<String>>,
    pub time_zone: Option<String>,
    pub accepts_online: Option<bool>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub area: Option<Option<String>>,
}

pub fn insert(connection: &mut DbConnection, office: &NewOffice) -> QueryResult<Office> {
    diesel::insert_into(offices::table)
        .values(office)
        .execute(connection)?;
    find(connection, &OfficeId::from(&office.id))
}

pub fn find(connection: &mut DbConnection, id: &OfficeId) -> QueryResult<Office> {
    offices::table
        .find(id)
        .select(Office::as_select())
        .first(connection)
}

pub fn find_by_code(connection: &mut DbConnection, code: &str) -> QueryResult<Office> {
    offices::table
        .filter(offices::code.eq(code))
        .select(Office::as_select())
        .first(connection)
}

/// A page of offices, newest first, optionally of one kind.
pub fn list(
    connection: &mut DbConnection,
    kind: Option<OfficeKind>,
    page: &PageRequest,
) -> QueryResult<Paginated<Office>> {
    let mut query = offices::table.select(Office::as_select()).into_boxed();
    if let Some(kind) = kind {
        query = query.filter(offices::kind.eq(kind.as_str()));
    }
    let rows = crate::keyset_page!(query, offices, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |o| {
        (o.created_at, o.id.as_str())
    }))
}

/// Applies `changes` if the office is still at `version`; `Ok(None)` when it moved on meanwhile.
pub fn update(
    connection: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &OfficeChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<Office>> {
    let updated = diesel::update(offices::table.find(id).filter(offices::version.eq(version)))
        .set((
            changes,
            offices::updated_at.eq(now),
            offices::version.eq(version + 1),
        ))
        .execute(connection)?;
    if updated == 0 {
        return Ok(None);
    }
    find(connection, &id.into()).map(Some)
}

#[derive(QueryableByName)]
struct OfficeIdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The office and every office below it (a county union and its town unions), in one
/// recursive query — what a supervisor's visibility covers.
pub fn with_descendants(connection: &mut DbConnection, id: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<OfficeIdRow> = diesel::sql_query(
        "WITH RECURSIVE tree(id) AS ( \
             SELECT id FROM offices WHERE id = $1 \
             UNION SELECT offices.id FROM offices JOIN tree ON offices.parent_id = tree.id \
         ) SELECT id FROM tree",
    )
    .bind::<Text, _>(id)
    .load(connection)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// The ancestors of an office, nearest first; used to refuse a parent that would make a cycle.
pub fn ancestors(connection: &mut DbConnection, id: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<OfficeIdRow> = diesel::sql_query(
        "WITH RECURSIVE up(id, parent_id) AS ( \
             SELECT id, parent_id FROM offices WHERE id = $1 \
             UNION SELECT offices.id, offices.parent_id FROM offices JOIN up ON offices.id = up.parent_id \
         ) SELECT id FROM up",
    )
    .bind::<Text, _>(id)
    .load(connection)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// The names of the offices `ids` (unknown ids are left out), in one query.
pub fn names(
    connection: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(ids))
        .select((offices::id, offices::name))
        .load(connection)?;
    Ok(rows.into_iter().collect())
}
