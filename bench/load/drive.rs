//! Drives the running server over HTTP: `concurrency` clients, each sending one request after
//! another for a fixed time, every latency recorded.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use awc::http::StatusCode;
use chrono::{NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mediation_tracker::db::DbConnection;
use mediation_tracker::domain::identifiers::mask_phone;

use super::bodies::{application_body, intake_body, Rng};
use super::dataset::Fixture;

/// The scenarios of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /healthz`: no token, no database — the floor of one HTTP request on this machine.
    Healthz,
    Intake,
    Read,
    Timeline,
    List,
    /// `GET /cases?status=in_mediation` as the county supervisor of `HS`: the 51 offices of the
    /// county union's tree, one office's list at a time fifty times over.
    ListSupervisor,
    /// `GET /cases` as the police officer: the cases referred to the police station (2% of all).
    ListPolice,
    Search,
    Mixed,
    /// A worker's online application without an account: `POST /public/verifications`, the
    /// texted code read from the outbox, `POST /public/applications`. One iteration of the
    /// three counts as one; its rate is compared with intake's, not with pgbench.
    PublicApply,
}

impl Scenario {
    pub const ALL: [Scenario; 10] = [
        Scenario::Healthz,
        Scenario::Intake,
        Scenario::Read,
        Scenario::Timeline,
        Scenario::List,
        Scenario::ListSupervisor,
        Scenario::ListPolice,
        Scenario::Search,
        Scenario::Mixed,
        Scenario::PublicApply,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Healthz => "healthz",
            Self::Intake => "intake",
            Self::Read => "read",
            Self::Timeline => "timeline",
            Self::List => "list",
            Self::ListSupervisor => "list_supervisor",
            Self::ListPolice => "list_police",
            Self::Search => "search",
            Self::Mixed => "mixed",
            Self::PublicApply => "public_apply",
        }
    }

    /// Whether pgbench has a script for it (public_apply is compared with intake instead).
    pub fn has_pgbench(self) -> bool {
        self != Self::PublicApply
    }
}

/// What one scenario measured.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// What went wrong the first time something did, to tell a server bug from a bench one.
    pub first_error: Option<String>,
}

/// The nearest-rank percentile `p` (0–1) of `sorted` latencies in microseconds, in ms: the
/// smallest latency at least `p` of all the requests did not exceed.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// Signs in as the bench mediator and returns an access token.
pub async fn sign_in(
    client: &awc::Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let mut response = client
        .post(format!("{base}/api/v1/auth/login"))
        .send_json(&serde_json::json!({"email": email, "password": password}))
        .await
        .map_err(|e| anyhow::anyhow!("sign-in: {e}"))?;
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| anyhow::anyhow!("sign-in body: {e}"))?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no token: {body}"))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The access tokens the clients send.
pub struct Tokens {
    /// The bench mediator's (`T00`): reads, lists and searches.
    pub reader: String,
    /// The intake mediator's (`T49`): registers cases.
    pub intake: String,
    /// The county supervisor's (`HS`): list_supervisor.
    pub supervisor: String,
    /// The police officer's (`P01`): list_police.
    pub police: String,
}

/// What every request of a run needs: the server, the `Authorization` headers and the ids and
/// names to pick from. Shared by the clients of a run (closed or open loop) on one thread.
pub struct Target {
    base: String,
    reader: String,
    intake: String,
    supervisor: String,
    police: String,
    ids: Vec<String>,
    employers: Vec<String>,
}

impl Target {
    pub fn new(base: &str, tokens: &Tokens, fixture: &Fixture) -> Rc<Self> {
        let bearer = |token: &str| format!("Bearer {token}");
        Rc::new(Self {
            base: base.to_owned(),
            reader: bearer(&tokens.reader),
            intake: bearer(&tokens.intake),
            supervisor: bearer(&tokens.supervisor),
            police: bearer(&tokens.police),
            ids: fixture.case_ids.clone(),
            employers: fixture.employers.clone(),
        })
    }
}

/// The scenario a request of `scenario` is: itself, or for mixed one of five at random.
fn pick(scenario: Scenario, rng: &mut Rng) -> Scenario {
    match scenario {
        Scenario::Mixed => [
            Scenario::Read,
            Scenario::Timeline,
            Scenario::List,
            Scenario::Search,
            Scenario::Intake,
        ][rng.below(5)],
        other => other,
    }
}

