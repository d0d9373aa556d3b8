"""End-to-end set-up: a real OpenSSH sshd on a loopback port with pam_sspr in
its account stack, local test users, and a real ssh client on a pty.

Everything lives in one temp dir, except what sshd and PAM insist on:
  /etc/pam.d/<service>   PAM reads sshd's service file only from /etc/pam.d;
                         the service name is the name of the sshd binary, so
                         sshd is run from a copy named sspr-e2e-sshd-<pid>.
  /run/sshd              sshd's privilege-separation dir (created if absent,
                         removed again if we created it).
  local users            sspre2e<pid><letter>, created with useradd, removed
                         with userdel -r.
SshdEnv.cleanup() removes all of it (also on SIGTERM/SIGINT and at exit).
sshd dies with the test process even if that is SIGKILLed (a ctest
timeout), and the next run removes what a killed run left (pam.d file,
users, temp dir), recognised by the dead pid in their names.

The ssh client runs on a pty (stdlib pty/os/select only): keyboard-
interactive prompts are read from /dev/tty, so there is no other way to
answer them. PtyClient records every byte the client shows.
"""
import atexit
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from pty_client import STEP, PtyClient

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from sspr_env import (HELPER, MODULE, TEST_HELPER_USER,  # noqa: E402,F401
                      SsprEnv, alive, die_with_parent, end_account,
                      free_port)

SSHD = "/usr/sbin/sshd"
SSH = "/usr/bin/ssh"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
PAMD = "/etc/pam.d"
PRIVSEP_DIR = "/run/sshd"
SERVICE_PREFIX = "sspr-e2e-sshd-"
USER_PREFIX = "sspre2e"
GECOS_MARK = "pam_sspr e2e test"
CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(77)


def require():
    """Exit 77 unless this machine can run the end-to-end tests."""
    if os.geteuid() != 0:
        skip("the sshd end-to-end tests start sshd, write /etc/pam.d and "
             "create users; run them as root")
    for tool in (SSHD, SSH, SSH_KEYGEN):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is missing: install openssh-server and "
                 "openssh-client (scripts/install-deps)")
    for tool in ("useradd", "userdel", "chpasswd"):
        if shutil.which(tool, path=CLEAN_ENV["PATH"]) is None:
            skip(f"{tool} is missing (package passwd)")
    require_loadable_module("sshd")
    remove_stale()


def require_loadable_module(program):
    """Exit 1 unless the built helper and module exist, 77 if the module
    is a sanitizer build: `program` (sshd, su, login) is not built with
    the sanitizers and cannot load it, which would deny every login."""
    for name, v in (("SSPR_MODULE", MODULE), ("SSPR_HELPER", HELPER)):
        if not v or not os.path.exists(v):
            print(f"FAIL: {name} is not set to a built file (run via ctest)")
            sys.exit(1)
    probe = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])",
         MODULE], capture_output=True, text=True, env=CLEAN_ENV, timeout=STEP)
    if probe.returncode != 0:
        if any(s in probe.stderr for s in ("__asan", "__ubsan", "__sancov")):
            skip(f"pam_sspr.so is a sanitizer build; {program} cannot load "
                 "it (the e2e tests run in the normal build)")
        print(f"FAIL: {MODULE} cannot be loaded:\n{probe.stderr}")
        sys.exit(1)


def remove_stale():
    """Leftovers of an earlier run that died without cleaning up."""
    for name in os.listdir(PAMD):
        if name.startswith(SERVICE_PREFIX):
            pid = name[len(SERVICE_PREFIX):]
            if pid.isdigit() and not alive(int(pid)):
                os.unlink(os.path.join(PAMD, name))
    for pw in pwd.getpwall():
        if pw.pw_name.startswith(USER_PREFIX) and \
                pw.pw_gecos.startswith(GECOS_MARK):
            pid = pw.pw_gecos[len(GECOS_MARK):].strip()
            if pid.isdigit() and not alive(int(pid)):
                end_account(pw.pw_name)
                subprocess.run(["userdel", "-r", "-f", pw.pw_name],
                               env=CLEAN_ENV, capture_output=True)
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.fullmatch(r"sspr-e2e-(\d+)-\w+", name)
        if m and not alive(int(m.group(1))):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def run(argv, **kw):
    kw.setdefault("env", CLEAN_ENV)
    kw.setdefault("timeout", STEP)
    return subprocess.run(argv, check=True, capture_output=True, text=True,
                          **kw)


