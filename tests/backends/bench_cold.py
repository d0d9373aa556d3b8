"""Figures for the registration services (not a test; run as root with the
same environment as the backend tests, e.g. via
`ctest -R backend_test_rest -V` for the variables, or:
  SSPR_MODULE=... SSPR_HELPER=... SSPR_PAMTEST=... SSPR_SOURCE_DIR=... \
  python3 tests/backends/bench_cold.py [N]).
For each backend: requests per login (cached, cold, first), and the p50/p90
of a cold check (cache entry removed; full PAM stack, helper start, TLS
handshake, one request) against the local fakes."""
import os
import statistics
import sys
import time

import bhelp
from bhelp import US_E164, BackendEnv, pki
from fake_graph import FakeGraph
from fake_okta import FakeOkta
from fake_rest import FakeRest


def measure(name, env, svc, user, n):
    code, _ = env.run(user)  # first login (token, Okta user id)
    assert code == 0, (name, code, env.log())
    first = svc.count() if svc else 0
    before = svc.count() if svc else 0
    env.run(user)
    cached = (svc.count() - before) if svc else 0
    times, reqs = [], []
    for _ in range(n):
        os.unlink(os.path.join(env.cache, user))
        before = svc.count() if svc else 0
        t0 = time.monotonic()
        code, _ = env.run(user)
        times.append((time.monotonic() - t0) * 1000)
        assert code == 0
        reqs.append((svc.count() - before) if svc else 0)
    times.sort()
    print(f"{name:6} first={first} cached={cached} cold={max(reqs)} "
          f"p50={statistics.median(times):.1f}ms "
          f"p90={times[int(len(times) * 0.9) - 1]:.1f}ms")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    bhelp.require_root = None
    env = BackendEnv({"backend": "local"}, {})
    code, out = env.run("alice", "1", "", bhelp.US, "1", "@code", "n")
    assert code == 0, out
    measure("local", env, None, "alice", n)
    env.cleanup()

    rest = FakeRest(pki(), "t").start()
    rest.users = {"alice": [{"type": "mobile", "value": US_E164}]}
    env = BackendEnv({"backend": "rest", "rest_url": rest.url},
                     {"rest_token": "t"})
    measure("rest", env, rest, "alice", n)
    env.cleanup()
    rest.stop()

    g = FakeGraph(pki(), "t.test", "c1", "s").start()
    g.add_user("alice@t.test", {"mobile": "+1 2015550123"})
    env = BackendEnv({"backend": "graph", "graph_tenant": "t.test",
                      "graph_client_id": "c1", "graph_login_url": g.url,
                      "graph_url": g.url, "directory_user": "%u@t.test"},
                     {"graph_client_secret": "s"})
    measure("graph", env, g, "alice", n)
    env.cleanup()
    g.stop()

    o = FakeOkta(pki(), "t").start()
    o.add_user("alice@x.test", [("sms", US_E164, "ACTIVE")])
    env = BackendEnv({"backend": "okta", "okta_url": o.url,
                      "directory_user": "%u@x.test"}, {"okta_api_token": "t"})
    measure("okta", env, o, "alice", n)
    env.cleanup()
    o.stop()


if __name__ == "__main__":
    main()
