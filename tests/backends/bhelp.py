"""Shared by the backend tests: the PAM harness plus a test PKI, a secrets
file, the module's syslog lines (via an LD_PRELOAD shim) and the fault
tests every backend must pass."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pam"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))

from harness import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_PERM_DENIED,  # noqa
                     PAM_SUCCESS, PAM_TRY_AGAIN, PAMTEST, SHIM, Env,
                     PamTestCase, main)
import tls  # noqa: E402

US = "201-555-0123"
US_E164 = "+12015550123"

pki = tls.shared_pki


class BackendEnv(Env):
    """An Env whose helper talks to a fake service."""

    def __init__(self, conf, secrets):
        conf = dict(conf)
        # Registered users are not asked to re-confirm their methods here
        # (that feature has its own tests), where this build has it.
        src = os.path.join(os.environ.get("SSPR_SOURCE_DIR", ""),
                           "config", "config.cc")
        if os.path.exists(src) and '"reconfirm_days"' in open(src).read():
            conf.setdefault("reconfirm_days", "0")
        super().__init__(conf=conf, syslog=True)
        self.secrets_path = os.path.join(self.root, "pam_sspr.secrets")
        self.write_secrets(secrets)
        self.set(secrets_file=self.secrets_path, cafile=pki().ca)

    def write_secrets(self, secrets, mode=0o600):
        with open(self.secrets_path, "w") as f:
            for k, v in secrets.items():
                f.write(f"{k} = {v}\n")
        os.chmod(self.secrets_path, mode)


class BackendCase(PamTestCase):
    """Subclasses set up self.svc (started fake) and self.env."""

    failmode_seconds = 8.0  # how long an unavailable service may cost
    unlogged_secrets = ()   # secrets that must never reach the syslog

    def failmodes(self, expect_log, max_seconds=None, user=None):
        """The service fails as arranged: failmode=safe lets the login go
        on (PAM_IGNORE), secure refuses it; both within max_seconds,
        logged as unavailable with expect_log, nothing cached."""
        user = user or self.registered_user
        max_seconds = max_seconds or self.failmode_seconds
        for failmode, want in (("safe", PAM_IGNORE),
                               ("secure", PAM_AUTHINFO_UNAVAIL)):
            self.env.set(failmode=failmode)
            t0 = time.monotonic()
            code, out = self.env.run(user)
            took = time.monotonic() - t0
            self.assertResult(code, want, out)
            self.assertLess(took, max_seconds, out)
            last = self.env.last_log()
            self.assertIn("outcome=unavailable", last)
            self.assertRegex(last, expect_log)
            self.assertFalse(self.env.cached(user), "a failure was cached")
            for secret in self.unlogged_secrets:
                self.assertNotIn(secret, self.env.log())
        return out

    def reset_stack(self):
        """The README's auth lines; alice is no account of pam_unix here,
        so every password is wrong and the reset is reached."""
        self.env.set(reset="yes", reset_contact="the IT desk")
        path = os.path.join(self.env.confdir, self.env.service)
        with open(path) as f:
            account = f.read()
        with open(path, "w") as f:
            f.write("auth [success=done default=ignore] pam_unix.so\n"
                    f"auth requisite {self.env.module} "
                    f"conf={self.env.conf_path} helper={self.env.helper}\n"
                    "auth required pam_deny.so\n" + account)

    def make_env(self, conf, secrets):
        self.env = BackendEnv(conf, secrets)

    def tearDown(self):
        for s in getattr(self, "_services", []):
            s.stop()
        super().tearDown()

    def started(self, svc):
        self._services = getattr(self, "_services", []) + [svc.start()]
        return svc

    def assertLogged(self, pattern):
        log = self.env.log()
        self.assertRegex(log, pattern, f"syslog was:\n{log}")


class FaultTests:
    """Mixed into each backend's test case. Needs: self.svc, self.env,
    self.point_at(url) (config the backend's URL(s)), self.registered_user
    (a user the fake knows as registered), self.status_prefix (the path
    prefix of the status request) and self.shape_error (regex)."""

    def test_a_refused_connection_is_unavailable(self):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        self.point_at(f"https://127.0.0.1:{port}")
        self.failmodes(r"cannot connect to 127\.0\.0\.1")

    def test_a_stalled_service_is_unavailable_within_the_deadline(self):
        self.env.set(request_timeout=2)
        self.svc.stall_seconds = 8
        self.svc.fault("stall", self.status_prefix)
        self.failmodes(r"no answer from 127\.0\.0\.1 within", max_seconds=6)

    def test_a_500_is_unavailable(self):
        self.svc.fault("500", self.status_prefix)
        self.failmodes(r"HTTP 500")

    def test_a_429_retry_after_is_honoured(self):
        self.svc.fault("429", self.status_prefix, times=1, retry_after=1)
        t0 = time.monotonic()
        code, out = self.env.run(self.registered_user)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)

    def test_a_429_retry_after_beyond_the_deadline_is_unavailable(self):
        self.svc.fault("429", self.status_prefix, retry_after=600)
        self.failmodes(r"HTTP 429 \(retry in 60\d s does not fit the deadline")

    def test_malformed_json_is_unavailable(self):
        self.svc.fault("malformed", self.status_prefix)
        self.failmodes(r"malformed JSON")

    def test_json_of_the_wrong_shape_is_unavailable(self):
        self.svc.fault("shape", self.status_prefix)
        self.failmodes(self.shape_error)

    def test_a_10_mib_body_is_unavailable(self):
        self.svc.fault("huge", self.status_prefix)
        self.failmodes(r"larger than 1048576 bytes")

    def test_a_redirect_to_another_host_is_refused(self):
        self.svc.fault("redirect", self.status_prefix)
        self.failmodes(r"redirect to other\.example refused")

    def test_an_untrusted_certificate_is_refused(self):
        other = self.started(self.clone(cert="untrusted"))
        self.point_at(other.url)
        self.failmodes(r"TLS certificate of 127\.0\.0\.1 not accepted")
        self.assertEqual(other.count(), 0)

    def test_a_certificate_for_another_host_name_is_refused(self):
        other = self.started(self.clone(cert="wrongname"))
        self.point_at(other.url)
        self.failmodes(r"TLS certificate of 127\.0\.0\.1 not accepted.*"
                       r"(name|subject)")
        self.assertEqual(other.count(), 0)

    def test_a_pinned_public_key_must_match(self):
        self.env.set(pinned_pubkey=pki().spki_pin("good"))
        code, out = self.env.run(self.registered_user)
        self.assertResult(code, PAM_SUCCESS, out)
        os.unlink(os.path.join(self.env.cache, self.registered_user))
        self.env.set(pinned_pubkey=pki().spki_pin("wrongname"))
        self.failmodes(r"does not match pinned_pubkey")

    def test_secrets_file_must_be_private(self):
        self.env.write_secrets(self.secrets, mode=0o644)
        self.failmodes(r"secrets_file .* must be a regular file owned by root "
                       r"with mode 0600")


class MidRegistrationFaults:
    """Faults after a successful status lookup (the user is not registered),
    at one registration step. Mixed into a backend's test case; it calls
    self.mid_fault(...) with its own steps."""

    # request_timeout for these cases; a stall lasts longer
    STALL_TIMEOUT = 2

    def mid_fault(self, kind, user, answers, step, expect_log,
                  failmode="secure", before=None, max_seconds=10.0):
        """`step` is (method, path regex) of the failing request; for kind
        "down" `before` is the (method, path regex) of the last request
        that succeeds, after which the service refuses connections."""
        self.env.set(failmode=failmode, max_input_attempts=1,
                     request_timeout=self.STALL_TIMEOUT)
        if kind == "down":
            self.svc.fault("down", method=before[0], path=before[1], times=1)
        elif kind == "stall":
            self.svc.stall_seconds = 3 * self.STALL_TIMEOUT
            self.svc.fault("stall", method=step[0], path=step[1], drop=True)
        else:
            self.svc.fault(kind, method=step[0], path=step[1])
        t0 = time.monotonic()
        code, out = self.env.run(user, *answers)
        took = time.monotonic() - t0
        want = PAM_AUTHINFO_UNAVAIL if failmode == "secure" else PAM_IGNORE
        self.assertResult(code, want, out)
        self.assertLess(took, max_seconds, out)
        self.assertIn("not available right now", out)
        self.assertIn("CHILDREN: none", out)
        last = self.env.last_log()
        self.assertIn("outcome=unavailable", last)
        self.assertRegex(last, expect_log)
        self.assertFalse(self.env.cached(user), "a failure was cached")
        return out


# What the helper logs for each kind of fault (after "<service>: ... ").
FAULT_LOG = {
    "down": r"cannot connect to 127\.0\.0\.1",
    "stall": r"no answer from 127\.0\.0\.1 within",
    "500": r"HTTP 500",
    "malformed": r"malformed JSON",
}
