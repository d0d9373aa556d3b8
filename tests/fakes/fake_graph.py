"""Microsoft identity platform token endpoint + Microsoft Graph v1.0
authentication-methods API, as documented (paths, bodies, error format
{"error":{"code","message","innerError"}}, Retry-After on 429)."""
import re
import secrets
import time
import urllib.parse
import uuid

from server import FakeService, Reply

PHONE_IDS = {"mobile": "3179e48a-750b-4051-897c-87b9720928f7",
             "alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
             "office": "e37fc753-ff3b-4958-9484-eaa9425c82bc"}
REPORT_NAMES = {"mobile": "mobilePhone", "alternateMobile": "alternateMobilePhone",
                "office": "officePhone"}


class FakeGraph(FakeService):

    def __init__(self, pki, tenant, client_id, client_secret, cert="good"):
        super().__init__(pki, cert)
        self.tenant, self.client_id = tenant, client_id
        self.passwords = {}        # upn -> the password a reset set
        self.privileged = set()    # upns Graph refuses (admin roles): 403
        self.federated = set()     # upns whose password lives elsewhere
        self.client_secret = client_secret
        self.token_lifetime = 3599
        self.tokens = {}          # access token -> expiry (time.time())
        self.users = {}           # upn -> {"phones": {type: number}, "emails": []}
        self.write_allowed = True
        self.page_size = 0        # >0: page the methods list
        self.posted = []          # bodies of accepted POSTs
        self.refused_values = set()  # phoneNumbers Graph calls invalid

    # -- helpers --------------------------------------------------------------
    def error(self, status, code, message):
        return Reply(status, {"error": {
            "code": code, "message": message,
            "innerError": {"date": time.strftime("%Y-%m-%dT%H:%M:%S"),
                           "request-id": str(uuid.uuid4()),
                           "client-request-id": str(uuid.uuid4())}}})

    def expire_tokens(self):
        self.tokens = {}

    def token_requests(self):
        return self.count("POST", "/oauth2/v2.0/token")

    def add_user(self, upn, phones=None, emails=None):
        self.users[upn] = {"phones": dict(phones or {}),
                           "emails": list(emails or [])}

    def methods(self, upn):
        u = self.users[upn]
        out = [{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
                "id": "28c10230-6103-485e-b985-444c60001490",
                "password": None, "createdDateTime": "2024-01-01T00:00:00Z"}]
        for t, n in u["phones"].items():
            out.append({"@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                        "id": PHONE_IDS[t], "phoneNumber": n, "phoneType": t,
                        "smsSignInState": "notAllowedByPolicy"})
        for e in u["emails"]:
            out.append({"@odata.type": "#microsoft.graph.emailAuthenticationMethod",
                        "id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
                        "emailAddress": e})
        return out

    # -- PATCH /users/{id}: passwordProfile (the reset at the login prompt) ------
    def patch_user(self, upn, body):
        if upn not in self.users:
            return self.error(404, "Request_ResourceNotFound",
                              f"Resource '{upn}' does not exist.")
        profile = body.get("passwordProfile") if isinstance(body, dict) else None
        if not isinstance(profile, dict) or \
                not isinstance(profile.get("password"), str):
            return self.error(400, "Request_BadRequest", "Invalid request.")
        if upn in self.privileged:  # Graph's rule for admin roles
            return self.error(403, "Authorization_RequestDenied",
                              "Insufficient privileges to complete the "
                              "operation.")
        if upn in self.federated:
            return self.error(400, "Request_BadRequest",
                              "Password cannot be changed for a federated "
                              "user; change it in the on-premises directory.")
        pw = profile["password"]
        if len(pw) < 8 or pw.isalpha():
            return self.error(400, "Request_BadRequest",
                              "The specified password does not comply with "
                              "password complexity requirements. Please "
                              "provide a different password.")
        self.passwords[upn] = pw
        return Reply(204, b"")

    # -- routes -----------------------------------------------------------------
    def token(self, req):
        form = urllib.parse.parse_qs(req.body.decode())
        f = {k: v[0] for k, v in form.items()}
        if req.path != f"/{self.tenant}/oauth2/v2.0/token":
            return Reply(400, {"error": "invalid_tenant", "error_description":
                               "AADSTS90002: Tenant not found."})
        if f.get("grant_type") != "client_credentials" or \
                f.get("scope") != self.url + "/.default":
            return Reply(400, {"error": "invalid_request", "error_description":
                               "AADSTS900144: The request body must contain "
                               "the following parameter: 'scope'."})
        if f.get("client_id") != self.client_id or \
                f.get("client_secret") != self.client_secret:
            return Reply(401, {"error": "invalid_client", "error_description":
                               "AADSTS7000215: Invalid client secret provided.",
                               "error_codes": [7000215]})
        tok = "eyJ0eXAi." + secrets.token_urlsafe(24)
        self.tokens[tok] = time.time() + self.token_lifetime
        return Reply(200, {"token_type": "Bearer",
                           "expires_in": self.token_lifetime,
                           "ext_expires_in": self.token_lifetime,
                           "access_token": tok})

    def route(self, req):
        if req.method == "POST" and req.path.endswith("/oauth2/v2.0/token"):
            return self.token(req)
        auth = req.headers.get("Authorization", "")
        tok = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if self.tokens.get(tok, 0) <= time.time():
            return self.error(401, "InvalidAuthenticationToken",
                              "Access token has expired or is not yet valid.")
        if req.path == "/v1.0/reports/authenticationMethods/userRegistrationDetails":
            flt = req.query.get("$filter", [""])[0]
            m = re.fullmatch(r"userPrincipalName eq '((?:[^']|'')*)'", flt)
            if not m:
                return self.error(400, "BadRequest", "Invalid filter clause")
            upn = m.group(1).replace("''", "'")
            if upn not in self.users:
                return Reply(200, {"value": []})
            u = self.users[upn]
            regs = [REPORT_NAMES[t] for t in u["phones"]] + \
                ["email"] * bool(u["emails"])
            return Reply(200, {"value": [{
                "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, upn)),
                "userPrincipalName": upn, "isAdmin": False,
                "isSsprRegistered": bool(regs), "isSsprEnabled": True,
                "isSsprCapable": bool(regs), "isMfaRegistered": bool(regs),
                "methodsRegistered": regs}]})
        m = re.fullmatch(r"/v1.0/users/([^/]+)", req.path)
        if m and req.method == "PATCH":
            return self.patch_user(m.group(1), req.json())
        m = re.fullmatch(r"/v1.0/users/([^/]+)/authentication/"
                         r"(methods|phoneMethods|emailMethods)", req.path)
        if not m:
            return self.error(400, "BadRequest", "Resource not found for the "
                              "segment.")
        upn, coll = m.group(1), m.group(2)
        if upn not in self.users:
            return self.error(404, "Request_ResourceNotFound",
                              f"Resource '{upn}' does not exist or one of its "
                              "queried reference-property objects are not "
                              "present.")
        if req.method == "GET" and coll == "methods":
            items = self.methods(upn)
            if self.page_size:
                skip = int(req.query.get("$skiptoken", ["0"])[0])
                page = items[skip:skip + self.page_size]
                body = {"value": page}
                if skip + self.page_size < len(items):
                    body["@odata.nextLink"] = (
                        f"{self.url}{req.raw_path}?$skiptoken="
                        f"{skip + self.page_size}")
                return Reply(200, body)
            return Reply(200, {"@odata.context": f"{self.url}/v1.0/$metadata#"
                               "users('x')/authentication/methods",
                               "value": items})
        if req.method != "POST" or coll == "methods":
            return self.error(405, "Request_BadRequest", "Method not allowed.")
        if not self.write_allowed:
            return self.error(403, "Authorization_RequestDenied",
                              "Insufficient privileges to complete the "
                              "operation.")
        body = req.json()
        u = self.users[upn]
        if coll == "phoneMethods":
            if not isinstance(body, dict) or \
                    not isinstance(body.get("phoneNumber"), str) or \
                    not re.fullmatch(r"\+\d{1,3} \d{4,14}(x\d+)?",
                                     body["phoneNumber"]) or \
                    body.get("phoneType") not in PHONE_IDS or \
                    body["phoneNumber"] in self.refused_values:
                return self.error(400, "invalidPhoneNumber",
                                  "Phone number or type is invalid.")
            t = body["phoneType"]
            if t in u["phones"]:
                return self.error(400, "phoneMethodAlreadyExists",
                                  "A phone method of this type exists.")
            u["phones"][t] = body["phoneNumber"]
            self.posted.append(body)
            return Reply(201, {"id": PHONE_IDS[t], "phoneNumber":
                               body["phoneNumber"], "phoneType": t,
                               "smsSignInState": "notAllowedByPolicy"})
        if not isinstance(body, dict) or \
                not isinstance(body.get("emailAddress"), str):
            return self.error(400, "invalidEmail", "Invalid email address.")
        u["emails"] = [body["emailAddress"]]
        self.posted.append(body)
        return Reply(201, {"id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
                           "emailAddress": body["emailAddress"]})
