"""The base of the end-to-end test cases: one sshd per test class, the
answers of a registration, and a count of what the ssh client showed."""
import re
import time
import unittest

from messages import BACKUP, CODE, CONTINUE, QR_CHARS, SCAN
from pty_client import STEP, show
from sshd_env import SshdEnv, require
from sspr_env import SsprAssertions  # on the path through sshd_env


US = "201-555-0123"
US_E164 = "+12015550123"


class E2ETestCase(SsprAssertions, unittest.TestCase):
    """Base: one sshd per test class; each test must end within 60 s."""
    auth_methods = "publickey,keyboard-interactive"
    users = ("a",)
    conf = None
    limit = 60

    @classmethod
    def make_env(cls):
        return SshdEnv(cls.auth_methods, cls.users, cls.conf)

    @classmethod
    def setUpClass(cls):
        cls.env = cls.make_env()
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
        # On a failure, show the end of sshd's log (DEBUG2) as well.
        result = getattr(getattr(self, "_outcome", None), "result", None)
        bad = [t for t, _ in (getattr(result, "errors", []) +
                              getattr(result, "failures", []))]
        if self in bad and hasattr(self.env, "sshd_log"):
            print("----- sshd log (tail) -----\n" +
                  "\n".join(self.env.sshd_log().splitlines()[-80:]))
        self.assertLess(time.monotonic() - self.t0, self.limit,
                        "the test took too long")

    def ssh(self, user, *command, **kw):
        c = self.env.ssh(user, *command, **kw)
        self.clients.append(c)
        return c

    def finish(self, title, client, timeout=STEP):
        """Waits for the client to end, prints what it showed, returns
        (exit status, transcript)."""
        try:
            status = client.wait(timeout)
        finally:
            show(title, client)
        return status, client.text

    def password(self, c, user):
        """pam_unix's prompt (common-auth) inside keyboard-interactive."""
        c.expect(f"({user}@127.0.0.1) Password: ")
        c.send(self.env.users[user])

    def register(self, c, user, number=US, e164=US_E164, until=None):
        """Answers as tests/pam/test_registration.py does: password, then
        "1", "", number, "1", the code from the outbox, "n", and Enter at
        the closing "Press Enter to continue." (until="code" stops at the
        code prompt, until="continue" at the closing question).
        user=None: no password (su and login -f as root)."""
        if user is not None:
            self.password(c, user)
        for prompt, answer in (("Choice [1]: ", "1"), ("[US]: ", ""),
                               ("with area code: ", number),
                               ("Choice [1]: ", "1")):
            c.expect(prompt)
            c.send(answer)
        c.expect(CODE)
        if until == "code":
            return None
        code = self.env.newest_code(e164)
        self.assertIsNotNone(code, "no code in the outbox")
        c.send(code)
        c.expect(BACKUP)
        c.send("n")
        c.expect(CONTINUE)
        if until != "continue":
            c.send("")
        return code

    def shell(self, c):
        """An interactive login's shell: prove it runs, then leave."""
        c.expect("$ ")
        c.send("echo LOGGED''-IN; exit")  # the echo of the line differs

    def assertShown(self, text, expected):
        """expected: [(marker, times shown)], in the order they appear."""
        got = [(m, text.count(m)) for m, _ in expected]
        self.assertEqual(got, list(expected), "\n" + text)
        where = [text.index(m) for m, n in expected if n]
        self.assertEqual(where, sorted(where), "order:\n" + text)

    def assertNoRepeats(self, text, allow=()):
        """No line of text is shown twice, whatever its source, except the
        lines in allow (an answer typed twice, say). The client's
        "(user@host) " before a prompt's text is not part of the line;
        rows of a QR code are left to assertQr."""
        seen = {}
        for line in text.split("\n"):
            line = re.sub(r"^\([^ ()]+@127\.0\.0\.1\) ", "", line)
            if len(line.strip()) < 4 or line in allow or \
                    all(ch in QR_CHARS for ch in line) or \
                    re.fullmatch(r"(\\[0-3][0-7][0-7]| )+", line):
                continue
            seen[line] = seen.get(line, 0) + 1
        twice = {l: n for l, n in seen.items() if n > 1}
        self.assertEqual(twice, {}, "shown more than once:\n" + text)

    def assertQr(self, text, times=1):
        """The QR code after SCAN is shown `times` times, each time whole:
        rows of the same width, half as many as the code is wide."""
        self.assertEqual(text.count(SCAN), times, text)
        rx = re.compile(rf"{re.escape(SCAN)}\n((?:[{QR_CHARS}]+\n)+)")
        codes = [m.group(1).splitlines() for m in rx.finditer(text)]
        self.assertEqual(len(codes), times, "a QR code is cut:\n" + text)
        for rows in codes:
            width = len(rows[0])
            self.assertGreaterEqual(width, 21, text)
            self.assertEqual([len(r) for r in rows], [width] * len(rows),
                             text)
            self.assertEqual(len(rows), (width + 1) // 2,
                             "a QR code is cut:\n" + text)


def main():
    require()
    unittest.main(verbosity=2)
