//! A risk's timeline: one row per change (reported, edited, started, resolved, closed, turned
//! into a case), written in the change's own transaction so the record cannot miss a change.
//! Staff read it with the risk (`GET /risks/{id}`); a grid worker does not.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::db::DbConnection;
use crate::domain::new_id;
use crate::schema::risk_events;

/// One change to a risk.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = risk_events)]
pub struct RiskEvent {
    pub id: String,
    pub risk_id: String,
    pub kind: String,
    pub actor_id: String,
    pub actor_role: String,
    pub data: String,
    pub created_at: NaiveDateTime,
}

/// A change to a risk as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskEventView {
    pub id: String,
    /// `reported`, `edited`, `started`, `resolved`, `closed`, `case_registered`.
    pub kind: String,
    pub actor_id: String,
    pub actor_role: String,
    /// What changed (the kind decides the keys).
    #[schema(value_type = Object)]
    pub data: Value,
    pub created_at: DateTime<Utc>,
}

impl From<RiskEvent> for RiskEventView {
    fn from(event: RiskEvent) -> Self {
        Self {
            id: event.id,
            kind: event.kind,
            actor_id: event.actor_id,
            actor_role: event.actor_role,
            data: serde_json::from_str(&event.data).unwrap_or(Value::Null),
            created_at: event.created_at.and_utc(),
        }
    }
}

/// Records a change by `caller`; call inside the change's transaction.
pub fn append(
    connection: &mut DbConnection,
    risk_id: &str,
    caller: &Caller,
    kind: &str,
    data: Value,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let event = RiskEvent {
        id: new_id(),
        risk_id: risk_id.to_owned(),
        kind: kind.to_owned(),
        actor_id: caller.actor_id().to_owned(),
        actor_role: caller.role.as_str().to_owned(),
        data: data.to_string(),
        created_at: now,
    };
    diesel::insert_into(risk_events::table)
        .values(&event)
        .execute(connection)
}

/// The changes of a risk, oldest first (a risk has a handful; at most 500 are shown).
pub fn of_risk(connection: &mut DbConnection, risk_id: &str) -> QueryResult<Vec<RiskEventView>> {
    let rows: Vec<RiskEvent> = risk_events::table
        .filter(risk_events::risk_id.eq(risk_id.to_owned()))
        .order((risk_events::created_at.asc(), risk_events::id.asc()))
        .limit(500)
        .select(RiskEvent::as_select())
        .load(connection)?;
    Ok(rows.into_iter().map(RiskEventView::from).collect())
}
