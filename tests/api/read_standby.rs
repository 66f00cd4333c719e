//! Issue 20: reads that may lag go to the standby of `MEDIATION_READ_DATABASE_URL` — statistics,
//! never a case read that must see the caller's last write. A second test database stands in for
//! the standby, holding other figures than the primary, so the answer shows where it was read.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::personas::furniture_factory_case;

/// `GET path` as `token` on the server at `address` (another node of `app`'s database).
async fn get_on(
    app: &TestApp,
    address: &str,
    path: &str,
    token: &str,
) -> crate::helpers::TestResponse {
    let request = app
        .client
        .get(format!("{address}{path}"))
        .bearer_auth(token);
    app.send(request, None).await
}

#[actix_web::test]
async fn statistics_are_counted_on_the_read_standby_while_cases_are_read_on_the_primary() {
    let Some(primary) = spawn_app(Backend::Postgres).await else {
        eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL-only test is skipped");
        return;
    };
    let standby = spawn_app(Backend::Postgres)
        .await
        .expect("a second PostgreSQL database");
    let world = primary.world().await;
    let mut last = serde_json::Value::Null;
    for _ in 0..2 {
        last = primary
            .register_case(&world.mediator, &furniture_factory_case())
            .await;
    }
    let elsewhere = standby.world().await;
    standby
        .register_case(&elsewhere.mediator, &furniture_factory_case())
        .await;
    let read_url = standby.database_url.clone();
    let (address, state) = primary
        .another_server(move |config| config.read_database_url = Some(read_url))
        .await;
    assert_eq!(state.read_db.backend(), "postgres");

    let on_primary = primary.get("/api/v1/stats", Some(&world.admin.token)).await;
    assert_eq!(on_primary.status, 200, "{}", on_primary.text());
    assert_eq!(on_primary.json()["cases_received"], 2);
    let on_standby = get_on(&primary, &address, "/api/v1/stats", &world.admin.token).await;
    assert_eq!(on_standby.status, 200, "{}", on_standby.text());
    assert_eq!(
        on_standby.json()["cases_received"],
        1,
        "the figures come from the read database: {}",
        on_standby.text()
    );

    // The case just written is read back from the primary, on the same node.
    let path = format!("/api/v1/cases/{}", last["id"].as_str().unwrap());
    let case = get_on(&primary, &address, &path, &world.mediator.token).await;
    assert_eq!(case.status, 200, "{}", case.text());
    assert_eq!(case.json()["case_number"], last["case_number"]);
}
