//! Who may do what: pure functions of role, action and office kind, so the whole matrix is
//! readable in one place and unit-tested without a database. Handlers state their requirement
//! through the extractors in `auth::extract`, which call these functions.
//!
//! What a caller may *see* (which cases) is not decided here after loading: it is a filter
//! applied inside each query, so an invisible row is never loaded and answers 404.

use crate::offices::OfficeKind;
use crate::referrals::rules::ReferralAction;
use crate::users::Role;

/// Things a caller may ask to do, independent of any particular record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create and edit offices, users and machine clients.
    ManageDirectory,
    /// List and read offices (to pick referral targets).
    ViewOffices,
    /// Read the figures offices report.
    ViewStatistics,
    /// Register a case and work on the cases of one's own union office.
    WorkCases,
    /// Reassign cases, also across descendant offices.
    ReassignCases,
}

/// The role-level permission matrix.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ManageDirectory => role == Admin,
        ViewOffices => role != GridWorker,
        ViewStatistics => matches!(role, Admin | UnionMediator | UnionSupervisor),
        WorkCases => matches!(role, UnionMediator | UnionSupervisor),
        ReassignCases => role == UnionSupervisor,
    }
}

/// Who reads the wage-arrears watch-list (`GET /employers/watchlist`): supervisors, who answer
/// for an office tree; a mediator looks at one employer at a time (`GET /employers/{id}`).
pub fn may_read_watchlist(role: Role) -> bool {
    role == Role::UnionSupervisor
}

/// Partner-office staff (and their machine clients): they see only cases referred to their
/// office, and only their own office's referral contents.
pub fn is_partner(role: Role) -> bool {
    matches!(
        role,
        Role::PoliceOfficer | Role::JudicialOfficer | Role::HrOfficer
    )
}

/// Whether `role` may write notes on the cases it sees: union staff and partner offices (a
/// partner's note is restricted to the union and that office). Lawyers and admins read only.
pub fn may_add_notes(role: Role) -> bool {
    allows(role, Action::WorkCases) || is_partner(role)
}

/// Whether `role` ever acts on referrals: partner offices answer them, union staff send, cancel
/// and record answers. Checked before a request body is read.
pub fn may_act_on_referrals(role: Role) -> bool {
    allows(role, Action::WorkCases) || is_partner(role)
}

/// Whether `role` may take `action` on a referral to an office of `office_kind` it can see: the
/// receiving office answers its own referrals; union staff cancel, and record the answers of
/// court and arbitration offices, which do not use the system.
pub fn may_act_on_referral(role: Role, action: ReferralAction, office_kind: OfficeKind) -> bool {
    if !may_act_on_referrals(role) {
        return false;
    }
    let union_may_answer = partner_role_for(office_kind).is_none();
    match (action, is_partner(role)) {
        (ReferralAction::Cancel, partner) => !partner,
        (_, true) => true,
        (_, false) => union_may_answer,
    }
}

/// Roles whose work needs full ID and phone numbers (on cases they can see): the union, the
/// police (to find a party), and a lawyer reviewing the file. Judicial and HR offices work with
/// the masked numbers.
pub fn may_reveal_personal_data(role: Role) -> bool {
    matches!(
        role,
        Role::UnionMediator | Role::UnionSupervisor | Role::PoliceOfficer | Role::Lawyer
    )
}

/// Whether `role` may set a case's assignee: a mediator may take or hand out an unassigned
/// case; only a supervisor may move a case from one mediator to another.
pub fn may_assign(role: Role, currently_assigned: bool) -> bool {
    match role {
        Role::UnionSupervisor => true,
        Role::UnionMediator => !currently_assigned,
        _ => false,
    }
}

/// Whether a user of `role` may be a case's assignee.
pub fn may_be_assigned(role: Role) -> bool {
    matches!(role, Role::UnionMediator | Role::UnionSupervisor)
}

/// Whether a user of `role` may belong to an office of `kind` (`None`: no office).
/// Union staff sit in union offices and partner staff in their own kind of office; admins and
/// lawyers may sit anywhere, and only admins may have no office at all.
pub fn role_fits_office(role: Role, kind: Option<OfficeKind>) -> bool {
    use OfficeKind as K;
    match (role, kind) {
        (Role::Admin, _) => true,
        (_, None) => false,
        (Role::UnionMediator | Role::UnionSupervisor | Role::GridWorker, Some(kind)) => {
            kind == K::Union
        }
        (Role::PoliceOfficer, Some(kind)) => kind == K::Police,
        (Role::JudicialOfficer, Some(kind)) => kind == K::Judicial,
        (Role::HrOfficer, Some(kind)) => kind == K::Hr,
        (Role::Lawyer, Some(_)) => true,
    }
}

