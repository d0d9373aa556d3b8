# This file is long because it is one list of what a caller controls
# (umask, limits, signals, ids), each tried through one setuid driver.
"""What the user who starts a setuid application (su, sudo) controls must
not reach the helper: their umask, resource limits, signals and ids.

The setuid application here is the test driver itself, copied, made setuid
root and started by an unprivileged uid through setpriv: like su, it then
runs pam_acct_mgmt with getuid() != geteuid(), under the caller's umask and
limits. Its PAM service file lives in a private confdir (pam_start_confdir),
so /etc/pam.d is never touched. Every login here is mode=block,
failmode=safe: a helper the caller could break would let them in.

The module checks only accounts NSS knows (pam_sspr(8), WHO IS CHECKED).
The other tests' accounts come from nss_wrapper, an LD_PRELOAD library,
which the dynamic loader ignores for a setuid program; the setuid driver
therefore logs in as a real local account, ssprce<pid>, made with useradd
for this run and removed again with userdel (at the end of the class, at
exit, and by the next run if this one was killed).
"""
import atexit
import os
import pwd
import re
import shutil
import stat
import subprocess
import time

from harness import (HELPER, MODULE, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                     PAM_PERM_DENIED, PAM_SUCCESS, PAM_TRY_AGAIN, PAMTEST,
                     TEST_HELPER_USER, PamTestCase, end_account, main)

REGISTER = ("1", "", "201-555-0123", "1", "@code", "n")
# The invoking user: neither root nor the helper user (nobody), so that
# only the ids of the spawn decide whether it may signal the helper.
CALLER = 54321
MiB = 1024 * 1024
# The real account the setuid driver logs in as (see above).
USER_PREFIX = "ssprce"
GECOS_MARK = "pam_sspr caller test"
SBIN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


def sanitized_build():
    with open(MODULE, "rb") as f:
        return b"__asan_init" in f.read()


# The helper's limits (soft = hard), as pam_sspr.8 documents them.
HELPER_LIMITS = {
    "Max open files": "1024",
    "Max address space": "unlimited" if sanitized_build() else str(1024 * MiB),
    "Max data size": "unlimited" if sanitized_build() else str(1024 * MiB),
    "Max stack size": str(8 * MiB),
    "Max processes": "4096",
    "Max file size": str(1024 * MiB),
    "Max cpu time": "300",
    "Max core file size": "0",
    "Max locked memory": "65536",
}


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def remove_user(name):
    end_account(name)
    subprocess.run(["userdel", "-f", name], env=SBIN_ENV,
                   capture_output=True, timeout=60)


def add_real_user():
    """A local account in /etc/passwd (uid from UID_MIN on, as useradd
    picks it) that only this process uses; removes those of dead runs."""
    for pw in pwd.getpwall():
        if pw.pw_name.startswith(USER_PREFIX) and \
                pw.pw_gecos.startswith(GECOS_MARK):
            pid = pw.pw_gecos[len(GECOS_MARK):].strip()
            if pid.isdigit() and not alive(int(pid)):
                remove_user(pw.pw_name)
    name = f"{USER_PREFIX}{os.getpid()}"
    remove_user(name)  # a pid reused after a killed run
    atexit.register(remove_user, name)
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh",
                    "-c", f"{GECOS_MARK} {os.getpid()}", name],
                   env=SBIN_ENV, check=True, capture_output=True, timeout=60)
    uid = pwd.getpwnam(name).pw_uid
    assert 1000 <= uid < 65534, f"useradd gave {name} uid {uid}"
    return name


