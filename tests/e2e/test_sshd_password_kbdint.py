"""Registration inside a password login: sshd with AuthenticationMethods
keyboard-interactive alone; pam_unix (common-auth) asks the password in the
same keyboard-interactive exchange, then pam_sspr's account dialogue runs:
the intro opens the first question after the password, DONE is the text of
the closing question (answered with Enter), each shown once.
"""
from e2e_case import US_E164, E2ETestCase, main
from messages import BACKUP, CONTINUE, DONE, INTRO, REGISTRATION, masked

METHODS = "keyboard-interactive"


class PasswordKbdInt(E2ETestCase):
    auth_methods = METHODS
    users = ("a", "b")

    def test_1_a_user_registers_after_the_password_then_is_silent(self):
        u = self.env.user("a")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS, lang="C.UTF-8")
        self.register(c, u)
        status, out = self.finish("password + registration", c)
        self.assertEqual(status, 0, out)
        self.assertShown(out, [("Password: ", 1)] +
                         [(m, 1) for m in REGISTRATION] + [("LOGGED-IN", 1)])
        self.assertNoRepeats(out, allow=("Choice [1]: 1",))
        self.assertTrue(out.startswith(f"({u}@127.0.0.1) Password: \n"
                                       f"({u}@127.0.0.1) {INTRO}\n"), out)
        self.assertTrue(out.endswith(
            f"{BACKUP}n\n({u}@127.0.0.1) {DONE}\n"
            f"  - Authentication phone {masked('23')}\n{CONTINUE}\n"
            "LOGGED-IN\n"), out)
        self.assertEqual(self.env.record(u)["methods"][0]["value"], US_E164)

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        status, out = self.finish("next password login", c)
        self.assertEqual(status, 0, out)
        self.assertEqual(out, f"({u}@127.0.0.1) Password: \nLOGGED-IN\n")

    def test_2_wrong_password_never_reaches_the_dialogue(self):
        u = self.env.user("b")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     extra=("-o", "NumberOfPasswordPrompts=1"))
        c.expect(f"({u}@127.0.0.1) Password: ")
        c.send("not-the-password")
        status, out = self.finish("wrong password", c)
        self.assertEqual(status, 255, out)
        self.assertEqual(out, f"({u}@127.0.0.1) Password: \n"
                              f"{u}@127.0.0.1: Permission denied "
                              "(keyboard-interactive).\n")
        self.assertIsNone(self.env.record(u))
        self.assertEqual(self.env.helpers(), [])


if __name__ == "__main__":
    main()
