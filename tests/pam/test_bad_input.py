# This file is long because it is one table of bad inputs at every prompt.
"""Bad input at every prompt of every dialogue, through real libpam, the
real module and the real helper: an empty line, a 4 KiB line, control
characters (C0, DEL, C1), invalid UTF-8 (passed to the driver as bytes),
each prompt's own wrong answers, and at the code prompts a wrong and an
expired code (the helper's clock jumped past code_ttl by libfaketime between
the send and the entry). Each must get a clear message with the same
question asked again, a bounded number of times (then the documented
result), nothing of the input echoed back raw, and nothing stored before
verification.

Table-driven: PROMPTS below lists the prompts; every case runs in its own
harness.Env, several at once on a thread pool."""
import calendar
import concurrent.futures
import os
import re
import subprocess
import time
import unittest

import harness
from harness import PAM_PERM_DENIED, PAM_SUCCESS, main

US = "201-555-0123"
US_E164 = "+12015550123"
ADDR = "zoe@example.org"
T0 = calendar.timegm(time.strptime("2027-03-01 08:00:00", "%Y-%m-%d %H:%M:%S"))
DAY = 86400
CODE_TTL = 30  # the least code_ttl
SLOW = 3  # seconds the driver waits before typing a code that is to expire

BAD_CHARS = "That answer contains characters that are not allowed."
TOO_MANY = "Too many invalid answers. The registration was stopped."
LENGTH = "An answer must have 3 to 40 characters."
CODE_OR_KEYS = "Please answer with the 6-digit code, r, b or q."
EXPIRED = "That code has expired. Type r to get a new one."
ALL_SET = "You're all set."
HYPHEN = "An e-mail address cannot start with a hyphen (-)."


def too_long(n):
    return f"That answer is too long (at most {n} characters)."


# What is fed at every prompt (the empty line: see Prompt.empty).
LONG = b"7" * 4096
ESC = b"\x1b[2J"
BEL = b"\x07"
C1 = b"1\xc2\x9b2J"          # U+009B, a terminal's CSI
BAD_UTF8 = b"\xff\xfe1"
OVERLONG = b"\xc0\xb1"        # '1' in two bytes
BAD_INPUTS = [("4KiB", LONG), ("esc-2J", ESC), ("bel", BEL), ("c1-csi", C1),
              ("bad-utf8", BAD_UTF8), ("overlong-utf8", OVERLONG)]

DEFAULT = "taken as the default"  # Prompt.empty: Enter alone is an answer
WRONG_CODE = "@wrongcode"
EXPIRED_CODE = "@expired"


class Prompt:
    """One prompt of one dialogue.

    prefix: answers that lead to it; good: a valid answer to it, then what
    completes the dialogue (ok_code, check_ok); empty: the message for an
    empty line, or DEFAULT; max_len: the limit a too-long line is told
    about; wrong: its own wrong answers with their messages; bounded:
    max_input_attempts bad answers, after which the dialogue ends with
    fail_code (check_fail)."""

    def __init__(self, name, prefix, marker, good, empty, max_len,
                 wrong=(), conf=None, setup=(), ok_code=PAM_SUCCESS,
                 check_ok=None, fail_code=PAM_PERM_DENIED, check_fail=None,
                 fail_tail=(), default_tail=None, check_default=None,
                 codes=False, bounded=(LONG, ESC, BAD_UTF8)):
        self.name, self.prefix, self.marker, self.good = name, prefix, marker, good
        self.empty, self.max_len, self.wrong = empty, max_len, list(wrong)
        self.conf, self.setup = dict(conf or {}), list(setup)
        self.ok_code, self.check_ok = ok_code, check_ok
        self.fail_code, self.check_fail = fail_code, check_fail
        self.fail_tail = list(fail_tail)
        self.default_tail = good[1:] if default_tail is None else default_tail
        self.check_default = check_default or check_ok
        self.codes, self.bounded = codes, list(bounded)


# ---- checks of the store (each gets the Env and the test case) ----

def has_methods(*types):
    def check(env, t):
        rec = env.record("zed")
        t.assertIsNotNone(rec, "nothing stored")
        t.assertEqual(sorted(m["type"] for m in rec["methods"]), sorted(types))
    return check


