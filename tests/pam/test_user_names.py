"""Long and odd user names through real libpam, the real module and helper:
every name the module takes gets files that fit NAME_MAX (a hashed name
when the escaped one is too long), and a name the store cannot hold is
refused up front, by policy, before any helper or prompt."""
import hashlib
import os

from harness import (PAM_IGNORE, PAM_PERM_DENIED, PAM_SUCCESS, PamTestCase,
                     main)

US = "201-555-0123"
REGISTER = ["1", "", US, "1", "@code", "n"]


def hashed(name):
    """SafeFileName of a name whose escaped form is longer than 200 bytes."""
    return "+" + hashlib.sha256(os.fsencode(name)).hexdigest()


def all_names(top):
    for _, dirs, files in os.walk(top):
        yield from dirs
        yield from files


class UserNames(PamTestCase):

    def assertRegistersAndStaysRegistered(self, name):
        code, out = self.env.run(name, *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Thanks!", out)
        rec = self.env.record(hashed(name))
        self.assertIsNotNone(rec, sorted(all_names(self.env.state)))
        self.assertEqual(os.fsencode(rec["user"]), os.fsencode(name))
        self.assertEqual(rec["methods"][0]["value"], "+12015550123")
        # Cached under the same hashed name: the next login asks nothing.
        self.assertTrue(os.path.exists(os.path.join(self.env.cache,
                                                    hashed(name))))
        code, out = self.env.run(name)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        # And without the cache, the helper finds the record again.
        os.unlink(os.path.join(self.env.cache, hashed(name)))
        code, out = self.env.run(name)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertNotIn("PROMPT", out)
        for n in all_names(self.env.state):
            self.assertLessEqual(len(os.fsencode(n)), 255, n)
        self.assertIn("user-" + hashed(name) + ".json",
                      os.listdir(os.path.join(self.env.state, "rate")))

    def test_a_256_byte_name_registers(self):
        self.assertRegistersAndStaysRegistered("u" * 256)

    def test_a_name_of_multibyte_characters_registers(self):
        # 85 euro signs (255 bytes, 765 escaped) and 128 e-acute (256).
        self.assertRegistersAndStaysRegistered("\u20ac" * 85)
        self.assertRegistersAndStaysRegistered("\u00e9" * 128)

    def assertRefusedUpFront(self, name, out):
        # Known to NSS: an unknown name is skipped (PAM_IGNORE, no message)
        # and would prove nothing about the refusal.
        self.assertTrue(self.env.known_to_nss(name), ascii(name))
        self.assertNotIn("PROMPT", out)
        self.assertIn("cannot be registered for password reset", out)
        self.assertFalse(os.path.exists(os.path.join(self.env.state, "users"))
                         and os.listdir(os.path.join(self.env.state, "users")))
        self.assertEqual(self.env.outbox_lines(), [])

    def test_a_name_that_is_not_utf8_is_refused_before_any_prompt(self):
        for name in ("caf\udce9",         # Latin-1 bytes: b"caf\xe9"
                     "a\x1b[2Jb",         # a terminal escape
                     "\u00e9" * 200):     # 200 characters, 400 bytes
            code, out = self.env.run(name, *REGISTER)
            self.assertResult(code, PAM_PERM_DENIED, out)
            self.assertRefusedUpFront(name, out)

    def test_refusing_a_name_follows_the_policy_and_the_exemptions(self):
        name = "\u00e9" * 200
        self.env.set(mode="warn")
        code, out = self.env.run(name, *REGISTER)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertRefusedUpFront(name, out)
        self.env.set(mode="block")
        code, out = self.env.run(name, *REGISTER)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertRefusedUpFront(name, out)
        # An exempt account is never refused, whatever its name.
        self.env.set(mode="register", exempt_users=name)
        code, out = self.env.run(name, *REGISTER)
        self.assertResult(code, PAM_IGNORE, out)
        self.assertNotIn("cannot be registered", out)
        self.assertTrue(self.env.known_to_nss(name))  # exempt, not unknown


if __name__ == "__main__":
    main()
