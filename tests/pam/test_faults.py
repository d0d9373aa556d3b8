"""Helper faults: every one ends in the failmode result, in time, with no
child left behind."""
import os
import shutil
import subprocess
import tempfile
import time

from harness import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_PERM_DENIED,
                     PAM_SUCCESS, PamTestCase, main)

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

    def test_a_missing_helper_gets_the_failmode(self):
        self.both_failmodes(lambda: "/nonexistent/sspr-helper")

    def test_a_crashing_helper_gets_the_failmode(self):
        self.both_failmodes(lambda: self.env.script(
            "crash", "#!/bin/sh\nkill -SEGV $$\n"))

    def test_a_helper_sending_garbage_gets_the_failmode(self):
        self.both_failmodes(lambda: self.env.script(
            "garbage", "#!/bin/sh\nprintf '\\377\\377\\377\\377junk' >&3\n"
                       "sleep 1\n"))

    def test_a_helper_sending_an_unknown_frame_type_gets_the_failmode(self):
        self.both_failmodes(lambda: self.env.script(
            "badtype", "#!/bin/sh\nprintf '\\000\\000\\000\\002\\177x' >&3\n"
                       "sleep 1\n"))

    def test_a_helper_hanging_past_its_deadline_is_killed(self):
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

    def test_a_config_with_unsafe_permissions_is_not_read(self):
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

    def test_a_config_with_an_unknown_key_gets_the_failmode(self):
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

    def test_a_number_the_delivery_command_refuses_ends_failed(self):
        """Exit 65 (EX_DATAERR): the gateway refuses the number the user
        typed. They are told, asked for the number again, and after
        max_input_attempts the login is refused (PAM_PERM_DENIED), never
        UNAVAILABLE, which failmode=safe would turn into PAM_IGNORE."""
        tries = os.path.join(self.env.writable_dir(), "tries")
        refuse = self.env.script(
            "send-refuses", f"#!/bin/sh\necho \"$2\" >> {tries}\nexit 65\n")
        self.env.set(delivery="command:" + refuse, failmode="safe")
        attempt = ["", "201-555-0123", "1"]  # region, number, text me
        code, out = self.env.run("alice", "1", *attempt, *attempt, *attempt)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(out.count("That number was refused"), 3,
                         out)
        self.assertIn("Too many invalid answers", out)
        self.assertNotIn("could not be sent right now", out)
        # Asked again: the region prompt follows each refusal but the last.
        after_first = out.split("That number was refused", 1)[1]
        self.assertIn("Country or region", after_first)
        with open(tries) as f:
            self.assertEqual(f.read().split(), ["+12015550123"] * 3)
        self.assertIsNone(self.env.record("alice"))

    def test_a_delivery_command_exiting_75_stays_unavailable(self):
        """Any other status (75, EX_TEMPFAIL) is the gateway's problem, not
        the user's: the dialogue still ends UNAVAILABLE (failmode)."""
        fail = self.env.script("send-tempfail", "#!/bin/sh\nexit 75\n")
        self.env.set(delivery="command:" + fail, failmode="secure")
        code, out = self.env.run("alice", "1", "", "201-555-0123",
                                 "1", "1", "1", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("could not be sent right now", out)
        self.assertNotIn("That number was refused", out)

    def test_a_delivery_command_in_a_world_writable_folder_is_refused(self):
        """Whoever can write a folder above the command can replace it and
        receive every code: the helper refuses the config before it sends
        anything (UNAVAILABLE, the admin's to fix), and never runs it."""
        ran = os.path.join(self.env.writable_dir(), "ran")
        d = tempfile.mkdtemp(prefix="sspr-ww-")  # in /tmp
        self.addCleanup(shutil.rmtree, d)
        os.chmod(d, 0o777)
        send = os.path.join(d, "send")
        with open(send, "w") as f:
            f.write(f"#!/bin/sh\ntouch {ran}\n")
        os.chmod(send, 0o755)
        self.env.set(delivery="command:" + send, failmode="secure")
        code, out = self.env.run("alice", "1", "", "201-555-0123", "1", "q")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertNotIn("Phone number", out)
        self.assertFalse(os.path.exists(ran), "the command ran")
        # The same command in a folder only root writes is used.
        os.chmod(d, 0o755)
        code, out = self.env.run("alice", "1", "", "201-555-0123", "1", "q")
        self.assertTrue(os.path.exists(ran), out)

    def test_a_delivery_command_gets_the_destination_and_the_code(self):
        got = self.env.record_deliveries()
        code, out = self.env.run("alice", "1", "", "201-555-0123", "1", "q")
        self.assertEqual(code, 6, out)
        with open(got) as f:
            text = f.read()
        self.assertTrue(text.startswith("sms +12015550123\n"), text)
        self.assertRegex(text, r"\d{6} is your verification code")


if __name__ == "__main__":
    main()
