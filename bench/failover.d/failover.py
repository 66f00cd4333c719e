"""The failover bench (issue 20), driven by bench/failover: a pg_auto_failover formation, two API
nodes on one multi-host URL, intake from both, FAILOVER_ROUNDS forced failovers, and the count of
acknowledged cases against what the final primary holds.

Why these steps: a failover is safe only if every case the service answered 201 for is on the
node that becomes primary. pg_auto_failover keeps the standby synchronous (`synchronous_standby_names
= 'ANY 1 (...)'`), so PostgreSQL acknowledges a commit only once the standby has it; the bench
checks that promise end to end, through the service, three times in a row (each time the old
primary rejoins as the new standby before the next failure). Standard library only; the HTTP
client is bench/chaos.d's.
"""

import argparse
import base64
import collections
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "chaos.d"))
from client import Api, NoAnswer, intake_body  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
PATH = "PATH=%s:/usr/bin:/bin" % PG_BIN
RESULTS = os.path.join(ROOT, "bench", "results", "failover.json")
REQUEST_TIMEOUT_S = 15.0
ADMIN_EMAIL = "admin@failover.example.cn"
ADMIN_PASSWORD = "granite-lantern-orchard-%s" % os.urandom(3).hex()
MEDIATOR_EMAIL = "mediator@failover.example.cn"
USER_PASSWORD = "copper-meadow-harbour-%s" % os.urandom(3).hex()
# The monitor's health checks, tightened from the defaults (5 s period, 20 s to "unhealthy",
# 30 s for the old primary to demote itself) so that three failovers fit in minutes. The
# keeper's own partition timeout is lowered below the demote timeout, so that a primary cut off
# from the monitor demotes itself before the standby is promoted. docs/deployment.md says what a
# production formation keeps.
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": 1000,
    "pgautofailover.health_check_timeout": 1000,
    "pgautofailover.health_check_max_retries": 1,
    "pgautofailover.health_check_retry_delay": 500,
    "pgautofailover.node_considered_unhealthy_timeout": 4000,
    "pgautofailover.primary_demote_timeout": 6000,
}
KEEPER_PARTITION_TIMEOUT_S = 3


def now():
    return time.monotonic()


def log(msg):
    print("[failover %s] %s" % (datetime.datetime.now().strftime("%H:%M:%S"), msg), flush=True)


def as_postgres(args, log_path=None, background=False):
    """Runs a command as the postgres OS user (PostgreSQL refuses to run as root)."""
    cmd = ["runuser", "-u", "postgres", "--", "env", PATH] + args
    if background:
        out = open(log_path, "ab")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        return proc
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if log_path:
        with open(log_path, "a") as f:
            f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(args[:3]), (r.stdout + r.stderr)[-800:]))
    return r.stdout


