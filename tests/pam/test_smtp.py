"""email_delivery = smtp through real libpam, module and helper, against
tests/fakes/fake_smtp.py: STARTTLS with the test CA, AUTH from secrets_file,
the code read from the message the fake received; and the faults (no
STARTTLS, an untrusted certificate, AUTH refused) that must leave the user
told and unregistered."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))

from harness import (PAM_AUTHINFO_UNAVAIL, PAM_PERM_DENIED,  # noqa: E402
                     PAM_SUCCESS, PamTestCase, main)
import fake_smtp  # noqa: E402
import tls  # noqa: E402

pki = tls.shared_pki


ADDRESS = "Rosa.P@example.org"
PASSWORD = "s3cret-pass"


class Smtp(PamTestCase):
    conf = {"methods": "email", "reconfirm_days": "0"}

    def setUp(self):
        super().setUp()
        env = self.env
        # The driver's @code reads the fake's record, same JSON-lines shape.
        env.outbox = os.path.join(env.root, "smtp-received.jsonl")
        self.fake = fake_smtp.FakeSmtp(pki(), env.outbox,
                                       password=PASSWORD).start()
        self.secrets = os.path.join(env.root, "pam_sspr.secrets")
        with open(self.secrets, "w") as f:
            f.write(f"# test\nsmtp_password = {PASSWORD}\n")
        os.chmod(self.secrets, 0o600)
        env.set(email_delivery="smtp", smtp_url=self.fake.url,
                smtp_from="noreply@example.com", smtp_user="mailer",
                cafile=pki().ca, secrets_file=self.secrets)

    def tearDown(self):
        self.fake.stop()
        super().tearDown()

    def register(self, user="rosa"):
        return self.env.run(user, "1", ADDRESS, "1", "@code:" + ADDRESS, "")

    def test_a_full_registration_goes_over_starttls(self):
        code, out = self.register()
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEqual(len(self.fake.messages), 1, out)
        m = self.fake.messages[0]
        self.assertEqual(m["from"], "FROM:<noreply@example.com>")
        self.assertEqual(m["rcpt"], ["TO:<" + ADDRESS + ">"])
        raw = m["raw"]
        head = raw.split("\r\n\r\n", 1)[0]
        for h in ("Date: ", "From: noreply@example.com", "To: " + ADDRESS,
                  "Subject: Your verification code", "Message-ID: <",
                  "MIME-Version: 1.0",
                  "Content-Type: text/plain; charset=UTF-8",
                  "Content-Transfer-Encoding: 8bit"):
            self.assertIn("\r\n" + h if not raw.startswith(h) else h,
                          raw if raw.startswith(h) else head, h)
        self.assertNotIn("\n", raw.replace("\r\n", ""))  # CRLF only
        self.assertRegex(m["text"], r"^Use \d{6} to verify")
        self.assertNotIn("Subject:", m["text"])
        verbs = self.fake.sessions[0]
        self.assertLess(verbs.index("STARTTLS"), verbs.index("AUTH"))
        self.assertLess(verbs.index("AUTH"), verbs.index("MAIL"))
        rec = self.env.record("rosa")
        self.assertEqual([(x["type"], x["value"]) for x in rec["methods"]],
                         [("email", ADDRESS)])
        # The password and the code never reach the transcript.
        self.assertNotIn(PASSWORD, out)

    def check_fault(self, fault):
        self.fake.fault = fault
        code, out = self.register()
        self.assertNotEqual(code, PAM_SUCCESS, out)
        self.assertIn("The code could not be sent right now", out)
        self.assertIsNone(self.env.record("rosa"))
        self.assertEqual(self.fake.messages, [])
        self.assertTrue(self.fake.sessions, "the helper never connected")
        return out

    def test_no_starttls_is_never_sent_in_clear(self):
        self.check_fault("no_starttls")
        for verbs in self.fake.sessions:
            self.assertNotIn("AUTH", verbs)
            self.assertNotIn("MAIL", verbs)
            self.assertNotIn("DATA", verbs)

    def test_an_untrusted_relay_certificate_gets_no_credentials(self):
        self.check_fault("bad_cert")
        self.assertIn("STARTTLS", self.fake.sessions[0])
        for verbs in self.fake.sessions:
            self.assertNotIn("AUTH", verbs)
            self.assertNotIn("MAIL", verbs)

    def test_a_refused_login_at_the_relay_sends_no_mail(self):
        self.check_fault("auth_fail")
        for verbs in self.fake.sessions:
            self.assertNotIn("MAIL", verbs)

    def test_a_recipient_the_relay_refuses_ends_failed(self):
        """550 to RCPT TO: the relay refuses the address the user typed.
        Told, asked for the address again, and after max_input_attempts the
        login is refused (PAM_PERM_DENIED under failmode=safe), never
        UNAVAILABLE, which failmode=safe would turn into a way in."""
        self.fake.rcpt_replies[ADDRESS] = "550 5.1.1 no such user"
        self.env.set(failmode="safe")
        code, out = self.env.run("rosa", "1", ADDRESS, "1", ADDRESS, "1",
                                 ADDRESS, "1")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEqual(out.count("That address was refused"), 3,
                         out)
        after_first = out.split("That address was refused", 1)[1]
        self.assertIn("E-mail address: ", after_first)
        self.assertNotIn("could not be sent right now", out)
        self.assertEqual(self.fake.messages, [])
        self.assertIsNone(self.env.record("rosa"))

    def test_after_a_refused_recipient_another_address_works(self):
        self.fake.rcpt_replies["nobody@example.org"] = "550 5.1.1 no such user"
        code, out = self.env.run("rosa", "1", "nobody@example.org", "1",
                                 ADDRESS, "1", "@code:" + ADDRESS, "")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("That address was refused", out)
        rec = self.env.record("rosa")
        self.assertEqual([(x["type"], x["value"]) for x in rec["methods"]],
                         [("email", ADDRESS)])

    def test_a_4xx_to_rcpt_stays_temporary(self):
        """451: the relay cannot take it now; the user's address is not
        blamed, and repeated it is the service's failure (failmode)."""
        self.fake.rcpt_replies[ADDRESS] = "451 4.3.0 try again later"
        self.env.set(failmode="secure")
        code, out = self.env.run("rosa", "1", ADDRESS, "1", "1", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("could not be sent right now", out)
        self.assertNotIn("That address was refused", out)

    def test_phones_cannot_use_smtp(self):
        self.env.set(delivery="smtp")
        code, out = self.register()
        self.assertNotEqual(code, PAM_SUCCESS, out)
        self.assertEqual(self.fake.sessions, [])
        self.assertIsNone(self.env.record("rosa"))


if __name__ == "__main__":
    main()
