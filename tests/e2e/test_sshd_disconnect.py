"""A user who disconnects in the middle of the dialogue: the ssh client is
killed at the code prompt. sshd ends the PAM "thread" (a forked process
running pam_acct_mgmt); the helper must not outlive it, no record may be
written, and the next login starts the dialogue afresh.
"""
import time

from e2e_case import E2ETestCase, main
from messages import CODE, CONTINUE, INTRO, MENU, QUIT, SENT
from sshd_env import pgrep_f


def proc_state(pid):
    """(state, parent pid), or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])

METHODS = "publickey,keyboard-interactive"


class Disconnect(E2ETestCase):
    auth_methods = METHODS
    users = ("a",)

    def test_kill_client_at_code_prompt_leaves_nothing_behind(self):
        u = self.env.user("a")
        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.register(c, u, until="code")
        helpers = pgrep_f(self.env.helper)
        self.assertEqual(len(helpers), 1, "the helper should be waiting")
        helper_pid = int(helpers[0].split()[0])
        self.assertEqual(len(self.env.outbox_lines()), 1)
        c.kill()
        print(f"\n----- killed at the code prompt -----\n{c.text}\n-----")
        self.assertShown(c.text, [(INTRO, 1), (MENU, 1), (SENT, 1),
                                  (CODE, 1)])
        self.assertNoRepeats(c.text, allow=("Choice [1]: 1",))
        # sshd SIGTERMs its PAM process (the module dies with it); the
        # helper sees EOF and exits at once; its new parent, PID 1, reaps it.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            st = proc_state(helper_pid)
            if st is None or st == ("Z", 1):
                break
            time.sleep(0.05)
        self.assertIn(proc_state(helper_pid), (None, ("Z", 1)),
                      "the helper outlived the disconnected login")
        time.sleep(2)  # and no other helper shows up
        self.assertEqual(pgrep_f(self.env.helper), [])
        self.assertEqual(self.env.helpers(), [])
        left = proc_state(helper_pid)
        if left is not None:
            print(f"NOTE: helper {helper_pid} is still a zombie of PID 1 "
                  "(this PID 1 does not reap promptly)")
        self.assertIsNone(self.env.record(u))
        self.assertFalse(self.env.cached(u))

        c = self.ssh(u, "echo", "LOGGED-IN", methods=METHODS)
        self.password(c, u)
        c.expect("Choice [1]: ")
        c.send("q")
        status, out = self.finish("next login after the disconnect", c)
        self.assertEqual(status, 255, out)
        self.assertShown(out, [(INTRO, 1), (MENU, 1), (QUIT, 1),
                               (CONTINUE, 0), ("LOGGED-IN", 0)])
        self.assertNoRepeats(out)
        self.assertEqual(pgrep_f(self.env.helper), [])


if __name__ == "__main__":
    main()
