"""Scenario (c): PostgreSQL refuses connections for a while (postgres backend only).

A client polls GET /api/v1/cases?limit=1 every 100 ms while the database disallows connections
for args.db_outage seconds; during the outage only 503 database_unavailable is acceptable, and
after it the service must recover without a restart. Returns the db-outage row. Standard library
only; see docs/reliability.md.
"""

import collections
import threading
import time

from client import NoAnswer
from common import log, now
from processes import psql


def scenario_db_outage(b, args):
    log("%s: (c) database refuses connections for %d s" % (b.name, args.db_outage))
    api = b.api
    token = b.mediator()
    samples = []  # (t_start, t_end, status or None, code)
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            t_start = now()
            try:
                r = api.call("GET", "/api/v1/cases?limit=1", token=token, timeout=15)
                samples.append((t_start, now(), r.status, r.code()))
            except NoAnswer as e:
                samples.append((t_start, now(), None, "no answer"))
            time.sleep(max(0.0, 0.1 - (now() - t_start)))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    restarted = None
    try:
        time.sleep(2)
        psql(b.admin_url, "ALTER DATABASE %s ALLOW_CONNECTIONS false" % b.db_name)
        psql(b.admin_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname='%s' AND pid <> pg_backend_pid()" % b.db_name)
        t_down = now()
        time.sleep(args.db_outage)
        psql(b.admin_url, "ALTER DATABASE %s ALLOW_CONNECTIONS true" % b.db_name)
        t_up = now()
        first_ok = stable_at = None
        deadline = t_up + args.db_wait
        while now() < deadline:
            after = [s for s in list(samples) if s[1] > t_up]
            if first_ok is None:
                oks = [s for s in after if s[2] == 200]
                if oks:
                    first_ok = oks[0][1] - t_up
            run = 0
            for s in after:
                run = run + 1 if s[2] == 200 else 0
                if run == 1:
                    start_of_run = s
                if run >= args.stable_run:
                    stable_at = start_of_run[1] - t_up
                    break
            if stable_at is not None:
                break
            time.sleep(0.1)
        if stable_at is None:
            log("%s: no recovery within %d s of re-allowing connections; restarting the server"
                % (b.name, args.db_wait))
            b.server.stop()
            t_restart = now()
            b.server.start()
            restarted = {"after_s": round(t_restart - t_up, 3),
                         "ready_s": round(now() - t_restart, 3)}
            time.sleep(2)
    finally:
        stop.set()
        poller.join(timeout=20)
        psql(b.admin_url, "ALTER DATABASE %s ALLOW_CONNECTIONS true" % b.db_name)

    def codes(lo, hi):
        c = collections.Counter()
        for s in samples:
            if lo <= s[1] < hi:
                c["%s %s" % (s[2] if s[2] is not None else "-", s[3] or "")] += 1
        return dict(c)

    outage_codes = codes(t_down, t_up)
    t_restart = t_up + restarted["after_s"] if restarted else float("inf")
    recovered_at = t_up + first_ok if first_ok is not None else t_restart
    during = [s for s in samples if t_down <= s[1] < t_up]
    slowest = max((s[1] - s[0] for s in during), default=0.0)
    if restarted:
        oks = [s for s in samples if s[1] > t_restart and s[2] == 200]
        restarted["first_success_after_restart_s"] = (
            round(oks[0][1] - t_restart, 3) if oks else None)
    after_stable = None
    if stable_at is not None:
        after_stable = sum(1 for s in samples if s[1] > t_up + stable_at and s[2] != 200)
    row = {"scenario": "db-outage", "backend": b.name, "acknowledged": None, "found": None,
           "lost": None, "duplicated": None,
           "recovery_s": round(stable_at, 3) if stable_at is not None else None,
           "details": {
               "outage_s": round(t_up - t_down, 3),
               "polls": len(samples),
               "first_success_s": None if first_ok is None else round(first_ok, 3),
               "stable_run_s": None if stable_at is None else round(stable_at, 3),
               "stable_run_length": args.stable_run,
               "codes_during_outage": outage_codes,
               "codes_after_reallow_until_first_success": codes(t_up, recovered_at),
               "codes_after_recovery": codes(recovered_at, float("inf")),
               "slowest_answer_during_outage_s": round(slowest, 3),
               "failures_after_stable_run": after_stable,
               "restarted_server": restarted,
           }}
    seen = ", ".join("%s×%d" % (k.strip(), v) for k, v in sorted(outage_codes.items()))
    row["notes"] = "outage: %s" % seen
    if first_ok is not None:
        row["notes"] += "; first 200 after %.2f s" % first_ok
    if restarted:
        row["notes"] += "; no 200 within %d s, recovered only by a restart" % args.db_wait
    elif after_stable:
        row["notes"] += "; %d failures after the stable run" % after_stable
    row["failed_checks"] = []
    unexpected = [k for k in outage_codes if not k.startswith("503 database_unavailable")]
    if unexpected:
        row["failed_checks"].append("answers other than 503 database_unavailable during the "
                                    "outage: " + ", ".join(sorted(unexpected)))
    if after_stable:
        row["failed_checks"].append("%d failed polls after the stable run" % after_stable)
    return [row]
