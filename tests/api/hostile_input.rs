//! Hostile and broken requests: refused with a clear 4xx, the same on both databases, in the
//! order 401 → 403 → body, and answered with headers that keep them out of caches.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::personas::{furniture_factory_case, Persona};

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> TestResponse {
    let request = app
        .request(method, path, token)
        .insert_header(("content-type", content_type));
    app.send(request, Some(body.to_vec())).await
}

api_test!(
    async fn a_nul_byte_or_bidi_override_in_any_text_is_a_422_naming_the_field(app) {
        let world = app.world().await;
        let token = Some(world.mediator.token.as_str());
        let mut nul_summary = furniture_factory_case();
        nul_summary["summary"] = json!("拖欠工资\u{0}三千元");
        let problem = app.post_json("/api/v1/cases", token, &nul_summary).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "summary");

        let mut bidi_name = furniture_factory_case();
        bidi_name["workers"][0]["name"] = json!("张\u{202e}三");
        let problem = app.post_json("/api/v1/cases", token, &bidi_name).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "workers[0].name");

        let mut invisible_employer = furniture_factory_case();
        invisible_employer["employer"]["name"] = json!("\u{200b}\u{feff}\u{200b}");
        let problem = app.post_json("/api/v1/cases", token, &invisible_employer).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "employer.name");

        let mut line_break_name = furniture_factory_case();
        line_break_name["workers"][0]["name"] = json!("张\n三");
        let problem = app.post_json("/api/v1/cases", token, &line_break_name).await.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "workers[0].name");

        // Free text keeps its lines.
        let mut multi_line = furniture_factory_case();
        multi_line["summary"] = json!("第一行\n第二行\t完");
        assert_eq!(app.post_json("/api/v1/cases", token, &multi_line).await.status, 201);

        let login = app.post_json("/api/v1/auth/login", None, &json!({"email": "a\u{0}@x.cn", "password": "p"})).await;
        assert_eq!(login.assert_problem(422, "validation_failed")["errors"][0]["field"], "email");
        let office = app.post_json("/api/v1/offices", Some(&world.admin.token),
            &json!({"name": "沙坪\u{0}工会", "code": "NUL", "kind": "union"})).await;
        assert_eq!(office.assert_problem(422, "validation_failed")["errors"][0]["field"], "name");
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let referral = app.post_json(&format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap()), token,
            &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "请\u{2066}协助"})).await;
        assert_eq!(referral.assert_problem(422, "validation_failed")["errors"][0]["field"], "request");
    }
);

api_test!(
    async fn a_nul_in_the_search_term_is_a_400_not_a_match_of_every_case(app) {
        let world = app.world().await;
        app.register_case(&world.mediator, &furniture_factory_case()).await;
        let token = Some(world.mediator.token.as_str());
        let problem = app.get("/api/v1/cases?q=%00", token).await.assert_problem(400, "invalid_query");
        assert!(problem["detail"].as_str().unwrap().contains("`q`"), "{problem}");
        app.get("/api/v1/cases?q=%E2%80%AE", token).await.assert_problem(400, "invalid_query");
        // An id with a NUL cannot exist: 404, on both databases.
        app.get("/api/v1/cases/abc%00def", token).await.assert_problem(404, "not_found");
        let found = app.get("/api/v1/cases?q=%E5%AE%B6%E5%85%B7", token).await;
        assert_eq!(found.json()["items"].as_array().unwrap().len(), 1, "a plain search still works");
    }
);

