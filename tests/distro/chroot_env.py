"""A fresh Debian root for tests/distro/test_distro_stack.py: debootstrap
--variant=minbase, the built libpam-sspr .deb installed into it with apt,
and everything the test starts in it bounded and undone at the end.

The root lives in a temp dir of its own (SSPR_DISTRO_WORK, default
/var/tmp). debootstrap's downloads are kept as a tarball under
SSPR_DISTRO_CACHE (ctest: <build>/distro-cache), named after the suite and
the package list, so a second run only unpacks; a run without the cache
downloads from SSPR_DISTRO_MIRROR (default http://deb.debian.org/debian).

Mounted while the test runs, and unmounted at the end, on SIGTERM/SIGINT,
or by the next run if this one was SIGKILLed: ROOT/proc, ROOT/sys and the
host's /dev/pts bound on ROOT/dev/pts (login and sshd need ptys whose
names resolve in the root). ROOT/dev/log is a socket served by this
process, so the root's syslog lines (cron, su, sshd, pam_sspr) are kept.
Every process whose root directory is ROOT is killed before unmounting.
"""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from sspr_env import alive, die_with_parent, free_port  # noqa: E402,F401

SUITE = "bookworm"
MIRROR = os.environ.get("SSPR_DISTRO_MIRROR", "http://deb.debian.org/debian")
HOST_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}
ROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
            "HOME": "/root", "DEBIAN_FRONTEND": "noninteractive"}
# A proxy the host needs for the mirror, passed to debootstrap and apt.
for _v in ("http_proxy", "https_proxy", "no_proxy"):
    if os.environ.get(_v):
        HOST_ENV[_v] = ROOT_ENV[_v] = os.environ[_v]
# What the rows need in the root besides the .deb's own Depends. minbase
# already has login, passwd (useradd, chpasswd), util-linux (su, runuser).
BASE_PACKAGES = ("cron", "sudo", "openssh-server", "procps", "adduser")
PREFIX = "sspr-distro-"


def skip(why):
    print(f"1..0 # SKIP {why}", flush=True)
    sys.exit(77)


def require_host():
    """Exit 77 (with the reason) unless this host can build the root."""
    if os.geteuid() != 0:
        skip("needs root (debootstrap, chroot, mount)")
    for tool in ("debootstrap", "chroot", "mount", "umount", "dpkg-deb"):
        if shutil.which(tool, path=HOST_ENV["PATH"]) is None:
            skip(f"{tool} is missing (scripts/install-deps installs it)")
    for tool in ("/usr/bin/ssh", "/usr/bin/ssh-keygen"):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is missing (apt-get install openssh-client)")
    if not os.path.isdir("/dev/pts"):
        skip("no /dev/pts on this host")


def require_mirror():
    url = f"{MIRROR}/dists/{SUITE}/Release"
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            r.read(64)
    except OSError as e:
        skip(f"the apt mirror is not reachable ({url}: {e}); set "
             "SSPR_DISTRO_MIRROR to one that is")


def run(argv, timeout=120, **kw):
    kw.setdefault("env", HOST_ENV)
    return subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, **kw)


def deb_depends(deb):
    """The .deb's Depends as real package names for debootstrap --include
    (it resolves no virtual package): of each alternative the first this
    host has installed, or that an installed package provides (the .deb
    was built against it), else the first; without versions."""
    out = run(["dpkg-deb", "-f", deb, "Depends"]).stdout
    installed = {}
    q = run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}|${Package}|"
             "${Provides}\n"]).stdout
    for line in q.splitlines():
        st, pkg, provides = (line.split("|") + ["", ""])[:3]
        if not st.startswith("ii"):
            continue
        installed[pkg] = pkg
        for v in provides.split(","):
            installed.setdefault(v.strip().split(" ")[0], pkg)
    names = set()
    for dep in out.split(","):
        alts = [a.strip().split(" ")[0].split(":")[0] for a in dep.split("|")]
        alts = [a for a in alts if a]
        if alts:
            names.add(next((installed[a] for a in alts if a in installed),
                           alts[0]))
    return names