def procs_with_exe(path):
    """(pid, state) of live processes running the executable at path."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{d}/exe")
            with open(f"/proc/{d}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if exe == path or exe == path + " (deleted)":
            out.append((int(d), state))
    return out


def other_e2e_sshd_running():
    """Another run's sshd still needs /run/sshd."""
    for d in os.listdir("/proc"):
        try:
            exe = os.readlink(f"/proc/{d}/exe") if d.isdigit() else ""
        except OSError:
            continue
        if os.path.basename(exe).startswith(SERVICE_PREFIX):
            return True
    return False


def pgrep_f(pattern):
    p = subprocess.run(["pgrep", "-a", "-f", pattern], env=CLEAN_ENV,
                       capture_output=True, text=True, timeout=STEP)
    return [l for l in p.stdout.splitlines() if l.strip()]


class LoginEnv(SsprEnv):
    """What every e2e login needs: a private copy of the helper (its path
    identifies exactly the helpers this test started, while other tests
    may run), config, state, cache, outbox and throwaway users. Cleaned
    up at the end, on SIGTERM/SIGINT, or by the next run's remove_stale."""

    _live = []
    conf_header = "# written by the e2e test\n"

    def __init__(self, conf=None):
        self.pid_tag = str(os.getpid())
        super().__init__(f"sspr-e2e-{self.pid_tag}-", conf=conf, defaults={
            "methods": "mobile, office",  # the menu the tests answer
            # A bound against a hung helper, not a speed test: on 2 loaded
            # CPUs a helper's fsync can take seconds, and past this bound
            # the module gives up (failmode safe: the person is let in
            # without the dialogue's last question).
            "helper_timeout": "30",
            "dialogue_timeout": "50",
        })
        self.bin = os.path.join(self.root, "bin")
        self.helper = os.path.join(self.bin, "sspr-helper")
        self.created_users = []
        LoginEnv._live.append(self)

    def user(self, letter):
        return f"{USER_PREFIX}{self.pid_tag}{letter}"

    def install(self):
        """bin/ with the helper copy, and the config file."""
        os.mkdir(self.bin, 0o755)
        shutil.copy2(HELPER, self.helper)
        os.chmod(self.helper, 0o755)
        self.write_conf()

    def add_user(self, name):
        run(["useradd", "-m", "-s", "/bin/sh", "-c",
             f"{GECOS_MARK} {self.pid_tag}", name])
        self.created_users.append(name)

    def helpers(self):
        """Live processes of this env's helper copy: (pid, state); a
        zombie has no exe link and is not listed."""
        return procs_with_exe(self.helper)

    def cleanup(self):
        if self in LoginEnv._live:
            LoginEnv._live.remove(self)
        for pid, _ in self.helpers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for name in self.created_users:
            end_account(name)  # its sessions, and what they left in /tmp
            subprocess.run(["userdel", "-r", "-f", name], env=CLEAN_ENV,
                           capture_output=True, timeout=STEP)
        self.created_users = []
        super().cleanup()


