"""Scenario (a): kill -9 under load.

Client threads register cases and upload documents while the server is killed and restarted;
afterwards every acknowledged case and document must still be there, no case number may occur
twice, and every case's hash chain must verify. Returns the kill9/cases and kill9/documents rows.
Standard library only; see docs/reliability.md.
"""

import collections
import concurrent.futures
import hashlib
import os
import random
import threading
import time
import urllib.parse
import uuid

from client import NoAnswer, intake_body, multipart
from common import log, now


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


def list_documents(api, case_id, token):
    """A case's documents, every page of {"items", "next_cursor"}; None unless all answered 200."""
    items, cursor = [], None
    for _ in range(1000):
        path = "/api/v1/cases/%s/documents?limit=200" % case_id
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        r = api.call("GET", path, token=token)
        if r.status != 200:
            return None
        page = r.json() or {}
        items.extend(page.get("items", []))
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
        documents = list_documents(api, case_id, token)
        listed = {d["id"]: d.get("sha256") for d in documents} if documents is not None else {}
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
        return len(list_documents(api, case_id, token) or [])

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
