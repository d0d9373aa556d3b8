"""The Okta Users and Factors API (SSWS token), as documented: error body
{errorCode, errorSummary, errorLink, errorId, errorCauses}, X-Rate-Limit-*
headers, 429 E0000047 with X-Rate-Limit-Reset, E0000109 on a resend within
30 s, E0000068 for a wrong passCode. Okta sends the codes: here they go to
the outbox the PAM test driver reads. The reset: verify of an ACTIVE
factor, and the partial user update that sets credentials.password under a
password policy."""
import base64
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
import urllib.parse

from server import FakeService, Reply

CHANNEL = {"sms": "sms", "call": "voice", "email": "email"}
# GET /api/v1/users/{id}/factors/questions (a part of Okta's catalogue)
QUESTIONS = [
    {"question": "disliked_food",
     "questionText": "What is the food you least liked as a child?"},
    {"question": "name_of_first_plush_toy",
     "questionText": "What is the name of your first stuffed animal?"},
    {"question": "first_award",
     "questionText": "What did you earn your first medal or award for?"},
    {"question": "favorite_security_question",
     "questionText": "What is your favorite security question?"},
]
MIN_ANSWER = 4  # Okta: "at least 4 characters"
MIN_PASSWORD = 8  # the org's password policy here


def okta_id(prefix):
    return prefix + secrets.token_hex(8)  # 20 alphanumerics, like Okta's