/// The role a partner office's machine client acts with; `None` for offices that have no
/// partner role (a union office's own staff sign in as people).
pub fn partner_role_for(kind: OfficeKind) -> Option<Role> {
    match kind {
        OfficeKind::Police => Some(Role::PoliceOfficer),
        OfficeKind::Judicial => Some(Role::JudicialOfficer),
        OfficeKind::Hr => Some(Role::HrOfficer),
        OfficeKind::Union | OfficeKind::Court | OfficeKind::Arbitration => None,
    }
}

/// Whether a user of `role` may be given read access to a case file by a grant: lawyers only
/// (the union's lawyer group, duty lawyers). Everyone else sees cases through their office, and a
/// grant to them would open nothing (docs/case-files.md).
pub fn may_hold_grant(role: Role) -> bool {
    role == Role::Lawyer
}

/// Whether `role` may report a risk (风险隐患排查): union staff and grid workers.
pub fn may_report_risks(role: Role) -> bool {
    allows(role, Action::WorkCases) || role == Role::GridWorker
}

/// Whether a grid worker may reach the API path `path`: their risks, their own account and
/// signing in and out. Everything else answers them 404 (docs/prevention.md).
pub fn grid_worker_may_reach(path: &str) -> bool {
    let Some(path) = path.strip_prefix("/api/v1/") else {
        return false;
    };
    let first = path.split('/').next().unwrap_or("");
    matches!(first, "risks" | "me" | "auth")
}

