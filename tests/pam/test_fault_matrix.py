# This file is long because it is one matrix of faults, each with the same
# checks afterwards.
"""Fault-injection matrix with real processes (real libpam, module, helper):

1. the helper SIGKILLed at every prompt of a full phone registration (new
   user) and of a re-registration at reconfirmation (user with a record),
   while its code is being sent (a `command:` delivery that blocks) and
   while it waits for the user's store lock to write the record;
2. state_dir full (a 64 KiB tmpfs) and read-only (a read-only bind mount);
3. the helper's wall clock jumped forward and back (libfaketime) between a
   code being sent and entered, and across a rate-limit lockout.

Each case asserts: the documented PAM result (a helper that dies counts as
`unavailable`: failmode safe -> PAM_IGNORE, secure -> PAM_AUTHINFO_UNAVAIL),
the login ends within a generous bound tied to helper_timeout, no child is
left (the driver's "CHILDREN: none") and no helper of this env is alive,
and every stored file parses and each record or policy file is either the
old one or the new one, never a mix. Per-case wall times are printed."""
import concurrent.futures
import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest

from harness import (FAKETIME_ENV, HELPER, PAM_AUTHINFO_UNAVAIL, PAM_IGNORE,
                     PAM_PERM_DENIED, PAM_SUCCESS, PAM_TRY_AGAIN, PAMTEST,
                     TEST_HELPER_USER, Env, main)

US = "201-555-0123"
US_E164 = "+12015550123"
NEW = "201-555-0188"
NEW_E164 = "+12015550188"
HELPER_TIMEOUT = 10
# Generous: a killed helper is seen at once (EOF); the module never waits
# more than helper_timeout for a frame. Never a tight timing assert.
BOUND = HELPER_TIMEOUT + 20
# Generous too, for what ends by a signal after the login returned (the
# helper's launcher, the delivery command it kills); below the delivery
# command's own run time in kill_while_sending, so only the signal path
# can end them in time.
LAUNCHER_BOUND = 30
WANT = {"safe": PAM_IGNORE, "secure": PAM_AUTHINFO_UNAVAIL}
UNAVAILABLE_TEXT = "Password-reset registration is not available right now."
DAY = 86400
TIMES = []  # (case, seconds), printed at the end


def nobody():
    import pwd
    pw = pwd.getpwnam(TEST_HELPER_USER)
    return pw.pw_uid, pw.pw_gid


def make_env(conf=None, fake_clock=None):
    """An Env whose helper carries SSPR_FAULT_ENV=<root> in its environment
    (a wrapper that execs it: same pid), so a helper left behind can be
    found by env, and optionally runs under libfaketime."""
    c = {"helper_timeout": str(HELPER_TIMEOUT), "cache_ttl": "0"}
    c.update(conf or {})
    env = Env(conf=c)
    extra = ""
    if fake_clock is not None:
        env.clock_file = os.path.join(env.root, "faketime")
        env.set_clock(fake_clock)
        extra = FAKETIME_ENV.format(file=env.clock_file) + " "
    env.helper = env.script(
        "helper-marked", "#!/bin/sh\nexec /usr/bin/env -i "
        f"SSPR_FAULT_ENV={env.root} {extra}{HELPER} \"$@\"\n")
    env.write()
    return env


def proc_stat(pid):
    """(state, ppid) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1])


def pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def children(ppid):
    out = []
    for pid in pids():
        st = proc_stat(pid)
        if st and st[1] == ppid and st[0] != "Z":
            out.append(pid)
    return out


def leads_session(pid):
    """Whether a process leads its session (the helper, after the spawn's
    setsid); False once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return False
    return int(s[s.rindex(")") + 2:].split()[3]) == pid


def helpers_of(env):
    """Live processes with this env's mark in their environment."""
    mark = f"SSPR_FAULT_ENV={env.root}".encode()
    found = []
    for pid in pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if mark in f.read().split(b"\0"):
                    found.append(pid)
        except OSError:
            pass
    return found


def drive(env, user, answers, during=None, timeout=120):
    """Runs the driver; `during(proc)` runs while it does (kills, fills).
    Returns (PAM code, transcript, wall seconds)."""
    cmd = [PAMTEST, "--confdir", env.confdir, "--service", env.service,
           "--user", user, "--outbox", env.outbox, *answers]
    t0 = time.monotonic()
    env.ensure_person(user)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         env=env.command_env(), stdin=subprocess.DEVNULL)
    try:
        if during is not None:
            during(p)
        out, _ = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    took = time.monotonic() - t0
    code = PAM_IGNORE if p.returncode == PAM_TRY_AGAIN else p.returncode
    return code, out, took


