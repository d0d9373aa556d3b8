# This file is long because it is one table of the scope rules, row by row.
"""Who the module applies to (pam_sspr(8), SCOPE: rules a to f, each row
through real libpam), a broken config, and callers that behave unusually:
PAM_SILENT, an application that ignores SIGCHLD, one that is not root."""
import os
import shutil
import subprocess

from harness import (HELPER, MODULE, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                     PAM_PERM_DENIED, PAM_SUCCESS, PAMTEST, SHIM, Env,
                     PamTestCase, main)

REGISTER = ("1", "", "201-555-0123", "1", "@code", "n")


class Login:
    """One Env for a PAM service, with the shipped defaults of the scope
    keys (the harness otherwise marks its service interactive), and the
    module's syslog lines."""

    def __init__(self, case, service, args="", **conf):
        self.env = Env(service=service, conf=conf, args=args, syslog=True)
        del self.env.conf["interactive_services"]
        self.env.write()
        case.addCleanup(self.env.cleanup)

    def set(self, **kv):
        self.env.set(**kv)

    def run(self, user, *answers, tty=None, stdin_tty=False, extra=()):
        """The driver with PAM_TTY `tty` and stdin a pty or /dev/null."""
        if tty is not None:
            extra = (*extra, "--tty", tty)
        return self.env.run(user, *answers, extra=extra, stdin_tty=stdin_tty)

    def log(self):
        """The module's own lines (libpam logs some of its own)."""
        return [x for x in self.env.log().splitlines() if " pam_sspr(" in x]


class ScopeCase(PamTestCase):

    def setUp(self):
        super().setUp()
        if not SHIM or not os.path.exists(SHIM):
            self.fail("SSPR_SYSLOG_SHIM is not set to the built shim "
                      "(run via ctest)")

    def assertIgnored(self, got, why=""):
        code, out = got
        self.assertResult(code, PAM_IGNORE, out + why)
        self.assertNotIn("PROMPT", out)
        # Nothing shown but the marker of pam_debug below us in the stack.
        self.assertNotRegex(out, r"(INFO|ERROR): (?!acct=try_again)")

    def assertChecked(self, got, why=""):
        # In scope: the helper runs; no answers given, so the conversation
        # fails at the first prompt and the login is refused.
        code, out = got
        self.assertResult(code, PAM_PERM_DENIED, out + why)
        self.assertIn("PROMPT:", out)


class Accounts(ScopeCase):
    """Rules a to d, through a caller that can prompt (sshd, PAM_TTY ssh)."""

    def setUp(self):
        super().setUp()
        self.l = Login(self, "sshd")

    def ssh(self, user):
        return self.l.run(user, tty="ssh")

    def test_a_user_unknown_to_nss_is_not_checked_and_not_locked_out(self):
        self.assertIgnored(self.ssh("ghost-user-sspr"))
        self.assertEqual(self.l.log(), [])
        self.l.set(debug="yes")
        self.assertIgnored(self.ssh("ghost-user-sspr"))
        self.assertEqual(self.l.log(), [
            "<7> pam_sspr(sshd:account): user=ghost-user-sspr not checked: "
            "user unknown to the system (NSS)"])

    def test_b_root_is_checked_only_with_check_root(self):
        self.assertIgnored(self.ssh("root"))
        self.l.set(check_root="yes")
        self.assertChecked(self.ssh("root"))

    def test_c_system_accounts_are_not_checked(self):
        for user in ("www-data", "daemon", "nobody"):
            self.assertIgnored(self.ssh(user), user)
        self.assertChecked(self.ssh("bob"))  # uid 2002

    def test_c_min_uid_wins_over_login_defs(self):
        self.l.set(min_uid=10)
        self.assertChecked(self.ssh("www-data"))  # uid 33
        self.assertIgnored(self.ssh("daemon"))    # uid 1
        self.assertIgnored(self.ssh("nobody"))    # never a person
        self.l.set(min_uid=3000)
        self.assertIgnored(self.ssh("bob"))

    def test_d_exempt_users_and_groups_are_not_checked(self):
        self.l.set(exempt_users="carol", exempt_groups="sspr-admins")
        self.assertIgnored(self.ssh("carol"))
        self.assertIgnored(self.ssh("dave"))  # in sspr-admins
        self.assertChecked(self.ssh("bob"))

    def test_d_groups_limits_scope(self):
        self.l.set(groups="sspr-staff")
        self.assertChecked(self.ssh("alice"))  # in sspr-staff
        self.assertIgnored(self.ssh("erin"))

    def test_d_root_in_groups_needs_check_root(self):
        self.l.set(groups="root")
        self.assertIgnored(self.ssh("root"))
        self.l.set(check_root="yes")
        self.assertChecked(self.ssh("root"))


