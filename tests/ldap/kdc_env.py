"""A real MIT Kerberos KDC for the ldap backend's GSSAPI tests: Debian's
/usr/sbin/krb5kdc on 127.0.0.1 (UDP and TCP, one free port), realm
SSPR.TEST, its own kdc.conf, krb5.conf and database in a temp dir (made
with kdb5_util and kadmin.local: no system KDC, no /etc/krb5.conf). It
holds ldap/127.0.0.1 (slapd's service keytab) and a host principal (the
"host keytab", root-only 0600 like /etc/krb5.keytab). Bounded: every
command has a timeout and the KDC is killed at exit."""
import atexit
import os
import socket
import subprocess
import tempfile

from server_proc import ChildServer, run

KRB5KDC = "/usr/sbin/krb5kdc"
KDB5_UTIL = "/usr/sbin/kdb5_util"
KADMIN_LOCAL = "/usr/sbin/kadmin.local"
GSSAPI_PLUGIN = "/usr/lib/x86_64-linux-gnu/sasl2/libgssapiv2.so.2"

REALM = "SSPR.TEST"
HOST = "sspr-client.sspr.test"
HOST_PRINC = f"host/{HOST}@{REALM}"
STALE_PRINC = f"host/stale.sspr.test@{REALM}"  # its keytab: an old key
LDAP_PRINC = f"ldap/127.0.0.1@{REALM}"


def unavailable_reason():
    """None when the KDC can run here, else why not (the test exits 77)."""
    for p in (KRB5KDC, KDB5_UTIL, KADMIN_LOCAL):
        if not os.path.exists(p):
            return (f"{p} missing (Debian packages krb5-kdc and "
                    "krb5-admin-server: scripts/install-deps)")
    if not os.path.exists(GSSAPI_PLUGIN):
        return (f"{GSSAPI_PLUGIN} missing (Debian package "
                "libsasl2-modules-gssapi-mit: scripts/install-deps)")
    if os.geteuid() != 0:
        return "the KDC tests need root (the helper drops from root)"
    return None


def free_port():
    """A port free for TCP and UDP on 127.0.0.1."""
    for _ in range(50):
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port for the KDC")


def _run(cmd, env, **kw):
    return run(cmd, env=env, **kw)


