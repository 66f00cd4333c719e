#!/usr/bin/env python3
"""bench/chaos: crash, mail-outage and database-outage checks against the release server.

Started by bench/chaos (which builds the binary first). Standard library only. See
docs/reliability.md for what each scenario does and what each figure means.
"""

import argparse
import base64
import collections
import concurrent.futures
import datetime
import email
import email.policy
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, "target", "release", "mediation-tracker")
SINK = os.path.join(ROOT, "bench", "chaos.d", "smtp_sink.py")
RESULTS = os.path.join(ROOT, "bench", "results", "chaos.json")
LOG_DIR = os.path.join(ROOT, "target", "chaos")

ADMIN_EMAIL = "admin@chaos.example.cn"
ADMIN_PASSWORD = "granite-lantern-orchard-%d" % random.randrange(10**6, 10**7)
MEDIATOR_EMAIL = "mediator@chaos.example.cn"
OFFICER_EMAIL = "officer@chaos.example.cn"
POLICE_EMAIL = "chps@chaos.example.cn"
USER_PASSWORD = "copper-meadow-harbour-%d" % random.randrange(10**6, 10**7)

RECOVERY_LIMIT_S = 5.0
CASE_NUMBER = re.compile(r"\b[A-Z0-9]+-\d{4}-\d{6}\b")

STATE_DIR = os.environ.get("CHAOS_STATE")  # bench/chaos's trap cleans up what is listed here


def now():
    return time.monotonic()


def log(msg):
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print("[chaos %s] %s" % (stamp, msg), flush=True)


def remember(kind, value):
    """Lists a pid or a database in the state directory, for bench/chaos's EXIT trap."""
    if STATE_DIR:
        with open(os.path.join(STATE_DIR, kind), "a") as f:
            f.write("%s\n" % value)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# HTTP


class NoAnswer(Exception):
    """The request got no HTTP answer: refused, reset or timed out."""


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception:
            return None

    def code(self):
        j = self.json()
        return j.get("code") if isinstance(j, dict) else None


class Api:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, token=None, headers=None, timeout=15.0):
        hdrs = dict(headers or {})
        data = None
        if token:
            hdrs["authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
            hdrs["content-type"] = "application/json"
        elif body is not None:
            data = body
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
        except (OSError, http.client.HTTPException) as e:
            raise NoAnswer(repr(e))
        finally:
            conn.close()

    def login(self, email_, password, attempts=100):
        last = None
        for _ in range(attempts):
            try:
                r = self.call("POST", "/api/v1/auth/login", {"email": email_, "password": password})
                if r.status == 200:
                    return r.json()["access_token"]
                last = "%s %s" % (r.status, r.body[:200])
            except NoAnswer as e:
                last = str(e)
            time.sleep(0.1)
        raise RuntimeError("cannot sign in as %s: %s" % (email_, last))

    def must(self, method, path, body=None, token=None, expect=(200, 201)):
        r = self.call(method, path, body, token)
        if r.status not in expect:
            raise RuntimeError("%s %s -> %s %s" % (method, path, r.status, r.body[:300]))
        return r.json()


def multipart(fields, file_field, file_name, content_type, content):
    boundary = "chaos" + uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary, name, value)).encode("utf-8"))
    out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (boundary, file_field, file_name, content_type)
                ).encode("utf-8"))
    out.append(content)
    out.append(("\r\n--%s--\r\n" % boundary).encode("utf-8"))
    return b"".join(out), "multipart/form-data; boundary=" + boundary


# ---------------------------------------------------------------------------------------------
# Processes


