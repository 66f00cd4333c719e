//! The names of whoever acts on cases — people and partner offices' machine clients — by the
//! ids the timeline and the case's records keep (`actor_id`, `created_by`, `recorded_by`,
//! `uploaded_by`, `assignee_id`). A page that shows who did what loads every name it needs in
//! one batch, never one query per line.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::schema::{office_clients, users};

/// The name of each of `ids` that names a user or a machine client: one query for the users and,
/// only when some id is not a user's, one for the clients. Unknown ids are simply absent.
pub fn actor_names(
    connection: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, String>> {
    let mut wanted: Vec<&str> = ids.iter().copied().filter(|id| !id.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(&wanted))
        .select((users::id, users::name))
        .load::<(String, String)>(connection)?
        .into_iter()
        .collect();
    let clients: Vec<&str> = wanted
        .into_iter()
        .filter(|id| !names.contains_key(*id))
        .collect();
    if !clients.is_empty() {
        let found = office_clients::table
            .filter(office_clients::id.eq_any(&clients))
            .select((office_clients::id, office_clients::name))
            .load::<(String, String)>(connection)?;
        names.extend(found);
    }
    Ok(names)
}
