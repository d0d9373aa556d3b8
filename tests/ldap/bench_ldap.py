"""Figures for backend = ldap (not a test; run as root with the backend
tests' environment, see tests/backends/bench_cold.py):
  python3 tests/ldap/bench_ldap.py [N]
Cold check p50/p90 (cache entry removed: full PAM stack, helper start,
TCP + StartTLS + bind + one search), local vs ldap against a real slapd;
"requests" are the searches slapd logged (first, cached, cold)."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "backends"))

import bhelp  # noqa: E402
from bench_cold import measure  # noqa: E402
from bhelp import BackendEnv  # noqa: E402
import slapd_env  # noqa: E402


class Searches:
    """measure()'s service: count() = searches slapd has logged."""

    def __init__(self, slapd):
        self.slapd = slapd
        self.base = self.total()

    def total(self):
        return len(re.findall(r" SRCH base=", self.slapd.log_text()))

    def count(self):
        return self.total() - self.base


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    why = slapd_env.unavailable_reason()
    if why:
        print("skip:", why)
        return 77
    env = BackendEnv({"backend": "local"}, {})
    code, out = env.run("alice", "1", "", bhelp.US, "1", "@code", "n")
    assert code == 0, out
    measure("local", env, None, "alice", n)
    env.cleanup()

    s = slapd_env.Slapd().start()
    try:
        for uri, name in ((s.uri, "ldap+starttls"), (s.ldaps_uri, "ldaps")):
            env = BackendEnv({"backend": "ldap", "ldap_uri": uri,
                              "ldap_base": slapd_env.PEOPLE,
                              "ldap_bind_dn": slapd_env.SERVICE_DN},
                             {"ldap_bind_password": slapd_env.SERVICE_PW})
            measure(name, env, Searches(s), "ldapreg", n)
            env.cleanup()
    finally:
        s.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
