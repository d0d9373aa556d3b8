"""Shared set-up for the real-libpam tests: tests/lib/sspr_env.py's
installation plus a temp PAM confdir, accounts served by nss_wrapper, the
module's syslog lines, and a runner for the sspr-pamtest driver."""
import os
import pty
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from sspr_env import (DAY, HELPER, MODULE, PAMTEST,  # noqa: E402,F401
                      TEST_HELPER_USER, SsprAssertions, SsprEnv, end_account,
                      temp_dir, remove_temp_dir)

SOURCE_DIR = os.environ.get("SSPR_SOURCE_DIR", "")
# An LD_PRELOAD shim that writes the driver's syslog lines to a file.
SHIM = os.environ.get("SSPR_SYSLOG_SHIM", "")

PAM_SUCCESS = 0
PAM_PERM_DENIED = 6
PAM_AUTHINFO_UNAVAIL = 9
PAM_IGNORE = 25
PAM_TRY_AGAIN = 24  # marker: the stack below turns our IGNORE into this

# libfaketime (Debian package libfaketime), for tests that move the clock.
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
# The environment that runs the helper under it. ASAN_OPTIONS matters only
# for the sanitizer build: ASan's allocator reads the clock while holding
# its lock to decide when to return memory to the OS, libfaketime's first
# clock call allocates, and the helper deadlocked at start-up (seen in
# make check-asan); with the release interval off the allocator never asks.
FAKETIME_ENV = ("LD_PRELOAD=" + FAKETIME_LIB +
                " FAKETIME_TIMESTAMP_FILE={file} FAKETIME_NO_CACHE=1"
                " FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC "
                "ASAN_OPTIONS=allocator_release_to_os_interval_ms=-1")


# The accounts the tests log in as. The module checks only accounts that
# NSS knows with a uid >= UID_MIN, so the driver (and sspr-admin) run under
# nss_wrapper (Debian package libnss-wrapper), which serves the passwd and
# group files each Env writes; the helper, started with an empty
# environment, sees the system's own NSS (it looks up only helper_user).
NSS_WRAPPER_LIB = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
PEOPLE_UID = 2001
TEST_PEOPLE = (
    "alice bob carol dave dora erin frank fred gina hugo ivan jack judy kate "
    "kim lee liam mallory nina omar pat quinn zoe eve oscar peggy trent "
    "victor walter uma rosa zed mailer").split()
# Any other name a test logs in as is added as a person too (uid from
# PEOPLE_UID + 1000 on), except names that start with "ghost" or "no-such":
# those stay unknown to NSS.
# Groups: "sspr-staff" holds alice, bob and carol; "sspr-admins" holds dave.
TEST_GROUPS = {"sspr-staff": ("alice", "bob", "carol"),
               "sspr-admins": ("dave",)}
# Real-looking system accounts (Debian's uids).
SYSTEM_ACCOUNTS = (("root", 0, "/bin/bash"), ("daemon", 1, "/usr/sbin/nologin"),
                   ("www-data", 33, "/usr/sbin/nologin"),
                   ("nobody", 65534, "/usr/sbin/nologin"))


def require_root():
    if os.geteuid() != 0:
        print("SKIP: these tests start the helper as root (as sshd does); "
              "run them as root")
        sys.exit(77)
    if not os.path.exists(NSS_WRAPPER_LIB):
        print(f"FAIL: {NSS_WRAPPER_LIB} is missing: install libnss-wrapper "
              "(scripts/install-deps)")
        sys.exit(1)
    for name, v in (("SSPR_MODULE", MODULE), ("SSPR_HELPER", HELPER),
                    ("SSPR_PAMTEST", PAMTEST)):
        if not v or not os.path.exists(v):
            print(f"FAIL: {name} is not set to a built file (run via ctest)")
            sys.exit(1)


