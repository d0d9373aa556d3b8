"""A program on a pseudo-terminal, driven like expect(1), stdlib only.

ssh reads keyboard-interactive answers from /dev/tty, so the client must
run on a pty of its own; PtyClient keeps every byte it shows (prompts,
echoed answers, banners, remote output: what the user sees) and puts a
deadline on every wait.
"""
import errno
import os
import pty
import re
import select
import signal
import time

STEP = 20  # seconds any single expected output may take
CLIENT_ENV = {"PATH": "/usr/bin:/bin", "TERM": "dumb", "HOME": "/root"}


class Timeout(AssertionError):
    pass


class PtyClient:
    """A program on a pty, with expect-like reading and a full transcript."""

    def __init__(self, argv, lang="C"):
        self.argv = argv
        env = dict(CLIENT_ENV, LANG=lang)
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = b""
        self.pos = 0  # where the next expect() starts looking
        self.eof = False
        self.status = None

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.eof = True
            return False
        self.raw += data
        return True

    @property
    def text(self):
        """What the user saw, with the terminal's \\r\\n made \\n."""
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n") \
            .replace("\r", "")

    def expect(self, pattern, timeout=STEP):
        """Waits for a regex (or literal string) after the last match."""
        rx = re.compile(pattern if isinstance(pattern, re.Pattern)
                        else re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if not self._read(deadline):
                raise Timeout(
                    f"{'EOF' if self.eof else 'timeout'} waiting for "
                    f"{rx.pattern!r}; transcript so far:\n{self.text}")

    def send(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def wait(self, timeout=STEP):
        """Reads to EOF and reaps the client; returns its exit status."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._read(deadline) and not self.eof:
                self.kill()
                raise Timeout(f"client did not end; transcript:\n{self.text}")
        while self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
            elif time.monotonic() > deadline:
                self.kill()
                raise Timeout("client did not exit")
            else:
                time.sleep(0.02)
        os.close(self.fd)
        return self.status

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                _, st = os.waitpid(self.pid, 0)
                self.status = os.waitstatus_to_exitcode(st)
            except (ProcessLookupError, ChildProcessError):
                self.status = -9
            try:
                os.close(self.fd)
            except OSError:
                pass


def show(title, client):
    """Prints a transcript so `ctest -V` shows exactly what the user saw."""
    print(f"\n----- {title} (ssh client terminal) -----\n{client.text}"
          f"\n----- end ({title}), exit status {client.status} -----",
          flush=True)
