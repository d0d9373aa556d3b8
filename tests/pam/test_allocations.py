"""The module's fast path allocates nothing: through real libpam, the real
pam_sspr.so and bench/pam_bench, with bench/alloc_count.so (LD_PRELOAD)
counting every malloc, calloc, realloc and aligned allocation made inside
pam_acct_mgmt. Each login loads the module anew (pam_start .. pam_end), so
whatever the module builds on its first call is counted too.

A module that looks the user up cannot avoid what glibc's NSS allocates for
getpwnam_r (nss_files opens /etc/passwd with stdio: two), and libpam
allocates a little itself in pam_acct_mgmt; so the bar is pam_permit's
count plus one getpwnam_r of the same user, both measured in the same run.
Not a timing test."""
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HELPER, MODULE, NSS_WRAPPER_LIB,  # noqa: E402
                     SOURCE_DIR, require_root)

PAMBENCH = os.environ.get("SSPR_PAMBENCH", "")
ALLOC_COUNT = os.environ.get("SSPR_ALLOC_COUNT", "")
PERSON_UID = 2001


class Stacks:
    """A PAM confdir with pam_permit and pam_sspr stacks, configs made of
    the shipped pam_sspr.conf (every comment in it) plus the test's lines,
    and a fresh status-cache entry for the users asked about."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="sspr-alloc-")
        os.chmod(self.root, 0o755)
        self.pamd = os.path.join(self.root, "pam.d")
        self.cache = os.path.join(self.root, "cache")
        os.mkdir(self.pamd)
        os.mkdir(self.cache, 0o700)
        with open(os.path.join(SOURCE_DIR, "config", "pam_sspr.conf")) as f:
            self.shipped = f.read()
        self.stack("permit", "account required pam_permit.so")

    def conf(self, name, *lines):
        path = os.path.join(self.root, name + ".conf")
        with open(path, "w") as f:
            f.write(self.shipped)
            f.write("\n".join([
                "backend = local",
                "helper_user = nobody",
                f"state_dir = {self.root}/state",
                f"cache_dir = {self.cache}",
                f"delivery = outbox:{self.root}/state/outbox.jsonl",
                "check_root = yes",
                "interactive_services = alloc-cached alloc-exempt",
                *lines]) + "\n")
        os.chmod(path, 0o644)
        return path

    def stack(self, name, *lines):
        with open(os.path.join(self.pamd, "alloc-" + name), "w") as f:
            f.write("\n".join(lines) + "\n")

    def module(self, conf, args=""):
        return (f"account required {MODULE} conf={conf} helper={HELPER}"
                + (" " + args if args else ""))

    def cached(self, user):
        path = os.path.join(self.cache, user)
        with open(path, "w") as f:
            f.write(f"registered {int(time.time()) + 86400}\n")
        os.chmod(path, 0o600)

    def run(self, user, services, preload=(), extra_env=None):
        """pam_bench --mode allocs; {service: counts} and the NSS figure."""
        env = {"PATH": "/usr/bin:/bin",
               "LD_PRELOAD": " ".join([*preload, ALLOC_COUNT])}
        env.update(extra_env or {})
        p = subprocess.run(
            [PAMBENCH, "--confdir", self.pamd, "--user", user,
             "--service", ",".join("alloc-" + s for s in services),
             "--mode", "allocs", "--iterations", "20", "--warmup", "2"],
            capture_output=True, text=True, env=env, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"pam_bench failed ({p.returncode}):\n"
                                 f"{p.stdout}{p.stderr}")
        got = {}
        for m in re.finditer(r"^allocs service=alloc-(\S+) n=\d+ (.*)$",
                             p.stdout, re.M):
            got[m.group(1)] = {k: int(v) for k, v in
                               re.findall(r"(\w+)=(-?\d+)", m.group(2))}
        nss = re.search(r"^allocs nss_lookup min=\d+ max=(\d+)$", p.stdout,
                        re.M)
        if nss is None or set(got) != set(services):
            raise AssertionError("unexpected pam_bench output:\n" + p.stdout)
        return got, int(nss.group(1))


class FastPathAllocations(unittest.TestCase):
    def setUp(self):
        self.s = Stacks()

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.s.root], check=False)

    def assertNoModuleAllocations(self, got, nss, service):
        bar = got["permit"]["login_max"] + nss
        for kind in ("login_max", "acct_max"):
            self.assertLessEqual(
                got[service][kind], bar,
                f"{service}: {got[service][kind]} allocations in "
                f"pam_acct_mgmt ({kind}), pam_permit {got['permit']} + "
                f"getpwnam_r {nss}: the module allocated on its fast path "
                "(SSPR_ALLOC_TRACE=1 shows where)")

    def test_a_cached_registered_user_costs_no_allocation(self):
        self.s.cached("root")
        self.s.stack("cached", self.s.module(self.s.conf("cached")))
        got, nss = self.s.run("root", ["permit", "cached"])
        self.assertNoModuleAllocations(got, nss, "cached")

    def test_an_exempt_user_costs_no_allocation(self):
        conf = self.s.conf("exempt", "exempt_users = adm root")
        self.s.stack("exempt", self.s.module(conf),
                     "account required pam_permit.so")
        got, nss = self.s.run("root", ["permit", "exempt"])
        self.assertNoModuleAllocations(got, nss, "exempt")

    def test_module_arguments_and_scope_lists_cost_no_allocation(self):
        # Every list the scope rules read, set, and keys given as module
        # arguments (views into argv); the person's uid is checked against
        # /etc/login.defs (no min_uid), read through a buffer on the stack.
        conf = self.s.conf(
            "lists", "skip_services = cron-like sshd-test",
            "only_services = alloc-cached alloc-other",
            "skip_rhosts = 10.0.0.0/8, fd00::/8",
            "noninteractive_services = cron atd",
            "exempt_users = someone-else-with-a-long-name")
        self.s.cached("alice")
        self.s.stack("cached", self.s.module(
            conf, "cache_ttl=3600 failmode=secure debug=no"))
        passwd = os.path.join(self.s.root, "passwd")
        with open(passwd, "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n"
                    f"alice:x:{PERSON_UID}:{PERSON_UID}:a:/home/a:/bin/sh\n")
        group = os.path.join(self.s.root, "group")
        with open(group, "w") as f:
            f.write(f"root:x:0:\nalice:x:{PERSON_UID}:\n")
        got, nss = self.s.run(
            "alice", ["permit", "cached"], preload=[NSS_WRAPPER_LIB],
            extra_env={"NSS_WRAPPER_PASSWD": passwd,
                       "NSS_WRAPPER_GROUP": group,
                       "NSS_WRAPPER_DISABLE_DEEPBIND": "1"})
        self.assertNoModuleAllocations(got, nss, "cached")

    def test_the_counter_sees_the_modules_own_allocations(self):
        # The control: a config error is logged and its texts are built on
        # the heap; if the counter missed the module, this would pass as 0.
        conf = self.s.conf("broken", "exempt_users = root",
                           "colour = a key that does not exist")
        self.s.stack("broken", self.s.module(conf),
                     "account required pam_permit.so")
        got, nss = self.s.run("root", ["permit", "broken"])
        self.assertGreater(got["broken"]["login_max"],
                           got["permit"]["login_max"] + nss)


if __name__ == "__main__":
    require_root()
    if not PAMBENCH or not ALLOC_COUNT or not os.path.exists(ALLOC_COUNT):
        print("SKIP: no bench/alloc_count.so in this build (sanitizer "
              "builds replace malloc themselves)")
        sys.exit(77)
    unittest.main()