def psql(port, sql, db="postgres", user="postgres"):
    r = subprocess.run([os.path.join(PG_BIN, "psql"), "-h", "127.0.0.1", "-p", str(port), "-U",
                        user, "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql :%s %s: %s" % (port, sql, r.stderr.strip()))
    return r.stdout.strip()


class Formation:
    """A monitor and two data nodes, each a `pg_autoctl run` in its own session."""

    def __init__(self, work, first_port):
        self.work = work
        self.monitor_port = first_port
        self.node_ports = [first_port + 1, first_port + 2]
        self.keepers = {}  # port -> Popen of `pg_autoctl run`
        self.monitor = None

    def pgdata(self, port):
        return os.path.join(self.work, "pg-%d" % port)

    def monitor_url(self):
        return "postgres://autoctl_node@127.0.0.1:%d/pg_auto_failover" % self.monitor_port

    def start(self):
        mdir = self.pgdata(self.monitor_port)
        as_postgres(["pg_autoctl", "create", "monitor", "--pgdata", mdir, "--pgport",
                     str(self.monitor_port), "--hostname", "127.0.0.1", "--listen", "127.0.0.1",
                     "--auth", "trust", "--no-ssl"], os.path.join(self.work, "monitor.log"))
        self.monitor = as_postgres(["pg_autoctl", "run", "--pgdata", mdir],
                                   os.path.join(self.work, "monitor.log"), background=True)
        self.wait(lambda: self.try_psql(self.monitor_port, "SELECT 1") == "1", 30, "monitor up")
        for name, value in MONITOR_SETTINGS.items():
            psql(self.monitor_port, "ALTER SYSTEM SET %s = %d" % (name, value),
                 db="pg_auto_failover")
        psql(self.monitor_port, "SELECT pg_reload_conf()", db="pg_auto_failover")
        for i, port in enumerate(self.node_ports):
            pgdata = self.pgdata(port)
            as_postgres(["pg_autoctl", "create", "postgres", "--pgdata", pgdata, "--pgport",
                         str(port), "--hostname", "127.0.0.1", "--listen", "127.0.0.1",
                         "--auth", "trust", "--no-ssl", "--monitor", self.monitor_url(),
                         "--dbname", "mediation", "--name", "node%d" % (i + 1)],
                        self.keeper_log(port))
            as_postgres(["pg_autoctl", "config", "set", "--pgdata", pgdata,
                         "timeout.network_partition_timeout", str(KEEPER_PARTITION_TIMEOUT_S)],
                        self.keeper_log(port))
            self.run_keeper(port)
            if i == 0:
                # Alone, the first node is "single"; it becomes "primary" when a standby joins.
                self.wait(lambda: self.states().get(port) == ("single", "single"), 60,
                          "first node up")
                self.wait(lambda: self.try_psql(port, "SELECT 1", db="mediation") == "1", 60,
                          "first node accepting connections")
                psql(port, "CREATE ROLE root SUPERUSER LOGIN")
        self.wait_settled(120)
        log("formation: monitor :%d, nodes %s, synchronous_standby_names = %s"
            % (self.monitor_port, self.node_ports,
               psql(self.primary(), "SHOW synchronous_standby_names")))

    def keeper_log(self, port):
        return os.path.join(self.work, "node-%d.log" % port)

    def run_keeper(self, port):
        self.keepers[port] = as_postgres(["pg_autoctl", "run", "--pgdata", self.pgdata(port)],
                                         self.keeper_log(port), background=True)

    def try_psql(self, port, sql, db="pg_auto_failover"):
        try:
            return psql(port, sql, db=db)
        except (RuntimeError, subprocess.TimeoutExpired):
            return None

    def states(self):
        """port -> (reported state, assigned state), as the monitor sees them."""
        out = self.try_psql(self.monitor_port, "SELECT nodeport, reportedstate, goalstate "
                            "FROM pgautofailover.node ORDER BY nodeid")
        states = {}
        for line in (out or "").splitlines():
            port, reported, goal = line.split("|")
            states[int(port)] = (reported, goal)
        return states

    def primary(self):
        for port, (reported, goal) in self.states().items():
            if goal in ("primary", "wait_primary", "single") and reported == goal:
                return port
        return None

    def settled(self):
        states = sorted(self.states().values())
        return states == [("primary", "primary"), ("secondary", "secondary")]

    def wait_settled(self, timeout):
        self.wait(self.settled, timeout, "a primary and a secondary")

    @staticmethod
    def wait(check, timeout, what):
        t0 = now()
        while now() - t0 < timeout:
            if check():
                return now() - t0
            time.sleep(0.2)
        raise RuntimeError("timed out after %d s waiting for %s" % (timeout, what))

    def fail(self, port):
        """The node is lost: its keeper killed (so nothing restarts postgres), postgres stopped
        hard (`-m immediate`: no checkpoint, every backend's socket closed at once)."""
        keeper = self.keepers.pop(port)
        for pid in self.session_pids(keeper.pid, "pg_autoctl"):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        keeper.wait(timeout=10)
        as_postgres(["pg_ctl", "stop", "-D", self.pgdata(port), "-m", "immediate"],
                    self.keeper_log(port))

    @staticmethod
    def session_pids(sid, comm):
        out = subprocess.run(["ps", "-eo", "pid=,sid=,comm="], capture_output=True,
                             text=True).stdout
        pids = []
        for line in out.splitlines():
            pid, psid, name = line.split(None, 2)
            if int(psid) == sid and name.strip() == comm:
                pids.append(int(pid))
        return pids

    def stop(self):
        procs = list(self.keepers.values()) + ([self.monitor] if self.monitor else [])
        for proc in procs:
            if proc.poll() is None:
                for pid in self.session_pids(proc.pid, "pg_autoctl"):
                    try:
                        os.kill(pid, signal.SIGTERM)  # the keeper stops its postgres (fast)
                    except ProcessLookupError:
                        pass
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log("a keeper did not stop; see %s" % self.work)
        for port in self.node_ports + [self.monitor_port]:
            if os.path.exists(os.path.join(self.pgdata(port), "postmaster.pid")):
                subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, "pg_ctl"),
                                "stop", "-D", self.pgdata(port), "-m", "immediate"],
                               capture_output=True)


