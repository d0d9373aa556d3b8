""""Later" (snooze_max, snooze_interval, grace_until) and reconfirmation
(reconfirm_days) through real libpam, the real module and the real helper,
with the helper's wall clock moved between logins by libfaketime
(harness.Env.use_fake_clock / set_clock). The module's status cache runs
on the real clock, so these tests set cache_ttl = 0 unless they check the
cache itself."""
import calendar
import os
import time

from harness import PAM_PERM_DENIED, PAM_SUCCESS, PamTestCase, main

US = "201-555-0123"
US_E164 = "+12015550123"
US2 = "201-555-0199"
US2_E164 = "+12015550199"
MASKED = "+1 \u2022\u2022\u2022-\u2022\u2022\u2022-\u2022\u202223"  # +1 •••-•••-••23
DAY = 86400
HOUR = 3600


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


T0 = epoch("2027-01-10 09:00:00")

RECONFIRM_Q = "Please confirm that your password-reset information is still correct"


class ClockCase(PamTestCase):

    def setUp(self):
        super().setUp()
        self.env.set(cache_ttl=0)
        self.env.use_fake_clock(T0)

    def at(self, t, user, *answers, extra=()):
        self.env.set_clock(t)
        return self.env.run(user, *answers, extra=extra)

    def policy(self, user):
        path = os.path.join(self.env.state, "policy", user)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return {k: int(v) for k, v in (l.split() for l in f if l.strip())}

    def methods(self, user):
        rec = self.env.record(user)
        return [] if rec is None else [
            (m["type"], m["value"], m["verified_at"]) for m in rec["methods"]]

    def register(self, t, user, number=US):
        code, out = self.at(t, user, "1", "", number, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("You're all set", out)
        return out

    def assertSilentPass(self, t, user):
        code, out = self.at(t, user)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        self.assertNotIn("INFO", out)
        self.assertNotIn("ERROR", out)


class Reconfirm(ClockCase):

    def setUp(self):
        super().setUp()
        self.env.set(reconfirm_days=30)

    def test_keep_then_not_asked_again_until_the_next_interval(self):
        self.register(T0, "alice")
        self.assertEqual(self.methods("alice"), [("mobile", US_E164, T0)])
        # A registration counts as a confirmation.
        self.assertEqual(self.policy("alice")["confirmed_at"], T0)
        self.assertSilentPass(T0 + 29 * DAY, "alice")
        self.assertSilentPass(T0 + 30 * DAY - 60, "alice")

        # Due: the methods are shown masked, one question, keep.
        t1 = T0 + 31 * DAY
        code, out = self.at(t1, "alice", "k", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn(RECONFIRM_Q, out)
        self.assertIn("Authentication phone " + MASKED, out)
        self.assertIn("k) Keep it", out)
        self.assertIn("u) Update it", out)
        self.assertIn("Choice [k]: ", out)
        self.assertNotIn(US, out)
        self.assertNotIn("2015550123", out)
        self.assertIn("Thanks for confirming your information.", out)
        self.assertIn("PROMPT: Press Enter to continue.", out)
        self.assertEqual(out.count("PROMPT:"), 2)
        self.assertEqual(self.policy("alice")["confirmed_at"], t1)
        self.assertEqual(self.methods("alice"), [("mobile", US_E164, T0)])
        self.assertEqual(len(self.env.outbox_lines()), 1)  # nothing sent

        # Never more often than the interval, counted from the confirmation.
        for t in (t1 + 60, t1 + DAY, t1 + 29 * DAY, t1 + 30 * DAY - 1):
            self.assertSilentPass(t, "alice")
        # Enter alone keeps too (the default).
        t2 = t1 + 30 * DAY
        code, out = self.at(t2, "alice", "", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn(RECONFIRM_Q, out)
        self.assertEqual(self.policy("alice")["confirmed_at"], t2)
        self.assertSilentPass(t2 + DAY, "alice")

    def test_update_verifies_and_stores_the_new_method(self):
        self.register(T0, "bob")
        t1 = T0 + 45 * DAY
        # A code to the registered number first, then the new one.
        code, out = self.at(t1, "bob", "u", "1", "@code",
                            "1", "", US2, "1", "@code", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn(RECONFIRM_Q, out)
        # Updating offers no "later" and no backup question.
        after = out.split("ANSWER: u\n", 1)[1]
        self.assertNotIn("Later", after)
        self.assertNotIn("backup", after)
        self.assertIn("We texted a 6-digit code to +1 201-555-0199", out)
        self.assertIn("You're all set", out)
        self.assertEqual(self.methods("bob"), [("mobile", US2_E164, t1)])
        sent = self.env.outbox_lines()
        # Registration, proof, the new number, and the notice to the old.
        self.assertEqual([m["to"] for m in sent],
                         [US_E164, US_E164, US2_E164, US_E164])
        self.assertRegex(sent[-1]["text"],
                         r"^Your password-reset phone on \S+ was changed at "
                         r"\d{4}-\d\d-\d\d \d\d:\d\d UTC; if this wasn't you, "
                         r"contact ")
        self.assertEqual(self.policy("bob")["confirmed_at"], t1)
        # The next question comes an interval after the update.
        self.assertSilentPass(t1 + 29 * DAY, "bob")
        code, out = self.at(t1 + 31 * DAY, "bob", "k", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("+1 \u2022\u2022\u2022-\u2022\u2022\u2022-\u2022\u202299", out)

    def test_update_not_verified_keeps_the_old_method_and_asks_again(self):
        self.env.set(max_attempts=2)
        self.register(T0, "carl")
        t1 = T0 + 31 * DAY
        # Wrong codes: the new number is never stored.
        code, out = self.at(t1, "carl", "u", "1", "@code", "1", "", US2, "1",
                            "@wrongcode", "@wrongcode", "")
        self.assertResult(code, PAM_SUCCESS, out)  # still registered
        self.assertIn("Too many wrong codes", out)
        self.assertNotIn("all set", out)
        self.assertEqual(self.methods("carl"), [("mobile", US_E164, T0)])
        self.assertEqual(self.policy("carl")["confirmed_at"], T0)
        # Quitting the update: the old method stands, the question stays due.
        code, out = self.at(t1 + 60, "carl", "u", "q")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(self.methods("carl"), [("mobile", US_E164, T0)])
        self.assertIn(RECONFIRM_Q, out)
        self.assertNotIn("No method was registered", out)
        self.assertEqual(self.policy("carl")["confirmed_at"], T0)
        # Bad answers to the question itself: no refusal, still due.
        code, out = self.at(t1 + 90, "carl", "x", "\x07", "keep it", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Please answer k or u.", out)
        self.assertIn("Too many invalid answers", out)
        self.assertEqual(self.policy("carl")["confirmed_at"], T0)
        code, out = self.at(t1 + 120, "carl", "k", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn(RECONFIRM_Q, out)
        self.assertEqual(self.policy("carl")["confirmed_at"], t1 + 120)

    # Issue 11 item 6: a stolen password alone cannot replace the phone.
    def test_update_without_the_registered_phone_is_refused(self):
        self.env.set(max_attempts=2)
        self.register(T0, "finn")
        t1 = T0 + 31 * DAY
        code, out = self.at(t1, "finn", "u", "1", "@wrongcode", "@wrongcode")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("prove that you still have one of your registered "
                      "methods", out)
        self.assertIn("1) Authentication phone " + MASKED, out)
        self.assertIn("Nothing was changed", out)
        self.assertNotIn("Phone number (", out)
        self.assertEqual(self.methods("finn"), [("mobile", US_E164, T0)])
        self.assertEqual([m["to"] for m in self.env.outbox_lines()],
                         [US_E164, US_E164])
        self.assertEqual(self.policy("finn")["confirmed_at"], T0)

    def test_lost_phone_is_sent_to_the_admin(self):
        self.register(T0, "gina")
        t1 = T0 + 31 * DAY
        code, out = self.at(t1, "gina", "u", "l")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("only an administrator can replace them "
                      "(sspr-admin reset)", out)
        self.assertEqual(self.methods("gina"), [("mobile", US_E164, T0)])
        self.assertEqual(len(self.env.outbox_lines()), 1)
        self.assertEqual(self.policy("gina")["confirmed_at"], T0)  # still due
        code, out = self.at(t1 + 60, "gina", "k", "")
        self.assertIn(RECONFIRM_Q, out)

    def test_cannot_prompt_postpones_the_question(self):
        self.register(T0, "dora")
        code, out = self.at(T0 + 31 * DAY, "dora")  # key-only login
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("cannot ask questions", out)
        self.assertEqual(self.policy("dora")["confirmed_at"], T0)
        code, out = self.at(T0 + 31 * DAY + 60, "dora", "k", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn(RECONFIRM_Q, out)

    def test_reconfirm_days_zero_means_never(self):
        self.env.set(reconfirm_days=0)
        self.register(T0, "emil")
        self.assertSilentPass(T0 + 3 * 365 * DAY, "emil")

    def test_status_cache_runs_out_before_reconfirmation(self):
        self.env.set(reconfirm_days=1, cache_ttl=30 * DAY)
        self.register(T0 + 23 * HOUR, "fay")  # 1 day from now
        with open(os.path.join(self.env.cache, "fay")) as f:
            words = f.read().split()
        self.assertEqual(words[0], "registered")
        expiry = int(words[1])
        # The module's clock is real: at most a day from (real) now.
        self.assertLessEqual(expiry, int(time.time()) + DAY)
        self.assertGreater(expiry, int(time.time()) + DAY - 600)


class Later(ClockCase):

    def test_later_counted_per_user_up_to_snooze_max(self):
        self.env.set(snooze_max=2, snooze_interval=HOUR)
        code, out = self.at(T0, "gail", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("l) Later (2 times left)", out)
        self.assertIn("OK. You will be asked again at a login after "
                      "2027-01-10 10:00 UTC.", out)
        self.assertEqual(self.policy("gail"),
                         {"snoozes": 1, "last_snooze": T0, "confirmed_at": 0})
        self.assertIsNone(self.env.record("gail"))
        # Counted per user: another user still has both.
        code, out = self.at(T0 + 60, "hank", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("l) Later (2 times left)", out)

        # At most one reminder per snooze_interval: no question, nothing said.
        for t in (T0 + 1, T0 + 30 * 60, T0 + HOUR - 1):
            self.assertSilentPass(t, "gail")
        self.assertEqual(self.policy("gail")["snoozes"], 1)

        t1 = T0 + HOUR
        code, out = self.at(t1, "gail", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("l) Later (1 time left)", out)
        self.assertIn("2027-01-10 11:00 UTC", out)
        self.assertEqual(self.policy("gail"),
                         {"snoozes": 2, "last_snooze": t1, "confirmed_at": 0})
        self.assertSilentPass(t1 + HOUR - 1, "gail")

        # Used up: "later" is neither offered nor understood.
        t2 = t1 + HOUR
        code, out = self.at(t2, "gail", "l", "l", "l")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("Later", out)
        self.assertEqual(out.count("Please answer 1-2 or q."), 3)
        self.assertIn("Too many invalid answers", out)
        self.assertEqual(self.policy("gail")["snoozes"], 2)
        self.assertRequired(t2 + 60, "gail")
        # Registering still works, and ends the reminders.
        self.register(t2 + 120, "gail")
        self.assertSilentPass(t2 + DAY, "gail")

    def test_grace_until_a_date_then_required(self):
        # Until the end of 2027-01-31 (UTC), at most one reminder a day.
        self.env.set(grace_until="2027-01-31", snooze_max=0,
                     snooze_interval=DAY)
        t = epoch("2027-01-30 10:00:00")
        code, out = self.at(t, "ida", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("l) Later (possible until 2027-01-31)", out)
        self.assertIn("asked again at a login after 2027-01-31 10:00 UTC", out)
        self.assertSilentPass(t + DAY - 1, "ida")
        # Within the grace period "later" is not counted against snooze_max.
        code, out = self.at(t + DAY, "ida", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("possible until 2027-01-31", out)
        self.assertEqual(self.policy("ida")["snoozes"], 2)
        # The reminder promised for the day after is not skipped ...
        self.assertSilentPass(epoch("2027-02-01 09:59:59"), "ida")
        # ... and then the grace is over: registration is required.
        code, out = self.at(epoch("2027-02-01 10:00:00"), "ida", "l", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("Later", out)
        self.assertIn("Please answer 1-2 or q.", out)
        self.assertIn("No method was registered", out)
        self.assertRequired(epoch("2027-02-01 10:01:00"), "ida")
        self.assertEqual(self.policy("ida")["snoozes"], 2)
        self.assertIsNone(self.env.record("ida"))

    def test_grace_ends_at_midnight_utc_of_the_next_day(self):
        self.env.set(grace_until="2027-01-31", snooze_interval=0)
        code, out = self.at(epoch("2027-01-31 23:59:59"), "jon", "l", "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("possible until 2027-01-31", out)
        code, out = self.at(epoch("2027-02-01 00:00:00"), "jon", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("Later", out)

    def test_without_snooze_or_grace_there_is_no_later(self):
        code, out = self.at(T0, "kai", "l", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertNotIn("Later", out)
        self.assertIsNone(self.policy("kai"))

    def assertRequired(self, t, user):
        """Registration required: a login that cannot ask is refused."""
        code, out = self.at(t, user)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("cannot ask questions", out)
        self.assertIn("Access is denied until then.", out)


if __name__ == "__main__":
    main()
