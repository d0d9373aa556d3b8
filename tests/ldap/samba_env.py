"""A throw-away Samba AD domain controller (Debian's samba) for the ldap
backend's AD preset: `samba-tool domain provision` into a temp dir, only
its LDAP service (`server services = ldap`, one process), the shared test
PKI as its TLS certificate (ldaps and StartTLS, verified by name), a
delegated service account (write on the Personal-Information property set,
which holds mobile and telephoneNumber, and on mail: `samba-tool dsacl`)
and a few people.

Samba's LDAP ports are fixed (389, 636, 3268, 3269), so the test runs in a
network namespace of its own (`unshare --net`, only lo, up): the DC never
touches the host's ports and is reachable from nowhere else. Bounded:
every command has a timeout and the DC is killed at exit."""
import atexit
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time

import server_proc
from slapd_env import USER_PW, Slapd, tls  # noqa: F401

SAMBA = "/usr/sbin/samba"
SAMBA_TOOL = "/usr/bin/samba-tool"
REALM, DOMAIN = "SSPR.TEST", "SSPR"
SUFFIX = "DC=sspr,DC=test"
USERS_DN = "CN=Users," + SUFFIX
ADMIN_DN = "CN=Administrator," + USERS_DN
ADMIN_PW = "Admin-pw-Kx3!q"
SERVICE_USER = "svc-sspr"
SERVICE_DN = f"CN={SERVICE_USER},{USERS_DN}"
SERVICE_PW = "Svc-pw-Zq8!x"
# schemaIDGUID / rightsGuid of AD's schema: the Personal-Information
# property set (mobile, telephoneNumber, homePhone, ...), mail, user
PERSONAL_INFORMATION = "77b5b886-944a-11d1-aebd-0000f80367c1"
MAIL = "bf967961-0de6-11d0-a285-00aa003049e2"
USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"

# name -> attributes (AD's mobile is a Unicode string: anything goes in)
USERS = {
    "ldapreg": {"mobile": ["+12015550123"], "mail": ["LdapReg@Example.Test"]},
    "ldapunreg": {},
    "ldapbadmob": {"mobile": ["call me maybe"]},
    "ldapwho": {},
}
MAPPED = ("mobile", "telephoneNumber", "mail", "employeeNumber")