def nothing_stored(sent=0):
    def check(env, t):
        t.assertIsNone(env.record("zed"), "stored before verification")
        t.assertEqual(len(env.outbox_lines()), sent)
        t.assertIsNone(policy(env), "policy state written")
    return check


def policy(env, user="zed"):
    path = os.path.join(env.state, "policy", user)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return {k: int(v) for k, v in (l.split() for l in f if l.strip())}


def snoozed(env, t):
    t.assertIsNone(env.record("zed"))
    t.assertEqual(policy(env)["snoozes"], 1)


def confirmed(env, t):
    t.assertEqual(policy(env)["confirmed_at"], T0 + 31 * DAY)
    t.assertEqual([m["value"] for m in env.record("zed")["methods"]], [US_E164])


def still_due(env, t):
    t.assertEqual(policy(env)["confirmed_at"], T0)  # from the registration
    t.assertEqual([m["value"] for m in env.record("zed")["methods"]], [US_E164])
    t.assertEqual(len(env.outbox_lines()), 1)


def mobile_only(env, t):
    has_methods("mobile")(env, t)
    t.assertEqual(len(env.outbox_lines()), 1)


PHONE = ["1", "", US, "1"]          # up to the code prompt
REGISTERED = PHONE + ["@code"]      # up to the backup question
QUESTIONS_OK = ["Brighton", "1", "Leeds", "1", "Ada", ""]

