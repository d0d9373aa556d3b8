"""Registration inside a real SSH login: sshd with
AuthenticationMethods publickey,keyboard-interactive (as README.md advises).

What OpenSSH 9.2 does with our PAM messages (auth-pam.c, auth2.c,
session.c), and so what the helper does (helper/dialogue.cc):
- an INFO/ERROR before a prompt is held (by sshd, and now by the helper
  itself) and sent as the first lines of that prompt's text, so the client
  shows "(user@host) " + the messages + the prompt: shown once; an error
  ("That code is not correct") opens the prompt asked again;
- an INFO after the last prompt of a login that succeeds would go to
  sshd's loginmsg: a USERAUTH_BANNER (lost with ssh -q) and, for a pty
  login, printed AGAIN before the shell. So after a success the helper
  makes what it said after the last question (DONE, or the warn-mode
  reminder) one last question ending in CONTINUE, answered with Enter:
  shown once by every client, and nothing follows it;
- an ERROR after the last prompt of a login that fails (QUIT, TOO_MANY)
  goes as a plain message: sent as the instruction of a prompt-less
  keyboard-interactive request, shown once, followed by an empty line.
Each test checks that every text is shown exactly once (also any other
line: assertNoRepeats) and what follows the final answer.
"""
import re

from e2e_case import US_E164, E2ETestCase, main
from messages import (BACKUP, CODE, CONTINUE, DONE, INTRO, MENU, NUMBER,
                      QR_CHARS, QUIT, REGISTRATION, SCAN, SENT, TOO_MANY,
                      TOO_SHORT, VERIFIED, WARN, WARN_FULL, WRONG, masked)

METHODS = "publickey,keyboard-interactive"


