//! Who sees which case: enforced inside the queries, answered 404 as if the case did not exist.

use serde_json::json;

use crate::api_test;
use crate::personas::furniture_factory_case;

api_test!(
    async fn a_mediator_of_another_office_gets_404_everywhere_on_the_case(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let outsider = &world.other_mediator;
        for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/cases/{id}/events"), format!("/api/v1/cases/{id}/parties")] {
            app.get(&path, Some(&outsider.token)).await.assert_problem(404, "not_found");
        }
        app.json_request("PATCH", &format!("/api/v1/cases/{id}"), Some(&outsider.token), &json!({"summary": "x"}))
            .await
            .assert_problem(404, "not_found");
        app.transition(outsider, &case, json!({"action": "accept"})).await.assert_problem(404, "not_found");
        app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&outsider.token), &json!({"body": "x"}))
            .await
            .assert_problem(404, "not_found");
        app.post_json(&format!("/api/v1/cases/{id}/parties"), Some(&outsider.token), &json!({"kind": "worker", "name": "x"}))
            .await
            .assert_problem(404, "not_found");
        let theirs = app.get("/api/v1/cases", Some(&outsider.token)).await.json();
        assert!(theirs["items"].as_array().unwrap().is_empty());
        let unknown = app.get("/api/v1/cases/no-such-case", Some(&outsider.token)).await.assert_problem(404, "not_found");
        let hidden = app.get(&format!("/api/v1/cases/{id}"), Some(&outsider.token)).await.json();
        assert_eq!(unknown["detail"], hidden["detail"], "an invisible case looks exactly like a missing one");
        let unchanged = app.get(&format!("/api/v1/cases/{id}"), Some(&world.mediator.token)).await.json();
        assert_eq!(unchanged["version"], 1);
    }
);

api_test!(
    async fn a_county_supervisor_sees_the_town_unions_cases_and_the_town_does_not_see_the_county(app) {
        let world = app.world().await;
        let town_case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let county_case = app.register_case(&world.supervisor, &furniture_factory_case()).await;
        assert!(county_case["case_number"].as_str().unwrap().starts_with("HS-"));
        let seen = app.get("/api/v1/cases", Some(&world.supervisor.token)).await.json();
        let ids: Vec<&str> = seen["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [county_case["id"].as_str().unwrap(), town_case["id"].as_str().unwrap()]);
        app.get(&format!("/api/v1/cases/{}", county_case["id"].as_str().unwrap()), Some(&world.mediator.token))
            .await
            .assert_problem(404, "not_found");
    }
);

api_test!(
    async fn admins_partners_and_lawyers_see_no_case_contents_yet(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        for persona in [&world.admin, &world.police_officer, &world.judicial_officer, &world.hr_officer, &world.lawyer] {
            app.get(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap()), Some(&persona.token))
                .await
                .assert_problem(404, "not_found");
            let list = app.get("/api/v1/cases", Some(&persona.token)).await.json();
            assert!(list["items"].as_array().unwrap().is_empty());
        }
    }
);
