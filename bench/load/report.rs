//! What a run printed and wrote: the closed-loop table, the open-loop table against the latency
//! targets, the ratios to pgbench against theirs, the scopes against the mediator's list, the
//! growth with `--scale`, the peak memory; and the same in JSON (docs/performance.md "Output").

use super::drive::{Measured, Scenario};
use super::open_loop::{target_of, OpenLoop};
use super::OPEN_LOOP;

/// One scenario on one backend and data set.
pub struct Row {
    pub name: &'static str,
    pub backend: String,
    pub cases: usize,
    pub measured: Measured,
    pub rss_mb: f64,
    pub pgbench_tps: Option<f64>,
    /// The open-loop run of the same scenario, backend and data set, when it had one.
    pub open_loop: Option<OpenLoop>,
}

/// The share of pgbench's rate each scenario must reach on PostgreSQL (issue 19).
const RATIO_TARGETS: [(&str, f64); 4] = [
    ("read", 0.6),
    ("list", 0.5),
    ("timeline", 0.5),
    ("intake", 0.8),
];
/// A scope's list p50 against the mediator's, at most (issue 19, at 1,000,000 cases).
const SCOPE_TARGET: f64 = 1.5;
/// The p99 of the generator's send lateness above which the table says it fell behind: tokio's
/// timer ticks in milliseconds, so a millisecond or two late is the timer's, not a backlog.
const GENERATOR_LATE_MS: f64 = 5.0;
/// SQLite's server peak RSS over the whole run, at most, in MB.
const SQLITE_RSS_TARGET_MB: f64 = 100.0;

fn rate(measured: &Measured) -> f64 {
    measured.requests as f64 / measured.seconds.max(0.001)
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

fn mark(met: bool) -> &'static str {
    if met {
        "✓"
    } else {
        "✗"
    }
}

/// The row of scenario `name` on the same backend and data set as `row`.
fn sibling<'a>(rows: &'a [Row], row: &Row, name: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.name == name && r.backend == row.backend && r.cases == row.cases)
}

/// public_apply's rate against intake's, same backend and data set, when both ran.
fn ratio_to_intake(row: &Row, rows: &[Row]) -> Option<f64> {
    if row.name != Scenario::PublicApply.name() {
        return None;
    }
    sibling(rows, row, Scenario::Intake.name())
        .map(|intake| rate(&row.measured) / rate(&intake.measured).max(0.001))
}

/// A scope's list p50 against the mediator's list p50, same backend and data set.
fn ratio_to_list(row: &Row, rows: &[Row]) -> Option<f64> {
    if row.name != Scenario::ListSupervisor.name() && row.name != Scenario::ListPolice.name() {
        return None;
    }
    sibling(rows, row, Scenario::List.name())
        .map(|list| row.measured.p50_ms / list.measured.p50_ms.max(0.001))
}

fn open_loop_json(scenario: Scenario, o: &OpenLoop) -> serde_json::Value {
    serde_json::json!({
        "rate": o.rate, "requests": o.requests, "errors": o.errors,
        "achieved_rps": round(o.achieved_rps, 1),
        "p50_ms": o.p50_ms, "p99_ms": o.p99_ms, "p999_ms": o.p999_ms,
        "max_send_late_ms": o.max_send_late_ms, "p99_send_late_ms": o.p99_send_late_ms,
        "target_p99_ms": target_of(scenario).map(|(_, p99)| p99),
        "target_met": o.target_met(scenario),
    })
}

fn scenario_of(name: &str) -> Scenario {
    Scenario::ALL
        .into_iter()
        .find(|s| s.name() == name)
        .unwrap_or(Scenario::Healthz)
}

fn closed_loop_table(rows: &[Row]) -> Vec<serde_json::Value> {
    println!(
        "\n{:<15} {:<9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>8} {:>11} {:>7}",
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
            "{:<15} {:<9} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>8.1} {:>11} {:>7}",
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
            "name": row.name, "backend": row.backend, "cases": row.cases, "rps": round(rps, 1),
            "p50_ms": m.p50_ms, "p95_ms": m.p95_ms, "p99_ms": m.p99_ms, "errors": m.errors, "rss_mb": row.rss_mb,
            "pgbench_tps": row.pgbench_tps, "ratio": ratio.map(|r| round(r, 3)),
        });
        if row.name == Scenario::PublicApply.name() {
            json_row["ratio_to_intake"] =
                serde_json::json!(ratio_to_intake(row, rows).map(|r| round(r, 3)));
        }
        if let Some(r) = ratio_to_list(row, rows) {
            json_row["p50_to_list"] = serde_json::json!(round(r, 3));
        }
        if let Some(o) = &row.open_loop {
            json_row["open_loop"] = open_loop_json(scenario_of(row.name), o);
        }
        json_rows.push(json_row);
    }
    json_rows
}