api_test!(
    async fn cancelling_a_referral_with_a_bad_body_changes_nothing_and_only_no_body_means_no_reason(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let token = Some(world.mediator.token.as_str());
        let refer = || async {
            let path = format!("/api/v1/cases/{}/referrals", case["id"].as_str().unwrap());
            let response = app.post_json(&path, token, &json!({"office_id": world.hr["id"], "kind": "negotiation", "request": "请协助"})).await;
            assert_eq!(response.status, 201, "{}", response.text());
            response.json()["id"].as_str().unwrap().to_owned()
        };
        let id = refer().await;
        let cancel = format!("/api/v1/referrals/{id}/cancel");
        raw(&app, "POST", &cancel, token, "application/json", b"{\"reason\": ").await.assert_problem(400, "malformed_json");
        raw(&app, "POST", &cancel, token, "text/plain", b"{\"reason\": \"x\"}").await.assert_problem(415, "unsupported_media_type");
        raw(&app, "POST", &cancel, token, "application/json", b"{\"reasons\": \"x\"}").await.assert_problem(422, "validation_failed");
        let oversized = format!("{{\"reason\": \"{}\"}}", "长".repeat(1024 * 1024));
        raw(&app, "POST", &cancel, token, "application/json", oversized.as_bytes()).await.assert_problem(413, "payload_too_large");
        let referral = app.get(&format!("/api/v1/referrals/{id}"), token).await.json();
        assert_eq!(referral["status"], "pending", "nothing was cancelled: {referral}");

        let cancelled = app.send(app.request("POST", &cancel, token), None).await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.text());
        assert_eq!(cancelled.json()["status"], "cancelled");
        let second = refer().await;
        let with_reason = app.post_json(&format!("/api/v1/referrals/{second}/cancel"), token, &json!({"reason": "已自行解决"})).await;
        assert_eq!(with_reason.json()["cancel_reason"], "已自行解决");
    }
);

api_test!(
    async fn sign_in_and_password_change_refuse_unknown_fields(app) {
        let login = app.post_json("/api/v1/auth/login", None,
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "remember_me": true})).await;
        login.assert_problem(422, "validation_failed");
        let admin = app.admin().await;
        let change = app.json_request("PUT", "/api/v1/me/password", Some(&admin.token),
            &json!({"current_password": ADMIN_PASSWORD, "new_password": "another-long-passphrase-1", "confirm": "x"})).await;
        change.assert_problem(422, "validation_failed");
    }
);

api_test!(
    async fn a_forged_token_gets_fixed_wording_that_names_no_library_internals(app) {
        let forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let problem = app.get_in("en", "/api/v1/me", Some(forged)).await.assert_problem(401, "unauthenticated");
        assert_eq!(problem["detail"], "the access token is not valid");
        let problem = app.get_in("en", "/api/v1/me", Some("not-a-jwt")).await.assert_problem(401, "unauthenticated");
        assert_eq!(problem["detail"], "the access token is not valid");
        let problem = app.get("/api/v1/me", Some(forged)).await.assert_problem(401, "unauthenticated");
        assert_eq!(problem["detail"], "访问令牌无效", "the same fixed wording, in Chinese by default");
    }
);

api_test!(
    async fn an_oversized_request_line_or_header_section_gets_a_problem_document(app) {
        let long_query = format!("/api/v1/cases?q={}", "a".repeat(20 * 1024));
        app.get(&long_query, None).await.assert_problem(414, "uri_too_long");
        let request = app.request("GET", "/api/v1/me", None).insert_header(("x-padding", "b".repeat(40 * 1024)));
        app.send(request, None).await.assert_problem(431, "headers_too_large");
    }
);

