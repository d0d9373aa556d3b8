"""The module's stale-if-error: an expired positive cache entry answers
while the service is unavailable, for at most stale_ttl; a negative
answer drops the entry; nothing negative is ever cached."""
import os
import socket
import time

from bhelp import (PAM_AUTHINFO_UNAVAIL, PAM_PERM_DENIED, PAM_SUCCESS,
                   US_E164, BackendCase, main, pki)
from fake_rest import FakeRest

TOKEN = "rest-token-stale"


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"https://127.0.0.1:{port}"


class Stale(BackendCase):

    def setUp(self):
        self.svc = self.started(FakeRest(pki(), TOKEN))
        self.svc.users = {"alice": [{"type": "mobile", "value": US_E164}],
                          "bob": []}
        self.make_env({"backend": "rest", "rest_url": self.svc.url,
                       "failmode": "secure", "stale_ttl": "3600"},
                      {"rest_token": TOKEN})
        self.entry = os.path.join(self.env.cache, "alice")

    def expire(self, written_ago):
        with open(self.entry, "w") as f:
            f.write(f"registered {int(time.time()) - 1}\n")
        t = time.time() - written_ago
        os.utime(self.entry, (t, t))

    def test_service_down_uses_recent_entry_and_logs_it(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.expire(written_ago=600)
        self.env.set(rest_url=closed_port_url())
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertRegex(self.env.last_log(),
                         r"user=alice .*outcome=unavailable result=success "
                         r"\(stale cache: registered as of 6\d\ds ago, "
                         r"stale_ttl=3600\): lookup failed: rest: cannot connect")
        self.assertTrue(os.path.exists(self.entry), "entry dropped")

    def test_too_old_entry_is_not_used(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.expire(written_ago=7200)
        self.env.set(rest_url=closed_port_url())
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertNotIn("stale cache", self.env.last_log())

    def test_stale_ttl_zero_turns_it_off(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.expire(written_ago=60)
        self.env.set(rest_url=closed_port_url(), stale_ttl=0)
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)

    def test_service_error_answer_also_uses_it(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.expire(written_ago=60)
        self.svc.fault("500")
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("HTTP 500", self.env.last_log())

    def test_negative_answer_drops_the_entry_and_is_never_cached(self):
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_SUCCESS, out)
        self.svc.users["alice"] = []  # methods removed at the service
        self.expire(written_ago=60)
        code, out = self.env.run("alice")  # cannot prompt: denied
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertFalse(os.path.exists(self.entry))
        self.env.set(rest_url=closed_port_url())
        code, out = self.env.run("alice")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)


if __name__ == "__main__":
    main()
