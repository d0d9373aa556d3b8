"""A real LightDM of the test's own, on an Xvfb display, with pam_sspr in
the account phase of a private copy of its PAM service.

What it takes, all under one temp dir unless said otherwise:
  - a D-Bus bus of its own (LightDM will not start without a system bus):
    dbus-daemon with a config that listens on a socket in a folder of the
    temp dir that only root may enter, given to LightDM as
    DBUS_SYSTEM_BUS_ADDRESS;
  - /etc/pam.d/sspr-e2e-lightdm-<pid>: /etc/pam.d/lightdm with the module
    after common-account (PAM reads services only from /etc/pam.d),
    named in lightdm.conf's pam-service, removed at the end;
  - lightdm -c <temp>/lightdm.conf with its own run, log and cache
    folders, greeters and sessions folders, a display number from 70 up,
    and xserver-command an Xvfb wrapper (LightDM adds vtN and
    -novtswitch, which Xvfb refuses);
  - a mount namespace of its own in which /dev/tty0 is /dev/null: LightDM
    switches virtual terminals through /dev/tty0 when it runs as root,
    and a test must not switch the console of the machine it runs on.
    Without /dev/tty0 it logs a warning and goes on.
Everything dies with the test (PDEATHSIG, process groups killed at the
end); the next run removes a pam.d file that a killed run left.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sshd_env import CLEAN_ENV, LoginEnv, remove_stale, run  # noqa: E402
from sspr_env import alive, die_with_parent  # noqa: E402

LIGHTDM = "/usr/sbin/lightdm"
XVFB = "/usr/bin/Xvfb"
DBUS_DAEMON = "/usr/bin/dbus-daemon"
UNSHARE = "/usr/bin/unshare"
PAMD = "/etc/pam.d"
PAMD_LIGHTDM = "/etc/pam.d/lightdm"
SERVICE_PREFIX = "sspr-e2e-lightdm-"
SETPASS = os.environ.get("SSPR_SETPASS", "")
GREETER_USER = "lightdm"
# Seconds LightDM, the X server or the greeter may take for one step.
STEP = 40

BUS_CONF = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path={path}</listen>
  <auth>ANONYMOUS</auth>
  <allow_anonymous/>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# LightDM runs the X server as `xserver-command :N -seat seat0 -auth F
# -nolisten tcp vtN -novtswitch`; Xvfb knows all but the last two.
XVFB_WRAPPER = """#!/bin/sh
for a in "$@"; do
  shift
  case "$a" in vt[0-9]*|-novtswitch) ;; *) set -- "$@" "$a" ;; esac
