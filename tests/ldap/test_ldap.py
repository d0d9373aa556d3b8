"""backend = ldap against a real slapd (tests/ldap/slapd_env.py), through
real libpam, module and helper (with its seccomp filter)."""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "backends"))

from bhelp import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_PERM_DENIED,  # noqa
                   PAM_SUCCESS, US, US_E164, BackendCase, main)
import slapd_env  # noqa: E402
from slapd_env import PEOPLE, SERVICE_DN, SERVICE_PW, Slapd, Stall  # noqa

REGISTER_MOBILE = ("1", "", US, "1", "@code", "n")


class LdapCase(BackendCase):
    cert = "good"
    registered_user = "ldapreg"
    failmode_seconds = 10.0
    unlogged_secrets = (SERVICE_PW,)

    @classmethod
    def setUpClass(cls):
        why = slapd_env.unavailable_reason()
        if why:
            print(f"skip: {why}")
            sys.exit(77)
        cls.slapd = Slapd(cert=cls.cert).start()

    @classmethod
    def tearDownClass(cls):
        cls.slapd.cleanup()

    def setUp(self):
        if self.slapd.proc is None:
            self.slapd.start()
        for u in slapd_env.USERS:
            self.slapd.reset(u)
        self.make_env({"backend": "ldap", "ldap_uri": self.slapd.uri,
                       "ldap_base": PEOPLE, "ldap_bind_dn": SERVICE_DN,
                       "request_timeout": "3", "ldap_connect_timeout": "2",
                       "helper_timeout": "10"},
                      {"ldap_bind_password": SERVICE_PW})

    def admin(self, *args, env=None):
        admin = os.environ.get("SSPR_ADMIN", "")
        if not admin:
            self.skipTest("SSPR_ADMIN not set")
        p = subprocess.run([admin, "--conf", self.env.conf_path, *args],
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL,
                           env=dict(self.env.command_env(), **(env or {})))
        self.assertNotIn("2015550123", p.stdout + p.stderr)  # masked
        return p.returncode, p.stdout, p.stderr

    def log_mark(self):
        return len(self.slapd.log_text())

    def slapd_since(self, mark):
        return self.slapd.log_text()[mark:]


