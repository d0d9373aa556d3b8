"""Registration inside `su - USER -c CMD` and `login -f USER` on a pty,
through the real pam_sspr.so and helper, without touching /etc/pam.d.

PAM service files come from a temp dir through pam_wrapper (package
libpam-wrapper): LD_PRELOAD=libpam_wrapper.so with PAM_WRAPPER=1 and
PAM_WRAPPER_SERVICE_DIR=<dir> makes pam_start() read <dir>/<service>
instead of /etc/pam.d/<service> (pam_wrapper(1)). `su -` uses the service
su-l on Debian, `su` the service su, `login` the service login; each here is

    auth     sufficient pam_rootok.so     (root runs su and login -f)
    account  required   <build>/pam_sspr.so conf=<tmp> helper=<tmp copy>
    session  optional   pam_permit.so

The test runs as root, so su's setuid bit changes nothing and the dynamic
loader keeps LD_PRELOAD; a probe proves the wrapper is in effect (a service
file that denies must deny) and the test is skipped (exit 77, SKIP line)
if it is not. The throwaway users, named and marked as sshd_env.py does,
are removed at the end (or by the next run, if this one was killed).
"""
import ctypes.util
import os
import shutil
import subprocess
import tempfile
import unittest

import sshd_env
from e2e_case import US_E164, E2ETestCase
from messages import CODE, CONTINUE, DONE, INTRO, MENU, NUMBER, \
    REGISTRATION, SENT, VERIFIED
from pty_client import CLIENT_ENV, STEP, PtyClient
from sshd_env import CLEAN_ENV, TEST_HELPER_USER, skip

SU = "/bin/su"
LOGIN = "/bin/login"
SECURITY_DIRS = ("/usr/lib/x86_64-linux-gnu/security",
                 "/lib/x86_64-linux-gnu/security", "/usr/lib/security",
                 "/lib/security", "/usr/lib64/security", "/lib64/security")
WRAPPER = "libpam_wrapper.so"
SERVICES = ("su", "su-l", "login")


def pam_module(name):
    """pam_wrapper wants absolute module paths (pam_wrapper(1))."""
    for d in SECURITY_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    skip(f"{name} not found in {', '.join(SECURITY_DIRS)} (package "
         "libpam-modules)")


def find_wrapper():
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
              "/lib/x86_64-linux-gnu"):
        p = os.path.join(d, WRAPPER)
        if os.path.exists(p):
            return p
    found = ctypes.util.find_library("pam_wrapper")
    return found and shutil.which(found)  # a bare soname is not enough


def wrapper_env(service_dir):
    return {"LD_PRELOAD": find_wrapper(), "PAM_WRAPPER": "1",
            "PAM_WRAPPER_SERVICE_DIR": service_dir}


def write_services(d, account):
    """su, su-l, login (and a denying `other`) with the given account
    line(s)."""
    os.makedirs(d, 0o755, exist_ok=True)
    body = (f"auth sufficient {pam_module('pam_rootok.so')}\n"
            f"auth required {pam_module('pam_deny.so')}\n"
            f"{account}\n"
            f"session optional {pam_module('pam_permit.so')}\n"
            f"password required {pam_module('pam_deny.so')}\n")
    for s in SERVICES:
        with open(os.path.join(d, s), "w") as f:
            f.write(body)
    deny = pam_module("pam_deny.so")
    with open(os.path.join(d, "other"), "w") as f:
        for t in ("auth", "account", "session", "password"):
            f.write(f"{t} required {deny}\n")


