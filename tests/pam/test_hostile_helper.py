# This file is long because one fake helper protocol serves every lie
# (texts, SET_PASSWORD, results, names) and each needs its own harness.
"""A hostile (compromised) helper against the root module, through real
libpam: whatever text it sends, the login ends promptly, the module's
memory stays bounded, and the conversation gets only valid UTF-8 without
control characters but line ends, in pieces of at most PAM_MAX_MSG_SIZE."""
import os
import signal
import struct
import subprocess
import tempfile
import time

from harness import (PAM_IGNORE, PAM_PERM_DENIED, PAMTEST, PamTestCase,
                     main)

# The protocol's framing (protocol/frame.h) for the fake helpers below:
# 4-byte big-endian length, 1 type byte, the payload; fd 3 is the module.
FRAMING = r'''#!/usr/bin/python3 -I
import os, struct

def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = os.read(3, n - len(data))
        if not chunk:
            raise SystemExit(0)
        data += chunk
    return data

def read_frame():
    n = struct.unpack(">I", read_exact(4))[0]
    body = read_exact(n)
    return body[0], body[1:]

def send(t, payload):
    data = struct.pack(">IB", len(payload) + 1, t) + payload
    while data:
        data = data[os.write(3, data):]

'''

# The fake helper: speaks the frame protocol on fd 3 (see protocol/frame.h)
# and sends each of TEXTS as the frame type given, then a prompt, then
# RESULT FAILED. TEXTS is filled in per test (a Python literal). Before
# RESULT it writes its parent's (the driver's, where the module runs)
# VmHWM in KiB to parent-hwm next to itself: the module's peak after it
# relayed every text, without the helper's own memory. At its start it
# leaves a file "started" there: proof that the login reached it (an
# account the module skips ends in PAM_IGNORE too, without a helper).
FAKE_HELPER = FRAMING + r'''
HELLO, PROMPT_ECHO_ON, INFO, ERROR, ANSWER, RESULT = 1, 3, 5, 6, 7, 9
open(os.path.join(os.path.dirname(__file__), "started"), "w").close()
read_frame()                     # START
send(HELLO, b"\x02")  # protocol version (protocol/frame.h)
FOREVER = {forever}
TEXTS = {texts}
while True:
    for t, text in TEXTS:
        send(t, text)
    if not FOREVER:
        break
send(PROMPT_ECHO_ON, {prompt})
t, answer = read_frame()
with open("/proc/%d/status" % os.getppid()) as f:
    hwm = [l.split()[1] for l in f if l.startswith("VmHWM:")][0]
with open(os.path.join(os.path.dirname(__file__), "parent-hwm"), "w") as f:
    f.write(hwm)
log = b"fake helper done"
send(RESULT, bytes([7]) + struct.pack(">IH", 0, len(log)) + log)
'''

HOSTILE_TEXTS = [
    # The finding: a letter, then 600 continuation bytes.
    (6, b"A" + b"\x80" * 600),
    # Terminal escapes: clear screen, window title, colours, CSI as C1,
    # carriage return over the line, bell, DEL, NUL, tab.
    (5, b"\x1b[2J\x1b]0;owned\x07\x1b[31mred\r\nfake prompt\xc2\x9b31m"
        b"\x7f\x00nul\ttab"),
    # Ill-formed UTF-8: overlong, surrogate, past U+10FFFF, truncated.
    (6, b"bad \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf5 \xe2\x82 end\xf0"),
    # 60 KiB of continuation bytes: 180 KiB once replaced; cut.
    (5, b"\x80" * (60 * 1024)),
]


def fake_helper(env, texts, prompt=b"Code: ", forever=False):
    return env.script("hostile-helper", FAKE_HELPER.format(
        texts=repr(texts), prompt=repr(prompt), forever=forever))


