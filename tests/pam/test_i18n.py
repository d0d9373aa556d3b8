"""Languages and the admin's texts through real libpam, module and helper:
LANG from the PAM environment (else the application's), German end to
end including the text message, English for anything else, texts_file."""
import os
import shutil
import subprocess

import harness
from harness import (PAM_AUTHINFO_UNAVAIL, PAM_IGNORE, PAM_PERM_DENIED,
                     PAM_SUCCESS, PamTestCase, main)

US = "201-555-0123"
LOCALE_DIR = os.environ.get("SSPR_LOCALE_DIR", "")
GERMAN = ["--env", "LANG=de_DE.UTF-8"]


class I18nCase(PamTestCase):

    def setUp(self):
        super().setUp()
        if not LOCALE_DIR or not os.path.exists(
                os.path.join(LOCALE_DIR, "de", "LC_MESSAGES", "pam_sspr.mo")):
            self.fail("SSPR_LOCALE_DIR has no built de catalogue (run via ctest)")
        self.env.set(locale_dir=LOCALE_DIR)

    def register_mobile(self, user, extra=()):
        return self.env.run(user, "1", "", US, "1", "@code", "n", extra=extra)

    def run_app_env(self, user, app_env, *answers, extra=()):
        """Like Env.run, with variables in the application's environment."""
        e = self.env
        cmd = [harness.PAMTEST, "--confdir", e.confdir, "--service", e.service,
               "--user", user, "--outbox", e.outbox, *extra, *answers]
        e.ensure_person(user)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env={**e.command_env(), **app_env},
                           stdin=subprocess.DEVNULL)
        code = (PAM_IGNORE if p.returncode == harness.PAM_TRY_AGAIN
                else p.returncode)
        return code, p.stdout + p.stderr

    def texts_file(self, content, mode=0o644):
        path = os.path.join(self.env.root, "pam_sspr.texts")
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        os.chmod(path, mode)
        self.env.set(texts_file=path)
        return path

    def assertGerman(self, out):
        self.assertIn("Verlieren Sie nicht den Zugriff auf Ihr Konto!", out)
        self.assertNotIn("Don't lose access", out)

    def assertEnglish(self, out):
        self.assertIn("Don't lose access to your account!", out)
        self.assertNotIn("Verlieren Sie", out)


