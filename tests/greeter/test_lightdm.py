"""LightDM, the display manager, with a real greeter conversation.

A real LightDM (Debian's lightdm, run as root with a config of its own)
starts an Xvfb display and its greeter, and runs PAM for a private copy of
its service with pam_sspr in the account phase (lightdm_env.py). The
greeter is tests/greeter/scripted_greeter.py, a liblightdm-gobject greeter
without a window: it passes every show-prompt and show-message signal to
this test, in order and with its type, and answers what the test tells it.

What a person sees depends on the greeter drawn on top of that stream.
lightdm-gtk-greeter (Debian's default) keeps one label: GtkShows() below
applies its rules (lightdm-gtk-greeter 2.0.8, src/lightdm-gtk-greeter.c,
process_prompts and authentication_complete_cb), and every step is checked
through them as well as in the raw stream.

Run by Debian's /usr/bin/python3 (python3-gi). Skipped (77) only where
LightDM cannot run: not root, a package missing, no mount namespace.
"""
import json
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lightdm_env import STEP, LightdmEnv, require_lightdm  # noqa: E402
from sshd_env import require_loadable_module, run  # noqa: E402

US = "201-555-0123"
US_E164 = "+12015550123"
GREETER = "/usr/bin/python3 {script} {socket}"
# What a client that lost bytes shows: "?" in place of a byte, Latin-1
# pairs such as "â€¢", U+FFFD. A "?" is fine at the end of a question.
MOJIBAKE = re.compile(r"\?\?|\?(?=[^\s\]\)'\".,;:])|[\u0080-\u00ff\ufffd]")
# lightdm-gtk-greeter's own text after a failed authentication whose last
# message was an error or nothing.
GTK_FAILED = "Your password is incorrect. Please try again."
NEW_PW = "Tq7#vLm2!pZr9wKx"
CHANGED = "Your password was changed. Log in with the new password."


class Step:
    """What the greeter was given between two answers: messages
    [(type, text)], then a prompt (type, text), or the end."""

    def __init__(self):
        self.messages = []
        self.prompt = None
        self.authenticated = None  # True/False at authentication-complete

    def texts(self):
        out = [t for _, t in self.messages]
        return out + ([self.prompt[1]] if self.prompt else [])

    def __repr__(self):
        return (f"Step(messages={self.messages!r}, prompt={self.prompt!r}, "
                f"authenticated={self.authenticated!r})")


class Greeter:
    """The test's end of scripted_greeter.py."""

    def __init__(self, conn):
        self.conn = conn
        self.buf = b""
        self.steps = []
        self.password_prompted = False  # lightdm-gtk-greeter's flag
        ready = self.event()
        assert ready == {"event": "ready"}, ready

    def event(self):
        deadline = time.monotonic() + STEP
        while b"\n" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("the greeter said nothing")
            data = self.conn.recv(65536)
            if not data:
                raise EOFError("the greeter hung up")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send(self, **cmd):
        self.conn.sendall(json.dumps(cmd).encode() + b"\n")

    def step(self):
        s = Step()
        while True:
            e = self.event()
            if e["event"] == "message":
                s.messages.append((e["type"], e["text"]))
            elif e["event"] == "prompt":
                s.prompt = (e["type"], e["text"])
                break
            elif e["event"] == "complete":
                s.authenticated = e["authenticated"]
                break
        s.gtk = GtkShows(s, self.password_prompted)
        if s.prompt:
            self.password_prompted = True
        self.steps.append(s)
        return s

    def login(self, user):
        self.password_prompted = False
        self.send(cmd="login", user=user)
        return self.step()

    def answer(self, text):
        self.send(cmd="answer", text=text)
        return self.step()


def GtkShows(step, password_prompted):
    """(kind, text) of lightdm-gtk-greeter's one label for this step.

    Its label is emptied when the person answers (login_cb). Each message
    replaces it (process_prompts: "this doesn't show multiple messages").
    A prompt's own text is shown only when the label is still empty and a
    prompt was already answered in this authentication. At a failed end,
    a label holding an info message stays; an empty label or an error is
    replaced by GTK_FAILED (authentication_complete_cb)."""
    label = ("info", "")
    for kind, text in step.messages:
        label = (kind, text)
    if step.prompt and label[1] == "" and password_prompted:
        text = step.prompt[1]
        for end in (": ", ":"):
            if text.endswith(end):
                text = text[:-len(end)]
                break
        label = ("info", text)
    if step.authenticated is False and (label[1] == "" or
                                        label[0] == "error"):
        label = ("error", GTK_FAILED)
    return label


