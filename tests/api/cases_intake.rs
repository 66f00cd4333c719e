//! Intake: validation, case numbers, the statutory clock, parties and search.

use serde_json::json;

use crate::api_test;
use crate::helpers::urlencode;
use crate::personas::furniture_factory_case;

api_test!(
    async fn a_mediator_registers_the_furniture_factory_case(app) {
        let world = app.world().await;
        let response = app.post_json("/api/v1/cases", Some(&world.mediator.token), &furniture_factory_case()).await;
        assert_eq!(response.status, 201, "{}", response.text());
        let case = response.json();
        let year = chrono::Utc::now().format("%Y").to_string();
        assert_eq!(case["case_number"], format!("SP-{year}-000001"));
        assert_eq!(response.header("location").unwrap(), format!("/api/v1/cases/{}", case["id"].as_str().unwrap()));
        assert_eq!(case["status"], "intake");
        assert_eq!(case["claimed_amount_fen"], 300000);
        assert_eq!(case["recovered_amount_fen"], 0);
        assert_eq!(case["collective"], false);
        assert_eq!(case["overdue"], false);
        assert_eq!(case["flags"], json!(["migrant_worker"]));
        assert_eq!(case["office"]["id"], world.town_union["id"]);
        assert_eq!(case["office"]["kind"], "union");
        assert_eq!(case["employer"]["credit_code"], "91350100M000100Y43");
        assert_eq!(case["employer"]["contact_phone"], "138****5678");
        assert_eq!(case["version"], 1);

        let parties = app.get(&format!("/api/v1/cases/{}/parties", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        let worker = &parties["items"][0];
        assert_eq!((worker["kind"].as_str(), worker["name"].as_str()), (Some("worker"), Some("张先生")));
        assert_eq!(worker["id_number"], "4405**********0013");
        assert_eq!(worker["phone"], "139****1111");
        assert_eq!(parties["items"][1]["kind"], "employer");

        let events = app.get(&format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        let intake = &events["items"][0];
        assert_eq!(intake["kind"], "intake");
        assert_eq!(intake["sequence"], 1);
        assert_eq!(intake["actor"]["id"], world.mediator.id.as_str());
        assert_eq!(intake["actor"]["office_id"], world.town_union["id"]);
        assert_eq!(intake["previous_hash"], "0".repeat(64));
        assert_eq!(intake["data"]["case_number"], case["case_number"]);
    }
);

api_test!(
    async fn the_mediation_deadline_is_fifteen_days_after_receipt_across_a_month_end(app) {
        let world = app.world().await;
        let mut body = furniture_factory_case();
        body["received_at"] = json!("2026-01-25T02:00:00Z");
        let case = app.register_case(&world.mediator, &body).await;
        assert_eq!(case["mediation_deadline"], "2026-02-09");
        assert_eq!(case["received_at"], "2026-01-25T02:00:00Z");
        assert_eq!(case["overdue"], true, "that window closed long ago");
    }
);

api_test!(
    async fn the_deadline_is_counted_in_the_offices_own_time_zone(app) {
        let world = app.world().await;
        let london = app
            .post_json("/api/v1/offices", Some(&world.admin.token),
                &json!({"name": "Overseas workers' union desk", "code": "LDN", "kind": "union", "time_zone": "Europe/London"}))
            .await
            .json();
        let london_mediator = app.create_persona(&world.admin, "union_mediator", &london).await;
        let mut body = furniture_factory_case();
        body["received_at"] = json!("2026-10-31T17:00:00Z");
        let shanghai_case = app.register_case(&world.mediator, &body).await;
        let london_case = app.register_case(&london_mediator, &body).await;
        assert_eq!(shanghai_case["mediation_deadline"], "2026-11-16", "already 1 November in Shanghai");
        assert_eq!(london_case["mediation_deadline"], "2026-11-15", "still 31 October in London");
    }
);

api_test!(
    async fn every_invalid_intake_field_is_named_in_one_422(app) {
        let world = app.world().await;
        let mut body = furniture_factory_case();
        body["summary"] = json!("");
        body["claimed_amount_fen"] = json!(-1);
        body["received_at"] = json!("2099-01-01T00:00:00Z");
        body["employer"]["credit_code"] = json!("91350100M000100Y44");
        body["employer"]["contact_phone"] = json!("12345");
        body["workers"][0]["id_number"] = json!("440524198001010014");
        body["workers"][0]["phone"] = json!("phone");
        let response = app.post_json("/api/v1/cases", Some(&world.mediator.token), &body).await;
        let problem = response.assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, [
            "claimed_amount_fen", "employer.contact_phone", "employer.credit_code", "received_at", "summary",
            "workers[0].id_number", "workers[0].phone",
        ]);
        let check_digit = problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == "workers[0].id_number").unwrap();
        assert!(check_digit["message"].as_str().unwrap().contains("GB 11643"));

        let mut huge = furniture_factory_case();
        huge["claimed_amount_fen"] = json!(1_000_000_000_001i64);
        huge["workers_involved"] = json!(0);
        let problem = app.post_json("/api/v1/cases", Some(&world.mediator.token), &huge).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
        let mut unknown = furniture_factory_case();
        unknown["category"] = json!("bribery");
        let problem = app.post_json("/api/v1/cases", Some(&world.mediator.token), &unknown).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "category");
        let cases = app.get("/api/v1/cases", Some(&world.mediator.token)).await.json();
        assert_eq!(cases["items"].as_array().unwrap().len(), 0, "nothing half-written");
    }
);