def run_measured(env, user, *answers, extra=(), deadline=60,
                 rss_cap_kib=1 << 20):
    """Runs the driver like Env.run, but watches it: returns (code, raw
    output bytes, seconds, peak RSS in KiB of the driver, in which the
    module runs). Past `deadline` seconds or `rss_cap_kib` it is killed
    (code None), so that a looping module cannot eat the machine. As
    Env.run: the accounts of nss_wrapper (the module checks only accounts
    NSS knows), stdin no terminal."""
    env.ensure_person(user)
    cmd = [PAMTEST, "--confdir", env.confdir, "--service", env.service,
           "--user", user, "--outbox", env.outbox, *extra, *answers]
    with tempfile.TemporaryFile() as out:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                             env=env.command_env(),
                             stdin=subprocess.DEVNULL)
        killed = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    rss = next(int(l.split()[1]) for l in f
                               if l.startswith("VmRSS:"))
            except (OSError, StopIteration):
                rss = 0
            if not killed and (time.monotonic() - t0 > deadline or
                               rss > rss_cap_kib):
                os.kill(p.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.01)
        took = time.monotonic() - t0
        p.returncode = 0  # reaped above; keep Popen from waiting again
        out.seek(0)
        raw = out.read()
    code = None if killed else os.waitstatus_to_exitcode(status)
    if code == 24:  # PAM_TRY_AGAIN: the stack's marker of our IGNORE
        code = PAM_IGNORE
    return code, raw, took, usage.ru_maxrss


def assert_clean_conversation(test, raw):
    """Everything the conversation printed is valid UTF-8 with no control
    character but '\\n' (the driver adds only ASCII labels and line ends)."""
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    bad = sorted({hex(ord(c)) for c in text
                  if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0})
    test.assertEqual(bad, [], "control characters reached the conversation")
    return text


def helper_started(env):
    return os.path.exists(os.path.join(env.root, "started"))


def driver_hwm_kib(env):
    """The driver's VmHWM when the fake helper sent RESULT."""
    with open(os.path.join(env.root, "parent-hwm")) as f:
        return int(f.read())