/// Sends `head` on a fresh connection as raw bytes and reads the whole answer: requests no HTTP
/// client library will build (a target over 64 KiB, a hundred headers).
async fn raw_head(app: &TestApp, head: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    // The server may answer and close before the whole head is written; that is fine.
    let _ = stream.write_all(&head).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

api_test!(
    async fn heads_too_large_for_the_http_parser_still_get_a_problem_document(app) {
        let mut long_target = format!("GET /api/v1/cases?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100 * 1024)).into_bytes();
        let answer = raw_head(&app, std::mem::take(&mut long_target)).await;
        assert!(answer.starts_with("HTTP/1.1 414"), "{}", &answer[..answer.len().min(300)]);
        assert!(answer.contains("application/problem+json") && answer.contains("\"code\":\"uri_too_long\""), "{answer}");

        let mut many_headers = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n".to_owned();
        for index in 0..120 {
            many_headers.push_str(&format!("x-filler-{index}: v\r\n"));
        }
        many_headers.push_str("\r\n");
        let answer = raw_head(&app, many_headers.into_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
        assert!(answer.contains("\"code\":\"headers_too_large\""), "{answer}");

        let huge_header = format!("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-big: {}\r\n\r\n", "b".repeat(200 * 1024));
        let answer = raw_head(&app, huge_header.into_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{}", &answer[..answer.len().min(300)]);
        assert!(answer.contains("\"code\":\"headers_too_large\""), "{answer}");

        // An ordinary request on a fresh connection still works, body and all.
        let answer = raw_head(&app, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_vec()).await;
        assert!(answer.starts_with("HTTP/1.1 422"), "{answer}");
    }
);

/// One body endpoint and who may not call it.
struct Refused {
    method: &'static str,
    path: String,
    forbidden: Option<Persona>,
}

api_test!(
    async fn authentication_and_role_are_settled_before_the_body_is_read_on_every_endpoint(app) {
        let world = app.world().await;
        let case = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let id = case["id"].as_str().unwrap();
        let referral = app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token),
            &json!({"office_id": world.police["id"], "kind": "locate_party", "request": "找到企业主"})).await.json();
        let referral_id = referral["id"].as_str().unwrap();
        // The judicial office sees the case too, so that its officer's reveal is a 403, not a 404.
        let judicial = app.post_json(&format!("/api/v1/cases/{id}/referrals"), Some(&world.mediator.token),
            &json!({"office_id": world.judicial["id"], "kind": "duty_lawyer", "request": "值班律师"})).await;
        assert_eq!(judicial.status, 201, "{}", judicial.text());
        let office = world.police["id"].as_str().unwrap();
        let lawyer = Some(world.lawyer.clone());
        let endpoints = vec![
            Refused { method: "POST", path: "/api/v1/cases".into(), forbidden: Some(world.police_officer.clone()) },
            Refused { method: "PATCH", path: format!("/api/v1/cases/{id}"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/transitions"), forbidden: Some(world.hr_officer.clone()) },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/notes"), forbidden: Some(world.admin.clone()) },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/parties"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/parties/x/reveal"), forbidden: Some(world.judicial_officer.clone()) },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/referrals"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/sessions"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/agreements"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/payments"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/documents"), forbidden: lawyer.clone() },
            Refused { method: "POST", path: format!("/api/v1/cases/{id}/grants"), forbidden: Some(world.hr_officer.clone()) },
            Refused { method: "POST", path: format!("/api/v1/referrals/{referral_id}/decline"), forbidden: Some(world.admin.clone()) },
            Refused { method: "POST", path: format!("/api/v1/referrals/{referral_id}/complete"), forbidden: Some(world.admin.clone()) },
            Refused { method: "POST", path: format!("/api/v1/referrals/{referral_id}/cancel"), forbidden: Some(world.police_officer.clone()) },
            Refused { method: "POST", path: "/api/v1/offices".into(), forbidden: Some(world.mediator.clone()) },
            Refused { method: "PATCH", path: format!("/api/v1/offices/{office}"), forbidden: Some(world.mediator.clone()) },
            Refused { method: "POST", path: format!("/api/v1/offices/{office}/clients"), forbidden: Some(world.mediator.clone()) },
            Refused { method: "POST", path: "/api/v1/users".into(), forbidden: Some(world.mediator.clone()) },
            Refused { method: "PATCH", path: format!("/api/v1/users/{}", world.lawyer.id), forbidden: Some(world.mediator.clone()) },
            Refused { method: "PUT", path: "/api/v1/me/password".into(), forbidden: None },
        ];
        let revoked = app.create_persona(&world.admin, "union_mediator", &world.town_union).await;
        let logout = app.send(app.request("POST", "/api/v1/auth/logout", Some(&revoked.token)), None).await;
        assert_eq!(logout.status, 204);

        let bodies: [(&str, &[u8]); 3] = [("application/json", b"{\"broken\": "), ("application/json", b"{\"no_such_field\": 1}"), ("text/plain", b"hello")];
        let mut mismatches = Vec::new();
        for endpoint in &endpoints {
            let mut attempts = Vec::new();
            for (content_type, body) in bodies {
                for _ in 0..3 {
                    attempts.push((401, raw(&app, endpoint.method, &endpoint.path, Some(&revoked.token), content_type, body)));
                    attempts.push((401, raw(&app, endpoint.method, &endpoint.path, None, content_type, body)));
                }
            }
            let (expected, requests): (Vec<u16>, Vec<_>) = attempts.into_iter().unzip();
            let mut answers: Vec<(u16, TestResponse)> = expected.into_iter().zip(join_all(requests).await).collect();
            if let Some(persona) = &endpoint.forbidden {
                let mut wrong_role = Vec::new();
                for (content_type, body) in bodies {
                    for _ in 0..3 {
                        wrong_role.push(raw(&app, endpoint.method, &endpoint.path, Some(&persona.token), content_type, body));
                    }
                }
                answers.extend(join_all(wrong_role).await.into_iter().map(|r| (403, r)));
            }
            for (want, response) in answers {
                if response.status != want {
                    mismatches.push(format!("{} {}: got {}, want {want}: {}", endpoint.method, endpoint.path, response.status, response.text()));
                }
            }
        }
        assert!(mismatches.is_empty(), "{} answers out of order:\n{}", mismatches.len(), mismatches.join("\n"));
    }
);

