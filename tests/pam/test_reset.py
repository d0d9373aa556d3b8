"""The reset at the login prompt (issue 15) through the real libpam, the
real pam_unix, the real module, helper and sspr-setpass, with real local
accounts (useradd, a known password in /etc/shadow; removed afterwards).

The auth stack is the one the README gives:
    auth [success=done default=ignore] pam_unix.so
    auth requisite pam_sspr.so ... reset = yes
    auth required  pam_deny.so
sspr-setpass runs a private password service written to /etc/pam.d for
each test (pam_pwquality with enforce_for_root, then pam_unix), so the
refusal of a weak password is real; it is removed afterwards."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sspr_env import child_processes  # noqa: E402  (harness put it on the path)

SETPASS = os.environ.get("SSPR_SETPASS", "")
PAM_AUTH_ERR = 7
PWQUALITY = "/usr/lib/x86_64-linux-gnu/security/pam_pwquality.so"
LIBCRYPT = "/lib/x86_64-linux-gnu/libcrypt.so.1"
US = "201-555-0123"
OLD_PW = "Old-Horse-Battery-71"
NEW_PW = "Tq7#vLm2!pZr9wKx"
WEAK_PW = "abc12"
# Registration in the account phase: mobile, default region, the number,
# text me, the code, no backup, Enter.
REGISTER = ["1", "", US, "1", "@code", "n", ""]


class RealAccountEnv(harness.Env):
    """An Env whose pam.d service has the auth stack above, for accounts
    the system itself knows (no nss_wrapper: pam_unix reads /etc/shadow)."""

    def __init__(self, **kw):
        self.passwd_service = f"sspr-test-passwd-{os.getpid()}"
        conf = {"reset": "yes", "reset_passwd_service": self.passwd_service,
                "reset_contact": "the IT desk"}
        conf.update(kw.pop("conf", {}))
        super().__init__(conf=conf, **kw)
        self.write_passwd_service(
            f"password requisite {PWQUALITY} retry=1 minlen=12 "
            "enforce_for_root\n"
            "password required pam_unix.so use_authtok yescrypt\n")

    def write_passwd_service(self, text):
        with open(f"/etc/pam.d/{self.passwd_service}", "w") as f:
            f.write(text)

    def write(self):
        super().write()
        line = (f"{self.module} conf={self.conf_path} helper={self.helper} "
                f"setpass={SETPASS} {self.args}")
        path = os.path.join(self.confdir, self.service)
        with open(path) as f:
            account = f.read()
        with open(path, "w") as f:
            f.write("auth [success=done default=ignore] pam_unix.so\n"
                    f"auth requisite {line}\n"
                    "auth required pam_deny.so\n" + account)

    def command_env(self, preload=()):
        # libcrypt loaded from the start: pam_unix's crypt_r goes through
        # the sanitizer's interceptor, which finds the real one only when
        # libcrypt is there before it (sanitizer builds; harmless in others).
        return {"PATH": "/usr/bin:/bin",
                "LD_PRELOAD": " ".join([LIBCRYPT, *preload]),
                "ASAN_OPTIONS": "verify_asan_link_order=0"}

    def ensure_person(self, user):
        pass  # real accounts

    def auth(self, user, *answers):
        return self.run(user, *answers, extra=("--auth",))

    def cleanup(self):
        try:
            os.unlink(f"/etc/pam.d/{self.passwd_service}")
        except FileNotFoundError:
            pass
        super().cleanup()


class ResetTest(harness.PamTestCase):
    groups = ()

    def setUp(self):
        self.user = f"ssprrst{os.getpid() % 100000}{self.id()[-4:].lower()}"
        self.user = "".join(c for c in self.user if c.isalnum())[:30]
        cmd = ["useradd", "-M", "-s", "/bin/sh"]
        if self.groups:
            cmd += ["-G", ",".join(self.groups)]
        subprocess.run(cmd + [self.user], check=True)
        self.addCleanup(subprocess.run, ["userdel", "-f", self.user],
                        capture_output=True)
        self.addCleanup(harness.end_account, self.user)
        subprocess.run(["chpasswd"], input=f"{self.user}:{OLD_PW}\n",
                       text=True, check=True)
        self.env = RealAccountEnv()

    def register(self):
        code, out = self.env.run(self.user, *REGISTER)
        self.assertEqual(code, harness.PAM_SUCCESS, out)
        self.assertEqual(len(self.env.record(self.user)["methods"]), 1, out)

    def assertLogin(self, password, want):
        code, out = self.env.auth(self.user, password, "")
        self.assertEqual(code, want, out)
        return out

    def shadow(self):
        with open("/etc/shadow") as f:
            return [l for l in f if l.startswith(self.user + ":")][0]


class Offered(ResetTest):
    def test_a_wrong_password_then_a_reset_makes_the_new_password_work_and_the_old_fail(self):
        self.register()
        before = self.shadow()
        code, out = self.env.auth(self.user, "not-the-password", "r", "",
                                  "@code", NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)  # a reset logs nobody in
        self.assertIn("Forgot your password?", out)
        self.assertIn("Your password was changed. Log in with the new "
                      "password.", out)
        self.assertNotEqual(self.shadow(), before)
        sent = [m["text"] for m in self.env.outbox_lines()]
        self.assertIn("RESET YOUR PASSWORD", sent[-2])  # the code's text
        self.assertRegex(sent[-1], r"Your password on \S+ was reset at .* "
                         r"If this wasn't you, contact the IT desk\.")
        self.assertNotIn(NEW_PW, "".join(sent))
        with open(os.path.join(self.env.state, "reset", self.user)) as f:
            self.assertRegex(f.read(), r"(?m)^last \d+$")  # sspr-admin show
        self.assertLogin(NEW_PW, harness.PAM_SUCCESS)
        out = self.assertLogin(OLD_PW, PAM_AUTH_ERR)
        self.assertIn("Forgot your password?", out)  # Enter: try again

    def test_enter_at_the_offer_is_a_plain_failed_login_and_changes_nothing(self):
        self.register()
        before = self.shadow()
        code, out = self.env.auth(self.user, "not-the-password", "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Forgot your password?", out)
        self.assertEqual(self.shadow(), before)
        self.assertEqual(len(self.env.outbox_lines()), 1)  # no code sent

    def test_wrong_codes_are_counted_and_lock_the_reset_for_the_day(self):
        self.env.set(reset_fail_limit=2, max_attempts=5)
        self.register()
        before = self.shadow()
        code, out = self.env.auth(self.user, "wrong", "r", "", "@wrongcode",
                                  "@wrongcode", "@code", NEW_PW, NEW_PW)
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Password reset is locked for your account until", out)
        self.assertNotIn("New password", out)
        self.assertEqual(self.shadow(), before)
        # The next login is told at once, before any code is sent.
        sent = len(self.env.outbox_lines())
        code, out = self.env.auth(self.user, "wrong", "r", "", "@code")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Password reset is locked for your account until", out)
        self.assertEqual(len(self.env.outbox_lines()), sent)
        self.assertLogin(OLD_PW, harness.PAM_SUCCESS)

    def test_a_pwquality_refusal_is_shown_and_asked_again(self):
        self.register()
        code, out = self.env.auth(self.user, "wrong", "r", "", "@code",
                                  WEAK_PW, WEAK_PW, NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("BAD PASSWORD", out)  # pam_pwquality's own words
        self.assertIn("This password was refused. Please choose another.", out)
        self.assertIn("Your password was changed.", out)
        self.assertLogin(NEW_PW, harness.PAM_SUCCESS)
        self.assertLogin(WEAK_PW, PAM_AUTH_ERR)

    def test_two_different_passwords_are_asked_again(self):
        self.register()
        code, out = self.env.auth(self.user, "wrong", "r", "", "@code",
                                  NEW_PW, NEW_PW + "x", NEW_PW, NEW_PW, "")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("The passwords do not match.", out)
        self.assertLogin(NEW_PW, harness.PAM_SUCCESS)

    def test_a_password_stack_that_fails_mid_reset_changes_nothing_and_says_so(self):
        self.register()
        self.env.write_passwd_service(
            "password requisite pam_debug.so chauthtok=service_err "
            "prechauthtok=service_err\n"
            "password required pam_unix.so use_authtok yescrypt\n")
        before = self.shadow()
        code, out = self.env.auth(self.user, "wrong", "r", "", "@code",
                                  NEW_PW, NEW_PW)
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Your password could not be changed and is unchanged. "
                      "Please try again later or contact the IT desk.", out)
        self.assertEqual(self.shadow(), before)
        self.assertLogin(OLD_PW, harness.PAM_SUCCESS)

    def test_a_person_without_registered_methods_is_not_offered_a_reset(self):
        out = self.assertLogin("wrong", PAM_AUTH_ERR)
        self.assertNotIn("Forgot your password?", out)


class Excluded(ResetTest):
    groups = ("adm",)  # in the default reset_exclude_groups

    def test_members_of_an_excluded_group_are_never_offered_a_reset(self):
        self.register()
        out = self.assertLogin("wrong", PAM_AUTH_ERR)
        self.assertNotIn("Forgot your password?", out)
        self.assertLogin(OLD_PW, harness.PAM_SUCCESS)

    def test_an_exempt_user_is_never_offered_a_reset(self):
        self.register()
        self.env.set(exempt_users=self.user)
        out = self.assertLogin("wrong", PAM_AUTH_ERR)
        self.assertNotIn("Forgot your password?", out)


class Off(ResetTest):
    def test_without_reset_yes_nothing_is_offered(self):
        self.register()
        self.env.set(reset="no")
        out = self.assertLogin("wrong", PAM_AUTH_ERR)
        self.assertNotIn("Forgot your password?", out)

    def test_root_is_never_offered_a_reset_even_with_check_root(self):
        self.env.set(check_root="yes")
        code, out = self.env.auth("root", "surely-not-roots-password", "r")
        self.assertEqual(code, PAM_AUTH_ERR, out)
        self.assertNotIn("Forgot your password?", out)


def children(pid):
    """{comm: pid} of the processes whose parent is `pid`."""
    return {comm: kid for kid, comm in child_processes(pid)}


class Interrupted(ResetTest):
    """A reset cut short by a signal or run under the caller's odd process
    state: never PAM_SUCCESS, never a half-set password, and the log and
    the person are told what happened."""

    def setUp(self):
        super().setUp()
        self.env.cleanup()  # this class's own env: with the syslog shim
        self.env = RealAccountEnv(syslog=True)
        self.sleep = os.path.join(self.env.root, "pam-exec-sleep")
        # pam_exec between the quality check and pam_unix: sspr-setpass
        # takes 3 s to set the password, the window for the signal.
        self.env.write_passwd_service(
            f"password requisite {PWQUALITY} retry=1 minlen=12 "
            "enforce_for_root\n"
            "password optional pam_exec.so quiet /bin/sleep 3\n"
            "password required pam_unix.so use_authtok yescrypt\n")

    def reset_and_kill(self, comm):
        """A reset whose `comm` child of the driver is SIGKILLed one second
        after sspr-setpass started; returns (code, transcript)."""
        cmd = [harness.PAMTEST, "--confdir", self.env.confdir, "--service",
               self.env.service, "--user", self.user, "--outbox",
               self.env.outbox, "--auth", "wrong", "r", "", "@code", NEW_PW,
               NEW_PW, ""]
        env = self.env.command_env(preload=[harness.SHIM])
        env["SSPR_SYSLOG_FILE"] = self.env.syslog
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env,
                             stdin=subprocess.DEVNULL)
        killed = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            kids = children(p.pid)
            if "sspr-setpass" in kids:
                time.sleep(1)
                os.kill(kids[comm], signal.SIGKILL)
                killed = True
                break
            time.sleep(0.02)
        out, _ = p.communicate(timeout=60)
        self.assertTrue(killed, out)
        return p.returncode, out

    def test_killing_sspr_setpass_mid_reset_changes_nothing_and_says_so(self):
        self.register()
        before = self.shadow()
        code, out = self.reset_and_kill("sspr-setpass")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertIn("Your password could not be changed and is unchanged.",
                      out)
        self.assertEqual(self.shadow(), before)
        self.assertLogin(OLD_PW, harness.PAM_SUCCESS)

    def test_a_helper_killed_while_the_password_is_set_is_logged_as_set(self):
        # The password is set (sspr-setpass finishes), but nobody is left
        # to tell the person or notify the methods: the log must say that
        # the password changed, not only that the helper failed.
        self.register()
        before = self.shadow()
        code, out = self.reset_and_kill("sspr-helper")
        self.assertResult(code, PAM_AUTH_ERR, out)
        self.assertNotEqual(self.shadow(), before)
        self.assertRegex(self.env.log(),
                         r"reset: user=\S+ service=\S+ outcome=unavailable "
                         r"result=auth-err: .*the password WAS changed")
        self.assertLogin(NEW_PW, harness.PAM_SUCCESS)

    def test_a_reset_under_the_callers_umask_and_fd_limit_keeps_modes(self):
        self.register()
        self.env.write_passwd_service(
            "password required pam_unix.so yescrypt\n")
        shadow = os.stat("/etc/shadow")
        for umask, pw in (("777", NEW_PW), ("000", NEW_PW + "2")):
            with self.subTest(umask=umask):
                cmd = [harness.PAMTEST, "--confdir", self.env.confdir,
                       "--service", self.env.service, "--user", self.user,
                       "--outbox", self.env.outbox, "--auth", "wrong", "r",
                       "", "@code", pw, pw, ""]
                p = subprocess.run(
                    ["/bin/sh", "-c", f"umask {umask}; ulimit -n 10; "
                     'exec "$@"', "sh", *cmd], capture_output=True,
                    text=True, timeout=120, env=self.env.command_env(),
                    stdin=subprocess.DEVNULL)
                out = p.stdout + p.stderr
                self.assertResult(p.returncode, PAM_AUTH_ERR, out)
                self.assertIn("Your password was changed.", out)
                self.assertLogin(pw, harness.PAM_SUCCESS)
                now = os.stat("/etc/shadow")
                self.assertEqual((now.st_mode, now.st_uid, now.st_gid),
                                 (shadow.st_mode, shadow.st_uid,
                                  shadow.st_gid))
                st = os.stat(os.path.join(self.env.state, "reset",
                                          self.user))
                self.assertEqual(st.st_mode & 0o777, 0o600)
                st = os.stat(os.path.join(self.env.state, "reset"))
                self.assertEqual(st.st_mode & 0o777, 0o700)


if __name__ == "__main__":
    if not SETPASS or not os.path.exists(SETPASS):
        print("FAIL: SSPR_SETPASS is not set to a built file (run via ctest)")
        sys.exit(1)
    if not os.path.exists(PWQUALITY):
        print(f"FAIL: {PWQUALITY} is missing: install libpam-pwquality "
              "(scripts/install-deps)")
        sys.exit(1)
    harness.main()
