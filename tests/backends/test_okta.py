"""backend = okta against a fake of the Okta Users and Factors API. This
file is long because one fake serves Okta's whole life cycle here: status,
enrolment, security questions, the OAuth service app and the reset."""
import json
import os
import subprocess

import itertools

from bhelp import (FAULT_LOG, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                   PAM_PERM_DENIED, PAM_SUCCESS, US, US_E164, BackendCase,
                   FaultTests, MidRegistrationFaults, main, pki)
from fake_okta import FakeOkta

TOKEN = "00okta-ssws-token"
NEW_PW = "Tq7#vLm2!pZr9wKx"


class Okta(BackendCase, FaultTests, MidRegistrationFaults):
    registered_user = "alice"
    status_prefix = "/api/v1/users/"
    shape_error = r"'id' is not a string"
    secrets = {"okta_api_token": TOKEN}

    def clone(self, cert):
        s = FakeOkta(pki(), TOKEN, cert=cert)
        s.add_user("alice@example.test")
        return s

    def setUp(self):
        self.svc = self.started(FakeOkta(pki(), TOKEN))
        self.alice = self.svc.add_user("alice@example.test",
                                       [("sms", US_E164, "ACTIVE")])
        self.bob = self.svc.add_user("bob@example.test")
        self.make_env({"backend": "okta", "okta_url": self.svc.url,
                       "directory_user": "%u@example.test",
                       "request_timeout": "5"}, self.secrets)
        self.svc.outbox = self.env.outbox = os.path.join(self.env.root,
                                                         "outbox.jsonl")

    def point_at(self, url):
        self.env.set(okta_url=url)

    def bob_factors(self):
        return sorted((f["factorType"], f["status"])
                      for f in self.svc.users[self.bob]["factors"].values())

    # -- the reset at the login prompt: Okta's verify API proves the enrolled
    # factor, a partial user update sets credentials.password --

    def reset(self, *answers, code="@code"):
        self.reset_stack()
        return self.env.run("alice", "wrong", "r", "", code, *answers,
                            extra=("--auth",))

    def test_a_reset_proves_the_enrolled_phone_and_sets_the_password_once_over_tls(self):
        code, out = self.reset(NEW_PW, NEW_PW, "")
        self.assertResult(code, 7, out)  # PAM_AUTH_ERR: nobody logged in
        self.assertIn("Your password was changed.", out)
        self.assertEqual(self.svc.passwords, {self.alice: [NEW_PW]})
        self.assertEqual(self.svc.password_requests, [
            {"tls": self.svc.password_requests[0]["tls"],
             "content_type": "application/json", "in_path": False,
             "in_headers": False, "in_body": 1}])
        self.assertRegex(self.svc.password_requests[0]["tls"] or "",
                         r"^TLSv1\.[23]$")
        # Okta sent the code to the enrolled factor; nothing was enrolled.
        self.assertEqual(self.svc.count("POST", "/verify"), 2)
        self.assertEqual(self.svc.count("POST", "/lifecycle/activate"), 0)
        self.assertEqual(sorted(f["status"] for f in self.svc.factors_of(
            "alice@example.test")), ["ACTIVE"])
        # The notice goes out through the helper's own delivery.
        with open(os.path.join(self.env.state, "outbox.jsonl")) as f:
            notices = [json.loads(l)["text"] for l in f
                       if "was reset at" in l]
        self.assertEqual(len(notices), 1)
        self.assertLogged(r"reset: user=alice .*outcome=password-reset.*"
                          r"proving mobile")
        self.assertNotIn(NEW_PW, self.env.log())

    def test_a_reset_can_be_proved_by_an_enrolled_email_factor(self):
        addr = "carol@example.org"
        carol = self.svc.add_user("carol@example.test",
                                  [("email", addr, "ACTIVE")])
        self.reset_stack()
        code, out = self.env.run("carol", "wrong", "r", "", f"@code:{addr}",
                                 NEW_PW, NEW_PW, "", extra=("--auth",))
        self.assertResult(code, 7, out)
        self.assertIn("Your password was changed.", out)
        self.assertEqual(self.svc.passwords, {carol: [NEW_PW]})
        self.assertEqual(self.svc.count("POST", "/verify"), 2)

    def test_a_password_okta_policy_refuses_is_shown_and_asked_again(self):
        code, out = self.reset("short1A", "short1A", NEW_PW, NEW_PW, "")
        self.assertResult(code, 7, out)
        self.assertIn("Password requirements were not met. Password "
                      "requirements: at least 8 characters.", out)
        self.assertIn("This password was refused. Please choose another.", out)
        self.assertEqual(self.svc.passwords, {self.alice: [NEW_PW]})
        self.assertEqual(len(self.svc.password_requests), 2)
        self.assertNotIn("short1A", self.env.log())
        self.assertNotIn(NEW_PW, self.env.log())

    def test_a_500_at_the_password_changes_nothing_and_the_person_is_told(self):
        self.svc.fault("500", method="POST", path=r"/api/v1/users/[^/]+")
        code, out = self.reset(NEW_PW, NEW_PW)
        self.assertResult(code, 7, out)
        self.assertIn("could not be changed and is unchanged", out)
        self.assertIn("contact the IT desk", out)
        self.assertEqual(self.svc.passwords, {})
        sets = [p for m, p in self.svc.requests
                if m == "POST" and p == "/api/v1/users/" + self.alice]
        self.assertEqual(len(sets), 1)  # a POST is never sent twice
        self.assertLogged(r"reset: user=alice .*outcome=unavailable.*HTTP 500")

    def test_a_token_that_may_not_set_passwords_is_told_and_the_log_names_the_role(self):
        self.svc.may_set_passwords = False
        code, out = self.reset(NEW_PW, NEW_PW)
        self.assertResult(code, 7, out)
        self.assertIn("could not be changed and is unchanged", out)
        self.assertEqual(self.svc.passwords, {})
        self.assertLogged(r"reset: user=alice .*outcome=unavailable.*HTTP 403: "
                          r"E0000006.*administrator role.*okta\.users\.manage")

    def test_a_wrong_code_at_the_reset_is_a_failed_proof_logged_without_it(self):
        self.reset_stack()
        code, out = self.env.run("alice", "wrong", "r", "", "@wrongcode",
                                 "@code", NEW_PW, NEW_PW, "",
                                 extra=("--auth",))
        self.assertResult(code, 7, out)
        self.assertIn("2 attempts left", out)
        self.assertEqual(self.svc.passwords, {self.alice: [NEW_PW]})
        self.assertLogged(r"reset: user=alice .*failed proof: wrong code for "
                          r"mobile \+1 .*\(2 attempts left\)")
        sent = self.env.newest_code(US_E164)
        self.assertIsNotNone(sent)
        self.assertNotIn(sent[1:], self.env.log())

    def test_an_unregistered_user_is_offered_no_reset(self):
        self.reset_stack()
        code, out = self.env.run("bob", "wrong", extra=("--auth",))
        self.assertResult(code, 7, out)
        self.assertNotIn("Forgot", out)
        self.assertEqual(self.svc.count("POST"), 0)

    def test_a_registered_login_costs_few_requests_and_then_none(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertEqual(self.svc.count(), 2)  # user id, then factors
        code, out = self.env.run("alice")
        self.assertEqual(self.svc.count(), 2)  # cached
        os.unlink(os.path.join(self.env.cache, "alice"))
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.count(), 3)  # id known: factors only

    def test_unknown_user_is_not_applicable(self):
        code, out = self.env.run("zoe")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertLogged(r"user=zoe .*outcome=not-applicable.*"
                          r"user 'zoe@example.test' not found")

    def test_a_full_registration_has_okta_send_the_code(self):
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        self.assertEqual(self.bob_factors(), [("sms", "ACTIVE")])
        self.assertEqual(self.svc.count("POST", "/lifecycle/activate"), 1)

    def test_a_number_okta_refuses_ends_failed(self):
        """400 E0000001 "Invalid Phone Number." to the factor enrolment:
        the number the user typed. Told, asked again, and after
        max_input_attempts the login is refused (PAM_PERM_DENIED under
        failmode=safe), never UNAVAILABLE."""
        self.svc.refused_values.add(US_E164)
        self.env.set(failmode="safe")
        attempt = ["", US, "1"]
        code, out = self.env.run("bob", "1", *attempt, *attempt, *attempt)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(out.count("That number was refused"), 3,
                         out)
        self.assertEqual(self.bob_factors(), [])
        self.assertLogged(r"user=bob .*outcome=failed.*refused.*HTTP 400")

    def test_office_phone_is_a_call_factor(self):
        code, out = self.env.run("bob", "2", "GB", "020 7946 0000", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.bob_factors(), [("call", "ACTIVE")])

    def test_an_email_factor_registers(self):
        self.env.set(methods="email")
        addr = "bob@example.org"
        code, out = self.env.run("bob", "1", addr, "1", f"@code:{addr}")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.bob_factors(), [("email", "ACTIVE")])

    def test_wrong_code_denies_and_removes_the_enrolment(self):
        code, out = self.env.run("bob", "1", "", US, "1", "@wrongcode",
                                 "@wrongcode", "@wrongcode")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("2 attempts left", out)
        self.assertEqual(self.bob_factors(), [])

    def test_quitting_removes_the_pending_factor(self):
        code, out = self.env.run("bob", "1", "", US, "1", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(self.bob_factors(), [])
        self.assertEqual(self.svc.count("DELETE"), 1)

    def test_pending_factor_from_an_earlier_login_is_replaced(self):
        f = self.svc.factor("sms", "+12015550199", "PENDING_ACTIVATION")
        self.svc.users[self.bob]["factors"][f["id"]] = f
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.bob_factors(), [("sms", "ACTIVE")])

    def test_resend_asks_okta_for_a_new_code(self):
        self.svc.resend_wait = 0
        code, out = self.env.run("bob", "1", "", US, "1", "r", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.count("POST", "/resend"), 1)
        self.assertEqual(len(self.env.outbox_lines()), 2)

    def test_resend_too_soon_is_a_cooldown(self):
        code, out = self.env.run("bob", "1", "", US, "1", "r", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Please wait", out)
        self.assertEqual(len(self.env.outbox_lines()), 1)

    # Issue 11 item 4: a cool-down (E0000109) on a new number stays at the
    # number prompt; the code sent to the first number stores nothing.
    def test_cooldown_on_a_new_number_stays_at_the_number_prompt(self):
        self.svc.enrol_wait = 60
        code, out = self.env.run("bob", "1", "", US, "1",
                                 "b", "b", "", "201-555-0199", "1",
                                 "@code", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Please wait", out)
        after = out.split("Please wait", 1)[1]
        self.assertIn("Phone number (US)", after.split("ANSWER:", 1)[0])
        self.assertNotIn("Enter the code", after)
        self.assertEqual([f for f in self.bob_factors() if f[1] == "ACTIVE"],
                         [])

    def test_fault_during_activation_leaves_nothing(self):
        self.svc.fault("500", "/api/v1/users/" + self.bob + "/factors/",
                       times=1)
        self.env.set(failmode="secure")
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"code check failed: okta: POST /api/v1/users/\w+/"
                          r"factors/\w+/lifecycle/activate: HTTP 500: E0000009")
        self.assertIn("not available right now", out)
        self.assertEqual(self.bob_factors(), [])
        self.assertFalse(self.env.cached("bob"))

    def test_a_security_question_from_the_okta_catalogue_registers(self):
        self.env.set(methods="questions, mobile", questions_required=3)
        code, out = self.env.run("bob", "1",      # security questions
                                 "2",             # Okta's 2nd question
                                 "abc",           # too short for Okta
                                 "  Mr Fluffy ",  # accepted
                                 "n", "")
        self.assertResult(code, PAM_SUCCESS, out)
        # Okta's catalogue, one question (questions_required does not apply)
        self.assertIn("1) Security questions (answer one question)", out)
        self.assertIn("Security question 1 of 1", out)
        self.assertIn("2) What is the name of your first stuffed animal?", out)
        self.assertNotIn("first pet", out)  # not the built-in list
        self.assertIn("What is the name of your first stuffed animal?\n"
                      "Your answer (not shown): ", out)
        # The refusal, in Okta's words, and the question again.
        self.assertIn("did not accept this answer (Invalid Profile. The "
                      "security question answer must be at least 4 "
                      "characters in length)", out)
        self.assertIn("Thanks! Your answer to 1 security question is saved", out)
        self.assertEqual(self.bob_factors(), [("question", "ACTIVE")])
        self.assertEqual(list(self.svc.answers.values()), ["Mr Fluffy"])
        self.assertEqual(self.svc.count("GET", "/factors/questions"), 1)
        self.assertEqual(self.svc.count("POST", "/factors"), 2)
        self.assertTrue(self.env.cached("bob"))
        log = self.env.log()
        self.assertNotIn("Fluffy", log)
        self.assertNotIn("abc", log)
        # Registered now: an ACTIVE question factor counts.
        os.unlink(os.path.join(self.env.cache, "bob"))
        code, out = self.env.run("bob")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_sshd_password_login_never_answers_the_okta_question(self):
        # sshd's conversation for a password login without
        # keyboard-interactive: hidden prompts get the login password,
        # visible ones fail (pam_driver --sshd-password). The question's
        # answer is a hidden prompt behind a visible menu: never reached.
        password = "Correct-Horse-Battery-9"
        self.env.set(methods="questions")
        code, out = self.env.run("bob", extra=["--sshd-password", password])
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("PROMPT REFUSED", out)
        self.assertNotIn("PASSWORD GIVEN", out)
        self.assertIn("cannot ask questions", out)
        self.assertEqual(self.svc.answers, {})
        self.assertEqual(self.bob_factors(), [])
        self.assertEqual(self.svc.count("POST", "/factors"), 0)
        self.assertNotIn(password, self.env.log())

    def test_security_question_refused_too_often_fails(self):
        self.env.set(methods="questions")
        code, out = self.env.run("bob", "1", "1", "ab", "no", "x")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(self.bob_factors(), [])
        self.assertNotIn("PROMPT: Your answer", out.split("ANSWER: x")[-1])

    def test_a_fault_reading_the_question_catalogue_is_unavailable(self):
        self.env.set(methods="questions", failmode="secure")
        self.svc.fault("500", method="GET", path=r".*/factors/questions")
        code, out = self.env.run("bob", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("not available right now", out)
        self.assertLogged(r"outcome=unavailable.*security questions: okta: GET "
                          r"/api/v1/users/\w+/factors/questions: HTTP 500")

    def test_a_fault_enrolling_the_question_is_unavailable_and_saves_nothing(self):
        self.env.set(methods="questions", failmode="secure")
        self.svc.fault("500", method="POST", path=r"/api/v1/users/\w+/factors")
        code, out = self.env.run("bob", "1", "1", "Brussels sprouts")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"outcome=unavailable.*saving failed: okta: POST "
                          r"/api/v1/users/\w+/factors: HTTP 500")
        self.assertNotIn("sprouts", self.env.log())
        self.assertEqual(self.bob_factors(), [])

    def test_a_bad_token_gets_the_failmode_and_is_logged(self):
        self.env.write_secrets({"okta_api_token": "wrong"})
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertLogged(r"HTTP 401: E0000011: Invalid token provided")

    def test_stale_user_id_is_looked_up_again(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        with open(os.path.join(self.env.state, "okta-ids", "alice"), "w") as f:
            f.write("00ugone0000000000000")
        os.unlink(os.path.join(self.env.cache, "alice"))
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)


# Faults mid-registration: bob has no factor (the lookup succeeds), then
# Okta fails at enrolment (which sends the code) or at activation. Per step:
# the failing request, the last request that succeeds before it, the
# answers, the log's prefix.
SEND = ("1", "", US, "1")
OKTA_STEPS = {
    "enrol": (("POST", r"/api/v1/users/\w+/factors"),
              ("GET", r"/api/v1/users/\w+/factors"), SEND,
              "code delivery failed: okta: "),
    "activate": (("POST", r"/api/v1/users/\w+/factors/\w+/lifecycle/activate"),
                 ("POST", r"/api/v1/users/\w+/factors"), SEND + ("@code",),
                 "code check failed: okta: "),
}


def _mid_case(step, kind, failmode):
    def test(self):
        req, before, answers, prefix = OKTA_STEPS[step]
        self.mid_fault(kind, "bob", answers, req, prefix + ".*" +
                       FAULT_LOG[kind], failmode=failmode, before=before)
        if kind == "down" and step == "activate":
            # Okta went away before the enrolment could be deleted: it stays
            # PENDING_ACTIVATION, which counts for nothing and is replaced
            # at the next registration.
            self.assertEqual(self.bob_factors(), [("sms", "PENDING_ACTIVATION")])
        else:
            self.assertEqual(self.bob_factors(), [])  # cleaned up
    return test


for _i, (_step, _kind) in enumerate(itertools.product(OKTA_STEPS, FAULT_LOG)):
    setattr(Okta, f"test_mid_{_step}_{_kind}",
            _mid_case(_step, _kind, ("secure", "safe")[_i % 2]))


class OktaServiceApp(BackendCase):
    """backend = okta as an OAuth 2.0 service app (private_key_jwt)."""

    def keypair(self, name):
        key = os.path.join(self.env.root, name + ".pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", key], check=True,
                        capture_output=True)
        pub = os.path.join(self.env.root, name + ".pub")
        subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)
        return key, pub

    def setUp(self):
        self.svc = self.started(FakeOkta(pki(), TOKEN))
        self.svc.add_user("alice@example.test", [("sms", US_E164, "ACTIVE")])
        self.svc.client_id = "0oa1serviceapp"
        self.svc.token = "ssws-not-used-here"
        self.make_env({"backend": "okta", "okta_url": self.svc.url,
                       "directory_user": "%u@example.test",
                       "okta_client_id": "0oa1serviceapp",
                       "request_timeout": "5"}, {})
        self.key, self.svc.public_key = self.keypair("app")
        self.env.write_secrets({"okta_private_key_file": self.key})

    def test_the_token_is_fetched_once_then_cached(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 1)
        st = os.stat(os.path.join(self.env.state, "okta-token.json"))
        self.assertEqual((st.st_mode & 0o777, st.st_uid), (0o600, 65534))
        os.unlink(os.path.join(self.env.cache, "alice"))
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 1)
        self.svc.access_tokens = {}  # revoked: a 401, then a new token
        os.unlink(os.path.join(self.env.cache, "alice"))
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.svc.token_requests(), 2)

    def test_a_key_okta_does_not_know_is_unavailable(self):
        other, _ = self.keypair("other")
        self.env.write_secrets({"okta_private_key_file": other})
        self.env.set(failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"okta token: POST /oauth2/v1/token: HTTP 401: "
                          r"invalid_client")

    def test_key_file_must_be_private_and_a_key(self):
        os.chmod(self.key, 0o644)
        self.env.set(failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"app\.pem must be a regular file owned by root "
                          r"with mode 0600")
        with open(self.key, "w") as f:
            f.write("not a key\n")
        os.chmod(self.key, 0o600)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertLogged(r"does not hold an RSA private key")


if __name__ == "__main__":
    main()
