"""`make demo` as a person meets it: demo/run-demo on a real terminal (a
pty), answered by reading the screen only. The code typed is the one the
"phone" on the screen shows; nothing reads the outbox file.

Run by ctest as demo.scripted: python3 test_demo.py BUILD_DIR (as root,
like `sudo make demo`; exit 77 otherwise).
"""
import os
import pty
import re
import select
import signal
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_DEMO = os.path.join(HERE, "..", "..", "demo", "run-demo")
BUILD = None
CODE_PROMPT = "Enter the code"
PHONE_TOP = "Messages - now"


class Terminal:
    """demo/run-demo on a pty; `screen` is everything shown so far."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.screen = ""
        self.seen = 0  # the end of the last match

    def wait_for(self, pattern, timeout=30):
        """Reads until `pattern` (a regex) is on the screen after the last
        match; returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.compile(pattern).search(self.screen, self.seen)
            if m:
                self.seen = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(
                    f"{pattern!r} not on the screen; it shows:\n{self.screen}")

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the other side closed
            return False
        if not data:
            return False
        self.screen += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def type(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def finish(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass
        for _ in range(50):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("demo did not end:\n" + self.screen)


class Demo(unittest.TestCase):

    def setUp(self):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "xterm",
               "LANG": "C.UTF-8"}
        self.term = Terminal(["/bin/sh", RUN_DEMO, BUILD], env)

    def tearDown(self):
        try:
            os.kill(self.term.pid, signal.SIGKILL)
            os.waitpid(self.term.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.term.fd)

    def test_the_code_read_off_the_phone_on_the_screen_completes_the_registration(self):
        t = self.term
        t.wait_for(r"Choice \[1\]: $")
        t.type("1")
        t.wait_for(r"Country or region.*: $")
        t.type("")
        t.wait_for(r"Phone number.*: $")
        t.type("201-555-0123")
        t.wait_for(r"Text me[\s\S]*Choice \[1\]: $")
        t.type("1")
        before = t.seen
        t.wait_for(CODE_PROMPT + r".*: $")
        shown = t.screen[before:]
        # The text message is on the screen before the question for it.
        self.assertIn(PHONE_TOP, shown, "no text message before the code prompt")
        self.assertLess(shown.index(PHONE_TOP), shown.index(CODE_PROMPT))
        phone = shown[shown.index(PHONE_TOP):shown.index(CODE_PROMPT)]
        code = re.search(r"\|\s*(\d{6}) is your verification code", phone)
        self.assertIsNotNone(code, "no 6-digit code on the phone:\n" + phone)
        t.type(code.group(1))
        t.wait_for(r"Thanks![\s\S]*backup method now\? \[y/N\]: $")
        t.type("n")
        t.wait_for(r"Press Enter to continue\. ?$")
        t.type("")
        t.wait_for(r"pam_acct_mgmt returned 0 \(PAM_SUCCESS\)")
        t.wait_for(r"Second login[\s\S]*pam_acct_mgmt returned 0")
        self.assertEqual(t.finish(), 0, t.screen)
        # One message, shown once.
        self.assertEqual(t.screen.count(PHONE_TOP), 1, t.screen)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP: the demo runs as root (sudo make demo)")
        sys.exit(77)
    BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")
    unittest.main(verbosity=2)