class SetuidCaller(PamTestCase):
    """Logins through a setuid-root copy of the driver, started by CALLER."""

    @classmethod
    def setUpClass(cls):
        cls.user = add_real_user()

    @classmethod
    def tearDownClass(cls):
        remove_user(cls.user)

    def setUp(self):
        super().setUp()
        self.env.set(mode="block", failmode="safe", cache_ttl=0)
        # Copies in the test's own 0755 dir: the build tree may sit where
        # CALLER cannot reach (e.g. under /root).
        bins = os.path.join(self.env.root, "bin")
        os.mkdir(bins, 0o755)
        self.driver = shutil.copy(PAMTEST, bins)
        os.chmod(self.driver, 0o4755)
        self.env.module = shutil.copy(MODULE, bins)
        self.env.helper = shutil.copy(HELPER, bins)
        self.env.write()

    def command(self, user=None, shell=""):
        """`shell` runs first, as root, and sets what the caller would."""
        argv = ["setpriv", f"--reuid={CALLER}", f"--regid={CALLER}",
                "--clear-groups", self.driver, "--confdir", self.env.confdir,
                "--service", self.env.service, "--user", user or self.user]
        return ["bash", "-c", shell + '\nexec "$@"', "bash", *argv]

    def login(self, shell="", user=None):
        p = subprocess.run(self.command(user, shell), capture_output=True,
                           text=True, timeout=120, env={"PATH": "/usr/bin:/bin"},
                           stdin=subprocess.DEVNULL)
        code = PAM_IGNORE if p.returncode == PAM_TRY_AGAIN else p.returncode
        return code, p.stdout + p.stderr

    def test_the_driver_is_a_setuid_application(self):
        # The premise of every other test here.
        # (A shell started with ruid != euid drops to the ruid: the probe
        # writes where anyone may.)
        drop = os.path.join(self.env.root, "drop")
        os.mkdir(drop)
        os.chmod(drop, 0o1777)
        probe = self.env.script("probe", "#!/bin/sh\ncat /proc/$PPID/status "
                                f"> {drop}/probe.txt\n")
        self.env.helper = probe
        self.env.write()
        self.login()
        with open(os.path.join(drop, "probe.txt")) as f:
            uids = re.search(r"^Uid:\s+(.*)$", f.read(), re.M).group(1)
        self.assertEqual(uids.split(), [str(CALLER), "0", "0", "0"])

    def test_fd_limit_of_ten_still_blocks(self):
        # Soft limit only: the spawn needs no fd above it, and the helper
        # runs under its own limits.
        code, out = self.login("ulimit -S -n 10")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Register at", out)

    def test_hard_fd_limit_of_ten_is_refused(self):
        code, out = self.login("ulimit -n 10")
        self.assertResult(code, refused_when_hard_limits_stay(), out)

    def test_process_limit_of_one_is_refused(self):
        # `ulimit -u 1`: the caller already runs its one process, so the
        # module's fork needs CAP_SYS_RESOURCE (then the helper gets its
        # own limits and blocks); without it the spawn fails, and a helper
        # failure in a setuid application is secure. Never let in.
        code, out = self.login("ulimit -u 1")
        self.assertResult(code, refused_when_hard_limits_stay(), out)

    def test_address_space_limit_still_blocks(self):
        p = subprocess.run(["sh", "-c", f"ulimit -v 60000; exec {PAMTEST}"],
                           capture_output=True, timeout=60)
        if b"usage" not in p.stderr:  # it could start
            self.skipTest("the driver itself cannot start under ulimit -v "
                          "60000 (sanitizer build)")
        code, out = self.login("ulimit -S -v 60000")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Register at", out)
        code, out = self.login("ulimit -v 60000")
        self.assertResult(code, refused_when_hard_limits_stay(), out)

    def test_caller_cannot_kill_the_helper_and_is_still_blocked(self):
        # The helper waits 3 s before it starts: time for the caller to try.
        self.env.helper = self.env.script(
            "slow-helper", f"#!/bin/sh\nsleep 3\nexec {self.env.helper}\n")
        self.env.write()
        p = subprocess.Popen(self.command(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True,
                             env={"PATH": "/usr/bin:/bin"},
                             stdin=subprocess.DEVNULL)
        try:
            helper = wait_for_child(p.pid, timeout=10)
            self.assertIsNotNone(helper, "the helper never started")
            # Right after fork the child is still the caller's; it sets its
            # ids before exec (a kill in that window ends the spawn, which
            # a setuid application counts as secure). Try once it is done.
            self.assertTrue(wait_for_root_ids(helper),
                            "the child never set its ids to 0")
            kill = subprocess.run(
                ["setpriv", f"--reuid={CALLER}", f"--regid={CALLER}",
                 "--clear-groups", "kill", "-KILL", str(helper)],
                capture_output=True, text=True, timeout=30)
            out = p.communicate(timeout=120)[0]
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertNotEqual(kill.returncode, 0,
                            "the caller could kill the helper:\n" + out)
        self.assertIn("not permitted", kill.stderr)
        code = PAM_IGNORE if p.returncode == PAM_TRY_AGAIN else p.returncode
        self.assertResult(code, PAM_PERM_DENIED, out)

    def test_helper_dying_in_a_setuid_application_counts_as_secure(self):
        # It leaves a mark: a skipped account gets PAM_IGNORE too.
        mark = os.path.join(self.env.root, "died")
        self.env.helper = self.env.script(
            "dying-helper", f"#!/bin/sh\ntouch {mark}\nkill -KILL $$\n")
        self.env.write()
        code, out = self.login()
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        # The same failure outside a setuid application follows failmode.
        os.unlink(mark)
        code, out = self.env.run(self.user)
        self.assertResult(code, PAM_IGNORE, out)
        self.assertTrue(os.path.exists(mark), "the helper never ran:\n" + out)

    def test_helper_starts_with_known_ids_limits_umask_and_signals(self):
        seen = os.path.join(self.env.root, "seen")
        self.env.helper = self.env.script("recorder", f"""#!/bin/sh
{{ cat /proc/self/status; echo "Umask-now: $(umask)"; cat /proc/self/limits
   echo "Session: $(cut -d' ' -f6 /proc/self/stat) Self: $$"; }} > {seen}
""")
        self.env.write()
        # What a caller could set: every soft limit low (hard ones: see
        # refused_when_hard_limits_stay), a umask that shuts everything,
        # signals ignored.
        # (A sanitizer build's driver cannot itself run under a memory
        # limit: there the helper's are unlimited anyway.)
        memory = "" if sanitized_build() else \
            "ulimit -S -d 900000; ulimit -S -v 900000;"
        code, out = self.login(
            "ulimit -S -n 20; ulimit -S -s 1024; ulimit -S -t 100;"
            "ulimit -S -c 1000; ulimit -S -f 2000; ulimit -S -l 8;"
            "ulimit -S -u 500;" + memory +
            "umask 777; trap '' ALRM TERM HUP INT")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)  # said nothing
        with open(seen) as f:
            text = f.read()
        field = lambda name: re.search(rf"^{name}:[ \t]*(.*)$", text,
                                       re.M).group(1).split()
        self.assertEqual(field("Uid"), ["0"] * 4, text)
        self.assertEqual(field("Gid"), ["0"] * 4, text)
        self.assertEqual(field("Groups"), [], text)
        self.assertEqual(field("Umask-now"), ["0077"], text)
        self.assertEqual(field("SigIgn"), ["0000000000000000"], text)
        self.assertEqual(field("SigBlk"), ["0000000000000000"], text)
        session = re.search(r"^Session: (\d+) Self: (\d+)$", text, re.M)
        self.assertEqual(session.group(1), session.group(2),
                         "the helper is not in a session of its own")
        for name, want in HELPER_LIMITS.items():
            row = re.search(rf"^{name}\s+(\S+)\s+(\S+)", text, re.M)
            self.assertEqual((row.group(1), row.group(2)), (want, want),
                             f"{name}:\n{text}")


