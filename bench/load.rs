//! The load benchmark (`bench/run`; docs/performance.md). For each backend: a fresh database, a
//! realistic data set, the release server, every scenario driven over HTTP by concurrent
//! clients — and, on PostgreSQL, the same SQL run by pgbench as the physical limit to compare
//! against (public_apply, a worker's online application, is compared with intake instead).
//! Then, unless `--no-open-loop`, read, timeline, list and intake again at a fixed offered rate,
//! for latency under load. Prints the tables and writes `bench/results/latest.json` (or the file
//! named by `--out`).

#[path = "load/bodies.rs"]
mod bodies;
#[path = "load/dataset.rs"]
mod dataset;
#[path = "load/drive.rs"]
mod drive;
#[path = "load/open_loop.rs"]
mod open_loop;
#[path = "load/pgbench.rs"]
mod pgbench;
#[path = "load/report.rs"]
mod report;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use drive::Scenario;
use mediation_tracker::config::DatabaseUrl;
use report::Row;

/// The scenarios run open-loop, in this order, after the closed-loop ones.
const OPEN_LOOP: [Scenario; 4] = [
    Scenario::Read,
    Scenario::Timeline,
    Scenario::List,
    Scenario::Intake,
];

struct Args {
    cases: usize,
    seconds: u64,
    concurrency: usize,
    backends: Vec<String>,
    scale: bool,
    /// Only these scenarios, when given (`--scenarios read,list`).
    only: Option<Vec<String>>,
    /// Where the results go instead of `bench/results/latest.json` (or `scale.json`).
    out: Option<String>,
    pg_server: String,
    /// The open-loop runs: on unless `--no-open-loop`; with `--scale` off unless `--open-loop`.
    open_loop: Option<bool>,
    /// The offered rate of each open-loop scenario, requests per second.
    rates: BTreeMap<&'static str, f64>,
    /// `MEDIATION_DB_POOL_SIZE` of the server under test, per backend (`--pool sqlite=4`); a
    /// backend not named uses the service's own default (`DatabaseUrl::default_pool_size`).
    pools: BTreeMap<String, u32>,
}

/// PostgreSQL's connections for 32 clients on two cores. SQLite keeps the service's default: it
/// has one writer and its readers run on the server's cores (docs/performance.md, "Memory").
const POSTGRES_POOL: u32 = 16;

/// The number after an option, or a stop naming what was expected.
fn number<T: std::str::FromStr>(value: Option<String>, usage: &str) -> T {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{usage}; see docs/performance.md"))
}

/// Sets the offered rate of the open-loop scenario `name`; a stop for any other name.
fn set_rate(rates: &mut BTreeMap<&'static str, f64>, name: &str, rate: f64) {
    let scenario = OPEN_LOOP
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("{name} does not run open-loop; see docs/performance.md"));
    assert!(rate > 0.0, "the rate of {name} must be above 0");
    rates.insert(scenario.name(), rate);
}

fn args() -> Args {
    let mut args = Args {
        cases: 100_000,
        seconds: 20,
        concurrency: 32,
        backends: vec!["sqlite".into(), "postgres".into()],
        scale: false,
        only: None,
        out: None,
        pg_server: std::env::var("BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into()),
        open_loop: None,
        rates: OPEN_LOOP
            .iter()
            .filter_map(|&s| open_loop::target_of(s).map(|(rate, _)| (s.name(), rate)))
            .collect(),
        pools: BTreeMap::from([("postgres".to_owned(), POSTGRES_POOL)]),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => {
                args.cases = 10_000;
                args.seconds = 5;
            }
            "--cases" => args.cases = it.next().and_then(|v| v.parse().ok()).expect("--cases N"),
            "--duration" => {
                args.seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--duration SECONDS")
            }
            "--concurrency" => {
                args.concurrency = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--concurrency N")
            }
            "--backends" => {
                args.backends = it
                    .next()
                    .expect("--backends sqlite,postgres")
                    .split(',')
                    .map(str::to_owned)
                    .collect()
            }
            "--scale" => args.scale = true,
            "--scenarios" => {
                args.only = Some(
                    it.next()
                        .expect("--scenarios read,list")
                        .split(',')
                        .map(str::to_owned)
                        .collect(),
                )
            }
            "--out" => args.out = Some(it.next().expect("--out FILE")),
            "--open-loop" => args.open_loop = Some(true),
            "--no-open-loop" => args.open_loop = Some(false),
            "--rate-read" => {
                let rate = number(it.next(), "--rate-read N");
                for name in ["read", "timeline", "list"] {
                    set_rate(&mut args.rates, name, rate);
                }
            }
            "--rate-intake" => set_rate(
                &mut args.rates,
                "intake",
                number(it.next(), "--rate-intake N"),
            ),
            "--rates" => {
                for pair in it.next().expect("--rates read=1000,intake=200").split(',') {
                    let (name, rate) = pair
                        .split_once('=')
                        .unwrap_or_else(|| panic!("--rates wants scenario=N, not {pair}"));
                    set_rate(
                        &mut args.rates,
                        name,
                        number(Some(rate.into()), "--rates scenario=N"),
                    );
                }
            }
            "--pool" => {
                for pair in it.next().expect("--pool sqlite=4,postgres=16").split(',') {
                    let (backend, size) = pair
                        .split_once('=')
                        .unwrap_or_else(|| panic!("--pool wants backend=N, not {pair}"));
                    let size = number(Some(size.into()), "--pool backend=N");
                    args.pools.insert(backend.to_owned(), size);
                }
            }
            "--bench" => {}
            other => panic!("unknown argument {other}; see docs/performance.md"),
        }
    }
    args
}

