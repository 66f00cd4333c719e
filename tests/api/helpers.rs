//! The harness every API test uses: the real application on a random port, a fresh database
//! per test, and a small HTTP client.
//!
//! SQLite tests get a file in a temporary directory. PostgreSQL tests (when `TEST_DATABASE_URL`
//! is set) get their own database, cloned from a template migrated once per migration set, and
//! dropped when the test ends — even when it fails.

use std::sync::{Mutex, OnceLock};

use diesel::{Connection, PgConnection, RunQueryDsl};
use mediation_tracker::clock::Clock;
use mediation_tracker::config::{Config, DatabaseUrl};
use mediation_tracker::db::{migrations, DbConnection};
use mediation_tracker::startup::{AppState, Application};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The first admin every test app is bootstrapped with.
pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const ADMIN_PASSWORD: &str = "bootstrap-passphrase-for-tests";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One running application with its own database.
pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub state: actix_web::web::Data<AppState>,
    pub backend: Backend,
    pub database_url: DatabaseUrl,
    pub storage: mediation_tracker::documents::storage::StorageConfig,
    _storage_dir: tempfile::TempDir,
    _database: TestDatabase,
}

enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { server_url, name } = self {
            if let Ok(mut connection) = PgConnection::establish(server_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut connection);
            }
        }
    }
}

/// Boots the application on `backend`; `None` for PostgreSQL when `TEST_DATABASE_URL` is unset.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// As [`spawn_app`], letting the test adjust the configuration first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let (database_url, database) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("test.db").to_string_lossy().into_owned();
            (DatabaseUrl::Sqlite { path }, TestDatabase::Sqlite(dir))
        }
        Backend::Postgres => {
            let server_url = std::env::var("TEST_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty())?;
            let name = format!("mt_test_{}", uuid::Uuid::new_v4().simple());
            let url = actix_web::web::block({
                let (server_url, name) = (server_url.clone(), name.clone());
                move || create_postgres_database(&server_url, &name)
            })
            .await
            .expect("blocking task");
            (
                DatabaseUrl::Postgres { url },
                TestDatabase::Postgres { server_url, name },
            )
        }
    };
    let mut config = Config::for_database(database_url.clone());
    config.jwt_secret = Some("test-secret-test-secret-test-secret-0123".into());
    config.bootstrap_admin = Some((ADMIN_EMAIL.into(), ADMIN_PASSWORD.into()));
    // Mail stays in memory unless a test points it at an SMTP server.
    config.mail.transport = mediation_tracker::notify::mailer::MailTransport::Memory;
    let storage_dir = tempfile::tempdir().expect("a storage directory");
    config.documents.storage = mediation_tracker::documents::storage::StorageConfig::Directory(
        storage_dir.path().to_string_lossy().into_owned(),
    );
    adjust(&mut config);
    if std::env::var("TEST_LOG").is_ok() {
        mediation_tracker::telemetry::init(&config.log);
    }
    let storage = config.documents.storage.clone();
    let application = Application::build_with_clock(config, Clock::system())
        .await
        .expect("the application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = application.state();
    actix_web::rt::spawn(application.run_until_stopped());
    Some(TestApp {
        address,
        client: awc::Client::builder()
            .disable_timeout()
            .max_redirects(0)
            .finish(),
        state,
        backend,
        database_url,
        storage,
        _storage_dir: storage_dir,
        _database: database,
    })
}

/// The server URL with its database name replaced.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{database}?{query}"),
        None => format!("{prefix}/{database}"),
    }
}

fn create_postgres_database(server_url: &str, name: &str) -> String {
    static TEMPLATE: OnceLock<Mutex<Option<String>>> = OnceLock::new();
    let mut template = TEMPLATE
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut admin = PgConnection::establish(server_url).expect("TEST_DATABASE_URL reachable");
    let template_name = template
        .get_or_insert_with(|| ensure_template(&mut admin, server_url))
        .clone();
    diesel::sql_query(format!(
        "CREATE DATABASE \"{name}\" TEMPLATE \"{template_name}\" STRATEGY FILE_COPY"
    ))
    .execute(&mut admin)
    .expect("create the test database");
    with_database(server_url, name)
}