api_test!(
    async fn concurrent_intakes_get_distinct_consecutive_case_numbers(app) {
        let world = app.world().await;
        let body = furniture_factory_case();
        let requests = (0..12).map(|_| app.post_json("/api/v1/cases", Some(&world.mediator.token), &body));
        let responses = futures_util::future::join_all(requests).await;
        let mut numbers: Vec<String> = responses
            .iter()
            .map(|r| {
                assert_eq!(r.status, 201, "{}", r.text());
                r.json()["case_number"].as_str().unwrap().to_owned()
            })
            .collect();
        numbers.sort();
        let year = chrono::Utc::now().format("%Y").to_string();
        let expected: Vec<String> = (1..=12).map(|n| format!("SP-{year}-{n:06}")).collect();
        assert_eq!(numbers, expected);
    }
);

api_test!(
    async fn ten_workers_make_a_collective_case_that_can_be_listed(app) {
        let world = app.world().await;
        let mut body = furniture_factory_case();
        body["workers_involved"] = json!(12);
        body["workers"] = json!([{"name": "刘代表", "phone": "13700001234", "role": "representative"}]);
        let collective = app.register_case(&world.mediator, &body).await;
        assert_eq!(collective["collective"], true);
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        let listed = app.get("/api/v1/cases?collective=true", Some(&world.mediator.token)).await.json();
        let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [collective["id"].as_str().unwrap()]);
        let parties = app.get(&format!("/api/v1/cases/{}/parties", collective["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        assert_eq!(parties["items"][0]["kind"], "representative");
    }
);

api_test!(
    async fn id_and_phone_numbers_are_stored_encrypted_and_added_parties_are_masked(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let path = format!("/api/v1/cases/{}/parties", case["id"].as_str().unwrap());
        let added = app
            .post_json(&path, Some(&world.mediator.token), &json!({"kind": "worker", "name": "李四", "id_number": "440784198503150021", "phone": "0750-1234567"}))
            .await;
        assert_eq!(added.status, 201, "{}", added.text());
        assert_eq!(added.json()["id_number"], "4407**********0021");
        let bad = app.post_json(&path, Some(&world.mediator.token), &json!({"kind": "worker", "name": "王五", "id_number": "440784198503150022"})).await;
        assert_eq!(bad.assert_problem(422, "validation_failed")["errors"][0]["field"], "id_number");

        let stored: Vec<(Option<String>, Option<String>)> = app
            .state
            .db
            .run(|connection| {
                use diesel::prelude::*;
                use mediation_tracker::schema::case_parties;
                Ok(case_parties::table.select((case_parties::id_number_cipher, case_parties::phone_cipher)).load(connection)?)
            })
            .await
            .unwrap();
        let everything = format!("{stored:?}");
        for plain in ["440784198503150021", "440524198001010013", "13900001111", "1234567", "13812345678"] {
            assert!(!everything.contains(plain), "{plain} is stored in plain text");
        }
        let events = app.get(&format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        assert_eq!(events["items"][1]["kind"], "party_added");
        assert_eq!(events["items"][1]["data"]["id_number"], "4407**********0021");
    }
);

api_test!(
    async fn search_finds_a_case_by_number_employer_party_name_or_exact_id_number(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let mut other = furniture_factory_case();
        other["employer"]["name"] = json!("Zhongshan Electronics Ltd");
        other["workers"] = json!([{"name": "陈工", "id_number": "440784198503150021"}]);
        let other = app.register_case(&world.mediator, &other).await;
        let find = |q: &str| {
            let path = format!("/api/v1/cases?q={}", urlencode(q));
            let token = world.mediator.token.clone();
            let app = &app;
            async move {
                let page = app.get(&path, Some(&token)).await.json();
                page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
            }
        };
        let (first, second) = (case["id"].as_str().unwrap().to_owned(), other["id"].as_str().unwrap().to_owned());
        assert_eq!(find("家具厂").await, [first.as_str()]);
        assert_eq!(find("张先生").await, [first.as_str()]);
        assert_eq!(find(case["case_number"].as_str().unwrap()).await, [first.as_str()]);
        assert_eq!(find("zhongshan electronics").await, [second.as_str()], "case-insensitive");
        assert_eq!(find("440784198503150021").await, [second.as_str()], "exact ID number via its keyed hash");
        assert!(find("100%").await.is_empty());
    }
);

api_test!(
    async fn numbers_typed_full_width_with_spaces_are_stored_normalised_and_found_by_their_half_width_form(app) {
        let world = app.world().await;
        let mut body = furniture_factory_case();
        body["employer"]["credit_code"] = json!("９１３５０１００Ｍ０００１００Ｙ４３");
        body["employer"]["contact_phone"] = json!("１３８\u{3000}１２３４\u{3000}５６７８");
        let case = app.register_case(&world.mediator, &body).await;
        assert_eq!(case["employer"]["credit_code"], "91350100M000100Y43");
        assert_eq!(case["employer"]["contact_phone"], "138****5678");
        let id = case["id"].as_str().unwrap();

        // As typed with a Chinese IME: 全角 digits, a full-width ｘ, ideographic and ASCII spaces.
        let typed = json!({"kind": "worker", "name": "赵六", "id_number": "１１０１０５\u{3000}１９４９１２３１ ００２ｘ", "phone": "１３８ ０００１ ２２３３"});
        let added = app.post_json(&format!("/api/v1/cases/{id}/parties"), Some(&world.mediator.token), &typed).await;
        assert_eq!(added.status, 201, "{}", added.text());
        assert_eq!((added.json()["id_number"].as_str(), added.json()["phone"].as_str()), (Some("1101**********002X"), Some("138****2233")));
        let listed = app.get(&format!("/api/v1/cases/{id}/parties"), Some(&world.mediator.token)).await.json();
        let party = listed["items"].as_array().unwrap().iter().find(|p| p["name"] == "赵六").unwrap().clone();
        assert_eq!(party["id_number"], "1101**********002X");

        let revealed = app
            .post_json(&format!("/api/v1/cases/{id}/parties/{}/reveal", party["id"].as_str().unwrap()), Some(&world.mediator.token), &json!({"purpose": "核对身份证号"}))
            .await;
        assert_eq!(revealed.status, 200, "{}", revealed.text());
        assert_eq!((revealed.json()["id_number"].as_str(), revealed.json()["phone"].as_str()), (Some("11010519491231002X"), Some("13800012233")), "stored normalised");

        for q in ["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X"] {
            let page = app.get(&format!("/api/v1/cases?q={}", urlencode(q)), Some(&world.mediator.token)).await.json();
            let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(ids, [id], "q={q}");
        }
    }
);
