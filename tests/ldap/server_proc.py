"""What the directory and KDC fixtures (slapd_env, kdc_env, ds389_env,
samba_env) share: a command run with a bound time, waiting for a server's
ports, stopping a server the test started, and the folders of runs that
were killed before their atexit ran. Every wait here is bounded."""
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def run(cmd, timeout=30, stdin=None, **kw):
    """cmd's stdout; a RuntimeError with the ends of its output if it
    fails. kw goes to subprocess.run (env, cwd)."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       input=stdin, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {p.returncode}\n"
                           f"{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout


def alive(pid):
    """Whether pid runs and is no zombie (also for a process that is not
    our child, which we cannot wait() for)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def ports_open(ports, seconds, still_running=lambda: True):
    """True once every port on 127.0.0.1 accepts a connection within
    `seconds`; False at the deadline or as soon as still_running() is
    false."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not still_running():
            return False
        try:
            for port in ports:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def mark_owner(folder):
    """Writes this process's pid into folder/owner (see dead_runs)."""
    with open(os.path.join(folder, "owner"), "w") as f:
        f.write(str(os.getpid()))


def dead_runs(prefix):
    """(folder, owner pid) of each TMPDIR/prefix* folder whose owner
    (mark_owner) is gone: a test killed before its atexit ran."""
    for d in glob.glob(os.path.join(tempfile.gettempdir(), prefix + "*")):
        try:
            with open(os.path.join(d, "owner")) as f:
                owner = int(f.read())
        except (OSError, ValueError):
            continue
        if not alive(owner):
            yield d, owner


class ChildServer:
    """A server the test started as its child (self.proc, a Popen, in a
    session of its own), logging to self.log; self.dir is its folder.
    STOP_GROUP: the signals go to its whole process group."""

    STOP_GROUP = False
    STOP_GRACE = 5  # seconds between SIGTERM and SIGKILL

    def wait_listening(self, name, ports, seconds):
        if ports_open(ports, seconds, lambda: self.proc.poll() is None):
            return self
        if self.proc.poll() is not None:
            raise RuntimeError(f"{name} exited:\n" + self.log_text())
        self.stop()
        raise RuntimeError(f"{name} did not listen within {seconds} s")

    def stop(self):
        proc = getattr(self, "proc", None)
        if proc is not None and not isinstance(proc, int) and \
                proc.poll() is None:
            send = ((lambda s: os.killpg(proc.pid, s)) if self.STOP_GROUP
                    else proc.send_signal)
            send(signal.SIGTERM)
            try:
                proc.wait(self.STOP_GRACE)
            except subprocess.TimeoutExpired:
                send(signal.SIGKILL)
                proc.wait(5)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
