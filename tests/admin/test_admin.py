# This file is long because it is one table of sspr-admin commands run on
# state left by real logins.
"""sspr-admin on state left by real registrations (real libpam, module and
helper): status, show, list, export, reset and check, their exit codes and
outputs; check agrees with what the module then really returns."""
import hashlib
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pam"))
from harness import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_PERM_DENIED,  # noqa
                     PAM_SUCCESS, PamTestCase, SOURCE_DIR, TEST_HELPER_USER,
                     main)

ADMIN = os.environ.get("SSPR_ADMIN", "")

US = "201-555-0123"
US_E164 = "+12015550123"
US2 = "201-555-0177"
GB_OFFICE = "020 7946 0000"
# National significant numbers: none may ever appear in a masked output.
FULL_NUMBERS = ("2015550123", "2015550177", "2079460000")

PAM_CODES = {"PAM_SUCCESS": PAM_SUCCESS, "PAM_IGNORE": PAM_IGNORE,
             "PAM_PERM_DENIED": PAM_PERM_DENIED,
             "PAM_AUTHINFO_UNAVAIL": PAM_AUTHINFO_UNAVAIL}


def passwd_names(env):
    """Every account of the Env's passwd (nss_wrapper serves it)."""
    with open(env.passwd) as f:
        return [line.split(":", 1)[0] for line in f if line.strip()]


