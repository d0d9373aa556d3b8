"""What every test of a whole login shares, whether it drives libpam with
the sspr-pamtest driver (tests/pam/harness.py, tests/backends) or runs a
real sshd, su or login (tests/e2e): a temp dir with the config, state and
cache dirs and the outbox, the config file, the module's pam.d line, what
the helper stored, and the checks on it. Each kind of test subclasses
SsprEnv with its own users (nss_wrapper or real accounts) and pam.d file.
Python 3 standard library only."""
import atexit
import json
import os
import pwd
import re
import shutil
import signal
import socket
import tempfile
import time

import tmp_check  # tests/lib, beside this file

MODULE = os.environ.get("SSPR_MODULE", "")
HELPER = os.environ.get("SSPR_HELPER", "")
PAMTEST = os.environ.get("SSPR_PAMTEST", "")

# The unprivileged user the helper drops to in tests (exists everywhere).
TEST_HELPER_USER = "nobody"
DAY = 86400


class SsprEnv:
    """One installation in a fresh temp dir: config, state, cache, outbox.
    `defaults` are the subclass's own config values, `conf` the test's."""

    conf_header = "# written by the test harness\n"

    def __init__(self, prefix, defaults=None, conf=None):
        self.root = temp_dir(prefix)
        os.chmod(self.root, 0o755)
        self.conf_path = os.path.join(self.root, "pam_sspr.conf")
        self.state = os.path.join(self.root, "state")
        self.cache = os.path.join(self.root, "cache")
        self.outbox = os.path.join(self.state, "outbox.jsonl")
        self.helper = HELPER
        self.module = MODULE
        self.conf = {
            "backend": "local",
            "helper_user": TEST_HELPER_USER,
            "state_dir": self.state,
            "cache_dir": self.cache,
            "delivery": "outbox:" + self.outbox,
            "default_region": "US",
            "resend_cooldown": "0",
        }
        self.conf.update(defaults or {})
        self.conf.update(conf or {})
        self.make_state_dir()

    # ----- config -------------------------------------------------------
    def make_state_dir(self):
        """state_dir as the package makes it: the helper never creates it."""
        os.makedirs(self.state, mode=0o700, exist_ok=True)
        pw = pwd.getpwnam(TEST_HELPER_USER)
        os.chown(self.state, pw.pw_uid, pw.pw_gid)
        os.chmod(self.state, 0o700)

    def write_conf(self):
        with open(self.conf_path, "w") as f:
            f.write(self.conf_header)
            for k, v in self.conf.items():
                f.write(f"{k} = {v}\n")
        os.chmod(self.conf_path, 0o644)

    def write(self):
        """Writes what the config changes; subclasses add their pam.d."""
        self.write_conf()

    def set(self, **kv):
        self.conf.update({k: str(v) for k, v in kv.items()})
        self.write()

    def pam_line(self, args=""):
        """The module with its arguments, as a pam.d line ends."""
        line = f"{self.module} conf={self.conf_path} helper={self.helper}"
        return f"{line} {args}" if args else line

    # ----- what the helper stored and sent ------------------------------
    def record(self, user):
        path = os.path.join(self.state, "users", user + ".json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def answer_hashes(self):
        """The hashes of every stored security answer, of every user."""
        users = os.path.join(self.state, "users")
        out = []
        for f in os.listdir(users) if os.path.isdir(users) else []:
            with open(os.path.join(users, f)) as fh:
                rec = json.load(fh)
            for m in rec["methods"]:
                out += [a["hash"] for a in m.get("answers", [])]
        return out

    def cached(self, user):
        """The module's status-cache entry (names are plain here)."""
        return os.path.exists(os.path.join(self.cache, user))

    def outbox_lines(self):
        if not os.path.exists(self.outbox):
            return []
        with open(self.outbox) as f:
            return [json.loads(l) for l in f if l.strip()]

    def newest_code(self, to):
        for m in reversed(self.outbox_lines()):
            if m.get("to") == to:
                found = re.search(r"\b(\d{6,10})\b", m["text"])
                if found:
                    return found.group(1)
        return None

    def backdate(self, user, seconds):
        """Moves the user's registration and last confirmation `seconds`
        into the past, in the store's own files (owner and mode kept)."""
        old = int(time.time()) - seconds
        path = os.path.join(self.state, "users", user + ".json")
        with open(path) as f:
            rec = json.load(f)
        rec["created_at"] = rec["updated_at"] = old
        for m in rec["methods"]:
            m["verified_at"] = old
        with open(path, "w") as f:  # keeps owner and mode
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        ppath = os.path.join(self.state, "policy", user)
        with open(ppath) as f:
            lines = f.read().splitlines()
        with open(ppath, "w") as f:
            f.write("".join(f"confirmed_at {old}\n"
                            if l.startswith("confirmed_at") else l + "\n"
                            for l in lines))

    def cleanup(self):
        remove_temp_dir(self.root)


class SsprAssertions:
    """Checks on what an SsprEnv (self.env) stored; mixed into a
    unittest.TestCase."""

    def assertPasswordStoredNowhere(self, password):
        """The password (as typed or lower-cased) is in no file of the
        store, and no stored answer hash verifies against it."""
        import crypt  # noqa (deprecated, still in 3.11; yescrypt via libcrypt)
        guesses = (password, password.lower())
        for top, _, files in os.walk(self.env.state):
            for f in files:
                with open(os.path.join(top, f), "rb") as fh:
                    data = fh.read()
                for guess in guesses:
                    self.assertNotIn(guess.encode(), data, f)
        for h in self.env.answer_hashes():
            for guess in guesses:
                self.assertNotEqual(crypt.crypt(guess, h), h)


# ----- processes ---------------------------------------------------------
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def die_with_parent():
    """In a child before exec: SIGTERM when the test process dies, even by
    SIGKILL (a ctest timeout), so nothing it started outlives it."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# ----- leaving nothing behind --------------------------------------------
# ctest gives every test TMPDIR = <build>/test-tmp (tests/CMakeLists.txt);
# the tests tmp.setup and tmp.clean around the run check that it is empty
# at the end and that no account a test created left anything in /tmp
# (tests/lib/tmp_check.py). Every temp dir is removed by its test's
# cleanup, and, should a test end without it (an exception in setUp, a
# sys.exit, SIGTERM from a ctest timeout), at the process's exit.
_temp_dirs = set()


def temp_dir(prefix):
    """tempfile.mkdtemp, removed at exit unless remove_temp_dir came
    first."""
    path = tempfile.mkdtemp(prefix=prefix)
    _temp_dirs.add(path)
    return path


def remove_temp_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    _temp_dirs.discard(path)


@atexit.register
def _remove_temp_dirs():
    for path in list(_temp_dirs):
        remove_temp_dir(path)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so that the atexit handlers run


if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


def processes_of(uid):
    """Pids of the live processes whose real uid is `uid`."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            out.append(int(d))
                        break
        except (OSError, ValueError):
            continue
    return out


def child_processes(pid):
    """[(pid, comm)] of the processes whose parent is `pid`, zombies
    included (from /proc/*/stat)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == pid:
            out.append((int(d), stat[stat.index("(") + 1:stat.rindex(")")]))
    return out


def end_account(name):
    """Before a test's `userdel`: ends every process of the test account
    `name` (a session's shell, cockpit-bridge, the dbus-daemon it started),
    SIGTERM first so that they remove their own sockets, then SIGKILL; then
    removes what the account left in /tmp and TMPDIR (a dbus socket, say),
    and notes its uid for tmp.clean. Returns the names removed."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return []
    if uid == 0:
        raise ValueError("end_account is for test accounts, not root")
    note = os.environ.get("SSPR_TEST_UIDS_FILE")
    if note:
        with open(note, "a") as f:
            f.write(f"{uid} {name}\n")
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        pids = processes_of(uid)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while pids and time.monotonic() < deadline:
            pids = [p for p in pids if alive(p) and not _zombie(p)]
            time.sleep(0.05)
        if not pids:
            break
    removed = []
    for top in sorted({"/tmp", tempfile.gettempdir()}):
        for path, _ in tmp_check.entries(top, {uid}):
            tmp_check.remove(path)
            removed.append(path)
    return removed


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] == "Z"
    except (OSError, ValueError, IndexError):
        return False
