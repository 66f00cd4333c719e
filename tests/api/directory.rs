//! Offices and users: what admins manage and everyone else reads.

use serde_json::json;

use crate::api_test;
use crate::helpers::{spawn_app_with, Backend};

api_test!(
    async fn an_admin_creates_an_office_with_a_location_etag_and_default_time_zone(app) {
        let admin = app.admin().await;
        let response = app
            .post_json("/api/v1/offices", Some(&admin.token), &json!({"name": "鹤山市总工会", "code": "hs", "kind": "union"}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        let office = response.json();
        assert_eq!(office["code"], "HS", "codes are stored upper-case");
        assert_eq!(office["time_zone"], "Asia/Shanghai");
        assert_eq!(response.header("etag"), Some("\"1\""));
        let location = response.header("location").unwrap().to_owned();
        assert_eq!(app.get(&location, Some(&admin.token)).await.json()["id"], office["id"]);
    }
);

api_test!(
    async fn office_fields_are_validated_together(app) {
        let admin = app.admin().await;
        let response = app
            .post_json("/api/v1/offices", Some(&admin.token),
                &json!({"name": "", "code": "9-bad", "kind": "union", "email": "nope", "time_zone": "Mars/Olympus"}))
            .await;
        let problem = response.assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["code", "email", "name", "time_zone"]);
        let bad_kind = app
            .post_json("/api/v1/offices", Some(&admin.token), &json!({"name": "x", "code": "XX", "kind": "temple"}))
            .await;
        assert_eq!(bad_kind.assert_problem(422, "validation_failed")["errors"][0]["field"], "kind");
    }
);

api_test!(
    async fn office_codes_are_unique(app) {
        let admin = app.admin().await;
        app.create_office(&admin, "A", "HS", "union", None).await;
        let again = app.post_json("/api/v1/offices", Some(&admin.token), &json!({"name": "B", "code": "hs", "kind": "police"})).await;
        assert_eq!(again.assert_problem(422, "validation_failed")["errors"][0]["field"], "code");
    }
);

api_test!(
    async fn editing_an_office_honours_if_match_and_refuses_cycles(app) {
        let admin = app.admin().await;
        let county = app.create_office(&admin, "County", "CTY", "union", None).await;
        let town = app.create_office(&admin, "Town", "TWN", "union", Some(&county)).await;
        let path = format!("/api/v1/offices/{}", county["id"].as_str().unwrap());
        let edit = |etag: &'static str, body: serde_json::Value| {
            let request = app.request("PATCH", &path, Some(&admin.token))
                .insert_header(("content-type", "application/json"))
                .insert_header(("if-match", etag));
            app.send(request, Some(serde_json::to_vec(&body).unwrap()))
        };
        let renamed = edit("\"1\"", json!({"name": "County union"})).await;
        assert_eq!(renamed.status, 200, "{}", renamed.text());
        assert_eq!(renamed.json()["version"], 2);
        assert_eq!(renamed.header("etag"), Some("\"2\""));
        edit("\"1\"", json!({"name": "Stale edit"})).await.assert_problem(412, "version_conflict");
        let cycle = edit("\"2\"", json!({"parent_id": town["id"]})).await;
        assert_eq!(cycle.assert_problem(422, "validation_failed")["errors"][0]["field"], "parent_id");
        let read = app.get(&path, Some(&admin.token)).await.json();
        assert_eq!(read["name"], "County union");
    }
);

