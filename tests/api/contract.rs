//! The contract: the served OpenAPI document is true to the service (docs/contract.md).
//!
//! Besides the tests here, `contract_answers::check_answer` runs on every answer any API test receives
//! (`TestApp::send`): its status must be documented for its operation, an error must be a
//! problem document whose `code` the document lists for that status, and a success must have a
//! documented content type. So every request the test suite makes checks the document.

use std::collections::{BTreeMap, BTreeSet};

use mediation_tracker::openapi::examples::PLACEHOLDER_ID;
use mediation_tracker::openapi::problems::{CODES_EXTENSION, PROBLEM_JSON};
use serde_json::{json, Value};

use crate::api_test;
use crate::contract_answers::{check_answer, document};

/// Every operation: (method, path, operation).
fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                found.push((method.clone(), path.clone(), operation));
            }
        }
    }
    found
}

api_test!(
    async fn the_served_document_is_the_one_the_tests_check_answers_against(app) {
        let served = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(served.status, 200);
        assert_eq!(&served.json(), document());
        assert_eq!(document()["openapi"], "3.1.0");
    }
);

/// Routes of the route table that are not API: the worker's pages and their stylesheet, which
/// answer HTML (and CSS) to a browser (docs/contract.md, "What it covers"). Everything under
/// `/console` (the staff console, docs/console.md) is not API either ([`is_console`]).
const PAGES: &[(&str, &str)] = &[
    ("get", "/apply"),
    ("post", "/apply"),
    ("post", "/apply/code"),
    ("get", "/track"),
    ("post", "/track"),
    ("get", "/survey/{token}"),
    ("post", "/survey/{token}"),
    ("get", "/static/public.css"),
];

/// The staff console's pages and stylesheet.
fn is_console((_, path): &&(&str, &str)) -> bool {
    *path == "/console" || path.starts_with("/console/") || *path == "/static/console.css"
}

