"""backend = graph against a fake Microsoft Graph + token endpoint."""
import json
import os
import time

from bhelp import (FAULT_LOG, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                   PAM_PERM_DENIED, PAM_SUCCESS, US, BackendCase, FaultTests,
                   MidRegistrationFaults, main, pki)
from fake_graph import FakeGraph

TENANT = "contoso.test"
CLIENT = "0b6f1d2c-1111-4222-8333-944455556666"
SECRET = "graph-secret~Q8x"


class Graph(BackendCase, FaultTests, MidRegistrationFaults):
    registered_user = "alice"
    status_prefix = "/v1.0/users/"
    shape_error = r"'value' is not an array"
    secrets = {"graph_client_secret": SECRET}

    def clone(self, cert):
        s = FakeGraph(pki(), TENANT, CLIENT, SECRET, cert=cert)
        s.add_user("alice@contoso.test")
        return s

    def setUp(self):
        self.svc = self.started(FakeGraph(pki(), TENANT, CLIENT, SECRET))
        self.svc.add_user("alice@contoso.test", {"mobile": "+1 2015550123"})
        self.svc.add_user("bob@contoso.test")
        self.make_env({"backend": "graph", "graph_tenant": TENANT,
                       "graph_client_id": CLIENT,
                       "graph_login_url": self.svc.url,
                       "graph_url": self.svc.url,
                       "directory_user": "%u@contoso.test",
                       "request_timeout": "5"}, self.secrets)

    def point_at(self, url):
        self.env.set(graph_login_url=url, graph_url=url)

    def drop_cache(self, user):
        os.unlink(os.path.join(self.env.cache, user))

    def token_file(self):
        return os.path.join(self.env.state, "graph-token.json")


    # -- the reset at the login prompt (PATCH /users/{id} passwordProfile) --

    def reset(self, *passwords):
        return self.env.run("alice", "wrong", "r", "", "@code", *passwords,
                            extra=("--auth",))

    def test_a_reset_patches_the_password_profile(self):
        self.reset_stack()
        code, out = self.reset("Tq7#vLm2!pZr9wKx", "Tq7#vLm2!pZr9wKx", "")
        self.assertResult(code, 7, out)  # PAM_AUTH_ERR: nobody logged in
        self.assertEqual(self.svc.passwords,
                         {"alice@contoso.test": "Tq7#vLm2!pZr9wKx"})
        self.assertIn("Your password was changed.", out)
        self.assertNotIn("Tq7#", self.env.log())

    def test_a_password_graph_finds_too_simple_is_asked_again(self):
        self.reset_stack()
        code, out = self.reset("simple", "simple", "Tq7#vLm2!pZr9wKx",
                               "Tq7#vLm2!pZr9wKx", "")
        self.assertResult(code, 7, out)
        self.assertIn("does not comply with password complexity", out)
        self.assertEqual(len(self.svc.passwords), 1)

    def test_a_privileged_or_federated_account_is_told_so_and_unchanged(self):
        self.reset_stack()
        for kind in ("privileged", "federated"):
            getattr(self.svc, kind).add("alice@contoso.test")
            code, out = self.reset("Tq7#vLm2!pZr9wKx", "Tq7#vLm2!pZr9wKx")
            self.assertResult(code, 7, out)
            self.assertIn("does not allow the password of this account to be "
                          "reset here", out)
            self.assertIn("contact the IT desk", out)
            self.assertEqual(self.svc.passwords, {})
            self.assertLogged(r"reset: user=alice .*outcome=failed.*does not "
                              r"reset this account")
            getattr(self.svc, kind).clear()

    def test_a_registered_login_costs_few_requests_and_then_none(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertEqual(self.svc.token_requests(), 1)
        self.assertEqual(self.svc.count("GET"), 1)
        st = os.stat(self.token_file())
        self.assertEqual((st.st_mode & 0o777, st.st_uid), (0o600, 65534))
        code, out = self.env.run("alice")  # cached: no request at all
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.count(), 2)
        self.drop_cache("alice")  # cold, token from the token cache
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 1)
        self.assertEqual(self.svc.count(), 3)

    def test_expired_token_is_refreshed_once(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.drop_cache("alice")
        self.svc.expire_tokens()  # Graph now answers 401 to the cached token
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 2)
        self.assertEqual(self.svc.count("GET"), 3)  # 200, 401, 200

    def test_token_is_renewed_before_it_expires(self):
        self.svc.token_lifetime = 4  # renewed 2 s before expiry
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        time.sleep(2.2)
        self.drop_cache("alice")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 2)
        self.assertEqual(self.svc.count("GET"), 2)  # no 401 on the way

    def test_a_wrong_client_secret_is_unavailable_and_not_logged(self):
        self.env.write_secrets({"graph_client_secret": "nope"})
        self.env.set(failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"graph token: POST /contoso\.test/oauth2/v2\.0/token: "
                          r"HTTP 401: invalid_client: AADSTS7000215")
        self.assertNotIn("nope", self.env.log())

    def test_unknown_user_is_not_applicable(self):
        code, out = self.env.run("zoe")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertLogged(r"user=zoe .*outcome=not-applicable.*"
                          r"user 'zoe@contoso.test' not found")

    def test_404_from_a_wrong_url_is_not_an_unknown_user(self):
        self.env.set(graph_url=self.svc.url + "/v1.0", failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"outcome=unavailable.*HTTP 40\d")

    def test_a_number_graph_refuses_ends_failed(self):
        """400 invalidPhoneNumber to the phoneMethods POST (after the code
        was verified): the number the user typed. Told, asked again, and
        after max_input_attempts the login is refused (PAM_PERM_DENIED
        under failmode=safe), never UNAVAILABLE."""
        self.svc.refused_values.add("+1 2015550123")
        self.env.set(failmode="safe")
        attempt = ["", US, "1", "@code"]
        code, out = self.env.run("bob", "1", *attempt, *attempt, *attempt)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(out.count("That number was refused"), 3,
                         out)
        self.assertEqual(self.svc.posted, [])
        self.assertLogged(r"user=bob .*outcome=failed.*refused.*"
                          r"invalidPhoneNumber")

    def test_a_full_registration_writes_the_phone_method(self):
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        self.assertEqual(self.svc.posted, [{"phoneNumber": "+1 2015550123",
                                            "phoneType": "mobile"}])
        self.assertEqual(len(self.env.outbox_lines()), 1)  # sent by the helper
        self.assertTrue(self.env.cached("bob"))

    def test_an_email_method_registers(self):
        self.env.set(methods="email")
        addr = "bob@example.org"
        code, out = self.env.run("bob", "1", addr, "1", f"@code:{addr}")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.posted, [{"emailAddress": addr}])
        self.assertEqual(self.env.outbox_lines()[0]["channel"], "email")

    def test_an_office_phone_registers_by_call(self):
        code, out = self.env.run("bob", "2", "GB", "020 7946 0000", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.posted, [{"phoneNumber": "+44 2079460000",
                                            "phoneType": "office"}])

    def test_wrong_code_writes_nothing(self):
        code, out = self.env.run("bob", "1", "", US, "1", "@wrongcode",
                                 "@wrongcode", "@wrongcode")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(self.svc.posted, [])
        self.assertEqual(self.svc.count("POST", "/authentication/"), 0)

    def test_write_refused_by_tenant_is_unavailable(self):
        self.svc.write_allowed = False
        self.env.set(failmode="secure")
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"HTTP 403: Authorization_RequestDenied.*"
                          r"UserAuthenticationMethod\.ReadWrite\.All")
        self.assertFalse(self.env.cached("bob"))

    def test_with_graph_write_no_the_enroll_url_is_shown(self):
        self.env.set(graph_write="no")
        code, out = self.env.run("bob")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("https://aka.ms/ssprsetup", out)
        self.assertNotIn("Choose a method", out)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)

    def test_questions_are_refused_by_configuration(self):
        self.env.set(methods="mobile, questions", failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"backend graph cannot store security questions "
                          r"\(Microsoft Graph has no API for them\)")

    def test_the_registration_report_decides_the_status(self):
        self.env.set(graph_status="report")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.count(
            "GET", "/reports/authenticationMethods/userRegistrationDetails"), 1)
        code, out = self.env.run("zoe")
        self.assertResult(code, PAM_IGNORE, out)
        code, out = self.env.run("bob")  # not registered, cannot prompt
        self.assertResult(code, PAM_PERM_DENIED, out)

    def test_paged_methods_are_all_read(self):
        self.svc.page_size = 1  # password method first, the phone on page 2
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.count("GET"), 2)

    def test_token_cache_file_is_private_and_keyed(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        with open(self.token_file()) as f:
            data = json.load(f)
        self.assertIn(CLIENT, data["for"])
        self.assertNotIn(SECRET, json.dumps(data))
        os.chmod(self.token_file(), 0o644)  # not trusted: fetched again
        self.drop_cache("alice")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 2)


# Faults mid-registration: bob has no method (the lookup succeeds), the
# helper sends and checks the code, then Graph fails at the write.
WRITE = ("POST", r"/v1\.0/users/bob@contoso\.test/authentication/phoneMethods")
BEFORE = ("GET", r"/v1\.0/users/bob@contoso\.test/authentication/methods")


def _mid_case(kind, failmode):
    def test(self):
        self.mid_fault(kind, "bob", ("1", "", US, "1", "@code"), WRITE,
                       "saving failed: graph: .*" + FAULT_LOG[kind],
                       failmode=failmode, before=BEFORE)
        self.assertEqual(self.svc.posted, [])
        self.assertEqual(self.svc.users["bob@contoso.test"]["phones"], {})
        self.assertEqual(len(self.env.outbox_lines()), 1)  # verified first
    return test


for _i, _kind in enumerate(FAULT_LOG):
    setattr(Graph, f"test_mid_write_{_kind}",
            _mid_case(_kind, ("secure", "safe")[_i % 2]))


if __name__ == "__main__":
    main()