PROMPTS = [
    Prompt("method menu", [], "Choose a method to register:",
           ["1", "", US, "1", "@code", "n", ""], DEFAULT, 32,
           wrong=[(b"7", "Please answer 1-2 or q."),
                  (b"email", "Please answer 1-2 or q.")],
           check_ok=has_methods("mobile"), check_fail=nothing_stored()),
    Prompt("later menu", [], "l) Later (2 times left)", ["l", ""], DEFAULT, 32,
           conf={"snooze_max": 2},
           wrong=[(b"7", "Please answer 1-2, l or q."),
                  (b"later", "Please answer 1-2, l or q.")],
           check_ok=snoozed, check_fail=nothing_stored(),
           default_tail=["", US, "1", "@code", "n", ""],
           check_default=has_methods("mobile")),
    Prompt("region", ["1"], "Country or region code (e.g. US, GB or +44)",
           ["", US, "1", "@code", "n", ""], DEFAULT, 64,
           wrong=[(b"ZZ", "'ZZ' is not a country or region code"),
                  (b"+999", "'+999' is not a country calling code")],
           check_ok=has_methods("mobile"), check_fail=nothing_stored()),
    Prompt("phone number", ["1", ""], "Phone number (US), with area code: ",
           [US, "1", "@code", "n", ""], "Please type a phone number.", 64,
           wrong=[(b"12", "That number is too short for US."),
                  (b"1-800-FLOWERS", "Letters are not allowed in a phone "
                                     "number")],
           check_ok=has_methods("mobile"), check_fail=nothing_stored()),
    Prompt("text or call", ["1", "", US],
           "We will send a code to +1 201-555-0123.",
           ["1", "@code", "n", ""], DEFAULT, 32,
           wrong=[(b"3", "Please answer 1-2, b or q."),
                  (b"text", "Please answer 1-2, b or q.")],
           check_ok=has_methods("mobile"), check_fail=nothing_stored()),
    Prompt("phone code", PHONE, "Enter the code (r = send a new code",
           ["@code", "n", ""], CODE_OR_KEYS, 32,
           wrong=[(b"12a456", CODE_OR_KEYS),
                  (WRONG_CODE, "That code is not correct. 2 attempts left.")],
           codes=True, check_ok=has_methods("mobile"),
           check_fail=nothing_stored(sent=1)),
    Prompt("backup question", REGISTERED, "Add a backup method now? [y/N]: ",
           ["n", ""], DEFAULT, 32,
           wrong=[(b"maybe", "Please answer y or n.")],
           check_ok=mobile_only, fail_code=PAM_SUCCESS, check_fail=mobile_only,
           fail_tail=[""]),
    Prompt("backup menu", REGISTERED + ["y"], "Choose a backup method:",
           ["q", ""], DEFAULT, 32,
           wrong=[(b"7", "Please answer 1 or q.")],
           check_ok=mobile_only, fail_code=PAM_SUCCESS, check_fail=mobile_only,
           fail_tail=[""],
           default_tail=["GB", "020 7946 0000", "1", "@code", ""],
           check_default=has_methods("mobile", "office")),
    Prompt("e-mail address", ["1"], "E-mail address: ",
           [ADDR, "1", "@code", ""],
           "Please type an e-mail address such as name@example.com.", 254,
           conf={"methods": "email"},
           wrong=[(b"zoe@@example.org", "An e-mail address has exactly one @"),
                  (b"zoe@", "The part after the @ is not a valid domain"),
                  ("j\u00fcrgen@example.org".encode(),
                   "The part before the @ is not valid"),
                  (b"-x@example.com", HYPHEN)],
           check_ok=has_methods("email"), check_fail=nothing_stored()),
    Prompt("e-mail confirmation", ["1", ADDR],
           "We will e-mail a code to zoe@example.org.",
           ["1", "@code", ""], DEFAULT, 32,
           conf={"methods": "email", "max_input_attempts": 2},
           wrong=[(b"2", "Please answer 1, b or q.")],
           check_ok=has_methods("email"), check_fail=nothing_stored(),
           bounded=(ESC, b"send")),
    Prompt("e-mail code", ["1", ADDR, "1"], "Enter the code (r = send a new code",
           ["@code", ""], CODE_OR_KEYS, 32, conf={"methods": "email"},
           wrong=[(b"code", CODE_OR_KEYS),
                  (WRONG_CODE, "That code is not correct. 2 attempts left.")],
           codes=True, check_ok=has_methods("email"),
           check_fail=nothing_stored(sent=1)),
    Prompt("question choice", ["1"],
           "Security question 1 of 3. Choose a question:",
           ["1"] + QUESTIONS_OK, "Please answer 1-12 or q.", 32,
           conf={"methods": "questions"},
           wrong=[(b"13", "Please answer 1-12 or q."),
                  (b"0", "Please answer 1-12 or q.")],
           check_ok=has_methods("questions"), check_fail=nothing_stored()),
    Prompt("question answer", ["1", "1"],
           "Your answer (3 to 40 characters, not shown): ",
           QUESTIONS_OK, LENGTH, 40, conf={"methods": "questions"},
           wrong=[(b"ab", LENGTH), (b"x" * 41, LENGTH),
                  (b"  a  ", LENGTH)],
           check_ok=has_methods("questions"), check_fail=nothing_stored()),
    Prompt("reconfirm keep/update", [],
           "Please confirm that your password-reset information is still "
           "correct:", ["k", ""], DEFAULT, 32,
           conf={"reconfirm_days": 30},
           setup=[(T0, ["1", "", US, "1", "@code", "n", ""])],
           wrong=[(b"x", "Please answer k or u."),
                  (b"keep", "Please answer k or u.")],
           check_ok=confirmed, fail_code=PAM_SUCCESS, check_fail=still_due,
           fail_tail=[""]),
]

CLOSING = Prompt("closing", REGISTERED + ["n"], "Press Enter to continue. ",
                 [""], DEFAULT, 0, check_ok=mobile_only)


# ---- running the driver with bytes answers ----

class Run:
    def __init__(self, code, raw, answers):
        self.code, self.raw, self.answers = code, raw, answers
        self.text, self.problem = clean(raw, answers)

    def after(self, i):
        """What the user saw between answer i and answer i+1."""
        t = self.text.split(f"ANSWER: <#{i}>\n", 1)[1]
        return t.split("ANSWER: <#", 1)[0]


CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def clean(raw, answers):
    """The transcript with each answer's echo by the driver replaced by
    <#i>, decoded; and what is wrong with the rest (raw control
    characters or bytes that are not UTF-8), or None."""
    out, pos = [], 0
    for i, a in enumerate(answers):
        at = raw.find(b"ANSWER: ", pos)
        if at < 0:
            break
        start = at + len(b"ANSWER: ")
        if isinstance(a, bytes) and not a.startswith(b"@"):
            end = start + len(a)
            if raw[start:end + 1] != a + b"\n":
                return raw.decode("utf-8", "replace"), f"answer {i} misplaced"
        else:
            end = raw.index(b"\n", start)
        out.append(raw[pos:start] + f"<#{i}>".encode())
        pos = end
    out.append(raw[pos:])
    joined = b"".join(out)
    try:
        text = joined.decode("utf-8")
    except UnicodeDecodeError as e:
        return joined.decode("utf-8", "replace"), f"not UTF-8: {e}"
    bad = CONTROL.search(text)
    if bad:
        return text, (f"raw control character U+{ord(bad.group()):04X} in "
                      "the transcript")
    return text, None


def as_bytes(a):
    return a if isinstance(a, bytes) else a.encode()


def run(env, answers, expire_after_send=None):
    """Runs the driver; with expire_after_send=N, the helper's clock jumps
    past code_ttl as soon as the outbox holds N messages (the code was sent;
    the driver waits SLOW seconds before typing it: a margin for this
    thread on a loaded machine)."""
    answers = [as_bytes(a) for a in answers]
    cmd = [harness.PAMTEST, "--confdir", env.confdir, "--service", env.service,
           "--user", "zed", "--outbox", env.outbox, *answers]
    env.ensure_person("zed")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         env=env.command_env(), stdin=subprocess.DEVNULL)
    if expire_after_send is not None:
        deadline = time.monotonic() + 60
        while (len(env.outbox_lines()) < expire_after_send and
               time.monotonic() < deadline and p.poll() is None):
            time.sleep(0.01)
        env.set_clock(env.now + CODE_TTL + 1)
    raw, _ = p.communicate(timeout=120)
    code = p.returncode
    code = harness.PAM_IGNORE if code == harness.PAM_TRY_AGAIN else code
    return Run(code, raw, answers)


def make_env(prompt, conf=None):
    env = harness.Env(conf={"cache_ttl": 0, "code_ttl": CODE_TTL,
                            **prompt.conf, **(conf or {})})
    env.now = T0
    if prompt.setup or prompt.codes:
        env.use_fake_clock(T0)
    for t, answers in prompt.setup:
        env.set_clock(t)
        r = run(env, answers)
        if r.code != PAM_SUCCESS:
            raise AssertionError(f"set-up failed:\n{r.text}")
    if prompt.setup:
        env.now = T0 + 31 * DAY
        env.set_clock(env.now)
    return env


POOL = concurrent.futures.ThreadPoolExecutor(
    max_workers=int(os.environ.get("SSPR_TEST_THREADS", "4")))

# Retries: several bad answers in one dialogue, each checked on its own,
# with the bound (max_input_attempts, at most 10) out of the way.
RETRY_CONF = {"max_input_attempts": 10}
PER_RUN = 9


class Case:
    def __init__(self, label, prompt, answers, check, expire=None, conf=None):
        self.label, self.prompt, self.answers = label, prompt, answers
        self.check, self.expire, self.conf = check, expire, conf


