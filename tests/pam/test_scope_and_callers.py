"""Who the module applies to, and callers that behave unusually: PAM_SILENT,
an application that ignores SIGCHLD, an application that is not root."""
import os
import shutil
import subprocess

from harness import (HELPER, MODULE, PAM_IGNORE, PAM_PERM_DENIED,
                     PAM_SUCCESS, PAMTEST, PamTestCase, main)

REGISTER = ("1", "", "201-555-0123", "1", "@code", "n")


class Scope(PamTestCase):

    def test_exempt_group(self):
        self.env.args = "exempt_groups=root"
        self.env.write()
        code, out = self.env.run("root")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertNotIn("PROMPT", out)

    def test_groups_limits_scope(self):
        self.env.args = "groups=no-such-group-sspr"
        self.env.write()
        code, out = self.env.run("root")
        self.assertResult(code, PAM_IGNORE, out)
        # An unknown user cannot be in a group either.
        code, out = self.env.run("ghost-user-sspr")
        self.assertResult(code, PAM_IGNORE, out)

    def test_groups_member_is_checked(self):
        self.env.args = "groups=root"
        self.env.write()
        code, out = self.env.run("root")  # cannot prompt: denied
        self.assertResult(code, PAM_PERM_DENIED, out)


class Callers(PamTestCase):

    def test_silent_hides_info_but_still_registers(self):
        code, out = self.env.run("alice", *REGISTER, extra=["--silent"])
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("INFO:", out)
        self.assertIn("PROMPT:", out)

    def test_application_ignoring_sigchld(self):
        code, out = self.env.run("alice", *REGISTER,
                                 extra=["--sigchld-ignore"])
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIsNotNone(self.env.record("alice"))

    def test_not_root_application_gets_failmode(self):
        # e.g. a screen locker running as the user: the helper is not root,
        # cannot drop to helper_user or read secrets, and says so.
        os.makedirs(self.env.cache, mode=0o755, exist_ok=True)
        # The build tree may sit where an unprivileged user cannot reach
        # (e.g. under /root): use copies inside the test's own 0755 dir.
        bins = os.path.join(self.env.root, "bin")
        os.mkdir(bins)
        pamtest = shutil.copy(PAMTEST, bins)
        self.env.module = shutil.copy(MODULE, bins)
        self.env.helper = shutil.copy(HELPER, bins)
        for failmode, want in (("safe", PAM_IGNORE), ("secure", 9)):
            self.env.set(failmode=failmode)
            cmd = ["setpriv", "--reuid=65534", "--regid=65534",
                   "--clear-groups", pamtest, "--confdir", self.env.confdir,
                   "--service", self.env.service, "--user", "alice", "1"]
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=60)
            code = PAM_IGNORE if p.returncode == 24 else p.returncode
            self.assertResult(code, want, p.stdout + p.stderr)
            self.assertNotIn("PROMPT", p.stdout)


if __name__ == "__main__":
    main()
