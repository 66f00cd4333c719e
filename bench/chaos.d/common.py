"""Shared by every module of the chaos driver: paths, the fixed names and passwords of the run,
the pass limit, and small helpers (clock, log line, free port, the cleanup state files).

remember() is how the driver tells bench/chaos's EXIT trap what to clean up: it appends a pid,
a database name or a directory to a file in $CHAOS_STATE. Standard library only.
"""

import datetime
import os
import random
import re
import socket
import time

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