class Env(SsprEnv):
    """One isolated installation: pam.d service, config, state, cache.
    syslog=True: the driver runs with the syslog shim, and log() reads the
    lines it kept."""

    def __init__(self, service="sspr-test", conf=None, args="",
                 syslog=False):
        super().__init__("sspr-test-", conf=conf, defaults={
            "helper_timeout": "30",  # 25 parallel (ASan) helpers on 2 CPUs
            # The driver sets no PAM_TTY: it is the interactive client
            # here, as cockpit is by default (rule f5 of pam_sspr(8)).
            "interactive_services": service,
        })
        self.service = service
        self.confdir = os.path.join(self.root, "pam.d")
        os.mkdir(self.confdir)
        self.args = args
        self.syslog = os.path.join(self.root, "syslog.txt") if syslog else None
        self.write_nss()
        self.write()

    def write_nss(self):
        """The passwd and group files nss_wrapper serves to the driver."""
        self.passwd = os.path.join(self.root, "passwd")
        self.group = os.path.join(self.root, "group")
        with open(self.passwd, "w") as f:
            for name, uid, shell in SYSTEM_ACCOUNTS:
                f.write(f"{name}:x:{uid}:{uid}:{name}:/nonexistent:{shell}\n")
            for i, name in enumerate(TEST_PEOPLE):
                uid = PEOPLE_UID + i
                f.write(f"{name}:x:{uid}:{uid}:{name}:/home/{name}:/bin/sh\n")
        with open(self.group, "w") as f:
            for name, uid, _ in SYSTEM_ACCOUNTS:
                f.write(f"{'nogroup' if uid == 65534 else name}:x:{uid}:\n")
            for i, name in enumerate(TEST_PEOPLE):
                f.write(f"{name}:x:{PEOPLE_UID + i}:\n")
            for i, (name, members) in enumerate(TEST_GROUPS.items()):
                f.write(f"{name}:x:{3001 + i}:{','.join(members)}\n")
        for p in (self.passwd, self.group):
            os.chmod(p, 0o644)
        self.extra_people = []

    def ensure_person(self, user):
        """Adds `user` to the fake passwd (see TEST_PEOPLE)."""
        if (user in TEST_PEOPLE or user in self.extra_people or
                user.startswith(("ghost", "no-such")) or
                any(user == n for n, _, _ in SYSTEM_ACCOUNTS) or
                not user or ":" in user or "\n" in user):
            return
        uid = PEOPLE_UID + 1000 + len(self.extra_people)
        self.extra_people.append(user)
        # In bytes: a name that is not UTF-8 reaches the driver's argv as
        # os.fsencode() makes it ("caf\udce9" is b"caf\xe9"), and NSS must
        # hold the same bytes, or the module would skip it as unknown.
        with open(self.passwd, "ab") as f:
            f.write(os.fsencode(
                f"{user}:x:{uid}:{uid}:{user}:/home/{user}:/bin/sh\n"))

    def known_to_nss(self, user):
        """True when the driver's NSS (nss_wrapper) knows `user`."""
        p = subprocess.run(["getent", "passwd", os.fsencode(user)],
                           capture_output=True, env=self.command_env())
        return p.returncode == 0

    def uid(self, name):
        if name in TEST_PEOPLE:
            return PEOPLE_UID + TEST_PEOPLE.index(name)
        if name in self.extra_people:
            return PEOPLE_UID + 1000 + self.extra_people.index(name)
        return {n: u for n, u, _ in SYSTEM_ACCOUNTS}[name]

    def command_env(self, preload=()):
        """The environment of the driver and of sspr-admin: nss_wrapper
        (plus `preload`) in front."""
        return {"PATH": "/usr/bin:/bin",
                "LD_PRELOAD": " ".join([NSS_WRAPPER_LIB, *preload]),
                "NSS_WRAPPER_PASSWD": self.passwd,
                # nss_wrapper dlopens libc for what its files do not hold;
                # RTLD_DEEPBIND there aborts the sanitizer build.
                "NSS_WRAPPER_DISABLE_DEEPBIND": "1",
                "NSS_WRAPPER_GROUP": self.group,
                # Sanitizer builds: these come before the ASan runtime.
                "ASAN_OPTIONS": "verify_asan_link_order=0"}

    def write(self):
        self.write_conf()
        # libpam turns a stack where every module said IGNORE into
        # PAM_PERM_DENIED; to see our module's own code, an IGNORE falls
        # through to pam_debug, whose try_again (never ours) marks it.
        with open(os.path.join(self.confdir, self.service), "w") as f:
            f.write(f"account [success=done ignore=ignore default=die] "
                    f"{self.pam_line(self.args)}\n"
                    "account requisite pam_debug.so acct=try_again\n")

    def script(self, name, body):
        """A root-owned executable script inside the env (fake helpers)."""
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(body)
        os.chmod(path, 0o755)
        return path

    def record_deliveries(self):
        """delivery = command: a script that writes its arguments and the
        text it is given to sent.txt; returns that file's path."""
        got = os.path.join(self.writable_dir(), "sent.txt")
        send = self.script(
            "send", f"#!/bin/sh\n{{ echo \"$1 $2\"; cat; }} > {got}\n")
        self.set(delivery="command:" + send)
        return got

    def writable_dir(self):
        """A folder the helper user may write to (the delivery command's
        output). The env's root stays 0755: a delivery command must sit in
        folders no one but root can write."""
        path = os.path.join(self.root, "out")
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o777)
        return path

    def use_fake_clock(self, when):
        """Runs the real helper under libfaketime with its wall clock at
        `when` (a "YYYY-MM-DD hh:mm:ss" string, UTC, or an epoch int).
        The monotonic clock (deadlines) stays real. set_clock() moves the
        wall clock again, even in the middle of a dialogue: libfaketime
        re-reads the file on every call. The module still starts the
        helper with an empty environment; the wrapper adds only these."""
        self.clock_file = os.path.join(self.root, "faketime")
        self.set_clock(when)
        fake = FAKETIME_ENV.format(file=self.clock_file)
        wrapper = self.script("helper-fake-clock", f"""#!/bin/sh
exec /usr/bin/env -i {fake} {HELPER} "$@"
""")
        self.helper = wrapper
        self.write()

    def set_clock(self, when):
        if isinstance(when, (int, float)):
            import datetime
            when = datetime.datetime.fromtimestamp(
                int(when), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("@" + when + "\n")
        os.rename(tmp, self.clock_file)

    def run(self, user, *answers, extra=(), timeout=120, stdin_tty=False):
        """The driver; stdin is /dev/null (never a terminal, whoever runs
        the tests: rule f3), or a pty with stdin_tty."""
        cmd = [PAMTEST, "--confdir", self.confdir, "--service", self.service,
               "--user", user, "--outbox", self.outbox, *extra, *answers]
        self.ensure_person(user)
        env = self.command_env(preload=[SHIM] if self.syslog and SHIM else [])
        if self.syslog:
            env["SSPR_SYSLOG_FILE"] = self.syslog
        master = slave = None
        if stdin_tty:
            master, slave = pty.openpty()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=timeout, env=env,
                               stdin=slave if stdin_tty else
                               subprocess.DEVNULL)
        finally:
            for fd in (master, slave):
                if fd is not None:
                    os.close(fd)
        code = PAM_IGNORE if p.returncode == PAM_TRY_AGAIN else p.returncode
        return code, p.stdout + p.stderr

    def log(self):
        """What the driver's process sent to syslog (syslog=True)."""
        if not self.syslog or not os.path.exists(self.syslog):
            return ""
        with open(self.syslog) as f:
            return f.read()

    def last_log(self):
        lines = self.log().strip().splitlines()
        return lines[-1] if lines else ""


class PamTestCase(SsprAssertions, unittest.TestCase):
    conf = None

    def setUp(self):
        self.env = Env(conf=self.conf)

    def tearDown(self):
        self.env.cleanup()

    def assertResult(self, got, want_code, out):
        code, text = got, out
        self.assertEqual(code, want_code, f"PAM code {code}, wanted "
                         f"{want_code}; transcript:\n{text}")
        self.assertIn("CHILDREN: none", text, "module left a child behind")


def main():
    require_root()
    unittest.main(verbosity=2)