class Ldap(LdapCase):
    def test_a_registered_user_costs_one_bind_and_one_search(self):
        mark = self.log_mark()
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertTrue(self.env.cached("ldapreg"))
        got = self.slapd_since(mark)
        self.assertEqual(len(re.findall(r" ACCEPT from", got)), 1, got)
        self.assertEqual(len(re.findall(r" BIND dn=.* method=", got)), 1, got)
        self.assertEqual(len(re.findall(r" SRCH base=", got)), 1, got)
        self.assertEqual(len(re.findall(r" STARTTLS", got)), 1, got)
        mark = self.log_mark()
        code, out = self.env.run("ldapreg")  # cached: no request at all
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn(" ACCEPT from", self.slapd_since(mark))

    def test_ldaps_works_as_well_as_starttls(self):
        self.env.set(ldap_uri=self.slapd.ldaps_uri)
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)

    def test_registration_writes_the_mobile_in_e164_and_nothing_else(self):
        before = self.slapd.attrs("ldapunreg")
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        after = self.slapd.attrs("ldapunreg")
        self.assertEqual(after.pop("mobile"), [US_E164])
        self.assertEqual(after, before)
        self.assertEqual(len(self.env.outbox_lines()), 1)  # sent by the helper
        self.assertTrue(self.env.cached("ldapunreg"))
        os.unlink(os.path.join(self.env.cache, "ldapunreg"))
        code, out = self.env.run("ldapunreg")  # the directory knows it now
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_an_email_is_written_with_its_domain_lower_cased(self):
        self.env.set(methods="email")
        addr = "Who.Ever@Example.ORG"
        code, out = self.env.run("ldapwho", "1", addr, "1",
                                 "@code:Who.Ever@example.org")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.slapd.attrs("ldapwho", "mail")["mail"],
                         ["Who.Ever@example.org"])

    def test_a_wrong_code_writes_nothing(self):
        code, out = self.env.run("ldapunreg", "1", "", US, "1", "@wrongcode",
                                 "@wrongcode", "@wrongcode")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("mobile", self.slapd.attrs("ldapunreg"))

    def test_an_unknown_user_is_not_applicable(self):
        code, out = self.env.run("nosuchperson")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertRegex(self.env.last_log(),
                         r"user=nosuchperson .*outcome=not-applicable.*"
                         r"no entry under ou=people")

    def test_a_malformed_mobile_never_counts_and_is_replaced(self):
        code, out = self.env.run("ldapbadmob", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)  # asked to register: it did not count
        self.assertEqual(self.slapd.attrs("ldapbadmob", "mobile")["mobile"],
                         [US_E164])

    def test_the_user_name_is_escaped_in_the_filter(self):
        for name, want in (("x)(uid=*", r"(uid=x\29\28uid=\2A)"),
                           ("ldapreg*", r"(uid=ldapreg\2A)")):
            mark = self.log_mark()
            code, out = self.env.run(name)
            self.assertResult(code, PAM_IGNORE, out)  # nobody: not widened
            got = self.slapd_since(mark)
            filt = re.findall(r'SRCH attr=|filter="([^"]*)"', got)
            self.assertIn("(&(objectClass=inetOrgPerson)" + want + ")",
                          filt, got)

    def test_failover_past_a_dead_first_uri(self):
        dead = f"ldap://127.0.0.1:{slapd_env.free_port()}"
        self.env.set(ldap_uri=f"{dead} {self.slapd.uri}", failmode="secure")
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)

    def test_an_acl_refusal_says_unavailable_and_logs_attribute_and_dn(self):
        # homePhone: the service account may read it, not write it
        self.env.set(ldap_attr_mobile="homePhone", failmode="secure")
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("not available right now", out)
        self.assertRegex(self.env.last_log(),
                         r"outcome=unavailable.*no right to write homePhone "
                         r"of uid=ldapunreg,ou=people,dc=example,dc=test "
                         r"\(insufficientAccessRights\)")
        self.assertNotIn("homePhone", self.slapd.attrs("ldapunreg"))
        self.assertFalse(self.env.cached("ldapunreg"))

    def test_with_a_verified_marker_an_imported_number_does_not_count(self):
        self.env.set(ldap_attr_verified="ssprVerified")
        code, out = self.env.run("ldapver")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        # HR's number, never proved: registration is asked for
        code, out = self.env.run("ldaphr", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        got = self.slapd.attrs("ldaphr", "mobile", "ssprVerified",
                               "objectClass")
        self.assertEqual(got["mobile"], [US_E164])
        self.assertIn("ssprPerson", got["objectClass"])
        self.assertEqual(len(got["ssprVerified"]), 1)
        self.assertRegex(got["ssprVerified"][0],
                         r"^mobile \d{10} " + re.escape(US_E164) + "$")

    def test_sspr_admin_check_asks_the_directory(self):
        admin = os.environ.get("SSPR_ADMIN", "")
        if not admin:
            self.skipTest("SSPR_ADMIN not set")
        got = {}
        for user in ("ldapreg", "ldapunreg"):
            self.env.ensure_person(user)
            p = subprocess.run([admin, "--conf", self.env.conf_path, "check",
                                user, "--json"], capture_output=True,
                               text=True, timeout=60,
                               env=self.env.command_env())
            self.assertEqual(p.stderr, "")
            got[user] = (p.returncode, json.loads(p.stdout)["backend"]["state"])
            self.assertNotIn("2015550123", p.stdout)  # masked
        self.assertEqual(got, {"ldapreg": (0, "registered"),
                               "ldapunreg": (1, "unregistered")})

    def test_sasl_external_binds_with_the_client_certificate(self):
        self.env.set(ldap_sasl_mech="EXTERNAL", ldap_bind_dn="",
                     ldap_tls_cert=self.slapd.client_cert,
                     ldap_tls_key=self.slapd.client_key)
        self.env.write_secrets({})
        mark = self.log_mark()
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out + self.env.log())
        got = self.slapd_since(mark)
        self.assertRegex(got, r'BIND dn="" method=163')
        self.assertRegex(got, r'BIND authcid="cn=sspr-client" '
                              r'authzid="cn=sspr-client"')
        self.assertRegex(got, r'BIND dn="cn=sspr,ou=services,'
                              r'dc=example,dc=test" mech=EXTERNAL')
        # written with the service account's rights
        self.assertEqual(self.slapd.attrs("ldapunreg", "mobile")["mobile"],
                         [US_E164])

    def test_sspr_admin_status_and_show_read_the_directory(self):
        for u in ("ldapreg", "ldapunreg"):
            self.env.ensure_person(u)
        rc, out, err = self.admin("status", "ldapreg")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("methods:  mobile", out)
        rc, out, err = self.admin("show", "ldapreg")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertRegex(out, r"method:   mobile  \+1 .*23")
        rc, out, err = self.admin("status", "ldapunreg")
        self.assertEqual(rc, 1, out + err)
        rc, out, err = self.admin("status", "nosuchperson")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("unregistered (no record)", out)
        self.slapd.stop()
        try:
            rc, out, err = self.admin("status", "ldapreg")
            self.assertEqual(rc, 4, out + err)
            self.assertIn("cannot connect to ldap://127.0.0.1", err)
        finally:
            self.slapd.start()

    # -- faults: each ends in the failmode, one clear line, nothing written
    def test_a_stopped_server_ends_in_the_failmode(self):
        self.slapd.stop()
        try:
            self.failmodes(r"ldap: cannot connect to ldap://127\.0\.0\.1:\d+")
        finally:
            self.slapd.start()

    def test_a_stalled_server_ends_in_the_failmode_within_the_deadline(self):
        stall = Stall().start()
        try:
            self.env.set(ldap_uri=stall.uri)  # ldap_connect_timeout 2
            self.failmodes(r"ldap: ldap://127\.0\.0\.1:\d+: (StartTLS: )?"
                           r"no answer within 2 s", max_seconds=8)
        finally:
            stall.stop()

    def test_a_stalled_ldaps_server_ends_in_the_failmode(self):
        stall = Stall().start()
        try:
            self.env.set(ldap_uri=f"ldaps://127.0.0.1:{stall.port}")
            self.failmodes(r"ldap: ldaps://127\.0\.0\.1:\d+: "
                           r"no answer within 2 s", max_seconds=8)
        finally:
            stall.stop()

    def test_failover_past_a_stalled_first_uri_costs_its_connect_timeout(self):
        stall = Stall().start()
        try:
            self.env.set(ldap_uri=f"{stall.uri} {self.slapd.uri}",
                         ldap_connect_timeout=1, failmode="secure")
            t0 = time.monotonic()
            code, out = self.env.run("ldapreg")
            self.assertResult(code, PAM_SUCCESS, out)
            self.assertLess(time.monotonic() - t0, 4, out)
        finally:
            stall.stop()

    def test_a_wrong_bind_password_ends_in_the_failmode(self):
        self.env.write_secrets({"ldap_bind_password": "not-the-password"})
        self.failmodes(r"bind as cn=sspr,ou=services,dc=example,dc=test "
                       r"refused: Invalid credentials")
        self.assertNotIn("not-the-password", self.env.log())


