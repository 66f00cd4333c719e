//! The employer use cases: the list and one employer (union staff), the wage-arrears watch-list
//! (supervisors), and the warnings an intake answers with. Plain functions of the caller, its
//! input and the clock's `now`; every read takes the caller's case scope into its queries, so
//! nothing invisible is loaded (docs/prevention.md, "A repeat employer found at intake").

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, Signal, Warning, WatchEntry};
use super::{EmployerSummary, EmployerView};
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::cases::access::{find_for, CaseScope};
use crate::cases::intake::CreateCase;
use crate::cases::CaseView;
use crate::db::{read_snapshot, DbConnection};
use crate::domain::employer::{normalize_name, EmployerMatch};
use crate::domain::ids::CaseId;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::risks::RiskScope;
use crate::schema::case_parties;

/// The longest `q` read.
const MAX_Q: usize = 100;

/// Filters of `GET /employers`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployerQuery {
    /// Part of the employer's name (full-width, spaces and punctuation do not matter), or its
    /// whole credit code.
    #[param(max_length = 100)]
    pub q: Option<String>,
}

/// A page of the employers of the cases the caller may see, ordered by id. Union staff only.
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    query: &EmployerQuery,
    page: &PageRequest,
) -> Result<Paginated<EmployerSummary>, AppError> {
    caller.require(Action::WorkCases)?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > MAX_Q) {
        return Err(AppError::BadRequest {
            code: "invalid_query",
            detail: crate::msg!("detail.invalid_query.q_too_long", max = MAX_Q),
        });
    }
    let scope = CaseScope::of(connection, caller)?;
    let rows = super::list_page(connection, &scope, q, page)?;
    Ok(Paginated::from_rows(rows, page, |e| {
        (NaiveDateTime::default(), e.id.as_str())
    }))
}

/// Every case and risk against the employer `id` that the caller may see, with its totals;
/// 404 when there is none (an employer known only to another office does not exist for you).
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<EmployerView, AppError> {
    caller.require(Action::WorkCases)?;
    let employer = EmployerMatch::parse(id).ok_or(AppError::NotFound)?;
    let today = now.date_naive();
    read_snapshot(connection, |connection| {
        let scope = CaseScope::of(connection, caller)?;
        let cases = super::cases_of(connection, &scope, &employer)?;
        let risk_scope = RiskScope::of(connection, caller)?;
        let risks = super::risks_of(connection, &risk_scope, &employer, false)?;
        if cases.is_empty() && risks.is_empty() {
            return Err(AppError::NotFound);
        }
        let due = super::due_terms(connection, &scope, Some(&employer.key()), today)?;
        let mut missed: Vec<String> = super::missed_cases(due, today)
            .into_iter()
            .map(|(hit, _, _)| hit.case_number)
            .collect();
        missed.sort();
        let totals = rules::totals(cases.iter().map(|c| {
            (
                c.status,
                c.claimed_amount_fen,
                c.agreed_amount_fen,
                c.paid_amount_fen,
            )
        }));
        let mut names: Vec<String> = cases.iter().map(|c| c.employer_name.clone()).collect();
        names.extend(risks.iter().map(|r| r.employer_name.clone()));
        let name = names.first().cloned().unwrap_or_default();
        names.sort();
        names.dedup();
        let credit_code = match &employer {
            EmployerMatch::CreditCode(code) => Some(code.clone()),
            EmployerMatch::Name(_) => None,
        };
        Ok(EmployerView {
            id: employer.key(),
            name,
            credit_code,
            names,
            open_cases: totals.open,
            closed_cases: totals.closed,
            claimed_amount_fen: totals.claimed_fen,
            agreed_amount_fen: totals.agreed_fen,
            paid_amount_fen: totals.paid_fen,
            agreements_with_missed_payments: missed.len() as i64,
            missed_payment_cases: missed,
            cases,
            risks,
        })
    })
}

