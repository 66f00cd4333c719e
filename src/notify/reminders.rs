//! Reminders, so nobody misses a statutory deadline: the mediation window closing in 3 days
//! and closed (the worker may now apply for arbitration); a referral due within 12 hours and
//! overdue; an agreement payment due tomorrow and missed (with the payment-order and
//! arbitration options). A scheduler in the same process runs [`run_once`] periodically; each
//! reminder has a key (`kind:thing[:local date]`) so it is written at most once per thing per
//! day, however often the scheduler runs and however many servers run it. Each pass also writes
//! the workers' scheduled texts ([`super::text_reminders`]). Every reminder links the console
//! page to act on ([`super::links`]): the referral for a partner office, else the case.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::links;
use super::templates::Template;
use super::{case_recipients, enqueue, office_recipients, yuan, Notification};
use crate::agreements::follow_ups::{self, TermInput, TermState};
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::CaseStatus;
use crate::cases::Category;
use crate::clock::Clock;
use crate::db::Db;
use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::referrals::rules::{ReferralKind, ReferralStatus};
use crate::schema::{agreement_terms, agreements, cases, offices, referrals};

/// Candidates looked at per kind and pass; the rest wait for the next pass.
const PER_PASS: i64 = 500;

fn not_reminded(prefix: &str, id_column: &str) -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>(&format!(
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = '{prefix}:' || {id_column})"
    ))
}

struct Zones(HashMap<String, (chrono_tz::Tz, String)>);

impl Zones {
    fn load(connection: &mut DbConnection) -> QueryResult<Self> {
        let rows: Vec<(String, String, String)> = offices::table
            .select((offices::id, offices::time_zone, offices::name))
            .load(connection)?;
        Ok(Self(
            rows.into_iter()
                .map(|(id, zone, name)| (id, (office_zone(&zone), name)))
                .collect(),
        ))
    }

    fn today(&self, office: &str, now: DateTime<Utc>) -> NaiveDate {
        let zone = self
            .0
            .get(office)
            .map_or(chrono_tz::Asia::Shanghai, |z| z.0);
        now.with_timezone(&zone).date_naive()
    }

    fn name(&self, office: &str) -> String {
        self.0.get(office).map(|z| z.1.clone()).unwrap_or_default()
    }