#[test]
fn every_route_served_is_in_the_document_and_every_documented_operation_is_served() {
    let served: BTreeSet<(String, String)> = mediation_tracker::routes::ROUTES
        .iter()
        .filter(|route| !PAGES.contains(route) && !is_console(route))
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    for page in PAGES {
        assert!(
            mediation_tracker::routes::ROUTES.contains(page),
            "{page:?} is listed as a page but not served"
        );
    }
    let documented: BTreeSet<(String, String)> = operations(document())
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[test]
fn every_operation_declares_its_parameters_errors_and_a_unique_id() {
    let mut ids = BTreeSet::new();
    let mut faults = Vec::new();
    for (method, path, operation) in operations(document()) {
        let name = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or("");
        if !ids.insert(id.to_owned()) {
            faults.push(format!("{name}: operationId `{id}` is not unique"));
        }
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        if in_path != declared {
            faults.push(format!(
                "{name}: path parameters {declared:?}, the path has {in_path:?}"
            ));
        }
        let responses = operation["responses"].as_object().unwrap();
        let mut want: Vec<&str> = Vec::new();
        if operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
        {
            want.push("401");
        }
        if !in_path.is_empty() {
            want.push("404");
        }
        if let Some(body) = operation.get("requestBody") {
            want.extend(["400", "413", "415", "422"]);
            for (media, content) in body["content"].as_object().unwrap() {
                if content["schema"].to_string().contains(r#"{"type":"null"}"#) {
                    faults.push(format!(
                        "{name}: a {media} body may not be null; leave it out"
                    ));
                }
            }
        }
        for status in want {
            if !responses.contains_key(status) {
                faults.push(format!("{name}: no {status}"));
            }
        }
        for (status, response) in responses {
            if status.as_str() < "400" {
                continue;
            }
            let media: Vec<&String> = response["content"]
                .as_object()
                .map_or(vec![], |c| c.keys().collect());
            if media != [PROBLEM_JSON]
                || response["content"][PROBLEM_JSON]["schema"]["$ref"]
                    != "#/components/schemas/Problem"
            {
                faults.push(format!(
                    "{name}: {status} is not a Problem as {PROBLEM_JSON}"
                ));
            }
            if response[CODES_EXTENSION]
                .as_array()
                .is_none_or(|codes| codes.is_empty())
            {
                faults.push(format!("{name}: {status} lists no code"));
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The documented request examples: operation id → (method, path, example).
fn request_examples(document: &Value) -> BTreeMap<String, (String, String, Value)> {
    operations(document)
        .into_iter()
        .filter_map(|(method, path, operation)| {
            let example = operation["requestBody"]["content"]["application/json"].get("example")?;
            let id = operation["operationId"].as_str()?.to_owned();
            Some((id, (method, path, example.clone())))
        })
        .collect()
}

api_test!(
    async fn every_request_example_in_the_document_is_accepted_as_written(app) {
        let document = app.get("/api/v1/openapi.json", None).await.json();
        let examples = request_examples(&document);
        let story = ["create_office", "create_user", "login", "create_case", "transition_case",
                     "add_note", "create_referral"];
        assert_eq!(examples.keys().map(String::as_str).collect::<BTreeSet<_>>(),
                   story.into_iter().collect::<BTreeSet<_>>(),
                   "every example is sent below, in the story's order");
        let admin = app.admin().await;
        // Sends an example, its placeholder ids replaced, to its path with `{id}` filled in.
        let send = |id: &'static str, token: Option<String>, replace: Option<String>, path_id: Option<String>| {
            let (method, path, mut body) = examples[id].clone();
            if let Some(real) = replace {
                for value in body.as_object_mut().unwrap().values_mut() {
                    if value == PLACEHOLDER_ID {
                        *value = json!(real);
                    }
                }
            }
            let path = match path_id {
                Some(path_id) => path.replace("{id}", &path_id),
                None => path,
            };
            let app = &app;
            async move {
                let response = app.json_request(&method.to_uppercase(), &path, token.as_deref(), &body).await;
                assert!((200..300).contains(&response.status), "{id}: {} {}", response.status, response.text());
                response.json()
            }
        };
        let admin_token = Some(admin.token.clone());
        let office = send("create_office", admin_token.clone(), None, None).await;
        assert_eq!(office["kind"], "union");
        send("create_user", admin_token.clone(), Some(office["id"].as_str().unwrap().to_owned()), None).await;
        let tokens = send("login", None, None, None).await;
        let mediator = Some(tokens["access_token"].as_str().unwrap().to_owned());
        let case = send("create_case", mediator.clone(), None, None).await;
        let case_id = case["id"].as_str().unwrap().to_owned();
        let accepted = send("transition_case", mediator.clone(), None, Some(case_id.clone())).await;
        assert_eq!(accepted["status"], "accepted");
        send("add_note", mediator.clone(), None, Some(case_id.clone())).await;
        // The police station the referral goes to (not itself an example).
        let police = app.create_office(&admin, "沙坪派出所", "SPPS", "police", None).await;
        let referral = send("create_referral", mediator, Some(police["id"].as_str().unwrap().to_owned()),
                            Some(case_id)).await;
        assert_eq!(referral["status"], "pending");
    }
);

api_test!(
    async fn every_secured_operation_refuses_an_anonymous_caller_and_no_other_asks_for_a_token(app) {
        let mut faults = Vec::new();
        for (method, path, operation) in operations(document()) {
            let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
            let concrete: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { "0192f3a1-0000-7000-8000-000000000000" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let response = match operation.get("requestBody") {
                Some(_) => app.json_request(&method.to_uppercase(), &concrete, None, &json!({})).await,
                None => app.send(app.request(&method.to_uppercase(), &concrete, None), None).await,
            };
            if secured != (response.status == 401) {
                faults.push(format!("{method} {path} (secured: {secured}): {}", response.status));
            }
        }
        assert!(faults.is_empty(), "{}", faults.join("\n"));
    }
);

#[test]
fn the_answer_check_refuses_what_the_document_does_not_say() {
    let problem = |code: &str| serde_json::to_vec(&json!({"code": code})).unwrap();
    let json = Some("application/json");
    let problem_json = Some("application/problem+json");
    // Documented: a 404 on a case, a case as JSON, the dossier as HTML, a 204 with no body.
    let case = "/api/v1/cases/0192f3a1-0000-7000-8000-000000000000";
    assert_eq!(
        check_answer("GET", case, 404, problem_json, &problem("not_found")),
        Ok(())
    );
    assert_eq!(check_answer("GET", case, 200, json, b"{}"), Ok(()));
    let dossier = format!("{case}/dossier");
    assert_eq!(
        check_answer(
            "GET",
            &dossier,
            200,
            Some("text/html; charset=utf-8"),
            b"<html>"
        ),
        Ok(())
    );
    assert_eq!(
        check_answer("POST", "/api/v1/auth/logout", 204, None, b""),
        Ok(())
    );
    // Not documented: a status, a code, a content type, an error that is not a problem.
    assert!(check_answer(
        "POST",
        "/api/v1/cases",
        409,
        problem_json,
        &problem("case_closed")
    )
    .is_err());
    assert!(check_answer("GET", case, 404, problem_json, &problem("forbidden")).is_err());
    assert!(check_answer("GET", case, 200, Some("text/html"), b"<html>").is_err());
    assert!(check_answer("GET", case, 404, json, &problem("not_found")).is_err());
    // Answered before routing: a control character in a query no operation reads.
    assert_eq!(
        check_answer(
            "GET",
            "/api/v1/me",
            400,
            problem_json,
            &problem("invalid_query")
        ),
        Ok(())
    );
    assert!(check_answer(
        "GET",
        "/api/v1/me",
        400,
        problem_json,
        &problem("malformed_json")
    )
    .is_err());
    // Not an operation: the fallback 404 and a 405 are not the document's to describe.
    assert_eq!(
        check_answer(
            "GET",
            "/api/v1/nowhere",
            404,
            problem_json,
            &problem("not_found")
        ),
        Ok(())
    );
    assert_eq!(
        check_answer(
            "PUT",
            "/api/v1/cases",
            405,
            problem_json,
            &problem("method_not_allowed")
        ),
        Ok(())
    );
}
