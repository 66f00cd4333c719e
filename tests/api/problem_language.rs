//! Problem documents in the user's language: Chinese unless `Accept-Language` asks for English,
//! `Content-Language` on every one, every field that does not fit reported at once, and never a
//! library's own words.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestResponse};

/// Characters outside ASCII: the text is not English.
fn is_chinese(text: &Value) -> bool {
    text.as_str()
        .is_some_and(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
}

fn message_of<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("{field} is not reported: {problem}"))
}

/// Words that only a library would write.
const LIBRARY_WORDS: &[&str] = &[
    "invalid type",
    "floating point",
    "expected i64",
    "unknown variant",
    "deserialize",
    "InvalidToken",
    "InvalidSignature",
    "input contains invalid characters",
    "input is out of range",
    "premature end of input",
    "trailing input",
    "expected value",
    "EOF while parsing",
    "missing field",
    "line 1 column",
];

#[track_caller]
fn assert_no_library_words(answer: &TestResponse) {
    let text = answer.text();
    for words in LIBRARY_WORDS.iter().copied() {
        assert!(!text.contains(words), "`{words}` leaks into {text}");
    }
}

async fn bad_office(app: &TestApp, language: Option<&str>, token: &str) -> TestResponse {
    let body =
        json!({"name": "沙坪街道工会", "code": "1", "kind": "union", "time_zone": "Mars/Olympus"});
    match language {
        Some(language) => {
            app.json_request_in(language, "POST", "/api/v1/offices", Some(token), &body)
                .await
        }
        None => app.post_json("/api/v1/offices", Some(token), &body).await,
    }
}

api_test!(
    async fn the_same_invalid_request_is_answered_in_chinese_by_default_and_in_english_on_request(app) {
        let admin = app.admin().await;
        let chinese = bad_office(&app, None, &admin.token).await;
        let zh = chinese.assert_problem(422, "validation_failed");
        assert_eq!(chinese.header("content-language"), Some("zh-CN"));
        assert_eq!(zh["title"], "请求内容无效");
        assert!(is_chinese(&zh["detail"]), "{zh}");
        assert!(message_of(&zh, "code").starts_with("必须是 2–10 位字母或数字"), "{zh}");
        assert!(message_of(&zh, "time_zone").contains("Mars/Olympus"), "{zh}");

        let english = bad_office(&app, Some("en"), &admin.token).await;
        let en = english.assert_problem(422, "validation_failed");
        assert_eq!(english.header("content-language"), Some("en"));
        assert_eq!(en["title"], "Unprocessable Entity");
        assert_eq!(message_of(&en, "code"), "must be 2–10 letters or digits starting with a letter, e.g. HS");
        assert_eq!(
            en["detail"],
            "invalid fields: code must be 2–10 letters or digits starting with a letter, e.g. HS; \
             time_zone `Mars/Olympus` is not an IANA time zone such as Asia/Shanghai"
        );
        assert_eq!(zh["code"], en["code"], "the code never changes with the language");
        assert_eq!(zh["errors"].as_array().unwrap().len(), en["errors"].as_array().unwrap().len());

        // Accept-Language as browsers send it: q-values, regions, wildcards.
        for (header, expected) in [
            ("en-US", "en"),
            ("en-GB,en;q=0.9", "en"),
            ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
            ("en-US;q=0.8, zh-CN;q=0.9", "zh-CN"),
            ("fr-FR, en;q=0.5", "en"),
            ("fr-FR, de", "zh-CN"),
            ("*", "zh-CN"),
            ("en;q=0", "zh-CN"),
        ] {
            let answer = bad_office(&app, Some(header), &admin.token).await;
            answer.assert_problem(422, "validation_failed");
            assert_eq!(answer.header("content-language"), Some(expected), "Accept-Language: {header}");
        }
    }
);