def mounts_under(path):
    """Mount points at or below path, deepest first."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path.rstrip("/") + "/"):
                found.append(mp)
    return sorted(found, key=len, reverse=True)


def procs_in(root):
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != os.getpid():
            try:
                if os.readlink(f"/proc/{d}/root") == root:
                    pids.append(int(d))
            except OSError:
                pass
    return pids


def kill_procs_in(root):
    for _ in range(50):
        pids = procs_in(root)
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)
    return not procs_in(root)


def unmount_all(path):
    for mp in mounts_under(path):
        if run(["umount", mp], timeout=30).returncode != 0:
            run(["umount", "-l", mp], timeout=30)
    return not mounts_under(path)


def remove_stale(base):
    """What a SIGKILLed earlier run left: its processes, mounts, root."""
    for name in os.listdir(base):
        m = re.fullmatch(PREFIX + r"(\d+)-\w+", name)
        if m and not alive(int(m.group(1))):
            path = os.path.join(base, name)
            kill_procs_in(os.path.join(path, "root"))
            if unmount_all(path):
                shutil.rmtree(path, ignore_errors=True)


class SyslogSink(threading.Thread):
    """Serves ROOT/dev/log; keeps every line."""

    def __init__(self, path):
        super().__init__(daemon=True)
        if os.path.lexists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.lines = []
        self.lock = threading.Lock()

    def run(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            text = re.sub(r"^<\d+>", "", data.decode("utf-8", "replace"))
            with self.lock:
                self.lines.append(text.rstrip("\n"))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def close(self):
        self.sock.close()


class DistroRoot:
    def __init__(self, cache_dir):
        base = os.environ.get("SSPR_DISTRO_WORK", "/var/tmp")
        remove_stale(base)
        self.work = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-",
                                     dir=base)
        os.chmod(self.work, 0o755)
        self.root = os.path.join(self.work, "root")
        self.cache_dir = cache_dir
        self.procs = []
        self.syslog = None
        self.cleaned = False
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda s, f: sys.exit(128 + s))

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    # ----- creation -----------------------------------------------------
    def debootstrap(self, extra_packages):
        """Returns (seconds, how): how says whether the cache was used."""
        pkgs = sorted(set(BASE_PACKAGES) | set(extra_packages))
        tag = hashlib.sha256(",".join(pkgs).encode()).hexdigest()[:12]
        os.makedirs(self.cache_dir, exist_ok=True)
        tarball = os.path.join(self.cache_dir,
                               f"{SUITE}-minbase-{tag}.tgz")
        common = ["debootstrap", "--variant=minbase",
                  "--include=" + ",".join(pkgs)]
        start = time.monotonic()
        how = "cached tarball"
        if not os.path.exists(tarball):
            how = "download"
            tmp = tarball + f".{os.getpid()}.tmp"
            p = run(common + [f"--make-tarball={tmp}", SUITE,
                              os.path.join(self.work, "mk"), MIRROR],
                    timeout=1200)
            if p.returncode != 0:
                raise RuntimeError("debootstrap --make-tarball failed:\n" +
                                   p.stdout[-3000:] + p.stderr[-2000:])
            os.replace(tmp, tarball)
        p = run(common + [f"--unpack-tarball={tarball}", SUITE, self.root,
                          MIRROR], timeout=1200)
        if p.returncode != 0:
            raise RuntimeError("debootstrap --unpack-tarball failed:\n" +
                               p.stdout[-3000:] + p.stderr[-2000:])
        return time.monotonic() - start, how

    def mount(self):
        for fs, where, extra in (("proc", "/proc", []),
                                 ("sysfs", "/sys", []),
                                 (None, "/dev/pts", ["--bind", "/dev/pts"])):
            target = self.path(where)
            os.makedirs(target, exist_ok=True)
            argv = ["mount"] + (["-t", fs, fs] if fs else extra) + [target]
            p = run(argv, timeout=30)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)}: {p.stderr}")
        self.syslog = SyslogSink(self.path("/dev/log"))
        self.syslog.start()
        with open(self.path("/usr/sbin/policy-rc.d"), "w") as f:
            f.write("#!/bin/sh\n# test_distro_stack: no service starts\n"
                    "exit 101\n")
        os.chmod(self.path("/usr/sbin/policy-rc.d"), 0o755)
        hostname = socket.gethostname()
        with open(self.path("/etc/hosts"), "a") as f:
            f.write(f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n")

    # ----- running things in the root ----------------------------------
    def argv(self, *cmd):
        return ["chroot", self.root, *cmd]

    def run(self, *cmd, input=None, timeout=60, env=None):
        return subprocess.run(
            self.argv(*cmd), input=input, capture_output=True, text=True,
            timeout=timeout, env=env or ROOT_ENV, start_new_session=True,
            preexec_fn=die_with_parent)

    def must(self, *cmd, **kw):
        p = self.run(*cmd, **kw)
        if p.returncode != 0:
            raise RuntimeError(f"in the root: {' '.join(cmd)} exited "
                               f"{p.returncode}:\n{p.stdout}{p.stderr}")
        return p

    def start(self, *cmd, log):
        """A daemon in the root, dying with this process."""
        p = subprocess.Popen(
            self.argv(*cmd), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, env=ROOT_ENV, start_new_session=True,
            preexec_fn=die_with_parent)
        self.procs.append(p)
        return p

    # ----- tear-down ----------------------------------------------------
    def cleanup(self):
        """Returns a list of problems (empty: all undone)."""
        if self.cleaned:
            return []
        self.cleaned = True
        # A second SIGTERM (timeout(1) signals its whole process group)
        # must not cut the clean-up short.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        problems = []
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                problems.append(f"pid {p.pid} did not die")
        if not kill_procs_in(self.root):
            problems.append(f"processes still run in {self.root}")
        if self.syslog is not None:
            self.syslog.close()
        if not unmount_all(self.work):
            problems.append(f"still mounted: {mounts_under(self.work)}")
        if not problems:
            shutil.rmtree(self.work, ignore_errors=True)
        return problems