class Server:
    """The release server under test. Same port, database and storage across restarts."""

    def __init__(self, name, env, port, workdir):
        self.name = name
        self.env = env
        self.port = port
        self.workdir = workdir
        self.proc = None
        self.starts = 0
        self.log_path = os.path.join(workdir, "server-%s.log" % name)

    def start(self, timeout=30.0):
        self.starts += 1
        logf = open(self.log_path, "ab")
        logf.write(("\n===== start #%d at %s =====\n" % (self.starts, time.ctime())).encode())
        logf.flush()
        t0 = now()
        self.proc = subprocess.Popen([BINARY, "serve"], env=self.env, cwd=self.workdir,
                                     stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        remember("pids", self.proc.pid)
        api = Api(self.port)
        while now() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("%s server exited with %s at start; see %s"
                                   % (self.name, self.proc.returncode, self.log_path))
            try:
                if api.call("GET", "/readyz", timeout=2).status == 200:
                    return now() - t0
            except NoAnswer:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s server not ready after %.0f s; see %s"
                           % (self.name, timeout, self.log_path))

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


class SmtpSink:
    def __init__(self, workdir, name):
        self.port = free_port()
        self.out = os.path.join(workdir, "mail-%s" % name)
        self.hold = os.path.join(workdir, "hold-%s" % name)
        self.log_path = os.path.join(workdir, "sink-%s.log" % name)
        self.proc = None

    def start(self):
        ready = self.out + ".ready"
        if os.path.exists(ready):
            os.remove(ready)
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, SINK, "--port", str(self.port), "--out",
                                      self.out, "--hold", self.hold, "--ready", ready],
                                     stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        remember("pids", self.proc.pid)
        t0 = now()
        while not os.path.exists(ready):
            if self.proc.poll() is not None or now() - t0 > 10:
                raise RuntimeError("SMTP sink did not start; see %s" % self.log_path)
            time.sleep(0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def messages(self):
        """Every accepted message: (name, received_at, parsed message)."""
        out = []
        if not os.path.isdir(self.out):
            return out
        for fname in sorted(os.listdir(self.out)):
            if not fname.endswith(".eml"):
                continue
            base = fname[:-4]
            with open(os.path.join(self.out, fname), "rb") as f:
                raw = f.read()
            try:
                with open(os.path.join(self.out, base + ".json")) as f:
                    meta = json.load(f)
            except OSError:
                meta = {"received_at": float(base.split("-")[0])}
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append((base, meta["received_at"], msg))
        return out


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def psql(admin_url, sql):
    r = subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql failed: %s: %s" % (sql, r.stderr.strip()))
    return r.stdout.strip()


def replace_db(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


# ---------------------------------------------------------------------------------------------
# The backend under test: database, server, sink, the people and offices


class Backend:
    def __init__(self, name, args, workdir):
        self.name = name
        self.args = args
        self.workdir = os.path.join(workdir, name)
        os.makedirs(self.workdir)
        self.db_name = None
        self.admin_url = args.pg_admin_url
        if name == "sqlite":
            self.database_url = "sqlite://" + os.path.join(self.workdir, "chaos.db")
        else:
            self.db_name = "mediation_chaos_%d_%d" % (os.getpid(), int(time.time()))
            self.database_url = replace_db(self.admin_url, self.db_name)
        self.port = free_port()
        self.api = Api(self.port)
        self.sink = SmtpSink(self.workdir, name)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("MEDIATION_") and k not in ("DATABASE_URL", "CHAOS_STATE")}
        env.update({
            "DATABASE_URL": self.database_url,
            "MEDIATION_BIND": "127.0.0.1:%d" % self.port,
            "MEDIATION_ADMIN_EMAIL": ADMIN_EMAIL,
            "MEDIATION_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "MEDIATION_JWT_SECRET": base64.b64encode(os.urandom(48)).decode(),
            "MEDIATION_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
            "MEDIATION_SMTP_URL": "smtp://127.0.0.1:%d" % self.sink.port,
            "MEDIATION_OUTBOX_POLL_MS": "200",
            "MEDIATION_OUTBOX_BACKOFF_SECONDS": "1",
            "MEDIATION_OUTBOX_BACKOFF_CAP_SECONDS": "2",
            "MEDIATION_OUTBOX_MAX_ATTEMPTS": "100",
            "MEDIATION_OUTBOX_LEASE_SECONDS": str(args.lease),
            "MEDIATION_STORAGE_DIR": os.path.join(self.workdir, "storage"),
            "MEDIATION_LOG": "info",
        })
        self.server = Server(name, env, self.port, self.workdir)
        self.ids = {}

    def create(self):
        if self.db_name:
            psql(self.admin_url, "CREATE DATABASE %s" % self.db_name)
            remember("dbs", self.db_name)

    def drop(self):
        if self.db_name:
            try:
                psql(self.admin_url, "ALTER DATABASE %s ALLOW_CONNECTIONS true" % self.db_name)
            except Exception:
                pass
            try:
                psql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db_name)
            except Exception as e:
                log("could not drop %s: %s" % (self.db_name, e))

    def setup(self):
        """Offices and people, as in README's walk-through."""
        api = self.api
        admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        union = api.must("POST", "/api/v1/offices", {
            "name": "混沌测试街道工会", "code": "CH", "kind": "union",
            "email": "union@chaos.example.cn"}, admin)
        police = api.must("POST", "/api/v1/offices", {
            "name": "混沌测试派出所", "code": "CHPS", "kind": "police",
            "email": POLICE_EMAIL}, admin)
        api.must("POST", "/api/v1/users", {
            "email": MEDIATOR_EMAIL, "name": "混沌调解员", "role": "union_mediator",
            "office_id": union["id"], "password": USER_PASSWORD}, admin)
        api.must("POST", "/api/v1/users", {
            "email": OFFICER_EMAIL, "name": "混沌警官", "role": "police_officer",
            "office_id": police["id"], "password": USER_PASSWORD}, admin)
        self.ids = {"union": union["id"], "police": police["id"]}

    def mediator(self):
        return self.api.login(MEDIATOR_EMAIL, USER_PASSWORD)

    def admin(self):
        return self.api.login(ADMIN_EMAIL, ADMIN_PASSWORD)


