"""A deleted state_dir (the local store) is never silently re-created
empty: the helper answers unavailable and the module logs one LOG_ERR line
that names the directory and sspr-admin check."""
import os
import shutil

from bhelp import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_SUCCESS, SHIM, US,
                   BackendCase, main)


class StateDir(BackendCase):

    def setUp(self):
        super().setUp()
        self.make_env({"backend": "local"}, {})

    def register(self, user):
        code, out = self.env.run(user, "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)

    def test_a_deleted_state_dir_is_refused_with_an_error_line_not_recreated(self):
        self.register("alice")
        shutil.rmtree(self.env.state)
        code, out = self.env.run("bob", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_IGNORE, out)  # failmode = safe
        self.assertNotIn("PROMPT", out)
        self.assertFalse(os.path.exists(self.env.state),
                         "the helper re-created an empty state_dir")
        if SHIM:
            line = self.env.last_log()
            self.assertTrue(line.startswith("<3> "), line)  # LOG_ERR
            self.assertIn(f"state_dir {self.env.state} does not exist", line)
            self.assertIn("sspr-admin check", line)
        self.env.set(failmode="secure")
        code, out = self.env.run("bob")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertFalse(os.path.exists(self.env.state))

    def test_a_state_dir_made_as_the_package_makes_it_works_on_first_use(self):
        # The harness makes it like postinst: empty, helper_user, 0700.
        self.assertEqual(os.listdir(self.env.state), [])
        self.register("carol")
        self.assertTrue(os.path.exists(
            os.path.join(self.env.state, "users", "carol.json")))


if __name__ == "__main__":
    main()
