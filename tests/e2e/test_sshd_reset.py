"""The reset at the login prompt over a real sshd keyboard-interactive
login: the auth lines of the README (pam_unix, then pam_sspr, then
pam_deny), a person who registered a phone, a wrong password, the offer,
the code, the new password twice; the login fails, and the next one with
the new password gets in while the old one does not. sspr-setpass runs a
private password service (pam_unix) written to /etc/pam.d and removed
afterwards."""
import os
import shutil

from e2e_case import E2ETestCase, main
from messages import CODE, CONTINUE
from sshd_env import MODULE, SshdEnv

SETPASS = os.environ.get("SSPR_SETPASS", "")
METHODS = "keyboard-interactive"
NEW_PW = "Tq7#vLm2!pZr9wKx"
OFFER = "Forgot your password?"
CHANGED = "Your password was changed. Log in with the new password."


class ResetEnv(SshdEnv):
    def start(self):
        self.passwd_service = self.service + "-passwd"
        self.set(reset="yes", reset_passwd_service=self.passwd_service)
        super().start()
        setpass = os.path.join(self.bin, "sspr-setpass")
        shutil.copy2(SETPASS, setpass)
        os.chmod(setpass, 0o755)
        with open(f"/etc/pam.d/{self.passwd_service}", "w") as f:
            f.write("password required pam_unix.so yescrypt\n")
        with open(self.pamd_file) as f:
            rest = f.read().replace("@include common-auth\n", "")
        with open(self.pamd_file, "w") as f:
            f.write("auth [success=done default=ignore] pam_unix.so\n"
                    f"auth requisite {MODULE} conf={self.conf_path} "
                    f"helper={self.helper} setpass={setpass}\n"
                    "auth required pam_deny.so\n" + rest)

    def cleanup(self):
        try:
            os.unlink(f"/etc/pam.d/{self.passwd_service}")
        except (AttributeError, FileNotFoundError):
            pass
        super().cleanup()


class SshdReset(E2ETestCase):
    auth_methods = METHODS
    users = ("a",)
    limit = 90

    @classmethod
    def make_env(cls):
        return ResetEnv(cls.auth_methods, cls.users, cls.conf)

    def test_a_wrong_password_a_reset_and_a_login_with_the_new_password(self):
        u = self.env.user("a")
        old = self.env.users[u]
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.register(c, u)
        status, out = self.finish("registration", c)
        self.assertEqual(status, 0, out)

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     extra=("-o", "NumberOfPasswordPrompts=1"))
        c.expect(f"({u}@127.0.0.1) Password: ")
        c.send("not-the-password")
        c.expect("Choice: ")
        self.assertIn(OFFER, c.text)
        c.send("r")
        c.expect("Choice [1]: ")
        c.send("")
        c.expect(CODE)
        c.send(self.env.newest_code("+12015550123"))
        c.expect("New password: ")
        c.send(NEW_PW)
        c.expect("Retype new password: ")
        c.send(NEW_PW)
        c.expect(CONTINUE)
        c.send("")
        status, out = self.finish("reset", c)
        self.assertEqual(status, 255, out)  # the reset logs nobody in
        self.assertEqual(out.count(CHANGED), 1, out)
        self.assertNotIn(NEW_PW, out)
        self.assertNotIn("LOGGED-IN", out)

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        c.expect(f"({u}@127.0.0.1) Password: ")
        c.send(NEW_PW)
        status, out = self.finish("new password", c)
        self.assertEqual(status, 0, out)
        self.assertTrue(out.endswith("LOGGED-IN\n"), out)

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS,
                     extra=("-o", "NumberOfPasswordPrompts=1"))
        c.expect(f"({u}@127.0.0.1) Password: ")
        c.send(old)
        c.expect("Choice: ")
        c.send("")
        status, out = self.finish("old password", c)
        self.assertEqual(status, 255, out)
        self.assertNotIn("LOGGED-IN", out)


if __name__ == "__main__":
    main()
