"""Who the module applies to, and callers that behave unusually: PAM_SILENT,
an application that ignores SIGCHLD, an application that is not root."""
import os
import shutil
import subprocess

from harness import (HELPER, MODULE, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                     PAM_PERM_DENIED, PAM_SUCCESS, PAMTEST, PamTestCase,
                     main)

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


QR_GLYPHS = set(" \u2580\u2584\u2588")


def messages(out):
    """The conversation as (kind, text) pairs; a message's text may span
    several printed lines."""
    kinds = ("INFO", "ERROR", "PROMPT", "ANSWER", "CHILDREN", "RESULT")
    msgs = []
    for line in out.split("\n"):
        kind = line.split(": ", 1)[0]
        if kind in kinds and line.startswith(kind + ": "):
            msgs.append([kind, line[len(kind) + 2:]])
        elif msgs:
            msgs[-1][1] += "\n" + line
    return [(k, t) for k, t in msgs]


def qr_lines(msgs):
    """The lines of block-glyph text shown in INFO messages."""
    lines = []
    for kind, text in msgs:
        if kind != "INFO":
            continue
        for line in text.split("\n"):
            if line and set(line) <= QR_GLYPHS and line.strip():
                lines.append(line)
    return lines


class ServiceAndRhost(PamTestCase):
    """only_services, skip_services, skip_rhosts: decided in the module,
    before the cache and the helper."""

    def assertNotChecked(self, out):
        # Nothing shown but the marker of pam_debug below us in the stack.
        shown = [t for k, t in messages(out) if k in ("INFO", "ERROR", "PROMPT")]
        self.assertEqual(shown, ["acct=try_again"], out)

    def assertDialogue(self, code, out):
        # In scope: the helper runs; no answers given, so the conversation
        # fails at the first prompt and the login is refused.
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("PROMPT:", out)

    def test_skip_services_matching_is_ignored(self):
        self.env.set(skip_services="sudo, cron " + self.env.service)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertNotChecked(out)
        # Compared without regard to case.
        self.env.set(skip_services=self.env.service.upper())
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)

    def test_skip_services_other_service_checked(self):
        self.env.set(skip_services="sudo,cron")
        self.assertDialogue(*self.env.run("alice"))

    def test_only_services_not_matching_is_ignored(self):
        self.env.set(only_services="sshd login")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertNotChecked(out)

    def test_only_services_matching_is_checked(self):
        self.env.set(only_services="sshd," + self.env.service)
        self.assertDialogue(*self.env.run("alice"))

    def test_skip_services_wins_over_only_services(self):
        self.env.set(only_services=self.env.service,
                     skip_services=self.env.service)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)

    def test_module_argument(self):
        self.env.args = "skip_services=" + self.env.service
        self.env.write()
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)

    def test_skip_rhosts(self):
        self.env.set(skip_rhosts="10.0.0.0/8, 192.168.1.5 fd00::/8")
        for rhost in ("10.1.2.3", "10.255.255.255", "192.168.1.5",
                      "fd12:3456::1", "fdff::1", "::ffff:10.0.0.7"):
            code, out = self.env.run("alice", extra=["--rhost", rhost])
            self.assertResult(code, PAM_IGNORE, out + f"\nrhost={rhost}")
            self.assertNotChecked(out)
        # Outside every network, a host name (never resolved) and no
        # rhost at all: the dialogue runs.
        for rhost in ("11.0.0.1", "192.168.1.6", "fc00::1", "2001:db8::1",
                      "10.example.com", None):
            extra = ["--rhost", rhost] if rhost else []
            code, out = self.env.run("alice", extra=extra)
            self.assertDialogue(code, out + f"\nrhost={rhost}")

    def test_skip_rhosts_invalid_entry_is_config_error(self):
        # failmode on the module line, as pam_sspr.conf(5) advises: the
        # file's own failmode is not trusted once the file has an error.
        self.env.args = "failmode=secure"
        self.env.set(skip_rhosts="10.0.0.0/8, gateway.lan")
        code, out = self.env.run("alice", extra=["--rhost", "10.1.1.1"])
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertNotIn("PROMPT", out)

    def check_qr(self, msgs):
        for kind, text in msgs:
            if kind in ("INFO", "ERROR"):
                self.assertLessEqual(len(text.encode()), 511, text)
        lines = qr_lines(msgs)
        self.assertTrue(lines, "no QR code shown")
        width = len(lines[0])
        self.assertTrue(all(len(l) == width for l in lines), lines)
        # A square of width x width modules, two rows per line, quiet zone
        # of light (block) modules all round.
        self.assertEqual(len(lines), (width + 1) // 2)
        self.assertEqual(lines[0], "\u2588" * width)
        self.assertEqual(lines[-1], "\u2580" * width)
        scan = [t for k, t in msgs if k == "INFO" and "Scan to register:" in t]
        self.assertEqual(len(scan), 1, msgs)
        return lines

    def test_block_shows_qr(self):
        self.env.set(mode="block")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_PERM_DENIED, out)
        msgs = messages(out)
        self.assertIn("https://aka.ms/ssprsetup",
                      " ".join(t for k, t in msgs if k == "ERROR"))
        lines = self.check_qr(msgs)
        self.assertEqual(len(lines[0]), 25 + 4)  # version 2, quiet zone 2

    def test_warn_shows_qr_of_long_url_in_several_messages(self):
        url = "https://sspr.example.com/register?" + "q" * 300
        self.env.set(mode="warn", enroll_url=url)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        msgs = messages(out)
        lines = self.check_qr(msgs)
        self.assertGreater(len(lines[0]), 60)
        infos = [t for k, t in msgs if k == "INFO"]
        self.assertGreater(len(infos), 5)  # split by the module

    def test_show_qr_no(self):
        self.env.set(mode="block", show_qr="no")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(qr_lines(messages(out)), [])
        self.assertNotIn("Scan to register", out)


if __name__ == "__main__":
    main()
