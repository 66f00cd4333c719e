//! Many writers on one case at once: none deadlocks, none is lost, the chain stays whole, and
//! checking the chain while it grows never raises a false alarm.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::api_test;
use crate::case_files::{upload, PDF};
use crate::helpers::{TestApp, TestResponse};
use crate::personas::{furniture_factory_case, Persona};

const WRITERS: usize = 16;

async fn verify(app: &TestApp, who: &Persona, case: &Value) -> Value {
    let path = format!(
        "/api/v1/cases/{}/events/verify",
        case["id"].as_str().unwrap()
    );
    let response = app.get(&path, Some(&who.token)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

fn assert_all_succeeded(what: &str, responses: Vec<TestResponse>) {
    let failures: Vec<String> = responses
        .iter()
        .filter(|r| !(200..300).contains(&r.status))
        .map(|r| format!("{} {}", r.status, r.text()))
        .collect();
    assert!(
        failures.is_empty(),
        "{what}: {} of {WRITERS} failed: {failures:?}",
        failures.len()
    );
}

api_test!(
    async fn sixteen_concurrent_writes_of_each_kind_to_one_case_all_succeed_and_the_chain_verifies(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let token = Some(world.mediator.token.as_str());
        let app = &app;
        let parties_path = format!("/api/v1/cases/{id}/parties");
        let parties_before = app.get(&parties_path, token).await.json()["items"].as_array().unwrap().len();

        let parties = (0..WRITERS).map(|i| {
            let body = json!({"kind": "worker", "name": format!("工友{i}")});
            let path = format!("/api/v1/cases/{id}/parties");
            async move { app.post_json(&path, token, &body).await }
        });
        assert_all_succeeded("parties", join_all(parties).await);

        let referrals = (0..WRITERS).map(|i| {
            let body = json!({"office_id": world.hr["id"], "kind": "negotiation", "request": format!("请协助协商 {i}")});
            let path = format!("/api/v1/cases/{id}/referrals");
            async move { app.post_json(&path, token, &body).await }
        });
        assert_all_succeeded("referrals", join_all(referrals).await);

        let documents = (0..WRITERS).map(|i| {
            let name = format!("evidence-{i}.pdf");
            let (mediator, case) = (&world.mediator, &case);
            async move { upload(app, mediator, case, Some("evidence"), &name, "application/pdf", PDF).await }
        });
        assert_all_succeeded("documents", join_all(documents).await);

        let notes = (0..WRITERS).map(|i| {
            let body = json!({"body": format!("第{i}次电话联系")});
            let path = format!("/api/v1/cases/{id}/notes");
            async move { app.post_json(&path, token, &body).await }
        });
        assert_all_succeeded("notes", join_all(notes).await);

        let check = verify(app, &world.mediator, &case).await;
        assert_eq!(check["valid"], true, "{check}");
        // Registration, then 16 of each of the four kinds.
        let written = 1 + 4 * WRITERS as i64;
        assert!(check["events"].as_i64().unwrap() >= written, "{check}");
        let parties = app.get(&parties_path, token).await.json();
        assert_eq!(parties["items"].as_array().unwrap().len(), parties_before + WRITERS, "every party kept");
    }
);

api_test!(
    async fn verifying_the_chain_while_events_are_appended_never_reports_tampering(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap().to_owned();
        let token = world.mediator.token.clone();

        let writers = (0..4).map(|writer| {
            let (app, id, token) = (&app, id.clone(), token.clone());
            async move {
                for i in 0..10 {
                    let body = json!({"body": format!("记录 {writer}-{i}")});
                    let response = app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&token), &body).await;
                    assert_eq!(response.status, 201, "{}", response.text());
                }
            }
        });
        let checkers = (0..4).map(|_| {
            let (app, mediator, case) = (&app, &world.mediator, &case);
            async move {
                let mut alarms = Vec::new();
                for _ in 0..15 {
                    let check = verify(app, mediator, case).await;
                    if check["valid"] != true {
                        alarms.push(check);
                    }
                }
                alarms
            }
        });
        let (_, alarms) = futures_util::future::join(join_all(writers), join_all(checkers)).await;
        let alarms: Vec<Value> = alarms.into_iter().flatten().collect();
        assert!(alarms.is_empty(), "false tamper alarms: {alarms:?}");
        assert_eq!(verify(&app, &world.mediator, &case).await["valid"], true);
    }
);
