//! The lifecycle, edits with optimistic locking, assignment, notes and the hash-chained timeline.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestApp;
use crate::personas::{furniture_factory_case, Persona};

/// The transitions docs/cases.md ("Lifecycle") draws, written out by hand (independently of the code's table).
const ALLOWED: &[(&str, &str, &str)] = &[
    ("intake", "accept", "accepted"),
    ("intake", "reject", "rejected"),
    ("intake", "withdraw", "withdrawn"),
    ("accepted", "start", "in_mediation"),
    ("accepted", "withdraw", "withdrawn"),
    ("in_mediation", "resolve", "resolved"),
    ("in_mediation", "escalate", "escalated"),
    ("in_mediation", "withdraw", "withdrawn"),
    ("agreement_reached", "resolve", "resolved"),
    ("agreement_reached", "escalate", "escalated"),
    ("agreement_reached", "withdraw", "withdrawn"),
];

fn body_for(action: &str) -> Value {
    match action {
        "escalate" => {
            json!({"action": action, "reason": "no agreement within 15 days", "destination": "arbitration"})
        }
        "reject" | "withdraw" => json!({"action": action, "reason": "the worker asked to stop"}),
        _ => json!({"action": action}),
    }
}

/// A new case brought to `status` through the API (agreement_reached is set directly: it is
/// entered by recording an agreement, which the referral and agreement tests cover).
async fn case_in(app: &TestApp, mediator: &Persona, status: &str) -> Value {
    let case = app.register_case(mediator, &furniture_factory_case()).await;
    let path: &[&str] = match status {
        "intake" => &[],
        "accepted" => &["accept"],
        "in_mediation" | "agreement_reached" => &["accept", "start"],
        "resolved" => &["accept", "start", "resolve"],
        "escalated" => &["accept", "start", "escalate"],
        "withdrawn" => &["withdraw"],
        "rejected" => &["reject"],
        other => panic!("{other}"),
    };
    for action in path {
        assert_eq!(
            app.transition(mediator, &case, body_for(action))
                .await
                .status,
            200
        );
    }
    if status == "agreement_reached" {
        let id = case["id"].as_str().unwrap().to_owned();
        app.state
            .db
            .run(move |connection| {
                use diesel::prelude::*;
                use mediation_tracker::schema::cases;
                diesel::update(cases::table.find(id))
                    .set(cases::status.eq("agreement_reached"))
                    .execute(connection)?;
                Ok(())
            })
            .await
            .unwrap();
    }
    app.get(
        &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
        Some(&mediator.token),
    )
    .await
    .json()
}

api_test!(
    async fn every_transition_drawn_in_the_domain_is_allowed_and_every_other_is_a_409_that_changes_nothing(app) {
        let world = app.world().await;
        let statuses = ["intake", "accepted", "in_mediation", "agreement_reached", "resolved", "escalated", "withdrawn", "rejected"];
        let actions = ["accept", "reject", "start", "resolve", "escalate", "withdraw"];
        for status in statuses {
            for action in actions {
                let case = case_in(&app, &world.mediator, status).await;
                let response = app.transition(&world.mediator, &case, body_for(action)).await;
                match ALLOWED.iter().find(|(from, act, _)| *from == status && *act == action) {
                    Some((_, _, to)) => {
                        assert_eq!(response.status, 200, "{status} --{action}--> {}", response.text());
                        assert_eq!(response.json()["status"], *to);
                        assert_eq!(response.json()["version"], case["version"].as_i64().unwrap() + 1);
                    }
                    None => {
                        response.assert_problem(409, "invalid_transition");
                        let after = app.get(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
                        assert_eq!(after["status"], status, "{status} --{action}--> changed the status");
                        assert_eq!(after["version"], case["version"], "{status} --{action}--> changed the version");
                    }
                }
            }
        }
    }
);

api_test!(
    async fn reject_withdraw_and_escalate_need_a_reason_and_escalate_a_destination(app) {
        let world = app.world().await;
        let case = case_in(&app, &world.mediator, "in_mediation").await;
        for action in ["reject", "withdraw", "escalate"] {
            let problem = app.transition(&world.mediator, &case, json!({"action": action})).await.assert_problem(422, "validation_failed");
            assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == "reason"), "{action}");
        }
        let no_destination = app.transition(&world.mediator, &case, json!({"action": "escalate", "reason": "failed"})).await;
        assert_eq!(no_destination.assert_problem(422, "validation_failed")["errors"][0]["field"], "destination");
        let escalated = app
            .transition(&world.mediator, &case, json!({"action": "escalate", "reason": "failed", "destination": "payment_order"}))
            .await
            .json();
        assert_eq!(escalated["escalated_to"], "payment_order");
        let events = app.get(&format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()), Some(&world.mediator.token)).await.json();
        let last = events["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["data"], json!({"action": "escalate", "from": "in_mediation", "to": "escalated",
                                        "reason": "failed", "destination": "payment_order"}));
    }
);

