"""sshd's conversation for a password login without keyboard-interactive
(PasswordAuthentication yes, KbdInteractiveAuthentication no) answers every
hidden prompt with the login password and fails every visible one. Through
real libpam, the real module and helper, with the driver's --sshd-password
conversation: no flow ever gets the password as an answer, so it can never
be stored as a security answer; the user gets what a conversation that
cannot prompt gets."""
import crypt  # noqa (deprecated, still in 3.11; yescrypt via libcrypt)
import json
import os
import time

from harness import PAM_PERM_DENIED, PAM_SUCCESS, PamTestCase, main

PASSWORD = "Correct-Horse-Battery-9"
SSHD = ["--sshd-password", PASSWORD]
DAY = 86400


class PasswordLoginConversation(PamTestCase):

    def assertPasswordNeverAnswered(self, out):
        self.assertNotIn("PASSWORD GIVEN", out)
        self.assertIn("PROMPT REFUSED", out)  # it was asked, and refused
        self.assertResult_no_password_in_files()

    def assertResult_no_password_in_files(self):
        """The password is in no file of the store, and no stored hash
        verifies against it."""
        for top, _, files in os.walk(self.env.state):
            for f in files:
                with open(os.path.join(top, f), "rb") as fh:
                    data = fh.read()
                self.assertNotIn(PASSWORD.encode(), data, f)
                self.assertNotIn(PASSWORD.lower().encode(), data, f)
        for h in self.answer_hashes():
            for guess in (PASSWORD, PASSWORD.lower()):
                self.assertNotEqual(crypt.crypt(guess, h), h)

    def answer_hashes(self):
        users = os.path.join(self.env.state, "users")
        out = []
        for f in os.listdir(users) if os.path.isdir(users) else []:
            with open(os.path.join(users, f)) as fh:
                rec = json.load(fh)
            for m in rec["methods"]:
                out += [a["hash"] for a in m.get("answers", [])]
        return out

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
        hashes = self.answer_hashes()
        self.assertEqual(len(hashes), 3)
        self.assertTrue(all(h.startswith("$") for h in hashes), hashes)
        self.assertEqual(crypt.crypt("brighton", hashes[0]), hashes[0])
        self.backdate("carol", 60 * DAY)
        os.unlink(os.path.join(self.env.cache, "carol"))
        code, out = self.env.run("carol", extra=SSHD)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("PROMPT REFUSED: ", out)
        self.assertEqual(self.answer_hashes(), hashes)
        self.assertPasswordNeverAnswered(out)
        # Still due: the next interactive login asks keep/update again.
        code, out = self.env.run("carol", "k")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("still correct", out)

    def backdate(self, user, seconds):
        old = int(time.time()) - seconds
        path = os.path.join(self.env.state, "users", user + ".json")
        with open(path) as f:
            rec = json.load(f)
        rec["created_at"] = rec["updated_at"] = old
        for m in rec["methods"]:
            m["verified_at"] = old
        with open(path, "w") as f:  # keeps owner and mode
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        ppath = os.path.join(self.env.state, "policy", user)
        with open(ppath) as f:
            lines = f.read().splitlines()
        with open(ppath, "w") as f:
            f.write("".join(f"confirmed_at {old}\n"
                            if l.startswith("confirmed_at") else l + "\n"
                            for l in lines))


if __name__ == "__main__":
    main()