def refused_when_hard_limits_stay():
    """A hard limit below the helper's: root raises it (CAP_SYS_RESOURCE),
    and the helper runs and blocks; without that capability (some
    containers) the spawn refuses to run the helper under the caller's
    limit, and a helper failure in a setuid application is secure."""
    with open("/proc/self/status") as f:
        caps = int(re.search(r"^CapEff:\s+(\S+)", f.read(), re.M).group(1), 16)
    CAP_SYS_RESOURCE = 24
    return PAM_PERM_DENIED if caps >> CAP_SYS_RESOURCE & 1 else \
        PAM_AUTHINFO_UNAVAIL


def wait_for_root_ids(pid, timeout=10.0):
    """True once /proc/PID/status shows real, effective, saved and fs uid 0."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if line.split()[1:] == ["0", "0", "0", "0"]:
                            return True
        except OSError:
            return False
        time.sleep(0.01)
    return False


def wait_for_child(parent, timeout):
    """The pid of the first child of `parent`, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == parent:
                return int(pid)
        time.sleep(0.02)
    return None


def modes(root):
    """{relative path: (type, mode, owner)} of everything below root."""
    found = {".": ("d", stat.S_IMODE(os.lstat(root).st_mode),
                   os.lstat(root).st_uid)}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            kind = "d" if stat.S_ISDIR(st.st_mode) else "f"
            found[os.path.relpath(p, root)] = (kind, stat.S_IMODE(st.st_mode),
                                               st.st_uid)
    return found


