//! Latency under a fixed offered load (open loop, as wrk2 measures it). Request `i` is due at
//! `t0 + i / rate` whatever became of the requests before it, and its latency runs from that
//! due time to the end of its answer. A closed loop (`drive::run`) lets a slow server slow its
//! clients down, so the requests that would have queued behind a stall are never sent and the
//! percentiles hide the stall ("coordinated omission", Gil Tene); here they queue and count.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::bodies::Rng;
use super::drive::{percentile, send_one, Scenario, Target};

/// Keep-alive connections the generator may hold open at once. A request that finds them all
/// busy waits for one, and the wait counts in its latency, as queueing in front of the server
/// would. Far more than a server that keeps up needs (1,000/s × a few ms ≈ a handful).
const CONNECTIONS: usize = 256;

/// The offered rate and the p99 each scenario is held to (issue 19): reads at 1,000 req/s
/// within 10 ms, intake at 200 req/s within 50 ms.
pub fn target_of(scenario: Scenario) -> Option<(f64, f64)> {
    match scenario {
        Scenario::Read | Scenario::Timeline | Scenario::List => Some((1_000.0, 10.0)),
        Scenario::Intake => Some((200.0, 50.0)),
        _ => None,
    }
}

/// What one open-loop run measured.
#[derive(Debug, Clone, Default)]
pub struct OpenLoop {
    /// The offered rate, requests per second.
    pub rate: f64,
    /// Requests scheduled (all of them are sent and answered or failed).
    pub requests: usize,
    pub errors: usize,
    /// Answers per second from `t0` to the last answer: below `rate` when the server fell behind.
    pub achieved_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// How late the generator itself started a request, at worst and at p99: when this is not
    /// small against the latencies, the generator (not the server) fell behind.
    pub max_send_late_ms: f64,
    pub p99_send_late_ms: f64,
    pub first_error: Option<String>,
}

impl OpenLoop {
    /// Met: offered at least the target rate, p99 within the target, and no errors.
    pub fn target_met(&self, scenario: Scenario) -> Option<bool> {
        target_of(scenario)
            .map(|(rate, p99)| self.rate >= rate && self.p99_ms <= p99 && self.errors == 0)
    }
}

/// What the requests of a run share: every latency and lateness, and the errors.
#[derive(Default)]
struct Record {
    latencies: RefCell<Vec<u32>>,
    late: RefCell<Vec<u32>>,
    errors: Cell<usize>,
    first_error: RefCell<Option<String>>,
    last_answer: Cell<Option<Instant>>,
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// Offers `scenario` at `rate` requests per second for `duration`, then waits for the last
/// answers (each bounded by the client's 30 s timeout). Every request is a task of its own on
/// this one thread, sharing one client's pool of keep-alive connections, so a slow answer never
/// delays the next send.
pub async fn run(
    scenario: Scenario,
    target: Rc<Target>,
    rate: f64,
    duration: Duration,
) -> OpenLoop {
    let client = awc::Client::builder()
        .connector(awc::Connector::new().limit(CONNECTIONS))
        .timeout(Duration::from_secs(30))
        .finish();
    let record = Rc::new(Record::default());
    let total = (rate * duration.as_secs_f64()).round() as u64;
    let mut rng = Rng::new(11);
    let mut tasks = Vec::with_capacity(total as usize);
    let t0 = Instant::now();
    for i in 0..total {
        let due = t0 + Duration::from_secs_f64(i as f64 / rate);
        if due > Instant::now() {
            actix_web::rt::time::sleep_until(due.into()).await;
        }
        // Each request draws from its own generator, seeded from the main one, so the requests
        // are the same whatever order the tasks run in.
        let mut own = Rng::new(rng.below(usize::MAX) as u64);
        let (client, target, record) = (client.clone(), target.clone(), record.clone());
        tasks.push(actix_web::rt::spawn(async move {
            record
                .late
                .borrow_mut()
                .push(micros(Instant::now().saturating_duration_since(due)));
            let outcome = send_one(&client, &target, scenario, &mut own).await;
            let answered = Instant::now();
            record.latencies.borrow_mut().push(micros(answered - due));
            record.last_answer.set(Some(answered));
            if let Err(error) = outcome {
                record.errors.set(record.errors.get() + 1);
                record.first_error.borrow_mut().get_or_insert(error);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut latencies = record.latencies.take();
    latencies.sort_unstable();
    let mut late = record.late.take();
    late.sort_unstable();
    let span = record
        .last_answer
        .get()
        .map_or(duration, |last| last - t0)
        .as_secs_f64()
        .max(0.001);
    OpenLoop {
        rate,
        requests: latencies.len(),
        errors: record.errors.get(),
        achieved_rps: latencies.len() as f64 / span,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        p999_ms: percentile(&latencies, 0.999),
        max_send_late_ms: late.last().map_or(0.0, |&l| l as f64 / 1000.0),
        p99_send_late_ms: percentile(&late, 0.99),
        first_error: record.first_error.take(),
    }
}
