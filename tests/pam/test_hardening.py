"""The helper's hardening, seen from outside on the live process and on the
real binary: privilege drop, no-new-privs, not dumpable, no core, the
seccomp filter (helper/sandbox/seccomp.cc) and the delivery-command launcher
(helper/delivery/command_launcher.cc)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import (HELPER, PAMTEST, PAM_PERM_DENIED, PamTestCase, main)
from sspr_env import child_processes  # noqa: E402  (harness put it on the path)

NOBODY_UID = 65534


def proc_children(pid):
    """Pids whose parent is `pid` (from /proc/*/stat)."""
    return [kid for kid, _ in child_processes(pid)]


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) if ":\t" in line
                    else (line.rstrip("\n").rstrip(":"), "")
                    for line in f)


def core_limit(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4:6]
    return None


class Hardening(PamTestCase):

    def start(self, *answers):
        """The driver in the background; returns the Popen."""
        cmd = [PAMTEST, "--confdir", self.env.confdir, "--service",
               self.env.service, "--user", "alice", "--outbox",
               self.env.outbox, *answers]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                env=self.env.command_env(),
                                stdin=subprocess.DEVNULL)

    def held_helper(self, p, want_seccomp, timeout=20):
        """The helper (the driver's child) once it dropped to nobody and,
        when want_seccomp, its filter is on; with its /proc status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in proc_children(p.pid):
                try:
                    st = proc_status(pid)
                except OSError:
                    continue
                if (st.get("Uid", "").split()[:1] == [str(NOBODY_UID)] and
                        (not want_seccomp or st.get("Seccomp") == "2")):
                    return pid, st
            time.sleep(0.05)
        p.kill()
        out, _ = p.communicate()
        self.fail("no dropped helper seen; transcript:\n" + out)

    def finish(self, p):
        out, _ = p.communicate(timeout=120)
        return p.returncode, out

    def assertDropped(self, pid, st, seccomp):
        nobody = str(NOBODY_UID)
        self.assertEqual(st["Uid"].split(), [nobody] * 4)
        gid = st["Gid"].split()
        self.assertEqual(len(set(gid)), 1, st["Gid"])
        self.assertNotEqual(gid[0], "0")
        self.assertEqual(st["Groups"].split(), [], "supplementary groups")
        self.assertEqual(st["NoNewPrivs"], "1")
        self.assertEqual(st["Seccomp"], seccomp)
        self.assertEqual(int(st["CapEff"], 16), 0)
        self.assertEqual(int(st["CapPrm"], 16), 0)
        # Not dumpable: /proc/<pid> of a process running as nobody belongs
        # to root, and nobody (the same uid) could not ptrace it.
        self.assertEqual(os.stat(f"/proc/{pid}/status").st_uid, 0)
        self.assertEqual(core_limit(pid), ["0", "0"])

    def test_live_helper_is_dropped_and_filtered(self):
        p = self.start("@slow:3:1", "", "201-555-0123", "1", "q")
        pid, st = self.held_helper(p, want_seccomp=True)
        self.assertDropped(pid, st, "2")
        # The outbox delivery needs no launcher: the helper has no child.
        self.assertEqual(proc_children(pid), [])
        code, out = self.finish(p)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(len(self.env.outbox_lines()), 1, out)

    def test_seccomp_no_leaves_the_rest_of_the_hardening(self):
        self.env.set(seccomp="no")
        p = self.start("@slow:3:1", "", "201-555-0123", "1", "q")
        pid, st = self.held_helper(p, want_seccomp=False)
        time.sleep(0.3)
        st = proc_status(pid)
        self.assertDropped(pid, st, "0")
        code, out = self.finish(p)
        self.assertResult(code, PAM_PERM_DENIED, out)

    def test_command_delivery_runs_in_the_launcher(self):
        got = self.env.record_deliveries()
        # Held at the code prompt: the command has run by then.
        p = self.start("1", "", "201-555-0123", "1", "@slow:3:q")
        deadline = time.monotonic() + 30
        while not os.path.exists(got) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid, st = self.held_helper(p, want_seccomp=True)
        self.assertDropped(pid, st, "2")
        kids = proc_children(pid)
        self.assertEqual(len(kids), 1, "one launcher")
        launcher = kids[0]
        lst = proc_status(launcher)
        self.assertEqual(lst["Name"], "sspr-launcher")
        # Dropped like the helper, but outside the filter (it must exec).
        self.assertDropped(launcher, lst, "0")
        # Its descriptors: 0-2 and its socket, never the module's socket.
        fds = sorted(int(x) for x in os.listdir(f"/proc/{launcher}/fd"))
        self.assertEqual(fds, [0, 1, 2, 3])
        self.assertTrue(os.readlink(f"/proc/{launcher}/fd/3")
                        .startswith("socket:"))
        self.assertNotEqual(os.readlink(f"/proc/{launcher}/fd/3"),
                            os.readlink(f"/proc/{pid}/fd/3"))
        code, out = self.finish(p)
        self.assertResult(code, PAM_PERM_DENIED, out)
        with open(got) as f:
            text = f.read()
        self.assertTrue(text.startswith("sms +12015550123\n"), text)
        self.assertRegex(text, r"\d{6} is your verification code")
        # The helper reaped its launcher before it exited.
        self.assertFalse(os.path.exists(f"/proc/{launcher}"),
                         "the launcher outlived the helper")

    def test_launcher_and_command_die_with_a_killed_helper(self):
        flag = os.path.join(self.env.writable_dir(), "sending")
        send = self.env.script(
            "send", f"#!/bin/sh\ntouch {flag}\nexec /bin/sleep 29.4242\n")
        self.env.set(delivery="command:" + send, delivery_timeout="20")
        p = self.start("1", "", "201-555-0123", "1", "q")
        deadline = time.monotonic() + 30
        while not os.path.exists(flag) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid, _ = self.held_helper(p, want_seccomp=True)
        launcher = proc_children(pid)[0]
        command = proc_children(launcher)
        self.assertEqual(len(command), 1, "the command runs")
        os.kill(pid, signal.SIGKILL)
        self.finish(p)

        def ended(q):  # gone, or a zombie for init to reap
            try:
                with open(f"/proc/{q}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                return True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
                ended(launcher) and ended(command[0])):
            time.sleep(0.05)
        self.assertTrue(ended(launcher), "the launcher outlived the helper")
        self.assertTrue(ended(command[0]), "the command outlived the helper")


class SeccompSelfTest(PamTestCase):
    """The real filter in the real binary: `sspr-helper --seccomp-selftest
    CALL` drops to nobody, installs the same filter and tries CALL."""

    def selftest(self, call):
        p = subprocess.run([HELPER, "--seccomp-selftest", call],
                           capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin"})
        return p.returncode, p.stdout + p.stderr

    def setUp(self):
        super().setUp()
        rc, out = self.selftest("list")
        self.assertEqual(rc, 0, out)
        lines = out.split()
        self.sanitizer = "yes" in out.split("sanitizer-build:")[1]
        self.killed = [l[5:] for l in lines if l.startswith("kill:")]

    def test_kill_list_is_complete(self):
        for name in ("execve", "execveat", "ptrace", "process_vm_readv",
                     "process_vm_writev", "mount", "bpf", "kexec_load",
                     "init_module", "keyctl", "personality", "unshare",
                     "setns", "setuid", "io_uring_setup"):
            if self.sanitizer and name == "ptrace":
                continue  # LeakSanitizer needs it at exit
            self.assertIn(name, self.killed)

    def test_execve_is_killed_by_sigsys(self):
        rc, out = self.selftest("execve")
        self.assertIn("filter installed", out)
        self.assertEqual(rc, -signal.SIGSYS, out)

    def test_every_call_on_the_kill_list_is_killed(self):
        for name in self.killed:
            rc, out = self.selftest("kill:" + name)
            self.assertIn("filter installed", out, name)
            self.assertEqual(rc, -signal.SIGSYS, f"{name}: {out}")

    def test_what_the_helper_needs_is_allowed(self):
        calls = ["getpid", "thread", "file", "socket_inet"]
        # "resolve" looks up localhost through NSS: only where that works
        # without the filter (a minimal chroot may have no /etc/hosts).
        if subprocess.run(["getent", "ahosts", "localhost"],
                          capture_output=True).returncode == 0:
            calls.append("resolve")
        else:
            print("localhost does not resolve here; 'resolve' not tried",
                  file=sys.stderr)
        for call in calls:
            rc, out = self.selftest(call)
            self.assertEqual(rc, 0, out)
            self.assertIn(f"{call}: allowed", out)

    def test_unlisted_calls_fail_with_eperm(self):
        # fork and memfd_create work for nobody without the filter.
        calls = ["memfd", "socket_alg", "socket_packet"]
        if not self.sanitizer:  # LeakSanitizer forks its tracer
            calls.append("fork")
        for call in calls:
            rc, out = self.selftest(call)
            self.assertEqual(rc, 0, out)
            self.assertIn(f"{call}: refused (Operation not permitted)", out)

    def test_selftest_is_for_root_only(self):
        # A copy nobody can reach: the build dir may be under /root (0700).
        d = tempfile.mkdtemp(prefix="sspr-selftest-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o755)
        helper = os.path.join(d, "sspr-helper")
        shutil.copy2(HELPER, helper)
        p = subprocess.run([helper, "--seccomp-selftest", "getpid"],
                           capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin"},
                           preexec_fn=lambda: os.setuid(NOBODY_UID))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)


if __name__ == "__main__":
    main()
