"""Phone registration through real libpam, the real module and helper."""
import os
import re

from harness import (PAM_IGNORE, PAM_PERM_DENIED, PAM_SUCCESS, Env,
                     PamTestCase, main)

US = "201-555-0123"
US_E164 = "+12015550123"


class Registration(PamTestCase):

    def register_mobile(self, user="alice", number=US):
        return self.env.run(user, "1", "", number, "1", "@code", "n")

    def test_a_full_registration_then_a_silent_pass(self):
        code, out = self.register_mobile()
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Don't lose access to your account", out)
        self.assertIn("We texted a 6-digit code to +1 201-555-0123", out)
        self.assertIn("Thanks!", out)
        rec = self.env.record("alice")
        self.assertEqual(rec["user"], "alice")
        self.assertEqual([(m["type"], m["value"]) for m in rec["methods"]],
                         [("mobile", US_E164)])
        msgs = self.env.outbox_lines()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["channel"], "sms")
        self.assertEqual(msgs[0]["to"], US_E164)
        self.assertRegex(msgs[0]["text"], r"\b\d{6}\b")
        # The code never appears in the transcript's messages from the module.
        sent = re.search(r"\b(\d{6})\b", msgs[0]["text"]).group(1)
        self.assertNotIn(sent, out.replace(f"ANSWER: {sent}", ""))
        # Next login: no prompt at all.
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertNotIn("INFO", out)

    def test_a_backup_office_phone_registers_by_call(self):
        code, out = self.env.run(
            "bob", "1", "", US, "1", "@code", "y",
            "1",  # office is the only method left
            "GB", "020 7946 0000", "1", "@code")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Choose a backup method", out)
        self.assertNotIn("Text me", out.split("Choose a backup method")[1])
        rec = self.env.record("bob")
        self.assertEqual(sorted((m["type"], m["value"]) for m in rec["methods"]),
                         [("mobile", US_E164), ("office", "+442079460000")])
        chans = [m["channel"] for m in self.env.outbox_lines()]
        self.assertEqual(chans, ["sms", "voice"])

    def test_a_national_number_at_the_region_prompt_is_confirmed_in_the_default_region(self):
        code, out = self.env.run("natl", "1", "(425) 555-0100", "", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        confirm = out.index("PROMPT: Use +1 425-555-0100? [Y/n]: ")
        self.assertLess(confirm, out.index("We texted a 6-digit code"))
        self.assertEqual([m["to"] for m in self.env.outbox_lines()],
                         ["+14255550100"])
        rec = self.env.record("natl")
        self.assertEqual([m["value"] for m in rec["methods"]], ["+14255550100"])

    def test_a_declined_national_number_asks_for_the_region_again(self):
        code, out = self.env.run("natl2", "1", "4255550100", "n", "GB",
                                 "07400 123456", "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(out.count("PROMPT: Country or region code"), 2)
        self.assertEqual([m["to"] for m in self.env.outbox_lines()],
                         ["+447400123456"])

    def test_region_and_international_forms_are_understood(self):
        for user, answers in (
                ("c1", ["1", "GB", "07400 123456"]),
                ("c2", ["1", "+44", "7400-123-456"]),
                ("c3", ["1", "+44 (0)7400 123456"]),
                ("c4", ["1", "0044 7400 123456"])):
            code, out = self.env.run(user, *answers, "1", "@code", "n")
            self.assertResult(code, PAM_SUCCESS, out)
            self.assertEqual(self.env.record(user)["methods"][0]["value"],
                             "+447400123456", user)

    def test_invalid_number_is_explained_and_asked_again(self):
        code, out = self.env.run("dave", "1", "", "12", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        # The explanation comes with the question asked again (so that
        # OpenSSH's keyboard-interactive shows it too).
        self.assertEqual(out.count("Phone number (US), with area code"), 2)
        again = out.split("ANSWER: 12\n", 1)[1].split("ANSWER:", 1)[0]
        self.assertRegex(again, r"^PROMPT: .*(short|valid|number)")
        self.assertIn("Phone number (US)", again)

    def test_bad_input_everywhere_is_bounded(self):
        code, out = self.env.run("erin", "x" * 4096, "\x01", "7")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("too long", out)
        self.assertIn("not allowed", out)
        self.assertIn("Too many invalid answers", out)
        self.assertIsNone(self.env.record("erin"))

    def test_wrong_code_max_attempts_denies(self):
        self.env.set(max_attempts=3)
        code, out = self.env.run("frank", "1", "", US, "1",
                                 "@wrongcode", "@wrongcode", "@wrongcode")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("2 attempts left", out)
        self.assertIn("1 attempt left", out)
        self.assertIn("Too many wrong codes", out)
        self.assertIsNone(self.env.record("frank"))

    def test_resend_sends_a_new_code_and_only_it_works(self):
        code, out = self.env.run("gina", "1", "", US, "1", "r", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(len(self.env.outbox_lines()), 2)

    def test_a_resend_inside_the_cooldown_is_told_to_wait(self):
        self.env.set(resend_cooldown=60)
        code, out = self.env.run("hugo", "1", "", US, "1", "r", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Please wait", out)
        self.assertEqual(len(self.env.outbox_lines()), 1)

    def test_rate_limit_locks_out_and_says_until_when(self):
        self.env.set(rate_limit=2, rate_user_limit=2, rate_lockout=86400)
        code, out = self.env.run("ivan", "1", "", US, "1", "r", "r")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertRegex(out, r"after \d{4}-\d\d-\d\d \d\d:\d\d UTC")
        self.assertEqual(len(self.env.outbox_lines()), 2)
        # The lockout holds across logins, per user ...
        code, out = self.env.run("ivan", "1", "", "201-555-0199", "1")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Too many codes", out)
        self.assertEqual(len(self.env.outbox_lines()), 2)

    # Issue 11 item 7: five codes from one account lock the number for that
    # account only; another user registers it.
    def test_five_codes_from_one_account_leave_the_number_to_others(self):
        code, out = self.env.run("lena", "1", "", US, "1",
                                 "r", "r", "r", "r", "r")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Too many codes", out)
        self.assertEqual(len(self.env.outbox_lines()), 5)
        code, out = self.env.run("mona", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("You're all set", out)
        self.assertEqual(self.env.record("mona")["methods"][0]["value"],
                         US_E164)

    # Across accounts a number only gets a brake: another number or later,
    # never a refusal by itself.
    def test_a_number_busy_across_accounts_offers_another(self):
        self.env.set(rate_number_limit=2)
        code, out = self.env.run("nina", "1", "", US, "1", "r", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        code, out = self.env.run("olga", "1", "", US, "1",
                                 "201-555-0199", "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertRegex(out, r"Too many codes have been sent to this number "
                         r"or address recently\. Enter another one, or try "
                         r"again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\.")
        self.assertEqual(self.env.record("olga")["methods"][0]["value"],
                         "+12015550199")

    def test_quit_denies_with_a_clear_message(self):
        code, out = self.env.run("kim", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("No method was registered", out)

    def test_a_conversation_that_cannot_prompt_is_refused_with_the_url(self):
        code, out = self.env.run("lee")  # no answers: PAM_CONV_ERR
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("cannot ask questions", out)
        self.assertIn("https://aka.ms/ssprsetup", out)

    def test_long_text_is_split_into_pam_sized_messages(self):
        url = "https://sspr.example.com/" + "a" * 370
        self.env.set(enroll_url=url)
        code, out = self.env.run("pat")  # cannot prompt: instructions
        self.assertResult(code, PAM_PERM_DENIED, out)
        infos = [l[len("INFO: "):] for l in out.splitlines()
                 if l.startswith("INFO: ")]
        self.assertTrue(all(len(i.encode()) <= 511 for i in infos), infos)
        self.assertIn(url, "".join(infos))

    def test_waiting_out_the_dialogue_is_a_refusal_not_unavailable(self):
        self.env.set(dialogue_timeout=10, helper_timeout=30)
        code, out = self.env.run("quinn", "@slow:12:1")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("took too long", out)
        self.assertIsNone(self.env.record("quinn"))

    def test_an_email_then_security_questions_register(self):
        self.env.set(methods="email, questions", methods_required=2)
        code, out = self.env.run(
            "rosa", "1", "rosa@@example.com", "Rosa.P@Example.ORG", "1",
            "@code:Rosa.P@example.org",
            "1", "3", "Brighton", "1", "brighton", "Leeds", "1", "Ada", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("exactly one @", out)
        self.assertIn("different answer", out)
        msgs = self.env.outbox_lines()
        self.assertEqual([m["channel"] for m in msgs], ["email"])
        self.assertEqual(msgs[0]["to"], "Rosa.P@example.org")
        rec = self.env.record("rosa")
        by_type = {m["type"]: m for m in rec["methods"]}
        self.assertEqual(set(by_type), {"email", "questions"})
        answers = by_type["questions"]["answers"]
        self.assertEqual(len(answers), 3)
        raw = open(os.path.join(self.env.state, "users", "rosa.json")).read()
        for secret in ("Brighton", "brighton", "Leeds", "leeds", "Ada"):
            self.assertNotIn(secret, raw)
        self.assertTrue(all(a["hash"].startswith("$y$") for a in answers))

    def test_exempt_user_is_ignored(self):
        self.env.args = "exempt_users=root,mallory"
        self.env.write()
        code, out = self.env.run("mallory")
        self.assertResult(code, PAM_IGNORE, out)
        self.assertNotIn("PROMPT", out)

    def test_block_denies_and_warn_reminds(self):
        self.env.set(mode="block")
        code, out = self.env.run("nina")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("Register at https://aka.ms/ssprsetup", out)
        self.env.set(mode="warn")
        code, out = self.env.run("nina")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Reminder", out)
        self.assertIsNone(self.env.record("nina"))

    def test_an_office_phone_gets_calls_only(self):
        code, out = self.env.run("omar", "2", "GB", "020 7946 0000", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("Text me", out)
        self.assertEqual(self.env.outbox_lines()[0]["channel"], "voice")


if __name__ == "__main__":
    main()
