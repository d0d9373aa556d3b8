"""sspr-admin reset USER with backend = ldap against a real slapd
(tests/ldap/slapd_env.py): pam_sspr's attributes removed, HR's values kept
unless --values, the cache entry cleared, exit codes; list and export
refused by name."""
import json

from test_ldap import LdapCase
from test_ldap_questions import FAKE_HASH, QUESTIONS, question_value
from bhelp import PAM_SUCCESS, main  # noqa: E402


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


if __name__ == "__main__":
    main()
