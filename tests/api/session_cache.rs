//! The session cache (`auth::session_cache`): a request whose session is cached is let in
//! without a query, yet every way of ending a session refuses its tokens at once — on the node
//! that ended it, and within a second on another server process on the same database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

/// The session an access token names (its `sid` claim).
fn session_of(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url claims"),
    )
    .expect("JSON claims");
    claims["sid"].as_str().expect("a sid claim").to_owned()
}

fn is_cached(app: &TestApp, token: &str) -> bool {
    let now = app.state.clock.now().naive_utc();
    app.state
        .session_cache
        .lookup(&session_of(token), now)
        .is_some()
}

/// Uses `token` until its session is in the cache (the listener may still be connecting).
async fn use_until_cached(app: &TestApp, token: &str) {
    for _ in 0..150 {
        assert_eq!(app.get("/api/v1/me", Some(token)).await.status, 200);
        if is_cached(app, token) {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the session was never cached");
}

async fn refused_at_once(app: &TestApp, token: &str) {
    assert!(!is_cached(app, token), "an ended session left the cache");
    app.get("/api/v1/me", Some(token))
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/cases", Some(token))
        .await
        .assert_problem(401, "unauthenticated");
}

api_test!(
    async fn logout_refresh_reuse_a_password_change_and_deactivation_refuse_a_cached_session_at_once(app) {
        let world = app.world().await;
        let me = &world.mediator;

        let leaving = app.sign_in(&me.email, &me.password).await;
        use_until_cached(&app, &leaving.token).await;
        let out = app.send(app.request("POST", "/api/v1/auth/logout", Some(&leaving.token)), None).await;
        assert_eq!(out.status, 204);
        refused_at_once(&app, &leaving.token).await;

        let stolen = app.sign_in(&me.email, &me.password).await;
        let rotated = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": stolen.refresh_token})).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text());
        let newest = rotated.json()["access_token"].as_str().unwrap().to_owned();
        use_until_cached(&app, &newest).await;
        app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": stolen.refresh_token}))
            .await
            .assert_problem(401, "unauthenticated");
        refused_at_once(&app, &newest).await;

        let elsewhere = app.sign_in(&me.email, &me.password).await;
        use_until_cached(&app, &elsewhere.token).await;
        use_until_cached(&app, &me.token).await;
        let changed = app
            .json_request("PUT", "/api/v1/me/password", Some(&me.token),
                &json!({"current_password": me.password, "new_password": "a-brand-new-passphrase"}))
            .await;
        assert_eq!(changed.status, 204, "{}", changed.text());
        refused_at_once(&app, &elsewhere.token).await;
        assert_eq!(app.get("/api/v1/me", Some(&me.token)).await.status, 200);

        let supervisor = &world.supervisor;
        use_until_cached(&app, &supervisor.token).await;
        let path = format!("/api/v1/users/{}", supervisor.id);
        let response = app.json_request("PATCH", &path, Some(&world.admin.token), &json!({"active": false})).await;
        assert_eq!(response.status, 200, "{}", response.text());
        refused_at_once(&app, &supervisor.token).await;
    }
);

api_test!(
    async fn a_role_change_and_a_client_revocation_apply_to_a_cached_session_at_once(app) {
        let world = app.world().await;
        let mediator = &world.other_mediator;
        use_until_cached(&app, &mediator.token).await;
        let path = format!("/api/v1/users/{}", mediator.id);
        let response = app.json_request("PATCH", &path, Some(&world.admin.token), &json!({"role": "union_supervisor"})).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(app.get("/api/v1/me", Some(&mediator.token)).await.json()["role"], "union_supervisor");

        let clients = format!("/api/v1/offices/{}/clients", world.police["id"].as_str().unwrap());
        let client = app.post_json(&clients, Some(&world.admin.token), &json!({"name": "派出所警务系统"})).await.json();
        let (id, secret) = (client["client_id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
        let issued = app
            .post_json("/api/v1/auth/token", None, &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}))
            .await;
        let token = issued.json()["access_token"].as_str().unwrap().to_owned();
        use_until_cached(&app, &token).await;
        let revoked = app.send(app.request("DELETE", &format!("{clients}/{id}"), Some(&world.admin.token)), None).await;
        assert_eq!(revoked.status, 204);
        assert!(!is_cached(&app, &token));
        app.get("/api/v1/me", Some(&token)).await.assert_problem(401, "unauthenticated");
    }
);

#[actix_web::test]
async fn with_the_cache_off_every_request_reads_its_session_and_logout_still_works() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |config| {
        config.session_cache = false;
    })
    .await
    .expect("SQLite is always available");
    let admin = app.admin().await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/me", Some(&admin.token)).await.status, 200);
    }
    assert!(app.state.session_cache.is_empty());
    let out = app
        .send(
            app.request("POST", "/api/v1/auth/logout", Some(&admin.token)),
            None,
        )
        .await;
    assert_eq!(out.status, 204);
    app.get("/api/v1/me", Some(&admin.token))
        .await
        .assert_problem(401, "unauthenticated");
}

