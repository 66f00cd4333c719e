"""One backend under test (sqlite or postgres): its fresh database, the server's environment,
the server and SMTP sink, and the offices and people every scenario signs in as.

Backend.create() makes the PostgreSQL database and lists it in $CHAOS_STATE; drop() removes it.
setup() creates the union office CH, the police station CHPS, a mediator and an officer, as in
README's walk-through. Standard library only.
"""

import base64
import os
import time

from client import Api
from common import (ADMIN_EMAIL, ADMIN_PASSWORD, MEDIATOR_EMAIL, OFFICER_EMAIL, POLICE_EMAIL,
                    USER_PASSWORD, free_port, log, remember)
from processes import Server, SmtpSink, psql, replace_db


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
