"""The processes the chaos driver starts and PostgreSQL administration.

Server is the release binary under test (same port, database and storage across restarts);
SmtpSink is bench/chaos.d/smtp_sink.py, started and stopped around it. Both run in their own
sessions and are listed in $CHAOS_STATE for the wrapper's trap. psql() runs one statement as the
CHAOS_PG_URL role. Standard library only.
"""

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

from client import Api, NoAnswer
from common import BINARY, SINK, free_port, now, remember


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
