"""Scenario (b): SMTP away and back, and a kill -9 mid-send.

Referrals cause mail while the SMTP sink is up, then down and back, then holding a message
unacknowledged when the server is killed. scenario_smtp() is a generator: the first next() runs
up to the crash and the restart, the second waits out (or admin-retries) the crashed process's
lease and returns the smtp/mail row. Standard library only; see docs/reliability.md.
"""

import collections
import os
import time
import uuid

from client import NoAnswer, intake_body
from common import CASE_NUMBER, log, now


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
