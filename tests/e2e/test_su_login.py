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
import sys
import tempfile
import time
import unittest

import sshd_env
from e2e_case import US, US_E164
from messages import BACKUP, CODE, CONTINUE, DONE, INTRO, MENU, NUMBER, \
    REGISTRATION, SENT, VERIFIED
from pty_client import CLIENT_ENV, STEP, PtyClient
from sshd_env import (CLEAN_ENV, GECOS_MARK, HELPER, MODULE,
                      TEST_HELPER_USER, USER_PREFIX, procs_with_exe, run,
                      skip)

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
    for name, v in (("SSPR_MODULE", MODULE), ("SSPR_HELPER", HELPER)):
        if not v or not os.path.exists(v):
            print(f"FAIL: {name} is not set to a built file (run via ctest)")
            sys.exit(1)
    probe = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])",
         MODULE], capture_output=True, text=True, env=CLEAN_ENV, timeout=STEP)
    if probe.returncode != 0:
        if any(s in probe.stderr for s in ("__asan", "__ubsan", "__sancov")):
            skip("pam_sspr.so is a sanitizer build; su and login cannot "
                 "load it (the e2e tests run in the normal build)")
        print(f"FAIL: {MODULE} cannot be loaded:\n{probe.stderr}")
        sys.exit(1)
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


class Env:
    """Service dir, config, state, cache, helper copy and test users."""

    def __init__(self, users):
        self.pid_tag = str(os.getpid())
        self.root = tempfile.mkdtemp(prefix=f"sspr-e2e-{self.pid_tag}-")
        os.chmod(self.root, 0o755)
        self.service_dir = os.path.join(self.root, "pam.d")
        self.bin = os.path.join(self.root, "bin")
        self.helper = os.path.join(self.bin, "sspr-helper")
        self.conf_path = os.path.join(self.root, "pam_sspr.conf")
        self.state = os.path.join(self.root, "state")
        self.cache = os.path.join(self.root, "cache")
        self.outbox = os.path.join(self.state, "outbox.jsonl")
        self.letters = users
        self.created_users = []
        self.conf = {
            "backend": "local",
            "helper_user": TEST_HELPER_USER,
            "state_dir": self.state,
            "cache_dir": self.cache,
            "delivery": "outbox:" + self.outbox,
            "default_region": "US",
            "methods": "mobile, office",
            "helper_timeout": "10",
            "dialogue_timeout": "50",
            "resend_cooldown": "0",
        }
        # sshd_env's SIGTERM/SIGINT/atexit handlers clean up what is here.
        sshd_env.SshdEnv._live.append(self)

    def user(self, letter):
        return f"{USER_PREFIX}{self.pid_tag}{letter}"

    def start(self):
        os.mkdir(self.bin, 0o755)
        shutil.copy2(HELPER, self.helper)
        os.chmod(self.helper, 0o755)
        with open(self.conf_path, "w") as f:
            f.write("# written by the su/login e2e test\n")
            for k, v in self.conf.items():
                f.write(f"{k} = {v}\n")
        os.chmod(self.conf_path, 0o644)
        write_services(self.service_dir,
                       f"account required {MODULE} conf={self.conf_path} "
                       f"helper={self.helper}")
        for letter in self.letters:
            name = self.user(letter)
            run(["useradd", "-m", "-s", "/bin/sh", "-c",
                 f"{GECOS_MARK} {self.pid_tag}", name])
            self.created_users.append(name)

    def spawn(self, argv):
        saved = dict(CLIENT_ENV)
        CLIENT_ENV.update(wrapper_env(self.service_dir))
        try:
            return PtyClient(argv, lang="C.UTF-8")
        finally:
            CLIENT_ENV.clear()
            CLIENT_ENV.update(saved)

    def record(self, user):
        import json
        path = os.path.join(self.state, "users", user + ".json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def newest_code(self, to):
        return sshd_env.SshdEnv.newest_code(self, to)

    def outbox_lines(self):
        return sshd_env.SshdEnv.outbox_lines(self)

    def helpers(self):
        return procs_with_exe(self.helper)

    def cleanup(self):
        if self in sshd_env.SshdEnv._live:
            sshd_env.SshdEnv._live.remove(self)
        for pid, _ in self.helpers():
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        for name in self.created_users:
            subprocess.run(["userdel", "-r", "-f", name], env=CLEAN_ENV,
                           capture_output=True, timeout=STEP)
        self.created_users = []
        shutil.rmtree(self.root, ignore_errors=True)


class SuLoginRegistration(unittest.TestCase):
    limit = 60

    @classmethod
    def setUpClass(cls):
        cls.env = Env(("s", "l"))
        try:
            cls.env.start()
        except Exception:
            cls.env.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def setUp(self):
        self.t0 = time.monotonic()
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.kill()
        self.assertLess(time.monotonic() - self.t0, self.limit,
                        "the test took too long")

    def spawn(self, *argv):
        c = self.env.spawn(list(argv))
        self.clients.append(c)
        return c

    def finish(self, title, c):
        try:
            status = c.wait(STEP)
        finally:  # what the user saw, for ctest -V
            print(f"\n----- {title} (terminal) -----\n{c.text}"
                  f"\n----- end ({title}), exit status {c.status} -----",
                  flush=True)
        return status, c.text

    def register(self, c):
        """The answers of tests/pam/test_registration.py, without the
        password (pam_rootok lets root in)."""
        for prompt, answer in (("Choice [1]: ", "1"), ("[US]: ", ""),
                               ("with area code: ", US),
                               ("Choice [1]: ", "1")):
            c.expect(prompt)
            c.send(answer)
        c.expect(CODE)
        code = self.env.newest_code(US_E164)
        self.assertIsNotNone(code, "no code in the outbox")
        c.send(code)
        c.expect(BACKUP)
        c.send("n")
        c.expect(CONTINUE)
        c.send("")
        return code

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

    def test_1_su_dash_c(self):
        u = self.env.user("s")
        cmd = (SU, "-", u, "-c", "echo LOGGED''-IN")
        c = self.spawn(*cmd)
        self.register(c)
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

    def test_2_login_f(self):
        u = self.env.user("l")
        c = self.spawn(LOGIN, "-f", u)
        self.register(c)
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