class Node:
    """One API node: `mediation-tracker serve` on its own port, the shared multi-host URL."""

    def __init__(self, name, binary, work, port, env):
        self.name, self.binary, self.port = name, binary, port
        self.workdir = os.path.join(work, name)
        os.makedirs(self.workdir)
        self.env = dict(env, MEDIATION_BIND="127.0.0.1:%d" % port,
                        MEDIATION_MAIL_DIR=os.path.join(self.workdir, "mail"),
                        MEDIATION_STORAGE_DIR=os.path.join(self.workdir, "storage"))
        self.api = Api(port)
        self.proc = None

    def start(self):
        out = open(os.path.join(self.workdir, "serve.log"), "ab")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, cwd=self.workdir,
                                     stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        t0 = now()
        while now() - t0 < 60:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start; see %s/serve.log" % (self.name,
                                                                            self.workdir))
            try:
                if self.api.call("GET", "/readyz", timeout=2).status == 200:
                    return
            except NoAnswer:
                pass
            time.sleep(0.1)
        raise RuntimeError("%s not ready; see %s/serve.log" % (self.name, self.workdir))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Intake:
    """Client threads registering cases on both nodes; every answer is kept."""

    def __init__(self, nodes, token, clients):
        self.samples = []  # (t_start, t_end, node, status or None, code, id, number)
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.loop, args=(node, token, i), daemon=True)
                        for node in nodes for i in range(clients)]

    def loop(self, node, token, i):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            t_start = now()
            status = code = case_id = number = None
            try:
                r = node.api.call("POST", "/api/v1/cases",
                                  intake_body("%s-%d-%d" % (node.name, i, n)), token,
                                  timeout=REQUEST_TIMEOUT_S)
                status, code = r.status, r.code()
                if status == 201:
                    body = r.json()
                    case_id, number = body["id"], body["case_number"]
            except NoAnswer:
                code = "no answer"
            with self.lock:
                self.samples.append((t_start, now(), node.name, status, code, case_id, number))
            # A failed request is retried after a short pause, as a client with back-off would.
            time.sleep(0.02 if status == 201 else 0.1)

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=REQUEST_TIMEOUT_S + 5)

    def snapshot(self):
        with self.lock:
            return list(self.samples)


def round_figures(samples, t_kill):
    """For one failover: when errors began and ended, and how long until intake succeeded on
    both nodes again (per node, the first 201 of a request started after its first error)."""
    after = [s for s in samples if s[1] >= t_kill]
    errors = [s for s in after if s[3] != 201]
    # A request that started just after the kill can still commit on the dying primary, so a
    # node counts as recovered at its first 201 of a request started after that node's first
    # error (its first sign of the failover), measured from the kill.
    first_failure = {}
    for s in sorted(errors, key=lambda s: s[1]):
        first_failure.setdefault(s[2], s[1])
    recovered = {}
    for s in sorted(after, key=lambda s: s[1]):
        node = s[2]
        if (s[3] == 201 and node in first_failure and s[0] >= first_failure[node]
                and node not in recovered):
            recovered[node] = s[1] - t_kill
    last_error = max((s[1] for s in errors if s[0] < t_kill + max(recovered.values(), default=0)),
                     default=None)
    first_error = min((s[1] for s in errors), default=None)
    return {
        "recovery_s": round(max(recovered.values()), 3) if recovered else None,
        "recovery_s_per_node": {k: round(v, 3) for k, v in sorted(recovered.items())},
        # Polled while the round is still going: before any node has recovered, no error counts
        # as "last" yet, and the window is not known.
        "error_window_s": (round(last_error - first_error, 3)
                           if last_error is not None and first_error is not None else 0.0),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    rounds = int(os.environ.get("FAILOVER_ROUNDS", "3"))
    first_port = int(os.environ.get("FAILOVER_PORTS", "16500"))
    clients = int(os.environ.get("FAILOVER_CLIENTS", "4"))
    t_begin = now()

    formation = Formation(args.work, first_port)
    nodes = []
    try:
        log("starting the formation under %s" % args.work)
        formation.start()
        a, b = formation.node_ports
        url = ("postgres://root@127.0.0.1:%d,127.0.0.1:%d/mediation"
               "?target_session_attrs=read-write&connect_timeout=2" % (a, b))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("MEDIATION_") and k != "DATABASE_URL"}
        env.update({
            "DATABASE_URL": url,
            "MEDIATION_ADMIN_EMAIL": ADMIN_EMAIL,
            "MEDIATION_ADMIN_PASSWORD": ADMIN_PASSWORD,
            # Both nodes sign and read the same tokens and personal data.
            "MEDIATION_JWT_SECRET": base64.b64encode(os.urandom(48)).decode(),
            "MEDIATION_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
            "MEDIATION_DB_TIMEOUT_SECONDS": "3",
            "MEDIATION_LOG": "warn",
        })
        for i, name in enumerate(["api-1", "api-2"]):
            node = Node(name, args.binary, args.work, first_port + 10 + i, env)
            node.start()  # one after the other: the first applies the migrations
            nodes.append(node)
        log("API nodes on :%d and :%d, DATABASE_URL=%s" % (nodes[0].port, nodes[1].port, url))
        token = setup_people(nodes[0].api)

        intake = Intake(nodes, token, clients)
        intake.start()
        time.sleep(3)
        rounds_out = []
        for r in range(1, rounds + 1):
            victim = formation.primary()
            t_kill = now()
            formation.fail(victim)
            log("round %d: primary :%d stopped hard" % (r, victim))
            promoted = formation.wait(lambda: formation.primary() not in (None, victim), 90,
                                      "the standby promoted")
            new_primary = formation.primary()
            formation.wait(lambda: round_figures(intake.snapshot(), t_kill)["recovery_s"]
                           is not None and len(round_figures(intake.snapshot(), t_kill)
                                               ["recovery_s_per_node"]) == 2, 60,
                           "intake succeeding on both nodes")
            figures = round_figures(intake.snapshot(), t_kill)
            log("round %d: :%d promoted after %.1f s; intake back after %.1f s"
                % (r, new_primary, promoted, figures["recovery_s"]))
            formation.run_keeper(victim)
            rejoined = formation.wait(formation.settled, 180, "the old primary as standby")
            log("round %d: :%d rejoined as the synchronous standby after %.1f s"
                % (r, victim, rejoined))
            time.sleep(3)
            rounds_out.append(dict(figures, round=r, stopped_port=victim,
                                   promoted_port=new_primary, promoted_after_s=round(promoted, 3),
                                   rejoined_after_s=round(rejoined, 3)))
        intake.stop()
        samples = intake.snapshot()
        final_primary = formation.primary()
        rows = psql(final_primary, "SELECT id || '|' || case_number FROM cases", db="mediation",
                    user="root").splitlines()
        result = tally(samples, rows, rounds_out, final_primary, t_begin)
    finally:
        for node in nodes:
            node.stop()
        formation.stop()

    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    log(json.dumps({k: result[k] for k in ("failovers", "acknowledged", "found", "lost",
                                            "duplicates", "max_recovery_s")}))
    log("answers: %s; slowest answer %.2f s; wrote %s"
        % (result["answers"], result["slowest_answer_s"], RESULTS))
    ok = (result["lost"] == 0 and result["duplicates"] == 0
          and set(result["answers"]) <= {"201", "503 database_unavailable"})
    if not ok:
        log("FAIL: something acknowledged was lost, duplicated, or an answer was not 201/503")
    return 0 if ok else 1