api_test!(
    async fn offices_are_listed_newest_first_page_by_page(app) {
        let admin = app.admin().await;
        for code in ["AA", "BB", "CC"] {
            app.create_office(&admin, code, code, "judicial", None).await;
        }
        let first = app.get("/api/v1/offices?limit=2", Some(&admin.token)).await.json();
        let codes: Vec<&str> = first["items"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["CC", "BB"]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = app.get(&format!("/api/v1/offices?limit=2&cursor={cursor}"), Some(&admin.token)).await.json();
        assert_eq!(second["items"][0]["code"], "AA");
        assert!(second["next_cursor"].is_null());
        let only_hr = app.get("/api/v1/offices?kind=hr", Some(&admin.token)).await.json();
        assert_eq!(only_hr["items"].as_array().unwrap().len(), 0);
        app.get("/api/v1/offices?limit=500", Some(&admin.token)).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/offices?cursor=forged", Some(&admin.token)).await.assert_problem(400, "invalid_cursor");
    }
);

api_test!(
    async fn a_role_must_fit_the_kind_of_its_office(app) {
        let world = app.world().await;
        let body = json!({"email": "cop@people.test", "name": "Cop", "role": "police_officer",
                          "office_id": world.hr["id"], "password": "a-long-enough-test-password"});
        let response = app.post_json("/api/v1/users", Some(&world.admin.token), &body).await;
        assert_eq!(response.assert_problem(422, "validation_failed")["errors"][0]["field"], "role");
        let no_office = json!({"email": "m@people.test", "name": "M", "role": "union_mediator", "password": "a-long-enough-test-password"});
        app.post_json("/api/v1/users", Some(&world.admin.token), &no_office).await.assert_problem(422, "validation_failed");
        let path = format!("/api/v1/users/{}", world.mediator.id);
        let move_to_police = app.json_request("PATCH", &path, Some(&world.admin.token), &json!({"office_id": world.police["id"]})).await;
        move_to_police.assert_problem(422, "validation_failed");
    }
);

api_test!(
    async fn user_emails_are_unique_whatever_their_case(app) {
        let world = app.world().await;
        let body = json!({"email": world.mediator.email.to_uppercase(), "name": "Twin", "role": "union_mediator",
                          "office_id": world.town_union["id"], "password": "a-long-enough-test-password"});
        let response = app.post_json("/api/v1/users", Some(&world.admin.token), &body).await;
        assert_eq!(response.assert_problem(422, "validation_failed")["errors"][0]["field"], "email");
    }
);

api_test!(
    async fn users_are_listed_by_office_and_role_without_password_hashes(app) {
        let world = app.world().await;
        let path = format!("/api/v1/users?office_id={}", world.town_union["id"].as_str().unwrap());
        let page = app.get(&path, Some(&world.admin.token)).await.json();
        let items = page["items"].as_array().unwrap();
        // The town union's people: its mediator and its grid worker (newest first).
        let ids: Vec<&str> = items.iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [world.grid_worker.id.as_str(), world.mediator.id.as_str()]);
        assert!(items.iter().all(|u| u.get("password_hash").is_none()));
        let lawyers = app.get("/api/v1/users?role=lawyer", Some(&world.admin.token)).await.json();
        assert_eq!(lawyers["items"][0]["id"], world.lawyer.id.as_str());
    }
);

api_test!(
    async fn the_last_active_admin_cannot_be_deactivated(app) {
        let admin = app.admin().await;
        let path = format!("/api/v1/users/{}", admin.id);
        let response = app.json_request("PATCH", &path, Some(&admin.token), &json!({"active": false})).await;
        response.assert_problem(409, "last_admin");
    }
);

api_test!(
    async fn request_bodies_that_cannot_be_read_get_400_413_415_or_422(app) {
        let admin = app.admin().await;
        let send = |content_type: &'static str, body: Vec<u8>| {
            let request = app.request("POST", "/api/v1/offices", Some(&admin.token)).insert_header(("content-type", content_type));
            app.send(request, Some(body))
        };
        send("application/json", b"{\"name\": ".to_vec()).await.assert_problem(400, "malformed_json");
        send("text/plain", b"{}".to_vec()).await.assert_problem(415, "unsupported_media_type");
        let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        send("application/json", huge.into_bytes()).await.assert_problem(413, "payload_too_large");
        let missing = send("application/json", br#"{"name": "x", "kind": "union"}"#.to_vec()).await;
        let problem = missing.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "code");
        let wrong_type = send("application/json", br#"{"name": 7, "code": "AB", "kind": "union"}"#.to_vec()).await;
        assert_eq!(wrong_type.assert_problem(422, "validation_failed")["errors"][0]["field"], "name");
        let unknown = send("application/json", br#"{"name": "x", "code": "AB", "kind": "union", "colour": "red"}"#.to_vec()).await;
        unknown.assert_problem(422, "validation_failed");
    }
);

#[actix_web::test]
async fn the_body_limit_is_configurable() {
    let app = spawn_app_with(Backend::Sqlite, |config| config.body_limit_bytes = 100)
        .await
        .unwrap();
    let admin = app.admin().await;
    let body = json!({"name": "x".repeat(100), "code": "AB", "kind": "union"});
    app.post_json("/api/v1/offices", Some(&admin.token), &body)
        .await
        .assert_problem(413, "payload_too_large");
}