def intake_body(tag):
    return {
        "category": "wage_arrears",
        "channel": "hotline_12351",
        "summary": "混沌测试 chaos %s: 家具厂拖欠工资3000元。" % tag,
        "claimed_amount_fen": 300000,
        "flags": ["migrant_worker"],
        "employer": {"name": "混沌测试家具厂", "contact_phone": "13812345678"},
        "workers": [{"name": "张三", "phone": "13912345678", "role": "claimant"}],
    }


# ---------------------------------------------------------------------------------------------
# (a) kill -9 under load


class LoadClient(threading.Thread):
    def __init__(self, backend, index, stop, stats):
        super().__init__(daemon=True)
        self.backend = backend
        self.api = backend.api
        self.index = index
        self.stop_event = stop
        self.stats = stats

    def run(self):
        token = self.backend.mediator()
        seq = 0
        while not self.stop_event.is_set():
            seq += 1
            tag = "%s c%d #%d %s" % (self.backend.name, self.index, seq, uuid.uuid4().hex[:8])
            try:
                r = self.api.call("POST", "/api/v1/cases", intake_body(tag), token, timeout=15)
            except NoAnswer:
                self.stats.note("cases", "no answer")
                time.sleep(0.05)
                continue
            if r.status == 401:
                token = self.backend.mediator()
                continue
            if r.status != 201:
                self.stats.note("cases", "%d %s" % (r.status, r.code()))
                time.sleep(0.05)
                continue
            case = r.json()
            self.stats.ack_case(case["id"], case["case_number"], now())
            for d in range(1 + (seq % 2)):  # one or two documents per case
                content = ("chaos document %s doc %d %s\n" % (tag, d, uuid.uuid4())).encode()
                body, ctype = multipart({"document_type": "evidence"}, "file",
                                        "chaos-%d-%d.txt" % (seq, d), "text/plain", content)
                try:
                    r = self.api.call("POST", "/api/v1/cases/%s/documents" % case["id"], body,
                                      token, {"content-type": ctype}, timeout=15)
                except NoAnswer:
                    self.stats.note("documents", "no answer")
                    break
                if r.status != 201:
                    self.stats.note("documents", "%d %s" % (r.status, r.code()))
                    break
                doc = r.json()
                sha = hashlib.sha256(content).hexdigest()
                if doc.get("sha256") != sha:
                    self.stats.note("documents", "201 with a wrong sha256")
                self.stats.ack_doc(case["id"], doc["id"], sha)


class LoadStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.cases = []  # (id, case_number, acked_at)
        self.docs = []  # (case_id, doc_id, sha256)
        self.errors = collections.Counter()

    def note(self, what, outcome):
        with self.lock:
            self.errors["%s: %s" % (what, outcome)] += 1

    def ack_case(self, case_id, number, at):
        with self.lock:
            self.cases.append((case_id, number, at))

    def ack_doc(self, case_id, doc_id, sha):
        with self.lock:
            self.docs.append((case_id, doc_id, sha))


def list_all_cases(api, token):
    items, cursor = [], None
    for _ in range(10000):
        path = "/api/v1/cases?limit=200" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        page = api.must("GET", path, token=token)
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return items


def scenario_kill9(b, args, other_case_ids=frozenset()):
    log("%s: (a) kill -9 under load: %d clients, %d kills" % (b.name, args.clients, args.kills))
    stats = LoadStats()
    stop = threading.Event()
    clients = [LoadClient(b, i, stop, stats) for i in range(args.clients)]
    for c in clients:
        c.start()
    restarts = []
    try:
        for k in range(args.kills):
            time.sleep(args.phase * random.uniform(0.8, 1.2))
            before = len(stats.cases)
            b.server.kill9()
            t_kill = now()
            time.sleep(0.2)
            t_spawn = now()
            ready_s = b.server.start()
            # Recovery: from the new process's spawn to the first case acknowledged after it.
            first_ack = None
            deadline = now() + 30
            while now() < deadline:
                with stats.lock:
                    after = [at for (_, _, at) in stats.cases[before:] if at > t_spawn]
                if after:
                    first_ack = min(after) - t_spawn
                    break
                time.sleep(0.02)
            restarts.append({"kill": k + 1, "acked_before_kill": before,
                             "ready_s": round(ready_s, 3),
                             "first_ack_after_restart_s":
                                 None if first_ack is None else round(first_ack, 3),
                             "down_s": round(now() - t_kill, 3) if first_ack is None
                             else round(t_spawn + first_ack - t_kill, 3)})
            log("%s: kill %d after %d acknowledged cases; ready in %.2f s, first intake %s s"
                % (b.name, k + 1, before, ready_s,
                   "none" if first_ack is None else "%.2f" % first_ack))
        time.sleep(args.phase)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=30)

    log("%s: verifying %d acknowledged cases and %d documents"
        % (b.name, len(stats.cases), len(stats.docs)))
    token = b.mediator()
    api = b.api
    docs_by_case = collections.defaultdict(list)
    for case_id, doc_id, sha in stats.docs:
        docs_by_case[case_id].append((doc_id, sha))

    def check_case(item):
        case_id, number, _ = item
        res = {"case": False, "docs_found": 0, "docs_lost": [], "number_changed": False}
        r = api.call("GET", "/api/v1/cases/%s" % case_id, token=token)
        if r.status == 200:
            res["case"] = True
            res["number_changed"] = r.json().get("case_number") != number
        wanted = docs_by_case.get(case_id, [])
        r = api.call("GET", "/api/v1/cases/%s/documents" % case_id, token=token)
        listed = {d["id"]: d.get("sha256") for d in (r.json() or [])} if r.status == 200 else {}
        res["docs_listed"] = len(listed)
        if wanted:
            for doc_id, sha in wanted:
                if listed.get(doc_id) != sha:
                    res["docs_lost"].append(doc_id)
                    continue
                c = api.call("GET", "/api/v1/documents/%s/content" % doc_id, token=token)
                if c.status == 200 and hashlib.sha256(c.body).hexdigest() == sha:
                    res["docs_found"] += 1
                else:
                    res["docs_lost"].append(doc_id)
        return res

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        checks = list(pool.map(check_case, stats.cases))

    all_cases = list_all_cases(api, token)
    numbers = collections.Counter(c["case_number"] for c in all_cases)
    dup_numbers = sorted(n for n, k in numbers.items() if k > 1)
    acked_numbers = collections.Counter(n for (_, n, _) in stats.cases)
    dup_acked = sorted(n for n, k in acked_numbers.items() if k > 1)
    acked_ids = {i for (i, _, _) in stats.cases}
    unacked_committed = [c["id"] for c in all_cases
                         if c["id"] not in acked_ids and c["id"] not in other_case_ids]

    def count_docs(case_id):
        r = api.call("GET", "/api/v1/cases/%s/documents" % case_id, token=token)
        return len(r.json() or []) if r.status == 200 else 0

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        unacked_docs = sum(pool.map(count_docs, unacked_committed))
    doc_rows = sum(c["docs_listed"] for c in checks) + unacked_docs
    stored_objects = sum(len(files) for _, _, files in
                         os.walk(os.path.join(b.workdir, "storage", "cases")))

    def verify(case_id):
        r = api.call("GET", "/api/v1/cases/%s/events/verify" % case_id, token=token)
        return case_id, (r.status == 200 and r.json().get("valid") is True), r.status

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        verified = list(pool.map(verify, [c["id"] for c in all_cases]))
    invalid = [cid for cid, ok, _ in verified if not ok]

    cases_found = sum(1 for c in checks if c["case"])
    docs_found = sum(c["docs_found"] for c in checks)
    lost_cases = [stats.cases[i][0] for i, c in enumerate(checks) if not c["case"]]
    lost_docs = [d for c in checks for d in c["docs_lost"]]
    changed = sum(1 for c in checks if c["number_changed"])
    recovery = [r["first_ack_after_restart_s"] for r in restarts]
    recovery_s = None if any(x is None for x in recovery) or not recovery else max(recovery)
    common = {"restarts": restarts, "request_errors": dict(stats.errors),
              "cases_in_database": len(all_cases),
              "committed_but_unacknowledged_cases": len(unacked_committed)}
    rows = [
        {"scenario": "kill9/cases", "backend": b.name, "acknowledged": len(stats.cases),
         "found": cases_found, "lost": len(lost_cases),
         "duplicated": len(set(dup_numbers) | set(dup_acked)),
         "recovery_s": recovery_s,
         "details": dict(common, lost_ids=lost_cases[:50], duplicate_case_numbers=dup_numbers[:50],
                         duplicate_acknowledged_numbers=dup_acked[:50],
                         case_number_changed=changed,
                         chains_verified=len(verified), chains_invalid=len(invalid),
                         invalid_chain_case_ids=invalid[:50])},
        {"scenario": "kill9/documents", "backend": b.name, "acknowledged": len(stats.docs),
         "found": docs_found, "lost": len(lost_docs), "duplicated": 0,
         "recovery_s": recovery_s,
         "details": {"lost_ids": lost_docs[:50],
                     "document_rows_in_database": doc_rows,
                     "objects_in_storage": stored_objects,
                     "orphan_objects": stored_objects - doc_rows,
                     "note": "found = listed with the acknowledged sha256 and downloaded bytes "
                             "hash to it"}},
    ]
    rows[0]["notes"] = "chains %d/%d valid; %d committed unacked" % (
        len(verified) - len(invalid), len(verified), len(unacked_committed))
    rows[1]["notes"] = "bytes re-hashed on download; %d orphan objects in storage" % (
        stored_objects - doc_rows)
    if invalid or changed:
        rows[0]["failed_checks"] = ["%d invalid hash chains" % len(invalid)] if invalid else []
        if changed:
            rows[0]["failed_checks"].append("%d case numbers changed" % changed)
    return rows