class Languages(I18nCase):

    def test_a_german_registration_runs_end_to_end(self):
        code, out = self.register_mobile("alice", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        for text in (
                "Verlieren Sie nicht den Zugriff auf Ihr Konto!\n"
                "Ihre Organisation verlangt eine Möglichkeit, Ihr Kennwort "
                "zurückzusetzen",
                "Wählen Sie eine Methode zum Registrieren:\n"
                "  1) Telefon für Authentifizierung (SMS oder Anruf)\n"
                "  2) Bürotelefon (Anruf)\n",
                "Länder- oder Regionscode (z. B. US, GB oder +44)",
                "Telefonnummer (US) mit Vorwahl: ",
                "Wir senden einen Code an +1 201-555-0123.\n"
                "  1) SMS an mich senden\n  2) Mich anrufen\n"
                "  b) Zurück: eine andere Nummer verwenden\nAuswahl [1]: ",
                "Wir haben einen 6-stelligen Code per SMS an +1 201-555-0123 "
                "gesendet. Er ist 5 Minuten lang gültig.",
                "Geben Sie den Code ein (r = neuen Code senden, b = zurück, "
                "q = beenden): ",
                "Danke! Ihr Telefon für Authentifizierung +1 201-555-0123 ist "
                "bestätigt und für die Kennwortzurücksetzung registriert.",
                "Jetzt eine Ersatzmethode hinzufügen? [y/N]: ",
                "Alles erledigt. Für die Kennwortzurücksetzung registriert:\n"
                "  - Telefon für Authentifizierung +1 ",
                "Drücken Sie die Eingabetaste, um fortzufahren. "):
            self.assertIn(text, out)
        self.assertIn("  2) Bürotelefon (Anruf)\n  q) Beenden\nAuswahl [1]: ",
                      out)
        for english in ("Don't lose access", "Choose a method", "We texted",
                        "Enter the code", "Thanks!", "all set",
                        "Press Enter", "Quit", "Choice"):
            self.assertNotIn(english, out)
        # The text message is German too, and the code comes first.
        msgs = self.env.outbox_lines()
        self.assertEqual(len(msgs), 1)
        self.assertRegex(
            msgs[0]["text"],
            r"^\d{6} ist Ihr Bestätigungscode für die Registrierung zur "
            r"Kennwortzurücksetzung\. Er verfällt in 5 Minuten\. Geben Sie "
            r"ihn an niemanden weiter\.$")
        self.assertEqual(self.env.record("alice")["methods"][0]["value"],
                         "+12015550123")

    def test_input_errors_are_explained_in_german(self):
        code, out = self.env.run("zoe", "9", "1", "ZZ", "", "12", US, "1",
                                 "abc", "@code", "n", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        for text in ("Bitte antworten Sie mit 1-2 oder q.",
                     "„ZZ“ ist kein Länder- oder Regionscode",
                     "Diese Nummer ist für US zu kurz.",
                     "Bitte antworten Sie mit dem 6-stelligen Code, r, b "
                     "oder q."):
            self.assertIn(text, out)

    def test_a_wrong_code_is_told_in_german_with_its_plural(self):
        self.env.set(max_attempts=3)
        code, out = self.env.run("bob", "1", "", US, "1", "@wrongcode",
                                 "@wrongcode", "@code", "n", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Dieser Code ist nicht richtig. Noch 2 Versuche.", out)
        self.assertIn("Dieser Code ist nicht richtig. Noch 1 Versuch.", out)

    def test_email_and_security_questions_register_in_german(self):
        self.env.set(methods="email, questions", methods_required=2)
        code, out = self.env.run(
            "carol", "1", "carol@example.com", "", "@code",
            "1", "1", "Fluffy", "1", "Paris", "1", "Main Street", "",
            extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("E-Mail-Adresse: ", out)
        self.assertIn("Wir senden einen Code per E-Mail an carol@example.com.",
                      out)
        self.assertIn("Sicherheitsfrage 1 von 3. Wählen Sie eine Frage:\n"
                      "  1) Wie hieß Ihr erstes Haustier?", out)
        self.assertIn("Ihre Antwort (3 bis 40 Zeichen, wird nicht angezeigt)",
                      out)
        self.assertIn("Danke! Ihre Antworten auf 3 Sicherheitsfragen sind "
                      "für die Kennwortzurücksetzung gespeichert.", out)
        mail = self.env.outbox_lines()[0]["text"]
        self.assertTrue(mail.startswith("Subject: Ihr Bestätigungscode\n\n"
                                        "Verwenden Sie "), mail)
        # The question is stored as the user read it.
        rec = self.env.record("carol")
        questions = [qa["question"] for m in rec["methods"]
                     for qa in m.get("answers", [])]
        self.assertIn("Wie hieß Ihr erstes Haustier?", questions)

    def test_unknown_or_no_language_is_english(self):
        self.env.set(rate_limit=100)  # one number, many registrations
        for i, lang in enumerate(("xx_YY.UTF-8", "C", "POSIX", "en_US.UTF-8",
                                  "de_DE.UTF-8/../../x", "")):
            user = f"u{i}"
            extra = ["--env", f"LANG={lang}"] if lang else []
            code, out = self.register_mobile(user, extra=extra)
            self.assertResult(code, PAM_SUCCESS, out)
            self.assertEnglish(out)
            self.assertIn("We texted a 6-digit code", out)
            text = self.env.outbox_lines()[-1]["text"]
            self.assertRegex(text, r"^\d{6} is your verification code", lang)

    def test_the_applications_lang_counts_when_the_pam_environment_has_none(self):
        code, out = self.run_app_env("dora", {"LANG": "de_DE.UTF-8"}, "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertGerman(out)
        self.assertIn("Es wurde keine Methode registriert.", out)
        # The PAM environment wins over the application's.
        code, out = self.run_app_env("dora", {"LANG": "de_DE.UTF-8"}, "q",
                                     extra=["--env", "LANG=C"])
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertEnglish(out)

    def test_no_catalogue_installed_is_english(self):
        self.env.set(locale_dir=os.path.join(self.env.root, "no-locale"))
        code, out = self.register_mobile("erik", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertEnglish(out)

    def test_the_catalogue_is_read_before_the_privilege_drop(self):
        # Readable by root only: the helper loads it before it drops to
        # helper_user.
        private = os.path.join(self.env.root, "locale")
        shutil.copytree(LOCALE_DIR, private)
        os.chmod(private, 0o700)
        self.env.set(locale_dir=private)
        code, out = self.register_mobile("emma", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertGerman(out)
        self.assertIn("Alles erledigt.", out)

    def test_the_block_message_is_in_german(self):
        self.env.set(mode="block", show_qr="no")
        code, out = self.env.run("fred", extra=GERMAN)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("ERROR: Sie müssen eine Methode zur "
                      "Kennwortzurücksetzung registrieren, bevor Sie sich "
                      "anmelden können. Registrieren Sie sich unter "
                      "https://aka.ms/ssprsetup, und melden Sie sich dann "
                      "erneut an.", out)


class AdminTexts(I18nCase):

    TEXTS = ("# helpdesk texts\n"
             "intro = Welcome to Example Corp.\\nPlease register a method "
             "now.\n"
             "intro.de = Willkommen bei Example Corp.\\nBitte registrieren "
             "Sie jetzt eine Methode.\n"
             "help = Helpdesk: +1 555 0100 (ext. 42)\n"
             "help.de = Helpdesk: +49 30 1234 (Durchwahl 42)\n")

    def test_the_intro_is_overridden_per_language(self):
        self.texts_file(self.TEXTS)
        code, out = self.register_mobile("gina")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("PROMPT: Welcome to Example Corp.\nPlease register a "
                      "method now.\nChoose a method to register:", out)
        self.assertNotIn("Don't lose access", out)
        code, out = self.register_mobile("hans", extra=GERMAN)
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("PROMPT: Willkommen bei Example Corp.\nBitte "
                      "registrieren Sie jetzt eine Methode.\nWählen Sie", out)
        # A language without its own text gets the plain one.
        code, out = self.register_mobile(
            "ines", extra=["--env", "LANG=fr_FR.UTF-8"])
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("Welcome to Example Corp.", out)

    def test_the_help_line_shows_in_block_warn_and_cannot_prompt(self):
        self.texts_file(self.TEXTS)
        self.env.set(mode="block", show_qr="no")
        code, out = self.env.run("jack")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("then log in again.\nHelpdesk: +1 555 0100 (ext. 42)",
                      out)
        code, out = self.env.run("jack", extra=GERMAN)
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("erneut an.\nHelpdesk: +49 30 1234 (Durchwahl 42)", out)
        self.env.set(mode="warn")
        code, out = self.env.run("jack")
        self.assertResult(code, PAM_SUCCESS, out)
        self.assertIn("forget it.\nHelpdesk: +1 555 0100 (ext. 42)", out)
        self.env.set(mode="register")
        code, out = self.env.run("kate")  # no answers: cannot prompt
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("register at the prompt. Access is denied until "
                      "then.\nHelpdesk: +1 555 0100 (ext. 42)", out)
        code, out = self.env.run("kate", "q")
        self.assertResult(code, PAM_PERM_DENIED, out)
        self.assertIn("ask your helpdesk.\nHelpdesk: +1 555 0100", out)

    def test_a_bad_texts_file_gets_the_failmode(self):
        cases = (
            ("intro = ok\nfooter = Call us\n", 0o644),       # unknown key
            ("help = " + "x" * 401 + "\n", 0o644),           # too long
            ("help = a\x1b[2Jb\n", 0o644),                   # control char
            ("intro.deutsch = Hallo\n", 0o644),              # bad language
            ("help = Call us\n", 0o666),                     # world-writable
            ("# " + "x" * 16384 + "\n", 0o644),              # over 16 KiB
        )
        for content, mode in cases:
            with self.subTest(content=content[:30], mode=oct(mode)):
                self.texts_file(content, mode)
                for failmode, want in (("safe", PAM_IGNORE),
                                       ("secure", PAM_AUTHINFO_UNAVAIL)):
                    self.env.set(failmode=failmode)
                    code, out = self.env.run("liam", "1")
                    self.assertResult(code, want, out)
                    self.assertNotIn("PROMPT", out)
                    self.assertIsNone(self.env.record("liam"))
        # Invalid UTF-8, written as bytes; in German, the secure failmode's
        # message is German.
        path = self.texts_file("")
        with open(path, "wb") as f:
            f.write(b"help = \xff\xfe\n")
        code, out = self.env.run("liam", "1", extra=GERMAN)
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)
        self.assertIn("ERROR: Die Registrierung für die Kennwortzurücksetzung "
                      "ist derzeit nicht verfügbar.", out)
        # Missing file: a configuration error too.
        self.env.set(texts_file=os.path.join(self.env.root, "missing"))
        code, out = self.env.run("liam", "1")
        self.assertResult(code, PAM_AUTHINFO_UNAVAIL, out)


if __name__ == "__main__":
    main()
