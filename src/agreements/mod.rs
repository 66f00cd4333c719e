//! Mediation agreements and payments: the signed terms (amount, payee, due date) and the money
//! actually paid. `recovered_amount_fen` on the case is always the sum of recorded payments —
//! never a promised amount. The statutory follow-ups are pure rules in [`follow_ups`]; what the
//! API does with them (record, read, pay) is in [`use_cases`].

pub mod follow_ups;
pub mod handlers;
pub mod use_cases;
pub mod views;

pub use use_cases::{list_payments, read_agreement, record_agreement, record_payment};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{agreement_terms, agreements, payments};

/// An agreement as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreements)]
pub struct Agreement {
    pub id: String,
    pub case_id: CaseId,
    pub signed_at: NaiveDateTime,
    pub total_amount_fen: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A payment term as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreement_terms)]
pub struct Term {
    pub id: String,
    pub agreement_id: String,
    pub position: i32,
    pub description: String,
    pub amount_fen: i64,
    pub payee: String,
    pub due_date: NaiveDate,
}

/// A payment as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct Payment {
    pub id: String,
    pub case_id: CaseId,
    pub amount_fen: i64,
    pub paid_at: NaiveDateTime,
    pub note: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

/// A payment as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub case_id: String,
    pub amount_fen: i64,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Payment> for PaymentView {
    fn from(p: Payment) -> Self {
        Self {
            id: p.id,
            case_id: p.case_id.into(),
            amount_fen: p.amount_fen,
            paid_at: p.paid_at.and_utc(),
            note: p.note,
            recorded_by: p.recorded_by,
            created_at: p.created_at.and_utc(),
        }
    }
}

pub fn insert(
    connection: &mut DbConnection,
    agreement: &Agreement,
    terms: &[Term],
) -> QueryResult<()> {
    diesel::insert_into(agreements::table)
        .values(agreement)
        .execute(connection)?;
    for term in terms {
        diesel::insert_into(agreement_terms::table)
            .values(term)
            .execute(connection)?;
    }
    Ok(())
}

/// The agreement of a case with its terms in order, if there is one, in one query: the
/// agreement (one per case) joined with its terms, none of them when it has none.
pub fn for_case(
    connection: &mut DbConnection,
    case_id: &str,
) -> QueryResult<Option<(Agreement, Vec<Term>)>> {
    let rows: Vec<(Agreement, Option<Term>)> = agreements::table
        .left_join(agreement_terms::table)
        .filter(agreements::case_id.eq(case_id))
        .order(agreement_terms::position.asc())
        .select((Agreement::as_select(), Option::<Term>::as_select()))
        .load(connection)?;
    let mut rows = rows.into_iter();
    let Some((agreement, first)) = rows.next() else {
        return Ok(None);
    };
    let terms = first
        .into_iter()
        .chain(rows.filter_map(|(_, term)| term))
        .collect();
    Ok(Some((agreement, terms)))
}

pub fn insert_payment(connection: &mut DbConnection, payment: &Payment) -> QueryResult<usize> {
    diesel::insert_into(payments::table)
        .values(payment)
        .execute(connection)
}

/// A page of the payments of a case, in the order they were made (`paid_at`, then id).
pub fn payments_page(
    connection: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> QueryResult<Paginated<Payment>> {
    let query = payments::table
        .filter(payments::case_id.eq(case_id.to_owned()))
        .select(Payment::as_select())
        .into_boxed();
    let rows: Vec<Payment> =
        crate::keyset_page_oldest_first!(query, payments, paid_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |p| {
        (p.paid_at, p.id.as_str())
    }))
}

/// The payments of a case, in the order they were made.
pub fn payments_for_case(
    connection: &mut DbConnection,
    case_id: &str,
) -> QueryResult<Vec<Payment>> {
    payments::table
        .filter(payments::case_id.eq(case_id))
        .order((payments::paid_at.asc(), payments::id.asc()))
        .select(Payment::as_select())
        .load(connection)
}

/// Sets the case's recovered amount to the sum of its payments, computed by the database, and
/// makes it a new version of the case (its ETag changes with its content).
pub fn refresh_recovered(
    connection: &mut DbConnection,
    case_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE cases SET recovered_amount_fen = \
         (SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payments WHERE case_id = $1), \
         version = version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind::<Text, _>(case_id)
    .bind::<diesel::sql_types::Timestamp, _>(now)
    .execute(connection)
}
