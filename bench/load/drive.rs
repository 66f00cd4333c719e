//! Drives the running server over HTTP: `concurrency` clients, each sending one request after
//! another for a fixed time, every latency recorded.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::dataset::{intake_body, Fixture, Rng};

/// The scenarios of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /healthz`: no token, no database — the floor of one HTTP request on this machine.
    Healthz,
    Intake,
    Read,
    Timeline,
    List,
    Search,
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Healthz,
        Scenario::Intake,
        Scenario::Read,
        Scenario::Timeline,
        Scenario::List,
        Scenario::Search,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Healthz => "healthz",
            Self::Intake => "intake",
            Self::Read => "read",
            Self::Timeline => "timeline",
            Self::List => "list",
            Self::Search => "search",
            Self::Mixed => "mixed",
        }
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
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
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
}

/// Runs `scenario` for `duration` with `concurrency` clients.
pub async fn run(
    scenario: Scenario,
    base: &str,
    tokens: &Tokens,
    fixture: &Fixture,
    duration: Duration,
    concurrency: usize,
) -> Measured {
    let latencies: Rc<RefCell<Vec<u32>>> = Rc::default();
    let errors = Rc::new(RefCell::new(0usize));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (latencies, errors) = (latencies.clone(), errors.clone());
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        let base = base.to_owned();
        let auth = format!("Bearer {}", tokens.reader);
        let intake_auth = format!("Bearer {}", tokens.intake);
        let ids = fixture.case_ids.clone();
        let employers = fixture.employers.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut rng = Rng::new(worker as u64 + 7);
            while Instant::now() < deadline {
                let pick = match scenario {
                    Scenario::Mixed => [
                        Scenario::Read,
                        Scenario::Timeline,
                        Scenario::List,
                        Scenario::Search,
                        Scenario::Intake,
                    ][rng.below(5)],
                    other => other,
                };
                let id = &ids[rng.below(ids.len())];
                let sent = Instant::now();
                let response = match pick {
                    Scenario::Healthz => client.get(format!("{base}/healthz")).send().await,
                    Scenario::Intake => {
                        client
                            .post(format!("{base}/api/v1/cases"))
                            .insert_header(("authorization", intake_auth.as_str()))
                            .send_json(&intake_body(&mut rng))
                            .await
                    }
                    Scenario::Read => {
                        client
                            .get(format!("{base}/api/v1/cases/{id}"))
                            .insert_header(("authorization", auth.as_str()))
                            .send()
                            .await
                    }
                    Scenario::Timeline => {
                        client
                            .get(format!("{base}/api/v1/cases/{id}/events"))
                            .insert_header(("authorization", auth.as_str()))
                            .send()
                            .await
                    }
                    Scenario::List => {
                        client
                            .get(format!("{base}/api/v1/cases?status=in_mediation"))
                            .insert_header(("authorization", auth.as_str()))
                            .send()
                            .await
                    }
                    Scenario::Search | Scenario::Mixed => {
                        let name = &employers[rng.below(employers.len())];
                        client
                            .get(format!("{base}/api/v1/cases?q={}", percent_encode(name)))
                            .insert_header(("authorization", auth.as_str()))
                            .send()
                            .await
                    }
                };
                let ok = match response {
                    Ok(mut response) => {
                        let status = response.status();
                        let body = response.body().limit(16 * 1024 * 1024).await;
                        body.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                latencies
                    .borrow_mut()
                    .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if !ok {
                    *errors.borrow_mut() += 1;
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
    Measured {
        requests: sorted.len(),
        errors,
        seconds,
        p50_ms: percentile(&sorted, 0.50),
        p95_ms: percentile(&sorted, 0.95),
        p99_ms: percentile(&sorted, 0.99),
    }
}
