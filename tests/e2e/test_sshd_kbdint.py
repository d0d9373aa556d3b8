"""Registration inside a real SSH login: sshd with
AuthenticationMethods publickey,keyboard-interactive (as README.md advises).

What OpenSSH 9.2 does with our PAM messages (auth-pam.c, auth2.c,
session.c), checked here on the client's terminal:
- an INFO/ERROR before a prompt is held and sent as the first lines of
  that prompt's text, so the client shows "(user@host) " + the messages +
  the prompt; shown once;
- an INFO after the last prompt (DONE) of a login that succeeds goes to
  sshd's loginmsg: sent as a USERAUTH_BANNER (stderr; only at the client's
  LogLevel INFO or more; non-ASCII vis-escaped unless the client's locale
  is UTF-8) and, for an interactive pty login, printed AGAIN by sshd before
  the shell: shown twice there, and lost with ssh -q;
- an ERROR after the last prompt of a login that fails (QUIT) is sent as
  the instruction of a prompt-less keyboard-interactive request: shown
  once (also lost with ssh -q), followed by an empty line.
"""
from messages import (BACKUP, CODE, DONE, INTRO, MENU, QUIT, REGISTRATION,
                      masked)
from sshd_env import US_E164, E2ETestCase, main

METHODS = "publickey,keyboard-interactive"


class KbdIntRegistration(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b", "c", "d")

    def test_1_register_in_command_login_then_silent(self):
        u = self.env.user("a")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS, lang="C.UTF-8")
        code = self.register(c, u)
        status, out = self.finish("registration, ssh host command", c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [(m, 1) for m in REGISTRATION] + [(DONE, 1)])
        # Each prompt's held messages start after the client's prefix.
        self.assertIn(f"({u}@127.0.0.1) {INTRO}", out)
        self.assertIn(f"{DONE}\n  - Authentication phone {masked('23')}\n"
                      "LOGGED-IN\n", out)
        self.assertEqual(out.count(code), 1, "the code is only echoed")
        rec = self.env.record(u)
        self.assertEqual([(m["type"], m["value"]) for m in rec["methods"]],
                         [("mobile", US_E164)])
        self.assertTrue(self.env.cached(u))
        sent = len(self.env.outbox_lines())

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        status, out = self.finish("next login", c)
        self.assertEqual(status, 0, out)
        # Only pam_unix's password prompt; nothing from pam_sspr.
        self.assertEqual(out, f"({u}@127.0.0.1) Password: \nLOGGED-IN\n")
        self.assertEqual(len(self.env.outbox_lines()), sent)

    def test_2_register_in_interactive_pty_login(self):
        u = self.env.user("b")
        c = self.ssh(u, methods=METHODS, tty=True)  # LANG=C on the client
        self.register(c, u, number="201-555-0124", e164="+12015550124")
        self.shell(c)
        status, out = self.finish("registration, interactive login (-tt)", c)
        self.assertEqual(status, 0, out)
        self.assertIn("\nLOGGED-IN\n", out)
        # DONE twice: the banner (vis-escaped in the C locale), then sshd's
        # own copy on the pty just before the shell's prompt.
        self.assertEqual(out.count(DONE), 2, out)
        self.assertIn(f"{DONE}\n  - Authentication phone "
                      f"{masked('24', vis=True)}\n{DONE}\n"
                      f"  - Authentication phone {masked('24')}\n$ ", out)
        self.assertIsNotNone(self.env.record(u))

    def test_3_quit_is_explained_and_denied(self):
        u = self.env.user("c")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        c.expect("Choice [1]: ")
        c.send("q")
        status, out = self.finish("quit at the method menu", c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(INTRO, 1), (MENU, 1), (QUIT, 1)])
        self.assertRegex(out, r"helpdesk\.\n\nConnection closed by "
                              r"127\.0\.0\.1 port \d+\n$")
        self.assertNotIn("LOGGED-IN", out)
        self.assertIsNone(self.env.record(u))

    def test_4_quiet_client_loses_the_text_after_the_last_prompt(self):
        u = self.env.user("d")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     log_level="QUIET", lang="C.UTF-8")
        self.register(c, u, number="201-555-0125", e164="+12015550125")
        status, out = self.finish("registration, ssh -o LogLevel=QUIET", c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [(m, 1) for m in REGISTRATION] + [(DONE, 0)])
        self.assertIn(f"{BACKUP}n\nLOGGED-IN\n", out)
        self.assertIsNotNone(self.env.record(u))
        self.assertEqual(out.count(CODE), 1)


if __name__ == "__main__":
    main()
