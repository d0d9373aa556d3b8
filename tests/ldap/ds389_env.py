"""A throw-away 389 Directory Server (Debian's 389-ds-base, FreeIPA's
directory) for the ldap backend's tests, with the same people, service
account and rights as slapd_env.py, so test_ldap.py's cases run against it.

The instance is made by `dscreate from-file` under a prefix in a temp dir
(PREFIX points lib389 at our own defaults.inf: every folder of the
instance is in the temp dir, without systemd), listens on 127.0.0.1 only
(from the first start: our copy of the dse template says so), gets the
shared test PKI (dsctl tls import-ca / import-server-key-cert: StartTLS
and ldaps), pam_sspr's schema as contrib/ldap/sspr-389ds.ldif is applied
(ldapmodify), posixAccount people (the freeipa preset's filter) and ACIs.
It is removed at the end with `dsctl NAME remove --do-it`. Every command
has a timeout."""
import atexit
import functools
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import server_proc
from slapd_env import (PEOPLE, SERVICE_DN, SERVICE_PW, SRC, SUFFIX, USER_PW,
                       USERS, Slapd, _entry, free_port, tls)

DSCREATE = "/usr/sbin/dscreate"
DSCTL = "/usr/sbin/dsctl"
NS_SLAPD = "/usr/sbin/ns-slapd"
DS_SHARE = "/usr/share/dirsrv"
DS_SCHEMA = os.path.join(SRC, "contrib", "ldap", "sspr-389ds.ldif")
DM = "cn=Directory Manager"
DM_PW = "dm-pw-Rt7Qw2"
# defaults.inf keys that name the server's own files: moved under the prefix
MOVED = ("sysconf_dir", "initconfig_dir", "config_dir", "local_state_dir",
         "run_dir", "ldapi", "pid_file", "inst_dir", "tmpfiles_d",
         "schema_dir", "cert_dir", "lock_dir", "log_dir", "access_log",
         "audit_log", "error_log", "security_log", "db_dir", "db_home_dir",
         "backup_dir", "ldif_dir", "data_dir")


def unavailable_reason():
    """None when a 389 DS instance can be made here, else why not."""
    for p in (DSCREATE, DSCTL, NS_SLAPD,
              os.path.join(DS_SHARE, "inf", "defaults.inf"),
              os.path.join(DS_SHARE, "data", "template-dse.ldif")):
        if not os.path.exists(p):
            return (f"{p} missing (Debian package 389-ds-base: "
                    "scripts/install-deps)")
    if os.geteuid() != 0:
        return "389 DS's tests need root (dscreate, the helper's drop)"
    try:
        import pwd
        pwd.getpwnam("dirsrv")
    except KeyError:
        return "no dirsrv user (389-ds-base's postinst makes it)"
    return None


_run = functools.partial(server_proc.run, timeout=120)


def reap_stale():
    """Instances left by a test that was killed (atexit never ran): their
    owner is gone. Their server is stopped, their folder removed."""
    for d, owner in server_proc.dead_runs("sspr-389-"):
        for pidfile in glob.glob(f"{d}/root/run/dirsrv/*.pid"):
            try:
                with open(pidfile) as f:
                    pid = int(f.read())
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if d.encode() in f.read():  # that server, not a reused pid
                        os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
        for sem in glob.glob(f"/dev/shm/sem.slapd-sspr{owner}.*"):
            os.unlink(sem)
        shutil.rmtree(d, ignore_errors=True)