class Kdc(ChildServer):
    """start() -> self; krb5_conf, host_keytab, ldap_keytab, log_text(),
    stop(), cleanup()."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sspr-kdc-")
        os.chmod(self.dir, 0o755)  # krb5.conf: readable by anyone
        self.port = free_port()
        self.krb5_conf = os.path.join(self.dir, "krb5.conf")
        self.kdc_conf = os.path.join(self.dir, "kdc.conf")
        self.host_keytab = os.path.join(self.dir, "host.keytab")
        self.ldap_keytab = os.path.join(self.dir, "ldap.keytab")
        self.stale_keytab = os.path.join(self.dir, "stale.keytab")
        self.logfile = os.path.join(self.dir, "kdc.log")
        self.proc = None
        self._made = False

    def env(self):
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                "KRB5_CONFIG": self.krb5_conf,
                "KRB5_KDC_PROFILE": self.kdc_conf,
                "KRB5RCACHEDIR": self.dir}

    def _write(self, path, text, mode=0o644):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)

    def _make(self):
        d = self.dir
        self._write(self.krb5_conf, (
            "[libdefaults]\n"
            f" default_realm = {REALM}\n"
            " dns_lookup_kdc = false\n"
            " dns_lookup_realm = false\n"
            " dns_canonicalize_hostname = false\n"
            " rdns = false\n"
            "[realms]\n"
            f" {REALM} = {{\n  kdc = 127.0.0.1:{self.port}\n }}\n"
            "[domain_realm]\n"
            f" localhost = {REALM}\n"))
        self._write(self.kdc_conf, (
            "[kdcdefaults]\n"
            f" kdc_listen = 127.0.0.1:{self.port}\n"
            f" kdc_tcp_listen = 127.0.0.1:{self.port}\n"
            "[realms]\n"
            f" {REALM} = {{\n"
            f"  database_name = {d}/principal\n"
            f"  key_stash_file = {d}/stash\n"
            f"  acl_file = {d}/kadm5.acl\n"
            "  supported_enctypes = aes256-cts-hmac-sha1-96:normal "
            "aes128-cts-hmac-sha1-96:normal\n"
            " }\n"
            "[logging]\n"
            f" kdc = FILE:{self.logfile}\n"), 0o600)
        self._write(os.path.join(d, "kadm5.acl"), "", 0o600)
        env = self.env()
        _run([KDB5_UTIL, "create", "-s", "-r", REALM, "-P",
              "master-pw-Tq7"], env)
        for princ in (LDAP_PRINC, HOST_PRINC, STALE_PRINC):
            _run([KADMIN_LOCAL, "-r", REALM, "-q",
                  f"addprinc -randkey {princ}"], env)
        _run([KADMIN_LOCAL, "-r", REALM, "-q",
              f"ktadd -k {self.ldap_keytab} {LDAP_PRINC}"], env)
        _run([KADMIN_LOCAL, "-r", REALM, "-q",
              f"ktadd -k {self.host_keytab} {HOST_PRINC}"], env)
        # the second ktadd gives the principal a new key: the first
        # keytab's is stale, as after a host was joined again
        _run([KADMIN_LOCAL, "-r", REALM, "-q",
              f"ktadd -k {self.stale_keytab} {STALE_PRINC}"], env)
        _run([KADMIN_LOCAL, "-r", REALM, "-q",
              f"ktadd -k {d}/fresh.keytab {STALE_PRINC}"], env)
        os.chmod(self.host_keytab, 0o600)  # as /etc/krb5.keytab: root only
        os.chmod(self.ldap_keytab, 0o600)  # slapd runs as root here
        self._made = True

    # -- for slapd (tests/ldap/slapd_env.py, Slapd(kdc=...)) ---------------
    def slapd_config(self, service_dn):
        """cn=config lines: slapd is ldap/127.0.0.1 (the URI's host, which
        the helper does not canonicalize); the host principal's
        authentication DN (uid=host/NAME,cn=REALM,cn=gssapi,cn=auth) is
        the service account."""
        return ("olcSaslHost: 127.0.0.1\n"
                f"olcSaslRealm: {REALM}\n"
                f'olcAuthzRegexp: {{1}}"^uid=host/{HOST},'
                f'cn={REALM.lower()},cn=gssapi,cn=auth$" "{service_dn}"\n')

    def slapd_env(self):
        """slapd's own service keytab and the test realm."""
        # KRB5RCACHEDIR: the replay cache of the accepting side in the
        # KDC's folder, removed with it (not in TMPDIR)
        return dict(os.environ, KRB5_KTNAME=self.ldap_keytab,
                    KRB5_CONFIG=self.krb5_conf, KRB5RCACHEDIR=self.dir)

    def start(self):
        if not self._made:
            self._make()
        self.log = open(os.path.join(self.dir, "krb5kdc.out"), "ab")
        # -n: stays in the foreground; -r: this realm only
        self.proc = subprocess.Popen(
            [KRB5KDC, "-n", "-r", REALM], env=self.env(),
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True)
        atexit.register(self.stop)
        return self.wait_listening("krb5kdc", (self.port,), 15)

    def log_text(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


if __name__ == "__main__":  # a manual look: starts, gets a ticket, stops
    import sys
    why = unavailable_reason()
    if why:
        print("skip:", why)
        sys.exit(77)
    k = Kdc().start()
    try:
        env = dict(k.env(), KRB5CCNAME=f"FILE:{k.dir}/cc")
        print(_run(["kinit", "-k", "-t", k.host_keytab, HOST_PRINC], env))
        print(_run(["klist"], env))
        print(k.log_text())
    finally:
        k.cleanup()
