"""Helper faults: every one ends in the failmode result, in time, with no
child left behind."""
import os
import subprocess
import time

from harness import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_SUCCESS,
                     PamTestCase, main)

# Seconds for the hanging helper's sleep, unique to this run: pgrep looks
# at every process, and another checkout's tests may be hanging one too.
HANG_MARK = f"9{os.getpid():07d}"


class Faults(PamTestCase):

    def both_failmodes(self, make_helper, user="alice", max_seconds=None):
        for failmode, want in (("safe", PAM_IGNORE),
                               ("secure", PAM_AUTHINFO_UNAVAIL)):
            self.env.helper = make_helper()
            self.env.set(failmode=failmode)
            t0 = time.monotonic()
            code, out = self.env.run(user, "1")
            took = time.monotonic() - t0
            self.assertResult(code, want, out)
            if max_seconds is not None:
                self.assertLess(took, max_seconds, out)

    def test_helper_missing(self):
        self.both_failmodes(lambda: "/nonexistent/sspr-helper")

    def test_helper_crashes(self):
        self.both_failmodes(lambda: self.env.script(
            "crash", "#!/bin/sh\nkill -SEGV $$\n"))

    def test_helper_sends_garbage(self):
        self.both_failmodes(lambda: self.env.script(
            "garbage", "#!/bin/sh\nprintf '\\377\\377\\377\\377junk' >&3\n"
                       "sleep 1\n"))

    def test_helper_sends_unknown_frame_type(self):
        self.both_failmodes(lambda: self.env.script(
            "badtype", "#!/bin/sh\nprintf '\\000\\000\\000\\002\\177x' >&3\n"
                       "sleep 1\n"))

    def test_helper_hangs_past_deadline(self):
        self.env.set(helper_timeout=1)
        self.both_failmodes(lambda: self.env.script(
            "hang", f"#!/bin/sh\nexec /bin/sleep {HANG_MARK}\n"),
            max_seconds=10)
        left = subprocess.run(["pgrep", "-f", f"sleep {HANG_MARK}"],
                              capture_output=True, text=True).stdout
        self.assertEqual(left.strip(), "", "the hung helper was not killed")

    def test_helper_group_writable_is_refused(self):
        def make():
            p = self.env.script("writable", "#!/bin/sh\nexit 0\n")
            os.chmod(p, 0o775)
            return p
        self.both_failmodes(make)

    def test_relative_helper_path_is_a_config_error(self):
        self.both_failmodes(lambda: "sspr-helper")

    def test_config_with_unsafe_permissions(self):
        os.chmod(self.env.conf_path, 0o666)
        code, out = self.env.run("alice", "1")
        self.assertResult(code, PAM_IGNORE, out)
        # An untrusted file is not read at all: the module line alone
        # says that this caller is interactive and what the failmode is.
        self.env.args = ("failmode=secure interactive_services=" +
                         self.env.service)
        self.env.write()
        os.chmod(self.env.conf_path, 0o666)
        code, out = self.env.run("alice", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)

    def test_config_unknown_key(self):
        self.env.conf["no_such_key"] = "1"
        self.env.write()
        code, out = self.env.run("alice", "1")
        self.assertResult(code, PAM_IGNORE, out)

    def test_unknown_helper_user_is_unavailable(self):
        self.env.set(helper_user="no-such-user-sspr", failmode="secure")
        code, out = self.env.run("alice", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("not available", out)

    def test_delivery_command_failure_is_told_and_bounded(self):
        fail = self.env.script("send-fails", "#!/bin/sh\nexit 3\n")
        self.env.set(delivery="command:" + fail, failmode="secure")
        code, out = self.env.run("alice", "1", "", "201-555-0123",
                                 "1", "1", "1", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("could not be sent", out)
        self.assertIsNone(self.env.record("alice"))

    def test_delivery_command_success(self):
        got = self.env.record_deliveries()
        code, out = self.env.run("alice", "1", "", "201-555-0123", "1", "q")
        self.assertEqual(code, 6, out)
        with open(got) as f:
            text = f.read()
        self.assertTrue(text.startswith("sms +12015550123\n"), text)
        self.assertRegex(text, r"\d{6} is your verification code")


if __name__ == "__main__":
    main()
