"""backend = ldap with ldap_sasl_mech = GSSAPI: a real MIT KDC
(tests/ldap/kdc_env.py) and a real slapd that accepts GSSAPI
(tests/ldap/slapd_env.py), through real libpam, module and helper (with
its seccomp filter). The host keytab is root-only (0600), as
/etc/krb5.keytab is: the helper reads it before it drops to helper_user."""
import os
import pwd
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "backends"))

from bhelp import (PAM_AUTHINFO_UNAVAIL, PAM_SUCCESS, US_E164,  # noqa: E402
                   BackendCase, main)
import kdc_env  # noqa: E402
import slapd_env  # noqa: E402
from slapd_env import PEOPLE, Slapd  # noqa: E402
from test_ldap import REGISTER_MOBILE  # noqa: E402

SERVICE_BIND = (r'BIND dn="cn=sspr,ou=services,dc=example,dc=test" '
                r'mech=GSSAPI')


class LdapGssapi(BackendCase):
    registered_user = "ldapreg"
    failmode_seconds = 10.0

    @classmethod
    def setUpClass(cls):
        why = slapd_env.unavailable_reason() or kdc_env.unavailable_reason()
        if why:
            print(f"skip: {why}")
            sys.exit(77)
        cls.kdc = kdc_env.Kdc().start()
        cls.slapd = Slapd(kdc=cls.kdc).start()

    @classmethod
    def tearDownClass(cls):
        cls.slapd.cleanup()
        cls.kdc.cleanup()

    def setUp(self):
        if self.kdc.proc is None:
            self.kdc.start()
        for u in slapd_env.USERS:
            self.slapd.reset(u)
        self.make_env({"backend": "ldap", "ldap_uri": self.slapd.uri,
                       "ldap_base": PEOPLE, "ldap_sasl_mech": "GSSAPI",
                       "ldap_keytab": self.kdc.host_keytab,
                       "ldap_krb5_conf": self.kdc.krb5_conf,
                       "request_timeout": "3", "ldap_connect_timeout": "2",
                       "helper_timeout": "10"}, {})

    def slapd_mark(self):
        return len(self.slapd.log_text())

    def kdc_mark(self):
        return len(self.kdc.log_text())

    def test_a_status_check_binds_with_the_host_keytab(self):
        s, k = self.slapd_mark(), self.kdc_mark()
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out + self.env.log())
        self.assertNotIn("PROMPT", out)
        self.assertTrue(self.env.cached("ldapreg"))
        got = self.slapd.log_text()[s:]
        # one connection, one bind (GSSAPI's three rounds), one search;
        # over StartTLS without a SASL security layer inside TLS
        self.assertEqual(len(re.findall(r" ACCEPT from", got)), 1, got)
        self.assertEqual(len(re.findall(r" BIND dn=.* mech=", got)), 1, got)
        self.assertRegex(got, SERVICE_BIND + " bind_ssf=0 ssf=256")
        self.assertRegex(got, re.escape(
            f'BIND authcid="{kdc_env.HOST_PRINC}"'))
        self.assertRegex(got, SERVICE_BIND)
        self.assertEqual(len(re.findall(r" SRCH base=", got)), 1, got)
        # one initial ticket and one service ticket: GSSAPI found the
        # ticket the helper got and asked the KDC nothing more
        kdc = self.kdc.log_text()[k:]
        self.assertEqual(len(re.findall(r"AS_REQ .* ISSUE", kdc)), 1, kdc)
        self.assertEqual(len(re.findall(r"TGS_REQ .* ISSUE", kdc)), 1, kdc)
        self.assertIn(f"for {kdc_env.LDAP_PRINC}", kdc)

    def test_a_registration_is_written_through_a_gssapi_bind(self):
        s = self.slapd_mark()
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out + self.env.log())
        self.assertIn("Thanks!", out)
        self.assertEqual(self.slapd.attrs("ldapunreg", "mobile")["mobile"],
                         [US_E164])
        got = self.slapd.log_text()[s:]
        self.assertRegex(got, SERVICE_BIND)
        self.assertRegex(got, r"MOD dn=\"uid=ldapunreg,ou=people")

    def test_the_keytab_is_read_as_root_only(self):
        # root:root 0600, as /etc/krb5.keytab: helper_user cannot open it,
        # yet the bind works (the helper read it before the drop)
        st = os.stat(self.kdc.host_keytab)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        helper_user = self.env.conf.get("helper_user", "nobody")
        pw = pwd.getpwnam(helper_user)
        self.assertNotEqual(pw.pw_uid, 0)
        pid = os.fork()
        if pid == 0:  # the helper user's view of the keytab
            try:
                os.setgroups([])
                os.setgid(pw.pw_gid)
                os.setuid(pw.pw_uid)
                open(self.kdc.host_keytab, "rb").close()
                os._exit(0)
            except PermissionError:
                os._exit(13)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 13)
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out + self.env.log())

    def test_sspr_admin_status_binds_with_the_keytab_too(self):
        admin = os.environ.get("SSPR_ADMIN", "")
        if not admin:
            self.skipTest("SSPR_ADMIN not set")
        self.env.ensure_person("ldapreg")
        s = self.slapd_mark()
        p = subprocess.run([admin, "--conf", self.env.conf_path, "status",
                            "ldapreg"], capture_output=True, text=True,
                           timeout=60, env=self.env.command_env())
        self.assertEqual((p.returncode, p.stderr), (0, ""), p.stdout)
        self.assertIn("methods:  mobile", p.stdout)
        self.assertRegex(self.slapd.log_text()[s:], SERVICE_BIND)

    def test_a_missing_keytab_ends_in_the_failmode(self):
        self.env.set(ldap_keytab=self.kdc.dir + "/no-such.keytab")
        self.failmodes(r"ldap_keytab \S*/sspr-kdc-\w+/no-such\.keytab")
        self.assertEqual(self.env.log().count("no-such.keytab"), 2)

    def test_a_keytab_without_the_principal_ends_in_the_failmode(self):
        self.env.set(ldap_krb5_principal=f"host/other.sspr.test@"
                                         f"{kdc_env.REALM}")
        self.failmodes(r"ldap_keytab \S*/sspr-kdc-\w+/host\.keytab: no key "
                       r"for host/other\.sspr\.test@SSPR\.TEST")

    def test_a_keytab_with_stale_keys_ends_in_the_failmode(self):
        # an old key of the principal (the host was joined again since)
        self.env.set(ldap_keytab=self.kdc.stale_keytab)
        self.failmodes(r"krb5: initial ticket for host/stale\.sspr\.test@"
                       r"SSPR\.TEST: \w+")

    def test_a_keytab_others_may_write_is_refused(self):
        os.chmod(self.kdc.host_keytab, 0o622)
        try:
            self.failmodes(r"ldap_keytab \S*/sspr-kdc-\w+/host\.keytab")
        finally:
            os.chmod(self.kdc.host_keytab, 0o600)

    def test_a_stopped_kdc_ends_in_the_failmode_within_the_deadline(self):
        self.kdc.stop()
        try:
            out = self.failmodes(r"krb5: initial ticket for "
                                 r"host/sspr-client\.sspr\.test@SSPR\.TEST: "
                                 r"Cannot contact any KDC",
                                 max_seconds=6)
            self.assertNotIn("PROMPT", out)
        finally:
            self.kdc.start()

    def test_a_silent_kdc_costs_at_most_the_connect_timeout(self):
        # a KDC that takes the request and never answers (UDP and TCP):
        # libkrb5 alone would wait about 17 s
        self.kdc.stop()
        import socket
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket()
        try:
            udp.bind(("127.0.0.1", self.kdc.port))
            tcp.bind(("127.0.0.1", self.kdc.port))
            tcp.listen(8)
            t0 = time.monotonic()
            self.failmodes(r"krb5: no answer from the KDC of SSPR\.TEST "
                           r"within 2 s \(initial ticket",
                           max_seconds=6)
            self.assertLess(time.monotonic() - t0, 12)
        finally:
            udp.close()
            tcp.close()
            self.kdc.start()

    def test_an_unknown_ldap_service_principal_ends_in_the_failmode(self):
        # ldap/localhost is no principal of the realm
        self.env.set(ldap_uri=f"ldap://localhost:{self.slapd.port}")
        self.failmodes(r"krb5: service ticket for ldap/localhost: .*not found")


if __name__ == "__main__":
    main()
