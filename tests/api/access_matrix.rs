//! The authorization matrix: every role — and a partner office's machine client, and nobody —
//! against every endpoint, allowed and refused. Extend it as endpoints arrive.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::World;

/// Who may call an endpoint.
#[derive(Clone, Copy)]
enum Allowed {
    AnySignedIn,
    AdminOnly,
    PeopleOnly,
    /// Union staff of the case's office (or above it); 403 for other roles.
    CaseWorkers,
    /// Anyone signed in may ask; only those who can see the case get it, others 404.
    CaseReaders,
    /// Per caller, by name (`success` stands for the endpoint's success status).
    Custom(fn(&str, u16) -> u16),
}

const UNION: [&str; 2] = ["union_mediator", "union_supervisor"];
const POLICE: [&str; 2] = ["police_officer", "police_client"];
const OTHER_PARTNERS: [&str; 2] = ["judicial_officer", "hr_officer"];

/// On a case referred to the police: union staff and the police see it; other offices do not.
fn referred_readers(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) || POLICE.contains(&name) {
        success
    } else {
        404
    }
}

/// Notes: union staff and partner offices may write them on cases they see.
fn note_writers_on_police_case(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) || POLICE.contains(&name) {
        success
    } else if OTHER_PARTNERS.contains(&name) {
        404
    } else {
        403
    }
}

fn note_writers_on_unreferred_case(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) {
        success
    } else if POLICE.contains(&name) || OTHER_PARTNERS.contains(&name) {
        404
    } else {
        403
    }
}

/// Only the receiving office answers a police referral.
fn police_answers(name: &str, success: u16) -> u16 {
    if POLICE.contains(&name) {
        success
    } else if OTHER_PARTNERS.contains(&name) {
        404
    } else {
        403
    }
}

/// Risks (docs/prevention.md): union staff and grid workers report them.
fn risk_reporters(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) || name == "grid_worker" {
        success
    } else {
        403
    }
}

/// A town risk a grid worker reported: the town's union staff and that grid worker read it.
fn risk_readers(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) || name == "grid_worker" {
        success
    } else {
        404
    }
}

/// Handling a risk is union work: a grid worker meets 404, other roles 403.
fn risk_workers(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) {
        success
    } else if name == "grid_worker" {
        404
    } else {
        403
    }
}

/// A grid worker reaches only their risks, their account and signing in and out.
fn grid_worker_reaches(path: &str) -> bool {
    ["/api/v1/risks", "/api/v1/me", "/api/v1/auth/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// The wage-arrears watch-list: union supervisors only.
fn watchlist_readers(name: &str, success: u16) -> u16 {
    if name == "union_supervisor" {
        success
    } else {
        403
    }
}

fn statistics_readers(name: &str, success: u16) -> u16 {
    if UNION.contains(&name) || name == "admin" {
        success
    } else {
        403
    }
}

struct Caller {
    name: &'static str,
    token: Option<String>,
    is_admin: bool,
    is_person: bool,
    /// Union staff who can see the town union's cases.
    works_town_cases: bool,
}

async fn callers(app: &TestApp, world: &World) -> Vec<Caller> {
    let person = |name, token: &str, is_admin| Caller {
        name,
        token: Some(token.to_owned()),
        is_admin,
        is_person: true,
        works_town_cases: matches!(name, "union_mediator" | "union_supervisor"),
    };
    let police_path = format!(
        "/api/v1/offices/{}/clients",
        world.police["id"].as_str().unwrap()
    );
    let client = app
        .post_json(
            &police_path,
            Some(&world.admin.token),
            &json!({"name": "matrix"}),
        )
        .await
        .json();
    let token = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials",
            "client_id": client["client_id"], "client_secret": client["client_secret"]}),
        )
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The admin row logs out at its end, so it gets a session of its own.
    let admin_row = app.admin().await;
    vec![
        person("admin", &admin_row.token, true),
        person("union_mediator", &world.mediator.token, false),
        person("union_supervisor", &world.supervisor.token, false),
        person("police_officer", &world.police_officer.token, false),
        person("judicial_officer", &world.judicial_officer.token, false),
        person("hr_officer", &world.hr_officer.token, false),
        person("lawyer", &world.lawyer.token, false),
        person("grid_worker", &world.grid_worker.token, false),
        Caller {
            name: "police_client",
            token: Some(token),
            is_admin: false,
            is_person: false,
            works_town_cases: false,
        },
        Caller {
            name: "anonymous",
            token: None,
            is_admin: false,
            is_person: false,
            works_town_cases: false,
        },
    ]
}