def question_value(question, hash_):
    """One ssprQuestionHash value: the local record's answer object."""
    return json.dumps({"question": question, "hash": hash_},
                      separators=(",", ":"))


# Well-formed SHA-512 crypt hashes (of nothing anyone types): the directory
# cannot tell them from real ones, and neither can the helper.
FAKE_HASH = "$6$saltsaltsalt$" + "A" * 86
QUESTIONS = ["What was the name of your first pet?",
             "In what town or city were you born?",
             "What was your first job?"]
# methods = questions: "1" picks questions, then three times a question
# and its answer; the closing "Press Enter".
REGISTER_QUESTIONS = ("1", "1", "Rex the dog", "1", "Brighton", "1",
                      "Baker", "")


class LdapQuestions(LdapCase):
    """ldap_attr_questions: the helper's own salted hashes in the entry."""

    def setUp(self):
        super().setUp()
        self.env.set(methods="questions", methods_required=1,
                     ldap_attr_questions="ssprQuestionHash")

    def hashes(self, user):
        return self.slapd.attrs(user, "ssprQuestionHash").get(
            "ssprQuestionHash", [])

    def test_questions_are_registered_as_hashes_in_the_mapped_attribute(self):
        before = self.slapd.attrs("ldapwho")
        code, out = self.env.run("ldapwho", *REGISTER_QUESTIONS)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        after = self.slapd.attrs("ldapwho")
        values = after.pop("ssprQuestionHash")
        # only the questions' values, and the class that allows them
        self.assertEqual(after.pop("objectClass"),
                         before.pop("objectClass") + ["ssprPerson"])
        self.assertEqual(after, before)
        self.assertEqual(len(values), 3)
        for v in values:
            qa = json.loads(v)
            self.assertEqual(set(qa), {"question", "hash"})
            self.assertTrue(qa["hash"].startswith("$y$"), v)
        joined = "\n".join(values).lower()
        for secret in ("rex the dog", "brighton", "baker"):
            self.assertNotIn(secret, joined)
        self.assertEqual(self.env.outbox_lines(), [])  # no code for these
        os.unlink(os.path.join(self.env.cache, "ldapwho"))
        code, out = self.env.run("ldapwho")  # the directory knows it now
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_with_a_marker_the_questions_get_their_time(self):
        self.env.set(ldap_attr_verified="ssprVerified")
        code, out = self.env.run("ldapwho", *REGISTER_QUESTIONS)
        self.assertResult(code, PAM_SUCCESS, out)
        got = self.slapd.attrs("ldapwho", "ssprVerified", "ssprQuestionHash")
        self.assertEqual(len(got["ssprQuestionHash"]), 3)
        self.assertEqual(len(got["ssprVerified"]), 1)
        self.assertRegex(got["ssprVerified"][0], r"^questions \d{10} 3$")

    def test_a_malformed_hash_is_ignored_and_logged_never_registered(self):
        good = [question_value(q, FAKE_HASH) for q in QUESTIONS[:2]]
        bad = question_value("What was your first car?",
                             "$1$hunter2$MD5cryptIsNoLongerTaken")
        self.slapd.add_values("ldapwho", "ssprQuestionHash", good + [bad])
        # two good ones are not enough: asked to register
        code, out = self.env.run("ldapwho", "q")
        self.assertIn("PROMPT", out)
        self.assertFalse(self.env.cached("ldapwho"))
        # sspr-admin's probe reads the entry as the helper does; its log
        # names the attribute and the entry, never the value
        log = os.path.join(self.env.root, "admin-syslog.txt")
        open(log, "w").close()
        os.chmod(log, 0o666)  # written after the drop to helper_user
        rc, text, err = self.admin("show", "ldapwho", env={
            "LD_PRELOAD": os.environ["SSPR_SYSLOG_SHIM"],
            "SSPR_SYSLOG_FILE": log})
        self.assertEqual(rc, 1, text + err)
        with open(log) as f:
            logged = f.read()
        self.assertIn("ssprQuestionHash of uid=ldapwho,ou=people,"
                      "dc=example,dc=test ignored: hash is not a salted",
                      logged)
        self.assertIn("fewer than 3 valid questions", logged)
        self.assertNotIn("hunter2", logged)
        self.assertNotIn("first car", logged)
        # a third good one: registered, the bad one still ignored
        self.slapd.add_values("ldapwho", "ssprQuestionHash",
                              [question_value(QUESTIONS[2], FAKE_HASH)])
        code, out = self.env.run("ldapwho")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        rc, text, err = self.admin("show", "ldapwho")
        self.assertEqual(rc, 0, text + err)
        self.assertRegex(text, r"method:   questions  3")

    def test_the_directorys_questions_prove_the_person_before_an_update(self):
        # ldapreg: a mobile from the directory and three questions whose
        # hashes (SHA-512 crypt, as libcrypt makes them) were stored there
        answers = ["rex the dog", "brighton", "baker"]
        values = []
        for q, a in zip(QUESTIONS, answers):
            h = subprocess.run(["openssl", "passwd", "-6", a],
                               capture_output=True, text=True, timeout=30,
                               check=True).stdout.strip()
            values.append(question_value(q, h))
        self.slapd.add_values("ldapreg", "ssprQuestionHash", values)
        # no time in the directory: reconfirmation is due at once
        self.env.set(methods="mobile, questions", reconfirm_days=30)
        code, out = self.env.run(
            "ldapreg", "u", "2", "Rex  the Dog", "BRIGHTON", "baker",
            "1", "", "201-555-0199", "1", "@code", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Security questions", out)
        for q in QUESTIONS:
            self.assertIn(q, out)
        self.assertIn("You're all set", out)
        got = self.slapd.attrs("ldapreg", "mobile", "ssprQuestionHash")
        self.assertEqual(got["mobile"], ["+12015550199"])
        self.assertEqual(sorted(got["ssprQuestionHash"]), sorted(values))
        # a wrong answer proves nothing: after max_attempts, refused (due
        # again once this host forgets the confirmation and the cache)
        os.unlink(os.path.join(self.env.cache, "ldapreg"))
        os.unlink(os.path.join(self.env.state, "policy", "ldapreg"))
        self.env.set(max_attempts=1)
        code, out = self.env.run("ldapreg", "u", "2", "rex the cat",
                                 "brighton", "baker")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("wrong security answers", self.env.last_log())
        self.assertEqual(self.slapd.attrs("ldapreg", "mobile")["mobile"],
                         ["+12015550199"])

    def test_questions_without_the_attribute_are_a_configuration_error(self):
        self.env.set(ldap_attr_questions="")
        rc, text, err = self.admin("check-config")
        self.assertEqual(rc, 1, text + err)
        self.assertIn("ldap_attr_questions", text + err)


class LdapAdminReset(LdapCase):
    """sspr-admin reset USER with backend = ldap, on the real slapd."""

    def setUp(self):
        super().setUp()
        for u in ("ldapreg", "ldapver", "ldapwho", "nosuchperson"):
            self.env.ensure_person(u)

    def test_reset_removes_the_markers_and_hashes_and_keeps_the_values(self):
        self.env.set(ldap_attr_verified="ssprVerified",
                     ldap_attr_questions="ssprQuestionHash")
        self.slapd.add_values("ldapver", "ssprQuestionHash",
                              [question_value(q, FAKE_HASH)
                               for q in QUESTIONS])
        code, out = self.env.run("ldapver")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertTrue(self.env.cached("ldapver"))
        rc, text, err = self.admin("reset", "ldapver", "--yes")
        self.assertEqual((rc, err), (0, ""), text)
        self.assertEqual(
            text, "ldapver: uid=ldapver,ou=people,dc=example,dc=test: "
            "removed ssprVerified (1 value), ssprQuestionHash (3 values); "
            "kept mobile (1 value); cache entry removed, rate-limit state "
            "(none)\n")
        got = self.slapd.attrs("ldapver", "mobile", "ssprVerified",
                               "ssprQuestionHash")
        self.assertEqual(got, {"mobile": ["+12015550122"]})  # HR's stays
        self.assertFalse(self.env.cached("ldapver"))
        # the number no longer counts: the next login asks again
        code, out = self.env.run("ldapver", "q")
        self.assertIn("PROMPT", out)
        # nothing of pam_sspr's left: a second reset changes nothing
        rc, text, err = self.admin("reset", "ldapver", "--yes", "--json")
        self.assertEqual((rc, err), (0, ""), text)
        got = json.loads(text)
        self.assertEqual(got["removed"], {})
        self.assertEqual(got["kept"], {"mobile": 1})
        self.assertFalse(got["record_removed"])

    def test_without_a_marker_a_plain_reset_asks_for_values(self):
        self.env.set(methods="mobile, email")  # the attributes it reads
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)
        before = self.slapd.attrs("ldapreg")
        rc, text, err = self.admin("reset", "ldapreg", "--yes")
        self.assertEqual(rc, 1, text + err)
        self.assertIn("nothing changed", err)
        self.assertIn("mobile (1 value), mail (1 value)", err)
        self.assertIn("sspr-admin reset ldapreg --values", err)
        self.assertEqual(self.slapd.attrs("ldapreg"), before)
        self.assertTrue(self.env.cached("ldapreg"))
        rc, text, err = self.admin("reset", "ldapreg", "--yes", "--values",
                                   "--json")
        self.assertEqual((rc, err), (0, ""), text)
        got = json.loads(text)
        self.assertEqual(got["removed"], {"mobile": 1, "mail": 1})
        self.assertTrue(got["cache_removed"])
        after = self.slapd.attrs("ldapreg")
        self.assertNotIn("mobile", after)
        self.assertNotIn("mail", after)
        self.assertEqual(after["cn"], before["cn"])
        self.assertFalse(self.env.cached("ldapreg"))

    def test_an_unconfirmed_reset_changes_nothing(self):
        before = self.slapd.attrs("ldapreg")
        rc, text, err = self.admin("reset", "ldapreg", "--values")
        self.assertEqual(rc, 1, text + err)
        self.assertIn("the values of mobile, telephoneNumber", err)
        self.assertIn("Not confirmed; nothing changed.", err)
        self.assertEqual(self.slapd.attrs("ldapreg"), before)

    def test_a_person_without_an_entry_and_a_stopped_server(self):
        rc, text, err = self.admin("reset", "nosuchperson", "--yes")
        self.assertEqual((rc, err), (0, ""), text)
        self.assertIn("nosuchperson: no directory entry", text)
        self.slapd.stop()
        try:
            rc, text, err = self.admin("reset", "ldapreg", "--yes",
                                       "--values")
            self.assertEqual(rc, 4, text + err)
            self.assertIn("cannot connect to ldap://127.0.0.1", err)
        finally:
            self.slapd.start()
        self.assertIn("mobile", self.slapd.attrs("ldapreg"))

    def test_list_and_export_refuse_and_name_the_alternative(self):
        for cmd in ("list", "export"):
            rc, text, err = self.admin(cmd)
            self.assertEqual(rc, 3, text + err)
            self.assertIn("sspr-admin status USER", err)
            self.assertIn("ldapsearch -b 'ou=people,dc=example,dc=test'",
                          err)


class LdapWrongName(LdapCase):
    cert = "wrongname"

    def test_a_tls_name_mismatch_ends_in_the_failmode(self):
        mark = self.log_mark()
        self.failmodes(r"ldap: ldap://127\.0\.0\.1:\d+: StartTLS: TLS "
                       r"certificate not accepted")
        self.assertNotIn(" BIND dn=", self.slapd_since(mark))

    def test_ldaps_with_a_name_mismatch_ends_in_the_failmode(self):
        self.env.set(ldap_uri=self.slapd.ldaps_uri)
        self.failmodes(r"ldap: ldaps://127\.0\.0\.1:\d+: TLS certificate "
                       r"not accepted")


if __name__ == "__main__":
    main()
