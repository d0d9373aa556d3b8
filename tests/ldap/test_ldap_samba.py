"""backend = ldap with ldap_schema = ad against a real Samba AD DC
(tests/ldap/samba_env.py), through real libpam, module and helper. The
whole test runs in a network namespace of its own (it re-runs itself under
`unshare --net`): Samba's LDAP ports cannot be moved."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import samba_env  # noqa: E402
import test_ldap  # noqa: E402  (the module: its classes are not run here)
from test_ldap import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,  # noqa: E402
                       PAM_SUCCESS, REGISTER_MOBILE, US_E164)
from samba_env import SERVICE_DN, SERVICE_PW, SUFFIX, USERS_DN  # noqa: E402


class LdapAD(test_ldap.LdapCase):
    server_class = samba_env.SambaDC
    server_unavailable = staticmethod(samba_env.unavailable_reason)
    unlogged_secrets = (SERVICE_PW,)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        print("Samba AD DC: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in cls.slapd.timings.items()),
            file=sys.stderr)

    def setUp(self):
        if self.slapd.proc is None:
            self.slapd.start()
        for u in samba_env.USERS:
            self.slapd.reset(u)
        # AD refuses a simple bind without TLS: ldaps, as a DC is used
        self.make_env({"backend": "ldap", "ldap_schema": "ad",
                       "ldap_uri": self.slapd.ldaps_uri,
                       "ldap_base": USERS_DN, "ldap_bind_dn": SERVICE_DN,
                       "request_timeout": "3", "ldap_connect_timeout": "2",
                       "helper_timeout": "10"},
                      {"ldap_bind_password": SERVICE_PW})

    def test_a_registered_user_is_let_in_without_a_question(self):
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertTrue(self.env.cached("ldapreg"))

    def test_starttls_works_as_well_as_ldaps(self):
        self.env.set(ldap_uri=self.slapd.uri)
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_registration_writes_the_mobile_in_e164_and_nothing_else(self):
        before = self.slapd.attrs("ldapunreg")
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        after = self.slapd.attrs("ldapunreg")
        self.assertEqual(after.pop("mobile"), [US_E164])
        self.assertEqual(after, before)
        os.unlink(os.path.join(self.env.cache, "ldapunreg"))
        code, out = self.env.run("ldapunreg")  # the DC knows it now
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_an_email_is_written_with_its_domain_lower_cased(self):
        # mail is not in Personal-Information: its own delegated right
        self.env.set(methods="email")
        code, out = self.env.run("ldapwho", "1", "Who.Ever@Example.ORG", "1",
                                 "@code:Who.Ever@example.org")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.slapd.attrs("ldapwho", "mail")["mail"],
                         ["Who.Ever@example.org"])

    def test_an_unknown_user_is_not_applicable(self):
        code, out = self.env.run("nosuchperson")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertRegex(self.env.last_log(),
                         r"user=nosuchperson .*outcome=not-applicable.*"
                         r"no entry under CN=Users")

    def test_a_malformed_mobile_never_counts_and_is_replaced(self):
        code, out = self.env.run("ldapbadmob", *REGISTER_MOBILE)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        self.assertEqual(self.slapd.attrs("ldapbadmob", "mobile")["mobile"],
                         [US_E164])

    def test_a_search_from_the_domain_root_passes_over_ads_referrals(self):
        # AD answers a subtree search at the domain's root with continuation
        # references (CN=Configuration, ...): not followed, not an error
        self.env.set(ldap_base=SUFFIX)
        code, out = self.env.run("ldapreg")
        self.assertResult(code, PAM_SUCCESS, out + self.env.log())
        self.assertNotIn("PROMPT", out)
        code, out = self.env.run("nosuchperson")
        self.assertResult(code, PAM_IGNORE, out)

    def test_an_acl_refusal_says_unavailable_and_logs_attribute_and_dn(self):
        # employeeNumber: readable, in no property set the account may write
        self.env.set(ldap_attr_mobile="employeeNumber", failmode="secure")
        code, out = self.env.run("ldapunreg", *REGISTER_MOBILE)
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("not available right now", out)
        self.assertRegex(self.env.last_log(),
                         r"outcome=unavailable.*no right to write "
                         r"employeeNumber of CN=ldapunreg,CN=Users,"
                         r"DC=sspr,DC=test \(insufficientAccessRights\)")
        self.assertNotIn("employeeNumber", self.slapd.attrs("ldapunreg"))
        self.assertFalse(self.env.cached("ldapunreg"))

    def test_a_simple_bind_in_clear_text_is_refused_by_ad(self):
        # ldap_starttls = no (allowed to loopback only): AD's "require
        # strong auth" refuses the bind; one clear line, the failmode
        self.env.set(ldap_uri=self.slapd.uri, ldap_starttls="no")
        self.failmodes(r"ldap: ldap://127\.0\.0\.1: bind as CN=svc-sspr,\S+ "
                       r"refused: Strong\(er\) authentication required")

    def test_a_wrong_bind_password_ends_in_the_failmode(self):
        self.env.write_secrets({"ldap_bind_password": "Not-the-pw-1"})
        self.failmodes(r"bind as CN=svc-sspr,CN=Users,DC=sspr,DC=test "
                       r"refused: Invalid credentials")
        self.assertNotIn("Not-the-pw-1", self.env.log())


def enter_netns():
    """Runs the rest of this test in a network namespace with only lo."""
    if os.environ.get("SSPR_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True,
                       timeout=20)
        return
    why = samba_env.unavailable_reason()
    if why:
        print(f"skip: {why}")
        sys.exit(77)
    os.environ["SSPR_NETNS"] = "1"
    sys.stdout.flush()
    os.execvp("unshare", ["unshare", "--net", "--", sys.executable, "-B",
                          os.path.abspath(__file__), *sys.argv[1:]])


if __name__ == "__main__":
    enter_netns()
    test_ldap.main()