class Admin(PamTestCase):

    def admin(self, *args, stdin="", conf=True, user=None, program=ADMIN):
        cmd = [program] + (["--conf", self.env.conf_path] if conf else [])
        cmd += list(args)
        kw = {}
        if user is not None:
            kw["preexec_fn"] = lambda: (os.setgroups([]), os.setgid(user),
                                        os.setuid(user))
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                           timeout=60, env=self.env.command_env(), **kw)
        self.assertNoFullNumber(p.stdout + p.stderr, args)
        return p.returncode, p.stdout, p.stderr

    def assertNoFullNumber(self, text, args):
        if args and args[0] == "export":
            return  # the one command that exports the records as they are
        for line in text.splitlines():
            digits = re.sub(r"\D", "", line)
            for n in FULL_NUMBERS:
                self.assertNotIn(n, digits, f"{args}: full number in {line!r}")

    def register(self, user, number=US, backup=None):
        answers = ["1", "", number, "1", "@code"]
        answers += ["y", "1", "GB", backup, "1", "@code"] if backup else ["n"]
        code, out = self.env.run(user, *answers)
        self.assertResult(code, PAM_SUCCESS, out)

    def check(self, user, *extra):
        rc, out, err = self.admin("check", user, "--json", *extra)
        self.assertEqual(err, "")
        d = json.loads(out)
        self.assertEqual(d["exit"], rc)
        return rc, d

    def assertAgrees(self, user, want_rc, want_result, step):
        """check's verdict, then a real login (no answers) gives it."""
        rc, d = self.check(user)
        self.assertEqual((rc, d["decision"]["result"], d["decision"]["step"]),
                         (want_rc, want_result, step), d)
        code, out = self.env.run(user)
        self.assertEqual(code, PAM_CODES[want_result],
                         f"check said {want_result}; login:\n{out}")
        return d

    # -- read-only commands -------------------------------------------------

    def test_status_show_list_and_export_report_the_store(self):
        self.register("alice")
        self.register("bob", US2, backup=GB_OFFICE)

        rc, out, err = self.admin("status", "alice")
        self.assertEqual(rc, 0, err)
        self.assertIn("status:   registered (1 of 1 required method(s))", out)
        self.assertIn("methods:  mobile", out)
        self.assertRegex(out, r"cache:    fresh, until \d{4}-\d\d-\d\d ")
        rc, out, _ = self.admin("status", "carol")
        self.assertEqual(rc, 1)
        self.assertIn("unregistered (no record)", out)
        self.assertIn("cache:    missing", out)
        rc, out, _ = self.admin("--json", "status", "bob")
        self.assertEqual(rc, 0)
        st = json.loads(out)
        self.assertEqual((st["state"], st["methods"], st["cache"]),
                         ("registered", ["mobile", "office"], "fresh"))
        self.assertGreater(st["cache_expires"], time.time())

        rc, out, _ = self.admin("show", "bob")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"method:   mobile  \+1 \S+77  verified \d{4}-")
        self.assertRegex(out, r"method:   office  \+44 [^\n]+00  verified \d{4}-")
        self.assertIn("•", out)
        rc, out, _ = self.admin("show", "bob", "--json")
        shown = json.loads(out)
        self.assertEqual([m["type"] for m in shown["methods"]],
                         ["mobile", "office"])
        self.assertTrue(all("•" in m["value_masked"] for m in shown["methods"]))
        self.assertNotIn("value", shown["methods"][0])
        rc, out, _ = self.admin("show", "carol")
        self.assertEqual(rc, 1)
        self.assertIn("unregistered (no record)", out)

        rc, out, err = self.admin("list")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines(), ["alice registered mobile",
                                            "bob registered mobile,office"])
        rc, out, _ = self.admin("list", "--json")
        self.assertEqual([u["user"] for u in json.loads(out)["users"]],
                         ["alice", "bob"])
        rc, out, _ = self.admin("list", "--unregistered")
        self.assertEqual(rc, 0)
        listed = set()
        for line in out.splitlines():
            name, rest = line.split(" ", 1)
            self.assertEqual(rest, "unregistered -", line)
            listed.add(name)
        # Every person but the two registered ones; no root, no system
        # account, no nobody.
        people = set(passwd_names(self.env)) - {
            "root", "daemon", "www-data", "nobody"}
        self.assertEqual(listed, people - {"alice", "bob"})

        rc, out, err = self.admin("export")
        self.assertEqual((rc, err), (0, ""))
        ex = json.loads(out)
        self.assertEqual(ex["format"], "pam_sspr-export")
        self.assertEqual(ex["records"],
                         [self.env.record("alice"), self.env.record("bob")])

    def test_show_gives_the_last_reset_at_the_login_prompt(self):
        self.register("alice")
        rc, out, _ = self.admin("show", "alice")
        self.assertIn("reset:    never", out)
        self.assertIsNone(json.loads(self.admin("show", "alice", "--json")[1])
                          ["last_reset"])
        # What the helper's reset limits keep (helper/store/reset_limit.h).
        folder = os.path.join(self.env.state, "reset")
        os.makedirs(folder, mode=0o700)
        with open(os.path.join(folder, "alice"), "w") as f:
            f.write("reset 1800000000\nfail 1799999000\nlast 1800000000\n")
        rc, out, _ = self.admin("show", "alice")
        self.assertEqual(rc, 0)
        self.assertIn("reset:    last 2027-01-15 08:00", out)
        self.assertEqual(json.loads(self.admin("show", "alice", "--json")[1])
                         ["last_reset"], 1800000000)
        with open(os.path.join(folder, "alice"), "w") as f:
            f.write("garbage\n")
        rc, out, _ = self.admin("show", "alice")
        self.assertIn("reset:    unknown (reset state line 1: malformed)", out)

    def test_show_masks_email_and_questions(self):
        self.env.set(methods="email, questions", methods_required=2)
        code, out = self.env.run(
            "rosa", "1", "Rosa.P@Example.ORG", "1", "@code:Rosa.P@example.org",
            "1", "3", "Brighton", "1", "Leeds", "1", "Ada", "")
        self.assertResult(code, PAM_SUCCESS, out)
        for args in (["show", "rosa"], ["show", "rosa", "--json"],
                     ["check", "rosa"], ["check", "rosa", "--json"]):
            rc, out, err = self.admin(*args)
            self.assertEqual(rc, 0, err)
            self.assertIn("R•••@example.org", out)
            self.assertIn("3 questions", out)
            for secret in ("Rosa.P", "$y$", "Brighton", "Leeds"):
                self.assertNotIn(secret, out)
        rc, out, _ = self.admin("export")
        self.assertEqual(json.loads(out)["records"], [self.env.record("rosa")])

    def test_with_two_methods_required_one_is_incomplete(self):
        self.register("alice")
        self.register("bob", US2, backup=GB_OFFICE)
        self.env.set(methods_required=2)
        rc, out, _ = self.admin("status", "alice")
        self.assertEqual(rc, 1)
        self.assertIn("incomplete (1 of 2 required method(s))", out)
        self.assertEqual(self.admin("status", "bob")[0], 0)
        self.assertEqual(self.admin("show", "alice")[0], 1)
        rc, out, _ = self.admin("list", "--unregistered", "--json")
        users = json.loads(out)["users"]
        self.assertIn({"user": "alice", "state": "incomplete",
                       "methods": ["mobile"]}, users)
        self.assertNotIn("bob", [u["user"] for u in users])
        # Out of scope: never listed as still to register.
        self.env.set(exempt_users="alice")
        rc, out, _ = self.admin("list", "--unregistered")
        self.assertNotIn("alice", out)

    def test_a_damaged_store_is_reported_and_skipped(self):
        self.register("alice")
        users = os.path.join(self.env.state, "users")
        with open(os.path.join(users, "carol.json"), "w") as f:
            f.write("{not json")
        rc, out, err = self.admin("status", "carol")
        self.assertEqual(rc, 4)
        self.assertIn("invalid JSON", err)
        rc, out, err = self.admin("list")
        self.assertEqual(rc, 4)
        self.assertEqual(out, "alice registered mobile\n")
        self.assertIn("skipped", err)
        self.assertIn("carol.json", err)
        rc, out, err = self.admin("export")
        self.assertEqual(rc, 4)
        self.assertEqual(len(json.loads(out)["records"]), 1)
        # The helper cannot read carol's record either: failmode decides.
        d = self.assertAgrees("carol", 4, "PAM_IGNORE", "backend")
        self.assertIn("invalid JSON", d["backend"]["error"])
        # A symlink in place of users/ is refused, not followed.
        os.rename(users, users + ".real")
        os.symlink(users + ".real", users)
        rc, out, err = self.admin("list")
        self.assertEqual(rc, 4)
        self.assertIn("symlink", err)
        rc, out, err = self.admin("status", "alice")
        self.assertEqual(rc, 4)

    # -- reset --------------------------------------------------------------

    def test_reset_then_login_prompts_again(self):
        self.register("alice")
        self.register("bob", US2)
        code, out = self.env.run("alice")  # cached: no prompt
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        cache = os.path.join(self.env.cache, "alice")
        rate = os.path.join(self.env.state, "rate", "user-alice.json")
        self.assertTrue(os.path.exists(cache) and os.path.exists(rate))

        for answer in ("n\n", "", "maybe\n"):
            rc, out, err = self.admin("reset", "alice", stdin=answer)
            self.assertEqual(rc, 1, err)
            self.assertIn("[y/N]", err)
            self.assertIn("nothing changed", err)
            self.assertIsNotNone(self.env.record("alice"))
            self.assertTrue(os.path.exists(cache))

        rc, out, err = self.admin("reset", "alice", stdin="y\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "alice: record removed, cache entry removed, "
                              "rate-limit state removed\n")
        self.assertIsNone(self.env.record("alice"))
        self.assertFalse(os.path.exists(cache))
        self.assertFalse(os.path.exists(rate))
        self.assertIsNotNone(self.env.record("bob"))
        self.assertTrue(os.path.exists(os.path.join(self.env.cache, "bob")))
        rc, out, _ = self.admin("reset", "alice", "--yes", "--json")
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out), {
            "user": "alice", "record_removed": False, "cache_removed": False,
            "rate_removed": False})
        self.assertEqual(self.admin("status", "alice")[0], 1)

        # The next login asks again, and registration works as before.
        code, out = self.env.run("alice", "1", "", US, "1", "@code", "n")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Don't lose access to your account", out)
        self.assertEqual(self.admin("status", "alice")[0], 0)

    def test_long_names_files_are_found_and_reset(self):
        # 256 bytes, 765 once escaped: the module, the helper and
        # sspr-admin all use the same hashed file name.
        for name in ("u" * 256, "\u20ac" * 85):
            self.register(name)
            safe = "+" + hashlib.sha256(name.encode()).hexdigest()
            self.assertEqual(self.admin("status", name)[0], 0)
            rc, out, err = self.admin("show", name)
            self.assertEqual(rc, 0, err)
            self.assertIn("mobile", out)
            cache = os.path.join(self.env.cache, safe)
            rate = os.path.join(self.env.state, "rate", f"user-{safe}.json")
            self.assertTrue(os.path.exists(cache) and os.path.exists(rate))
            rc, out, err = self.admin("reset", name, "--yes", "--json")
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(out), {
                "user": name, "record_removed": True, "cache_removed": True,
                "rate_removed": True})
            self.assertFalse(os.path.exists(cache) or os.path.exists(rate))
            self.assertEqual(self.admin("status", name)[0], 1)

    def test_reset_of_unknown_user_keeps_the_store_usable(self):
        self.register("alice")
        rc, out, err = self.admin("reset", "--yes", "dave")
        self.assertEqual(rc, 0, err)
        self.assertIn("dave: record (none)", out)
        # The lock root created belongs to the helper user, who takes it
        # when dave registers.
        lock = os.path.join(self.env.state, "locks", "dave.lock")
        self.assertEqual(os.stat(lock).st_uid,
                         pwd.getpwnam(TEST_HELPER_USER).pw_uid)
        self.register("dave", US2)
        self.assertEqual(self.admin("status", "dave")[0], 0)

    # -- check --------------------------------------------------------------

    def test_check_follows_the_module(self):
        self.register("alice")
        rc, out, err = self.admin("check", "alice")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("scope:     in scope", out)
        self.assertRegex(out, r"cache:     fresh, until ")
        self.assertRegex(out, r"backend:   local: registered, 1 of 1 required "
                              r"method\(s\): mobile \+1 ")
        self.assertIn("decision:  PAM_SUCCESS (cache)", out)
        self.assertAgrees("alice", 0, "PAM_SUCCESS", "cache")

        os.unlink(os.path.join(self.env.cache, "alice"))
        d = self.assertAgrees("alice", 0, "PAM_SUCCESS", "backend")
        self.assertEqual(d["cache"]["state"], "missing")
        self.assertEqual(d["backend"]["state"], "registered")
        with open(os.path.join(self.env.cache, "alice"), "w") as f:
            f.write(f"registered {int(time.time()) - 5}\n")
        rc, d = self.check("alice")
        self.assertEqual(d["cache"]["state"], "expired")
        self.assertEqual(d["decision"]["step"], "backend")

        # Not registered, in each mode.
        rc, out, _ = self.admin("check", "carol")
        self.assertEqual(rc, 1)
        self.assertIn("backend:   local: unregistered, 0 of 1", out)
        self.assertIn("decision:  dialogue (mode): ", out)
        self.env.set(mode="block")
        self.assertAgrees("carol", 1, "PAM_PERM_DENIED", "mode")
        self.env.set(mode="warn")
        self.assertAgrees("carol", 1, "PAM_SUCCESS", "mode")
        self.env.set(mode="register")
        # Module arguments win over the file, as in pam.d.
        rc, d = self.check("carol", "--arg", "mode=block")
        self.assertEqual(d["decision"]["result"], "PAM_PERM_DENIED")
        self.assertEqual(d["config"]["mode"], "block")

        # Scope.
        self.env.set(exempt_users="carol, root")
        d = self.assertAgrees("carol", 5, "PAM_IGNORE", "scope")
        self.assertEqual(d["scope"]["reason"], "exempt user")
        self.assertFalse(d["backend"]["asked"])
        self.env.set(exempt_users="", groups="root")
        self.assertAgrees("carol", 5, "PAM_IGNORE", "scope")

    def test_check_follows_the_service_scope(self):
        self.register("alice")
        self.env.set(skip_services="sudo", skip_rhosts="10.9.0.0/16")
        rc, out, _ = self.admin("check", "alice")
        self.assertEqual(rc, 0)
        self.assertIn("not checked: give --service and --rhost", out)
        rc, d = self.check("alice", "--service", "sudo")
        self.assertEqual((rc, d["decision"]["result"]), (5, "PAM_IGNORE"))
        self.assertIn("skip_services", d["scope"]["reason"])
        rc, d = self.check("alice", "--service", "sshd", "--rhost", "10.9.8.7")
        self.assertEqual(rc, 5)
        self.assertIn("skip_rhosts", d["scope"]["reason"])
        rc, d = self.check("alice", "--service", "sshd", "--rhost", "10.8.8.7")
        self.assertEqual((rc, d["decision"]["step"]), (0, "cache"))

    def test_check_reports_later_and_reconfirmation(self):
        self.env.set(snooze_max=1)
        rc, out, _ = self.admin("check", "carol")
        self.assertEqual(rc, 1)
        self.assertIn("The menu offers 'later'", out)
        code, out = self.env.run("carol", "l")
        self.assertResult(code, PAM_SUCCESS, out)
        d = self.assertAgrees("carol", 1, "PAM_SUCCESS", "later")
        self.assertEqual(d["policy"]["snoozes"], 1)
        self.assertIsNotNone(d["policy"]["next_reminder"])

        # Reconfirmation: alice's method was verified 200 days ago.
        self.register("alice")
        self.env.set(reconfirm_days=180)
        path = os.path.join(self.env.state, "users", "alice.json")
        rec = self.env.record("alice")
        rec["methods"][0]["verified_at"] -= 200 * 86400
        with open(path, "w") as f:  # in place: owner and mode stay
            json.dump(rec, f)
        policy = os.path.join(self.env.state, "policy", "alice")
        if os.path.exists(policy):  # registering counts as confirming
            with open(policy) as f:
                text = f.read()
            old = int(re.search(r"confirmed_at (\d+)", text).group(1))
            with open(policy, "w") as f:
                f.write(text.replace(f"confirmed_at {old}",
                                     f"confirmed_at {old - 200 * 86400}"))
        os.unlink(os.path.join(self.env.cache, "alice"))
        rc, out, _ = self.admin("check", "alice")
        self.assertEqual(rc, 0)
        self.assertIn("policy:    reconfirmation due since ", out)
        self.assertIn("decision:  dialogue (reconfirm)", out)
        # A login that cannot prompt still lets a registered user in.
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)

    def test_check_reports_an_unavailable_backend(self):
        self.register("alice")
        os.unlink(os.path.join(self.env.cache, "alice"))
        self.env.set(helper_user="no-such-user-sspr")
        d = self.assertAgrees("alice", 4, "PAM_IGNORE", "backend")
        self.assertIn("no-such-user-sspr", d["backend"]["error"])
        self.env.set(failmode="secure")
        rc, out, _ = self.admin("check", "alice")
        self.assertEqual(rc, 4)
        self.assertIn("decision:  PAM_AUTHINFO_UNAVAIL (backend): ", out)
        self.assertIn("failmode=secure", out)
        self.assertAgrees("alice", 4, "PAM_AUTHINFO_UNAVAIL", "backend")
        # A fresh cache entry still lets alice in: the module asks nobody.
        self.env.set(helper_user=TEST_HELPER_USER)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.env.set(helper_user="no-such-user-sspr")
        rc, out, _ = self.admin("check", "alice")
        self.assertEqual(rc, 0)
        self.assertIn("decision:  PAM_SUCCESS (cache)", out)
        self.assertIn("note:      the backend disagrees", out)

    def test_check_says_a_deleted_state_dir_is_missing_and_nothing_recreates_it(self):
        self.register("alice")
        os.unlink(os.path.join(self.env.cache, "alice"))
        shutil.rmtree(self.env.state)
        d = self.assertAgrees("alice", 4, "PAM_IGNORE", "backend")
        self.assertIn(f"state_dir {self.env.state} does not exist",
                      d["backend"]["error"])
        rc, out, _ = self.admin("check", "alice")
        self.assertEqual(rc, 4)
        self.assertIn("is not re-created empty", out)
        # Neither the login nor check made an empty store in its place.
        self.assertFalse(os.path.exists(self.env.state))
        self.env.make_state_dir()  # what the admin is told to do
        rc, d = self.check("alice")
        self.assertEqual((rc, d["backend"]["state"]), (1, "unregistered"))

    def test_config_errors_are_reported_with_their_decision(self):
        os.chmod(self.env.conf_path, 0o666)
        for cmd in (["status", "alice"], ["list"], ["export"],
                    ["reset", "--yes", "alice"]):
            rc, out, err = self.admin(*cmd)
            self.assertEqual((rc, out), (3, ""), cmd)
            self.assertIn("must be owned by root and not writable", err)
        rc, out, err = self.admin("check", "alice")
        self.assertEqual(rc, 3)
        self.assertIn("config:    error: ", out)
        self.assertIn("decision:  PAM_IGNORE (config)", out)
        rc, d = self.check("alice", "--arg", "failmode=secure")
        self.assertEqual(d["decision"]["result"], "PAM_AUTHINFO_UNAVAIL")
        os.chmod(self.env.conf_path, 0o644)
        self.env.set(frobnicate=1)
        rc, out, err = self.admin("status", "alice")
        self.assertEqual(rc, 3)
        self.assertIn("unknown key 'frobnicate'", err)
        del self.env.conf["frobnicate"]
        self.env.write()
        rc, _, err = self.admin("--conf", self.env.root + "/none.conf",
                                "status", "alice", conf=False)
        self.assertEqual(rc, 3)
        self.assertIn("none.conf", err)
        rc, _, err = self.admin("status", "alice", "--arg", "mode=loud")
        self.assertEqual(rc, 3)
        # Another backend: the store commands refuse, check explains.
        self.env.set(backend="rest")
        rc, _, err = self.admin("status", "alice")
        self.assertEqual(rc, 3)
        if "configuration error" not in err:  # rest may need more keys
            self.assertIn("use 'sspr-admin check USER'", err)
        rc, d = self.check("alice")
        self.assertIn(rc, (3, 4))

    # -- who is checked ------------------------------------------------------

    def test_list_unregistered_is_exactly_who_the_module_checks(self):
        self.register("alice")
        self.env.set(exempt_users="carol", exempt_groups="sspr-admins")
        for extra in ({}, {"check_root": "yes", "min_uid": "30"}):
            self.env.set(**extra)
            rc, out, err = self.admin("list", "--unregistered")
            self.assertEqual((rc, err), (0, ""))
            listed = {line.split(" ", 1)[0] for line in out.splitlines()}
            checked = set()
            for user in passwd_names(self.env):
                code, text = self.env.run(user)  # no answers
                if user == "alice":  # registered: checked, and let in
                    self.assertEqual(code, PAM_SUCCESS, text)
                    checked.add(user)
                elif code == PAM_PERM_DENIED and "PROMPT:" in text:
                    checked.add(user)
                else:
                    self.assertEqual(code, PAM_IGNORE, f"{user}: {text}")
            self.assertEqual(listed, checked - {"alice"}, extra)
            self.assertNotIn("carol", listed)
            self.assertNotIn("dave", listed)  # in sspr-admins
            self.assertNotIn("nobody", listed)
            self.assertEqual("root" in listed, bool(extra))
            self.assertEqual("www-data" in listed, bool(extra))  # uid 33

    # -- check-config ---------------------------------------------------------

    def test_check_config_lists_every_error_as_file_line(self):
        rc, out, err = self.admin("check-config")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, f"{self.env.conf_path}: OK\n")
        with open(self.env.conf_path, "a") as f:
            f.write("mdoe = block\nfailmode = secure  # deny\n"
                    "cache_ttl = 1h\nexempt_users = carol, a=b\n")
        n = len(open(self.env.conf_path).read().splitlines())
        p = self.env.conf_path
        rc, out, _ = self.admin("check-config")
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            f"{p}:{n - 3}: unknown key 'mdoe'",
            f"{p}:{n - 1}: 'cache_ttl' wants a whole number from 0 to "
            "2592000, not '1h'",
            f"{p}:{n}: 'exempt_users' has an invalid name 'a=b'",
            f"{p}: 3 error(s)"])
        # FILE instead of --conf; a module argument is checked too.
        rc, out, _ = self.admin("check-config", p, "--arg", "mode=deny",
                                conf=False)
        self.assertEqual(rc, 1)
        self.assertIn("module argument: 'mode' must be register, block or "
                      "warn, not 'deny'", out)
        self.assertIn(f"{p}: 4 error(s)", out)
        # The owner and mode are checked as the module checks them.
        os.chmod(p, 0o666)
        rc, out, _ = self.admin("check-config", p, conf=False)
        self.assertEqual(rc, 1)
        self.assertIn("must be owned by root and not writable", out)
        rc, out, _ = self.admin("check-config", "/nonexistent/x.conf",
                                conf=False)
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent/x.conf: No such file or directory", out)

    def test_readme_example_configs_pass_check_config(self):
        readme = os.path.join(SOURCE_DIR, "README.md")
        with open(readme) as f:
            text = f.read()
        blocks = re.findall(r"^```\n(.*?)^```$", text, re.M | re.S)
        configs = []
        for b in blocks:
            lines = [x for x in b.splitlines()
                     if x.strip() and not x.lstrip().startswith("#")]
            if lines and all(re.match(r"[a-z_]+ = ", x) for x in lines):
                configs.append(b)
        self.assertGreaterEqual(len(configs), 2, "no config block found")
        self.assertTrue(any("  # " in b for b in configs),
                        "no end-of-line comment in the README's examples")
        for i, b in enumerate(configs):
            path = os.path.join(self.env.root, f"readme-{i}.conf")
            with open(path, "w") as f:
                f.write(b)  # pasted as it is
            os.chmod(path, 0o644)
            rc, out, err = self.admin("check-config", path, conf=False)
            self.assertEqual((rc, err), (0, ""), f"{out}\nblock:\n{b}")

    def test_usage_errors_and_callers_without_root_are_refused(self):
        rc, out, err = self.admin(conf=False)
        self.assertEqual(rc, 2)
        self.assertIn("usage: sspr-admin", err)
        for bad in (["frob"], ["status"], ["list", "x"], ["status", "a", "-q"],
                    ["show", "a", "--yes"]):
            self.assertEqual(self.admin(*bad)[0], 2, bad)
        rc, out, _ = self.admin("--help", conf=False)
        self.assertEqual(rc, 0)
        self.assertIn("check USER", out)
        nobody = pwd.getpwnam(TEST_HELPER_USER).pw_uid
        # A copy nobody can reach: the build dir may be under /root (0700).
        reachable = os.path.join(self.env.root, "sspr-admin")
        shutil.copy2(ADMIN, reachable)
        os.chmod(reachable, 0o755)
        rc, out, err = self.admin("status", "alice", user=nobody,
                                  program=reachable)
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("must be run as root", err)


if __name__ == "__main__":
    if not ADMIN or not os.path.exists(ADMIN):
        print("FAIL: SSPR_ADMIN is not set to a built sspr-admin (run via "
              "ctest)")
        sys.exit(1)
    main()
