"""A real OpenLDAP slapd for the ldap backend's tests: Debian's
/usr/sbin/slapd on 127.0.0.1 (ldap:// with StartTLS, and ldaps://), its own
cn=config folder in a temp dir made with slapadd (no system slapd, no
debconf), the shared test PKI, a small DIT, ACLs and pam_sspr's schema
(contrib/ldap/sspr-openldap.ldif), and the ppolicy overlay with a default
policy (POLICY) so that a reset's refusals are slapd's own. slapd logs at
loglevel stats to a file the test reads. Bounded: every command has a timeout and the server is
killed at exit. The stall (a listener that never answers) is in stall.py."""
import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import tls  # noqa: E402
from server_proc import ChildServer, run as _run  # noqa: E402

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA = "/etc/ldap/schema"
SSPR_SCHEMA = os.path.join(SRC, "contrib", "ldap", "sspr-openldap.ldif")

SUFFIX = "dc=example,dc=test"
PEOPLE = "ou=people," + SUFFIX
SERVICE_DN = "cn=sspr,ou=services," + SUFFIX
SERVICE_PW = "service-pw-Zq8"
ADMIN_DN = "cn=admin," + SUFFIX
ADMIN_PW = "admin-pw-Kx3"
USER_PW = "user-pw-Lm5"
POLICY_DN = "cn=default,ou=policies," + SUFFIX
# The default password policy (slapo-ppolicy): too short or reused
# passwords are refused with constraintViolation.
POLICY = {"pwdAttribute": "userPassword", "pwdMinLength": "8",
          "pwdCheckQuality": "2", "pwdInHistory": "3"}

# name -> extra attributes of the entry under ou=people
USERS = {
    "ldapreg": {"mobile": ["+12015550123"], "mail": ["LdapReg@Example.Test"]},
    "ldapunreg": {},
    "ldapbadmob": {"mobile": ["call me maybe"]},
    # a mobile from HR, never verified, and one proved (ssprVerified)
    "ldaphr": {"mobile": ["+12015550111"]},
    "ldapver": {"mobile": ["+12015550122"],
                "ssprVerified": ["mobile 1764730000 +12015550122"]},
    "ldapwho": {},  # a second unregistered person
    # the reset at the login prompt: each test has its own person, so that
    # no password needs putting back (and ppolicy's history stays theirs)
    "ldaprst": {"mobile": ["+12015550131"]},
    "ldaprst2": {"mobile": ["+12015550135"]},
    "ldappolicy": {"mobile": ["+12015550132"]},
    "ldapstop": {"mobile": ["+12015550133"]},
    "ldaprestart": {"mobile": ["+12015550136"]},
    # the service account may not write this one's userPassword
    "ldapnopw": {"mobile": ["+12015550134"]},
}


def unavailable_reason():
    """None when slapd can run here, else why not (the test exits 77)."""
    for p in (SLAPD, SLAPADD, os.path.join(SCHEMA, "inetorgperson.ldif")):
        if not os.path.exists(p):
            return (f"{p} missing (Debian packages slapd and ldap-utils: "
                    "scripts/install-deps)")
    if os.geteuid() != 0:
        return "slapd's tests need root (the helper drops from root)"
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _entry(dn, attrs):
    out = [f"dn: {dn}"]
    for k, vs in attrs.items():
        for v in vs if isinstance(vs, list) else [vs]:
            out.append(f"{k}: {v}")
    return "\n".join(out) + "\n\n"


