"""The rest API of docs/openapi.yaml, as a fake service."""
import re
import secrets
import time

from server import FakeService, Reply


class FakeRest(FakeService):

    def __init__(self, pki, token, cert="good", sender="service"):
        super().__init__(pki, cert)
        self.token = token
        self.sender = sender      # who sends codes: "service" | "helper"
        self.users = {}           # name -> [method dicts]
        self.verifications = {}   # id -> dict
        self.max_attempts = 3
        self.refused_values = set()  # numbers/addresses the gateway refuses
        # Seconds after a verification during which the next one for the
        # same user answers 429 "cooldown" (0: never).
        self.cooldown = 0
        # False: a service that trusts the helper's value at POST /methods
        # (the real one may): the helper alone must bind the two.
        self.checks_value = True
        self.passwords = {}       # name -> the password a reset set
        self.password_min = 12    # shorter: 422 password_rejected
        self.password_status = 0  # non-zero: POST /password answers this

    def error(self, status, code, message, **extra):
        e = {"code": code, "message": message}
        e.update(extra)
        return Reply(status, {"error": e})

    def route(self, req):
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            return self.error(401, "unauthorized", "Missing or invalid token.")
        m = re.fullmatch(r"/v1/users/([^/]+)(/.*)?", req.path)
        if not m:
            return self.error(404, "not_found", "No such resource.")
        user, rest = m.group(1), m.group(2) or ""
        if user not in self.users:
            return self.error(404, "user_not_found", f"No user '{user}'.")
        body = req.json() if req.method == "POST" else None
        if req.method == "GET" and rest == "":
            return Reply(200, {"user": user, "methods": self.users[user]})
        if req.method == "POST" and rest == "/verifications":
            if not isinstance(body, dict) or not all(
                    isinstance(body.get(k), str)
                    for k in ("type", "value", "channel")):
                return self.error(400, "invalid_request", "type, value, channel")
            if body["value"] in self.refused_values:
                return self.error(400, "invalid_destination",
                                  "The gateway refuses this destination.")
            last = max((v["at"] for v in self.verifications.values()
                        if v["user"] == user), default=0)
            if self.cooldown and time.time() - last < self.cooldown:
                r = self.error(429, "cooldown", "Too soon after the last code.")
                r.headers.append(("Retry-After", str(self.cooldown)))
                return r
            vid = "v" + secrets.token_hex(8)
            code = f"{secrets.randbelow(10**6):06d}"
            self.verifications[vid] = dict(body, user=user, code=code,
                                           attempts=0, verified=False,
                                           at=time.time())
            if self.sender == "service":
                self.send_code(body["channel"], body["value"],
                               f"{code} is your verification code")
            return Reply(201, {"id": vid, "sender": self.sender,
                               "expires_in": 300})
        m2 = re.fullmatch(r"/verifications/([^/]+)/check", rest)
        if req.method == "POST" and m2:
            v = self.verifications.get(m2.group(1))
            if not v or v["user"] != user:
                return self.error(404, "no_verification", "No such verification.")
            if not isinstance(body, dict) or not isinstance(body.get("code"), str):
                return self.error(400, "invalid_request", "code")
            if body["code"] == v["code"]:
                v["verified"] = True
                return Reply(200, {"status": "verified"})
            v["attempts"] += 1
            left = self.max_attempts - v["attempts"]
            if left <= 0:
                del self.verifications[m2.group(1)]
                return self.error(429, "too_many_attempts", "Too many wrong codes.")
            return self.error(422, "wrong_code", "Wrong code.", attempts_left=left)
        if req.method == "POST" and rest == "/methods":
            if not isinstance(body, dict):
                return self.error(400, "invalid_request", "JSON object expected")
            v = self.verifications.get(body.get("verification_id"))
            if not v or v["user"] != user or (
                    self.checks_value and v["value"] != body.get("value")):
                return self.error(403, "not_verified", "Unknown verification.")
            if self.sender == "service" and not v["verified"]:
                return self.error(403, "not_verified", "Code not verified.")
            del self.verifications[body["verification_id"]]
            meth = {"type": body["type"], "value": body["value"],
                    "verified_at": int(time.time())}
            self.users[user] = [x for x in self.users[user]
                                if x["type"] != body["type"]] + [meth]
            return Reply(201, meth)
        if req.method == "POST" and rest == "/password":
            if not isinstance(body, dict) or not isinstance(
                    body.get("password"), str) or not body["password"]:
                return self.error(400, "invalid_request", "password")
            if self.password_status:
                return self.error(self.password_status, "internal",
                                  "The directory is down.")
            if len(body["password"]) < self.password_min:
                return self.error(422, "password_rejected",
                                  f"Use at least {self.password_min} "
                                  "characters.")
            self.passwords[user] = body["password"]
            return Reply(204, b"")
        return self.error(405, "method_not_allowed", "Not allowed.")