class KbdIntRegistration(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b", "c", "d", "e", "f", "g")

    def test_1_a_command_login_registers_then_is_silent(self):
        u = self.env.user("a")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS, lang="C.UTF-8")
        code = self.register(c, u)
        status, out = self.finish("registration, ssh host command", c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [(m, 1) for m in REGISTRATION] +
                         [("LOGGED-IN", 1)])
        self.assertNoRepeats(out, allow=("Choice [1]: 1",))
        # Each prompt's held messages start after the client's prefix.
        self.assertIn(f"({u}@127.0.0.1) {INTRO}", out)
        # DONE is the text of the closing question; Enter answers it and
        # the command's output follows at once.
        self.assertTrue(out.endswith(
            f"{BACKUP}n\n({u}@127.0.0.1) {DONE}\n"
            f"  - Authentication phone {masked('23')}\n{CONTINUE}\n"
            "LOGGED-IN\n"), out)
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

    def test_2_an_interactive_pty_login_registers(self):
        u = self.env.user("b")
        c = self.ssh(u, methods=METHODS, tty=True)  # LANG=C on the client
        self.register(c, u, number="201-555-0124", e164="+12015550124")
        self.shell(c)
        status, out = self.finish("registration, interactive login (-tt)", c)
        self.assertEqual(status, 0, out)
        # DONE once, in the closing question (vis-escaped by the client in
        # the C locale); sshd prints no copy of it before the shell.
        self.assertShown(out, [(m, 1) for m in REGISTRATION] +
                         [("\nLOGGED-IN\n", 1)])
        self.assertNoRepeats(out, allow=("Choice [1]: 1",))
        self.assertIn(f"{BACKUP}n\n({u}@127.0.0.1) {DONE}\n"
                      f"  - Authentication phone {masked('24', vis=True)}\n"
                      f"{CONTINUE}\n$ ", out)
        self.assertIsNotNone(self.env.record(u))

    def test_3_quit_is_explained_and_denied(self):
        u = self.env.user("c")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        c.expect("Choice [1]: ")
        c.send("q")
        status, out = self.finish("quit at the method menu", c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(INTRO, 1), (MENU, 1), (QUIT, 1),
                               (CONTINUE, 0), ("LOGGED-IN", 0)])
        self.assertNoRepeats(out)
        self.assertRegex(out, rf"Choice \[1\]: q\n{re.escape(QUIT)}[^\n]*helpdesk\.\n"
                              r"\nConnection closed by 127\.0\.0\.1 port "
                              r"\d+\n$")
        self.assertIsNone(self.env.record(u))

    def test_4_quiet_client_shows_everything_once(self):
        # ssh -q drops banners; nothing the helper says is one any more.
        u = self.env.user("d")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     extra=("-q",), lang="C.UTF-8")
        self.register(c, u, number="201-555-0125", e164="+12015550125")
        status, out = self.finish("registration, ssh -q", c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [(m, 1) for m in REGISTRATION] +
                         [("LOGGED-IN", 1)])
        self.assertNoRepeats(out, allow=("Choice [1]: 1",))
        self.assertTrue(out.endswith(
            f"{BACKUP}n\n({u}@127.0.0.1) {DONE}\n"
            f"  - Authentication phone {masked('25')}\n{CONTINUE}\n"
            "LOGGED-IN\n"), out)
        self.assertIsNotNone(self.env.record(u))

    def test_5_errors_are_held_until_the_next_prompt(self):
        u = self.env.user("e")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        for prompt, answer in (("Choice [1]: ", "1"), ("[US]: ", ""),
                               ("with area code: ", "12"),
                               ("with area code: ", "201-555-0126"),
                               ("Choice [1]: ", "1"), (CODE, "000000")):
            c.expect(prompt)
            c.send(answer)
        c.expect(CODE)
        c.send(self.env.newest_code("+12015550126"))
        c.expect(BACKUP)
        c.send("n")
        c.expect(CONTINUE)
        c.send("")
        status, out = self.finish("an invalid number and a wrong code", c)
        self.assertEqual(status, 0, out)
        # The ERROR text opens the text of the prompt asked again.
        self.assertRegex(out, rf"with area code: 12\n\({u}@127\.0\.0\.1\) "
                              rf"{re.escape(TOO_SHORT)}[^\n]*\n"
                              rf"{re.escape(NUMBER)}201-555-0126\n")
        self.assertIn(f"{CODE}000000\n({u}@127.0.0.1) {WRONG}2 attempts "
                      f"left.\n{CODE}", out)
        self.assertShown(out, [(INTRO, 1), (NUMBER, 2), (TOO_SHORT, 1),
                               (SENT, 1), (CODE, 2), (WRONG, 1),
                               (VERIFIED, 1), (BACKUP, 1), (DONE, 1),
                               (CONTINUE, 1), ("LOGGED-IN", 1)])
        self.assertNoRepeats(out, allow=("Choice [1]: 1",))
        self.assertTrue(out.endswith(f"{CONTINUE}\nLOGGED-IN\n"), out)

    def test_6_failure_after_the_last_prompt_is_shown_once(self):
        u = self.env.user("f")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.register(c, u, number="201-555-0127", e164="+12015550127",
                      until="code")
        for _ in range(2):
            c.send("000000")
            c.expect(CODE)
        c.send("000000")
        status, out = self.finish("three wrong codes", c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(SENT, 1), (CODE, 3),
                               (WRONG + "2 attempts left.", 1),
                               (WRONG + "1 attempt left.", 1),
                               (TOO_MANY, 1), (CONTINUE, 0),
                               ("LOGGED-IN", 0)])
        self.assertNoRepeats(out, allow=(CODE + "000000", "Choice [1]: 1"))
        self.assertIn(f"{CODE}000000\n({u}@127.0.0.1) {WRONG}1 attempt "
                      f"left.\n{CODE}000000\n{TOO_MANY}\n", out)
        self.assertRegex(out, rf"000000\n{re.escape(TOO_MANY)}\n\nConnection closed "
                              r"by 127\.0\.0\.1 port \d+\n$")
        self.assertIsNone(self.env.record(u))

    def warn_login(self, u, title, tty):
        """mode=warn: the reminder and its QR code are the text of the one
        question asked; Enter lets the user in."""
        if tty:
            c = self.ssh(u, methods=METHODS, tty=True, lang="C.UTF-8")
        else:
            c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                         lang="C.UTF-8")
        self.password(c, u)
        c.expect(CONTINUE)
        c.send("")
        if tty:
            self.shell(c)
        status, out = self.finish(title, c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [(WARN_FULL, 1), (SCAN, 1), (CONTINUE, 1)])
        self.assertQr(out)
        self.assertNoRepeats(out)
        self.assertRegex(out, rf"^\({u}@127\.0\.0\.1\) Password: \n"
                              rf"\({u}@127\.0\.0\.1\) {re.escape(WARN_FULL)}\n"
                              rf"{SCAN}\n(?:[{QR_CHARS}]+\n)+"
                              rf"{re.escape(CONTINUE)}\n"
                              + (r"\$ " if tty else r"LOGGED-IN\n$"))
        return out

    def test_7_warn_mode_reminder_is_the_last_question(self):
        u = self.env.user("g")
        self.env.set(mode="warn")
        try:
            self.warn_login(u, "warn mode, ssh host command", tty=False)
            out = self.warn_login(u, "warn mode, interactive (-tt)", tty=True)
            self.assertEqual(out.count("\nLOGGED-IN\n"), 1, out)
        finally:
            self.env.set(mode="register")
        self.assertIsNone(self.env.record(u))


if __name__ == "__main__":
    main()
