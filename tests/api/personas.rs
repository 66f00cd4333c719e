//! Personas: one signed-in user per role, in a small directory of offices that mirrors the
//! seed story (a county union with a town union under it, and the three partner offices).

use serde_json::{json, Value};

use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Persona {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
}

/// The offices and people most tests need (the case and referral tests use the rest).
#[allow(dead_code)]
pub struct World {
    pub admin: Persona,
    pub county_union: Value,
    pub town_union: Value,
    pub other_union: Value,
    pub judicial: Value,
    pub hr: Value,
    pub police: Value,
    pub court: Value,
    pub mediator: Persona,
    pub supervisor: Persona,
    pub other_mediator: Persona,
    pub police_officer: Persona,
    pub judicial_officer: Persona,
    pub hr_officer: Persona,
    pub lawyer: Persona,
    /// A grid worker (网格员) of the town union: reports risks, sees nothing else.
    pub grid_worker: Persona,
}

impl TestApp {
    /// Signs in; panics unless it succeeds.
    pub async fn sign_in(&self, email: &str, password: &str) -> Persona {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            response.status,
            200,
            "sign-in of {email}: {}",
            response.text()
        );
        let body = response.json();
        let token = body["access_token"].as_str().unwrap().to_owned();
        let me = self.get("/api/v1/me", Some(&token)).await.json();
        Persona {
            id: me["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
            token,
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn admin(&self) -> Persona {
        self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates an office as `admin`.
    pub async fn create_office(
        &self,
        admin: &Persona,
        name: &str,
        code: &str,
        kind: &str,
        parent: Option<&Value>,
    ) -> Value {
        let mut body = json!({"name": name, "code": code, "kind": kind, "email": format!("{}@offices.test", code.to_lowercase())});
        if let Some(parent) = parent {
            body["parent_id"] = parent["id"].clone();
        }
        let response = self
            .post_json("/api/v1/offices", Some(&admin.token), &body)
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }

    /// Creates a user as `admin` and signs them in.
    pub async fn create_persona(&self, admin: &Persona, role: &str, office: &Value) -> Persona {
        let email = format!(
            "{role}.{}@people.test",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let password = "a-long-enough-test-password";
        let body = json!({"email": email, "name": format!("Test {role}"), "role": role,
                          "office_id": office["id"], "password": password});
        let response = self
            .post_json("/api/v1/users", Some(&admin.token), &body)
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        self.sign_in(&email, password).await
    }

    /// The standard directory with one persona per role.
    pub async fn world(&self) -> World {
        let admin = self.admin().await;
        let county_union = self
            .create_office(&admin, "鹤山市总工会", "HS", "union", None)
            .await;
        let town_union = self
            .create_office(&admin, "沙坪街道工会", "SP", "union", Some(&county_union))
            .await;
        let other_union = self
            .create_office(&admin, "中山港街道总工会", "ZSG", "union", None)
            .await;
        let judicial = self
            .create_office(&admin, "沙坪司法所", "SPSF", "judicial", None)
            .await;
        let hr = self
            .create_office(&admin, "沙坪人社所", "SPRS", "hr", None)
            .await;
        let police = self
            .create_office(&admin, "沙坪派出所", "SPPS", "police", None)
            .await;
        let court = self
            .create_office(&admin, "鹤山市人民法院", "HSFY", "court", None)
            .await;
        World {
            mediator: self
                .create_persona(&admin, "union_mediator", &town_union)
                .await,
            supervisor: self
                .create_persona(&admin, "union_supervisor", &county_union)
                .await,
            other_mediator: self
                .create_persona(&admin, "union_mediator", &other_union)
                .await,
            police_officer: self.create_persona(&admin, "police_officer", &police).await,
            judicial_officer: self
                .create_persona(&admin, "judicial_officer", &judicial)
                .await,
            hr_officer: self.create_persona(&admin, "hr_officer", &hr).await,
            lawyer: self.create_persona(&admin, "lawyer", &judicial).await,
            grid_worker: self
                .create_persona(&admin, "grid_worker", &town_union)
                .await,
            admin,
            county_union,
            town_union,
            other_union,
            judicial,
            hr,
            police,
            court,
        }
    }
}

/// The seed story: Mr Zhang, owed 3,000 yuan by a Heshan furniture factory that closed.
pub fn furniture_factory_case() -> Value {
    json!({
        "category": "wage_arrears",
        "channel": "hotline_12351",
        "summary": "家具厂关停，拖欠张先生工资3000元，企业主暂时无法联系。Furniture factory closed owing Mr Zhang 3,000 yuan; owner unreachable.",
        "claimed_amount_fen": 300000,
        "workers_involved": 1,
        "flags": ["migrant_worker"],
        "employer": {"name": "鹤山市沙坪某家具厂", "credit_code": "91350100M000100Y43", "address": "鹤山市沙坪街道",
                     "contact_name": "企业主", "contact_phone": "13812345678"},
        "workers": [{"name": "张先生", "id_number": "440524198001010013", "phone": "13900001111", "role": "claimant"}]
    })
}

impl TestApp {
    /// Registers a case as `persona`; panics unless it is created.
    pub async fn register_case(&self, persona: &Persona, body: &Value) -> Value {
        let response = self
            .post_json("/api/v1/cases", Some(&persona.token), body)
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }

    /// Applies a transition; returns the response.
    pub async fn transition(
        &self,
        persona: &Persona,
        case: &Value,
        body: Value,
    ) -> crate::helpers::TestResponse {
        let path = format!("/api/v1/cases/{}/transitions", case["id"].as_str().unwrap());
        self.post_json(&path, Some(&persona.token), &body).await
    }
}