api_test!(
    async fn the_furniture_case_is_overdue_sixteen_days_later_with_its_whole_timeline(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;
        app.transition(&world.mediator, &case, json!({"action": "start"})).await;
        let none = app.get("/api/v1/cases?overdue=true", Some(&world.mediator.token)).await.json();
        assert!(none["items"].as_array().unwrap().is_empty());

        app.state.clock.advance(chrono::Duration::days(16));
        let mediator = app.sign_in(&world.mediator.email, &world.mediator.password).await;
        let overdue = app.get("/api/v1/cases?overdue=true", Some(&mediator.token)).await.json();
        assert_eq!(overdue["items"][0]["id"], case["id"]);
        assert_eq!(overdue["items"][0]["overdue"], true);
        let status_and_overdue = app.get("/api/v1/cases?status=in_mediation&overdue=true", Some(&mediator.token)).await.json();
        assert_eq!(status_and_overdue["items"].as_array().unwrap().len(), 1);
        let not_overdue = app.get("/api/v1/cases?overdue=false", Some(&mediator.token)).await.json();
        assert!(not_overdue["items"].as_array().unwrap().is_empty());

        let timeline = app.get(&format!("/api/v1/cases/{}/events", case["id"].as_str().unwrap()), Some(&mediator.token)).await.json();
        let kinds: Vec<(&str, Option<&str>)> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["kind"].as_str().unwrap(), e["data"]["to"].as_str()))
            .collect();
        assert_eq!(kinds, [("intake", None), ("transition", Some("accepted")), ("transition", Some("in_mediation"))]);
        let items = timeline["items"].as_array().unwrap();
        for pair in items.windows(2) {
            assert_eq!(pair[1]["previous_hash"], pair[0]["hash"], "each event links to the one before");
        }
    }
);

api_test!(
    async fn a_stale_if_match_is_a_412_and_concurrent_edits_never_both_win(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let patch = |etag: &str, body: Value| {
            let request = app.request("PATCH", &path, Some(&world.mediator.token))
                .insert_header(("content-type", "application/json"))
                .insert_header(("if-match", etag.to_owned()));
            app.send(request, Some(serde_json::to_vec(&body).unwrap()))
        };
        let first = patch("\"1\"", json!({"summary": "first edit"})).await;
        assert_eq!(first.status, 200, "{}", first.text());
        assert_eq!(first.header("etag"), Some("\"2\""));
        patch("\"1\"", json!({"summary": "stale edit"})).await.assert_problem(412, "version_conflict");

        let racing = futures_util::future::join_all((0..6).map(|n| patch("\"2\"", json!({"claimed_amount_fen": 300001 + n})))).await;
        let winners = racing.iter().filter(|r| r.status == 200).count();
        assert_eq!(winners, 1, "{:?}", racing.iter().map(|r| r.status).collect::<Vec<_>>());
        assert!(racing.iter().all(|r| r.status == 200 || r.status == 412));
        let read = app.get(&path, Some(&world.mediator.token)).await.json();
        assert_eq!(read["version"], 3);
        assert_eq!(read["summary"], "first edit");
    }
);