fn expected(allowed: Allowed, caller: &Caller, success: u16) -> u16 {
    match (caller.token.is_some(), allowed) {
        (false, _) => 401,
        (true, Allowed::AnySignedIn) => success,
        (true, Allowed::AdminOnly) if caller.is_admin => success,
        (true, Allowed::PeopleOnly) if caller.is_person => success,
        (true, Allowed::CaseWorkers) if caller.works_town_cases => success,
        (true, Allowed::CaseReaders) if caller.works_town_cases => success,
        (true, Allowed::CaseReaders) => 404,
        (true, Allowed::Custom(rule)) => rule(caller.name, success),
        _ => 403,
    }
}

api_test!(
    async fn every_role_is_allowed_or_refused_on_every_endpoint(app) {
        let world = app.world().await;
        let callers = callers(&app, &world).await;
        let office = world.police["id"].as_str().unwrap().to_owned();
        let user = world.hr_officer.id.clone();
        let mut mismatches = Vec::new();
        // Rows log out at their end; setup uses a mediator session of its own.
        let setup = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let grid_setup = app.sign_in(&world.grid_worker.email, &world.grid_worker.password).await;
        let risk_body = json!({"category": "wage_arrears", "level": "high",
            "employer": {"name": "鹤山市沙坪某家具厂"}, "workers_affected": 12, "summary": "工人反映两个月未发工资"});
        for (index, caller) in callers.iter().enumerate() {
            let token = caller.token.as_deref();
            let admin_client = app
                .post_json(&format!("/api/v1/offices/{office}/clients"), Some(&world.admin.token), &json!({"name": "to revoke"}))
                .await
                .json()["client_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let case = app.register_case(&setup, &crate::personas::furniture_factory_case()).await;
            let case_id = case["id"].as_str().unwrap();
            let worker_id = app.get(&format!("/api/v1/cases/{case_id}/parties"), Some(&setup.token)).await.json()["items"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let referred = app.register_case(&setup, &crate::personas::furniture_factory_case()).await;
            let referred_id = referred["id"].as_str().unwrap();
            let referral = app
                .post_json(&format!("/api/v1/cases/{referred_id}/referrals"), Some(&setup.token),
                    &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "找到企业主"}))
                .await
                .json();
            let referral_id = referral["id"].as_str().unwrap();
            let risk = app.post_json("/api/v1/risks", Some(&grid_setup.token), &risk_body).await.json();
            let risk_id = risk["id"].as_str().unwrap();
            let consultation = app
                .post_json("/api/v1/consultations", Some(&setup.token),
                    &json!({"channel": "hotline_12351", "topic": "wage_arrears", "answered_by": "mediator",
                            "minutes": "解答欠薪维权途径", "outcome": "advised"}))
                .await
                .json();
            let consultation_id = consultation["id"].as_str().unwrap();
            let cases: Vec<(&str, String, Option<Value>, Allowed, u16)> = vec![
                ("POST", "/api/v1/cases".into(), Some(crate::personas::furniture_factory_case()), Allowed::CaseWorkers, 201),
                ("GET", "/api/v1/cases".into(), None, Allowed::AnySignedIn, 200),
                ("GET", format!("/api/v1/cases/{case_id}"), None, Allowed::CaseReaders, 200),
                ("PATCH", format!("/api/v1/cases/{case_id}"), Some(json!({"summary": format!("edited by {index}")})), Allowed::CaseWorkers, 200),
                ("POST", format!("/api/v1/cases/{case_id}/transitions"), Some(json!({"action": "accept"})), Allowed::CaseWorkers, 200),
                ("GET", format!("/api/v1/cases/{case_id}/events"), None, Allowed::CaseReaders, 200),
                ("POST", format!("/api/v1/cases/{case_id}/notes"), Some(json!({"body": "note"})), Allowed::Custom(note_writers_on_unreferred_case), 201),
                ("GET", format!("/api/v1/cases/{referred_id}"), None, Allowed::Custom(referred_readers), 200),
                ("GET", format!("/api/v1/cases/{referred_id}/events"), None, Allowed::Custom(referred_readers), 200),
                ("GET", format!("/api/v1/cases/{referred_id}/referrals"), None, Allowed::Custom(referred_readers), 200),
                ("POST", format!("/api/v1/cases/{referred_id}/notes"), Some(json!({"body": "note"})), Allowed::Custom(note_writers_on_police_case), 201),
                ("GET", "/api/v1/referrals".into(), None, Allowed::AnySignedIn, 200),
                ("GET", format!("/api/v1/referrals/{referral_id}"), None, Allowed::Custom(referred_readers), 200),
                ("POST", format!("/api/v1/referrals/{referral_id}/accept"), Some(json!({})), Allowed::Custom(police_answers), 200),
                ("POST", format!("/api/v1/referrals/{referral_id}/cancel"), Some(json!({})), Allowed::CaseWorkers, 200),
                ("POST", format!("/api/v1/cases/{case_id}/referrals"), Some(json!({"office_id": world.judicial["id"], "kind": "duty_lawyer", "request": "r"})), Allowed::CaseWorkers, 201),
                ("POST", format!("/api/v1/cases/{case_id}/sessions"), Some(json!({"scheduled_at": "2026-12-01T02:00:00Z", "location": "l"})), Allowed::CaseWorkers, 201),
                ("GET", format!("/api/v1/cases/{case_id}/sessions"), None, Allowed::CaseReaders, 200),
                ("POST", format!("/api/v1/cases/{case_id}/payments"), Some(json!({"amount_fen": 100, "paid_at": "2026-01-01T00:00:00Z"})), Allowed::CaseWorkers, 409),
                ("GET", format!("/api/v1/cases/{case_id}/payments"), None, Allowed::CaseReaders, 200),
                ("POST", format!("/api/v1/cases/{case_id}/follow-ups"), Some(json!({"method": "phone", "reached": true, "note": "n"})), Allowed::CaseWorkers, 409),
                ("GET", format!("/api/v1/cases/{case_id}/follow-ups"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{referred_id}/follow-ups"), None, Allowed::Custom(referred_readers), 200),
                ("GET", "/api/v1/stats".into(), None, Allowed::Custom(statistics_readers), 200),
                ("GET", "/api/v1/employers".into(), None, Allowed::CaseWorkers, 200),
                ("GET", "/api/v1/employers/cc-91350100M000100Y43".into(), None, Allowed::CaseWorkers, 200),
                ("GET", "/api/v1/employers/watchlist".into(), None, Allowed::Custom(watchlist_readers), 200),
                ("POST", "/api/v1/risks".into(), Some(risk_body.clone()), Allowed::Custom(risk_reporters), 201),
                ("GET", "/api/v1/risks".into(), None, Allowed::AnySignedIn, 200),
                ("GET", format!("/api/v1/risks/{risk_id}"), None, Allowed::Custom(risk_readers), 200),
                ("PATCH", format!("/api/v1/risks/{risk_id}"), Some(json!({"summary": format!("edited by {index}")})), Allowed::Custom(risk_workers), 200),
                ("POST", format!("/api/v1/risks/{risk_id}/transitions"), Some(json!({"action": "start"})), Allowed::Custom(risk_workers), 200),
                ("POST", format!("/api/v1/risks/{risk_id}/cases"), Some(json!({})), Allowed::Custom(risk_workers), 201),
                ("POST", "/api/v1/consultations".into(), Some(json!({"channel": "walk_in", "topic": "other",
                    "answered_by": "union_lawyer", "minutes": "m", "outcome": "advised"})), Allowed::CaseWorkers, 201),
                ("GET", "/api/v1/consultations".into(), None, Allowed::AnySignedIn, 200),
                ("GET", format!("/api/v1/consultations/{consultation_id}"), None, Allowed::CaseReaders, 200),
                ("GET", "/api/v1/notifications".into(), None, Allowed::AdminOnly, 200),
                ("GET", format!("/api/v1/cases/{case_id}/dossier"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{case_id}/papers"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{case_id}/papers/acceptance_notice"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{case_id}/documents"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{case_id}/events/verify"), None, Allowed::CaseReaders, 200),
                ("GET", format!("/api/v1/cases/{case_id}/grants"), None, Allowed::CaseWorkers, 200),
                ("POST", format!("/api/v1/cases/{case_id}/grants"), Some(json!({"user_id": world.lawyer.id, "expires_at": "2099-01-01T00:00:00Z"})), Allowed::CaseWorkers, 422),
                ("GET", format!("/api/v1/cases/{case_id}/parties"), None, Allowed::CaseReaders, 200),
                ("POST", format!("/api/v1/cases/{case_id}/parties"), Some(json!({"kind": "worker", "name": "李四"})), Allowed::CaseWorkers, 201),
                ("GET", format!("/api/v1/cases/{case_id}/roster"), None, Allowed::CaseReaders, 200),
                ("PUT", format!("/api/v1/cases/{case_id}/roster/{worker_id}"),
                    Some(json!({"claimed_amount_fen": 300000, "agreed_amount_fen": 0, "representative": false})), Allowed::CaseWorkers, 200),
                ("GET", "/api/v1/offices".into(), None, Allowed::AnySignedIn, 200),
                ("GET", format!("/api/v1/offices/{office}"), None, Allowed::AnySignedIn, 200),
                ("POST", "/api/v1/offices".into(), Some(json!({"name": "n", "code": format!("MX{index}"), "kind": "court"})), Allowed::AdminOnly, 201),
                ("PATCH", format!("/api/v1/offices/{office}"), Some(json!({"name": format!("派出所 {index}")})), Allowed::AdminOnly, 200),
                ("POST", format!("/api/v1/offices/{office}/clients"), Some(json!({"name": "c"})), Allowed::AdminOnly, 201),
                ("GET", format!("/api/v1/offices/{office}/clients"), None, Allowed::AdminOnly, 200),
                ("DELETE", format!("/api/v1/offices/{office}/clients/{admin_client}"), None, Allowed::AdminOnly, 204),
                ("GET", "/api/v1/users".into(), None, Allowed::AdminOnly, 200),
                ("POST", "/api/v1/users".into(), Some(json!({"email": format!("m{index}@matrix.test"), "name": "m",
                    "role": "lawyer", "office_id": office, "password": "a-long-enough-test-password"})), Allowed::AdminOnly, 201),
                ("GET", format!("/api/v1/users/{user}"), None, Allowed::AdminOnly, 200),
                ("PATCH", format!("/api/v1/users/{user}"), Some(json!({"name": format!("HR {index}")})), Allowed::AdminOnly, 200),
                ("GET", "/api/v1/me".into(), None, Allowed::AnySignedIn, 200),
                ("PUT", "/api/v1/me/password".into(), Some(json!({"current_password": "wrong-current-pass", "new_password": "another-long-password"})),
                    Allowed::PeopleOnly, 422),
            ];
            for (method, path, body, allowed, success) in cases {
                let response = match &body {
                    Some(body) => app.json_request(method, &path, token, body).await,
                    None => app.send(app.request(method, &path, token), None).await,
                };
                let want = if caller.name == "grid_worker" && !grid_worker_reaches(&path) {
                    404
                } else {
                    expected(allowed, caller, success)
                };
                if response.status != want {
                    mismatches.push(format!("{} {method} {path}: got {}, want {want}: {}", caller.name, response.status, response.text()));
                }
            }
            let logout = app.send(app.request("POST", "/api/v1/auth/logout", token), None).await;
            let want = if token.is_some() { 204 } else { 401 };
            if logout.status != want {
                mismatches.push(format!("{} POST /api/v1/auth/logout: got {}, want {want}", caller.name, logout.status));
            }
        }
        assert!(mismatches.is_empty(), "authorization mismatches:\n{}", mismatches.join("\n"));
    }
);