def setup_people(api):
    admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    union = api.must("POST", "/api/v1/offices", {"name": "故障切换测试街道工会", "code": "FO",
                                                "kind": "union",
                                                "email": "union@failover.example.cn"}, admin)
    api.must("POST", "/api/v1/users", {"email": MEDIATOR_EMAIL, "name": "切换调解员",
                                       "role": "union_mediator", "office_id": union["id"],
                                       "password": USER_PASSWORD}, admin)
    return api.login(MEDIATOR_EMAIL, USER_PASSWORD)


def tally(samples, rows, rounds_out, final_primary, t_begin):
    acked = {s[5]: s[6] for s in samples if s[3] == 201}
    in_db = collections.Counter()
    ids = set()
    for row in rows:
        case_id, number = row.split("|", 1)
        ids.add(case_id)
        in_db[number] += 1
    found = sum(1 for case_id in acked if case_id in ids)
    duplicates = sum(n - 1 for n in in_db.values() if n > 1)
    duplicates += len(acked) - len(set(acked.values()))  # two 201s with one number
    answers = collections.Counter(
        "201" if s[3] == 201 else "%s %s" % (s[3] if s[3] else "-", s[4]) for s in samples)
    recoveries = [r["recovery_s"] for r in rounds_out if r["recovery_s"] is not None]
    return {
        "failovers": len(rounds_out),
        "acknowledged": len(acked),
        "found": found,
        "lost": len(acked) - found,
        "duplicates": duplicates,
        "max_recovery_s": max(recoveries) if recoveries else None,
        "error_seconds": round(sum(r["error_window_s"] for r in rounds_out), 3),
        "cases_in_database": len(ids),
        "unacknowledged_but_committed": len(ids - set(acked)),
        "answers": dict(answers),
        "slowest_answer_s": round(max(s[1] - s[0] for s in samples), 3),
        "request_timeout_s": REQUEST_TIMEOUT_S,
        "final_primary_port": final_primary,
        "rounds": rounds_out,
        "run_seconds": round(now() - t_begin, 1),
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "setup": "pg_auto_failover 2.0 (Debian), PostgreSQL 15: monitor + primary + synchronous "
                 "standby on loopback; two `mediation-tracker serve` nodes on a multi-host URL "
                 "with target_session_attrs=read-write; intake from both; bench/failover",
    }


if __name__ == "__main__":
    sys.exit(main())