/// Whether `role` reads the figures of every office, not only of the offices whose cases it
/// works: admins, who see no case contents but report for the whole system (docs/statistics.md).
pub fn reads_every_offices_statistics(role: Role) -> bool {
    role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiving_office_answers_and_the_union_cancels_and_answers_for_court_and_arbitration() {
        use ReferralAction::*;
        for action in [Accept, Decline, Complete] {
            assert!(may_act_on_referral(
                Role::PoliceOfficer,
                action,
                OfficeKind::Police
            ));
            assert!(!may_act_on_referral(
                Role::UnionMediator,
                action,
                OfficeKind::Police
            ));
            assert!(may_act_on_referral(
                Role::UnionMediator,
                action,
                OfficeKind::Court
            ));
            assert!(may_act_on_referral(
                Role::UnionSupervisor,
                action,
                OfficeKind::Arbitration
            ));
        }
        assert!(may_act_on_referral(
            Role::UnionMediator,
            Cancel,
            OfficeKind::Police
        ));
        assert!(!may_act_on_referral(
            Role::PoliceOfficer,
            Cancel,
            OfficeKind::Police
        ));
        for role in [Role::Admin, Role::Lawyer] {
            assert!(!may_act_on_referrals(role));
            assert!(!may_act_on_referral(role, Accept, OfficeKind::Court));
        }
    }

    #[test]
    fn union_staff_and_partners_write_notes_and_lawyers_and_admins_do_not() {
        assert!(may_add_notes(Role::UnionMediator) && may_add_notes(Role::HrOfficer));
        assert!(!may_add_notes(Role::Lawyer) && !may_add_notes(Role::Admin));
    }

    #[test]
    fn only_admins_manage_the_directory() {
        for role in Role::ALL {
            assert_eq!(
                allows(*role, Action::ManageDirectory),
                *role == Role::Admin,
                "{role}"
            );
        }
    }

    #[test]
    fn every_signed_in_role_but_grid_workers_may_list_offices() {
        assert!(Role::ALL
            .iter()
            .all(|role| allows(*role, Action::ViewOffices) == (*role != Role::GridWorker)));
    }

    #[test]
    fn only_union_staff_work_cases_and_only_supervisors_reassign() {
        let workers: Vec<_> = Role::ALL
            .iter()
            .filter(|r| allows(**r, Action::WorkCases))
            .collect();
        assert_eq!(workers, [&Role::UnionMediator, &Role::UnionSupervisor]);
        let reassigners: Vec<_> = Role::ALL
            .iter()
            .filter(|r| allows(**r, Action::ReassignCases))
            .collect();
        assert_eq!(reassigners, [&Role::UnionSupervisor]);
    }

    #[test]
    fn statistics_are_for_union_staff_and_admins_not_partners_or_lawyers() {
        for role in [
            Role::PoliceOfficer,
            Role::JudicialOfficer,
            Role::HrOfficer,
            Role::Lawyer,
        ] {
            assert!(!allows(role, Action::ViewStatistics), "{role}");
        }
        assert!(allows(Role::Admin, Action::ViewStatistics));
    }

    #[test]
    fn mediators_assign_unassigned_cases_and_supervisors_reassign() {
        assert!(may_assign(Role::UnionMediator, false));
        assert!(!may_assign(Role::UnionMediator, true));
        assert!(may_assign(Role::UnionSupervisor, true));
        assert!(!may_assign(Role::PoliceOfficer, false));
        assert!(may_be_assigned(Role::UnionSupervisor));
        assert!(!may_be_assigned(Role::Lawyer));
    }

    #[test]
    fn roles_must_fit_their_office_kind() {
        assert!(role_fits_office(
            Role::PoliceOfficer,
            Some(OfficeKind::Police)
        ));
        assert!(!role_fits_office(Role::PoliceOfficer, Some(OfficeKind::Hr)));
        assert!(!role_fits_office(
            Role::UnionMediator,
            Some(OfficeKind::Judicial)
        ));
        assert!(role_fits_office(
            Role::UnionSupervisor,
            Some(OfficeKind::Union)
        ));
        assert!(role_fits_office(
            Role::JudicialOfficer,
            Some(OfficeKind::Judicial)
        ));
        assert!(role_fits_office(Role::HrOfficer, Some(OfficeKind::Hr)));
        assert!(role_fits_office(Role::Lawyer, Some(OfficeKind::Judicial)));
        assert!(role_fits_office(Role::Admin, None));
        assert!(role_fits_office(Role::GridWorker, Some(OfficeKind::Union)));
        assert!(!role_fits_office(
            Role::GridWorker,
            Some(OfficeKind::Judicial)
        ));
        assert!(!role_fits_office(Role::Lawyer, None));
    }

    #[test]
    fn machine_clients_act_with_their_offices_partner_role() {
        assert_eq!(
            partner_role_for(OfficeKind::Police),
            Some(Role::PoliceOfficer)
        );
        assert_eq!(
            partner_role_for(OfficeKind::Judicial),
            Some(Role::JudicialOfficer)
        );
        assert_eq!(partner_role_for(OfficeKind::Hr), Some(Role::HrOfficer));
        assert_eq!(partner_role_for(OfficeKind::Union), None);
    }

    #[test]
    fn only_lawyers_hold_grants() {
        assert!(may_hold_grant(Role::Lawyer));
        for role in [
            Role::UnionMediator,
            Role::UnionSupervisor,
            Role::PoliceOfficer,
            Role::JudicialOfficer,
            Role::HrOfficer,
            Role::Admin,
        ] {
            assert!(!may_hold_grant(role), "{role}");
        }
    }

    #[test]
    fn grid_workers_reach_their_risks_their_account_and_sign_in_and_nothing_else() {
        for path in [
            "/api/v1/risks",
            "/api/v1/risks/x",
            "/api/v1/me",
            "/api/v1/me/password",
            "/api/v1/auth/logout",
        ] {
            assert!(grid_worker_may_reach(path), "{path}");
        }
        for path in [
            "/api/v1/cases",
            "/api/v1/risksy",
            "/api/v1/stats",
            "/api/v1/users",
            "/api/v1/referrals",
            "/api/v1/consultations",
            "/risks",
        ] {
            assert!(!grid_worker_may_reach(path), "{path}");
        }
        for action in [
            Action::WorkCases,
            Action::ViewStatistics,
            Action::ManageDirectory,
        ] {
            assert!(!allows(Role::GridWorker, action));
        }
    }

    #[test]
    fn only_admins_read_every_offices_statistics() {
        assert!(reads_every_offices_statistics(Role::Admin));
        assert!(!reads_every_offices_statistics(Role::UnionSupervisor));
        assert!(!reads_every_offices_statistics(Role::UnionMediator));
    }
}
