# This file is long because it holds the browser fixture (cockpit-ws,
# Chromium) with its flows, which share it.
"""Cockpit, the web console, in a real browser.

Debian's cockpit-ws runs on a loopback port (no TLS, its own config folder
through XDG_CONFIG_DIRS); its setuid cockpit-session runs the PAM service
`cockpit`, to whose account phase this test adds the built module (the
file is restored afterwards, also on a failure or a signal). A real
headless Chromium, driven through python3-selenium, logs in as throwaway
local users (useradd, removed afterwards) and answers the module's
questions in the login page's conversation fields. Each step's screenshot
is saved under SSPR_COCKPIT_SHOTS.

Run by Debian's /usr/bin/python3 (it has selenium; a pyenv python may
not). Skipped (77) only where the browser or cockpit-ws cannot run.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sshd_env import (CLEAN_ENV, LoginEnv, procs_with_exe,  # noqa: E402
                      remove_stale, require_loadable_module, run, skip)
from sspr_env import alive, die_with_parent, free_port  # noqa: E402

COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws"
COCKPIT_SESSION = "/usr/lib/cockpit/cockpit-session"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PAMD_COCKPIT = "/etc/pam.d/cockpit"
MARK = "# pam_sspr cockpit test, pid "
SHOTS = os.environ.get("SSPR_COCKPIT_SHOTS") or os.path.join(
    tempfile.gettempdir(), "sspr-cockpit-shots")
# Seconds a page may take to show the next step: a bound against hangs,
# above the helper's helper_timeout (30, sshd_env.LoginEnv), so a slow
# helper is judged by the module's bound, and below Cockpit's prompt limit,
# so every step shown came inside it.
STEP = 40
# Cockpit's own limit for one answer (cockpit-ws: 60 s a prompt).
PROMPT_LIMIT = 60
assert STEP < PROMPT_LIMIT

US = "201-555-0123"
US_E164 = "+12015550123"

# What a client that lost bytes shows: "?" in place of a byte (cockpit-
# session's JSON writer), Latin-1 pairs such as "â€¢" (a UTF-8 prompt read
# by atob), U+FFFD. A "?" is fine only at the end of a question.
MOJIBAKE = re.compile(r"\?\?|\?(?=[^\s\]\)'\".,;:])|[\u0080-\u00ff\ufffd]")


def require():
    if os.geteuid() != 0:
        skip("the cockpit test runs cockpit-ws, writes /etc/pam.d/cockpit "
             "and creates users; run it as root")
    for path, pkg in ((COCKPIT_WS, "cockpit-ws"),
                      (COCKPIT_SESSION, "cockpit-ws"),
                      ("/usr/bin/cockpit-bridge", "cockpit-bridge"),
                      (CHROMIUM, "chromium"),
                      (CHROMEDRIVER, "chromium-driver")):
        if not os.path.exists(path):
            skip(f"{path} is missing: install {pkg} (scripts/install-deps)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip(f"{sys.executable} has no selenium: run the test with Debian's "
             "/usr/bin/python3 and install python3-selenium")
    require_loadable_module("cockpit-session")
    probe = Browser(None, None)  # skips (77) where Chromium cannot run
    probe.close()
    remove_stale()
    remove_stale_pam_lines()


def remove_stale_pam_lines():
    """A run killed with SIGKILL left its two lines in pam.d/cockpit."""
    with open(PAMD_COCKPIT) as f:
        lines = f.read().split("\n")
    out, drop = [], False
    for line in lines:
        if drop:
            drop = False
            continue
        if line.startswith(MARK) and \
                not alive(int(line[len(MARK):].strip() or 0)):
            drop = True
            continue
        out.append(line)
    if len(out) != len(lines):
        with open(PAMD_COCKPIT, "w") as f:
            f.write("\n".join(out))


class CockpitEnv(LoginEnv):
    """LoginEnv (users, config, outbox) plus the module in pam.d/cockpit
    and a cockpit-ws of its own."""

    def __init__(self, ws_conf=""):
        super().__init__({"dialogue_timeout": "300"})
        self.ws_conf = ws_conf  # more of cockpit.conf
        self.pam_saved = None
        self.ws = None
        self.port = free_port()

    def start(self):
        self.install()
        self.add_pam_line()
        etc = os.path.join(self.root, "xdg", "cockpit")
        os.makedirs(etc)
        with open(os.path.join(etc, "cockpit.conf"), "w") as f:
            f.write("[WebService]\nAllowUnencrypted = true\n"
                    f"Origins = http://127.0.0.1:{self.port}\n"
                    "LoginTitle = pam_sspr test\n" + self.ws_conf)
        env = dict(CLEAN_ENV, XDG_CONFIG_DIRS=os.path.join(self.root, "xdg"))
        self.ws_log = open(os.path.join(self.root, "cockpit-ws.log"), "wb")
        self.ws = subprocess.Popen(
            [COCKPIT_WS, "--no-tls", "--address", "127.0.0.1", "--port",
             str(self.port)], env=env, stdout=self.ws_log,
            stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        deadline = time.monotonic() + STEP
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                if self.ws.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError("cockpit-ws did not start:\n" + self.ws_text())

    def ws_text(self):
        try:
            with open(os.path.join(self.root, "cockpit-ws.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def add_pam_line(self):
        with open(PAMD_COCKPIT) as f:
            self.pam_saved = f.read()
        line = (f"{MARK}{os.getpid()}\n"
                f"account    required     {self.pam_line()}\n")
        lines = self.pam_saved.splitlines(keepends=True)
        at = next((i + 1 for i, l in enumerate(lines)
                   if l.split()[:1] == ["account"] and "common-account" in l),
                  len(lines))
        lines.insert(at, line)
        with open(PAMD_COCKPIT, "w") as f:
            f.write("".join(lines))

    def add_person(self, letter, password):
        name = self.user(letter)
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", "-c",
                        f"pam_sspr e2e test {self.pid_tag}", name],
                       env=CLEAN_ENV, check=True, capture_output=True)
        self.created_users.append(name)
        run(["chpasswd"], input=f"{name}:{password}\n")
        return name

    def cleanup(self):
        if self.pam_saved is not None:
            with open(PAMD_COCKPIT, "w") as f:
                f.write(self.pam_saved)
            self.pam_saved = None
        if self.ws is not None:
            self.ws.kill()
            self.ws.wait()
            self.ws = None
        super().cleanup()


class Browser:
    """One headless Chromium with a profile of its own; each page state it
    reaches is saved as a PNG."""

    def __init__(self, test, url):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        self.test = test
        self.url = url
        self.profile = tempfile.mkdtemp(prefix="sspr-cockpit-chromium-")
        opts = Options()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage", "--window-size=1000,900",
                  "--lang=en-US", f"--user-data-dir={self.profile}"):
            opts.add_argument(a)
        try:
            self.d = webdriver.Chrome(service=Service(CHROMEDRIVER),
                                      options=opts)
        except Exception as e:
            shutil.rmtree(self.profile, ignore_errors=True)
            if test is None:  # require()'s probe: this machine cannot
                skip("headless Chromium cannot start here: " +
                     (str(e).strip().splitlines() or ["?"])[0])
            raise
        self.d.set_page_load_timeout(STEP)
        self.seen = []  # every text the page showed, for the mojibake check

    def close(self):
        try:
            self.d.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def el(self, id_):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.ID, id_)

    def visible(self, id_):
        from selenium.common.exceptions import WebDriverException
        try:
            return self.el(id_).is_displayed()
        except WebDriverException:
            return False

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.test.steps += 1  # counted per test, across its browsers
        path = os.path.join(SHOTS, f"{self.test.id().split('.')[-1]}-"
                                   f"{self.test.steps:02d}-{name}.png")
        self.d.save_screenshot(path)
        return path

    def login(self, user, password):
        self.d.get(self.url)
        self.wait(lambda: self.visible("login-user-input"), "the login page")
        self.el("login-user-input").send_keys(user)
        self.el("login-password-input").send_keys(password)
        self.shot("login")
        self.el("login-button").click()
        return self.state()

    def wait(self, cond, what, limit=STEP):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            got = cond()
            if got:
                return got
            time.sleep(0.1)
        self.shot("timeout")
        self.test.fail(f"timed out waiting for {what}")

    def state(self):
        """The next page state: ("prompt", message, prompt, echo),
        ("error", text) or ("shell",)."""
        def probe():
            if self.d.execute_script(
                    "return !!document.getElementById('topnav')"):
                return ("shell",)
            # A refusal, or cockpit's "Internal error in login process"
            # (a fatal message with the button left spinning).
            for id_ in ("login-error-message", "login-fatal-message"):
                if self.visible(id_) and self.el(id_).text.strip():
                    return ("error", self.el(id_).text)
            button = self.el("login-button")
            if button.get_attribute("spinning") is not None:
                return None
            if self.visible("conversation-group"):
                msg = self.el("conversation-message")
                text = msg.text if msg.is_displayed() else ""
                return ("prompt", text, self.el("conversation-prompt").text,
                        self.el("conversation-input").get_attribute("type")
                        == "text")
            return None
        from selenium.common.exceptions import WebDriverException

        def safe():
            try:
                return probe()
            except WebDriverException:  # the page is being replaced
                return None
        s = self.wait(safe, "the next step of the login")
        self.seen.extend(x for x in s[1:] if isinstance(x, str))
        self.shot({"prompt": "question", "error": "refused",
                   "shell": "shell"}[s[0]])
        return s

    def answer(self, text):
        from selenium.webdriver.common.keys import Keys
        self.el("conversation-input").send_keys(text + Keys.ENTER)
        # Each answer's next step comes inside Cockpit's prompt limit:
        # state() waits at most STEP < PROMPT_LIMIT.
        return self.state()


class CockpitCase(unittest.TestCase):
    """One cockpit-ws (with ws_conf in its cockpit.conf) per class, one
    browser per test."""
    ws_conf = ""

    @classmethod
    def setUpClass(cls):
        cls.env = CockpitEnv(cls.ws_conf)
        try:
            cls.env.start()
        except Exception:
            cls.env.cleanup()
            raise
        cls.url = f"http://127.0.0.1:{cls.env.port}/"

    @classmethod
    def tearDownClass(cls):
        cls.env.cleanup()

    def setUp(self):
        self.steps = 0
        self.browser = Browser(self, self.url)
        self.t0 = time.monotonic()

    def tearDown(self):
        try:
            for text in self.browser.seen:
                self.assertIsNone(MOJIBAKE.search(text),
                                  f"garbled text in the page: {text!r}")
        finally:
            self.browser.close()
        result = getattr(getattr(self, "_outcome", None), "result", None)
        bad = [t for t, _ in (getattr(result, "errors", []) +
                              getattr(result, "failures", []))]
        if self in bad:
            print("----- cockpit-ws log (tail) -----\n" + self.env.ws_text())

    def person(self, letter):
        password = f"Pw-{letter}-{os.getpid()}-x"
        return self.env.add_person(letter, password), password

    def expect_prompt(self, s, marker):
        self.assertEqual(s[0], "prompt", f"expected a question, got {s}")
        self.assertIn(marker, s[2], s)
        return s

    def register(self, user, password):
        """Registers a mobile phone in the page; returns the states."""
        b = self.browser
        states = [b.login(user, password)]
        s = self.expect_prompt(states[-1], "Choice [1]:")
        # The README's picture (docs/cockpit-registration.png): the form.
        b.el("main").screenshot(os.path.join(SHOTS, "registration.png"))
        # The menu is readable in one paragraph: its entries stay apart.
        self.assertRegex(s[2], r"register:.*\b1\) Authentication phone"
                               r" \(text or call me\); 2\) Office phone")
        for marker, answer in (("Choice [1]:", "1"), ("[US]:", ""),
                               ("with area code:", US),
                               ("Choice [1]:", "1")):
            self.expect_prompt(states[-1], marker)
            states.append(b.answer(answer))
        self.expect_prompt(states[-1], "Enter the code")
        code = self.env.newest_code(US_E164)
        self.assertIsNotNone(code, "no code in the outbox")
        states.append(b.answer(code))
        self.expect_prompt(states[-1], "Add a backup method now?")
        states.append(b.answer("n"))
        s = self.expect_prompt(states[-1], "Press Enter to continue.")
        # The summary, with the masked number readable.
        self.assertIn("You're all set.", s[1] + s[2])
        self.assertRegex(s[1] + s[2], r"reset: Authentication phone "
                                      r"\+1 \*{3}-\*{3}-\*{2}23")
        states.append(b.answer(""))
        return states


class CockpitTest(CockpitCase):
    def test_an_unregistered_person_registers_a_phone_and_lands_in_the_shell(
            self):
        user, password = self.person("a")
        states = self.register(user, password)
        self.assertEqual(states[-1], ("shell",))
        rec = self.env.record(user)
        self.assertEqual([m["type"] for m in rec["methods"]], ["mobile"])

    def test_the_next_login_asks_nothing_more(self):
        user, password = self.person("b")
        self.assertEqual(self.register(user, password)[-1], ("shell",))
        self.browser.close()
        self.browser = Browser(self, self.url)
        self.assertEqual(self.browser.login(user, password), ("shell",))

    def test_mode_warn_shows_its_reminder_and_lets_the_person_in(self):
        user, password = self.person("c")
        self.env.set(mode="warn")
        try:
            s = self.browser.login(user, password)
            self.expect_prompt(s, "Press Enter to continue.")
            self.assertIn("Reminder: register a password-reset method at "
                          "https://aka.ms/ssprsetup", s[1] + s[2])
            self.assertNotIn("Scan to register", s[1] + s[2])
            self.assertEqual(self.browser.answer(""), ("shell",))
        finally:
            self.env.set(mode="register")

    def test_mode_block_shows_its_link_and_refuses(self):
        user, password = self.person("d")
        self.env.set(mode="block")
        try:
            s = self.browser.login(user, password)
            self.assertEqual(s[0], "error", s)
            self.assertIn("Register at https://aka.ms/ssprsetup", s[1])
            self.assertNotIn("Scan to register", s[1])
        finally:
            self.env.set(mode="register")

    def test_a_password_expiry_warning_before_the_dialogue_does_not_break_it(
            self):
        # pam_unix's account phase (common-account, before the module)
        # warns of an expiring password: info that Cockpit holds for the
        # next prompt, ours.
        user, password = self.person("f")
        run(["chage", "-d", time.strftime("%Y-%m-%d"), "-M", "10", "-W", "20",
             user])
        states = self.register(user, password)
        self.assertIn("expire", states[0][1])
        self.assertEqual(states[-1], ("shell",))

    def test_the_helpdesk_line_below_blocks_link_is_shown_quotes_and_all(
            self):
        # cockpit-session puts the last error text into its JSON as it is:
        # a '"' or '\\' there would break the message.
        user, password = self.person("g")
        texts = os.path.join(self.env.root, "texts")
        with open(texts, "w") as f:
            f.write('help = Call the \u201cIT desk\u201d at "x1234" '
                    '(Men\u00fc: \\\\help)\n')
        os.chmod(texts, 0o644)
        self.env.set(mode="block", texts_file=texts)
        try:
            s = self.browser.login(user, password)
            self.assertEqual(s[0], "error", s)
            self.assertIn("Register at https://aka.ms/ssprsetup, then log in "
                          "again. Call the 'IT desk' at 'x1234' (Menu: /help)",
                          s[1])
        finally:
            del self.env.conf["texts_file"]
            self.env.set(mode="register")


class SlowAnswerTest(CockpitCase):
    """Cockpit waits for each answer only so long (cockpit-ws: 60 s, the
    key response-timeout of cockpit.conf's [basic] section; 3 s here)."""
    ws_conf = "[basic]\nresponse-timeout = 3\n"

    def test_a_late_answer_ends_the_login_and_the_next_one_starts_again(
            self):
        user, password = self.person("e")
        s = self.browser.login(user, password)
        self.expect_prompt(s, "Choice [1]:")
        time.sleep(5)
        s = self.browser.answer("1")
        self.assertEqual(s, ("error", "Authentication failed"))
        # The helper ends with the login it served, and nothing was saved.
        self.browser.wait(lambda: not procs_with_exe(self.env.helper),
                          "the helper to end")
        self.assertIsNone(self.env.record(user))
        self.browser.close()
        self.browser = Browser(self, self.url)
        self.expect_prompt(self.browser.login(user, password), "Choice [1]:")


if __name__ == "__main__":
    require()
    unittest.main(verbosity=2)