def unavailable_reason():
    """None when a DC can run here (in a network namespace of its own),
    else why not."""
    for p in (SAMBA, SAMBA_TOOL):
        if not os.path.exists(p):
            return f"{p} missing (Debian package samba: scripts/install-deps)"
    if os.geteuid() != 0:
        return "the Samba AD tests need root (a network namespace, the drop)"
    try:
        p = subprocess.run(["unshare", "--net", "--", "ip", "link", "set",
                            "lo", "up"], capture_output=True, text=True,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot make a network namespace: {e}"
    if p.returncode != 0:
        return f"cannot make a network namespace: {p.stderr.strip()}"
    return None


_run = functools.partial(server_proc.run, timeout=120)


def reap_stale():
    """DCs left by a test that was killed (atexit never ran): their owner
    is gone. The DC is killed (it still holds the dead test's network
    namespace), its folder removed."""
    for d, _ in server_proc.dead_runs("sspr-samba-"):
        try:
            with open(os.path.join(d, "samba.pid")) as f:
                pid = int(f.read())
            # that DC, not a reused pid (samba rewrites its command line)
            if os.readlink(f"/proc/{pid}/fd/1").startswith(d + "/"):
                os.killpg(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass
        shutil.rmtree(d, ignore_errors=True)


class SambaDC(Slapd):
    """Slapd's interface (uri, ldaps_uri, start, stop, cleanup, attrs,
    modify, reset) over a Samba AD DC on 127.0.0.1 of this namespace."""

    admin_dn, admin_pw = ADMIN_DN, ADMIN_PW
    STOP_GROUP, STOP_GRACE = True, 10

    def __init__(self, cert="good"):  # noqa: super().__init__ is slapd's
        reap_stale()
        self.dir = tempfile.mkdtemp(prefix="sspr-samba-")
        os.chmod(self.dir, 0o755)
        server_proc.mark_owner(self.dir)
        self.pki = tls.shared_pki()
        self.cert = cert
        self.port, self.ldaps_port = 389, 636  # fixed: see the docstring
        self.uri = "ldap://127.0.0.1"
        self.ldaps_uri = "ldaps://127.0.0.1"
        self.dc = os.path.join(self.dir, "dc")
        self.conf = os.path.join(self.dc, "etc", "smb.conf")
        self.logfile = os.path.join(self.dir, "samba.log")
        self.proc = None
        self._made = False
        self.timings = {}

    def _tool(self, *args):
        return _run([SAMBA_TOOL, *args, "--configfile", self.conf,
                     "-H", os.path.join(self.dc, "private", "sam.ldb")])

    def _make(self):
        t0 = time.monotonic()
        cert, key = self.pki.pair(self.cert)
        d = self.dc
        opts = {
            "interfaces": "lo", "bind interfaces only": "yes",
            "server services": "ldap", "log file": f"{d}/log.%m",
            "pid directory": f"{d}/run", "ncalrpc dir": f"{d}/ncalrpc",
            "winbindd socket directory": f"{d}/winbindd",
            "ntp signd socket directory": f"{d}/ntp_signd",
            "tls enabled": "yes", "tls certfile": cert, "tls keyfile": key,
            "tls cafile": self.pki.ca,
        }
        os.makedirs(os.path.join(d, "run"))
        _run([SAMBA_TOOL, "domain", "provision", "--use-rfc2307",
              f"--realm={REALM}", f"--domain={DOMAIN}", "--server-role=dc",
              "--dns-backend=NONE", f"--targetdir={d}",
              f"--adminpass={ADMIN_PW}"]
             + [f"--option={k}={v}" for k, v in opts.items()], timeout=300)
        self.timings["provision"] = time.monotonic() - t0
        t1 = time.monotonic()
        # The delegated service account: write on the Personal-Information
        # property set and on mail of user objects under CN=Users.
        self._tool("user", "create", SERVICE_USER, SERVICE_PW)
        sid = [ln.split(": ", 1)[1] for ln in self._tool(
            "user", "show", SERVICE_USER, "--attributes=objectSid"
        ).splitlines() if ln.startswith("objectSid: ")][0]
        self._tool("dsacl", "set", f"--objectdn={USERS_DN}",
                   f"--sddl=(OA;CI;WP;{PERSONAL_INFORMATION};{USER_CLASS};"
                   f"{sid})(OA;CI;WP;{MAIL};{USER_CLASS};{sid})")
        self._made = True
        self.start()
        # the people, as the administrator, once the DC runs
        ldif = ""
        for name, extra in USERS.items():
            ldif += (f"dn: {self.user_dn(name)}\nchangetype: add\n"
                     f"objectClass: user\nsAMAccountName: {name}\n")
            for k, vs in extra.items():
                ldif += "".join(f"{k}: {v}\n" for v in vs)
            ldif += "\n"
        self.modify(ldif)
        self.timings["setup"] = time.monotonic() - t1

    @staticmethod
    def user_dn(user):
        return f"CN={user},{USERS_DN}"

    # -- life --------------------------------------------------------------
    def start(self):
        if not self._made:
            self._make()
            return self
        self.log = open(self.logfile, "ab")
        self.proc = subprocess.Popen(
            [SAMBA, "-i", "-M", "single", "-s", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True)
        with open(os.path.join(self.dir, "samba.pid"), "w") as f:
            f.write(str(self.proc.pid))
        atexit.register(self.cleanup)
        return self.wait_listening("samba", (self.port, self.ldaps_port), 60)

    # -- reading and writing as the administrator --------------------------
    def attrs(self, user, *names):
        """{attr: [values]} of the user's entry (as the administrator)."""
        out = self._cli("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b",
                        self.user_dn(user), "-s", "base", "(objectClass=*)",
                        *(names or MAPPED))
        got = {}
        for line in out.splitlines():
            if ": " in line and not line.startswith("dn:"):
                k, v = line.split(": ", 1)
                got.setdefault(k, []).append(v)
        return got

    def reset(self, user):
        """Puts the user back as USERS has it (mapped attributes only)."""
        ldif = f"dn: {self.user_dn(user)}\nchangetype: modify\n"
        for a in MAPPED:
            ldif += f"replace: {a}\n"
            ldif += "".join(f"{a}: {v}\n" for v in USERS[user].get(a, []))
            ldif += "-\n"
        self.modify(ldif)


if __name__ == "__main__":  # a manual look, inside `unshare --net`
    import sys
    why = unavailable_reason()
    if why:
        print("skip:", why)
        sys.exit(77)
    if os.environ.get("SSPR_NETNS") != "1":
        os.environ["SSPR_NETNS"] = "1"
        os.execvp("unshare", ["unshare", "--net", "--", sys.executable, "-B",
                              os.path.abspath(__file__)])
    _run(["ip", "link", "set", "lo", "up"])
    t0 = time.monotonic()
    s = SambaDC().start()
    try:
        print(s.uri, f"{time.monotonic() - t0:.1f} s", s.timings)
        print(s.attrs("ldapreg"))
    finally:
        s.cleanup()