/// A `mediation-tracker serve` process on the test's database, killed when dropped.
struct Node {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server process and waits until it serves and its cache listens for revocations.
fn start_node(app: &TestApp) -> Node {
    let database_url = match &app.database_url {
        mediation_tracker::config::DatabaseUrl::Postgres { url } => url.clone(),
        mediation_tracker::config::DatabaseUrl::Sqlite { path } => format!("sqlite://{path}"),
    };
    let dir = tempfile::tempdir().expect("a working directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_mediation-tracker"));
    for (name, _) in std::env::vars() {
        if name.starts_with("MEDIATION_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    let mut child = command
        .current_dir(dir.path())
        .env("DATABASE_URL", database_url)
        .env("MEDIATION_BIND", "127.0.0.1:0")
        .env(
            "MEDIATION_JWT_SECRET",
            "test-secret-test-secret-test-secret-0123",
        )
        .env("MEDIATION_OUTBOX_WORKER", "off")
        .env("MEDIATION_WORKERS", "1")
        .env("MEDIATION_DB_POOL_SIZE", "2")
        .env("MEDIATION_LOG", "info")
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let stderr = child.stderr.take().expect("piped standard error");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let (mut address, mut listening) = (None, false);
    let deadline = Instant::now() + Duration::from_secs(60);
    while address.is_none() || !listening {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = received
            .recv_timeout(left)
            .expect("the server says where it serves and that its cache listens");
        if let Some((_, rest)) = line.split_once("address=") {
            address = rest.split_whitespace().next().map(str::to_owned);
        }
        listening |= line.contains("listening for revocations");
    }
    // Keep draining the server's log so that it never blocks on a full pipe.
    std::thread::spawn(move || while received.recv().is_ok() {});
    Node {
        child,
        address: address.unwrap_or_default(),
        _dir: dir,
    }
}

async fn status_of_me(app: &TestApp, node: &Node, token: &str) -> (u16, Value) {
    let mut response = app
        .client
        .get(format!("{}/api/v1/me", node.address))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send()
        .await
        .expect("the node answers");
    let body = response.body().await.expect("a body");
    (
        response.status().as_u16(),
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

/// Sets the admin's `active` flag directly in the database, without telling any node.
async fn set_active_unannounced(app: &TestApp, active: bool) {
    let changed = app
        .state
        .db
        .run(move |connection| {
            use diesel::RunQueryDsl;
            let sql = format!("UPDATE users SET active = {active} WHERE email = '{ADMIN_EMAIL}'");
            Ok(diesel::sql_query(sql).execute(connection)?)
        })
        .await
        .expect("the flag is changed in the database");
    assert_eq!(changed, 1);
}

api_test!(
    async fn a_session_ended_on_one_server_process_is_refused_by_another_within_a_second(app) {
        let (a, b) = (start_node(&app), start_node(&app));
        let mut signed_in = app
            .client
            .post(format!("{}/api/v1/auth/login", a.address))
            .send_json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .await
            .expect("node A answers");
        assert_eq!(signed_in.status().as_u16(), 200);
        let tokens: Value = signed_in.json().await.expect("a token pair");
        let token = tokens["access_token"].as_str().unwrap().to_owned();

        let (status, me) = status_of_me(&app, &b, &token).await;
        assert_eq!((status, me["role"].as_str()), (200, Some("admin")));
        // Proof that node B answers from its cache: a change written behind the service's back
        // (never announced) is not seen there. It is undone before the logout.
        set_active_unannounced(&app, false).await;
        let (status, _) = status_of_me(&app, &b, &token).await;
        assert_eq!(status, 200, "node B serves the session from its cache");
        set_active_unannounced(&app, true).await;

        let logout = app
            .client
            .post(format!("{}/api/v1/auth/logout", a.address))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send()
            .await
            .expect("node A answers");
        assert_eq!(logout.status().as_u16(), 204);
        let ended = Instant::now();
        loop {
            let (status, _) = status_of_me(&app, &b, &token).await;
            if status == 401 {
                break;
            }
            assert_eq!(status, 200);
            assert!(
                ended.elapsed() < Duration::from_secs(1),
                "node B still let the token in a second after the logout on node A"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!("node B refused the token {:?} after the logout on node A", ended.elapsed());
    }
);