class Slapd(ChildServer):
    """start() -> self; uri (ldap://), ldaps_uri, log_text(), stop()."""

    admin_dn, admin_pw = ADMIN_DN, ADMIN_PW
    # What the server's log says for each operation (count() below).
    LOG_PATTERNS = {"connect": r" ACCEPT from", "bind": r" BIND dn=.* method=",
                    "search": r" SRCH base=", "starttls": r" STARTTLS"}

    def __init__(self, cert="good", unique=(), kdc=None):
        # kdc (tests/ldap/kdc_env.Kdc): SASL GSSAPI with its ldap/127.0.0.1
        # keytab, and its host principal mapped to the service account
        self.kdc = kdc
        self.dir = tempfile.mkdtemp(prefix="sspr-slapd-")
        atexit.register(shutil.rmtree, self.dir, True)
        # slapo-unique on these attributes: a value another entry holds is
        # refused with constraintViolation, as a directory that keeps
        # mail or telephoneNumber unique does.
        self.unique = tuple(unique)
        os.chmod(self.dir, 0o755)
        self.pki = tls.shared_pki()
        self.cert = cert
        self.port = free_port()
        self.ldaps_port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.ldaps_uri = f"ldaps://127.0.0.1:{self.ldaps_port}"
        self.logfile = os.path.join(self.dir, "slapd.log")
        self.proc = None
        self._made = False

    # -- config ------------------------------------------------------------
    def _config_ldif(self):
        cert, key = self.pki.pair(self.cert)
        pw = _run(["slappasswd", "-s", ADMIN_PW]).strip()
        db = os.path.join(self.dir, "db")
        os.makedirs(db, mode=0o700)
        svc = f'dn.exact="{SERVICE_DN}"'
        adm = f'dn.exact="{ADMIN_DN}"'
        # The service account reads people and writes only the mapped
        # attributes (and may add the ssprPerson class); people may not
        # write them. homePhone is readable only: the ACL refusal case.
        # userPassword: the service account has =w (add and delete values:
        # what slapd checks for the Password Modify operation's replace)
        # under ou=people, except on uid=ldapnopw; nothing else.
        nopw = f'dn.exact="uid=ldapnopw,{PEOPLE}"'
        acl = [
            f"to {nopw} attrs=userPassword by {adm} write by anonymous auth "
            "by * none",
            f"to dn.subtree=\"{PEOPLE}\" attrs=userPassword by {adm} write "
            f"by {svc} =w by anonymous auth by * none",
            f"to attrs=userPassword by {adm} write by anonymous auth "
            "by * none",
            f"to dn.subtree=\"{PEOPLE}\" attrs=mobile,telephoneNumber,mail,"
            f"ssprVerified,ssprQuestionHash by {adm} write by {svc} write "
            "by self read by * none",
            f"to dn.subtree=\"{PEOPLE}\" attrs=objectClass val=ssprPerson "
            f"by {adm} write by {svc} write by * read",
            f"to dn.subtree=\"{PEOPLE}\" by {adm} write by {svc} read "
            "by self read by * none",
            f"to * by {adm} write by {svc} read by * none",
        ]
        return (
            "dn: cn=config\nobjectClass: olcGlobal\ncn: config\n"
            f"olcPidFile: {self.dir}/slapd.pid\n"
            f"olcTLSCACertificateFile: {self.pki.ca}\n"
            f"olcTLSCertificateFile: {cert}\n"
            f"olcTLSCertificateKeyFile: {key}\n"
            "olcLogLevel: stats\n"
            # SASL EXTERNAL: a client certificate may name the service
            "olcTLSVerifyClient: try\n"
            f'olcAuthzRegexp: {{0}}"^cn=sspr-client$" "{SERVICE_DN}"\n'
            + (self.kdc.slapd_config(SERVICE_DN) if self.kdc else "") +
            "olcSizeLimit: 50\n\n"
            "dn: cn=module{0},cn=config\nobjectClass: olcModuleList\n"
            "cn: module{0}\nolcModulePath: /usr/lib/ldap\n"
            "olcModuleLoad: back_mdb\nolcModuleLoad: ppolicy\n"
            + ("olcModuleLoad: unique\n" if self.unique else "") + "\n"
            "dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\n"
            "cn: schema\n\n"
            f"include: file://{SCHEMA}/core.ldif\n\n"
            f"include: file://{SCHEMA}/cosine.ldif\n\n"
            f"include: file://{SCHEMA}/inetorgperson.ldif\n\n"
            f"include: file://{SSPR_SCHEMA}\n\n"
            "dn: olcDatabase={-1}frontend,cn=config\n"
            "objectClass: olcDatabaseConfig\nobjectClass: olcFrontendConfig\n"
            "olcDatabase: {-1}frontend\n\n"
            "dn: olcDatabase={0}config,cn=config\n"
            "objectClass: olcDatabaseConfig\nolcDatabase: {0}config\n"
            "olcAccess: {0}to * by * none\n\n"
            "dn: olcDatabase={1}mdb,cn=config\n"
            "objectClass: olcDatabaseConfig\nobjectClass: olcMdbConfig\n"
            f"olcDatabase: {{1}}mdb\nolcDbDirectory: {db}\n"
            f"olcSuffix: {SUFFIX}\nolcRootDN: {ADMIN_DN}\nolcRootPW: {pw}\n"
            "olcDbMaxSize: 16777216\n"
            + "".join(f"olcAccess: {{{i}}}{a}\n" for i, a in enumerate(acl))
            + "\n"
            "dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config\n"
            "objectClass: olcOverlayConfig\nobjectClass: olcPPolicyConfig\n"
            f"olcOverlay: {{0}}ppolicy\nolcPPolicyDefault: {POLICY_DN}\n\n"
            + (f"dn: olcOverlay={{1}}unique,olcDatabase={{1}}mdb,cn=config\n"
               "objectClass: olcOverlayConfig\nobjectClass: olcUniqueConfig\n"
               "olcOverlay: {1}unique\n"
               f"olcUniqueURI: ldap:///{SUFFIX}?{','.join(self.unique)}?sub\n\n"
               if self.unique else ""))

    def _data_ldif(self):
        out = _entry(SUFFIX, {"objectClass": ["dcObject", "organization"],
                              "dc": "example", "o": "Example"})
        for ou in ("people", "services", "policies"):
            out += _entry(f"ou={ou},{SUFFIX}",
                          {"objectClass": "organizationalUnit", "ou": ou})
        out += _entry(SERVICE_DN, {
            "objectClass": ["organizationalRole", "simpleSecurityObject"],
            "cn": "sspr",
            "userPassword": _run(["slappasswd", "-s", SERVICE_PW]).strip()})
        out += _entry(POLICY_DN, {
            "objectClass": ["organizationalRole", "pwdPolicy"],
            "cn": "default", **POLICY})
        upw = _run(["slappasswd", "-s", USER_PW]).strip()
        for name, extra in USERS.items():
            attrs = {"objectClass": ["inetOrgPerson"], "uid": name,
                     "cn": name, "sn": name, "userPassword": upw}
            if "ssprVerified" in extra:
                attrs["objectClass"].append("ssprPerson")
            attrs.update(extra)
            out += _entry(f"uid={name},{PEOPLE}", attrs)
        return out

    def _client_cert(self):
        """client.pem/client.key: CN=sspr-client from the test CA, for
        SASL EXTERNAL (readable by the helper user: a test file)."""
        d = self.dir
        run = lambda *a: _run(["openssl", *a], cwd=d)  # noqa: E731
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "client.key", "-out", "client.csr",
            "-subj", "/CN=sspr-client")
        with open(os.path.join(d, "client.ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
        run("x509", "-req", "-in", "client.csr", "-CA", self.pki.ca,
            "-CAkey", os.path.join(self.pki.dir, "ca.key"), "-CAcreateserial",
            "-CAserial", os.path.join(d, "ca.srl"), "-out", "client.pem",
            "-days", "2", "-extfile", "client.ext")
        for n in ("client.pem", "client.key"):
            os.chmod(os.path.join(d, n), 0o644)
        self.client_cert = os.path.join(d, "client.pem")
        self.client_key = os.path.join(d, "client.key")

    def _make(self):
        self._client_cert()
        cfg = os.path.join(self.dir, "slapd.d")
        os.makedirs(cfg, mode=0o700)
        for name, text, db in (("config.ldif", self._config_ldif(), "0"),
                               ("data.ldif", self._data_ldif(), "1")):
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text)
            _run([SLAPADD, "-F", cfg, "-n", db, "-l", path])
        self._made = True

    # -- life --------------------------------------------------------------
    def start(self):
        if not self._made:
            self._make()
        self.log = open(self.logfile, "ab")
        env = self.kdc.slapd_env() if self.kdc else None
        # -d stats: stays in the foreground and logs to stderr (the file)
        self.proc = subprocess.Popen(
            [SLAPD, "-d", "stats", "-F", os.path.join(self.dir, "slapd.d"),
             "-h", f"{self.uri}/ {self.ldaps_uri}/"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True, env=env)
        atexit.register(self.stop)
        return self.wait_listening("slapd", (self.port, self.ldaps_port), 15)

    def log_text(self):
        with open(self.logfile, errors="replace") as f:
            return f.read()

    def count(self, text, what):
        """How many connect/bind/search/starttls operations `text` (a part
        of log_text()) shows."""
        return len(re.findall(self.LOG_PATTERNS[what], text))

    @staticmethod
    def filters(text):
        """The search filters in `text`, as the server logged them."""
        return re.findall(r' SRCH base=.* filter="([^"]*)"', text)

    # -- reading and writing as the admin ----------------------------------
    def _cli(self, tool, *args, stdin=None):
        # The admin's own view is verified too, except against the server
        # whose certificate is wrong on purpose.
        env = dict(os.environ, LDAPTLS_CACERT=self.pki.ca,
                   LDAPTLS_REQCERT="demand" if self.cert == "good" else "allow")
        return _run([tool, "-x", "-H", self.uri, "-ZZ", "-D", self.admin_dn,
                     "-w", self.admin_pw, *args], stdin=stdin, env=env)

    def attrs(self, user, *names):
        """{attr: [values]} of uid=user (as the admin)."""
        out = self._cli("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b",
                        f"uid={user},{PEOPLE}", "-s", "base",
                        "(objectClass=*)", *names)
        got = {}
        for line in out.splitlines():
            if ": " in line and not line.startswith("dn:"):
                k, v = line.split(": ", 1)
                got.setdefault(k, []).append(v)
        return got

    def binds(self, user, password):
        """True when uid=user binds with `password` (ldapwhoami, as the
        person would), False when slapd says invalidCredentials."""
        env = dict(os.environ, LDAPTLS_CACERT=self.pki.ca,
                   LDAPTLS_REQCERT="demand" if self.cert == "good" else "allow")
        p = subprocess.run(["ldapwhoami", "-x", "-H", self.uri, "-ZZ", "-D",
                            f"uid={user},{PEOPLE}", "-w", password],
                           capture_output=True, text=True, timeout=30,
                           env=env)
        if p.returncode not in (0, 49):
            raise RuntimeError(f"ldapwhoami: {p.returncode}\n{p.stderr}")
        return p.returncode == 0

    def modify(self, ldif):
        self._cli("ldapmodify", stdin=ldif)

    def add_values(self, user, attr, values):
        """Adds `values` to attr of uid=user (and the ssprPerson class,
        which allows pam_sspr's attributes, if it lacks it)."""
        ldif = f"dn: uid={user},{PEOPLE}\nchangetype: modify\n"
        if "ssprPerson" not in self.attrs(user, "objectClass")["objectClass"]:
            ldif += "add: objectClass\nobjectClass: ssprPerson\n-\n"
        ldif += f"add: {attr}\n" + "".join(f"{attr}: {v}\n"
                                           for v in values) + "-\n"
        self.modify(ldif)

    def reset(self, user):
        """Puts uid=user back as USERS has it (mapped attributes only)."""
        extra = USERS[user]
        ldif = f"dn: uid={user},{PEOPLE}\nchangetype: modify\n"
        for a in ("mobile", "telephoneNumber", "mail", "homePhone"):
            ldif += f"replace: {a}\n"
            for v in extra.get(a, []):
                ldif += f"{a}: {v}\n"
            ldif += "-\n"
        cur = self.attrs(user, "ssprVerified", "ssprQuestionHash",
                         "objectClass")
        for a in ("ssprVerified", "ssprQuestionHash"):
            if cur.get(a) or extra.get(a):
                ldif += f"replace: {a}\n"
                for v in extra.get(a, []):
                    ldif += f"{a}: {v}\n"
                ldif += "-\n"
        if "ssprPerson" in cur["objectClass"] and "ssprVerified" not in extra:
            ldif += "delete: objectClass\nobjectClass: ssprPerson\n-\n"
        self.modify(ldif)


if __name__ == "__main__":  # a manual look: starts, lists people, stops
    why = unavailable_reason()
    if why:
        print("skip:", why)
        sys.exit(77)
    s = Slapd().start()
    try:
        print(s.uri, s.ldaps_uri)
        print(s.attrs("ldapreg"))
    finally:
        s.cleanup()
