"""A login that cannot be asked anything: sshd with AuthenticationMethods
publickey (KbdInteractiveAuthentication still yes). sshd's account-stack
conversation stores INFO/ERROR text and fails every prompt; the stored text
reaches the client as a USERAUTH_BANNER (stderr, shown at LogLevel INFO),
and for an interactive pty login that succeeds sshd prints it again
before the shell. mode=register must deny with the instructions; mode=warn
must let the user in with the reminder. Every step has a deadline.
"""
from messages import (CANNOT, DENIED, INTRO, KBD_HINT, MENU, URL, WARN)
from sshd_env import E2ETestCase, main

METHODS = "publickey"


class PublickeyOnly(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b", "c")

    def denied(self, title, c):
        status, out = self.finish(title, c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(INTRO, 1), (CANNOT, 1), (KBD_HINT, 1),
                               (URL, 1), (DENIED, 1)])
        self.assertNotIn(MENU, out)
        self.assertNotIn("LOGGED-IN", out)
        self.assertRegex(out, r"Access is denied until then\.\n"
                              r"Connection closed by 127\.0\.0\.1 port \d+\n$")
        return out

    def test_1_register_mode_denies_with_instructions(self):
        self.env.set(mode="register")
        u = self.env.user("a")
        self.denied("publickey only, register, ssh host command",
                    self.ssh(u, "echo", "LOGGED-IN", methods=METHODS))
        self.denied("publickey only, register, interactive (-tt)",
                    self.ssh(u, methods=METHODS, tty=True))
        self.assertIsNone(self.env.record(u))
        self.assertEqual(self.env.outbox_lines(), [])
        self.assertEqual(self.env.helpers(), [])

    def test_2_the_keyboard_interactive_hint_fails_on_this_server(self):
        # The text tells the user to retry with keyboard-interactive; this
        # sshd only allows publickey, so the hint cannot work here.
        self.env.set(mode="register")
        u = self.env.user("a")
        c = self.ssh(u, "echo", "LOGGED-IN",
                     methods="keyboard-interactive")
        status, out = self.finish("following the hint", c)
        self.assertEqual(status, 255, out)
        self.assertEqual(out, f"{u}@127.0.0.1: Permission denied "
                              "(publickey).\n")

    def test_3_warn_mode_lets_in_with_the_reminder(self):
        self.env.set(mode="warn")
        u = self.env.user("b")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        status, out = self.finish("publickey only, warn, ssh host command", c)
        self.assertEqual(status, 0, out)
        self.assertEqual(out, WARN + " so you can reset your password if "
                         "you forget it.\nLOGGED-IN\n")

        c = self.ssh(u, methods=METHODS, tty=True)
        self.shell(c)
        status, out = self.finish("publickey only, warn, interactive (-tt)",
                                  c)
        self.assertEqual(status, 0, out)
        # Shown twice: the banner, then sshd's copy on the pty.
        self.assertShown(out, [(WARN, 2), ("LOGGED-IN\n", 1)])
        self.assertIsNone(self.env.record(u))

    def test_4_quiet_client_shows_nothing(self):
        self.env.set(mode="register")
        u = self.env.user("c")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     log_level="QUIET")
        status, out = self.finish("publickey only, register, LogLevel=QUIET",
                                  c)
        self.assertEqual(status, 255, out)
        self.assertEqual(out, "")


if __name__ == "__main__":
    main()
