//! Faults from outside: the database going away and coming back, a locked SQLite file.

use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};

use crate::helpers::{spawn_app_with, Backend, TestApp};

/// The test database's name and the server URL to administer it from.
fn postgres_names(app: &TestApp) -> (String, String) {
    let mediation_tracker::config::DatabaseUrl::Postgres { url } = &app.database_url else {
        panic!("a PostgreSQL test app");
    };
    let name = url.rsplit('/').next().expect("a database name").to_owned();
    let server_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    (name, server_url)
}

/// Lets the test database accept connections or not; when not, ends every session on it, as an
/// operator taking it away (or a failover) would.
async fn allow_connections(app: &TestApp, allow: bool) {
    let (name, server_url) = postgres_names(app);
    actix_web::web::block(move || {
        let mut admin = diesel::PgConnection::establish(&server_url).expect("admin connection");
        diesel::sql_query(format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allow}"
        ))
        .execute(&mut admin)
        .expect("alter database");
        if !allow {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            .execute(&mut admin)
            .expect("terminate sessions");
        }
    })
    .await
    .expect("blocking task");
}

#[actix_web::test]
async fn a_postgres_outage_answers_503_and_heals_within_five_seconds_without_a_restart() {
    let Some(app) = spawn_app_with(Backend::Postgres, |config| {
        config.db_timeout = Duration::from_secs(1);
    })
    .await
    else {
        eprintln!("TEST_DATABASE_URL is not set: skipped");
        return;
    };
    let admin = app.admin().await;
    // Several connections in the pool, all of which the outage will kill.
    let warm: Vec<_> = (0..4)
        .map(|_| app.get("/api/v1/me", Some(&admin.token)))
        .collect();
    for response in futures_util::future::join_all(warm).await {
        assert_eq!(response.status, 200);
    }

    allow_connections(&app, false).await;
    let mut waits = Vec::new();
    for _ in 0..10 {
        let asked = Instant::now();
        let response = app.get("/api/v1/me", Some(&admin.token)).await;
        waits.push(asked.elapsed());
        response.assert_problem(503, "database_unavailable");
        assert!(
            response.header("retry-after").is_some(),
            "a Retry-After header"
        );
        assert!(
            !response.text().contains("127.0.0.1"),
            "no server detail leaks"
        );
    }
    // Once the pool knows the database refuses connections, a request does not wait the
    // connection timeout (1 s here) for one that cannot come.
    let last = &waits[waits.len() - 3..];
    assert!(
        last.iter().all(|w| *w < Duration::from_millis(500)),
        "503 at once: {waits:?}"
    );
    app.get("/readyz", None)
        .await
        .assert_problem(503, "database_unavailable");
    assert_eq!(app.get("/healthz", None).await.status, 200);

    allow_connections(&app, true).await;
    let back = Instant::now();
    loop {
        let response = app.get("/api/v1/me", Some(&admin.token)).await;
        if response.status == 200 {
            break;
        }
        assert_eq!(
            response.status,
            503,
            "only 503 while healing: {}",
            response.text()
        );
        assert!(back.elapsed() < Duration::from_secs(5), "healed within 5 s");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // Not one dead connection is left in the pool: a burst of requests all succeed.
    let burst: Vec<_> = (0..12)
        .map(|_| app.get("/api/v1/me", Some(&admin.token)))
        .collect();
    for response in futures_util::future::join_all(burst).await {
        assert_eq!(response.status, 200, "{}", response.text());
    }
    assert_eq!(app.get("/readyz", None).await.status, 200);
}

#[actix_web::test]
async fn a_locked_sqlite_database_answers_503_and_the_write_succeeds_once_released() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.db_timeout = Duration::from_secs(1);
    })
    .await
    .expect("SQLite is always available");
    let world = app.world().await;
    let case = app
        .register_case(&world.mediator, &crate::personas::furniture_factory_case())
        .await;
    let notes = format!("/api/v1/cases/{}/notes", case["id"].as_str().unwrap());
    let note = serde_json::json!({"body": "雇主已联系"});

    let mediation_tracker::config::DatabaseUrl::Sqlite { path } = app.database_url.clone() else {
        unreachable!()
    };
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        use diesel::connection::SimpleConnection;
        let mut connection = diesel::SqliteConnection::establish(&path).expect("open");
        connection.batch_execute("BEGIN EXCLUSIVE").expect("lock");
        locked_tx.send(()).expect("signal");
        let _ = release_rx.recv();
        connection.batch_execute("ROLLBACK").expect("unlock");
    });
    locked_rx.recv().expect("the lock is held");
    let response = app
        .post_json(&notes, Some(&world.mediator.token), &note)
        .await;
    response.assert_problem(503, "database_unavailable");
    assert!(response.header("retry-after").is_some());

    release_tx.send(()).expect("release");
    holder.join().expect("holder thread");
    let response = app
        .post_json(&notes, Some(&world.mediator.token), &note)
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
}
