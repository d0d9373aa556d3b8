"""The test run leaves nothing behind (ctest tests tmp.setup and tmp.clean,
the setup and cleanup of a fixture every other test requires).

Every test runs with TMPDIR = <build>/test-tmp, a root-owned sticky folder
like /tmp, so what the tests' temp dirs leave is theirs alone, even while
other runs share /tmp. Accounts the tests create (sshd, su, login, Cockpit
sessions) are ended by tests/lib/sspr_env.py's end_account, which notes
their uids in <build>/test-tmp.uids.

  tmp_check.py setup DIR   empties DIR (an earlier run killed midway) and
                           the uid list; never run two ctest at once in
                           one build dir (a tree with a mount point under
                           it is never removed)
  tmp_check.py check DIR   fails, naming each, when DIR holds anything, or
                           /tmp anything owned by an account a test made;
                           removes them, so the next run starts clean
Python 3 standard library only."""
import os
import shutil
import sys


def entries(top, uids=None):
    out = []
    for name in sorted(os.listdir(top)):
        path = os.path.join(top, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if uids is None or st.st_uid in uids:
            out.append((path, st.st_uid))
    return out


def mounted_under(path):
    """True when something is mounted at or below path (a chroot's /proc,
    say): such a tree is never removed here."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path.rstrip("/") + "/"):
                return True
    return False


def remove(path):
    if mounted_under(path):
        print(f"NOT REMOVED (a mount point is under it): {path}")
        return
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("setup", "check"):
        print(__doc__)
        return 2
    top = sys.argv[2]
    uid_file = top.rstrip("/") + ".uids"
    if sys.argv[1] == "setup":
        if os.path.isdir(top):
            for path, _ in entries(top):
                remove(path)
        os.makedirs(top, exist_ok=True)
        os.chmod(top, 0o1777)
        with open(uid_file, "w"):
            pass
        print(f"{top}: empty; test accounts will be noted in {uid_file}")
        return 0
    uids = {}
    if os.path.exists(uid_file):
        with open(uid_file) as f:
            for line in f:
                uid, _, name = line.strip().partition(" ")
                if uid.isdigit():
                    uids[int(uid)] = name
    left = entries(top) if os.path.isdir(top) else []
    left += entries("/tmp", set(uids))
    for path, uid in left:
        who = f" (owner {uids[uid]}, uid {uid})" if uid in uids else ""
        print(f"LEFT BEHIND: {path}{who}")
        remove(path)
    if left:
        print(f"FAIL: the test run left {len(left)} thing(s) behind "
              "(removed now)")
        return 1
    print(f"nothing left behind in {top}, nor in /tmp by the "
          f"{len(uids)} test account(s) made")
    return 0


if __name__ == "__main__":
    sys.exit(main())
