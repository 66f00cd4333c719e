//! Users: people who sign in. The model and its queries live here; what an admin does with
//! users in [`use_cases`], served over HTTP by [`handlers`].

pub mod handlers;
pub mod registration;
pub mod use_cases;

pub use use_cases::{create, edit, get, list_page};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::{OfficeId, UserId};
use crate::pagination::{PageRequest, Paginated};
use crate::schema::users;
use crate::text_enum;

text_enum! {
    /// What a user is; with their office it decides what they see and may do (`auth::policy`).
    pub enum Role {
        Admin = "admin",
        UnionMediator = "union_mediator",
        UnionSupervisor = "union_supervisor",
        PoliceOfficer = "police_officer",
        JudicialOfficer = "judicial_officer",
        HrOfficer = "hr_officer",
        Lawyer = "lawyer",
        /// 网格员/信息员/义务调解员: reports risks (docs/prevention.md) and sees nothing else.
        GridWorker = "grid_worker",
    }
}

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub email_normalized: String,
    pub name: String,
    /// Read as a `Role`: a value the service does not know is an error, never a silent role.
    pub role: Role,
    pub office_id: Option<OfficeId>,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub office_id: Option<String>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        let role = user.role;
        Self {
            id: user.id.into(),
            email: user.email,
            name: user.name,
            role,
            office_id: user.office_id.map(Into::into),
            active: user.active,
            created_at: user.created_at.and_utc(),
            updated_at: user.updated_at.and_utc(),
            version: user.version,
        }
    }
}

/// A validated new user, password already hashed.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub name: String,
    pub role: Role,
    pub office_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// Validated changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub role: Option<Role>,
    pub office_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

pub fn insert(connection: &mut DbConnection, user: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(connection)?;
    find(connection, &UserId::from(&user.id))
}

pub fn find(connection: &mut DbConnection, id: &UserId) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(connection)
}

/// The user with this email, compared case-insensitively.
pub fn find_by_email(
    connection: &mut DbConnection,
    normalized_email: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email_normalized.eq(normalized_email))
        .select(User::as_select())
        .first(connection)
        .optional()
}

pub fn count(connection: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(connection)
}

/// Counts active admins. On PostgreSQL their rows are locked first, so two concurrent demotions
/// of two different admins cannot both see "one other admin left" (SQLite writes are exclusive).
/// Call inside the write transaction of the change.
pub fn active_admins(connection: &mut DbConnection) -> QueryResult<i64> {
    if connection.is_postgres() {
        diesel::sql_query("SELECT id FROM users WHERE role = 'admin' AND active FOR UPDATE")
            .execute(connection)?;
    }
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(connection)
}

/// Someone a form offers to pick: their id and name, and their office's name to tell two of
/// the same name apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pickable {
    pub id: String,
    pub name: String,
    pub office: Option<String>,
}

/// The active users of any of `roles`, by name, each with their office's name, in one query: the
/// people a picker may offer (a county has tens of them, so the list is whole).
pub fn active_with_roles(
    connection: &mut DbConnection,
    roles: &[Role],
) -> QueryResult<Vec<Pickable>> {
    use crate::schema::offices;
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let rows: Vec<(String, String, Option<String>)> = users::table
        .left_join(offices::table)
        .filter(users::role.eq_any(roles))
        .filter(users::active.eq(true))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name, offices::name.nullable()))
        .load(connection)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, office)| Pickable { id, name, office })
        .collect())
}

/// Filters of the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub office_id: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A page of users, newest first.
pub fn list(
    connection: &mut DbConnection,
    filter: &UserFilter,
    page: &PageRequest,
) -> QueryResult<Paginated<User>> {
    let mut query = users::table.select(User::as_select()).into_boxed();
    if let Some(office_id) = &filter.office_id {
        query = query.filter(users::office_id.eq(office_id.clone()));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    let rows = crate::keyset_page!(query, users, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |u| {
        (u.created_at, u.id.as_str())
    }))
}

/// Applies `changes` if the user is still at `version`; `Ok(None)` when it moved on meanwhile.
pub fn update(
    connection: &mut DbConnection,
    id: &str,
    version: i32,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<User>> {
    let updated = diesel::update(users::table.find(id).filter(users::version.eq(version)))
        .set((
            changes,
            users::updated_at.eq(now),
            users::version.eq(version + 1),
        ))
        .execute(connection)?;
    if updated == 0 {
        return Ok(None);
    }
    find(connection, &id.into()).map(Some)
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Text;

    use super::*;

    #[derive(QueryableByName)]
    struct StoredRole {
        #[diesel(sql_type = Text)]
        role: Role,
    }

    #[test]
    fn a_stored_role_reads_as_its_role_and_an_unknown_one_is_an_error_not_a_default() {
        let sqlite = diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        let mut connection = DbConnection::Sqlite(sqlite);
        let known: StoredRole = diesel::sql_query("SELECT 'union_mediator' AS role")
            .get_result(&mut connection)
            .expect("a known role");
        assert_eq!(known.role, Role::UnionMediator);
        let unknown =
            diesel::sql_query("SELECT 'wizard' AS role").get_result::<StoredRole>(&mut connection);
        assert!(
            unknown.is_err(),
            "an unknown role must not read as any role"
        );
    }
}
