"""The fast path starts no helper; concurrent registrations never corrupt
or lose a record."""
import concurrent.futures
import json
import os
import time

from harness import PAM_SUCCESS, PamTestCase, main


class FastPath(PamTestCase):

    def recorder(self):
        mark = os.path.join(self.env.root, "helper-ran")
        path = self.env.script("recorder", f"#!/bin/sh\ntouch {mark}\nexit 1\n")
        return path, mark

    def test_registered_user_starts_no_helper(self):
        code, out = self.env.run("alice", "1", "", "201-555-0123", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.env.helper, mark = self.recorder()
        self.env.write()
        for _ in range(5):
            code, out = self.env.run("alice")
            self.assertResult(code, PAM_SUCCESS, out)
        self.assertFalse(os.path.exists(mark), "helper ran on the fast path")

    def test_expired_cache_asks_the_helper_and_refreshes(self):
        code, out = self.env.run("bob", "1", "", "201-555-0123", "1",
                                 "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        entry = os.path.join(self.env.cache, "bob")
        with open(entry, "w") as f:
            f.write(f"registered {int(time.time()) - 1}\n")
        code, out = self.env.run("bob")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        with open(entry) as f:
            self.assertGreater(int(f.read().split()[1]), time.time() + 3600)

    def test_forged_cache_entry_not_owned_by_root_is_ignored(self):
        os.makedirs(self.env.cache, mode=0o700, exist_ok=True)
        entry = os.path.join(self.env.cache, "carol")
        with open(entry, "w") as f:
            f.write(f"registered {int(time.time()) + 9999}\n")
        os.chown(entry, 65534, 65534)
        code, out = self.env.run("carol")  # no answers: cannot prompt
        self.assertEqual(code, 6, out)
        self.assertIn("cannot ask questions", out)


class SingleFlight(PamTestCase):
    """Logins of one user at the same time share one status check."""

    def slow_counting_helper(self, delay):
        """The real helper, started `delay` seconds late; counts its runs."""
        runs = os.path.join(self.env.root, "helper-runs")
        self.env.helper = self.env.script("slow-helper", f"""#!/bin/sh
echo run >> {runs}
sleep {delay}
exec {self.env.helper} "$@"
""")
        self.env.write()
        return lambda: (open(runs).read().count("run")
                        if os.path.exists(runs) else 0)

    def register(self, user, number):
        code, out = self.env.run(user, "1", "", number, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        os.unlink(os.path.join(self.env.cache, user))  # cold again

    def test_concurrent_cold_logins_of_one_user_check_once(self):
        self.register("dora", "201-555-0150")
        runs = self.slow_counting_helper(1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
            results = list(ex.map(lambda _: self.env.run("dora"), range(4)))
        for code, out in results:
            self.assertResult(code, PAM_SUCCESS, out)
            self.assertNotIn("PROMPT", out)
        self.assertEqual(runs(), 1, "the other three logins should have "
                         "waited for the first one's answer")

    def test_a_dialogue_does_not_hold_up_other_logins(self):
        """The lock goes once the helper talks to the user: a second login
        of an unregistered user gets its own dialogue while the first one
        still waits at its prompt."""
        runs = self.slow_counting_helper(0)
        done = {}

        def login(name, answers):
            done[name] = self.env.run("erin", *answers)
            done[name + "-at"] = time.monotonic()

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            first = ex.submit(login, "first", ["@slow:8:q"])
            while runs() < 1:
                time.sleep(0.05)
            time.sleep(0.5)  # the first one is at its prompt by now
            second = ex.submit(login, "second", ["q"])
            second.result()
            self.assertFalse(first.done(), "the second login waited for the "
                             "first one's dialogue")
            first.result()
        self.assertEqual(runs(), 2)
        for name in ("first", "second"):
            code, out = done[name]
            self.assertResult(code, 6, out)  # both quit: PAM_PERM_DENIED


class Concurrency(PamTestCase):

    def test_parallel_registrations_lose_no_update(self):
        jobs = []
        for i in range(20):
            jobs.append((f"user{i:02d}", ["1", "", f"201-555-01{i:02d}", "1",
                                          f"@code:+120155501{i:02d}", "n"]))
        for i in range(5):  # the same user, from five logins at once
            num = f"201-555-02{i:02d}"
            e164 = f"+120155502{i:02d}"
            if i % 2 == 0:
                answers = ["1", "", num, "1", f"@code:{e164}", "n"]
            else:
                answers = ["2", "", num, "1", f"@code:{e164}", "n"]
            jobs.append(("shared", answers))
        with concurrent.futures.ThreadPoolExecutor(max_workers=25) as ex:
            results = list(ex.map(lambda j: self.env.run(j[0], *j[1]), jobs))
        for (user, _), (code, out) in zip(jobs, results):
            self.assertResult(code, PAM_SUCCESS, out)
        users_dir = os.path.join(self.env.state, "users")
        names = sorted(os.listdir(users_dir))
        self.assertEqual(len(names), 21, names)  # no temp files left behind
        for n in names:
            with open(os.path.join(users_dir, n)) as f:
                rec = json.load(f)
            self.assertTrue(rec["methods"])
        # A shared login that started after another one finished finds the
        # user registered and asks nothing; every one that verified a phone
        # must find its method in the record (no lost update).
        shared_runs = [(ans, out) for (u, ans), (_, out) in zip(jobs, results)
                       if u == "shared"]
        verified = {("office" if ans[0] == "2" else "mobile")
                    for ans, out in shared_runs if "Thanks!" in out}
        self.assertTrue(verified)
        shared = self.env.record("shared")
        self.assertEqual({m["type"] for m in shared["methods"]}, verified)
        sent = 20 + sum(1 for _, out in shared_runs if "We texted" in out
                        or "We are calling" in out)
        self.assertEqual(len(self.env.outbox_lines()), sent)

if __name__ == "__main__":
    main()
