#!/usr/bin/env python3
"""bench/chaos: crash, mail-outage and database-outage checks against the release server.

Started by bench/chaos (which builds the binary first). Standard library only. See
docs/reliability.md for what each scenario does and what each figure means.

This file parses the flags and runs the scenarios on each backend. The rest of the driver is in
its siblings: common.py (paths, names, helpers), client.py (HTTP client), processes.py (server,
SMTP sink, psql), backend.py (one backend and its setup), scenario_kill9.py (a),
scenario_smtp.py (b), scenario_db_outage.py (c) and report.py (table and chaos.json).
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

from backend import Backend
from common import BINARY, LOG_DIR, RESULTS, ROOT, log, now, remember
from report import build_report, git_info, judge, print_table, write_report
from scenario_db_outage import scenario_db_outage
from scenario_kill9 import scenario_kill9
from scenario_smtp import scenario_smtp

# The help text: the first two paragraphs above.
DESCRIPTION = __doc__.split("\n\nThis file")[0] + "\n"


def parse_args():
    """The flags (bench/chaos handles --no-build and --help itself) and the phase settings."""
    p = argparse.ArgumentParser(prog="bench/chaos", description=DESCRIPTION)
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--quick", action="store_true", help="shorter load phases and outages")
    p.add_argument("--lease", type=int, default=120,
                   help="MEDIATION_OUTBOX_LEASE_SECONDS for the server (120, its minimum)")
    p.add_argument("--wait-lease", action="store_const", dest="leased", const="wait",
                   help="after the crash mid-send, wait for the lease to run out (the default "
                        "without --quick)")
    p.add_argument("--admin-retry", action="store_const", dest="leased", const="retry",
                   help="after the crash mid-send, retry the leased rows as an admin instead "
                        "(the default with --quick)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args()
    backends = [x.strip() for x in args.backends.split(",") if x.strip()]
    for x in backends:
        if x not in ("sqlite", "postgres"):
            p.error("unknown backend %r (sqlite, postgres)" % x)
    if args.leased is None:
        args.leased = "retry" if args.quick else "wait"
    args.pg_admin_url = os.environ.get("CHAOS_PG_URL", "postgres://root@127.0.0.1:5432/postgres")
    args.clients = 4
    args.kills = 3
    args.phase = 4.0 if args.quick else 12.0          # seconds of load before each kill
    args.mail_batch = 4 if args.quick else 8          # referrals per mail phase
    args.smtp_outage = 5.0 if args.quick else 12.0    # seconds the sink is down
    args.mail_drain = 15.0 if args.quick else 20.0    # --admin-retry: wait this long first
    args.db_outage = 20                               # seconds, both modes (the brief's figure)
    args.db_wait = 30 if args.quick else 45           # how long to wait for recovery after it
    args.stable_run = 10                              # consecutive 200s = 1 s of polling
    return args, backends


def run_backend(b, args, rows):
    """The scenarios on one started backend, in the order docs/reliability.md gives. Rows are
    appended to rows as each scenario finishes, so that an error or an interrupt keeps them."""
    # (b) runs up to its crash mid-send; (a) runs while the crashed process's lease
    # runs out, when its kills cannot land on the leased rows' second sends.
    mail_case_ids = set()
    smtp = scenario_smtp(b, args, mail_case_ids)
    overlap = args.phase * 1.2 * (args.kills + 1) + 10 < args.lease
    if overlap:
        rows += next(smtp)
        rows += scenario_kill9(b, args, mail_case_ids)
    else:
        rows += scenario_kill9(b, args, mail_case_ids)
        rows += next(smtp)
    rows += next(smtp)
    if b.name == "postgres":
        rows += scenario_db_outage(b, args)


def main():
    args, backends = parse_args()

    if not os.path.exists(BINARY):
        sys.exit("no %s: run cargo build --release --bin mediation-tracker" % BINARY)
    if "postgres" in backends and shutil.which("psql") is None:
        sys.exit("psql is needed for the postgres backend")

    workdir = tempfile.mkdtemp(prefix="mediation-chaos-")
    if not args.keep:
        remember("dirs", workdir)
    started = time.time()
    t_start = now()
    rows = []
    errors = []
    active = []
    interrupted = False

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    info = git_info()
    log("server commit %s%s; work dir %s" % (info["commit"][:10], " + modified sources"
                                              if info["server_sources_modified"] else "", workdir))
    try:
        for name in backends:
            b = Backend(name, args, workdir)
            active.append(b)
            t_b = now()
            try:
                b.create()
                b.sink.start()
                b.server.start()
                b.setup()
                run_backend(b, args, rows)
            except Exception as e:  # report it and go on with the next backend
                log("%s: ERROR %s" % (name, e))
                errors.append({"backend": name, "error": str(e)})
            finally:
                b.server.stop()
                b.sink.stop()
                b.drop()
                os.makedirs(LOG_DIR, exist_ok=True)
                for f in os.listdir(b.workdir):
                    if f.endswith(".log"):
                        shutil.copy(os.path.join(b.workdir, f), os.path.join(LOG_DIR, f))
            log("%s: done in %.0f s" % (name, now() - t_b))
    except KeyboardInterrupt as e:
        interrupted = True
        errors.append({"backend": None, "error": "interrupted: %s" % e})
    finally:
        for b in active:
            b.server.kill9()
            b.sink.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    for r in rows:
        judge(r)
    duration = now() - t_start
    print()
    print_table(rows)
    for e in errors:
        print("  ERROR %s: %s" % (e["backend"], e["error"]))
    ok = bool(rows) and not errors and all(r["ok"] for r in rows)
    report = build_report(started, duration, args, backends, info, ok, rows, errors)
    if interrupted:
        print("\ninterrupted after %.0f s; %s left as it was" % (duration,
                                                             os.path.relpath(RESULTS, ROOT)))
        sys.exit(130)
    write_report(report)
    print("\n%s in %.0f s; wrote %s; server logs in %s"
          % ("PASS" if ok else "FAIL", duration, os.path.relpath(RESULTS, ROOT),
             os.path.relpath(LOG_DIR, ROOT)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
