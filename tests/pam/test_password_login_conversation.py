"""sshd's conversation for a password login without keyboard-interactive
(PasswordAuthentication yes, KbdInteractiveAuthentication no) answers every
hidden prompt with the login password and fails every visible one. Through
real libpam, the real module and helper, with the driver's --sshd-password
conversation: no flow ever gets the password as an answer, so it can never
be stored as a security answer; the user gets what a conversation that
cannot prompt gets."""
import crypt  # noqa (deprecated, still in 3.11; yescrypt via libcrypt)
import os

from harness import DAY, PAM_PERM_DENIED, PAM_SUCCESS, PamTestCase, main

PASSWORD = "Correct-Horse-Battery-9"
SSHD = ["--sshd-password", PASSWORD]


class PasswordLoginConversation(PamTestCase):

    def assertPasswordNeverAnswered(self, out):
        self.assertNotIn("PASSWORD GIVEN", out)
        self.assertIn("PROMPT REFUSED", out)  # it was asked, and refused
        self.assertPasswordStoredNowhere(PASSWORD)

    def assertCannotPromptRefusal(self, code, out, user):
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("cannot ask questions", out)
        self.assertIsNone(self.env.record(user))
        self.assertPasswordNeverAnswered(out)

    def test_registration_never_gets_the_login_password(self):
        code, out = self.env.run("alice", extra=SSHD)
        self.assertCannotPromptRefusal(code, out, "alice")

    def test_questions_only_config_never_gets_the_login_password(self):
        self.env.set(methods="questions")
        code, out = self.env.run("bob", extra=SSHD)
        self.assertCannotPromptRefusal(code, out, "bob")

    def test_reconfirmation_never_gets_the_login_password(self):
        # Registered with three security questions, then 60 days later
        # (reconfirm_days = 30) a password login: the visible keep/update
        # question is refused, the registration stands, nothing changes.
        self.env.set(methods="questions", reconfirm_days=30)
        code, out = self.env.run("carol", "1", "1", "Brighton", "1", "Leeds",
                                 "1", "Ada Lovelace", "")
        self.assertResult(code, PAM_SUCCESS, out)
        hashes = self.env.answer_hashes()
        self.assertEqual(len(hashes), 3)
        self.assertTrue(all(h.startswith("$") for h in hashes), hashes)
        self.assertEqual(crypt.crypt("brighton", hashes[0]), hashes[0])
        self.env.backdate("carol", 60 * DAY)
        os.unlink(os.path.join(self.env.cache, "carol"))
        code, out = self.env.run("carol", extra=SSHD)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("PROMPT REFUSED: ", out)
        self.assertEqual(self.env.answer_hashes(), hashes)
        self.assertPasswordNeverAnswered(out)
        # Still due: the next interactive login asks keep/update again.
        code, out = self.env.run("carol", "k")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("still correct", out)


if __name__ == "__main__":
    main()