class LightdmCase(unittest.TestCase):
    reset = False  # the reset at the login prompt in the auth stack

    @classmethod
    def setUpClass(cls):
        cls.env = LightdmEnv(GREETER, {"dialogue_timeout": "300"},
                             reset=cls.reset)
        try:
            cls.env.start()
            cls.greeter = Greeter(cls.env.accept_greeter())
        except Exception:
            cls.env.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def tearDown(self):
        for s in self.greeter.steps:
            for text in s.texts():
                self.assertIsNone(MOJIBAKE.search(text),
                                  f"garbled text: {text!r}")
        self.greeter.steps = []

    def person(self, letter):
        name = self.env.user(letter)
        self.env.add_user(name)
        password = f"Pw-{letter}-{os.getpid()}-x"
        run(["chpasswd"], input=f"{name}:{password}\n")
        return name, password

    def expect_prompt(self, s, marker):
        self.assertIsNotNone(s.prompt, f"expected a question, got {s}")
        self.assertIn(marker, s.prompt[1], s)
        # The whole step is the prompt: no message before it, which
        # lightdm-gtk-greeter would show instead of the prompt's text.
        self.assertEqual(s.messages, [], s)
        self.assertIn(marker.rstrip(": "), s.gtk[1], s)
        return s

    def sign_in(self, user, password):
        s = self.greeter.login(user)
        self.assertEqual(s.prompt, ("secret", "Password: "), s)
        return self.greeter.answer(password)

    def register(self, user, password):
        """Registers a mobile phone at the greeter; returns the last step."""
        g = self.greeter
        s = self.expect_prompt(self.sign_in(user, password), "Choice [1]:")
        # The menu keeps its lines: the label shows one entry a line.
        self.assertIn("Choose a method to register:\n"
                      "  1) Authentication phone (text or call me)\n"
                      "  2) Office phone (call me)\n  q) Quit\n"
                      "Choice [1]", s.gtk[1])
        for marker, answer in (("Choice [1]:", "1"), ("[US]:", ""),
                               ("with area code:", US),
                               ("Choice [1]:", "1")):
            s = self.expect_prompt(s, marker)
            s = g.answer(answer)
        s = self.expect_prompt(s, "Enter the code")
        code = self.env.newest_code(US_E164)
        self.assertIsNotNone(code, "no code in the outbox")
        s = self.expect_prompt(g.answer(code), "Add a backup method now?")
        s = self.expect_prompt(g.answer("n"), "Press Enter to continue.")
        # The summary and its last question in one label, the mask as sent.
        self.assertIn("You're all set.", s.gtk[1])
        self.assertIn("Authentication phone +1 \u2022\u2022\u2022-"
                      "\u2022\u2022\u2022-\u2022\u202223", s.gtk[1])
        return g.answer("")


