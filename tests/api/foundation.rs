//! Probes, metrics, OpenAPI and the error format every endpoint shares.

use crate::api_test;
use crate::helpers::{spawn_app, spawn_app_with, Backend};

api_test!(
    async fn liveness_probe_answers_ok(app) {
        let response = app.get("/healthz", None).await;
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["status"], "ok");
    }
);

api_test!(
    async fn readiness_probe_names_the_database_it_reached(app) {
        let response = app.get("/readyz", None).await;
        assert_eq!(response.status, 200);
        let expected = match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(response.json(), serde_json::json!({"status": "ready", "database": expected}));
    }
);

#[actix_web::test]
async fn readiness_probe_answers_503_when_the_postgres_database_is_gone() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        eprintln!("TEST_DATABASE_URL is not set: skipped");
        return;
    };
    let mediation_tracker::config::DatabaseUrl::Postgres { url } = &app.database_url else {
        unreachable!()
    };
    let name = url.rsplit('/').next().unwrap().to_owned();
    let server_url = std::env::var("TEST_DATABASE_URL").unwrap();
    actix_web::web::block(move || {
        use diesel::{Connection, RunQueryDsl};
        let mut admin = diesel::PgConnection::establish(&server_url).unwrap();
        diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .execute(&mut admin)
            .unwrap();
    })
    .await
    .unwrap();
    app.get("/readyz", None)
        .await
        .assert_problem(503, "database_unavailable");
    assert_eq!(
        app.get("/healthz", None).await.status,
        200,
        "liveness does not depend on the database"
    );
}

api_test!(
    async fn an_unknown_path_answers_a_404_problem_carrying_the_request_id(app) {
        let response = app.get("/api/v1/no-such-thing", None).await;
        let problem = response.assert_problem(404, "not_found");
        let header = response.header("x-request-id").expect("a request id header").to_owned();
        assert_eq!(problem["request_id"], header.as_str());
    }
);

api_test!(
    async fn a_request_id_sent_by_the_caller_is_echoed_back(app) {
        let request = app.request("GET", "/healthz", None).insert_header(("x-request-id", "partner-7f3a"));
        let response = app.send(request, None).await;
        assert_eq!(response.header("x-request-id"), Some("partner-7f3a"));
    }
);

api_test!(
    async fn a_wrong_method_answers_a_405_problem(app) {
        let response = app.send(app.request("DELETE", "/healthz", None), None).await;
        response.assert_problem(405, "method_not_allowed");
    }
);

api_test!(
    async fn a_405_problem_still_names_the_methods_the_path_allows(app) {
        let response = app.send(app.request("DELETE", "/api/v1/cases", None), None).await;
        response.assert_problem(405, "method_not_allowed");
        let allow = response.header("allow").expect("a 405 carries Allow");
        for method in ["GET", "POST"] {
            assert!(allow.contains(method), "Allow: {allow}");
        }
    }
);

api_test!(
    async fn the_openapi_document_is_openapi_3_1_and_describes_the_probes(app) {
        let response = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(response.status, 200);
        let document = response.json();
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
        for path in ["/healthz", "/readyz", "/metrics"] {
            assert!(document["paths"][path]["get"].is_object(), "{path} is documented");
        }
        assert!(document["components"]["schemas"]["Problem"].is_object());
    }
);

api_test!(
    async fn swagger_ui_is_served_from_the_binary(app) {
        let redirect = app.get("/docs", None).await;
        assert_eq!(redirect.status, 308);
        let page = app.get("/docs/", None).await;
        assert_eq!(page.status, 200);
        // Kept and served deflated, to keep the binary small (docs/performance.md).
        assert_eq!(page.header("content-encoding"), Some("gzip"));
        assert!(gunzip(&page.body).contains("swagger-ui"));
        let script = app.get("/docs/swagger-ui-bundle.js", None).await;
        assert_eq!(script.status, 200);
        assert_eq!(script.header("content-encoding"), Some("gzip"));
        assert!(
            gunzip(&script.body).len() > 1_000_000,
            "the bundle is vendored, not fetched from a CDN"
        );
    }
);

api_test!(
    async fn metrics_count_requests_by_route_and_status(app) {
        app.get("/healthz", None).await;
        app.get("/healthz", None).await;
        app.get("/nowhere/42", None).await;
        let text = app.get("/metrics", None).await.text();
        assert!(
            text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#));
        assert!(text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200""#));
    }
);

#[actix_web::test]
async fn a_generated_signing_secret_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.db").to_string_lossy().into_owned();
    let url = mediation_tracker::config::DatabaseUrl::Sqlite { path };
    let boot = || {
        let mut config = mediation_tracker::config::Config::for_database(url.clone());
        config.jwt_secret = None;
        mediation_tracker::startup::Application::build(config)
    };
    let first = boot().await.unwrap().state().jwt_secret.clone();
    let second = boot().await.unwrap().state().jwt_secret.clone();
    assert!(first.len() >= 32);
    assert_eq!(first, second);
}

#[actix_web::test]
async fn a_configured_signing_secret_is_used_as_given() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.jwt_secret = Some("configured-secret-configured-secret-42".into());
    })
    .await
    .unwrap();
    assert_eq!(
        app.state.jwt_secret,
        "configured-secret-configured-secret-42"
    );
}

/// A gzip body as text.
fn gunzip(body: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(body)
        .read_to_string(&mut text)
        .expect("a gzip body of UTF-8 text");
    text
}
