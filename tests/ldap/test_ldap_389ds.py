"""test_ldap.py's cases against a real 389 Directory Server (FreeIPA's
directory; tests/ldap/ds389_env.py), with the freeipa preset
(posixAccount people), through real libpam, module and helper."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ds389_env  # noqa: E402
import test_ldap  # noqa: E402  (the module: its classes are not run here)


class Ldap389(test_ldap.Ldap):
    server_class = ds389_env.DS389
    server_unavailable = staticmethod(ds389_env.unavailable_reason)
    extra_conf = {"ldap_schema": "freeipa"}
    filter_head = "(&(objectClass=posixAccount)"

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        print("389 DS instance: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in cls.slapd.timings.items()),
            file=sys.stderr)

    @unittest.skip("SASL EXTERNAL is proved against slapd; a 389 DS certmap "
                   "is server configuration, not backend behaviour")
    def test_sasl_external_binds_with_the_client_certificate(self):
        pass


if __name__ == "__main__":
    test_ldap.main()