done
exec {xvfb} "$@"
"""

# In the namespace: /dev/tty0 becomes /dev/null, then LightDM runs.
NAMESPACE_SCRIPT = """set -e
if [ -e /dev/tty0 ]; then mount --bind /dev/null /dev/tty0; fi
exec "$@"
"""


def remove_stale_services():
    """pam.d files of runs that died without cleaning up."""
    for name in os.listdir(PAMD):
        if name.startswith(SERVICE_PREFIX):
            pid = name[len(SERVICE_PREFIX):].split("-")[0]
            if pid.isdigit() and not alive(int(pid)):
                os.unlink(os.path.join(PAMD, name))


class LightdmEnv(LoginEnv):
    """LoginEnv (users, config, outbox) plus a LightDM whose greeter is
    `greeter_exec` (a command line; {socket} is replaced by the path of
    the socket the test listens on)."""

    def __init__(self, greeter_exec, conf=None, reset=False):
        super().__init__(conf)
        self.greeter_exec = greeter_exec
        self.service = SERVICE_PREFIX + self.pid_tag
        # reset: the README's auth lines (pam_unix, then the module with
        # sspr-setpass, then pam_deny) in place of common-auth, and the
        # private password service sspr-setpass runs.
        self.reset = reset
        self.passwd_file = None
        if reset:
            self.conf.update(reset="yes",
                             reset_passwd_service=self.service + "-passwd")
        self.pamd_file = os.path.join(PAMD, self.service)
        self.procs = []
        self.listener = None

    # ----- set-up ---------------------------------------------------------
    def start(self):
        self.install()
        self.write_pamd()
        self.start_bus()
        self.listen()
        self.write_lightdm_conf()
        log = open(os.path.join(self.root, "lightdm.out"), "wb")
        env = dict(CLEAN_ENV, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address)
        argv = [UNSHARE, "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", NAMESPACE_SCRIPT, "sh",
                LIGHTDM, "-d", "-c", self.path("lightdm.conf"),
                "--log-dir", self.path("log"), "--cache-dir",
                self.path("cache"), "--pid-file", self.path("run", "pid")]
        self.procs.append(subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=self._child_setup))
        log.close()

    def _child_setup(self):
        os.setsid()  # a process group of its own, killed at the end
        die_with_parent()

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write_pamd(self, first=False):
        """The service file: the module right after common-account, or
        with first=True right before it (PAM reads it at each login)."""
        with open(PAMD_LIGHTDM) as f:
            lines = f.read().splitlines(keepends=True)
        at = next((i + (0 if first else 1) for i, l in enumerate(lines)
                   if "common-account" in l and l.lstrip().startswith("@")),
                  len(lines))
        lines.insert(at, f"account required {self.pam_line()}\n")
        if self.reset:
            setpass = self.path("bin", "sspr-setpass")
            if not os.path.exists(setpass):
                shutil.copy2(SETPASS, setpass)
                os.chmod(setpass, 0o755)
            self.passwd_file = os.path.join(PAMD, self.service + "-passwd")
            with open(self.passwd_file, "w") as f:
                f.write("password required pam_unix.so yescrypt\n")
            auth = ("auth [success=done default=ignore] pam_unix.so\n"
                    f"auth requisite {self.pam_line()} setpass={setpass}\n"
                    "auth required pam_deny.so\n")
            lines = [auth if l.strip() == "@include common-auth" else l
                     for l in lines]
        with open(self.pamd_file, "w") as f:
            f.write("".join(lines))

    def start_bus(self):
        # In a folder only root may enter: the bus lets anyone who reaches
        # it do anything, LightDM's D-Bus interface included.
        os.mkdir(self.path("bus"), 0o700)
        sock = self.path("bus", "socket")
        with open(self.path("bus.conf"), "w") as f:
            f.write(BUS_CONF.format(path=sock))
        self.bus_address = "unix:path=" + sock
        self.procs.append(subprocess.Popen(
            [DBUS_DAEMON, "--nofork", "--nopidfile",
             "--config-file=" + self.path("bus.conf")],
            env=CLEAN_ENV, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=self._child_setup))
        self.wait_for(lambda: os.path.exists(sock), "the D-Bus socket")

    def listen(self):
        """The socket the greeter connects to, for the lightdm user."""
        d = self.path("greeter")
        os.mkdir(d, 0o700)
        pw = pwd.getpwnam(GREETER_USER)
        os.chown(d, pw.pw_uid, pw.pw_gid)
        self.socket_path = os.path.join(d, "socket")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.socket_path)
        os.chown(self.socket_path, pw.pw_uid, pw.pw_gid)
        self.listener.listen(1)

    def write_lightdm_conf(self):
        for d in ("run", "log", "cache", "greeters", "sessions"):
            os.makedirs(self.path(d), 0o755, exist_ok=True)
        shutil.copy(os.path.join(HERE, "scripted_greeter.py"),
                    self.path("greeter", "scripted_greeter.py"))
        os.chmod(self.path("greeter", "scripted_greeter.py"), 0o644)
        wrapper = self.path("bin", "xvfb")
        with open(wrapper, "w") as f:
            f.write(XVFB_WRAPPER.format(xvfb=XVFB))
        os.chmod(wrapper, 0o755)
        with open(self.path("greeters", "sspr-test-greeter.desktop"),
                  "w") as f:
            f.write("[Desktop Entry]\nName=pam_sspr test greeter\n"
                    "Type=Application\nExec=" + self.greeter_exec.format(
                        socket=self.socket_path,
                        script=self.path("greeter", "scripted_greeter.py")) +
                    "\n")
        # The session: /bin/true straight away, not through Debian's
        # /etc/X11/Xsession, whose helpers could outlive the test.
        session_wrapper = self.path("bin", "session")
        with open(session_wrapper, "w") as f:
            f.write('#!/bin/sh\nexec "$@"\n')
        os.chmod(session_wrapper, 0o755)
        with open(self.path("sessions", "sspr-test-session.desktop"),
                  "w") as f:
            f.write("[Desktop Entry]\nName=pam_sspr test session\n"
                    "Type=Application\nExec=/bin/true\n")
        with open(self.path("lightdm.conf"), "w") as f:
            f.write(f"""[LightDM]