/// Sends one request of `scenario` (any but public_apply, whose iteration is three steps) and
/// reads the whole answer; an error unless it is a 2xx.
pub async fn send_one(
    client: &awc::Client,
    target: &Target,
    scenario: Scenario,
    rng: &mut Rng,
) -> Result<(), String> {
    let base = &target.base;
    let get = |path: String, auth: &str| {
        client
            .get(format!("{base}/api/v1{path}"))
            .insert_header(("authorization", auth.to_owned()))
    };
    let response = match pick(scenario, rng) {
        Scenario::Healthz => client.get(format!("{base}/healthz")).send().await,
        Scenario::Intake => {
            client
                .post(format!("{base}/api/v1/cases"))
                .insert_header(("authorization", target.intake.as_str()))
                .send_json(&intake_body(rng))
                .await
        }
        Scenario::Read => {
            let id = &target.ids[rng.below(target.ids.len())];
            get(format!("/cases/{id}"), &target.reader).send().await
        }
        Scenario::Timeline => {
            let id = &target.ids[rng.below(target.ids.len())];
            get(format!("/cases/{id}/events"), &target.reader)
                .send()
                .await
        }
        Scenario::List => {
            get("/cases?status=in_mediation".into(), &target.reader)
                .send()
                .await
        }
        Scenario::ListSupervisor => {
            get("/cases?status=in_mediation".into(), &target.supervisor)
                .send()
                .await
        }
        Scenario::ListPolice => get("/cases".into(), &target.police).send().await,
        Scenario::Search | Scenario::Mixed => {
            let name = &target.employers[rng.below(target.employers.len())];
            get(format!("/cases?q={}", percent_encode(name)), &target.reader)
                .send()
                .await
        }
        Scenario::PublicApply => return Err("public_apply is not one request".into()),
    };
    let (status, body) = answer(response).await?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        ))
    }
}

/// The phone of the `n`th applicant of a run. The outbox keeps a text's recipient masked, with
/// the first three and the last four digits (`139****1111`), so those seven tell the applicants
/// apart: 70 prefixes (130–199) × 10,000 endings, unique for the first 700,000 applications.
pub fn applicant_phone(n: u64) -> String {
    let prefix = 30 + (n / 10_000) % 70;
    format!("1{prefix:02}{:04}{:04}", (n * 37) % 10_000, n % 10_000)
}

/// The `n`th applicant's address, as the proxy in front of the service forwards it
/// (`X-Forwarded-For`): one per worker, so the per-address throttles count each worker alone,
/// as they do in a deployment.
pub fn applicant_address(n: u64) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// The code texted to `masked` since `since`: the newest `sms_verification_code` row of the
/// outbox for that recipient. The phone itself is encrypted; its masked form is unique among the
/// run's applicants ([`applicant_phone`]), and `since` keeps the look-up to the rows of the last
/// moments (the outbox's `created_at` index).
fn texted_code(
    connection: &mut DbConnection,
    masked: &str,
    since: NaiveDateTime,
) -> anyhow::Result<Option<String>> {
    use mediation_tracker::schema::outbox;
    let body: Option<String> = outbox::table
        .filter(outbox::created_at.ge(since))
        .filter(outbox::recipients.eq(masked))
        .filter(outbox::template.eq("sms_verification_code"))
        .filter(outbox::channel.eq("sms"))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .select(outbox::body)
        .first(connection)
        .optional()?;
    let Some(body) = body else {
        return Ok(None);
    };
    let params: serde_json::Value = serde_json::from_str(&body)?;
    Ok(params["code"].as_str().map(str::to_owned))
}

/// A response's status and body, or what failed.
async fn answer<S>(
    sent: Result<awc::ClientResponse<S>, awc::error::SendRequestError>,
) -> Result<(StatusCode, Bytes), String>
where
    S: futures_util::Stream<Item = Result<Bytes, awc::error::PayloadError>> + Unpin,
{
    let mut response = sent.map_err(|e| format!("transport: {e}"))?;
    let status = response.status();
    let body = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .map_err(|e| format!("{status}, body: {e}"))?;
    Ok((status, body))
}