class FakeOkta(FakeService):

    def __init__(self, pki, token, cert="good"):
        super().__init__(pki, cert)
        self.token = token
        self.users = {}        # id -> {"login":..., "factors": {fid: factor}}
        self.codes = {}        # fid -> (code, sent_at)
        self.resend_wait = 30  # seconds between two codes for a factor
        # Seconds after a code during which enrolling another factor for
        # the same user answers 429 E0000109 too (0: never).
        self.enrol_wait = 0
        self.last_code = {}    # user id -> when its last code went out
        # An OAuth 2.0 service app (private_key_jwt), when set.
        self.client_id = None
        self.public_key = None   # PEM path of the app's registered key
        self.access_tokens = {}  # token -> expiry
        self.questions = list(QUESTIONS)
        self.answers = {}        # question factor id -> answer as received
        self.refused_values = set()  # numbers Okta's gateway refuses
        self.passwords = {}      # user id -> [every password it was set to]
        self.password_requests = []  # per set: what the request showed
        self.may_set_passwords = True  # False: 403 E0000006 (no admin role)

    def add_user(self, login, factors=()):
        uid = okta_id("00u")
        self.users[uid] = {"login": login, "factors": {}}
        for ftype, value, status in factors:
            f = self.factor(ftype, value, status)
            self.users[uid]["factors"][f["id"]] = f
        return uid

    def factor(self, ftype, value, status):
        if ftype == "question":  # value: the question's key
            text = next((q["questionText"] for q in self.questions
                         if q["question"] == value), value)
            profile = {"question": value, "questionText": text}
        else:
            key = "email" if ftype == "email" else "phoneNumber"
            profile = {key: value}
        return {"id": okta_id({"sms": "mbl", "call": "clf", "email": "emf",
                               "question": "ufs"}.get(ftype, "fac")),
                "factorType": ftype, "provider": "OKTA", "vendorName": "OKTA",
                "status": status, "created": "2026-01-01T00:00:00.000Z",
                "lastUpdated": "2026-01-01T00:00:00.000Z",
                "profile": profile}

    def enrol_question(self, u, body):
        """POST .../factors with factorType question: ACTIVE at once, one
        per user, the answer at least 4 characters."""
        prof = body.get("profile")
        invalid = ("E0000001", "Api validation failed: factorEnrollRequest")
        if body.get("provider") != "OKTA" or not isinstance(prof, dict) or \
                not isinstance(prof.get("question"), str) or \
                not isinstance(prof.get("answer"), str):
            return self.error(400, *invalid)
        if prof["question"] not in {q["question"] for q in self.questions}:
            return self.error(400, *invalid, ["Invalid Profile. The security "
                                              "question is not valid."])
        if len(prof["answer"].strip()) < MIN_ANSWER:
            return self.error(400, *invalid, [
                "Invalid Profile. The security question answer must be at "
                f"least {MIN_ANSWER} characters in length"])
        if any(f["factorType"] == "question" for f in u["factors"].values()):
            return self.error(400, *invalid,
                              ["A factor of this type is already set up."])
        f = self.factor("question", prof["question"], "ACTIVE")
        u["factors"][f["id"]] = f
        self.answers[f["id"]] = prof["answer"]
        return Reply(200, f)

    def policy_causes(self, login, pw):
        """Okta's password policy: what the new password lacks."""
        need = []
        if len(pw) < MIN_PASSWORD:
            need.append(f"at least {MIN_PASSWORD} characters")
        if not re.search(r"[a-z]", pw):
            need.append("a lowercase letter")
        if not re.search(r"[A-Z]", pw):
            need.append("an uppercase letter")
        if not re.search(r"[0-9]", pw):
            need.append("a number")
        if login.split("@")[0].lower() in pw.lower():
            need.append("no parts of your username")
        return need

    def update_user(self, uid, req):
        """POST /api/v1/users/{id}: a partial update; here only
        credentials.password, the reset's call."""
        u = self.users[uid]
        body = req.json()
        cred = body.get("credentials") if isinstance(body, dict) else None
        pw = cred.get("password") if isinstance(cred, dict) else None
        value = pw.get("value") if isinstance(pw, dict) else None
        if not isinstance(value, str):
            return self.error(400, "E0000001", "Api validation failed: user")
        raw = req.raw_path + "?" + urllib.parse.urlencode(req.query, True)
        self.password_requests.append({
            "tls": req.tls,
            "content_type": req.headers.get("Content-Type"),
            "in_path": value in urllib.parse.unquote(raw),
            "in_headers": any(value in v for v in req.headers.values()),
            "in_body": req.body.count(value.encode())})
        if not self.may_set_passwords:
            return self.error(403, "E0000006", "You do not have permission "
                              "to perform the requested action")
        need = self.policy_causes(u["login"], value)
        if need:
            return self.error(400, "E0000001",
                              "Api validation failed: password",
                              ["password: Password requirements were not "
                               "met. Password requirements: " +
                               ", ".join(need) + "."])
        self.passwords.setdefault(uid, []).append(value)
        return Reply(200, {"id": uid, "status": "ACTIVE",
                           "profile": {"login": u["login"]},
                           "credentials": {"password": {},
                                           "provider": {"type": "OKTA",
                                                        "name": "OKTA"}}})

    def verify(self, uid, f, body):
        """POST .../factors/{fid}/verify of an ACTIVE sms, call or email
        factor: without passCode Okta sends one (CHALLENGE), with it the
        answer is SUCCESS or 403 E0000068."""
        if f["status"] != "ACTIVE" or f["factorType"] not in CHANNEL:
            return self.error(400, "E0000001", "Api validation failed")
        pc = body.get("passCode") if isinstance(body, dict) else None
        if pc is None:
            if time.time() - self.codes.get(f["id"], ("", 0))[1] < \
                    self.resend_wait:
                return self.error(429, "E0000109", "An SMS message was "
                                  "recently sent. Please wait 30 seconds "
                                  "before trying again.")
            self.send(f)
            return Reply(200, {"factorResult": "CHALLENGE",
                               "profile": f["profile"]})
        if not isinstance(pc, str) or pc != self.codes.get(f["id"], ("",))[0]:
            return self.error(403, "E0000068", "Invalid Passcode/Answer",
                              ["Your passcode doesn't match our records. "
                               "Please try again."])
        self.codes.pop(f["id"], None)
        return Reply(200, {"factorResult": "SUCCESS"})

    def factors_of(self, login):
        for u in self.users.values():
            if u["login"] == login:
                return list(u["factors"].values())
        return []

    def error(self, status, code, summary, causes=()):
        return Reply(status, {"errorCode": code, "errorSummary": summary,
                              "errorLink": code, "errorId": okta_id("oae"),
                              "errorCauses": [{"errorSummary": c}
                                              for c in causes]})

    def internal_error(self):
        return ("E0000009", "Internal Server Error")

    def throttled(self, retry_after):
        r = self.error(429, "E0000047", "API call exceeded rate limit due to "
                       "too many requests.")
        r.headers.append(("X-Rate-Limit-Reset",
                          str(int(time.time()) + 1 + int(retry_after))))
        return r

    def _dispatch(self, req):
        r = super()._dispatch(req)
        if r is not None and not any(h[0].startswith("X-Rate-Limit")
                                     for h in r.headers):
            r.headers += [("X-Rate-Limit-Limit", "600"),
                          ("X-Rate-Limit-Remaining", "599"),
                          ("X-Rate-Limit-Reset", str(int(time.time()) + 60))]
        return r

    def send(self, f):
        code = f"{secrets.randbelow(10**6):06d}"
        self.codes[f["id"]] = (code, time.time())
        to = f["profile"].get("phoneNumber") or f["profile"].get("email")
        self.send_code(CHANNEL[f["factorType"]], to,
                       f"Your verification code is {code}")

    def oauth_error(self, status, error, description):
        return Reply(status, {"error": error,
                              "error_description": description})

    def token_requests(self):
        return self.count("POST", "/oauth2/v1/token")

    def _verify_jwt(self, jwt):
        try:
            h, c, sig = jwt.split(".")
            pad = lambda x: x + "=" * (-len(x) % 4)  # noqa: E731
            claims = json.loads(base64.urlsafe_b64decode(pad(c)))
            header = json.loads(base64.urlsafe_b64decode(pad(h)))
            raw_sig = base64.urlsafe_b64decode(pad(sig))
        except (ValueError, TypeError):
            return None
        with tempfile.TemporaryDirectory() as d:
            data, sigf = os.path.join(d, "data"), os.path.join(d, "sig")
            open(data, "w").write(f"{h}.{c}")
            open(sigf, "wb").write(raw_sig)
            ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                 self.public_key, "-signature", sigf, data],
                                capture_output=True).returncode == 0
        if not ok or header.get("alg") != "RS256":
            return None
        return claims

    def oauth_token(self, req):
        f = {k: v[0] for k, v in
             urllib.parse.parse_qs(req.body.decode()).items()}
        if f.get("grant_type") != "client_credentials" or \
                f.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return self.oauth_error(400, "invalid_request", "bad grant")
        claims = self._verify_jwt(f.get("client_assertion", ""))
        if claims is None:
            return self.oauth_error(401, "invalid_client", "The client_assertion "
                                    "signature is invalid.")
        now = time.time()
        if claims.get("iss") != self.client_id or \
                claims.get("sub") != self.client_id or \
                claims.get("aud") != self.url + "/oauth2/v1/token" or \
                not now - 60 < claims.get("exp", 0) <= now + 3600:
            return self.oauth_error(401, "invalid_client", "The client_assertion "
                                    "token has an invalid claim.")
        scopes = set(f.get("scope", "").split())
        if not {"okta.users.read", "okta.users.manage"} <= scopes:
            return self.oauth_error(400, "invalid_scope", "The requested scope "
                                    "is invalid, unknown, or malformed.")
        tok = "oat" + secrets.token_urlsafe(24)
        self.access_tokens[tok] = now + 3600
        return Reply(200, {"token_type": "Bearer", "expires_in": 3600,
                           "access_token": tok, "scope": f["scope"]})

    def route(self, req):
        if req.method == "POST" and req.path == "/oauth2/v1/token" and \
                self.client_id:
            return self.oauth_token(req)
        auth = req.headers.get("Authorization", "")
        bearer = auth[7:] if auth.startswith("Bearer ") else None
        if not (auth == f"SSWS {self.token}" or
                (bearer and self.access_tokens.get(bearer, 0) > time.time())):
            return self.error(401, "E0000011", "Invalid token provided")
        m = re.fullmatch(r"/api/v1/users/([^/]+)(/factors(?:/([^/]+))?"
                         r"(/resend|/lifecycle/activate|/verify)?)?", req.path)
        if not m:
            return self.error(404, "E0000007", "Not found: Resource not found: "
                              f"{req.path}")
        key, sub, fid, action = m.groups()
        uid = key if key in self.users else next(
            (i for i, u in self.users.items() if u["login"] == key), None)
        if uid is None:
            return self.error(404, "E0000007",
                              f"Not found: Resource not found: {key} (User)")
        u = self.users[uid]
        if sub is None and req.method == "GET":
            return Reply(200, {"id": uid, "status": "ACTIVE",
                               "profile": {"login": u["login"],
                                           "email": u["login"]}})
        if key != uid:  # factors are addressed by id, as documented
            return self.error(404, "E0000007", "Not found: Resource not "
                              f"found: {key} (User)")
        if sub is None and req.method == "POST":
            return self.update_user(uid, req)
        if fid is None and req.method == "GET":
            return Reply(200, list(u["factors"].values()))
        if fid == "questions" and req.method == "GET" and action is None:
            return Reply(200, self.questions)
        body = req.json() if req.method == "POST" else None
        if fid is None and req.method == "POST" and isinstance(body, dict) \
                and body.get("factorType") == "question":
            return self.enrol_question(u, body)
        if fid is None and req.method == "POST":
            ft = body.get("factorType") if isinstance(body, dict) else None
            prof = body.get("profile") if isinstance(body, dict) else None
            if ft not in CHANNEL or body.get("provider") != "OKTA" or \
                    not isinstance(prof, dict):
                return self.error(400, "E0000001", "Api validation failed: "
                                  "factorEnrollRequest")
            val = prof.get("email" if ft == "email" else "phoneNumber")
            if not isinstance(val, str) or val in self.refused_values or (
                    ft != "email" and not re.fullmatch(r"\+\d{8,15}", val)):
                return self.error(400, "E0000001", "Api validation failed: "
                                  "factorEnrollRequest", ["Invalid Phone Number."])
            if any(f["factorType"] == ft for f in u["factors"].values()):
                return self.error(400, "E0000001", "Api validation failed: "
                                  "factorEnrollRequest",
                                  ["A factor of this type is already set up."])
            if self.enrol_wait and \
                    time.time() - self.last_code.get(uid, 0) < self.enrol_wait:
                return self.error(429, "E0000109", "An SMS message was "
                                  "recently sent. Please wait 30 seconds "
                                  "before trying again.")
            f = self.factor(ft, val, "PENDING_ACTIVATION")
            u["factors"][f["id"]] = f
            self.send(f)
            self.last_code[uid] = time.time()
            return Reply(200, f)
        f = u["factors"].get(fid)
        if f is None:
            return self.error(404, "E0000007", "Not found: Resource not found: "
                              f"{fid} (UserFactor)")
        if req.method == "DELETE" and action is None:
            del u["factors"][fid]
            self.codes.pop(fid, None)
            return Reply(204)
        if action == "/resend" and req.method == "POST":
            if time.time() - self.codes.get(fid, ("", 0))[1] < self.resend_wait:
                return self.error(429, "E0000109", "An SMS message was recently "
                                  "sent. Please wait 30 seconds before trying "
                                  "again.")
            self.send(f)
            return Reply(200, f)
        if action == "/verify" and req.method == "POST":
            return self.verify(uid, f, body)
        if action == "/lifecycle/activate" and req.method == "POST":
            if f["status"] != "PENDING_ACTIVATION":
                return self.error(400, "E0000001", "Api validation failed")
            pc = body.get("passCode") if isinstance(body, dict) else None
            if not isinstance(pc, str) or pc != self.codes.get(fid, ("",))[0]:
                return self.error(403, "E0000068", "Invalid Passcode/Answer",
                                  ["Your passcode doesn't match our records. "
                                   "Please try again."])
            f["status"] = "ACTIVE"
            self.codes.pop(fid, None)
            return Reply(200, f)
        return self.error(405, "E0000022", "The endpoint does not support the "
                          "provided HTTP method")