class HostileHelper(PamTestCase):

    def baseline_kib(self):
        """Peak RSS of the same login with a well-behaved fake helper: of
        the driver and its children, and of the driver alone."""
        self.env.helper = fake_helper(self.env, [(5, b"Hello.")])
        self.env.write()
        code, raw, _, kib = run_measured(self.env, "alice", "1")
        self.assertEqual(code, PAM_PERM_DENIED, raw)
        return kib, driver_hwm_kib(self.env)

    def test_hostile_texts_end_promptly_bounded_and_clean(self):
        base, base_driver = self.baseline_kib()
        self.env.helper = fake_helper(self.env, HOSTILE_TEXTS,
                                      prompt=b"\x1b[8mCode\x80: ")
        self.env.write()
        code, raw, took, kib = run_measured(self.env, "alice", "1",
                                            rss_cap_kib=base + 256 * 1024)
        self.assertEqual(code, PAM_PERM_DENIED,
                         f"killed or wrong result after {took:.1f} s, "
                         f"peak RSS {kib} KiB; output:\n{raw[-2000:]!r}")
        self.assertLess(took, 20)
        self.assertLess(kib, base + 32 * 1024,
                        f"module grew from {base} KiB to {kib} KiB")
        driver = driver_hwm_kib(self.env)
        self.assertLess(driver, base_driver + 16 * 1024,
                        f"module grew from {base_driver} KiB to {driver} KiB")
        text = assert_clean_conversation(self, raw)
        self.assertIn("CHILDREN: none", text)
        fffd = "\ufffd"
        # Each message the conversation got fits PAM_MAX_MSG_SIZE - 1.
        entries = []  # [label, text]; a message may hold line ends
        for line in text.split("\n"):
            label = next((l for l in ("ERROR: ", "INFO: ", "PROMPT: ",
                                      "ANSWER: ", "CHILDREN: ", "RESULT: ")
                          if line.startswith(l)), None)
            if label is not None:
                entries.append([label, line[len(label):]])
            elif entries:
                entries[-1][1] += "\n" + line
        msgs = [t for l, t in entries if l in ("ERROR: ", "INFO: ",
                                               "PROMPT: ")]
        for m in msgs:
            self.assertLessEqual(len(m.encode()), 511, m[:40])
        # What was sent is shown, replaced, not dropped (but the long text
        # is cut after 64 messages).
        self.assertIn("ERROR: A" + fffd * 170 + "\n", text)
        self.assertIn(fffd + "[2J" + fffd + "]0;owned" + fffd + fffd +
                      "[31mred" + fffd + "\nfake prompt" + fffd + "31m" +
                      fffd + fffd + "nul tab", text)
        self.assertIn("bad " + fffd * 2 + " " + fffd * 3 + " " + fffd * 4 +
                      " " + fffd + " " + fffd + " end" + fffd, text)
        self.assertIn("PROMPT: " + fffd + "[8mCode" + fffd + ": ", text)
        # 170 replacement characters (510 bytes) make a full message: two
        # of the first text's four, and all 64 of the 60 KiB text's.
        self.assertEqual(sum(1 for m in msgs if m == fffd * 170), 2 + 64,
                         "the 60 KiB text is not cut after 64 messages")

    def test_helper_that_talks_for_ever_is_cut_off(self):
        self.env.helper = fake_helper(self.env, [(5, b"spam")], forever=True)
        self.env.write()
        code, raw, took, _ = run_measured(self.env, "alice", "1",
                                          deadline=30)
        self.assertEqual(code, PAM_IGNORE,
                         f"not cut off after {took:.1f} s: {raw[-300:]!r}")
        self.assertTrue(helper_started(self.env), raw[-300:])
        self.assertGreater(raw.count(b"INFO: spam\n"), 0, raw[-300:])
        self.assertLessEqual(raw.count(b"INFO: spam\n"), 4096)
        self.assertIn(b"CHILDREN: none", raw)

    def test_helper_that_talks_for_ever_is_cut_off_when_silent(self):
        # Under PAM_SILENT the infos are not shown, but they still count.
        self.env.helper = fake_helper(self.env, [(5, b"spam")], forever=True)
        self.env.write()
        code, raw, took, _ = run_measured(self.env, "alice", "1",
                                          extra=("--silent",), deadline=30)
        self.assertEqual(code, PAM_IGNORE,
                         f"not cut off after {took:.1f} s: {raw[-300:]!r}")
        self.assertTrue(helper_started(self.env), raw[-300:])
        self.assertNotIn(b"INFO: spam", raw)
        self.assertIn(b"CHILDREN: none", raw)

    def test_a_helper_asking_to_set_a_password_outside_a_reset_ends_the_login(self):
        # SET_PASSWORD (10) in an account dialogue: a protocol error, and
        # the setter program is never started.
        marker = os.path.join(self.env.root, "setpass-ran")
        setpass = self.env.script("fake-setpass",
                                  f"#!/bin/sh\ntouch {marker}\n")
        self.env.args = f"setpass={setpass}"
        self.env.helper = fake_helper(self.env, [(10, b"N3w-Passw0rd!")])
        self.env.write()
        code, raw, _, _ = run_measured(self.env, "alice", "1", deadline=30)
        self.assertEqual(code, PAM_IGNORE, raw[-500:])  # failmode = safe
        self.assertTrue(helper_started(self.env), raw[-300:])
        self.assertFalse(os.path.exists(marker), "sspr-setpass was started")
        self.assertNotIn(b"N3w-Passw0rd!", raw)
        self.assertIn(b"CHILDREN: none", raw)


# A lying helper in a reset (protocol v2): it sends each of SETS as a
# SET_PASSWORD payload, writes each SET_PASSWORD_RESULT status it gets
# (one digit a line) to set-results, then RESULT with OUTCOME. START's
# reset flag is written to flags. The fake setter writes the user and the
# password's length that the module sent it to setpass-got (a line each)
# and answers "done".
FAKE_RESET_HELPER = FRAMING + r'''HERE = os.path.dirname(__file__)

open(os.path.join(HERE, "started"), "w").close()
t, start = read_frame()
send(1, b"\x02")
for payload in {sets}:
    send(10, payload)
    t, body = read_frame()
    with open(os.path.join(HERE, "set-results"), "a") as f:
        f.write("%d %d\n" % (t, body[0]))
log = b"fake reset helper done"
send(9, bytes([{outcome}]) + struct.pack(">IH", 0, len(log)) + log)
'''