def require():
    if os.geteuid() != 0:
        skip("su and login -f need root (pam_rootok), and the test creates "
             "users; run it as root")
    for tool in (SU, LOGIN):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is missing (packages util-linux / login)")
    for tool in ("useradd", "userdel"):
        if shutil.which(tool, path=CLEAN_ENV["PATH"]) is None:
            skip(f"{tool} is missing (package passwd)")
    if not find_wrapper():
        skip(f"{WRAPPER} is missing: install libpam-wrapper "
             "(scripts/install-deps); without it su and login would read "
             "the system's /etc/pam.d, which this test must not change")
    sshd_env.require_loadable_module("su and login")
    sshd_env.remove_stale()
    # Does pam_wrapper really decide which service file su reads? A
    # service whose account phase denies must deny, one that permits must
    # let root through to nobody.
    d = tempfile.mkdtemp(prefix=f"sspr-e2e-{os.getpid()}-probe")
    try:
        for verdict, want in (("pam_deny.so", False), ("pam_permit.so", True)):
            write_services(d, f"account required {pam_module(verdict)}")
            p = subprocess.run(
                [SU, "-", TEST_HELPER_USER, "-s", "/bin/sh", "-c",
                 "echo PROBE-OK"], capture_output=True, text=True,
                stdin=subprocess.DEVNULL, timeout=STEP, cwd="/",
                env=dict(CLEAN_ENV, **wrapper_env(d)))
            if ("PROBE-OK" in p.stdout) != want:
                skip(f"pam_wrapper does not intercept {SU} here: with "
                     f"`account required {verdict}` in the wrapper's su-l "
                     f"su {'let root in' if not want else 'failed'} "
                     f"(exit {p.returncode}: {p.stderr.strip()!r}), so it "
                     "reads another PAM configuration (LD_PRELOAD dropped "
                     "or libpam not wrapped); the test would not exercise "
                     "pam_sspr")
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Env(sshd_env.LoginEnv):
    """sshd_env's login set-up plus a pam_wrapper service dir."""

    def __init__(self, users):
        super().__init__()
        self.service_dir = os.path.join(self.root, "pam.d")
        self.letters = users

    def start(self):
        self.install()
        write_services(self.service_dir,
                       f"account required {self.pam_line()}")
        for letter in self.letters:
            self.add_user(self.user(letter))

    def spawn(self, argv):
        saved = dict(CLIENT_ENV)
        CLIENT_ENV.update(wrapper_env(self.service_dir))
        try:
            return PtyClient(argv, lang="C.UTF-8")
        finally:
            CLIENT_ENV.clear()
            CLIENT_ENV.update(saved)


class SuLoginRegistration(E2ETestCase):
    @classmethod
    def make_env(cls):
        return Env(("s", "l"))

    def spawn(self, *argv):
        c = self.env.spawn(list(argv))
        self.clients.append(c)
        return c

    def assertRegistered(self, user, out):
        for m in REGISTRATION:
            self.assertEqual(out.count(m), 1, f"{m!r} not shown once:\n{out}")
        where = [out.index(m) for m in REGISTRATION]
        self.assertEqual(where, sorted(where), "order:\n" + out)
        rec = self.env.record(user)
        self.assertIsNotNone(rec, "no record written")
        self.assertEqual([(m["type"], m["value"]) for m in rec["methods"]],
                         [("mobile", US_E164)])
        self.assertEqual(self.env.helpers(), [], "a helper is left behind")

    def assertSilent(self, out):
        for m in (INTRO, MENU, NUMBER, SENT, VERIFIED, DONE, CODE):
            self.assertNotIn(m, out)

    def test_1_su_dash_c_registers_then_runs_the_command(self):
        u = self.env.user("s")
        cmd = (SU, "-", u, "-c", "echo LOGGED''-IN")
        c = self.spawn(*cmd)
        self.register(c, None)
        status, out = self.finish("su - user -c: registration", c)
        self.assertEqual(status, 0, out)
        self.assertRegistered(u, out)
        self.assertEqual(out.count("LOGGED-IN"), 1, out)
        self.assertTrue(out.endswith(f"{CONTINUE}\nLOGGED-IN\n"), out)
        sent = len(self.env.outbox_lines())

        c = self.spawn(*cmd)
        status, out = self.finish("su - user -c: registered", c)
        self.assertEqual(status, 0, out)
        self.assertEqual(out, "LOGGED-IN\n")
        self.assertEqual(len(self.env.outbox_lines()), sent)

    def test_2_login_f_registers_then_starts_the_shell(self):
        u = self.env.user("l")
        c = self.spawn(LOGIN, "-f", u)
        self.register(c, None)
        c.expect("$ ")
        c.send("echo LOGGED''-IN; exit")
        status, out = self.finish("login -f: registration", c)
        self.assertEqual(status, 0, out)
        self.assertRegistered(u, out)
        self.assertEqual(out.count("\nLOGGED-IN\n"), 1, out)
        sent = len(self.env.outbox_lines())

        c = self.spawn(LOGIN, "-f", u)
        c.expect("$ ")
        c.send("echo LOGGED''-IN; exit")
        status, out = self.finish("login -f: registered", c)
        self.assertEqual(status, 0, out)
        self.assertSilent(out)
        self.assertTrue(out.startswith("$ "), out)
        self.assertEqual(out.count("\nLOGGED-IN\n"), 1, out)
        self.assertEqual(len(self.env.outbox_lines()), sent)


if __name__ == "__main__":
    require()
    unittest.main(verbosity=2)