class Callers(ScopeCase):
    """Rule f: which caller can hold a dialogue; one test a row."""

    def test_f1_noninteractive_services_are_skipped_even_on_a_terminal(self):
        for service in ("cron", "atd", "systemd-user", "sudo", "sudo-i",
                        "runuser", "runuser-l", "polkit-1", "pkexec"):
            l = Login(self, service)
            self.assertIgnored(l.run("bob", tty="/dev/pts/0", stdin_tty=True),
                               service)
            self.assertEqual(l.log(), [], service)  # not one line

    def test_f2_sshd_asks(self):
        l = Login(self, "sshd")
        self.assertChecked(l.run("bob", tty="ssh"))

    def test_f3_a_terminal_asks_only_when_stdin_is_one(self):
        for service, tty in (("login", "/dev/tty1"), ("su-l", "pts/3"),
                             ("su", "/dev/pts/3"), ("login", "tty2")):
            l = Login(self, service)
            # su on a tty, login on a console.
            self.assertChecked(l.run("bob", tty=tty, stdin_tty=True), tty)
            # echo X | su - bob -c cat: PAM_TTY set, stdin a pipe.
            self.assertIgnored(l.run("bob", tty=tty), tty)

    def test_f4_a_display_asks(self):
        for tty in (":0", "ws1:0.0"):
            l = Login(self, "lightdm")
            self.assertChecked(l.run("bob", tty=tty), tty)

    def test_f3_gdm_is_not_checked_while_it_authenticates(self):
        # GDM (since 3.20) sets PAM_TTY to /dev/tty1 until the session
        # opens, and its worker's stdin is no terminal (README, clients).
        l = Login(self, "gdm-password")
        self.assertIgnored(l.run("bob", tty="/dev/tty1"))

    def test_f5_interactive_services_ask_without_a_tty(self):
        l = Login(self, "cockpit")
        self.assertChecked(l.run("bob"))
        l.set(interactive_services="")
        self.assertIgnored(l.run("bob"))

    def test_f6_anything_else_does_not_ask(self):
        l = Login(self, "sspr-test")
        self.assertIgnored(l.run("bob"))
        self.assertIgnored(l.run("bob", tty="cron"))
        self.assertIgnored(l.run("bob", stdin_tty=True))

    def test_noninteractive_skip_logs_one_debug_line_with_debug(self):
        l = Login(self, "cron", debug="yes")
        self.assertIgnored(l.run("bob", tty="cron"))
        self.assertEqual(l.log(), [
            "<7> pam_sspr(cron:account): user=bob not checked: "
            "non-interactive caller (service cron in "
            "noninteractive_services)"])

    def test_noninteractive_check_answers_by_policy_without_a_dialogue(self):
        # A batch job's own service (rule f6: no PAM_TTY, not listed).
        l = Login(self, "batch", noninteractive="check")
        code, out = l.run("bob")
        self.assertResult(code, PAM_PERM_DENIED, out)  # register: denied
        self.assertNotRegex(out, r"(PROMPT|INFO|ERROR): (?!acct=)")
        l.set(mode="block")
        code, out = l.run("bob")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("PROMPT", out)
        l.set(mode="warn")
        code, out = l.run("bob")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotRegex(out, r"(PROMPT|INFO|ERROR):")
        # A registered user passes.
        l.set(mode="register", interactive_services="batch")
        code, out = l.run("alice", *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        l.set(interactive_services="", cache_ttl=0)
        code, out = l.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotRegex(out, r"(PROMPT|INFO|ERROR):")


class BrokenConfig(ScopeCase):
    """A typo locks nobody out: the valid lines still decide the scope."""

    def write_typos(self, l):
        l.env.write()
        with open(l.env.conf_path, "a") as f:
            f.write("failmode = secure\n"
                    "mdoe = block\n"                # line N+2
                    "exempt_users = carol, b=d\n"   # one bad entry
                    "cache_ttl = 1h\n")
        with open(l.env.conf_path) as f:
            n = len(f.read().splitlines())
        return [f"{l.env.conf_path}:{n - 2}: unknown key 'mdoe'",
                f"{l.env.conf_path}:{n - 1}: 'exempt_users' has an invalid "
                "name 'b=d'",
                f"{l.env.conf_path}:{n}: 'cache_ttl' wants a whole number"]

    def test_typo_with_failmode_secure_locks_out_only_users_in_scope(self):
        l = Login(self, "login")
        want = self.write_typos(l)
        console = {"tty": "/dev/tty1", "stdin_tty": True}
        self.assertIgnored(l.run("root", **console))
        self.assertIgnored(l.run("carol", **console))  # exempt_users held
        self.assertIgnored(l.run("www-data", **console))
        self.assertIgnored(l.run("bob", tty="/dev/tty1"))  # stdin a pipe
        code, out = l.run("bob", **console)
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertNotIn("PROMPT", out)
        errs = [x for x in l.log() if x.startswith("<3>")]
        for w in want:
            self.assertTrue(any(w in x for x in errs), (w, errs))

    def test_config_errors_are_logged_once_per_process(self):
        l = Login(self, "login")
        self.write_typos(l)
        code, out = l.run("bob", tty="/dev/tty1", stdin_tty=True,
                          extra=["--repeat", "3"])
        self.assertEqual(out.count("RESULT: 9 "), 3, out)
        log = l.log()
        self.assertEqual(len([x for x in log if "'mdoe'" in x]), 1, log)
        self.assertEqual(len([x for x in log if x.startswith("<3>")]), 4, log)
        # Each refused login still says why, at LOG_NOTICE.
        self.assertEqual(len([x for x in log if x.startswith("<5>") and
                              "configuration has errors" in x]), 3, log)

    def test_end_of_line_comments_are_comments(self):
        l = Login(self, "sshd")
        l.env.write()
        with open(l.env.conf_path, "a") as f:
            f.write("mode = block            # register | block | warn\n"
                    "exempt_users = carol    # the on-call account\n")
        self.assertIgnored(l.run("carol", tty="ssh"))
        code, out = l.run("bob", tty="ssh")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("PROMPT", out)  # block: told, not asked
        self.assertEqual([x for x in l.log() if x.startswith("<3>")], [])


class Applications(PamTestCase):

    def test_silent_hides_info_but_still_registers(self):
        code, out = self.env.run("alice", *REGISTER, extra=["--silent"])
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("INFO:", out)
        self.assertIn("PROMPT:", out)

    def test_an_application_ignoring_sigchld_still_registers(self):
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
                               timeout=60, env=self.env.command_env(),
                               stdin=subprocess.DEVNULL)
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

    def test_skip_services_works_as_a_module_argument(self):
        self.env.args = "skip_services=" + self.env.service
        self.env.write()
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_IGNORE, out)

    def test_skip_rhosts_skips_hosts_in_those_networks(self):
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
        self.env.args = "failmode=secure"
        self.env.set(skip_rhosts="10.0.0.0/8, gateway.lan")
        # The valid entry holds: not checked from 10.0.0.0/8.
        code, out = self.env.run("alice", extra=["--rhost", "10.1.1.1"])
        self.assertResult(code, PAM_IGNORE, out)
        # In scope elsewhere, with a policy that cannot be trusted: failmode.
        code, out = self.env.run("alice", extra=["--rhost", "11.1.1.1"])
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

    def test_block_shows_a_qr_code(self):
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

    def test_show_qr_no_shows_none(self):
        self.env.set(mode="block", show_qr="no")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(qr_lines(messages(out)), [])
        self.assertNotIn("Scan to register", out)


if __name__ == "__main__":
    main()