fn open_loop_table(rows: &[Row]) {
    let mut runs: Vec<(&Row, &OpenLoop)> = rows
        .iter()
        .filter_map(|r| r.open_loop.as_ref().map(|o| (r, o)))
        .collect();
    // In the order they ran (reads, then intake), within each backend and data set.
    let group = |row: &Row| {
        rows.iter()
            .position(|r| r.backend == row.backend && r.cases == row.cases)
    };
    let order = |row: &Row| OPEN_LOOP.iter().position(|s| s.name() == row.name);
    runs.sort_by_key(|(row, _)| (group(row), order(row)));
    if runs.is_empty() {
        return;
    }
    println!(
        "\nOpen loop: a fixed offered rate, latency from each request's scheduled send time\n\
         {:<9} {:<9} {:>9} {:>7} {:>9} {:>8} {:>8} {:>9} {:>7} {:>9} {:>12}",
        "scenario",
        "backend",
        "cases",
        "rate",
        "achieved",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "errors",
        "late max",
        "target"
    );
    for (row, o) in runs {
        let scenario = scenario_of(row.name);
        let target = match (target_of(scenario), o.target_met(scenario)) {
            (Some((rate, p99)), Some(met)) => format!("{} ≤{p99:.0}@{rate:.0}", mark(met)),
            _ => "—".into(),
        };
        println!(
            "{:<9} {:<9} {:>9} {:>7.0} {:>9.0} {:>8.2} {:>8.2} {:>9.2} {:>7} {:>9.2} {:>12}",
            row.name,
            row.backend,
            row.cases,
            o.rate,
            o.achieved_rps,
            o.p50_ms,
            o.p99_ms,
            o.p999_ms,
            o.errors,
            o.max_send_late_ms,
            target
        );
        if o.p99_send_late_ms > GENERATOR_LATE_MS {
            println!(
                "  (the generator fell behind: p99 of its send lateness {:.2} ms)",
                o.p99_send_late_ms
            );
        }
    }
}

/// One line per PostgreSQL data set: the ratios to pgbench against the targets.
fn ratio_lines(rows: &[Row]) {
    for list in rows
        .iter()
        .filter(|r| r.backend == "postgres" && r.name == Scenario::List.name())
    {
        let parts: Vec<String> = RATIO_TARGETS
            .iter()
            .filter_map(|(name, target)| {
                let row = sibling(rows, list, name)?;
                let ratio = rate(&row.measured) / row.pgbench_tps?.max(0.001);
                Some(format!(
                    "{name} {ratio:.2} (≥ {target} {})",
                    mark(ratio >= *target)
                ))
            })
            .collect();
        println!(
            "\nRatio to pgbench, PostgreSQL, {} cases: {}",
            list.cases,
            parts.join(", ")
        );
    }
}

fn scope_lines(rows: &[Row]) {
    let scoped: Vec<(&Row, f64)> = rows
        .iter()
        .filter_map(|r| ratio_to_list(r, rows).map(|x| (r, x)))
        .collect();
    if scoped.is_empty() {
        return;
    }
    println!(
        "\nOther scopes against the mediator's list, p50 (target ≤ {SCOPE_TARGET}× at 1,000,000 cases):"
    );
    for (row, ratio) in scoped {
        println!(
            "  {:<15} {:<9} {:>9} {:.2}×{}",
            row.name,
            row.backend,
            row.cases,
            ratio,
            if row.cases >= 1_000_000 {
                format!(" {}", mark(ratio <= SCOPE_TARGET))
            } else {
                String::new()
            }
        );
    }
}

pub fn report(
    rows: &[Row],
    peaks: &[(String, usize, f64)],
    scale: bool,
    out: Option<&str>,
) -> anyhow::Result<()> {
    let json_rows = closed_loop_table(rows);
    open_loop_table(rows);
    ratio_lines(rows);
    scope_lines(rows);
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
                    "  {:<15} {:<9} {:.2}×",
                    row.name,
                    row.backend,
                    row.measured.p50_ms / small.measured.p50_ms.max(0.001)
                );
            }
        }
    }
    // The peak of each backend over the whole run: the largest VmHWM of its servers, each read
    // after its last scenario (open-loop ones included).
    let mut peak_rss = serde_json::Map::new();
    for (backend, _, mb) in peaks {
        let peak = peak_rss
            .get(backend)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
            .max(*mb);
        peak_rss.insert(backend.clone(), serde_json::json!(peak));
    }
    if !peak_rss.is_empty() {
        println!("\nServer peak RSS over the whole run:");
    }
    for (backend, peak) in &peak_rss {
        let peak = peak.as_f64().unwrap_or(0.0);
        if backend == "sqlite" {
            println!(
                "  {backend:<9} {peak:.1} MB (target ≤ {SQLITE_RSS_TARGET_MB:.0} MB {})",
                mark(peak <= SQLITE_RSS_TARGET_MB)
            );
        } else {
            println!("  {backend:<9} {peak:.1} MB");
        }
    }
    let file = match out {
        Some(file) => file,
        None if scale => "bench/results/scale.json",
        None => "bench/results/latest.json",
    };
    std::fs::write(
        file,
        serde_json::to_string_pretty(
            &serde_json::json!({"scenarios": json_rows, "peak_rss_mb": peak_rss}),
        )?,
    )?;
    println!("\nwritten to {file}");
    Ok(())
}
