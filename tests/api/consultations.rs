//! Consultations (法律咨询) and legal aid (docs/prevention.md): union staff record them with
//! the person's numbers protected like a party's, list them by topic, outcome, who answered and
//! date, and see only their offices'.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

fn consultation(topic: &str, answered_by: &str, outcome: &str) -> Value {
    json!({"channel": "walk_in", "topic": topic, "answered_by": answered_by, "outcome": outcome,
           "minutes": "工人咨询拖欠工资如何维权，告知可申请调解或劳动仲裁。"})
}

async fn record(app: &TestApp, persona: &Persona, body: &Value) -> Value {
    let response = app
        .post_json("/api/v1/consultations", Some(&persona.token), body)
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn listed(app: &TestApp, persona: &Persona, query: &str) -> Vec<String> {
    let response = app
        .get(
            &format!("/api/v1/consultations{query}"),
            Some(&persona.token),
        )
        .await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    response.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(
    async fn a_mediator_records_a_consultation_with_masked_personal_data_and_reads_it_back(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let case = app.register_case(m, &furniture_factory_case()).await;
        let mut body = consultation("wage_arrears", "union_lawyer", "legal_aid_granted");
        body["case_id"] = case["id"].clone();
        body["person"] = json!({"name": "刘女士", "phone": "139 0000 1111", "id_number": "440524198001010013"});
        let response = app.post_json("/api/v1/consultations", Some(&m.token), &body).await;
        assert_eq!(response.status, 201, "{}", response.text());
        let recorded = response.json();
        assert_eq!(response.header("location").unwrap(), format!("/api/v1/consultations/{}", recorded["id"].as_str().unwrap()));
        assert_eq!(recorded["person"]["name"], "刘女士");
        assert_eq!(recorded["person"]["phone_masked"], "139****1111");
        assert_eq!(recorded["person"]["id_number_masked"], "4405**********0013");
        assert!(!response.text().contains("13900001111") && !response.text().contains("198001010013"));
        assert_eq!(recorded["case_id"], case["id"]);
        assert_eq!(recorded["outcome"], "legal_aid_granted");
        assert_eq!(recorded["office_id"], world.town_union["id"]);
        assert_eq!(recorded["recorded_by"], m.id.as_str());

        let path = format!("/api/v1/consultations/{}", recorded["id"].as_str().unwrap());
        assert_eq!(app.get(&path, Some(&m.token)).await.json(), recorded);
        assert_eq!(app.get(&path, Some(&world.supervisor.token)).await.status, 200, "the county sees the town");
        app.get(&path, Some(&world.other_mediator.token)).await.assert_problem(404, "not_found");
        app.get(&path, Some(&world.police_officer.token)).await.assert_problem(404, "not_found");
        assert!(listed(&app, &world.other_mediator, "").await.is_empty());
        assert!(listed(&app, &world.lawyer, "").await.is_empty());

        // The numbers are stored encrypted, never in clear.
        let id = recorded["id"].as_str().unwrap().to_owned();
        let stored: (Option<String>, Option<String>) = app.state.db.run(move |c| {
            use diesel::prelude::*;
            use mediation_tracker::schema::consultations;
            Ok(consultations::table.find(id)
                .select((consultations::phone_cipher, consultations::id_number_cipher))
                .first(c)?)
        }).await.unwrap();
        assert!(stored.0.is_some_and(|p| !p.contains("13900001111")));
        assert!(stored.1.is_some_and(|n| !n.contains("440524198001010013")));
    }
);

api_test!(
    async fn consultation_lists_filter_by_topic_outcome_answered_by_and_date(app) {
        let world = app.world().await;
        let m = &world.mediator;
        let mut early = consultation("work_injury", "judicial_office", "referred_elsewhere");
        let three_days_ago = app.state.clock.now() - chrono::Duration::days(3);
        early["consulted_at"] = json!(three_days_ago.to_rfc3339());
        let early = record(&app, m, &early).await;
        let advised = record(&app, m, &consultation("wage_arrears", "mediator", "advised")).await;
        let aid = record(&app, m, &consultation("wage_arrears", "union_lawyer", "legal_aid_granted")).await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

        assert_eq!(listed(&app, m, "").await, [id(&aid), id(&advised), id(&early)], "newest first");
        assert_eq!(listed(&app, m, "?topic=wage_arrears").await, [id(&aid), id(&advised)]);
        assert_eq!(listed(&app, m, "?outcome=legal_aid_granted").await, [id(&aid)]);
        assert_eq!(listed(&app, m, "?answered_by=judicial_office").await, [id(&early)]);
        let day = |t: chrono::DateTime<chrono::Utc>| t.date_naive().to_string();
        let today = day(app.state.clock.now());
        assert_eq!(listed(&app, m, &format!("?from={today}")).await, [id(&aid), id(&advised)]);
        assert_eq!(listed(&app, m, &format!("?to={}", day(three_days_ago))).await, [id(&early)]);
        app.get(&format!("/api/v1/consultations?from={today}&to={}", day(three_days_ago)), Some(&m.token))
            .await
            .assert_problem(400, "invalid_query");
        let first = app.get("/api/v1/consultations?limit=1", Some(&m.token)).await.json();
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = app.get(&format!("/api/v1/consultations?limit=1&cursor={cursor}"), Some(&m.token)).await.json();
        assert_eq!(second["items"][0]["id"], advised["id"]);
    }
);

api_test!(
    async fn bad_input_and_a_case_of_another_office_are_422_with_the_field_named(app) {
        let world = app.world().await;
        let elsewhere = app.register_case(&world.other_mediator, &furniture_factory_case()).await;
        let mut body = consultation("wage_arrears", "mediator", "advised");
        body["case_id"] = elsewhere["id"].clone();
        body["minutes"] = json!("  ");
        body["person"] = json!({"name": "刘女士", "phone": "12345"});
        let problem = app
            .post_json("/api/v1/consultations", Some(&world.mediator.token), &body)
            .await
            .assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["case_id", "minutes", "person.phone"], "{problem}");
        let unknown = app
            .post_json("/api/v1/consultations", Some(&world.mediator.token),
                &consultation("wage_arrears", "mediator", "solved"))
            .await;
        assert_eq!(unknown.status, 422, "{}", unknown.text());
        assert!(unknown.text().contains("outcome"), "{}", unknown.text());
        app.post_json("/api/v1/consultations", Some(&world.lawyer.token), &consultation("other", "mediator", "advised"))
            .await
            .assert_problem(403, "forbidden");
    }
);