class LightdmTest(LightdmCase):
    def test_an_unregistered_person_registers_a_phone_and_is_let_in(self):
        user, password = self.person("a")
        s = self.register(user, password)
        self.assertEqual((s.messages, s.authenticated), ([], True), s)
        rec = self.env.record(user)
        self.assertEqual([m["type"] for m in rec["methods"]], ["mobile"])

    def test_the_next_login_asks_only_for_the_password(self):
        user, password = self.person("b")
        self.assertTrue(self.register(user, password).authenticated)
        s = self.sign_in(user, password)
        self.assertEqual((s.messages, s.prompt, s.authenticated),
                         ([], None, True), s)

    def test_mode_warn_shows_its_reminder_without_a_qr_code(self):
        user, password = self.person("c")
        self.env.set(mode="warn")
        try:
            s = self.expect_prompt(self.sign_in(user, password),
                                   "Press Enter to continue.")
            self.assertIn("Reminder: register a password-reset method at "
                          "https://aka.ms/ssprsetup", s.gtk[1])
            self.assertNotIn("Scan to register", s.prompt[1])
            self.assertIsNone(re.search("[\u2580-\u259f]", s.prompt[1]),
                              "a QR code's half blocks in a greeter")
            s = self.greeter.answer("")
            self.assertEqual((s.messages, s.authenticated), ([], True), s)
        finally:
            self.env.set(mode="register")

    def test_mode_block_shows_its_link_where_the_gtk_greeter_keeps_it(self):
        user, password = self.person("d")
        self.env.set(mode="block")
        try:
            s = self.sign_in(user, password)
            self.assertIs(s.authenticated, False, s)
            self.assertEqual(len(s.messages), 1, s)
            self.assertIn("Register at https://aka.ms/ssprsetup",
                          s.messages[0][1])
            self.assertNotIn("Scan to register", s.messages[0][1])
            # An error would give way to the greeter's own "Your password
            # is incorrect"; an info message stays.
            self.assertEqual(s.gtk, ("info", s.messages[0][1]))
        finally:
            self.env.set(mode="register")

    def test_quitting_the_registration_says_so_and_refuses(self):
        user, password = self.person("e")
        s = self.expect_prompt(self.sign_in(user, password), "Choice [1]:")
        s = self.greeter.answer("q")
        self.assertIs(s.authenticated, False, s)
        self.assertEqual([k for k, _ in s.messages], ["info"], s)
        self.assertNotEqual(s.gtk[1], GTK_FAILED)
        self.assertIsNone(self.env.record(user))

    def test_a_password_expiry_warning_takes_the_gtk_label_of_one_step(self):
        # pam_unix's account phase (common-account, before the module)
        # warns of an expiring password: a message of its own just before
        # the menu, which lightdm-gtk-greeter shows instead of the menu.
        user, password = self.person("f")
        run(["chage", "-d", time.strftime("%Y-%m-%d"), "-M", "10", "-W", "20",
             user])
        s = self.sign_in(user, password)
        self.assertEqual(len(s.messages), 1, s)
        self.assertIn("expire", s.messages[0][1])
        self.assertIn("Choose a method to register:", s.prompt[1])
        self.assertEqual(s.gtk, s.messages[0])
        # The next step shows whole again.
        self.expect_prompt(self.greeter.answer("1"), "[US]:")

    def test_with_the_module_before_common_account_the_menu_comes_first(
            self):
        user, password = self.person("g")
        run(["chage", "-d", time.strftime("%Y-%m-%d"), "-M", "10", "-W", "20",
             user])
        self.env.write_pamd(first=True)
        try:
            s = self.expect_prompt(self.sign_in(user, password),
                                   "Choice [1]:")
            self.assertIn("Choose a method to register:", s.gtk[1])
        finally:
            self.env.write_pamd()


class LightdmResetTest(LightdmCase):
    """The reset at the login prompt (auth phase) at the greeter."""
    reset = True

    def test_a_wrong_password_a_reset_and_a_login_with_the_new_password(
            self):
        user, password = self.person("r")
        self.assertTrue(self.register(user, password).authenticated)
        g = self.greeter
        self.assertEqual(g.login(user).prompt, ("secret", "Password: "))
        s = self.expect_prompt(g.answer("not-the-password"), "Choice: ")
        self.assertIn("Forgot your password?", s.gtk[1])
        s = self.expect_prompt(g.answer("r"), "Choice [1]:")
        s = self.expect_prompt(g.answer(""), "Enter the code")
        s = g.answer(self.env.newest_code(US_E164))
        self.assertEqual(s.prompt, ("secret", "New password: "), s)
        s = g.answer(NEW_PW)
        self.assertEqual(s.prompt, ("secret", "Retype new password: "), s)
        s = self.expect_prompt(g.answer(NEW_PW), "Press Enter to continue.")
        self.assertIn(CHANGED, s.gtk[1])
        s = g.answer("")
        # The login fails, and says why where the GTK greeter keeps it.
        self.assertIs(s.authenticated, False, s)
        self.assertEqual(s.gtk, ("info", CHANGED), s)
        s = self.sign_in(user, NEW_PW)
        self.assertEqual((s.messages, s.authenticated), ([], True), s)


if __name__ == "__main__":
    require_lightdm()
    require_loadable_module("lightdm")
    unittest.main(verbosity=2)
