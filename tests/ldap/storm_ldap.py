"""The login storm of bench/storm against a real slapd (not a test; run as
root): python3 tests/ldap/storm_ldap.py BUILD_DIR
STORM_LOGINS (200) concurrent logins of STORM_USERS (100) people, each
registered (a valid mobile) in the directory; backend = ldap with StartTLS.
First cold (empty status cache), then warm. "service_requests" are the
searches slapd logged."""
import importlib.machinery
import importlib.util
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))


def load_storm():
    path = os.path.join(SRC, "bench", "storm")
    loader = importlib.machinery.SourceFileLoader("storm_bench", path)
    spec = importlib.util.spec_from_loader("storm_bench", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def main():
    if os.geteuid() != 0 or len(sys.argv) != 2:
        print("usage (as root): storm_ldap.py BUILD_DIR", file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    os.environ.update({
        "SSPR_MODULE": os.path.join(build, "pam_sspr.so"),
        "SSPR_HELPER": os.path.join(build, "sspr-helper"),
        "SSPR_PAMTEST": os.path.join(build, "tests", "sspr-pamtest"),
        "SSPR_SOURCE_DIR": SRC})
    sys.path.insert(0, os.path.join(SRC, "tests", "backends"))
    sys.path.insert(0, HERE)
    from bhelp import BackendEnv  # noqa: E402
    import slapd_env  # noqa: E402
    storm = load_storm()
    if slapd_env.unavailable_reason():
        print("skip:", slapd_env.unavailable_reason())
        return 77

    logins = int(os.environ.get("STORM_LOGINS", "200"))
    nusers = int(os.environ.get("STORM_USERS", "100"))
    deadline = int(os.environ.get("STORM_HELPER_TIMEOUT", "10"))
    users = [f"storm{i:03d}" for i in range(nusers)]
    s = slapd_env.Slapd().start()
    ldif = "".join(
        f"dn: uid={u},{slapd_env.PEOPLE}\nchangetype: add\n"
        f"objectClass: inetOrgPerson\nuid: {u}\ncn: {u}\nsn: {u}\n"
        f"mobile: +1201555{i:04d}\n\n" for i, u in enumerate(users))
    s.modify(ldif)
    env = BackendEnv({"backend": "ldap", "ldap_uri": s.uri,
                      "ldap_base": slapd_env.PEOPLE,
                      "ldap_bind_dn": slapd_env.SERVICE_DN,
                      "helper_timeout": str(deadline)},
                     {"ldap_bind_password": slapd_env.SERVICE_PW})

    def searches():
        return len(re.findall(r" SRCH base=", s.log_text()))
    try:
        print(f"pam_sspr login storm against slapd  "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"{os.cpu_count()} CPU(s); load before: "
              f"{open('/proc/loadavg').read().split()[:3]}")
        print(f"{logins} concurrent logins of {nusers} distinct users, "
              f"ldap+StartTLS, helper_timeout={deadline}s")
        for name in ("cold", "warm"):
            before = searches()
            lat, codes = storm.storm(env, users, logins, deadline)
            storm.report(name, lat, codes, logins, deadline,
                         searches() - before)
    finally:
        env.cleanup()
        s.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