/// The body when the status is `wanted`; otherwise the status and the start of the body.
fn expect(
    step: &str,
    wanted: StatusCode,
    (status, body): (StatusCode, Bytes),
) -> Result<Bytes, String> {
    if status == wanted {
        Ok(body)
    } else {
        Err(format!(
            "{step}: {status} (wanted {wanted}): {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        ))
    }
}

/// One worker's online application, start to end: asks for a code for the `n`th applicant's
/// phone, reads the texted code from the outbox, applies with it. The connection is lent to a
/// blocking thread for the look-up and handed back.
async fn public_apply(
    client: &awc::Client,
    base: &str,
    connection: &mut Option<DbConnection>,
    office_code: &str,
    n: u64,
    rng: &mut Rng,
) -> Result<(), String> {
    let phone = applicant_phone(n);
    let address = applicant_address(n);
    // The outbox row is written after this (same clock); a millisecond spares the rounding.
    let since = Utc::now().naive_utc() - chrono::Duration::milliseconds(1);
    let sent = client
        .post(format!("{base}/api/v1/public/verifications"))
        .insert_header(("x-forwarded-for", address.as_str()))
        .send_json(&serde_json::json!({"phone": phone}))
        .await;
    expect("verification", StatusCode::ACCEPTED, answer(sent).await?)?;
    let mut lent = connection.take().ok_or("the look-up connection was lost")?;
    let masked = mask_phone(&phone);
    let (lent, found) = tokio::task::spawn_blocking(move || {
        let found = texted_code(&mut lent, &masked, since);
        (lent, found)
    })
    .await
    .map_err(|e| format!("look-up thread: {e}"))?;
    *connection = Some(lent);
    let code = found
        .map_err(|e| format!("look-up: {e}"))?
        .ok_or_else(|| format!("no texted code for {} in the outbox", mask_phone(&phone)))?;
    let sent = client
        .post(format!("{base}/api/v1/public/applications"))
        .insert_header(("x-forwarded-for", address.as_str()))
        .send_json(&application_body(rng, office_code, &phone, &code))
        .await;
    let body = expect("application", StatusCode::CREATED, answer(sent).await?)?;
    let submitted: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("application body: {e}"))?;
    if submitted["case_number"].as_str().is_none() || submitted["access_code"].as_str().is_none() {
        return Err(format!(
            "application: no case number or access code in {submitted}"
        ));
    }
    Ok(())
}

/// Runs `scenario` for `duration` with `concurrency` clients.
pub async fn run(
    scenario: Scenario,
    base: &str,
    tokens: &Tokens,
    fixture: &Fixture,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Measured> {
    // public_apply's clients each read the texted codes over a connection of their own, opened
    // before the clock starts.
    let mut connections = Vec::new();
    if scenario == Scenario::PublicApply {
        for _ in 0..concurrency {
            let mut connection = DbConnection::open(&fixture.database_url)?;
            if connection.is_postgres() {
                // The outbox was empty when the data set was analysed, so PostgreSQL would scan
                // it whole for every look-up, thousands of rows by the end of a run. The index
                // on `created_at` keeps the look-up to the last moment's rows, as on SQLite.
                connection.batch_execute("SET enable_seqscan = off")?;
            }
            connections.push(Some(connection));
        }
    }
    let latencies: Rc<RefCell<Vec<u32>>> = Rc::default();
    let errors = Rc::new(RefCell::new(0usize));
    let first_error: Rc<RefCell<Option<String>>> = Rc::default();
    let applicants = Rc::new(Cell::new(0u64));
    let target = Target::new(base, tokens, fixture);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (latencies, errors, first_error) =
            (latencies.clone(), errors.clone(), first_error.clone());
        let applicants = applicants.clone();
        let mut connection = connections.get_mut(worker).and_then(Option::take);
        let target = target.clone();
        let office_code = fixture.intake_office_code.clone();
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        tasks.push(actix_web::rt::spawn(async move {
            let mut rng = Rng::new(worker as u64 + 7);
            while Instant::now() < deadline {
                let sent = Instant::now();
                let outcome = if scenario == Scenario::PublicApply {
                    let n = applicants.get();
                    applicants.set(n + 1);
                    public_apply(
                        &client,
                        &target.base,
                        &mut connection,
                        &office_code,
                        n,
                        &mut rng,
                    )
                    .await
                } else {
                    send_one(&client, &target, scenario, &mut rng).await
                };
                latencies
                    .borrow_mut()
                    .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if let Err(error) = outcome {
                    *errors.borrow_mut() += 1;
                    first_error.borrow_mut().get_or_insert(error);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut sorted = latencies.borrow().clone();
    sorted.sort_unstable();
    let errors = *errors.borrow();
    let first_error = first_error.borrow_mut().take();
    Ok(Measured {
        requests: sorted.len(),
        errors,
        seconds,
        p50_ms: percentile(&sorted, 0.50),
        p95_ms: percentile(&sorted, 0.95),
        p99_ms: percentile(&sorted, 0.99),
        first_error,
    })
}
