"""The HTTP client of the chaos driver: one request per connection to the server under test,
a multipart body builder for document uploads, and the intake body the scenarios register.

A request that gets no HTTP answer at all (refused, reset, timed out) raises NoAnswer, which
the scenarios count instead of retrying. Standard library only.
"""

import http.client
import json
import time
import uuid


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