minimum-display-number=70
run-directory={self.path("run")}
greeters-directory={self.path("greeters")}
sessions-directory={self.path("sessions")}
logind-check-graphical=false
greeter-user={GREETER_USER}
[Seat:*]
xserver-command={wrapper} -screen 0 1024x768x24
greeter-session=sspr-test-greeter
user-session=sspr-test-session
greeter-hide-users=true
session-wrapper={session_wrapper}
pam-service={self.service}
""")

    # ----- while it runs -------------------------------------------------
    def wait_for(self, cond, what, limit=STEP):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if cond():
                return
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}:\n" +
                           self.log_tail())

    def accept_greeter(self):
        """The greeter's connection, once LightDM started it."""
        self.listener.settimeout(STEP)
        try:
            conn, _ = self.listener.accept()
        except socket.timeout:
            raise RuntimeError("the greeter did not connect:\n" +
                               self.log_tail()) from None
        conn.settimeout(STEP)
        return conn

    def log_tail(self):
        out = []
        for name in ("lightdm.out", "log/seat0-greeter.log"):
            try:
                with open(self.path(name), "rb") as f:
                    out.append(f"--- {name} ---\n" +
                               f.read().decode("utf-8", "replace")[-3000:])
            except OSError:
                pass
        return "\n".join(out)

    def display_number(self):
        """The X display LightDM chose (":70"), from its log."""
        with open(self.path("lightdm.out"), "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                if "XServer " in line and "Launching X Server" in line:
                    return ":" + line.split("XServer ")[1].split(":")[0]
        return None

    # ----- tear-down -----------------------------------------------------
    def cleanup(self):
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(10)
        self.procs = []
        for f in (self.pamd_file, self.passwd_file):
            try:
                if f:
                    os.unlink(f)
            except FileNotFoundError:
                pass
        super().cleanup()


def require_lightdm():
    """Exit 77 unless LightDM can run here (root, the packages)."""
    from sshd_env import skip
    if os.geteuid() != 0:
        skip("the LightDM test runs lightdm as root, writes /etc/pam.d and "
             "creates users; run it as root")
    for path, pkg in ((LIGHTDM, "lightdm"), (XVFB, "xvfb"),
                      (DBUS_DAEMON, "dbus-daemon"), (UNSHARE, "util-linux"),
                      (PAMD_LIGHTDM, "lightdm")):
        if not os.path.exists(path):
            skip(f"{path} is missing: install {pkg} (scripts/install-deps)")
    probe = subprocess.run(
        ["/usr/bin/python3", "-c",
         "import gi; gi.require_version('LightDM', '1')"],
        env=CLEAN_ENV, capture_output=True, timeout=STEP)
    if probe.returncode != 0:
        skip("/usr/bin/python3 cannot load liblightdm-gobject: install "
             "python3-gi and gir1.2-lightdm-1 (scripts/install-deps)")
    try:
        run([UNSHARE, "--mount", "--propagation", "private", "--",
             "/bin/sh", "-c", NAMESPACE_SCRIPT, "sh", "/bin/true"])
    except subprocess.CalledProcessError as e:
        skip("cannot make a mount namespace to hide /dev/tty0 from LightDM "
             f"(it would switch this machine's console): {e.stderr.strip()}")
    remove_stale()  # users and temp dirs of dead runs
    remove_stale_services()
