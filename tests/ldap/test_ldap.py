"""backend = ldap against a real slapd (tests/ldap/slapd_env.py), through
real libpam, module and helper (with its seccomp filter). The same cases run
against 389 DS (test_ldap_389ds.py: another server_class)."""
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
from slapd_env import PEOPLE, SERVICE_DN, SERVICE_PW, Slapd  # noqa
from stall import Stall  # noqa

REGISTER_MOBILE = ("1", "", US, "1", "@code", "n")


class LdapCase(BackendCase):
    cert = "good"
    # the directory server: slapd_env.Slapd or one with its interface
    server_class = Slapd
    server_unavailable = staticmethod(slapd_env.unavailable_reason)
    extra_conf = {}  # e.g. ldap_schema
    filter_head = "(&(objectClass=inetOrgPerson)"  # the preset's filter
    registered_user = "ldapreg"
    failmode_seconds = 10.0
    unlogged_secrets = (SERVICE_PW,)

    @classmethod
    def setUpClass(cls):
        why = cls.server_unavailable()
        if why:
            print(f"skip: {why}")
            sys.exit(77)
        cls.slapd = cls.server_class(cert=cls.cert).start()

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
                       "helper_timeout": "10", **self.extra_conf},
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
        for what in ("connect", "bind", "search", "starttls"):
            self.assertEqual(self.slapd.count(got, what), 1, what + got)
        mark = self.log_mark()
        code, out = self.env.run("ldapreg")  # cached: no request at all
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.slapd.count(self.slapd_since(mark), "connect"),
                         0)

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
            self.assertIn(self.filter_head + want + ")",
                          self.slapd.filters(got), got)

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