class Cases(unittest.TestCase):
    """Builds and runs cases; the tests are in the classes below."""
    maxDiff = None
    runs = 0

    def run_cases(self, cases):
        """Runs the cases in parallel, each in its own Env; checks them in
        order, each as a subTest."""
        def one(case):
            env = make_env(case.prompt, case.conf)
            try:
                return env, run(env, case.answers, case.expire), None
            except Exception as e:  # reported in the subTest below
                return env, None, e
        futures = [POOL.submit(one, c) for c in cases]
        Cases.runs += len(cases)
        for case, fut in zip(cases, futures):
            env, r, exc = fut.result()
            try:
                with self.subTest(prompt=case.prompt.name, case=case.label):
                    if exc is not None:
                        raise exc
                    self.assertIsNone(r.problem, f"{r.problem}:\n{r.text}")
                    self.assertIn("CHILDREN: none", r.text)
                    case.check(r, env)
            finally:
                env.cleanup()

    def assertAskedAgain(self, r, i, message, marker):
        """After answer i: `message`, then the same question again (a text
        longer than a PAM message is split, the first parts as INFO)."""
        seen = r.after(i)
        self.assertIn(message, seen, r.text)
        self.assertRegex(seen, r"^(PROMPT|INFO): ", r.text)
        self.assertIn(marker, seen.split(message, 1)[1], r.text)
        self.assertIn("PROMPT: ", seen, r.text)

    def retried(self, prompt, items):
        """items: (label, bad answer, message). The bad answers in a row,
        then the valid ones: each gets its message with the question asked
        again, and the dialogue then completes."""
        n = len(prompt.prefix)
        answers = prompt.prefix + [bad for _, bad, _ in items] + prompt.good

        def check(r, env):
            for k, (label, _, message) in enumerate(items):
                with self.subTest(input=label):
                    self.assertAskedAgain(r, n + k, message, prompt.marker)
            self.assertEqual(r.code, prompt.ok_code, r.text)
            prompt.check_ok(env, self)
        labels = ", ".join(label for label, _, _ in items)
        return Case(labels, prompt, answers, check, conf=RETRY_CONF)

    def defaulted(self, prompt):
        answers = prompt.prefix + [b""] + prompt.default_tail

        def check(r, env):
            self.assertEqual(r.code, prompt.ok_code, r.text)
            self.assertNotIn("ERROR", r.after(len(prompt.prefix)), r.text)
            self.assertNotIn("Please", r.after(len(prompt.prefix)), r.text)
            prompt.check_default(env, self)
        return Case("empty", prompt, answers, check)

    def bounded(self, prompt):
        bads = prompt.bounded
        answers = prompt.prefix + bads + prompt.fail_tail
        n = len(prompt.prefix)

        def check(r, env):
            self.assertEqual(r.code, prompt.fail_code, r.text)
            for i in range(n, n + len(bads) - 1):
                self.assertIn(prompt.marker, r.after(i), r.text)
            last = r.after(n + len(bads) - 1)
            self.assertIn(TOO_MANY, last, r.text)
            self.assertNotIn(prompt.marker, last, r.text)
            if prompt.fail_code == PAM_PERM_DENIED:
                self.assertNotIn("PROMPT", last, r.text)
            prompt.check_fail(env, self)
        return Case("bounded", prompt, answers, check)

    def expired(self, prompt):
        """The code expires between its sending and its entry; a new code
        (r) then works. Digits typed after that count as invalid."""
        n = len(prompt.prefix)
        late_code = f"@slow:{SLOW}:@code"
        ok = prompt.prefix + [late_code, "r"] + prompt.good

        def check_ok(r, env):
            self.assertEqual(r.code, prompt.ok_code, r.text)
            self.assertAskedAgain(r, n, EXPIRED, prompt.marker)
            self.assertEqual(len(env.outbox_lines()), 2)
            prompt.check_ok(env, self)
        stuck = prompt.prefix + [late_code, "123456", "654321"]

        def check_stuck(r, env):
            self.assertEqual(r.code, PAM_PERM_DENIED, r.text)
            self.assertAskedAgain(r, n, EXPIRED, prompt.marker)
            self.assertAskedAgain(r, n + 1, EXPIRED, prompt.marker)
            self.assertIn(TOO_MANY, r.after(n + 2), r.text)
            prompt.check_fail(env, self)
        return [Case("expired code, then r", prompt, ok, check_ok, expire=1),
                Case("expired code, digits again", prompt, stuck, check_stuck,
                     expire=1)]

    def cases_for(self, prompt):
        items = []
        if prompt.empty != DEFAULT:
            items.append(("empty", b"", prompt.empty))
        for label, bad in BAD_INPUTS:
            msg = too_long(prompt.max_len) if bad is LONG else BAD_CHARS
            items.append((label, bad, msg))
        for bad, msg in prompt.wrong:
            label = bad if isinstance(bad, str) else bad.decode(errors="replace")
            items.append(("wrong: " + label[:20], bad, msg))
        cases = [self.retried(prompt, items[i:i + PER_RUN])
                 for i in range(0, len(items), PER_RUN)]
        if prompt.empty == DEFAULT:
            cases.append(self.defaulted(prompt))
        cases.append(self.bounded(prompt))
        if prompt.codes:
            cases += self.expired(prompt)
        return cases