api_test!(
    async fn problems_made_before_any_handler_are_in_the_language_asked_for_too(app) {
        let missing = app.get("/api/v1/no-such-thing", None).await;
        let problem = missing.assert_problem(404, "not_found");
        assert_eq!(problem["title"], "未找到");
        assert!(is_chinese(&problem["detail"]), "{problem}");
        let missing = app.get_in("en", "/api/v1/no-such-thing", None).await;
        assert_eq!(missing.assert_problem(404, "not_found")["title"], "Not Found");
        assert_eq!(missing.header("content-language"), Some("en"));
        assert!(missing.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-language")));

        let anonymous = app.get("/api/v1/me", None).await;
        let problem = anonymous.assert_problem(401, "unauthenticated");
        assert!(is_chinese(&problem["detail"]) && is_chinese(&problem["title"]), "{problem}");
    }
);

api_test!(
    async fn a_body_with_two_missing_fields_and_a_wrong_type_lists_all_three(app) {
        let world = app.world().await;
        // No category, no summary, and an amount in yuan with a fraction instead of whole fen.
        let body = json!({"channel": "hotline_12351", "claimed_amount_fen": 3000.5,
                          "employer": {"name": "鹤山市沙坪某家具厂"}});
        let answer = app.post_json("/api/v1/cases", Some(&world.mediator.token), &body).await;
        let problem = answer.assert_problem(422, "validation_failed");
        let mut fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["category", "claimed_amount_fen", "summary"], "{problem}");
        assert_eq!(message_of(&problem, "category"), "必须填写");
        assert_eq!(message_of(&problem, "claimed_amount_fen"), "必须是整数");
        assert_no_library_words(&answer);

        let english = app.json_request_in("en", "POST", "/api/v1/cases", Some(&world.mediator.token), &body).await;
        let problem = english.assert_problem(422, "validation_failed");
        assert_eq!(message_of(&problem, "summary"), "is required");
        assert_eq!(message_of(&problem, "claimed_amount_fen"), "must be a whole number");
        assert_no_library_words(&english);

        // Nested: a worker without a name and with a number for a phone, and an unknown field.
        let mut body = crate::personas::furniture_factory_case();
        body["workers"] = json!([{"phone": 13900001111_i64, "nickname": "小张"}]);
        let answer = app.json_request_in("en", "POST", "/api/v1/cases", Some(&world.mediator.token), &body).await;
        let problem = answer.assert_problem(422, "validation_failed");
        assert_eq!(message_of(&problem, "workers[0].name"), "is required");
        assert_eq!(message_of(&problem, "workers[0].phone"), "must be text");
        assert!(message_of(&problem, "workers[0].nickname").starts_with("is not a known field"), "{problem}");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 3, "{problem}");

        // A date that does not parse is described, not answered with chrono's words.
        let mut body = crate::personas::furniture_factory_case();
        body["received_at"] = json!("2026-13-01 09:00");
        let answer = app.json_request_in("en", "POST", "/api/v1/cases", Some(&world.mediator.token), &body).await;
        let problem = answer.assert_problem(422, "validation_failed");
        assert_eq!(
            message_of(&problem, "received_at"),
            "must be a date and time with its offset, such as 2026-12-01T09:30:00+08:00"
        );
        assert_no_library_words(&answer);
    }
);

api_test!(
    async fn an_unknown_enum_value_lists_the_allowed_values(app) {
        let admin = app.admin().await;
        let body = json!({"name": "某寺庙", "code": "TPL", "kind": "temple"});
        let answer = app.json_request_in("en", "POST", "/api/v1/offices", Some(&admin.token), &body).await;
        let problem = answer.assert_problem(422, "validation_failed");
        assert_eq!(
            message_of(&problem, "kind"),
            "`temple` is not allowed, must be one of: union, judicial, hr, police, court, arbitration"
        );
        assert_no_library_words(&answer);
        let answer = app.post_json("/api/v1/offices", Some(&admin.token), &body).await;
        let problem = answer.assert_problem(422, "validation_failed");
        assert_eq!(
            message_of(&problem, "kind"),
            "不接受 `temple`，必须是以下之一：union、judicial、hr、police、court、arbitration"
        );

        // In a query string: 400, naming each parameter and what it must be.
        let answer = app.get_in("en", "/api/v1/offices?kind=temple&limit=ten", Some(&admin.token)).await;
        let problem = answer.assert_problem(400, "invalid_query");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("`kind` `temple` is not allowed, must be one of: union, judicial, hr, police, court, arbitration"),
            "{detail}"
        );
        assert!(detail.contains("`limit` must be a whole number"), "{detail}");
        assert_no_library_words(&answer);
        let answer = app.get("/api/v1/users?active=maybe", Some(&admin.token)).await;
        let problem = answer.assert_problem(400, "invalid_query");
        assert_eq!(problem["detail"], "查询参数无效：`active`：必须是 true 或 false");
    }
);

api_test!(
    async fn a_bad_token_or_broken_json_is_described_in_the_service_s_own_words(app) {
        let forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        for token in [forged, "not-a-jwt", "a.b.c"] {
            let answer = app.get("/api/v1/me", Some(token)).await;
            let problem = answer.assert_problem(401, "unauthenticated");
            assert_eq!(problem["detail"], "访问令牌无效");
            assert_no_library_words(&answer);
            let answer = app.get_in("en", "/api/v1/me", Some(token)).await;
            assert_eq!(answer.assert_problem(401, "unauthenticated")["detail"], "the access token is not valid");
        }

        let admin = app.admin().await;
        let raw = |body: &'static [u8], language: &'static str| {
            let request = app
                .request("POST", "/api/v1/offices", Some(&admin.token))
                .insert_header(("content-type", "application/json"))
                .insert_header(("accept-language", language));
            app.send(request, Some(body.to_vec()))
        };
        let truncated = raw(b"{\"name\": ", "en").await;
        let problem = truncated.assert_problem(400, "malformed_json");
        assert!(problem["detail"].as_str().unwrap().contains("ends too early"), "{problem}");
        assert_no_library_words(&truncated);
        let broken = raw(b"{\"name\": x}", "zh-CN").await;
        let problem = broken.assert_problem(400, "malformed_json");
        assert_eq!(problem["detail"], "请求体不是有效的 JSON：第 1 行第 10 列有语法错误");
        assert_no_library_words(&broken);
    }
);