/// The server under test, as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `MEDIATION_BIN`, by default `target/release/mediation-tracker`.
    fn start(url: &str, port: u16, pool: Option<u32>) -> anyhow::Result<Self> {
        let binary = std::env::var("MEDIATION_BIN")
            .unwrap_or_else(|_| "target/release/mediation-tracker".into());
        anyhow::ensure!(
            std::path::Path::new(&binary).is_file(),
            "no server binary at {binary}: build it (bench/run does) or set MEDIATION_BIN"
        );
        let mut command = Command::new(&binary);
        match pool {
            Some(size) => command.env("MEDIATION_DB_POOL_SIZE", size.to_string()),
            // The service's default, not whatever the caller's shell holds.
            None => command.env_remove("MEDIATION_DB_POOL_SIZE"),
        };
        let child = command
            // The service refuses MEDIATION_* variables it does not know; this one is ours.
            .env_remove("MEDIATION_BIN")
            .env("DATABASE_URL", url)
            .env("MEDIATION_BIND", format!("127.0.0.1:{port}"))
            .env("MEDIATION_DATA_KEY", dataset::DATA_KEY)
            .env(
                "MEDIATION_JWT_SECRET",
                "bench-secret-bench-secret-bench-secret-00",
            )
            .env("MEDIATION_OUTBOX_WORKER", "off")
            .env("MEDIATION_LOG", "warn")
            // As behind a proxy: public_apply sends each worker's address in X-Forwarded-For,
            // so that the per-address throttles count workers, not the load generator.
            .env("MEDIATION_TRUSTED_PROXIES", "127.0.0.1")
            .env(
                "MEDIATION_MAIL_DIR",
                std::env::temp_dir()
                    .join("bench-mail")
                    .to_string_lossy()
                    .as_ref(),
            )
            .env(
                "MEDIATION_STORAGE_DIR",
                std::env::temp_dir()
                    .join("bench-storage")
                    .to_string_lossy()
                    .as_ref(),
            )
            .stdout(Stdio::null())
            .spawn()?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        // Startup may first key or index the cases the data set copied by SQL (the server's
        // backfills), which takes a while at a million cases: wait as long as it is alive.
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(1_800) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                if started.elapsed() > Duration::from_secs(10) {
                    eprintln!(
                        "   the server took {:.0}s to start",
                        started.elapsed().as_secs_f64()
                    );
                }
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("the server exited before it listened: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Dropping `server` stops the child.
        anyhow::bail!("the server did not listen within 30 minutes")
    }

    /// Peak resident memory (VmHWM) in MB.
    fn peak_rss_mb(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .map(str::to_owned)
            })
            .and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh, empty database for `backend`; returns its URL.
