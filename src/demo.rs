//! `mediation-tracker demo`: a small, realistic data set to explore the API with — drawn from
//! the Heshan (江门鹤山) story in the product brief: a county union with a town union under it,
//! the town's judicial office, HR & social-security office and police station, and the court,
//! with one user of each role.

use chrono::NaiveDateTime;

use crate::auth::tokens::random_token;
use crate::db::{write_transaction, DbConnection};
use crate::domain::new_id;
use crate::http::error::ApiError;
use crate::offices::{self, NewOffice, OfficeKind, DEFAULT_TIME_ZONE};
use crate::users::registration::{register, Registration};
use crate::users::Role;

/// One demo sign-in, to print.
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub office: String,
}

struct DemoOffice {
    code: &'static str,
    name: &'static str,
    kind: OfficeKind,
    parent: Option<&'static str>,
}

const OFFICES: &[DemoOffice] = &[
    DemoOffice {
        code: "HS",
        name: "鹤山市总工会",
        kind: OfficeKind::Union,
        parent: None,
    },
    DemoOffice {
        code: "SP",
        name: "鹤山市沙坪街道工会",
        kind: OfficeKind::Union,
        parent: Some("HS"),
    },
    DemoOffice {
        code: "SPSF",
        name: "沙坪司法所",
        kind: OfficeKind::Judicial,
        parent: None,
    },
    DemoOffice {
        code: "SPRS",
        name: "沙坪人社所",
        kind: OfficeKind::Hr,
        parent: None,
    },
    DemoOffice {
        code: "SPPS",
        name: "沙坪派出所",
        kind: OfficeKind::Police,
        parent: None,
    },
    DemoOffice {
        code: "HSFY",
        name: "鹤山市人民法院",
        kind: OfficeKind::Court,
        parent: None,
    },
];

const USERS: &[(&str, &str, Role, &str)] = &[
    (
        "mediator@demo.local",
        "李调解 Li Tiaojie",
        Role::UnionMediator,
        "SP",
    ),
    (
        "supervisor@demo.local",
        "陈主任 Chen Zhuren",
        Role::UnionSupervisor,
        "HS",
    ),
    (
        "police@demo.local",
        "王警官 Wang Jingguan",
        Role::PoliceOfficer,
        "SPPS",
    ),
    (
        "judicial@demo.local",
        "赵司法 Zhao Sifa",
        Role::JudicialOfficer,
        "SPSF",
    ),
    (
        "hr@demo.local",
        "周人社 Zhou Renshe",
        Role::HrOfficer,
        "SPRS",
    ),
    (
        "lawyer@demo.local",
        "孙律师 Sun Lvshi",
        Role::Lawyer,
        "SPSF",
    ),
    (
        "demo-admin@demo.local",
        "演示管理员 Demo Admin",
        Role::Admin,
        "HS",
    ),
];

/// Loads the demo data; refuses (409) if it is already there, so running it twice is harmless.
pub fn load(connection: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<DemoLogin>, ApiError> {
    if offices::find_by_code(connection, "SP").is_ok() {
        return Err(ApiError::Conflict {
            code: "demo_already_loaded",
            detail: "the demo data is already loaded (office SP exists)".into(),
        });
    }
    write_transaction(connection, |connection| {
        for office in OFFICES {
            let parent_id = match office.parent {
                Some(code) => Some(offices::find_by_code(connection, code)?.id),
                None => None,
            };
            offices::insert(
                connection,
                &NewOffice {
                    id: new_id(),
                    name: office.name.into(),
                    code: office.code.into(),
                    kind: office.kind.as_str().into(),
                    email: Some(format!("{}@demo.local", office.code.to_lowercase())),
                    parent_id,
                    time_zone: DEFAULT_TIME_ZONE.into(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                },
            )?;
        }
        let mut logins = Vec::new();
        for (email, name, role, office_code) in USERS {
            let office = offices::find_by_code(connection, office_code)?;
            let password = random_token("").chars().take(20).collect::<String>();
            register(
                connection,
                Registration {
                    email: (*email).into(),
                    name: (*name).into(),
                    role: *role,
                    office_id: Some(office.id),
                    password: password.clone(),
                },
                now,
            )?;
            logins.push(DemoLogin {
                email: (*email).into(),
                password,
                role: *role,
                office: office.name,
            });
        }
        Ok(logins)
    })
}