class BadInput(Cases):
    """One test per prompt (added from PROMPTS below)."""


def _add_prompt_tests():
    for prompt in PROMPTS:
        def test(self, prompt=prompt):
            self.run_cases(self.cases_for(prompt))
        name = "test_" + prompt.name.replace(" ", "_").replace("/", "_") \
            .replace("-", "")
        test.__doc__ = f"bad input at the {prompt.name} prompt"
        setattr(BadInput, name, test)


_add_prompt_tests()


class BadInputEverywhere(Cases):
    """What applies to every prompt alike, shown once in full."""

    def test_closing_prompt_ignores_what_is_typed(self):
        """The closing "Press Enter" takes any answer, stores nothing more
        and says nothing more."""
        n = len(CLOSING.prefix)

        def check(r, env):
            self.assertEqual(r.code, PAM_SUCCESS, r.text)
            before = r.text.split(f"ANSWER: <#{n}>", 1)[0]
            self.assertTrue(before.rstrip(" \n").endswith(
                CLOSING.marker.strip()), r.text)
            self.assertIn(ALL_SET, before)
            self.assertEqual(r.after(n).strip().splitlines(),
                             ["CHILDREN: none", "RESULT: 0 Success"])
            CLOSING.check_ok(env, self)
        self.run_cases([Case(label, CLOSING, CLOSING.prefix + [bad], check)
                        for label, bad in [("empty", b"")] + BAD_INPUTS])

    def test_every_control_character_and_huge_lines_are_refused_and_bounded(self):
        """Each C0 character but tab, DEL and some C1 characters, after and
        before a valid answer, and lines past the module's own limit (8 KiB)
        and the protocol's frame (64 KiB), at the method menu."""
        menu = PROMPTS[0]
        chars = [bytes([c]) for c in range(1, 0x20) if c != 0x09]
        chars += [b"\x7f"] + [chr(c).encode() for c in (0x80, 0x85, 0x9b, 0x9f)]
        items = [(repr(b"1" + ch if k % 2 else ch + b"q"),
                  b"1" + ch if k % 2 else ch + b"q", BAD_CHARS)
                 for k, ch in enumerate(chars)]
        items += [(f"{size} bytes", b"1" * size, too_long(32))
                  for size in (4097, 9000, 70000)]
        # Tabs and spaces around an answer are no error.
        items.append(("tab and spaces", b" \t7\t ", "Please answer 1-2 or q."))
        self.run_cases([self.retried(menu, items[i:i + PER_RUN])
                        for i in range(0, len(items), PER_RUN)])


class RefusedByDelivery(Cases):
    """An address every sender refuses is refused where it is typed."""

    def test_a_hyphen_address_is_refused_at_input_and_ends_failed(self):
        """The issue's repro (methods = mobile, office, email; the address
        -x@example.com, then "send" at each question): it once passed the
        input check, failed the sender's own at every try and ended
        UNAVAILABLE, which failmode=safe turns into PAM_IGNORE, a way in.
        Now it is refused at the prompt, asked again, and after
        max_input_attempts the login is refused (PAM_PERM_DENIED)."""
        prompt = next(p for p in PROMPTS if p.name == "e-mail address")
        answers = ["3", "-x@example.com", "1", "1", "1"]

        def check(r, env):
            self.assertEqual(r.code, PAM_PERM_DENIED, r.text)
            self.assertAskedAgain(r, 1, HYPHEN, prompt.marker)
            self.assertIn(TOO_MANY, r.after(3), r.text)
            self.assertNotIn("could not be sent", r.text)
            self.assertEqual(env.outbox_lines(), [])
            nothing_stored()(env, self)
        self.run_cases([Case("-x@example.com", prompt, answers, check,
                             conf={"methods": "mobile, office, email",
                                   "failmode": "safe"})])


def tearDownModule():
    print(f"{Cases.runs} dialogues through libpam", flush=True)


if __name__ == "__main__":
    main()