FAKE_SETPASS = r'''#!/usr/bin/python3 -I
import os, struct
HERE = os.path.dirname(__file__)

def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = os.read(3, n - len(data))
        if not chunk:
            raise SystemExit(1)
        data += chunk
    return data

n = struct.unpack(">I", read_exact(4))[0]
body = read_exact(n)[1:]
fields = []
while body:
    k = struct.unpack(">H", body[:2])[0]
    fields.append(body[2:2 + k])
    body = body[2 + k:]
with open(os.path.join(HERE, "setpass-got"), "ab") as f:
    f.write(fields[0] + b" %d\n" % len(fields[2]))
reply = bytes([1]) + struct.pack(">H", 0)
os.write(3, struct.pack(">IB", len(reply) + 1, 11) + reply)
'''

PAM_AUTH_ERR = 7


class ResetHelperCase(PamTestCase):
    """The reset at the login prompt (auth phase) with a fake helper."""

    def setUp(self):
        super().setUp()
        self.env.set(reset="yes")
        self.setpass = self.env.script("fake-setpass", FAKE_SETPASS)

    def use_helper(self, sets=(), outcome=8):
        self.env.helper = self.env.script(
            "reset-helper", FAKE_RESET_HELPER.format(sets=repr(list(sets)),
                                                     outcome=outcome))
        self.env.write()
        # pam_sspr's auth line alone (every password is wrong here); an
        # IGNORE falls through to pam_debug's try_again, which marks it.
        line = self.env.pam_line(f"setpass={self.setpass}")
        with open(os.path.join(self.env.confdir, self.env.service), "w") as f:
            f.write(f"auth [success=done ignore=ignore default=die] {line}\n"
                    "auth requisite pam_debug.so auth=try_again\n")

    def read(self, name):
        path = os.path.join(self.env.root, name)
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").splitlines()



class HostileResetHelper(ResetHelperCase):
    """A helper that lies in a reset: the module sets only its own PAM
    user's password, bounds what it is sent, and never answers
    PAM_SUCCESS, whatever the helper says."""

    def test_a_reset_helper_cannot_choose_whose_password_is_set(self):
        # The payload is the password alone: the user is the module's PAM
        # user. One shaped like a request for root (u16 lengths, so NUL
        # bytes) is refused as a password with a NUL.
        forged = b"".join(struct.pack(">H", len(x)) + x
                          for x in (b"root", b"passwd", b"pw"))
        self.use_helper([b"N3w-Passw0rd!", forged])
        code, raw, _, _ = run_measured(self.env, "alice", "r",
                                       extra=("--auth",), deadline=30)
        self.assertEqual(code, PAM_AUTH_ERR, raw[-500:])
        self.assertEqual(self.read("setpass-got"), ["alice 13"])
        self.assertEqual(self.read("set-results"), ["11 1", "11 3"])
        self.assertIn(b"CHILDREN: none", raw)

    def test_an_oversized_or_nul_password_never_starts_the_setter(self):
        # "ab\0cd" would reach pam_chauthtok as "ab"; 513 bytes is past
        # the bound. Both are refused (status 3, failed) before any spawn.
        self.use_helper([b"ab\x00cd", b"p" * 513, b"x" * 60000])
        code, raw, _, _ = run_measured(self.env, "alice", "r",
                                       extra=("--auth",), deadline=30)
        self.assertEqual(code, PAM_AUTH_ERR, raw[-500:])
        self.assertTrue(helper_started(self.env), raw[-300:])
        self.assertEqual(self.read("set-results"), ["11 3"] * 3)
        self.assertEqual(self.read("setpass-got"), [],
                         "sspr-setpass was started")
        self.assertIn(b"CHILDREN: none", raw)

    def test_a_sixth_set_password_ends_the_reset(self):
        self.use_helper([b"Passw0rd-%d!" % i for i in range(6)])
        code, raw, _, _ = run_measured(self.env, "alice", "r",
                                       extra=("--auth",), deadline=30)
        self.assertEqual(code, PAM_AUTH_ERR, raw[-500:])
        self.assertEqual(len(self.read("setpass-got")), 5)
        self.assertEqual(self.read("set-results"), ["11 1"] * 5)
        self.assertIn(b"CHILDREN: none", raw)

    def test_no_result_a_helper_sends_makes_the_reset_a_login(self):
        # "a reset by itself logs nobody in": every outcome, even the ones
        # that let a user in at account time, is AUTH_ERR (not applicable:
        # IGNORE, the password module's failure stands).
        for outcome in range(1, 9):
            with self.subTest(outcome=outcome):
                self.use_helper([], outcome=outcome)
                code, raw, _, _ = run_measured(self.env, "alice", "r",
                                               extra=("--auth",), deadline=30)
                want = PAM_IGNORE if outcome == 3 else PAM_AUTH_ERR
                self.assertEqual(code, want, raw[-500:])
                self.assertTrue(helper_started(self.env))


