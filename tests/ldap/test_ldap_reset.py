"""The reset at the login prompt (issue 15) with backend = ldap: RFC 3062
Password Modify as the service account, against the real slapd of
slapd_env.py with its ppolicy overlay, through real libpam (pam_unix, then
pam_sspr, then pam_deny), the real module and the real helper. Each test
has its own person in the directory, so no password is put back."""
import os
import re
import threading
import time

from test_ldap import LdapCase
from bhelp import main  # test_ldap put tests/backends on the path
from slapd_env import PEOPLE, USER_PW

PAM_AUTH_ERR = 7  # a reset logs nobody in
NEW_PW = "Tq7#vLm2!pZr9wKx"
SHORT_PW = "k3#Tz"  # under the policy's pwdMinLength (8)
CHANGED = "Your password was changed. Log in with the new password."
UNCHANGED = ("Your password could not be changed and is unchanged. Please "
             "try again later or contact the IT desk.")


class LdapReset(LdapCase):
    def setUp(self):
        super().setUp()
        self.reset_stack()

    def set(self, **kv):
        self.env.set(**kv)  # writes the pam.d service anew
        self.reset_stack()

    def reset(self, user, *answers):
        """A wrong password, "r", the first method, the code, then
        `answers` (the new password twice, ...)."""
        return self.env.run(user, "wrong", "r", "", "@code", *answers,
                            extra=("--auth",))

    def assertNotShown(self, password, out):
        """`password` reaches no text the person is shown and no log line
        (the driver's own ANSWER lines echo what it typed)."""
        shown = "\n".join(l for l in out.splitlines()
                          if not l.startswith("ANSWER: "))
        self.assertNotIn(password, shown)
        self.assertNotIn(password, self.env.log())
        for m in self.env.outbox_lines():
            self.assertNotIn(password, m["text"])

    def passmods(self, mark):
        return re.findall(r"PASSMOD (.*)", self.slapd_since(mark))

    def test_a_reset_sets_the_new_password_and_the_old_one_fails(self):
        mark = self.log_mark()
        code, out = self.reset("ldaprst", NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Forgot your password?", out)
        self.assertIn(CHANGED, out)
        self.assertTrue(self.slapd.binds("ldaprst", NEW_PW))
        self.assertFalse(self.slapd.binds("ldaprst", USER_PW))
        # one operation, for the DN the search found, without the old one
        self.assertEqual(self.passmods(mark),
                         [f'id="uid=ldaprst,{PEOPLE}" new'])
        self.assertRegex(self.env.last_log(),
                         r"reset: user=ldaprst .*outcome=password-reset")
        sent = [m["text"] for m in self.env.outbox_lines()]
        self.assertIn("RESET YOUR PASSWORD", sent[-2])
        self.assertRegex(sent[-1], r"Your password on \S+ was reset at ")
        self.assertNotShown(NEW_PW, out)

    def test_a_password_the_policy_refuses_is_explained_and_asked_again(self):
        self.set(max_input_attempts=3)
        code, out = self.reset("ldappolicy", SHORT_PW, SHORT_PW,
                               USER_PW, USER_PW, NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        # ppolicy's control (libldap's words) and slapd's text
        self.assertIn("Password is too short for policy (Password fails "
                      "quality checking policy)", out)
        # the current password again: pwdInHistory's check
        self.assertIn("Password is not being changed from existing value",
                      out)
        self.assertEqual(
            out.count("This password was refused. Please choose another."), 2)
        self.assertIn(CHANGED, out)
        self.assertTrue(self.slapd.binds("ldappolicy", NEW_PW))
        self.assertFalse(self.slapd.binds("ldappolicy", SHORT_PW))
        for pw in (SHORT_PW, USER_PW, NEW_PW):
            self.assertNotShown(pw, out)

    def test_a_password_used_before_is_refused_by_the_history(self):
        code, out = self.reset("ldaprst2", NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn(CHANGED, out)
        code, out = self.reset("ldaprst2", USER_PW, USER_PW)
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("New password is in list of old passwords", out)
        self.assertNotIn(CHANGED, out)
        self.assertTrue(self.slapd.binds("ldaprst2", NEW_PW))

    def test_without_the_right_to_write_userpassword_nothing_changes(self):
        self.set(failmode="secure")
        code, out = self.reset("ldapnopw", NEW_PW, NEW_PW)
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn(UNCHANGED, out)
        self.assertNotIn(CHANGED, out)
        self.assertRegex(self.env.last_log(),
                         r"reset: user=ldapnopw .*outcome=unavailable.*"
                         rf"password of uid=ldapnopw,{PEOPLE}: no right to set "
                         r"it \(insufficientAccessRights\): grant the service "
                         r"account write \(=w\) on userPassword")
        self.assertTrue(self.slapd.binds("ldapnopw", USER_PW))
        self.assertFalse(self.slapd.binds("ldapnopw", NEW_PW))
        self.assertNotShown(NEW_PW, out)

    def during_the_code_prompt(self, user, action, pause):
        """Runs a reset of `user` whose code is typed `pause` seconds
        after it was sent; `action` runs as soon as it is in the outbox
        (after the lookup, before the set). Returns (code, out, seconds
        from the typed code to the end)."""
        before = len(self.env.outbox_lines())
        done = threading.Event()

        def watch():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not done.is_set():
                if len(self.env.outbox_lines()) > before:
                    action()
                    return
                time.sleep(0.05)

        t = threading.Thread(target=watch)
        t.start()
        t0 = time.monotonic()
        try:
            code, out = self.env.run(user, "wrong", "r", "",
                                     f"@slow:{pause}:@code", NEW_PW, NEW_PW,
                                     "", extra=("--auth",))
        finally:
            done.set()
            t.join()
        return code, out, time.monotonic() - t0 - pause

    def test_a_directory_stopped_after_the_proof_changes_nothing_in_time(self):
        try:
            code, out, took = self.during_the_code_prompt(
                "ldapstop", self.slapd.stop, pause=6)  # stop: at most 5 s
            self.assertResult(code, PAM_AUTH_ERR, out)
            self.assertIn(UNCHANGED, out)
            self.assertLess(took, 10, out)  # helper_timeout
            self.assertRegex(self.env.last_log(),
                             r"reset: user=ldapstop .*outcome=unavailable.*"
                             r"cannot connect to ldap://127\.0\.0\.1:\d+")
        finally:
            self.slapd.start()
        self.assertTrue(self.slapd.binds("ldapstop", USER_PW))
        self.assertFalse(self.slapd.binds("ldapstop", NEW_PW))

    def test_a_directory_restarted_meanwhile_gets_the_set_on_a_new_connection(
            self):
        def restart():
            self.slapd.stop()
            self.slapd.start()
        mark = self.log_mark()
        code, out, _ = self.during_the_code_prompt("ldaprestart", restart,
                                                 pause=8)
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn(CHANGED, out)
        self.assertTrue(self.slapd.binds("ldaprestart", NEW_PW))
        # the search on the first connection, the set on a second one
        got = self.slapd_since(mark)
        self.assertEqual(len(re.findall(r' BIND dn="cn=sspr,.* method=', got)),
                         2, got)

    def assertNotOffered(self, **conf):
        self.set(debug="yes", **conf)  # debug: the reason is logged
        mark = self.log_mark()
        code, out = self.env.run("ldaprst", "wrong", "r", extra=("--auth",))
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertNotIn("Forgot your password?", out)
        self.assertRegex(self.env.last_log(),
                         r"user=ldaprst reset not offered: reset: backend "
                         r"ldap cannot set passwords; not offered")
        self.assertNotIn(" ACCEPT from", self.slapd_since(mark))

    def test_with_the_ad_schema_no_reset_is_offered(self):
        self.assertNotOffered(ldap_schema="ad")

    def test_with_an_anonymous_bind_no_reset_is_offered(self):
        self.env.write_secrets({})
        self.assertNotOffered(ldap_bind_dn="")


if __name__ == "__main__":
    main()  # LdapCase exits 77 where slapd cannot run