class CallersUmask(PamTestCase):
    """su and sudo run PAM under the invoking user's umask."""

    def setUp(self):
        super().setUp()
        self.env.set(cache_ttl=0)  # every login runs the helper
        self.helper_uid = int(subprocess.check_output(
            ["id", "-u", TEST_HELPER_USER], text=True))

    def run_with_umask(self, mask, *answers, user="alice"):
        cmd = ["sh", "-c", f'umask {mask}; exec "$@"', "sh", PAMTEST,
               "--confdir", self.env.confdir, "--service", self.env.service,
               "--user", user, "--outbox", self.env.outbox, *answers]
        # As Env.run: the accounts of nss_wrapper, stdin no terminal.
        self.env.ensure_person(user)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env=self.env.command_env(),
                           stdin=subprocess.DEVNULL)
        code = PAM_IGNORE if p.returncode == PAM_TRY_AGAIN else p.returncode
        return code, p.stdout + p.stderr

    def assertExactModes(self):
        found = modes(self.env.state)
        for want in ("users", "locks", "rate", "policy"):
            self.assertIn(want, found)
        locks = [p for p in found if p.endswith(".lock")]
        self.assertTrue(any(p.startswith("rate/user-") for p in locks), found)
        self.assertTrue(any(p.startswith("rate/dest-") for p in locks), found)
        for path, (kind, mode, uid) in found.items():
            want = 0o700 if kind == "d" else 0o600
            self.assertEqual((oct(mode), uid), (oct(want), self.helper_uid),
                             f"{path}: {found}")

    def test_users_umask_never_reaches_the_store(self):
        code, out = self.run_with_umask("777", *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertExactModes()
        code, out = self.run_with_umask("777")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)

    def test_store_left_with_mode_000_is_repaired(self):
        code, out = self.env.run("alice", *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        # What an older helper under umask 777 left behind: its folders
        # and lock files (records were always written with an exact mode).
        for path, (kind, _, _) in modes(self.env.state).items():
            if kind == "d" or path.endswith(".lock"):
                os.chmod(os.path.join(self.env.state, path), 0)
        code, out = self.run_with_umask("022")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        # Bob registers the same number: its lock file, left 000, is used.
        code, out = self.run_with_umask("022", *REGISTER, user="bob")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIsNotNone(self.env.record("bob"))
        found = modes(self.env.state)
        for path, (kind, mode, _) in found.items():
            if kind == "d" or path in ("rate/dest-%2B12015550123.lock",
                                       "rate/user-bob.lock"):
                self.assertEqual(oct(mode),
                                 oct(0o700 if kind == "d" else 0o600),
                                 f"{path}: {found}")

    def test_store_folder_open_to_others_is_refused(self):
        code, out = self.env.run("alice", *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        os.chmod(os.path.join(self.env.state, "policy"), 0o750)
        self.env.set(failmode="secure")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertEqual(
            stat.S_IMODE(os.stat(os.path.join(self.env.state, "policy"))
                         .st_mode), 0o750, "changed instead of reported")


if __name__ == "__main__":
    main()