class ResetNameTricks(ResetHelperCase):
    """Whom a reset is offered to: never root, an exempt user, an exempt
    group's or reset_exclude_groups' member, under any name. The fake
    helper's "started" marker means the reset was offered."""

    def alias(self, name, of):
        """A second passwd line with `of`'s uid and gid (nss_wrapper)."""
        uid = self.env.uid(of)
        self.env.extra_people.append(name)
        with open(self.env.passwd, "a") as f:
            f.write(f"{name}:x:{uid}:{uid}:{name}:/home/{of}:/bin/sh\n")

    def offered(self, user):
        started = os.path.join(self.env.root, "started")
        if os.path.exists(started):
            os.unlink(started)
        self.use_helper([], outcome=7)
        code, raw, _, _ = run_measured(self.env, user, "",
                                       extra=("--auth",), deadline=30)
        self.assertIn(code, (PAM_AUTH_ERR, PAM_IGNORE), raw[-500:])
        return helper_started(self.env)

    def test_an_alias_of_an_exempt_user_is_never_offered_a_reset(self):
        self.alias("bobalias", "bob")
        self.assertTrue(self.offered("bobalias"))  # the control
        self.env.set(exempt_users="bob")
        self.assertFalse(self.offered("bob"))
        self.assertFalse(self.offered("bobalias"))

    def test_an_alias_of_an_excluded_or_exempt_group_member_is_not_offered_a_reset(self):
        self.alias("bobalias", "bob")  # bob is a member of sspr-staff
        for key in ("reset_exclude_groups", "exempt_groups"):
            with self.subTest(key=key):
                self.env.set(reset_exclude_groups="", exempt_groups="")
                self.assertTrue(self.offered("bobalias"))  # the control
                self.env.set(**{key: "sspr-staff"})
                self.assertFalse(self.offered("bob"))
                self.assertFalse(self.offered("bobalias"))

    def test_a_name_the_store_cannot_hold_is_never_offered_a_reset(self):
        # Known to NSS, but over 256 bytes or not UTF-8: refused before any
        # helper. A UTF-8 name with '%' and ')' is offered (the control).
        self.assertTrue(self.offered("zo\u00eb%)x"))
        for name in ("a" * 300, "caf\udce9"):
            with self.subTest(name=name[:10]):
                self.env.ensure_person(name)
                self.assertTrue(self.env.known_to_nss(name))
                self.assertFalse(self.offered(name))

    def test_root_is_never_offered_a_reset_under_any_name(self):
        self.env.set(check_root="yes")
        self.alias("toor", "root")
        for name in ("root", "toor", "root ", " root", "ROOT", "Root", "0",
                     "root\n", "root%00", "ro*", "*", "root)(uid=*"):
            # none but "root" and "toor" is known to NSS (no passwd line)
            if name not in ("root", "toor"):
                self.env.extra_people.append(name)
            with self.subTest(name=name):
                self.assertFalse(self.offered(name))


if __name__ == "__main__":
    main()
