"""The chaos driver's report: judging each row against the pass rules, the printed table, and
bench/results/chaos.json (which HEAD and which binary were tested, the settings, every row).

judge() adds "ok" and "problems" to a row; print_table() prints the table and the problems under
it; build_report() and write_report() make and atomically write chaos.json. Standard library only.
"""

import datetime
import hashlib
import json
import os
import subprocess

from common import BINARY, RECOVERY_LIMIT_S, RESULTS, ROOT


def judge(row):
    problems = list(row.get("failed_checks", []))
    if row.get("lost"):
        problems.append("%d lost" % row["lost"])
    if row.get("duplicated"):
        problems.append("%d duplicated" % row["duplicated"])
    rec = row.get("recovery_s")
    if rec is None:
        problems.append("no recovery measured")
    elif rec > RECOVERY_LIMIT_S:
        problems.append("recovery %.2f s > %.0f s" % (rec, RECOVERY_LIMIT_S))
    row["ok"] = not problems
    row["problems"] = problems
    return row


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.2f" % v
    return str(v)


def print_table(rows):
    head = ["scenario", "backend", "acknowledged", "found", "lost", "duplicated", "recovery s",
            "ok", "notes"]
    data = [[r["scenario"], r["backend"], fmt(r["acknowledged"]), fmt(r["found"]),
             fmt(r["lost"]), fmt(r["duplicated"]),
             "none" if r["recovery_s"] is None else fmt(r["recovery_s"]),
             "yes" if r["ok"] else "NO", r.get("notes", "")] for r in rows]
    widths = [max(len(h), *(len(d[i]) for d in data)) if data else len(h)
              for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for d in data:
        print(line(d))
    for r in rows:
        for p in r["problems"]:
            print("  %s/%s: %s" % (r["scenario"], r["backend"], p))


def git_info():
    def git(*a):
        r = subprocess.run(["git", "-C", ROOT] + list(a), capture_output=True, text=True)
        return r.stdout.strip()
    dirty = git("status", "--porcelain", "--", "src", "migrations", "templates", "Cargo.toml",
                "Cargo.lock", "build.rs")
    binary = {}
    if os.path.exists(BINARY):
        st = os.stat(BINARY)
        with open(BINARY, "rb") as f:
            binary = {"built_at": datetime.datetime.fromtimestamp(st.st_mtime).isoformat(
                timespec="seconds"), "sha256": hashlib.sha256(f.read()).hexdigest()}
    return {"commit": git("rev-parse", "HEAD"), "subject": git("log", "-1", "--format=%s"),
            "server_sources_modified": [l[3:] for l in dirty.splitlines()], "binary": binary}


def build_report(started, duration, args, backends, info, ok, rows, errors):
    """The content of chaos.json; key order is the file's order."""
    return {
        "generated_at": datetime.datetime.fromtimestamp(started).astimezone().isoformat(
            timespec="seconds"),
        "duration_s": round(duration, 1),
        "quick": args.quick,
        "backends": backends,
        "server": info,
        "settings": {k: getattr(args, k) for k in ("clients", "kills", "phase", "mail_batch",
                                                    "smtp_outage", "mail_drain", "db_outage",
                                                    "db_wait", "stable_run", "lease", "leased")},
        "recovery_limit_s": RECOVERY_LIMIT_S,
        "ok": ok,
        "results": rows,
        "errors": errors,
    }


def write_report(report):
    """Writes chaos.json through a .tmp file (ignored by git) and a rename."""
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    tmp = RESULTS + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    os.replace(tmp, RESULTS)
