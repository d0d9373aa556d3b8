"""LightDM with its real GTK greeter, typed into like a person would.

The same LightDM as test_lightdm.py (lightdm_env.py), with Debian's
lightdm-gtk-greeter as its greeter on the Xvfb display. xdotool types the
user name, the password and each answer into it; before each answer the
test waits until LightDM's debug log shows that the greeter was given the
next question ("Prompt greeter with"), so nothing is typed ahead. Each
step's screen is saved as a PNG under SSPR_GREETER_SHOTS (ImageMagick's
import), for a person to look at: what the label shows is checked in
test_lightdm.py, against the same rules; this test proves that a person
can answer every step in the real greeter and is let in (or refused).

Run by Debian's /usr/bin/python3. Skipped (77) where LightDM, the greeter
or xdotool are missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lightdm_env import STEP, LightdmEnv, require_lightdm  # noqa: E402
from sshd_env import CLEAN_ENV, require_loadable_module, run, skip  # noqa

GTK_GREETER = "/usr/sbin/lightdm-gtk-greeter"
XDOTOOL = "/usr/bin/xdotool"
IMPORT = "/usr/bin/import"  # ImageMagick
SHOTS = os.environ.get("SSPR_GREETER_SHOTS") or os.path.join(
    tempfile.gettempdir(), "sspr-greeter-shots")
US = "201-555-0123"
US_E164 = "+12015550123"


class GtkGreeterTest(unittest.TestCase):
    """One LightDM with a fresh greeter per test."""

    def setUp(self):
        self.shots = 0
        self.env = LightdmEnv(GTK_GREETER, {"dialogue_timeout": "300"})
        try:
            self.env.start()
            self.env.wait_for(lambda: "Greeter connected" in self.log(),
                              "lightdm-gtk-greeter")
        except Exception:
            self.env.cleanup()
            raise
        d = self.env.display_number()
        self.xenv = dict(CLEAN_ENV, DISPLAY=d,
                         XAUTHORITY=self.env.path("run", "root", d))

    def tearDown(self):
        self.env.cleanup()

    def log(self):
        try:
            with open(self.env.path("lightdm.out"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def prompts(self):
        return self.log().count("Prompt greeter with")

    def shot(self, name):
        if not os.path.exists(IMPORT):
            return  # the screens are for people; the flow is the test
        os.makedirs(SHOTS, exist_ok=True)
        self.shots += 1
        path = os.path.join(SHOTS, f"{self.id().split('.')[-1]}-"
                                   f"{self.shots:02d}-{name}.png")
        subprocess.run([IMPORT, "-window", "root", path], env=self.xenv,
                       check=True, capture_output=True, timeout=STEP)
        return path

    def type_line(self, text):
        """Types text and Enter into the focused entry."""
        if text:
            run([XDOTOOL, "type", "--delay", "20", text], env=self.xenv)
        run([XDOTOOL, "key", "Return"], env=self.xenv)

    def answer(self, text, name):
        """Types an answer once the greeter has the next question; then
        waits for the question after it (or the end) and saves the screen."""
        before = self.prompts()
        self.type_line(text)
        self.env.wait_for(lambda: self.prompts() > before or self.ended(),
                          f"the step after {name}")
        time.sleep(0.5)  # GTK draws the label after LightDM logged it
        self.shot(name)

    def ended(self):
        return f"Authenticate result for user {self.user}" in self.log()

    def person(self, letter):
        self.user = self.env.user(letter)
        self.env.add_user(self.user)
        password = f"Pw-{letter}-{os.getpid()}-x"
        run(["chpasswd"], input=f"{self.user}:{password}\n")
        return self.user, password

    def sign_in(self, user, password):
        """Types the user name once the greeter (a new one after each
        session) asks for it, then the password."""
        def asks_name():
            log = self.log()
            return "Prompt greeter" in log[log.rfind("Greeter connected"):]
        self.env.wait_for(asks_name, "the greeter's user name question")
        time.sleep(1)  # the window is mapped and its entry focused
        self.type_line(user)
        started = f"Greeter start authentication for {user}"
        self.env.wait_for(
            lambda: "Prompt greeter" in self.log().partition(started)[2],
            "the password question")
        self.answer(password, "password")

    def result(self):
        for line in self.log().splitlines():
            if f"Authenticate result for user {self.user}:" in line:
                return line.rsplit(":", 1)[1].strip()
        return None

    def test_a_person_registers_a_phone_in_the_gtk_greeter(self):
        user, password = self.person("g")
        self.sign_in(user, password)
        # The README's picture (docs/lightdm-gtk-registration.png): the
        # menu in the greeter's label.
        menu = self.shot("menu")
        if menu:
            shutil.copy(menu, os.path.join(SHOTS, "registration.png"))
        for answer, name in (("1", "region"), ("", "number"), (US, "channel"),
                             ("1", "code")):
            self.answer(answer, name)
        code = self.env.newest_code(US_E164)
        self.assertIsNotNone(code, "no code in the outbox:\n" +
                             self.env.log_tail())
        self.answer(code, "backup")
        self.answer("n", "summary")
        self.assertIsNone(self.result())
        self.answer("", "done")
        self.env.wait_for(self.ended, "the end of the login")
        self.assertEqual(self.result(), "Success")
        rec = self.env.record(user)
        self.assertEqual([m["type"] for m in rec["methods"]], ["mobile"])

    def test_mode_block_refuses_in_the_gtk_greeter(self):
        user, password = self.person("h")
        self.env.set(mode="block")
        try:
            self.sign_in(user, password)
            self.env.wait_for(self.ended, "the end of the login")
            self.assertEqual(self.result(), "Permission denied")
            time.sleep(0.5)  # GTK draws the label after LightDM logged it
            self.shot("blocked")
        finally:
            self.env.set(mode="register")


def require_gtk():
    for path, pkg in ((GTK_GREETER, "lightdm-gtk-greeter"),
                      (XDOTOOL, "xdotool")):
        if not os.path.exists(path):
            skip(f"{path} is missing: install {pkg} (scripts/install-deps)")


if __name__ == "__main__":
    require_lightdm()
    require_gtk()
    require_loadable_module("lightdm")
    unittest.main(verbosity=2)