# ---------------------------------------------------------------------------------------------
# (b) SMTP away and back, and a crash mid-send


def scenario_smtp(b, args, case_ids):
    """A generator: runs up to the crash mid-send and the restart, yields while the lease runs
    (the caller runs scenario (a) meanwhile), then finishes and yields its rows."""
    log("%s: (b) SMTP sink outage and a kill -9 mid-send" % b.name)
    api = b.api
    token = b.mediator()
    referrals = {}  # case_number -> {"phase", "referral_id", "acked_at"}
    errors = collections.Counter()

    def refer(count, phase):
        nonlocal token
        made = 0
        for i in range(count):
            tag = "mail %s %s #%d %s" % (b.name, phase, i, uuid.uuid4().hex[:8])
            case = None
            for _ in range(50):
                try:
                    r = api.call("POST", "/api/v1/cases", intake_body(tag), token)
                except NoAnswer:
                    time.sleep(0.1)
                    continue
                if r.status == 401:
                    token = b.mediator()
                    continue
                if r.status == 201:
                    case = r.json()
                    break
                errors["intake %d %s" % (r.status, r.code())] += 1
                time.sleep(0.1)
            if case is None:
                errors["intake gave up"] += 1
                continue
            case_ids.add(case["id"])
            body = {"office_id": b.ids["police"], "kind": "locate_party",
                    "request": "企业主失联，请协助查找。chaos %s" % tag}
            try:
                r = api.call("POST", "/api/v1/cases/%s/referrals" % case["id"], body, token)
            except NoAnswer:
                errors["referral no answer"] += 1
                continue
            if r.status == 201:
                referrals[case["case_number"]] = {"phase": phase, "referral_id": r.json()["id"],
                                                  "acked_at": time.time()}
                made += 1
            else:
                errors["referral %d %s" % (r.status, r.code())] += 1
        return made

    def delivered_numbers():
        seen = collections.Counter()
        for _, _, msg in b.sink.messages():
            m = CASE_NUMBER.search(str(msg.get("Subject", "")))
            if m:
                seen[m.group(0)] += 1
        return seen

    def wait_delivered(numbers, timeout):
        t0 = now()
        while now() - t0 < timeout:
            seen = delivered_numbers()
            if all(seen[n] >= 1 for n in numbers):
                return now() - t0
            time.sleep(0.1)
        return None

    def phase_numbers(*phases):
        return [n for n, r in referrals.items() if r["phase"] in phases]

    # 1. The sink is up: mail flows.
    refer(args.mail_batch, "normal")
    normal_s = wait_delivered(phase_numbers("normal"), 30)
    # 2. The sink goes away; referrals keep coming; it comes back.
    b.sink.stop()
    t_down = now()
    refer(args.mail_batch, "sink-down")
    time.sleep(max(0.0, args.smtp_outage - (now() - t_down)))
    b.sink.start()
    t_up = now()
    sink_recovery_s = wait_delivered(phase_numbers("sink-down"), 60)
    log("%s: sink was down %.1f s; its mail delivered %s s after it came back"
        % (b.name, t_up - t_down, "never" if sink_recovery_s is None else "%.2f" % sink_recovery_s))
    # 3. kill -9 while the sink holds a message it has stored but not yet acknowledged.
    open(b.sink.hold, "w").close()
    refer(args.mail_batch, "crash")
    held_marker = b.sink.hold + ".held"
    t0 = now()
    while not os.path.exists(held_marker) and now() - t0 < 20:
        time.sleep(0.02)
    held = os.path.exists(held_marker)
    b.server.kill9()
    t_kill = now()
    os.remove(b.sink.hold)
    if held:
        os.remove(held_marker)
    log("%s: killed the server %s" % (b.name, "mid-send (a message was held unacknowledged)"
                                      if held else "but no send was in flight within 20 s"))
    b.server.start()
    t_restart = now()
    token = b.mediator()
    refer(args.mail_batch, "after-restart")
    fresh_s = wait_delivered(phase_numbers("after-restart"), 30)

    # 4. The rows the killed process had claimed stay leased for MEDIATION_OUTBOX_LEASE_SECONDS:
    # those it had not sent yet, and the one the sink holds (stored, never acknowledged). Either
    # wait for the lease to run out, as a real outage would, or do what notifications.md tells
    # an admin to do and retry them; the report says which.
    def pending_rows(admin):
        page = api.must("GET", "/api/v1/notifications?status=pending&limit=200", token=admin)
        return [r for r in page["items"]
                if (CASE_NUMBER.search(r.get("subject", "")) or [None])[0] in referrals]

    def wait_outbox_empty(admin, until):
        while now() < until:
            if not pending_rows(admin):
                return True
            time.sleep(0.25)
        return False

    admin = b.admin()
    leased = pending_rows(admin)
    never_delivered = sum(1 for n in referrals if delivered_numbers()[n] == 0)
    admin_retried, lease_wait_s, lease_mode = [], None, args.leased
    if leased:
        log("%s: %d rows pending (%d never delivered) %.0f s after the restart; %s"
            % (b.name, len(leased), never_delivered, now() - t_restart,
               "their %d s lease runs while (a) runs" % args.lease if lease_mode == "wait"
               else "(a) runs, then an admin retries them"))
    yield []
    admin = b.admin()
    if leased and lease_mode == "wait":
        if wait_outbox_empty(admin, t_kill + args.lease + 30):
            lease_wait_s = now() - t_kill
            log("%s: the leased rows were sent %.0f s after the kill" % (b.name, lease_wait_s))
        else:
            log("%s: rows still pending %d s after the kill" % (b.name, args.lease + 30))
    elif leased:
        wait_outbox_empty(admin, t_restart + args.mail_drain)
        seen = delivered_numbers()
        for row in pending_rows(admin):
            number = CASE_NUMBER.search(row["subject"]).group(0)
            r = api.call("POST", "/api/v1/notifications/%s/retry" % row["id"], token=admin)
            admin_retried.append({"case_number": number, "phase": referrals[number]["phase"],
                                  "retry_status": r.status, "attempts": row.get("attempts"),
                                  "copies_before_retry": seen[number]})
        log("%s: %d rows pending (%d never delivered) %.0f s after the restart; admin retried "
            "them" % (b.name, len(admin_retried), never_delivered, now() - t_restart))
        admin = b.admin()
        wait_outbox_empty(admin, now() + 20)
    everything_s = wait_delivered(list(referrals), 5)
    time.sleep(2)  # late duplicates

    # 5. Tally: per referral, the delivered copies and their Message-IDs.
    admin = b.admin()
    outbox = []
    cursor = None
    for _ in range(100):
        path = "/api/v1/notifications?limit=200" + ("&cursor=" + cursor if cursor else "")
        page = api.must("GET", path, token=admin)
        outbox.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    rows_by_number = {}
    for row in outbox:
        m = CASE_NUMBER.search(row.get("subject", ""))
        if m:
            rows_by_number.setdefault(m.group(0), []).append(row)
    copies = collections.defaultdict(list)
    unexpected = 0
    for name, received_at, msg in b.sink.messages():
        m = CASE_NUMBER.search(str(msg.get("Subject", "")))
        if not m or m.group(0) not in referrals:
            unexpected += 1
            continue
        copies[m.group(0)].append({"file": name, "message_id": msg.get("Message-ID"),
                                   "to": str(msg.get("To", ""))})
    lost, duplicated, twice_allowed, found = [], [], [], 0
    with_message_id = 0
    for number, ref in referrals.items():
        got = copies.get(number, [])
        ids = {c["message_id"] for c in got}
        with_message_id += sum(1 for c in got if c["message_id"])
        if not got:
            lost.append(number)
            continue
        found += 1
        if len(got) == 1:
            continue
        if (len(got) == 2 and ref["phase"] == "crash" and len(ids) == 1 and None not in ids):
            twice_allowed.append(number)
        else:
            duplicated.append({"case_number": number, "phase": ref["phase"], "copies": len(got),
                               "message_ids": sorted(str(i) for i in ids)})
    total_copies = sum(len(v) for v in copies.values())
    outbox_status = collections.Counter(r["status"] for r in outbox)
    rows_per_referral = collections.Counter(len(rows_by_number.get(n, [])) for n in referrals)
    recovery_s = sink_recovery_s
    notes = []
    notes.append("Message-ID on %d/%d copies" % (with_message_id, total_copies))
    if twice_allowed:
        notes.append("%d twice after crash, same Message-ID" % len(twice_allowed))
    if admin_retried:
        notes.append("%d leased rows admin-retried" % len(admin_retried))
    if lease_wait_s is not None:
        notes.append("%d leased rows sent %.0f s after the kill" % (len(leased), lease_wait_s))
    row = {"scenario": "smtp/mail", "backend": b.name, "acknowledged": len(referrals),
           "found": found, "lost": len(lost), "duplicated": len(duplicated),
           "recovery_s": None if recovery_s is None else round(recovery_s, 3),
           "notes": "; ".join(notes),
           "details": {
               "phases": {p: len(phase_numbers(p)) for p in
                          ("normal", "sink-down", "crash", "after-restart")},
               "sink_down_s": round(t_up - t_down, 3),
               "sink_recovery_s": None if sink_recovery_s is None else round(sink_recovery_s, 3),
               "normal_delivery_s": None if normal_s is None else round(normal_s, 3),
               "killed_mid_send": held,
               "after_restart_delivery_s": None if fresh_s is None else round(fresh_s, 3),
               "all_delivered": everything_s is not None,
               "leased_rows_after_restart": len(leased),
               "never_delivered_when_restarted": never_delivered,
               "leased_rows": lease_mode,
               "lease_s": args.lease,
               "admin_retried": admin_retried,
               "leased_rows_sent_after_kill_s":
                   None if lease_wait_s is None else round(lease_wait_s, 3),
               "copies_delivered": total_copies,
               "delivered_twice_same_message_id": twice_allowed,
               "duplicates": duplicated[:50],
               "lost_case_numbers": lost[:50],
               "unexpected_messages": unexpected,
               "messages_with_message_id": with_message_id,
               "outbox_rows_by_status": dict(outbox_status),
               "outbox_rows_per_referral": {str(k): v for k, v in rows_per_referral.items()},
               "request_errors": dict(errors),
           }}
    if not held:
        row["failed_checks"] = ["the kill did not land mid-send"]
    yield [row]


# ---------------------------------------------------------------------------------------------
# (c) PostgreSQL refuses connections for a while


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


# ---------------------------------------------------------------------------------------------


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


def main():
    p = argparse.ArgumentParser(prog="bench/chaos", description=__doc__)
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
                if name == "postgres":
                    rows += scenario_db_outage(b, args)
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
    report = {
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
    if interrupted:
        print("\ninterrupted after %.0f s; %s left as it was" % (duration,
                                                             os.path.relpath(RESULTS, ROOT)))
        sys.exit(130)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    tmp = RESULTS + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    os.replace(tmp, RESULTS)
    print("\n%s in %.0f s; wrote %s; server logs in %s"
          % ("PASS" if ok else "FAIL", duration, os.path.relpath(RESULTS, ROOT),
             os.path.relpath(LOG_DIR, ROOT)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