    fn local(&self, office: &str, at: chrono::NaiveDateTime) -> String {
        let zone = self
            .0
            .get(office)
            .map_or(chrono_tz::Asia::Shanghai, |z| z.0);
        at.and_utc()
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

fn vars(pairs: &[(&'static str, String)]) -> BTreeMap<&'static str, String> {
    pairs.iter().cloned().collect()
}

/// Looks for everything due and enqueues its reminder, and the workers' texts (whose phones
/// `personal_data` opens); returns how many were written.
pub fn run_once(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let zones = Zones::load(connection)?;
    let naive = now.naive_utc();
    let mut written = 0;
    let open: Vec<&str> = CaseStatus::OPEN_BEFORE_AGREEMENT
        .iter()
        .map(|s| s.as_str())
        .collect();

    type CaseRow = (String, String, String, Option<String>, NaiveDate);
    let case_columns = (
        cases::id,
        cases::case_number,
        cases::office_id,
        cases::assignee_id,
        cases::mediation_deadline,
    );
    let soon: Vec<CaseRow> = cases::table
        .filter(cases::status.eq_any(open.clone()))
        .filter(cases::deadline_passes_at.gt(naive))
        .filter(cases::deadline_passes_at.le(naive + chrono::TimeDelta::days(3)))
        .filter(not_reminded("mediation_deadline_soon", "cases.id"))
        .select(case_columns)
        .limit(PER_PASS)
        .load(connection)?;
    written += case_reminders(connection, Template::MediationDeadlineSoon, soon, naive)?;

    let passed: Vec<CaseRow> = cases::table
        .filter(cases::status.eq_any(open))
        .filter(cases::deadline_passes_at.le(naive))
        .filter(not_reminded("mediation_deadline_passed", "cases.id"))
        .select(case_columns)
        .limit(PER_PASS)
        .load(connection)?;
    written += case_reminders(connection, Template::MediationDeadlinePassed, passed, naive)?;

    written += referral_reminders(connection, &zones, now)?;
    written += payment_reminders(connection, &zones, now)?;
    written += super::text_reminders::run_once(connection, personal_data, now)?;
    Ok(written)
}

/// Enqueues one deadline reminder per case in `rows`, keyed `template:case`.
fn case_reminders(
    connection: &mut DbConnection,
    template: Template,
    rows: Vec<(String, String, String, Option<String>, NaiveDate)>,
    now: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    let mut written = 0;
    for (id, number, office, assignee, deadline) in rows {
        let notification = Notification {
            template,
            recipients: case_recipients(connection, assignee.as_deref(), &office)?,
            case_id: Some(&id),
            dedup_key: Some(format!("{template}:{id}")),
            vars: vars(&[
                ("case_number", number),
                ("deadline", deadline.to_string()),
                ("console_url", links::case_page(&id)),
            ]),
        };
        written += usize::from(enqueue(connection, notification, now)?);
    }
    Ok(written)
}

fn referral_reminders(
    connection: &mut DbConnection,
    zones: &Zones,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let open = [
        ReferralStatus::Pending.as_str(),
        ReferralStatus::Accepted.as_str(),
    ];
    let columns = (
        referrals::id,
        referrals::case_id,
        referrals::office_id,
        referrals::kind,
        referrals::due_at,
        cases::case_number,
    );
    let mut written = 0;
    let soon: Vec<(
        String,
        String,
        String,
        ReferralKind,
        chrono::NaiveDateTime,
        String,
    )> = referrals::table
        .inner_join(cases::table)
        .filter(referrals::status.eq_any(open))
        .filter(referrals::due_at.gt(naive))
        .filter(referrals::due_at.le(naive + chrono::TimeDelta::hours(12)))
        .filter(not_reminded("referral_due_soon", "referrals.id"))
        .select(columns)
        .limit(PER_PASS)
        .load(connection)?;
    let overdue: Vec<(
        String,
        String,
        String,
        ReferralKind,
        chrono::NaiveDateTime,
        String,
    )> = referrals::table
        .inner_join(cases::table)
        .filter(referrals::status.eq_any(open))
        .filter(referrals::due_at.le(naive))
        .select(columns)
        .limit(PER_PASS)
        .load(connection)?;
    let batches = [
        (Template::ReferralDueSoon, soon, false),
        (Template::ReferralOverdue, overdue, true),
    ];
    for (template, rows, daily) in batches {
        for (id, case_id, office, kind, due_at, number) in rows {
            let key = if daily {
                format!("{template}:{id}:{}", zones.today(&office, now))
            } else {
                format!("{template}:{id}")
            };
            let kind_label = super::messages::kind_label(kind);
            let notification = Notification {
                template,
                recipients: office_recipients(connection, &office)?,
                case_id: Some(&case_id),
                dedup_key: Some(key),
                vars: vars(&[
                    ("case_number", number),
                    ("office_name", zones.name(&office)),
                    ("kind", kind.as_str().to_owned()),
                    ("kind_label", kind_label.to_owned()),
                    ("due_at", zones.local(&office, due_at)),
                    ("console_url", links::referral_page(&id)),
                ]),
            };
            written += usize::from(enqueue(connection, notification, naive)?);
        }
    }
    Ok(written)
}

fn payment_reminders(
    connection: &mut DbConnection,
    zones: &Zones,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let naive = now.naive_utc();
    let latest_today = now
        .date_naive()
        .checked_add_days(Days::new(2))
        .unwrap_or(now.date_naive());
    // Terms due by tomorrow (in any zone) on cases still under their agreement.
    let due: Vec<(String, String, String, Option<String>, String, i64)> = agreements::table
        .inner_join(cases::table)
        .filter(cases::status.eq(CaseStatus::AgreementReached.as_str()))
        .filter(
            agreements::id.eq_any(
                agreement_terms::table
                    .filter(agreement_terms::due_date.le(latest_today))
                    .select(agreement_terms::agreement_id),
            ),
        )
        .select((
            agreements::id,
            cases::id,
            cases::office_id,
            cases::assignee_id,
            cases::case_number,
            cases::recovered_amount_fen,
        ))
        .limit(PER_PASS)
        .load(connection)?;
    let mut written = 0;
    for (agreement_id, case_id, office, assignee, number, paid) in due {
        let category: Category = cases::table
            .find(&case_id)
            .select(cases::category)
            .first(connection)?;
        let terms: Vec<(String, String, i64, String, NaiveDate)> = agreement_terms::table
            .filter(agreement_terms::agreement_id.eq(&agreement_id))
            .order(agreement_terms::position.asc())
            .select((
                agreement_terms::id,
                agreement_terms::description,
                agreement_terms::amount_fen,
                agreement_terms::payee,
                agreement_terms::due_date,
            ))
            .load(connection)?;
        let today = zones.today(&office, now);
        let inputs: Vec<TermInput> = terms
            .iter()
            .map(|t| TermInput {
                amount_fen: t.2,
                due_date: t.4,
            })
            .collect();
        let coverage = follow_ups::allocate(&inputs, paid, today);
        for ((term_id, description, amount, payee, due_date), covered) in
            terms.into_iter().zip(coverage)
        {
            let template = match covered.state {
                TermState::Missed => Template::PaymentMissed,
                TermState::Due if Some(due_date) == today.checked_add_days(Days::new(1)) => {
                    Template::PaymentDueTomorrow
                }
                _ => continue,
            };
            let mut values = vec![
                ("case_number", number.clone()),
                ("description", description),
                ("amount_yuan", yuan(amount)),
                ("payee", payee),
                ("due_date", due_date.to_string()),
                ("console_url", links::case_page(&case_id)),
            ];
            if template == Template::PaymentMissed {
                let (options, options_en) = if follow_ups::payment_order_applies(category) {
                    ("劳动者可持调解协议向人民法院申请支付令（第十六条），也可以申请仲裁（第十五条）。",
                     "The worker may apply to the court for a payment order on the agreement (LDMAL Art. 16) or apply for arbitration (Art. 15).")
                } else {
                    (
                        "当事人可以依法申请仲裁（第十五条）。",
                        "A party may apply for arbitration (LDMAL Art. 15).",
                    )
                };
                values.push(("options", options.into()));
                values.push(("options_en", options_en.into()));
            }
            let notification = Notification {
                template,
                recipients: case_recipients(connection, assignee.as_deref(), &office)?,
                case_id: Some(&case_id),
                dedup_key: Some(format!("{template}:{term_id}")),
                vars: vars(&values),
            };
            written += usize::from(enqueue(connection, notification, naive)?);
        }
    }
    Ok(written)
}

/// Runs [`run_once`] forever, every `interval` (`reminder_interval`), the follow-up
/// reminder (`follow_ups::remind_due`, due `follow_up_days` after a case concludes) and the
/// overdue-risk reminder (`risks::remind_overdue`).
pub async fn run(
    db: Db,
    clock: Clock,
    personal_data: PersonalData,
    interval: std::time::Duration,
    follow_up_days: u32,
) {
    loop {
        let now = clock.now();
        let keys = personal_data.clone();
        let outcome = db
            .run(move |connection| {
                let written = run_once(connection, &keys, now)?;
                let follow_ups = crate::follow_ups::remind_due(connection, now, follow_up_days)?;
                Ok(written + follow_ups + crate::risks::remind_overdue(connection, now)?)
            })
            .await;
        match outcome {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "reminders enqueued"),
            Err(error) => tracing::warn!(%error, "reminder pass failed; retrying"),
        }
        tokio::time::sleep(interval).await;
    }
}