def wait_for(pred, what, limit=20.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def snapshot(state):
    """Record and policy files ({relpath: parsed JSON or text}), whether
    every JSON state file parses, and any temp file left behind. Rate files
    must parse but may legitimately change (a send is counted)."""
    files, temps = {}, []
    for sub in ("users", "policy", "rate"):
        d = os.path.join(state, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if ".tmp-" in name:
                temps.append(f"{sub}/{name}")
                continue
            if not os.path.isfile(path) or name.endswith(".lock"):
                continue
            with open(path) as f:
                text = f.read()
            if name.endswith(".json"):
                value = json.loads(text)  # raises on a torn file
            else:
                value = text
            if sub != "rate":
                files[f"{sub}/{name}"] = value
    return files, temps


def strip_times(v):
    if isinstance(v, dict):
        return {k: strip_times(x) for k, x in v.items()
                if not k.endswith("_at")}
    if isinstance(v, list):
        return [strip_times(x) for x in v]
    if isinstance(v, str) and "confirmed_at" in v:  # policy text
        return "\n".join(l for l in v.splitlines()
                         if not l.startswith("confirmed_at"))
    return v


def old_or_new(before, after_ref, now):
    """{file: "old" | "new"}; raises if a file is neither."""
    verdict = {}
    for key in sorted(set(before) | set(after_ref) | set(now)):
        cur = now.get(key)
        if cur == before.get(key):
            verdict[key] = "old"
        elif key in after_ref and cur is not None and \
                strip_times(cur) == strip_times(after_ref[key]):
            verdict[key] = "new"
        else:
            raise AssertionError(
                f"{key} is neither the old nor the new state:\n"
                f"old={before.get(key)!r}\nnew={after_ref.get(key)!r}\n"
                f"now={cur!r}")
    return verdict


def copy_state(src, dst):
    subprocess.run(["cp", "-a", src, dst], check=True)


# The prompts of a full phone registration, a substring of each, and the
# answer that goes on; `saved` is the first step at which the record is the
# new one (the code was accepted and written), `confirmed` the same for the
# policy file (written when the dialogue is done).
NEW_USER_FLOW = [
    ("method menu", "Choose a method", "1"),
    ("region", "Country or region", ""),
    ("number", "Phone number (US)", US),
    ("text/call", "1) Text me", "1"),
    ("code", "Enter the code", "@code"),
    ("backup", "Add a backup method", "n"),
    ("closing", "Press Enter", ""),
]
NEW_USER_SAVED, NEW_USER_CONFIRMED = 5, 6

RECONFIRM_FLOW = [
    ("reconfirm menu", "still correct", "u"),
    ("proof menu", "prove that you still have", "1"),
    ("proof code", "Enter the code", "@code"),
    ("method menu", "Choose a method", "1"),
    ("region", "Country or region", ""),
    ("number", "Phone number (US)", NEW),
    ("text/call", "1) Text me", "1"),
    ("code", "Enter the code", "@code"),
    ("closing", "Press Enter", ""),
]
RECONFIRM_SAVED, RECONFIRM_CONFIRMED = 8, 8


T0 = 1800000000  # 2027-01-15 08:00 UTC: the helper's wall clock
CLOCK_CASES = {
    # Set back a year, the code typed after code_ttl (30 s) really passed:
    # expired (monotonic), not valid for a year more.
    "back 1 year, code late": (-365 * DAY, 31, ["q"]),
    # Set back, typed in time: still valid.
    "back 1 year, code in time": (-365 * DAY, 1, ["n", ""]),
    # Forward a day: the code has expired by the wall clock; a new one can
    # be asked for and works.
    "forward 1 day": (DAY, 1, ["r", "@code", "n", ""]),
}


class FaultMatrix(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # The clock-jump dialogues wait out code_ttl (30 s at least) in
        # real time: they run in the background while the other tests do.
        cls.pool = concurrent.futures.ThreadPoolExecutor(3)
        cls.clock_jobs = {k: cls.pool.submit(cls.clock_jump_case, *v)
                          for k, v in CLOCK_CASES.items()}
        # A user registered 400 days ago, due for reconfirmation
        # (reconfirm_days = 365): the "old" state of the re-registration.
        cls.template = make_env({"reconfirm_days": "365"})
        code, out, _ = drive(cls.template, "ru",
                             [a for _, _, a in NEW_USER_FLOW])
        assert code == PAM_SUCCESS, out
        cls.template.backdate("ru", 400 * DAY)
        os.remove(cls.template.outbox)

    @classmethod
    def tearDownClass(cls):
        cls.pool.shutdown()
        for job in cls.clock_jobs.values():
            job.result()[0].cleanup()
        cls.template.cleanup()
        print("\nper-case wall time (s):", file=sys.stderr)
        for name, took in TIMES:
            print(f"  {took:6.2f}  {name}", file=sys.stderr)

    def env_with_record(self, conf=None):
        env = make_env(dict({"reconfirm_days": "365"}, **(conf or {})))
        shutil.rmtree(env.state, ignore_errors=True)
        copy_state(self.template.state, env.state)
        return env

    def check_common(self, env, name, code, want, out, took, slack=0):
        TIMES.append((name, took))
        self.assertEqual(code, want, f"{name}: PAM code {code}, wanted "
                         f"{want}; transcript:\n{out}")
        self.assertIn("CHILDREN: none", out, f"{name}: a child left behind")
        self.assertLess(took, BOUND + slack, f"{name}: took {took:.1f} s")
        # The helper is the module's child (a session leader, spawn.cc's
        # setsid): reaped before the login returns. Its launcher
        # (helper/delivery/command_launcher.cc) is the helper's child: when
        # the helper is killed, the kernel sends it SIGTERM
        # (PR_SET_PDEATHSIG) and it ends when next scheduled, which on a
        # loaded machine may be after the login returned.
        self.assertEqual([p for p in helpers_of(env) if leads_session(p)],
                         [], f"{name}: a helper outlived the login")
        wait_for(lambda: not helpers_of(env),
                 f"{name}: the helper's launcher to end", limit=LAUNCHER_BOUND)

    # ---- 1. SIGKILL at every step -------------------------------------

    def kill_case(self, flow, user, step, failmode, with_record):
        """Runs `flow` with the helper killed at prompt `step` (None: no
        kill). Returns (env, code, out, took, before, after)."""
        env = (self.env_with_record if with_record else make_env)(
            {"failmode": failmode})
        before, _ = snapshot(env.state)
        answers = [a for _, _, a in flow]
        if step is not None:
            answers = answers[:step] + ["@killhelper"]
        code, out, took = drive(env, user, answers)
        after, temps = snapshot(env.state)
        # The next login, by an application that cannot prompt: what was
        # saved before the kill counts, nothing else.
        next_login = drive(env, user, [])
        return env, code, out, took, before, after, temps, next_login

    def run_kill_matrix(self, flow, user, with_record, saved, confirmed):
        record = f"users/{user}.json"
        policy = f"policy/{user}"
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            jobs[None] = pool.submit(self.kill_case, flow, user, None,
                                     "secure", with_record)
            for step in range(len(flow)):
                for failmode in ("safe", "secure"):
                    jobs[(step, failmode)] = pool.submit(
                        self.kill_case, flow, user, step, failmode,
                        with_record)
        # The uninterrupted run: the "new" state.
        env, code, out, took, before, ref, temps, _ = jobs.pop(None).result()
        kind = "re-registration" if with_record else "new user"
        try:
            self.check_common(env, f"{kind}: no kill", code, PAM_SUCCESS,
                              out, took)
            self.assertEqual(ref[record]["methods"][0]["value"],
                             NEW_E164 if with_record else US_E164)
        finally:
            env.cleanup()
        for (step, failmode), job in jobs.items():
            env, code, out, took, before, now, temps, nxt = job.result()
            name = f"{kind}: kill at {flow[step][0]} ({failmode})"
            with self.subTest(name):
                try:
                    self.check_common(env, name, code, WANT[failmode], out,
                                      took)
                    # Killed at the intended prompt, and only there.
                    prompts = [l for l in out.splitlines()
                               if l.startswith("PROMPT: ") or
                               l.startswith("KILLED: ")]
                    self.assertIn("KILLED: ", out, out)
                    last = out.split("KILLED: ")[0]
                    self.assertEqual(last.count("PROMPT: "), step + 1, out)
                    self.assertIn(flow[step][1],
                                  last.rsplit("PROMPT: ", 1)[1], out)
                    self.assertTrue(prompts, out)
                    v = old_or_new(before, ref, now)
                    self.assertEqual(v.get(record),
                                     "new" if step >= saved else "old", v)
                    if policy in ref:
                        self.assertEqual(
                            v.get(policy),
                            "new" if step >= confirmed else "old", v)
                    self.assertEqual(temps, [], "a temp file was left")
                    # A user with a record (old or new) passes; a new user
                    # whose code was not yet accepted is still asked.
                    want = (PAM_SUCCESS if with_record or step >= saved
                            else PAM_PERM_DENIED)
                    self.assertEqual(nxt[0], want, nxt[1])
                    self.assertIn("CHILDREN: none", nxt[1])
                    if step >= saved and step >= confirmed:
                        self.assertNotIn("PROMPT", nxt[1])
                finally:
                    env.cleanup()

    def test_a_kill_at_every_step_of_a_new_user_is_survived(self):
        self.run_kill_matrix(NEW_USER_FLOW, "nu", False, NEW_USER_SAVED,
                             NEW_USER_CONFIRMED)

    def test_a_kill_at_every_step_of_a_reregistration_is_survived(self):
        self.run_kill_matrix(RECONFIRM_FLOW, "ru", True, RECONFIRM_SAVED,
                             RECONFIRM_CONFIRMED)

    def kill_while_sending(self):
        """The helper SIGKILLed while its `command:` delivery runs (the
        command blocks). Returns a function listing the commands left."""
        env = self.env_with_record({"failmode": "secure"})
        self.addCleanup(env.cleanup)
        flag_dir = os.path.join(env.root, "flags")
        os.mkdir(flag_dir)
        os.chmod(flag_dir, 0o777)
        flag = os.path.join(flag_dir, "sending")
        mark = f"{60 + random.randrange(20)}.{random.randrange(10**6):06d}"
        send = env.script("send-blocks", f"#!/bin/sh\ntouch {flag}\n"
                          f"exec /bin/sleep {mark}\n")
        # The launcher's own timeout (delivery_timeout) longer than the
        # command and than LAUNCHER_BOUND: only the helper's death ends it.
        env.set(delivery="command:" + send, delivery_timeout="120")
        before, _ = snapshot(env.state)

        def left_senders():
            return subprocess.run(["pgrep", "-f", f"sleep {mark}"],
                                  capture_output=True,
                                  text=True).stdout.split()
        self.addCleanup(lambda: [os.kill(int(p), signal.SIGKILL)
                                 for p in left_senders()])

        def kill_when_sending(p):
            wait_for(lambda: os.path.exists(flag), "the delivery command")
            for pid in children(p.pid):
                os.kill(pid, signal.SIGKILL)

        answers = [a for _, _, a in RECONFIRM_FLOW][:7] + ["@code", ""]
        code, out, took = drive(env, "ru", answers,
                                during=kill_when_sending)
        self.check_common(env, "kill while the code is being sent (secure)",
                          code, PAM_AUTHINFO_UNAVAIL, out, took)
        now, temps = snapshot(env.state)
        self.assertEqual(old_or_new(before, {}, now)["users/ru.json"], "old")
        self.assertEqual(temps, [])
        return left_senders

    def test_a_kill_while_the_code_is_being_sent_leaves_nothing_behind(self):
        self.kill_while_sending()

    # The launcher (helper/delivery/command_launcher.cc) gets SIGTERM when the
    # helper dies and kills the running command's process group.
    def test_delivery_command_dies_with_the_helper(self):
        left_senders = self.kill_while_sending()
        wait_for(lambda: not left_senders(), "the delivery command to go",
                 limit=LAUNCHER_BOUND)

    def test_a_kill_while_waiting_to_write_keeps_the_old_record(self):
        # The test holds the user's store lock, so the helper is inside
        # UserStore::AddMethod (waiting up to 5 s to write) when killed.
        import fcntl
        for user, with_record in (("ru", True), ("nw", False)):
            env = self.env_with_record({"failmode": "safe"})
            self.addCleanup(env.cleanup)
            lock_path = os.path.join(env.state, "locks", user + ".lock")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            os.fchown(fd, *nobody())
            fcntl.flock(fd, fcntl.LOCK_EX)
            self.addCleanup(os.close, fd)
            before, _ = snapshot(env.state)

            def kill_in_add_method(p):
                def blocked_helper():
                    for pid in children(p.pid):
                        try:
                            fds = os.listdir(f"/proc/{pid}/fd")
                        except OSError:
                            continue
                        for n in fds:
                            try:
                                if os.readlink(f"/proc/{pid}/fd/{n}") == \
                                        lock_path:
                                    return pid
                            except OSError:
                                pass
                    return None
                pid = wait_for(blocked_helper, "the helper at the lock")
                os.kill(pid, signal.SIGKILL)

            flow = RECONFIRM_FLOW if with_record else NEW_USER_FLOW
            answers = [a for _, _, a in flow]
            code, out, took = drive(env, user, answers,
                                    during=kill_in_add_method)
            self.check_common(env, f"kill in AddMethod, {user} (safe)",
                              code, PAM_IGNORE, out, took)
            now, temps = snapshot(env.state)
            self.assertEqual(now, before)
            self.assertEqual(temps, [])

    def test_a_kill_in_the_middle_of_the_write_keeps_one_whole_record(self):
        # Best effort: inotify tells us the helper created its temp file in
        # users/ (during the write: fchmod, write, fsync, rename) and we
        # SIGKILL at once. Whether the kill lands before the rename or after
        # it, the record must be the old one or the new one.
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        in_create = 0x100

        def one(i):
            env = self.env_with_record({"failmode": "secure"})
            users = os.path.join(env.state, "users")
            ino = libc.inotify_init1(os.O_CLOEXEC)
            if ino < 0 or libc.inotify_add_watch(
                    ino, users.encode(), in_create) < 0:
                os.close(ino) if ino >= 0 else None
                env.cleanup()
                return None
            before, _ = snapshot(env.state)
            hit = []

            def kill_at_temp_file(p):
                # The whole login can take 30 ms: the helper is looked for
                # while waiting, never waited for; the kill goes out at
                # once when its temp file appears.
                import select
                helper = []
                while p.poll() is None:
                    if not helper:
                        helper = children(p.pid)
                    if not select.select([ino], [], [],
                                         0.05 if helper else 0)[0]:
                        continue
                    if b".tmp-" in os.read(ino, 4096):
                        hit.append(True)
                        for pid in helper or children(p.pid):
                            try:
                                os.kill(pid, signal.SIGKILL)
                            except ProcessLookupError:
                                pass  # it ended first: "late" below
                        return
                # The login ended first: its write happened all the same.
                if (select.select([ino], [], [], 0)[0] and
                        b".tmp-" in os.read(ino, 4096)):
                    hit.append(True)

            try:
                code, out, took = drive(
                    env, "ru", [a for _, _, a in RECONFIRM_FLOW],
                    during=kill_at_temp_file)
            finally:
                os.close(ino)
            now, temps = snapshot(env.state)
            # A temp file left by the kill goes with the next write of that
            # record once it is a minute old (aged here, not waited for).
            for t in temps:
                old = time.time() - 120
                os.utime(os.path.join(env.state, t), (old, old))
            again = drive(env, "ru", [a for _, _, a in RECONFIRM_FLOW])
            _, temps_after = snapshot(env.state)
            return (env, code, out, took, before, now, temps, bool(hit),
                    again, temps_after)

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(one, range(6)))
        if results[0] is None:
            self.skipTest("no inotify here")
        ref = {"users/ru.json": {"version": 1, "user": "ru", "methods": [
            {"type": "mobile", "value": NEW_E164}]}}
        seen = []
        for (env, code, out, took, before, now, temps, hit, again,
             temps_after) in results:
            try:
                self.assertEqual(again[0], PAM_SUCCESS, again[1])
                # A temp file goes with the next write of ITS record: the
                # user's record is written again by `again`; a policy temp
                # (a kill that landed after the record's rename, during the
                # policy write) stays until that user's next policy write.
                self.assertEqual(
                    [t for t in temps_after if t.startswith("users/")], [])
                self.assertTrue(hit, out)
                v = old_or_new({k: before[k] for k in ref}, ref,
                               {k: now[k] for k in ref})
                # On a slow machine the kill can land after the helper
                # answered: then the login succeeded with the new record.
                late = code == PAM_SUCCESS and v["users/ru.json"] == "new"
                self.check_common(env, "kill at the temp file (secure)",
                                  code, PAM_SUCCESS if late
                                  else PAM_AUTHINFO_UNAVAIL, out, took)
                seen.append((v["users/ru.json"], len(temps)))
            finally:
                env.cleanup()
        print(f"\nkill at the temp file: (record, temp files left) = "
              f"{seen}", file=sys.stderr)

    # ---- 2. state_dir full or read-only ------------------------------

    def mount_state(self, env, *how):
        """Mounts over env.state (which must exist); unmounted at cleanup,
        even on failure. Skips when mounting is not permitted."""
        os.makedirs(env.state, exist_ok=True)
        p = subprocess.run(["mount", *how, env.state],
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount here: " + p.stderr.strip())
        self.addCleanup(lambda: subprocess.run(
            ["umount", "-l", env.state], capture_output=True))

    def outbox_outside_state(self, env):
        d = os.path.join(env.root, "out")
        os.mkdir(d)
        os.chown(d, *nobody())
        env.outbox = os.path.join(d, "outbox.jsonl")
        env.set(delivery="outbox:" + env.outbox)

    def fill(self, directory):
        try:
            with open(os.path.join(directory, "filler"), "ab") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
                    os.fsync(f.fileno())
        except OSError:  # ENOSPC: full (maybe already at open)
            pass
        if os.path.exists(os.path.join(directory, "filler")):
            self.assertLess(shutil.disk_usage(directory).free, 4096)

    def test_a_full_state_dir_is_unavailable_and_changes_nothing(self):
        for failmode in ("safe", "secure"):
            env = make_env({"failmode": failmode})
            self.addCleanup(env.cleanup)
            self.outbox_outside_state(env)
            uid, gid = nobody()
            self.mount_state(env, "-t", "tmpfs", "-o",
                             f"size=64k,mode=0700,uid={uid},gid={gid}",
                             "tmpfs")
            code, out, _ = drive(env, "old", [a for _, _, a in NEW_USER_FLOW])
            self.assertEqual(code, PAM_SUCCESS, out)
            before, _ = snapshot(env.state)

            # a) Full from the start: counting the send fails already.
            self.fill(env.state)
            code, out, took = drive(env, "full1", ["1", "", NEW] + ["1"] * 4)
            self.check_common(env, f"state_dir full before ({failmode})",
                              code, WANT[failmode], out, took)
            self.assertIn(UNAVAILABLE_TEXT, out)
            now, temps = snapshot(env.state)
            self.assertEqual(now, before)
            self.assertEqual(temps, [])
            os.remove(os.path.join(env.state, "filler"))

            # b) Full between the code sent and the record written.
            sent = len(env.outbox_lines())

            def fill_once_sent(p):
                wait_for(lambda: len(env.outbox_lines()) > sent, "the code")
                self.fill(env.state)

            code, out, took = drive(
                env, "full2", ["1", "", NEW, "1", "@slow:2:@code", "n", ""],
                during=fill_once_sent)
            self.check_common(env, f"state_dir full at save ({failmode})",
                              code, WANT[failmode], out, took, slack=2)
            # The code was sent and entered; the write failed.
            self.assertIn("Enter the code", out)
            self.assertNotIn("could not be sent", out)
            self.assertIn(UNAVAILABLE_TEXT, out)
            now, temps = snapshot(env.state)
            self.assertEqual(now, before)
            self.assertEqual(temps, [])
            # The earlier user is still registered.
            os.remove(os.path.join(env.state, "filler"))
            code, out, _ = drive(env, "old", [])
            self.assertEqual(code, PAM_SUCCESS, out)

    def test_a_read_only_state_dir_is_unavailable_and_changes_nothing(self):
        for failmode in ("safe", "secure"):
            env = make_env({"failmode": failmode})
            self.addCleanup(env.cleanup)
            self.outbox_outside_state(env)
            code, out, _ = drive(env, "old", [a for _, _, a in NEW_USER_FLOW])
            self.assertEqual(code, PAM_SUCCESS, out)
            before, _ = snapshot(env.state)
            self.mount_state(env, "--bind", env.state)
            p = subprocess.run(["mount", "-o", "remount,bind,ro", env.state],
                               capture_output=True, text=True)
            if p.returncode != 0:
                self.skipTest("cannot remount read-only: " + p.stderr)
            code, out, took = drive(env, "ro1", ["1", "", NEW] + ["1"] * 4)
            self.check_common(env, f"state_dir read-only ({failmode})",
                              code, WANT[failmode], out, took)
            self.assertIn(UNAVAILABLE_TEXT, out)
            now, temps = snapshot(env.state)
            self.assertEqual(now, before)
            self.assertEqual(temps, [])
            # A registered user still passes: reading needs no writing.
            code, out, took = drive(env, "old", [])
            self.check_common(env, f"read-only, registered ({failmode})",
                              code, PAM_SUCCESS, out, took)

    # ---- 3. wall clock jumps -----------------------------------------

    @staticmethod
    def clock_jump_case(jump, wait, after_code):
        """Code sent at T0; while the driver holds the code prompt for
        `wait` s, the helper's wall clock moves by `jump` s."""
        env = make_env({"code_ttl": "30"}, fake_clock=T0)

        def jump_once_sent(p):
            wait_for(lambda: env.outbox_lines(), "the code")
            env.set_clock(T0 + jump)

        answers = ["1", "", US, "1", f"@slow:{wait}:@code", *after_code]
        code, out, took = drive(env, "cj", answers, during=jump_once_sent)
        return env, code, out, took

    def test_wall_clock_jumps_during_code_entry_expire_the_code(self):
        results = {k: j.result() for k, j in self.clock_jobs.items()}
        env, code, out, took = results["back 1 year, code late"]
        self.check_common(env, "clock back 1 y, code after ttl", code,
                          PAM_PERM_DENIED, out, took, slack=31)
        self.assertIn("That code has expired", out)
        self.assertIsNone(env.record("cj"))

        env, code, out, took = results["back 1 year, code in time"]
        self.check_common(env, "clock back 1 y, code in time", code,
                          PAM_SUCCESS, out, took)
        self.assertEqual(env.record("cj")["methods"][0]["value"], US_E164)

        env, code, out, took = results["forward 1 day"]
        self.check_common(env, "clock forward 1 day, resend", code,
                          PAM_SUCCESS, out, took)
        self.assertIn("That code has expired", out)
        self.assertEqual(len(env.outbox_lines()), 2)
        self.assertEqual(env.record("cj")["methods"][0]["value"], US_E164)

    def test_wall_clock_jumps_across_a_lockout_neither_free_nor_stretch_it(self):
        env = make_env({"rate_limit": "2", "rate_lockout": str(DAY)},
                       fake_clock=T0)
        self.addCleanup(env.cleanup)

        def utc(t):
            return datetime.datetime.fromtimestamp(
                t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

        def login(name, answers, want):
            code, out, took = drive(env, "rl", answers)
            self.check_common(env, name, code, want, out, took)
            return out

        out = login("rate: two sends, then locked", ["1", "", US, "1", "r",
                                                     "r"], PAM_PERM_DENIED)
        self.assertIn(f"after {utc(T0 + DAY)}", out)
        self.assertEqual(len(env.outbox_lines()), 2)

        # The clock set back a year: still locked (not freed early), but
        # for at most rate_lockout from now, not a year and a day.
        back = T0 - 365 * DAY
        env.set_clock(back)
        out = login("rate: clock back 1 y, still locked",
                    ["1", "", US, "1"], PAM_PERM_DENIED)
        self.assertIn("Too many codes", out)
        self.assertIn(f"after {utc(back + DAY)}", out)
        env.set_clock(back + DAY - 60)  # and the end does not move on
        out = login("rate: clock back, a day later", ["1", "", US, "1"],
                    PAM_PERM_DENIED)
        self.assertIn(f"after {utc(back + DAY)}", out)
        env.set_clock(back + DAY + 60)
        login("rate: clock back, lockout over", ["1", "", US, "1", "q"],
              PAM_PERM_DENIED)
        self.assertEqual(len(env.outbox_lines()), 3)

        # Forward: a lockout ends when the wall clock says so (state kept
        # across logins can only use the wall clock).
        login("rate: sends until locked again", ["1", "", US, "1", "r",
                                                 "r"], PAM_PERM_DENIED)
        sent = len(env.outbox_lines())
        env.set_clock(back + 3 * DAY)
        login("rate: clock forward past lockout", ["1", "", US, "1", "q"],
              PAM_PERM_DENIED)
        self.assertEqual(len(env.outbox_lines()), sent + 1)
        for name in os.listdir(os.path.join(env.state, "rate")):
            if name.endswith(".json"):
                with open(os.path.join(env.state, "rate", name)) as f:
                    json.load(f)


if __name__ == "__main__":
    main()
