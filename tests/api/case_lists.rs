//! The lists inside a case — parties, referrals, sessions, payments, documents, grants — and an
//! office's machine clients: every one answers `{"items": [...], "next_cursor": ...}`, and the
//! ones that grow follow their cursors in the order things happened.

use serde_json::{json, Value};

use crate::api_test;
use crate::case_files::{upload, PDF};
use crate::helpers::TestApp;
use crate::personas::furniture_factory_case;

/// Every page of `path` at `limit` items a page: the items in order and the number of pages.
async fn all_pages(app: &TestApp, path: &str, token: &str, limit: usize) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let mut url = format!("{path}?limit={limit}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let response = app.get(&url, Some(token)).await;
        assert_eq!(response.status, 200, "{url}: {}", response.text());
        let page = response.json();
        let served = page["items"].as_array().unwrap();
        assert!(served.len() <= limit, "{url}: {page}");
        items.extend(served.iter().cloned());
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert_eq!(page["next_cursor"], Value::Null, "{url}: {page}");
                return (items, pages);
            }
        }
        assert!(pages < 50, "{path} never ends");
    }
}

fn field<'a>(items: &'a [Value], name: &str) -> Vec<&'a str> {
    items.iter().map(|i| i[name].as_str().unwrap()).collect()
}