/// A database migrated with the current migrations, named after their content.
fn ensure_template(admin: &mut PgConnection, server_url: &str) -> String {
    let name = format!("mt_template_{}", migrations_fingerprint());
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let existing: Exists =
        diesel::sql_query("SELECT count(*) AS count FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(admin)
            .expect("query pg_database");
    if existing.count == 0 {
        let building = format!("{name}_building_{}", std::process::id());
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{building}\""))
            .execute(admin)
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(admin)
            .unwrap();
        {
            let url = DatabaseUrl::Postgres {
                url: with_database(server_url, &building),
            };
            let mut connection = DbConnection::open(&url).expect("open the template");
            migrations::run_pending(&mut connection).expect("migrate the template");
        }
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        ))
        .execute(admin)
        .expect("publish the template");
    }
    name
}

fn migrations_fingerprint() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut entries: Vec<_> = walk(&root);
    entries.sort();
    let mut hasher = Sha256::new();
    for path in entries {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&path).unwrap_or_default());
    }
    hex::encode(&hasher.finalize()[..6])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// An answered request: status, headers and the whole body.
pub struct TestResponse {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: actix_web::web::Bytes,
}

impl TestResponse {
    /// The body as JSON (panics with the body text when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an RFC 9457 problem with this status and code, and returns it.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert_eq!(problem["code"], code, "problem: {problem}");
        assert!(problem["title"].is_string() && problem["detail"].is_string());
        assert_eq!(problem["type"], format!("/problems/{code}"));
        assert!(
            matches!(self.header("content-language"), Some("zh-CN" | "en")),
            "every problem says its language: {:?}",
            self.header("content-language")
        );
        problem
    }
}

impl TestApp {
    /// Boots a second server on this test's database, as after a crash or beside a first one.
    pub async fn another_server(
        &self,
        adjust: impl FnOnce(&mut Config),
    ) -> (String, actix_web::web::Data<AppState>) {
        let mut config = Config::for_database(self.database_url.clone());
        config.jwt_secret = Some("test-secret-test-secret-test-secret-0123".into());
        config.mail.transport = mediation_tracker::notify::mailer::MailTransport::Memory;
        config.documents.storage = self.storage.clone();
        adjust(&mut config);
        let application = Application::build(config)
            .await
            .expect("the second server builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let state = application.state();
        actix_web::rt::spawn(application.run_until_stopped());
        (address, state)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends `request` with an optional body and reads the whole answer.
    /// Every answer is checked against the OpenAPI document (`contract_answers::check_answer`).
    pub async fn send(&self, request: awc::ClientRequest, body: Option<Vec<u8>>) -> TestResponse {
        let method = request.get_method().as_str().to_owned();
        let path = request.get_uri().path().to_owned();
        let sent = match body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        };
        let mut response = sent.expect("the request reaches the server");
        let body = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("a readable body");
        let answer = TestResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        };
        let checked = crate::contract_answers::check_answer(
            &method,
            &path,
            answer.status,
            answer.header("content-type"),
            &answer.body,
        );
        if let Err(fault) = checked {
            panic!(
                "the OpenAPI document does not describe this answer (docs/contract.md): {fault}\n{}",
                answer.text()
            );
        }
        answer
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.send(self.request("GET", path, token), None).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.json_request("POST", path, token, body).await
    }

    pub async fn json_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> TestResponse {
        let request = self
            .request(method, path, token)
            .insert_header(("content-type", "application/json"));
        self.send(request, Some(serde_json::to_vec(body).unwrap()))
            .await
    }

    /// A GET asking for answers in `language` (`Accept-Language`), for the tests that read the
    /// words of a problem; every other test leaves the language to the default (Chinese).
    pub async fn get_in(&self, language: &str, path: &str, token: Option<&str>) -> TestResponse {
        let request = self
            .request("GET", path, token)
            .insert_header(("accept-language", language));
        self.send(request, None).await
    }

    /// As [`TestApp::json_request`], asking for answers in `language`.
    pub async fn json_request_in(
        &self,
        language: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> TestResponse {
        let request = self
            .request(method, path, token)
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept-language", language));
        self.send(request, Some(serde_json::to_vec(body).unwrap()))
            .await
    }

    pub fn request(&self, method: &str, path: &str, token: Option<&str>) -> awc::ClientRequest {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("a method");
        let request = self.client.request(method, self.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

/// Defines one test that runs on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL:
/// `api_test!(async fn a_sentence_saying_what_holds(app) { … });` gives
/// `a_sentence_saying_what_holds::sqlite` and `a_sentence_saying_what_holds::postgres`.
#[macro_export]
macro_rules! api_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body
            }

            #[actix_web::test]
            async fn postgres() {
                let Some($app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                else {
                    eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped");
                    return;
                };
                $body
            }
        }
    };
}

/// Percent-encodes text for a URL's path or query: ASCII letters, digits and `-` stay, every
/// other byte (the UTF-8 of a Chinese name) becomes `%XX`.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
