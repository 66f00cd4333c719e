//! Turning a risk into a case (`POST /risks/{id}/cases`): when screening finds wages already
//! owed, the mediator registers a case through the ordinary intake (`cases::intake`: same
//! checks, case number, parties and `intake` event) with the risk's employer filled in. In one
//! transaction the case gets a `created_from_risk` event naming the risk, and the risk records
//! the case, moves from `open` to `handling`, and gets a `case_registered` event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::rules::{RiskCategory, RiskSource, RiskStatus};
use super::use_cases::risk_to_change;
use super::{events, Risk, RiskChanges, RiskView};
use crate::auth::caller::Caller;
use crate::cases::intake::{self, CreateCase, EmployerInput, WorkerInput};
use crate::cases::{Case, CaseView, Category, Channel, Flag};
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::CaseId;
use crate::domain::protect::PersonalData;
use crate::error::AppError;
use crate::timeline::{self, Actor};

/// `POST /risks/{id}/cases` body: what intake needs beyond the risk. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFromRisk {
    /// Default: from the risk's category (wage arrears → `wage_arrears`, social insurance →
    /// `social_insurance`, restructuring, relocation and layoffs → `compensation`, gig
    /// platforms → `labour_relationship`, other → `other`).
    pub category: Option<Category>,
    /// Default: `grid_worker` for a risk a grid worker reported, `hotline_12351` for one from
    /// the hotline, else `walk_in`.
    pub channel: Option<Channel>,
    /// Default: the risk's summary.
    pub summary: Option<String>,
    #[serde(default)]
    pub claimed_amount_fen: i64,
    /// Default: the risk's `workers_affected`.
    pub workers_involved: Option<i32>,
    /// Added to the flags the category implies (`restructuring`, `gig_economy`).
    #[serde(default)]
    pub flags: Vec<Flag>,
    pub employer_address: Option<String>,
    pub employer_contact_name: Option<String>,
    pub employer_contact_phone: Option<String>,
    #[serde(default)]
    pub workers: Vec<WorkerInput>,
}

/// The risk and the case registered from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskCase {
    pub risk: RiskView,
    pub case: CaseView,
}

/// The case category a risk of `category` most likely becomes.
pub fn case_category(category: RiskCategory) -> Category {
    match category {
        RiskCategory::WageArrears => Category::WageArrears,
        RiskCategory::SocialInsuranceArrears => Category::SocialInsurance,
        RiskCategory::Restructuring
        | RiskCategory::RelocationOrClosure
        | RiskCategory::MassLayoff => Category::Compensation,
        RiskCategory::GigPlatform => Category::LabourRelationship,
        RiskCategory::Other => Category::Other,
    }
}

fn implied_flag(category: RiskCategory) -> Option<Flag> {
    match category {
        RiskCategory::Restructuring | RiskCategory::RelocationOrClosure => {
            Some(Flag::Restructuring)
        }
        RiskCategory::GigPlatform => Some(Flag::GigEconomy),
        _ => None,
    }
}

fn channel_of(source: RiskSource) -> Channel {
    match source {
        RiskSource::GridWorker => Channel::GridWorker,
        RiskSource::Hotline12351 => Channel::Hotline12351,
        _ => Channel::WalkIn,
    }
}

/// The intake request for a case from `risk`.
fn intake_of(risk: &Risk, input: CaseFromRisk) -> CreateCase {
    let mut flags = input.flags;
    flags.extend(implied_flag(risk.category));
    CreateCase {
        category: input.category.unwrap_or(case_category(risk.category)),
        channel: input.channel.unwrap_or(channel_of(risk.source)),
        summary: input.summary.unwrap_or_else(|| risk.summary.clone()),
        received_at: None,
        claimed_amount_fen: input.claimed_amount_fen,
        workers_involved: input.workers_involved.or(Some(risk.workers_affected)),
        flags,
        employer: EmployerInput {
            name: risk.employer_name.clone(),
            credit_code: risk.employer_credit_code.clone(),
            address: input.employer_address,
            contact_name: input.employer_contact_name,
            contact_phone: input.employer_contact_phone,
        },
        workers: input.workers,
    }
}

/// Registers a case from a risk the caller handles (union staff, 403; visible, 404; `If-Match`,
/// 412; still open or handling, 409 `risk_concluded`; no case yet, 409 `risk_has_case`; the
/// intake's own checks, 422). The case belongs to the risk's office.
pub fn register_case(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i32>,
    input: CaseFromRisk,
    protector: &PersonalData,
    now: DateTime<Utc>,
) -> Result<RiskCase, AppError> {
    let at = now.naive_utc();
    let (risk, case): (Risk, Case) = write_transaction(connection, |connection| {
        let risk = risk_to_change(connection, caller, id, expected_version)?;
        if let Some(case_id) = &risk.case_id {
            return Err(AppError::Conflict {
                code: "risk_has_case",
                detail: crate::msg!("detail.risk_has_case", case_id = case_id),
            });
        }
        let valid = intake::validate(intake_of(&risk, input), now)?;
        let office = crate::offices::find(connection, &risk.office_id.clone().into())?;
        let actor = Actor::from(caller);
        let case = intake::register(connection, &office, &valid, &actor, protector, at)?;
        let data = json!({"risk_id": risk.id, "category": risk.category, "level": risk.level,
                          "source": risk.source});
        timeline::append(connection, &case.id, &actor, "created_from_risk", data, at)?;
        let changes = RiskChanges {
            case_id: Some(Some(case.id.as_str().to_owned())),
            status: (risk.status == RiskStatus::Open).then_some(RiskStatus::Handling),
            ..RiskChanges::default()
        };
        let updated = super::apply(connection, &risk, &changes, at)?;
        let data = json!({"case_id": case.id.as_str(), "case_number": case.case_number,
                          "from": risk.status, "to": updated.status});
        events::append(connection, &risk.id, caller, "case_registered", data, at)?;
        Ok::<_, AppError>((updated, case))
    })?;
    let case_id: CaseId = case.id.clone();
    let case = crate::cases::views(connection, vec![case], now)?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {case_id} vanished")))?;
    Ok(RiskCase {
        risk: RiskView::of(risk, caller, at),
        case,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_risk_category_becomes_the_nearest_case_category_and_flag() {
        assert_eq!(
            case_category(RiskCategory::WageArrears),
            Category::WageArrears
        );
        assert_eq!(
            case_category(RiskCategory::SocialInsuranceArrears),
            Category::SocialInsurance
        );
        assert_eq!(
            case_category(RiskCategory::MassLayoff),
            Category::Compensation
        );
        assert_eq!(
            implied_flag(RiskCategory::Restructuring),
            Some(Flag::Restructuring)
        );
        assert_eq!(
            implied_flag(RiskCategory::GigPlatform),
            Some(Flag::GigEconomy)
        );
        assert_eq!(implied_flag(RiskCategory::WageArrears), None);
        assert_eq!(channel_of(RiskSource::GridWorker), Channel::GridWorker);
        assert_eq!(channel_of(RiskSource::Inspection), Channel::WalkIn);
    }
}
