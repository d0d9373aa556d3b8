"""A password login without keyboard-interactive: sshd with
PasswordAuthentication yes, KbdInteractiveAuthentication no,
AuthenticationMethods password. In the account phase sshd's conversation
fails every visible prompt (and, in older or patched versions, answers
hidden ones with the login password). pam_sspr never asks a hidden
question before a visible one was answered, so the login password can
never become an answer: an unregistered user is refused by policy, as with
a conversation that cannot prompt, and a registered user due for
reconfirmation is let in with the question postponed. Every step has a
deadline.
"""
import os
import subprocess
import tempfile

from e2e_case import E2ETestCase, main
from messages import CANNOT, INTRO, MENU
from sshd_env import SshdEnv
from sspr_env import DAY, PAMTEST

METHODS = "password"


class PasswordOnly(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b", "c")

    @classmethod
    def make_env(cls):
        env = SshdEnv(cls.auth_methods, cls.users, cls.conf)
        env.kbdint, env.password_auth = "no", "yes"
        return env

    def login(self, u, title):
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     extra=("-o", "NumberOfPasswordPrompts=1"))
        c.expect(f"{u}@127.0.0.1's password: ")
        c.send(self.env.users[u])
        return self.finish(title, c)

    def assertPasswordNowhere(self, u):
        self.assertPasswordStoredNowhere(self.env.users[u])
        self.assertEqual(self.env.helpers(), [])

    def assertRefused(self, u, status, out):
        self.assertEqual(status, 255, out)
        self.assertNotIn("LOGGED-IN", out)
        self.assertShown(out, [(CANNOT, 1), (INTRO, 0), (MENU, 0)])
        self.assertIsNone(self.env.record(u))
        self.assertEqual(self.env.outbox_lines(), [])
        self.assertPasswordNowhere(u)

    def test_1_registration_over_password_auth_is_refused(self):
        self.env.set(mode="register", methods="mobile, office")
        u = self.env.user("a")
        self.assertRefused(u, *self.login(u, "password only, register"))

    def test_2_questions_only_never_gets_the_login_password(self):
        self.env.set(mode="register", methods="questions")
        u = self.env.user("b")
        self.assertRefused(u, *self.login(u, "password only, questions"))

    def test_3_reconfirmation_is_postponed_not_answered(self):
        self.env.set(mode="register", methods="questions", reconfirm_days=30)
        u = self.env.user("c")
        self.register_questions(u)
        self.env.backdate(u, 60 * DAY)
        before = self.env.record(u)
        os.unlink(os.path.join(self.env.cache, u))
        status, out = self.login(u, "password only, reconfirmation due")
        self.assertEqual(status, 0, out)
        self.assertIn("LOGGED-IN", out)
        self.assertEqual(self.env.record(u), before)
        self.assertPasswordNowhere(u)

    # Registers three security questions through the real module and
    # helper with this env's config (the driver, not sshd: this sshd
    # cannot ask questions, which is the point).
    def register_questions(self, u):
        confdir = tempfile.mkdtemp(dir=self.env.root)
        with open(os.path.join(confdir, "sspr-e2e-register"), "w") as f:
            # the driver has no terminal: count it as interactive
            f.write("account required " + self.env.pam_line(
                "interactive_services=sspr-e2e-register") + "\n")
        p = subprocess.run(
            [PAMTEST, "--confdir", confdir, "--service", "sspr-e2e-register",
             "--user", u, "1", "1", "Brighton", "1", "Leeds", "1",
             "Ada Lovelace", ""],
            capture_output=True, text=True, timeout=60,
            env={"PATH": "/usr/bin:/bin"})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(len(self.env.record(u)["methods"][0]["answers"]), 3)


if __name__ == "__main__":
    main()
