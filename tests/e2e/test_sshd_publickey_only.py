"""A login that cannot be asked anything: sshd with AuthenticationMethods
publickey (KbdInteractiveAuthentication still yes). sshd's account-stack
conversation stores INFO/ERROR text and fails every prompt; the stored text
reaches the client as a USERAUTH_BANNER (stderr, shown at LogLevel INFO,
not with ssh -q), and for an interactive pty login that succeeds sshd
prints it again before the shell.

mode=register must deny with the instructions: CANNOT alone (no intro, no
menu, no keyboard-interactive hint), shown once. mode=warn must let the
user in with the reminder and its QR code, shown once. Every step has a
deadline.
"""
import re

from e2e_case import E2ETestCase, main
from messages import (CANNOT, CONTINUE, DENIED, INTRO, KBD_HINT, MENU,
                      QR_CHARS, SCAN, URL, WARN_FULL)

METHODS = "publickey"


class PublickeyOnly(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b", "c")

    def denied(self, title, c):
        status, out = self.finish(title, c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(INTRO, 0), (MENU, 0), (KBD_HINT, 0),
                               (CONTINUE, 0), (CANNOT, 1), (URL, 1),
                               (DENIED, 1), ("LOGGED-IN", 0)])
        self.assertNoRepeats(out)
        # One line of text, then the end of the connection.
        self.assertRegex(out, rf"^You must register [^\n]*{CANNOT}[^\n]*"
                              rf"{re.escape(DENIED)}\n"
                              r"Connection closed by 127\.0\.0\.1 port \d+\n$")
        return out

    def test_1_register_mode_denies_a_command_login(self):
        self.env.set(mode="register")
        u = self.env.user("a")
        self.denied("publickey only, register, ssh host command",
                    self.ssh(u, "echo", "LOGGED-IN", methods=METHODS))
        self.assertIsNone(self.env.record(u))
        self.assertEqual(self.env.outbox_lines(), [])
        self.assertEqual(self.env.helpers(), [])

    def test_2_register_mode_denies_an_interactive_login(self):
        self.env.set(mode="register")
        u = self.env.user("a")
        self.denied("publickey only, register, interactive (-tt)",
                    self.ssh(u, methods=METHODS, tty=True))
        self.assertIsNone(self.env.record(u))
        self.assertEqual(self.env.outbox_lines(), [])
        self.assertEqual(self.env.helpers(), [])

    def warned(self, out, tail):
        """The reminder and one whole QR code, each shown once, then tail
        (the command's output, or the shell)."""
        self.assertShown(out, [(WARN_FULL, 1), (SCAN, 1), (CONTINUE, 0)])
        self.assertQr(out)
        self.assertNoRepeats(out)
        self.assertRegex(out, rf"^{re.escape(WARN_FULL)}\n{SCAN}\n"
                              rf"(?:[{QR_CHARS}]+\n)+{tail}")

    def test_3_warn_mode_lets_a_command_login_in_with_the_reminder(self):
        self.env.set(mode="warn")
        u = self.env.user("b")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS, lang="C.UTF-8")
        status, out = self.finish("publickey only, warn, ssh host command", c)
        self.assertEqual(status, 0, out)
        self.warned(out, r"LOGGED-IN\n$")
        self.assertIsNone(self.env.record(u))

    def test_4_warn_mode_lets_an_interactive_login_in_with_the_reminder(self):
        self.env.set(mode="warn")
        u = self.env.user("b")
        c = self.ssh(u, methods=METHODS, tty=True, lang="C.UTF-8")
        self.shell(c)
        status, out = self.finish("publickey only, warn, interactive (-tt)",
                                  c)
        self.assertEqual(status, 0, out)
        self.assertEqual(out.count("\nLOGGED-IN\n"), 1, out)
        # Known OpenSSH behaviour, not ours to fix: with a key only nothing
        # can be asked, so the reminder can only travel as account-phase
        # messages, which sshd sends as a banner AND prints again on the pty
        # before the shell. It is shown, whole, twice; never lost.
        for text in (WARN_FULL, SCAN):
            self.assertEqual(out.count(text), 2, out)
        self.assertIsNone(self.env.record(u))

    def test_5_quiet_client_is_refused_without_hanging(self):
        # ssh -q drops banners, the only way text can reach a key-only
        # login: the user asked for silence and gets it; the refusal
        # itself is prompt (finish() bounds the wait) and complete.
        self.env.set(mode="register")
        u = self.env.user("c")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS, extra=("-q",))
        status, out = self.finish("publickey only, register, ssh -q", c)
        self.assertEqual(status, 255, out)
        self.assertNotIn("LOGGED-IN", out)
        self.assertShown(out, [(CANNOT, 0), (DENIED, 0)])


if __name__ == "__main__":
    main()