class SshdEnv(LoginEnv):
    """One sshd with its own PAM service, config, state, users and keys."""

    def __init__(self, auth_methods, users, conf=None):
        super().__init__(conf)
        self.auth_methods = auth_methods
        self.service = SERVICE_PREFIX + self.pid_tag
        self.pamd_file = os.path.join(PAMD, self.service)
        self.sshd = os.path.join(self.bin, self.service)
        self.keys = os.path.join(self.root, "keys")
        self.sshd_config = os.path.join(self.root, "sshd_config")
        self.log = os.path.join(self.root, "sshd.log")
        self.host_key = os.path.join(self.root, "host_ed25519")
        self.client_key = os.path.join(self.root, "client_ed25519")
        self.known_hosts = os.path.join(self.root, "known_hosts")
        self.users = {f"{USER_PREFIX}{self.pid_tag}{u}": f"Pw-{u}-e2e-7Qx"
                      for u in users}
        self.made_privsep_dir = False
        self.proc = None
        self.port = None
        # sshd's two ways to ask a password; a test class may swap them.
        self.kbdint = "yes"
        self.password_auth = "no"

    # ----- set-up -------------------------------------------------------
    def start(self):
        self.install()
        shutil.copy2(SSHD, self.sshd)
        with open(self.pamd_file, "w") as f:
            f.write("# pam_sspr end-to-end test; removed when the test ends\n"
                    "@include common-auth\n"
                    "@include common-account\n"
                    f"account required {self.pam_line()}\n"
                    "@include common-session\n")
        os.chmod(self.pamd_file, 0o644)
        run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "e2e-host",
             "-f", self.host_key])
        run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "e2e-client",
             "-f", self.client_key])
        os.mkdir(self.keys, 0o755)
        with open(self.client_key + ".pub") as f:
            client_pub = f.read()
        for name, password in self.users.items():
            self.add_user(name)
            run(["chpasswd"], input=f"{name}:{password}\n")
            path = os.path.join(self.keys, name)
            with open(path, "w") as f:
                f.write(client_pub)
            os.chmod(path, 0o644)
        if not os.path.isdir(PRIVSEP_DIR):
            os.mkdir(PRIVSEP_DIR, 0o755)
            self.made_privsep_dir = True
        self.port = free_port()
        with open(self.host_key + ".pub") as f:
            host_pub = " ".join(f.read().split()[:2])
        with open(self.known_hosts, "w") as f:
            f.write(f"[127.0.0.1]:{self.port} {host_pub}\n")
        with open(self.sshd_config, "w") as f:
            f.write(f"""# pam_sspr end-to-end test
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.host_key}
PidFile {self.root}/sshd.pid
UsePAM yes
KbdInteractiveAuthentication {self.kbdint}
PasswordAuthentication {self.password_auth}
PubkeyAuthentication yes
AuthenticationMethods {self.auth_methods}
AuthorizedKeysFile {self.keys}/%u
StrictModes no
PermitRootLogin no
LogLevel DEBUG2
PrintMotd no
PrintLastLog no
UseDNS no
LoginGraceTime 55
MaxAuthTries 6
X11Forwarding no
""")
        run([self.sshd, "-t", "-f", self.sshd_config])
        self.proc = subprocess.Popen(
            [self.sshd, "-D", "-f", self.sshd_config, "-E", self.log],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=CLEAN_ENV, start_new_session=True,
            preexec_fn=die_with_parent)
        end = time.monotonic() + STEP
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("sshd exited at start:\n" + self.sshd_log())
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                if time.monotonic() > end:
                    raise RuntimeError("sshd does not listen:\n" +
                                       self.sshd_log())
                time.sleep(0.05)

    # ----- inspection ---------------------------------------------------
    def sshd_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ----- client -------------------------------------------------------
    def ssh(self, user, *command, methods, tty=False, extra=(), lang="C",
            log_level="INFO"):
        """ssh on a pty; tty=True adds -tt (a remote pty, as a login)."""
        argv = [SSH, "-F", "/dev/null",
                "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", f"IdentityFile={self.client_key}",
                "-o", f"PreferredAuthentications={methods}",
                "-o", "ConnectTimeout=10",
                "-o", f"LogLevel={log_level}",
                *extra]
        if tty:
            argv.append("-tt")
        argv += ["-p", str(self.port), f"{user}@127.0.0.1", *command]
        return PtyClient(argv, lang=lang)

    # ----- tear-down ----------------------------------------------------
    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        # Per-connection sshd processes run from our copy; end them too.
        for pid, _ in procs_with_exe(self.sshd):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.unlink(self.pamd_file)
        except FileNotFoundError:
            pass
        super().cleanup()
        if self.made_privsep_dir and not other_e2e_sshd_running():
            try:
                os.rmdir(PRIVSEP_DIR)
            except OSError:
                pass


def _cleanup_all(*_):
    for env in list(LoginEnv._live):
        env.cleanup()


def _on_signal(signum, _frame):
    _cleanup_all()
    os._exit(128 + signum)


atexit.register(_cleanup_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