class DS389(Slapd):
    """Slapd's interface (uri, ldaps_uri, start, stop, cleanup, log_text,
    count, filters, attrs, modify, reset) over a 389 DS instance."""

    admin_dn, admin_pw = DM, DM_PW
    LOG_PATTERNS = {"connect": r" connection from ", "bind": r" BIND dn=",
                    "search": r" SRCH base=",
                    "starttls": r' EXT oid="1\.3\.6\.1\.4\.1\.1466\.20037"'}

    def __init__(self, cert="good"):  # noqa: super().__init__ is slapd's
        reap_stale()
        self.dir = tempfile.mkdtemp(prefix="sspr-389-")
        os.chmod(self.dir, 0o755)  # ns-slapd runs as dirsrv
        server_proc.mark_owner(self.dir)
        self.prefix = os.path.join(self.dir, "root")
        self.name = f"sspr{os.getpid()}"
        self.pki = tls.shared_pki()
        self.cert = cert
        self.port = free_port()
        self.ldaps_port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.ldaps_uri = f"ldaps://127.0.0.1:{self.ldaps_port}"
        p, n = self.prefix, self.name
        self.confdir = f"{p}/etc/dirsrv/slapd-{n}"
        self.pidfile = f"{p}/run/dirsrv/slapd-{n}.pid"
        self.logfile = f"{p}/var/log/dirsrv/slapd-{n}/access"
        self.env = dict(os.environ, PREFIX=p)
        self.proc = None  # the server's pid while it runs
        self._made = False
        self.timings = {}

    # -- the prefix: lib389's defaults with our folders --------------------
    def _layout(self):
        p = self.prefix
        inf = os.path.join(p, "share", "dirsrv", "inf")
        os.makedirs(inf)
        out = []
        with open(os.path.join(DS_SHARE, "inf", "defaults.inf")) as f:
            for line in f.read().splitlines():
                m = re.match(r"(\w+) = (/.*)", line)
                if line.startswith("with_systemd ="):
                    line = "with_systemd = 0"
                elif m and m.group(1) in MOVED:
                    line = f"{m.group(1)} = {p}{m.group(2)}"
                out.append(line)
        with open(os.path.join(inf, "defaults.inf"), "w") as f:
            f.write("\n".join(out) + "\n")
        # data_dir: the system's files, but a dse template that listens
        # on loopback only from the very first start, unbuffered access log
        data = os.path.join(p, "usr", "share", "dirsrv", "data")
        os.makedirs(data)
        for src in glob.glob(os.path.join(DS_SHARE, "data", "*")):
            os.symlink(src, os.path.join(data, os.path.basename(src)))
        for sub in ("schema", "mibs", "inf"):
            os.symlink(os.path.join(DS_SHARE, sub),
                       os.path.join(p, "usr", "share", "dirsrv", sub))
        tpl = os.path.join(data, "template-dse.ldif")
        os.unlink(tpl)
        with open(os.path.join(DS_SHARE, "data", "template-dse.ldif")) as f:
            text = f.read()
        text = text.replace(
            "nsslapd-port: %ds_port%\n",
            "nsslapd-port: %ds_port%\nnsslapd-listenhost: 127.0.0.1\n"
            "nsslapd-securelistenhost: 127.0.0.1\n"
            "nsslapd-accesslog-logbuffering: off\n", 1)
        with open(tpl, "w") as f:
            f.write(text)
        # dscreate copies these from sysconf_dir
        shutil.copytree("/etc/dirsrv/schema", f"{p}/etc/dirsrv/schema")
        shutil.copytree("/etc/dirsrv/config", f"{p}/etc/dirsrv/config")
        # parents ns-slapd (user dirsrv) must pass through; dscreate would
        # make them root-only
        for d in ("etc", "etc/dirsrv", "run", "run/lock", "var", "var/lib",
                  "var/log", "dev", "dev/shm", "usr/lib",
                  "usr/lib/x86_64-linux-gnu",
                  "usr/lib/x86_64-linux-gnu/dirsrv"):
            os.makedirs(os.path.join(p, d), exist_ok=True)
            os.chmod(os.path.join(p, d), 0o755)
        for d in ("run/dirsrv", "run/lock/dirsrv", "var/lib/dirsrv",
                  "var/log/dirsrv"):
            os.makedirs(os.path.join(p, d), mode=0o770)
            shutil.chown(os.path.join(p, d), "dirsrv", "dirsrv")

    def _inf(self):
        path = os.path.join(self.dir, "instance.inf")
        with open(path, "w") as f:
            f.write("[general]\nfull_machine_name = localhost\n"
                    "strict_host_checking = False\nselinux = False\n"
                    "start = True\n\n"
                    f"[slapd]\ninstance_name = {self.name}\n"
                    f"port = {self.port}\nsecure_port = {self.ldaps_port}\n"
                    f"root_password = {DM_PW}\nself_sign_cert = False\n\n"
                    f"[backend-userroot]\nsuffix = {SUFFIX}\n"
                    "create_suffix_entry = True\nsample_entries = no\n")
        os.chmod(path, 0o600)
        return path

    def _setup_ldif(self):
        """One ldapmodify: our schema (the shipped file as an admin applies
        it), TLS on, the DIT and the service account's ACIs."""
        with open(DS_SCHEMA) as f:
            out = f.read().rstrip("\n") + "\n\n"
        out += ("dn: cn=config\nchangetype: modify\n"
                "replace: nsslapd-security\nnsslapd-security: on\n\n")

        def add(dn, attrs):
            first, rest = _entry(dn, attrs).split("\n", 1)
            return f"{first}\nchangetype: add\n{rest}"
        for ou in ("people", "services"):
            out += add(f"ou={ou},{SUFFIX}",
                       {"objectClass": "organizationalUnit", "ou": ou})
        out += add(SERVICE_DN, {
            "objectClass": ["organizationalRole", "simpleSecurityObject"],
            "cn": "sspr", "userPassword": SERVICE_PW})
        for i, (name, extra) in enumerate(USERS.items()):
            attrs = {"objectClass": ["inetOrgPerson", "posixAccount"],
                     "uid": name, "cn": name, "sn": name,
                     "uidNumber": str(41000 + i), "gidNumber": "41000",
                     "homeDirectory": f"/home/{name}", "userPassword": USER_PW}
            if "ssprVerified" in extra:
                attrs["objectClass"].append("ssprPerson")
            attrs.update(extra)
            out += add(f"uid={name},{PEOPLE}", attrs)
        # The service account reads people and writes only the mapped
        # attributes (and may add the ssprPerson class); homePhone is
        # readable only: the ACL refusal case. Nobody else gets anything.
        svc = f'userdn="ldap:///{SERVICE_DN}"'
        acis = [
            '(targetattr="objectClass || uid || cn || sn || mobile || '
            'telephoneNumber || mail || homePhone || ssprVerified || '
            'ssprQuestionHash")(version 3.0; acl "sspr reads people"; '
            f'allow (read, search, compare) {svc};)',
            '(targetattr="mobile || telephoneNumber || mail || ssprVerified '
            '|| ssprQuestionHash")(version 3.0; acl "sspr writes the mapped '
            f'attributes"; allow (write) {svc};)',
            '(targetattr="objectClass")(targattrfilters="add=objectClass:'
            '(objectClass=ssprPerson)")(version 3.0; acl "sspr adds its '
            f'class"; allow (write) {svc};)',
        ]
        out += (f"dn: {PEOPLE}\nchangetype: modify\nadd: aci\n"
                + "".join(f"aci: {a}\n" for a in acis) + "\n")
        return out

    def _make(self):
        t0 = time.monotonic()
        self._layout()
        _run([DSCREATE, "from-file", self._inf()], env=self.env, timeout=180)
        self.proc = self._pid()
        atexit.register(self.cleanup)
        self.timings["dscreate"] = time.monotonic() - t0
        t1 = time.monotonic()
        cert, key = self.pki.pair(self.cert)
        _run([DSCTL, self.name, "tls", "import-ca", self.pki.ca,
              "sspr-test-ca"], env=self.env)
        _run([DSCTL, self.name, "tls", "import-server-key-cert", cert, key],
             env=self.env)
        # plain LDAP over loopback as the Directory Manager, once, before
        # TLS is on
        _run(["ldapmodify", "-x", "-H", self.uri, "-D", DM, "-w", DM_PW],
             stdin=self._setup_ldif(), env=dict(os.environ, LDAPNOINIT="1"))
        self._made = True
        self.stop()
        self.timings["setup"] = time.monotonic() - t1

    # -- life --------------------------------------------------------------
    def _pid(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        return pid if server_proc.alive(pid) else None

    def start(self):
        if not self._made:
            self._make()
        if self._pid() is None:
            # ns-slapd forks into the background once it is listening
            _run([NS_SLAPD, "-D", self.confdir, "-i", self.pidfile],
                 timeout=60)
        if server_proc.ports_open((self.port, self.ldaps_port), 30):
            self.proc = self._pid()
            return self
        raise RuntimeError("389 DS did not listen within 30 s:\n"
                           + self._errors())

    def stop(self):
        # The process itself, not its pid file (gone before its sockets).
        pid = self._pid() or self.proc
        if pid and server_proc.alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and server_proc.alive(pid):
                time.sleep(0.05)
            if server_proc.alive(pid):
                os.kill(pid, signal.SIGKILL)
                while server_proc.alive(pid):
                    time.sleep(0.05)
        self.proc = None

    def cleanup(self):
        if not os.path.isdir(self.dir):
            return
        t0 = time.monotonic()
        self.stop()
        if self._made or os.path.isdir(self.confdir):
            subprocess.run([DSCTL, self.name, "remove", "--do-it"],
                           env=self.env, capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.timings["remove"] = time.monotonic() - t0

    def _errors(self):
        path = os.path.join(os.path.dirname(self.logfile), "errors")
        try:
            with open(path, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return "(no error log)"


if __name__ == "__main__":  # a manual look: makes, lists, removes
    import sys
    why = unavailable_reason()
    if why:
        print("skip:", why)
        sys.exit(77)
    t0 = time.monotonic()
    s = DS389().start()
    try:
        print(s.uri, s.ldaps_uri, f"{time.monotonic() - t0:.1f} s")
        print(s.attrs("ldapreg"))
    finally:
        s.cleanup()
        print(s.timings)