/// The wage-arrears watch-list over the supervisor's office tree: employers with
/// [`rules::WATCH_DISPUTES`] or more disputes in twelve months, an agreement payment overdue,
/// or an open high or major risk, each with its reasons. Three grouped queries, whatever the
/// number of employers. Supervisors only (a mediator 403; a grid worker 404 like elsewhere).
pub fn watchlist(
    connection: &mut DbConnection,
    caller: &Caller,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> Result<Paginated<WatchEntry>, AppError> {
    caller.require(Action::WorkCases)?;
    if !policy::may_read_watchlist(caller.role) {
        return Err(AppError::Forbidden(crate::msg!(
            "detail.forbidden.watchlist"
        )));
    }
    let since = (now - Duration::days(rules::WATCH_WINDOW_DAYS)).naive_utc();
    let today = now.date_naive();
    let mut entries = read_snapshot(connection, |connection| {
        let scope = CaseScope::of(connection, caller)?;
        let mut signals =
            super::repeated_disputes(connection, &scope, since, rules::WATCH_DISPUTES)?;
        let due = super::due_terms(connection, &scope, None, today)?;
        signals.extend(
            super::missed_cases(due, today)
                .into_iter()
                .map(|(hit, key, name)| (key, name, Signal::Overdue(hit))),
        );
        let risk_scope = RiskScope::of(connection, caller)?;
        signals.extend(super::high_risks(connection, &risk_scope)?);
        Ok::<_, AppError>(rules::watchlist(signals))
    })?;
    if let Some((_, after)) = &page.after {
        entries.retain(|e| &e.id > after);
    }
    entries.truncate(page.limit as usize + 1);
    Ok(Paginated::from_rows(entries, page, |e| {
        (NaiveDateTime::default(), e.id.as_str())
    }))
}

/// What could be a duplicate of the case, or a repeat of its employer, among the open cases
/// and risks the caller may see: the warnings `POST /cases` answers with, and the console shows
/// after its intake form. Never names another office's case: every query carries the scope.
pub fn warnings_for_case(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
) -> Result<Vec<Warning>, AppError> {
    caller.require(Action::WorkCases)?;
    read_snapshot(connection, |connection| {
        let case = find_for(connection, caller, case_id)?;
        let scope = CaseScope::of(connection, caller)?;
        let digests: Vec<String> = case_parties::table
            .filter(case_parties::case_id.eq(case.id.to_string()))
            .filter(case_parties::id_number_hash.is_not_null())
            .select(case_parties::id_number_hash)
            .load::<Option<String>>(connection)?
            .into_iter()
            .flatten()
            .collect();
        let id = case.id.to_string();
        let duplicates = super::open_cases_with_id_numbers(connection, &scope, digests, &id)?;
        let employer = match &case.employer_credit_code {
            Some(code) => EmployerMatch::CreditCode(code.clone()),
            None => EmployerMatch::Name(normalize_name(&case.employer_name)),
        };
        let cases = super::open_cases_of(connection, &scope, &employer.key(), &id)?;
        let risk_scope = RiskScope::of(connection, caller)?;
        let risks = super::risks_of(connection, &risk_scope, &employer, true)?
            .into_iter()
            .filter(|r| r.case_id.as_deref() != Some(id.as_str()))
            .map(|r| r.id)
            .collect();
        Ok(rules::build_warnings(
            duplicates,
            cases,
            risks,
            &employer.key(),
        ))
    })
}

/// `POST /cases` answers the case and what its intake found.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredCase {
    #[serde(flatten)]
    pub case: CaseView,
    /// Open cases of a worker with the same ID number (`possible_duplicate`) and open cases or
    /// risks against the same employer (`repeat_employer`) — only among what you may see.
    pub warnings: Vec<Warning>,
}

/// Registers a case (`cases::use_cases::register`, its own transaction) and reads its warnings
/// after it: the API's and the console's intake. The worker's online application does not come
/// here and never learns of other cases.
pub fn register_case(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateCase,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<RegisteredCase, AppError> {
    let case = crate::cases::use_cases::register(connection, caller, input, protector, now)?;
    // The case is committed: answering an error now would invite a retry and a second case. If
    // the warnings cannot be read (the database switching over), the case is answered without
    // them and the failure is logged.
    let warnings = warnings_for_case(connection, caller, &CaseId::from(case.id.clone()))
        .unwrap_or_else(|error| {
            tracing::warn!(%error, case_id = %case.id, "intake warnings could not be read");
            Vec::new()
        });
    Ok(RegisteredCase { case, warnings })
}
