//! The load benchmark (`bench/run`; docs/performance.md). For each backend: a fresh database, a
//! realistic data set, the release server, every scenario driven over HTTP by concurrent
//! clients — and, on PostgreSQL, the same SQL run by pgbench as the physical limit to compare
//! against (public_apply, a worker's online application, is compared with intake instead).
//! Prints a table and writes `bench/results/latest.json` (or the file named by `--out`).

#[path = "load/dataset.rs"]
mod dataset;
#[path = "load/drive.rs"]
mod drive;
#[path = "load/pgbench.rs"]
mod pgbench;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use drive::Scenario;
use mediation_tracker::config::DatabaseUrl;

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
    fn start(url: &str, port: u16) -> anyhow::Result<Self> {
        let child = Command::new("target/release/mediation-tracker")
            .env("DATABASE_URL", url)
            .env("MEDIATION_BIND", format!("127.0.0.1:{port}"))
            .env("MEDIATION_DATA_KEY", dataset::DATA_KEY)
            .env(
                "MEDIATION_JWT_SECRET",
                "bench-secret-bench-secret-bench-secret-00",
            )
            .env("MEDIATION_OUTBOX_WORKER", "off")
            .env("MEDIATION_LOG", "warn")
            .env("MEDIATION_DB_POOL_SIZE", "16")
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
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self { child, base });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("the server did not start")
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

struct Row {
    name: &'static str,
    backend: String,
    cases: usize,
    measured: drive::Measured,
    rss_mb: f64,
    pgbench_tps: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args = args();
    let mut rows = Vec::new();
    let sizes: Vec<usize> = if args.scale {
        vec![10_000, 1_000_000]
    } else {
        vec![args.cases]
    };
    let mut scenarios: Vec<Scenario> = if args.scale {
        vec![Scenario::Read, Scenario::List, Scenario::Search]
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
            let server = Server::start(&url, 18_080)?;
            let tokens = actix_web::rt::System::new().block_on(async {
                let client = awc::Client::default();
                let sign_in =
                    |email| drive::sign_in(&client, &server.base, email, dataset::PASSWORD);
                anyhow::Ok(drive::Tokens {
                    reader: sign_in(&fixture.mediator_email).await?,
                    intake: sign_in(&fixture.intake_mediator_email).await?,
                })
            })?;
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
                });
            }
        }
    }
    report(&rows, args.scale, args.out.as_deref())
}

fn rate(measured: &drive::Measured) -> f64 {
    measured.requests as f64 / measured.seconds.max(0.001)
}

/// public_apply's rate against intake's, same backend and data set, when both ran.
fn ratio_to_intake(row: &Row, rows: &[Row]) -> Option<f64> {
    if row.name != Scenario::PublicApply.name() {
        return None;
    }
    rows.iter()
        .find(|r| {
            r.name == Scenario::Intake.name() && r.backend == row.backend && r.cases == row.cases
        })
        .map(|intake| rate(&row.measured) / rate(&intake.measured).max(0.001))
}

fn report(rows: &[Row], scale: bool, out: Option<&str>) -> anyhow::Result<()> {
    println!(
        "\n{:<12} {:<9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>8} {:>11} {:>7}",
        "scenario",
        "backend",
        "cases",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "rss MB",
        "pgbench/s",
        "ratio"
    );
    let mut json_rows = Vec::new();
    for row in rows {
        let m = &row.measured;
        let rps = rate(m);
        let ratio = row.pgbench_tps.map(|tps| rps / tps);
        println!(
            "{:<12} {:<9} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>8.1} {:>11} {:>7}",
            row.name,
            row.backend,
            row.cases,
            rps,
            m.p50_ms,
            m.p95_ms,
            m.p99_ms,
            m.errors,
            row.rss_mb,
            row.pgbench_tps.map_or("—".into(), |t| format!("{t:.0}")),
            ratio.map_or("—".into(), |r| format!("{r:.2}")),
        );
        let mut json_row = serde_json::json!({
            "name": row.name, "backend": row.backend, "cases": row.cases, "rps": (rps * 10.0).round() / 10.0,
            "p50_ms": m.p50_ms, "p95_ms": m.p95_ms, "p99_ms": m.p99_ms, "errors": m.errors, "rss_mb": row.rss_mb,
            "pgbench_tps": row.pgbench_tps, "ratio": ratio.map(|r| (r * 1000.0).round() / 1000.0),
        });
        if row.name == Scenario::PublicApply.name() {
            json_row["ratio_to_intake"] = serde_json::json!(
                ratio_to_intake(row, rows).map(|r| (r * 1000.0).round() / 1000.0)
            );
        }
        json_rows.push(json_row);
    }
    for row in rows
        .iter()
        .filter(|r| r.name == Scenario::PublicApply.name())
    {
        println!(
            "\npublic_apply on {} ({} cases): {:.0} applications/s (two requests and the code \
             look-up each), {} of intake's rate",
            row.backend,
            row.cases,
            rate(&row.measured),
            ratio_to_intake(row, rows)
                .map_or("— (intake did not run)".into(), |r| format!("{r:.2}")),
        );
    }
    if scale {
        println!(
            "\nGrowth of p50 latency from the smallest to the largest data set (target ≤ 1.5×):"
        );
        for row in rows.iter().filter(|r| r.cases == 1_000_000) {
            if let Some(small) = rows
                .iter()
                .find(|s| s.cases == 10_000 && s.name == row.name && s.backend == row.backend)
            {
                println!(
                    "  {:<7} {:<9} {:.2}×",
                    row.name,
                    row.backend,
                    row.measured.p50_ms / small.measured.p50_ms.max(0.001)
                );
            }
        }
    }
    let file = match out {
        Some(file) => file,
        None if scale => "bench/results/scale.json",
        None => "bench/results/latest.json",
    };
    std::fs::write(
        file,
        serde_json::to_string_pretty(&serde_json::json!({"scenarios": json_rows}))?,
    )?;
    println!("\nwritten to {file}");
    Ok(())
}