api_test!(
    async fn edits_are_on_the_timeline_with_what_changed(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let edited = app.json_request("PATCH", &path, Some(&world.mediator.token), &json!({"workers_involved": 11, "category": "overtime_pay"})).await;
        assert_eq!(edited.status, 200, "{}", edited.text());
        assert_eq!(edited.json()["collective"], true);
        let unchanged = app.json_request("PATCH", &path, Some(&world.mediator.token), &json!({"category": "overtime_pay"})).await;
        assert_eq!(unchanged.json()["version"], 2, "a no-op edit is not a change");
        let events = app.get(&format!("{path}/events"), Some(&world.mediator.token)).await.json();
        let items = events["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["kind"], "edit");
        assert_eq!(items[1]["data"]["workers_involved"], json!({"from": 1, "to": 11}));
        assert_eq!(items[1]["data"]["category"], json!({"from": "wage_arrears", "to": "overtime_pay"}));
        let closed = case_in(&app, &world.mediator, "withdrawn").await;
        let refused = app.json_request("PATCH", &format!("/api/v1/cases/{}", closed["id"].as_str().unwrap()), Some(&world.mediator.token), &json!({"summary": "x"})).await;
        refused.assert_problem(409, "case_closed");
    }
);

api_test!(
    async fn mediators_take_unassigned_cases_and_only_supervisors_reassign(app) {
        let world = app.world().await;
        let colleague = app.create_persona(&world.admin, "union_mediator", &world.town_union).await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let taken = assign(&app, &path, &world.mediator, json!(world.mediator.id)).await;
        assert_eq!(taken.status, 200, "{}", taken.text());
        assert_eq!(taken.json()["assignee_id"], world.mediator.id.as_str());
        assign(&app, &path, &colleague, json!(colleague.id)).await.assert_problem(403, "forbidden");
        let other_office = assign(&app, &path, &world.supervisor, json!(world.other_mediator.id)).await;
        assert_eq!(other_office.assert_problem(422, "validation_failed")["errors"][0]["field"], "assignee_id");
        let lawyer = assign(&app, &path, &world.supervisor, json!(world.lawyer.id)).await;
        lawyer.assert_problem(422, "validation_failed");
        let moved = assign(&app, &path, &world.supervisor, json!(colleague.id)).await;
        assert_eq!(moved.json()["assignee_id"], colleague.id.as_str());
        let mine = app.get(&format!("/api/v1/cases?assignee_id={}", colleague.id), Some(&world.mediator.token)).await.json();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        let events = app.get(&format!("{path}/events"), Some(&world.mediator.token)).await.json();
        let assignments: Vec<&Value> = events["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "assignment").collect();
        assert_eq!(assignments.len(), 2);
        assert_eq!(assignments[1]["data"], json!({"from": world.mediator.id, "to": colleague.id}));
        assert_eq!(assignments[1]["actor"]["role"], "union_supervisor");
    }
);

api_test!(
    async fn notes_go_on_the_timeline_and_the_chain_detects_an_edited_event_row(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap().to_owned();
        let note = app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&world.mediator.token), &json!({"body": "工会与人社所约见张先生。"})).await;
        assert_eq!(note.status, 201, "{}", note.text());
        assert_eq!(note.json()["data"]["body"], "工会与人社所约见张先生。");
        app.post_json(&format!("/api/v1/cases/{id}/notes"), Some(&world.mediator.token), &json!({"body": ""}))
            .await
            .assert_problem(422, "validation_failed");
        app.transition(&world.mediator, &case, json!({"action": "accept"})).await;

        let check = |id: String| {
            app.state.db.run(move |connection| Ok(mediation_tracker::timeline::verify(connection, &id)?))
        };
        let intact = check(id.clone()).await.unwrap();
        assert!(intact.valid);
        assert_eq!(intact.events, 3);
        let note_id = note.json()["id"].as_str().unwrap().to_owned();
        let tampered_id = note_id.clone();
        app.state
            .db
            .run(move |connection| {
                use diesel::prelude::*;
                use mediation_tracker::schema::case_events;
                diesel::update(case_events::table.find(tampered_id))
                    .set(case_events::data.eq(r#"{"body":"the worker withdrew the claim"}"#))
                    .execute(connection)?;
                Ok(())
            })
            .await
            .unwrap();
        let broken = check(id).await.unwrap();
        assert!(!broken.valid);
        assert_eq!(broken.first_invalid_event_id, Some(note_id));
    }
);

api_test!(
    async fn cases_are_listed_newest_first_page_by_page(app) {
        let world = app.world().await;
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(app.register_case(&world.mediator, &furniture_factory_case()).await["id"].as_str().unwrap().to_owned());
        }
        ids.reverse();
        let mut seen = Vec::new();
        let mut path = "/api/v1/cases?limit=2".to_owned();
        loop {
            let page = app.get(&path, Some(&world.mediator.token)).await.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/cases?limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, ids);
        app.get("/api/v1/cases?status=closed", Some(&world.mediator.token)).await.assert_problem(400, "invalid_query");
    }
);

async fn assign(
    app: &TestApp,
    path: &str,
    who: &Persona,
    assignee: Value,
) -> crate::helpers::TestResponse {
    app.json_request(
        "PATCH",
        path,
        Some(&who.token),
        &json!({"assignee_id": assignee}),
    )
    .await
}