api_test!(
    async fn every_list_inside_a_case_is_a_page_of_items_that_follows_its_cursor_oldest_first(app) {
        let world = app.world().await;
        let token = world.mediator.token.as_str();
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap().to_owned();
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;

        // Parties, in the order they were added: intake's worker and employer, then three more.
        for name in ["工友甲", "工友乙", "工友丙"] {
            let added = app.post_json(&format!("/api/v1/cases/{id}/parties"), Some(token), &json!({"kind": "worker", "name": name})).await;
            assert_eq!(added.status, 201, "{}", added.text());
        }
        let (parties, pages) = all_pages(&app, &format!("/api/v1/cases/{id}/parties"), token, 2).await;
        assert_eq!(field(&parties, "name"), ["张先生", "鹤山市沙坪某家具厂", "工友甲", "工友乙", "工友丙"]);
        assert_eq!(pages, 3);

        // Referrals, oldest first.
        let mut referred = Vec::new();
        for request in ["第一次协商", "第二次协商", "第三次协商"] {
            let response = app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(token),
                &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": request})).await;
            assert_eq!(response.status, 201, "{}", response.text());
            referred.push(response.json()["id"].as_str().unwrap().to_owned());
        }
        let (referrals, pages) = all_pages(&app, &format!("/api/v1/cases/{id}/referrals"), token, 2).await;
        assert_eq!(field(&referrals, "id"), referred);
        assert_eq!(pages, 2);

        // Sessions, in the order they are scheduled, not the order they were entered.
        let base = app.state.clock.now() + chrono::Duration::days(3);
        let mut sessions = Vec::new();
        for hours in [5, 1, 3] {
            let at = base + chrono::Duration::hours(hours);
            let response = app.post_json(&format!("/api/v1/cases/{id}/sessions"), Some(token),
                &json!({"scheduled_at": at, "location": format!("调解室 {hours}")})).await;
            assert_eq!(response.status, 201, "{}", response.text());
            sessions.push((hours, response.json()["id"].as_str().unwrap().to_owned()));
        }
        sessions.sort();
        let (listed, _) = all_pages(&app, &format!("/api/v1/cases/{id}/sessions"), token, 1).await;
        assert_eq!(field(&listed, "id"), sessions.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>());

        // Payments, earliest paid_at first. Two share a paid_at with nanoseconds, which SQLite keeps:
        // the cursor must continue exactly after the first of them, neither repeating nor skipping.
        let paid = (app.state.clock.now() - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut payments = Vec::new();
        for (order, paid_at) in [(0, format!("{paid}.000001Z")), (2, format!("{paid}.500000789Z")), (1, format!("{paid}.000002Z")), (3, format!("{paid}.500000789Z"))] {
            let response = app.post_json(&format!("/api/v1/cases/{id}/payments"), Some(token), &json!({"amount_fen": 1000, "paid_at": paid_at})).await;
            assert_eq!(response.status, 201, "{}", response.text());
            payments.push((order, response.json()["id"].as_str().unwrap().to_owned()));
        }
        payments.sort();
        let (listed, pages) = all_pages(&app, &format!("/api/v1/cases/{id}/payments"), token, 1).await;
        assert_eq!(field(&listed, "id"), payments.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>());
        assert_eq!(pages, 4);

        // Documents, oldest first.
        let mut uploaded = Vec::new();
        for name in ["一.pdf", "二.pdf", "三.pdf"] {
            let response = upload(&app, &world.mediator, &case, Some("evidence"), name, "application/pdf", PDF).await;
            assert_eq!(response.status, 201, "{}", response.text());
            uploaded.push(response.json()["id"].as_str().unwrap().to_owned());
        }
        let (documents, pages) = all_pages(&app, &format!("/api/v1/cases/{id}/documents"), token, 2).await;
        assert_eq!(field(&documents, "id"), uploaded);
        assert_eq!(pages, 2);

        // A cursor this API did not issue, and a limit out of range, are refused as on every list.
        for list in ["parties", "referrals", "sessions", "payments", "documents"] {
            app.get(&format!("/api/v1/cases/{id}/{list}?cursor=forged!"), Some(token)).await.assert_problem(400, "invalid_cursor");
            app.get(&format!("/api/v1/cases/{id}/{list}?limit=0"), Some(token)).await.assert_problem(400, "invalid_query");
        }

        // An empty cursor, as a form with an empty field sends it, is no cursor: the first page.
        for list in ["cases/{id}/payments", "cases/{id}/events", "cases"] {
            let path = format!("/api/v1/{}", list.replace("{id}", &id));
            let first = app.get(&format!("{path}?limit=1"), Some(token)).await;
            let blank = app.get(&format!("{path}?limit=1&cursor="), Some(token)).await;
            assert_eq!(blank.status, 200, "{path}: {}", blank.text());
            assert_eq!(blank.json()["items"], first.json()["items"], "{path}");
        }
    }
);

api_test!(
    async fn grants_and_machine_clients_are_answered_whole_in_the_same_envelope(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let expires = app.state.clock.now() + chrono::Duration::days(2);
        let granted = app.post_json(&format!("/api/v1/cases/{id}/grants"), Some(&world.mediator.token),
            &json!({"user_id": world.lawyer.id, "expires_at": expires})).await;
        assert_eq!(granted.status, 201, "{}", granted.text());
        let grants = app.get(&format!("/api/v1/cases/{id}/grants"), Some(&world.mediator.token)).await.json();
        assert_eq!(field(grants["items"].as_array().unwrap(), "id"), [granted.json()["id"].as_str().unwrap()]);
        assert_eq!(grants["next_cursor"], Value::Null);

        let path = format!("/api/v1/offices/{}/clients", world.police["id"].as_str().unwrap());
        let created = app.post_json(&path, Some(&world.admin.token), &json!({"name": "派出所系统"})).await;
        assert_eq!(created.status, 201, "{}", created.text());
        let clients = app.get(&path, Some(&world.admin.token)).await.json();
        assert_eq!(field(clients["items"].as_array().unwrap(), "client_id"), [created.json()["client_id"].as_str().unwrap()]);
        assert_eq!(clients["next_cursor"], Value::Null);
    }
);

api_test!(
    async fn a_timeline_page_past_the_last_event_is_empty_for_its_office_and_not_found_for_another(app) {
        // The timeline checks the case's visibility in the same statement as the page: an empty
        // page must still tell a visible case (200, no items) from one the caller may not see (404).
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let first = app.get(&format!("/api/v1/cases/{id}/events"), Some(&world.mediator.token)).await;
        assert_eq!(first.status, 200, "{}", first.text());
        assert_eq!(first.json()["items"].as_array().unwrap().len(), 1);

        let past = app.get(&format!("/api/v1/cases/{id}/events?cursor=999"), Some(&world.mediator.token)).await;
        assert_eq!(past.status, 200, "{}", past.text());
        assert_eq!(past.json(), json!({"items": [], "next_cursor": null}));

        for stranger in [&world.other_mediator, &world.police_officer] {
            for path in [format!("/api/v1/cases/{id}/events"), format!("/api/v1/cases/{id}/events?cursor=999")] {
                let refused = app.get(&path, Some(&stranger.token)).await;
                assert_eq!(refused.status, 404, "{path}: {}", refused.text());
            }
        }
    }
);