fn fresh_database(backend: &str, server: &str, tag: &str) -> anyhow::Result<String> {
    if backend == "sqlite" {
        let path = std::env::temp_dir().join(format!("mediation-bench-{tag}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        return Ok(format!("sqlite://{}", path.display()));
    }
    let name = format!("mediation_bench_{tag}");
    let mut admin = PgConnection::establish(server)?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)?;
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

fn main() -> anyhow::Result<()> {
    let args = args();
    let mut rows = Vec::new();
    let mut peaks = Vec::new();
    let sizes: Vec<usize> = if args.scale {
        vec![10_000, 1_000_000]
    } else {
        vec![args.cases]
    };
    let mut scenarios: Vec<Scenario> = if args.scale {
        vec![
            Scenario::Read,
            Scenario::List,
            Scenario::ListSupervisor,
            Scenario::ListPolice,
            Scenario::Search,
        ]
    } else {
        Scenario::ALL.to_vec()
    };
    if let Some(only) = &args.only {
        for name in only {
            assert!(
                Scenario::ALL.iter().any(|s| s.name() == name),
                "unknown scenario {name}; see docs/performance.md"
            );
        }
        scenarios.retain(|s| only.iter().any(|name| name == s.name()));
    }
    let open_loop = args.open_loop.unwrap_or(!args.scale);
    for backend in &args.backends {
        for &cases in &sizes {
            let tag = format!("{backend}_{cases}");
            eprintln!(
                "== {backend}: loading {cases} cases across {} offices",
                dataset::OFFICES
            );
            let url = fresh_database(backend, &args.pg_server, &tag)?;
            let fixture = dataset::load(
                &DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?,
                cases,
            )?;
            if backend == "postgres" {
                let mut connection = PgConnection::establish(&url)?;
                diesel::sql_query("VACUUM ANALYZE").execute(&mut connection)?;
            }
            let server = Server::start(&url, 18_080, args.pools.get(backend.as_str()).copied())?;
            let tokens = sign_in_all(&server.base, &fixture)?;
            for &scenario in &scenarios {
                eprintln!(
                    "   {} for {}s with {} clients",
                    scenario.name(),
                    args.seconds,
                    args.concurrency
                );
                let measured = actix_web::rt::System::new().block_on(drive::run(
                    scenario,
                    &server.base,
                    &tokens,
                    &fixture,
                    Duration::from_secs(args.seconds),
                    args.concurrency,
                ))?;
                if let Some(error) = &measured.first_error {
                    eprintln!("   {} errors; the first: {error}", measured.errors);
                }
                let pgbench_tps = (backend == "postgres" && scenario.has_pgbench())
                    .then(|| pgbench::run(scenario, &fixture, &url, args.seconds))
                    .transpose()?;
                rows.push(Row {
                    name: scenario.name(),
                    backend: backend.clone(),
                    cases,
                    rss_mb: server.peak_rss_mb(),
                    measured,
                    pgbench_tps,
                    open_loop: None,
                });
            }
            if open_loop {
                // Fresh tokens: the closed-loop scenarios may have used up much of the first ones.
                let tokens = sign_in_all(&server.base, &fixture)?;
                let target = drive::Target::new(&server.base, &tokens, &fixture);
                for scenario in OPEN_LOOP.into_iter().filter(|s| scenarios.contains(s)) {
                    let rate = args.rates[scenario.name()];
                    eprintln!(
                        "   {} open-loop at {rate} req/s for {}s",
                        scenario.name(),
                        args.seconds
                    );
                    let measured = actix_web::rt::System::new().block_on(open_loop::run(
                        scenario,
                        target.clone(),
                        rate,
                        Duration::from_secs(args.seconds),
                    ));
                    if let Some(error) = &measured.first_error {
                        eprintln!("   {} errors; the first: {error}", measured.errors);
                    }
                    if let Some(row) = rows.iter_mut().find(|r| {
                        r.name == scenario.name() && &r.backend == backend && r.cases == cases
                    }) {
                        row.open_loop = Some(measured);
                    }
                }
            }
            peaks.push((backend.clone(), cases, server.peak_rss_mb()));
        }
    }
    report::report(&rows, &peaks, args.scale, args.out.as_deref())
}

/// Signs in the four users whose tokens the scenarios send.
fn sign_in_all(base: &str, fixture: &dataset::Fixture) -> anyhow::Result<drive::Tokens> {
    actix_web::rt::System::new().block_on(async {
        let client = awc::Client::default();
        let sign_in = |email| drive::sign_in(&client, base, email, dataset::PASSWORD);
        anyhow::Ok(drive::Tokens {
            reader: sign_in(&fixture.mediator_email).await?,
            intake: sign_in(&fixture.intake_mediator_email).await?,
            supervisor: sign_in(&fixture.supervisor_email).await?,
            police: sign_in(&fixture.police_email).await?,
        })
    })
}