api_test!(
    async fn parallel_guessing_gets_at_most_the_allowed_password_checks_and_a_right_password_in_the_burst_is_refused(app) {
        let world = app.world().await;
        let email = world.mediator.email.clone();
        let app = &app;
        let max = app.state.config.auth.max_failed_logins as usize;
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let burst = (0..20).map(|i| {
                let body = json!({"email": email, "password": format!("wrong-guess-number-{i}")});
                async move { app.post_json("/api/v1/auth/login", None, &body).await.status }
            });
            statuses.extend(join_all(burst).await);
        }
        let wrong_checked = statuses.iter().filter(|s| **s == 401).count();
        assert_eq!(wrong_checked, max - 1, "401s (checked, not locking): {statuses:?}");
        assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
        // Locked now: a burst that includes the right password does not get it through.
        let burst = (0..10).map(|i| {
            let password = if i == 5 { world.mediator.password.clone() } else { format!("another-wrong-{i}") };
            let body = json!({"email": email, "password": password});
            async move { app.post_json("/api/v1/auth/login", None, &body).await }
        });
        for response in join_all(burst).await {
            response.assert_problem(429, "account_locked");
        }
    }
);

api_test!(
    async fn signed_in_json_answers_are_not_cached_or_sniffed_and_the_docs_carry_a_content_security_policy(app) {
        let world = app.world().await;
        let me = app.get("/api/v1/me", Some(&world.mediator.token)).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.header("cache-control"), Some("no-store"));
        assert_eq!(me.header("x-content-type-options"), Some("nosniff"));
        let cases = app.get("/api/v1/cases", Some(&world.mediator.token)).await;
        assert_eq!(cases.header("cache-control"), Some("no-store"));
        let unauthorized = app.get("/api/v1/cases", None).await;
        assert_eq!(unauthorized.header("x-content-type-options"), Some("nosniff"));
        let docs = app.get("/docs/", None).await;
        assert_eq!(docs.status, 200);
        let policy = docs.header("content-security-policy").expect("a CSP on /docs").to_owned();
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"), "{policy}");
        let case: Value = app.register_case(&world.mediator, &furniture_factory_case()).await;
        let request = app.request("GET", &format!("/api/v1/cases/{}/dossier", case["id"].as_str().unwrap()), Some(&world.mediator.token))
            .insert_header(("accept", "text/html"));
        let page = app.send(request, None).await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    }
);
