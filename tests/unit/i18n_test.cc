// This file is long because it checks every English text byte for byte and the
// German catalogue.
// Tests for helper/i18n.h: the formatter, the language list taken from
// START's lang, translation through the built catalogues (German), the
// English texts byte for byte, and the admin's texts_file.
#include "helper/i18n.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "helper/questions.h"
#include "helper/texts.h"
#include "tests/unit/temp_dir.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

#ifndef SSPR_TEST_LOCALE_DIR
#error "SSPR_TEST_LOCALE_DIR: the build tree's locale directory"
#endif

namespace {

using namespace sspr;

void Eq(const std::string& got, const std::string& want) {
  assert_string_equal(got.c_str(), want.c_str());
}

bool Has(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

void English() { assert_true(SetupLanguage("", SSPR_TEST_LOCALE_DIR)); }
void German() {
  assert_true(SetupLanguage("de_DE.UTF-8", SSPR_TEST_LOCALE_DIR));
}

// --- Fmt -------------------------------------------------------------------

void fmt_fills_numbered_placeholders(void** /*state*/) {
  Eq(Fmt("We texted a {0} code to {1}.", {"6-digit", "+1 201"}),
     "We texted a 6-digit code to +1 201.");
  Eq(Fmt("{1} before {0}, {0} again", {"a", "b"}), "b before a, a again");
  Eq(Fmt("no placeholders", {"x"}), "no placeholders");
  Eq(Fmt("", {}), "");
  // Placeholders without an argument, and anything that only looks like
  // one, stay as they are.
  Eq(Fmt("{2} {0}", {"a"}), "{2} a");
  Eq(Fmt("{x} {} {10} { 0} {0", {"a"}), "{x} {} {10} { 0} {0");
  Eq(Fmt("trailing {", {}), "trailing {");
  Eq(Fmt("{{0}}", {"a"}), "{a}");
  // Arguments are never read as a format: user data cannot inject.
  Eq(Fmt("[{0}] [{1}]", {"{1}", "%s%n"}), "[{1}] [%s%n]");
  Eq(Fmt("{0}", {std::string("a\0b", 3)}), std::string("a\0b", 3));
}

// --- Language list ---------------------------------------------------------

void a_locale_gives_its_language_list(void** /*state*/) {
  Eq(LanguageList("de_DE.UTF-8"), "de_DE:de");
  Eq(LanguageList("de_DE.utf8"), "de_DE:de");
  Eq(LanguageList("de_AT"), "de_AT:de");
  Eq(LanguageList("de"), "de");
  Eq(LanguageList("pt_BR.UTF-8"), "pt_BR:pt");
  Eq(LanguageList("es_419.UTF-8"), "es_419:es");
  Eq(LanguageList("sr_RS.UTF-8@latin"), "sr_RS@latin:sr@latin:sr_RS:sr");
  Eq(LanguageList("ca@valencia"), "ca@valencia:ca");
  Eq(LanguageList("DE_de.UTF-8"), "de_DE:de");  // case is normalised
  Eq(LanguageList("ast_ES"), "ast_ES:ast");
  Eq(LanguageList("xx_YY.UTF-8"), "xx_YY:xx");  // well-formed, unknown
  // English: nothing, C, POSIX and anything malformed.
  for (const char* en :
       {"", "C", "POSIX", "C.UTF-8", "C.utf8", "en", "e", "english", "de_DE:fr",
        "../de", "de/../../x", "de_DEU", "de_D", "de_DE@", "de_DE@a-b", "d1",
        "de DE", "de_DE.UTF-8\n"}) {
    std::string got = LanguageList(en);
    if (std::string(en) == "en") {
      Eq(got, "en");  // English itself: no catalogue, the msgids
      continue;
    }
    if (!got.empty()) fail_msg("'%s' gave '%s'", en, got.c_str());
  }
  Eq(LanguageList(std::string(65, 'a')), "");
}

// --- Translations ----------------------------------------------------------

void the_german_catalogue_is_used_under_a_german_locale(void** /*state*/) {
  German();
  Eq(CurrentLanguages(), "de_DE:de");
  Eq(_("Quit"), "Beenden");
  Eq(WrongCodeText(1), "Dieser Code ist nicht richtig. Noch 1 Versuch.");
  Eq(WrongCodeText(2), "Dieser Code ist nicht richtig. Noch 2 Versuche.");
  Eq(LaterOption(1, 0), "  l) Später (noch 1 Mal möglich)\n");
  Eq(ChoicePrompt("1"), "Auswahl [1]: ");
  assert_true(Has(IntroText(), "Verlieren Sie nicht den Zugriff"));
  // The keys typed stay the same in every language.
  assert_true(Has(CodePrompt(),
                  "(r = neuen Code senden, b = zurück, "
                  "q = beenden)"));
  assert_true(Has(BackupPrompt(), "[y/N]: "));
  // Text message: German, and the code is the first number in it.
  std::string sms = CodeMessage(Channel::kSms, "123456", 300);
  Eq(sms,
     "123456 ist Ihr Bestätigungscode für die Registrierung zur "
     "Kennwortzurücksetzung. Er verfällt in 5 Minuten. Geben Sie ihn "
     "an niemanden weiter.");
  std::string voice = CodeMessage(Channel::kVoice, "123456", 300);
  assert_true(Has(voice, "lautet 1 2 3 4 5 6."));
  std::string mail = CodeMessage(Channel::kEmail, "123456", 60);
  assert_true(mail.rfind("Subject: Ihr Bestätigungscode\n\nVerwenden Sie "
                         "123456,",
                         0) == 0);
  assert_true(Has(mail, "in 1 Minute."));
  std::vector<std::string> q = BuiltinQuestions();
  assert_int_equal(q.size(), 12);
  Eq(q[0], "Wie hieß Ihr erstes Haustier?");
  std::string norm, error;
  assert_false(NormalizeAnswer("ab", &norm, &error));
  Eq(error, "Eine Antwort muss 3 bis 40 Zeichen lang sein.");
  // Back to English at once (cached translations are forgotten).
  English();
  Eq(_("Quit"), "Quit");
  Eq(BuiltinQuestions()[0], "What was the name of your first pet?");
}

void a_language_without_catalogue_falls_back(void** /*state*/) {
  // A language without a catalogue, de_CH via de, a bad locale dir.
  assert_true(SetupLanguage("xx_YY.UTF-8", SSPR_TEST_LOCALE_DIR));
  Eq(_("Quit"), "Quit");
  assert_true(SetupLanguage("de_CH.UTF-8", SSPR_TEST_LOCALE_DIR));
  Eq(_("Quit"), "Beenden");
  assert_true(SetupLanguage("de_DE.UTF-8", "/nonexistent"));
  Eq(_("Quit"), "Quit");
  assert_true(SetupLanguage("C", SSPR_TEST_LOCALE_DIR));
  Eq(CurrentLanguages(), "");
  Eq(_("Quit"), "Quit");
}

// The English texts stay byte for byte what they were before gettext (the
// tests, the demo and the man page quote them).
void the_english_texts_are_unchanged_byte_for_byte(void** /*state*/) {
  English();
  Eq(CodeMessage(Channel::kSms, "123456", 300),
     "123456 is your verification code to register for password reset. It "
     "expires in 5 minutes. Do not share it with anyone.");
  Eq(CodeMessage(Channel::kSms, "123456", 60),
     "123456 is your verification code to register for password reset. It "
     "expires in 1 minute. Do not share it with anyone.");
  Eq(CodeMessage(Channel::kVoice, "123", 300),
     "Hello. Your password reset verification code is 1 2 3. Again, your "
     "code is 1 2 3.");
  Eq(CodeMessage(Channel::kEmail, "123456", 300),
     "Subject: Your verification code\n\nUse 123456 to verify this e-mail "
     "address for password reset. The code expires in 5 minutes. If you did "
     "not ask for it, ignore this message.");
  Eq(IntroText(),
     "Don't lose access to your account!\nYour organisation requires a way "
     "to reset your password if you forget it. Register one now; it takes "
     "about a minute.");
  Eq(MethodMenu({"mobile", "office", "email", "questions"}, false),
     "Choose a method to register:\n"
     "  1) Authentication phone (text or call me)\n"
     "  2) Office phone (call me)\n"
     "  3) Authentication e-mail (e-mail me a code)\n"
     "  4) Security questions (answer a few questions)\n");
  Eq(MethodMenu({"office"}, true),
     "Choose a backup method:\n  1) Office phone (call me)\n");
  Eq(QuitOption() + ChoicePrompt("1"), "  q) Quit\nChoice [1]: ");
  Eq(RegionPrompt("US"),
     "Country or region code (e.g. US, GB or +44), or the full number with "
     "its + code [US]: ");
  Eq(NumberPrompt("GB"), "Phone number (GB), with area code: ");
  Eq(ChannelMenu("+1 201-555-0123", true, true),
     "We will send a code to +1 201-555-0123.\n  1) Text me\n  2) Call me\n"
     "  b) Back: use a different number\nChoice [1]: ");
  Eq(ChannelMenu("+1 201-555-0123", false, true),
     "We will send a code to +1 201-555-0123.\n  1) Call me\n"
     "  b) Back: use a different number\nChoice [1]: ");
  Eq(CodeSentText(Channel::kSms, "+1 201-555-0123", 6, 300),
     "We texted a 6-digit code to +1 201-555-0123. It is valid for 5 "
     "minutes.");
  Eq(CodeSentText(Channel::kVoice, "+1 201-555-0123", 8, 60),
     "We are calling +1 201-555-0123 to tell you a 8-digit code. It is "
     "valid for 1 minute.");
  Eq(CodeSentText(Channel::kEmail, "a@example.com", 6, 600),
     "We e-mailed a 6-digit code to a@example.com. It is valid for 10 "
     "minutes.");
  Eq(CodePrompt(),
     "Enter the code (r = send a new code, b = back, q = "
     "quit): ");
  Eq(WrongCodeText(2), "That code is not correct. 2 attempts left.");
  Eq(WrongCodeText(1), "That code is not correct. 1 attempt left.");
  Eq(ExpiredCodeText(), "That code has expired. Type r to get a new one.");
  Eq(CooldownText(30),
     "Please wait 30 seconds before asking for a new "
     "code.");
  Eq(RateLimitedText(1800000000),
     "Too many codes have been sent for this account or number. You can ask "
     "for a new code after 2027-01-15 08:00 UTC.");
  Eq(VerifiedText("mobile", "+1 201-555-0123"),
     "Thanks! Your Authentication phone +1 201-555-0123 is verified and "
     "registered for password reset.");
  Eq(VerifiedText("email", "a@example.com"),
     "Thanks! Your Authentication e-mail a@example.com is verified and "
     "registered for password reset.");
  Eq(BackupPrompt(),
     "We recommend a backup method in case you lose access "
     "to this one.\nAdd a backup method now? [y/N]: ");
  Eq(NeedAnotherText(1, 2),
     "Your organisation requires 2 methods; you have "
     "1. Add another one.");
  Eq(DoneText({"Office phone +1 201-•••-••23"}),
     "You're all set. Registered for password reset:\n  - Office phone "
     "+1 201-•••-••23");
  Eq(InvalidChoiceText("k or u"), "Please answer k or u.");
  Eq(AnswerOneOf("1-3", "q"), "Please answer 1-3 or q.");
  Eq(AnswerOneOf("1-2", "b", "q"), "Please answer 1-2, b or q.");
  Eq(CodeOrKeysText(6), "Please answer with the 6-digit code, r, b or q.");
  Eq(CallableNumberText(),
     "Please answer with a number that can take a "
     "call.");
  Eq(CannotPromptText("https://x.example", true),
     "You must register a password-reset method before you can use this "
     "account. This login cannot ask questions (for example an SSH login "
     "with a key only). Register at https://x.example, or log in where a "
     "password or keyboard-interactive login is allowed and register at the "
     "prompt. Access is denied until then.");
  Eq(BlockText("https://x.example"),
     "You must register a password-reset method before you can log in. "
     "Register at https://x.example, then log in again.");
  Eq(WarnText("https://x.example"),
     "Reminder: register a password-reset method at https://x.example so "
     "you can reset your password if you forget it.");
  Eq(TooLongText(32), "That answer is too long (at most 32 characters).");
  Eq(EmailConfirmMenu("a@example.com"),
     "We will e-mail a code to a@example.com.\n  1) Send the code\n"
     "  b) Back: use a different address\nChoice [1]: ");
  Eq(QuestionMenu({"Q1?", "Q2?"}, 1, 3),
     "Security question 1 of 3. Choose a question:\n  1) Q1?\n  2) Q2?\n"
     "  q) Quit\nChoice: ");
  Eq(AnswerPrompt("Q1?"),
     "Q1?\nYour answer (3 to 40 characters, not "
     "shown): ");
  Eq(QuestionsSavedText(3),
     "Thanks! Your answers to 3 security questions "
     "are saved for password reset.");
  Eq(LaterOption(2, 0), "  l) Later (2 times left)\n");
  Eq(LaterOption(1, 0), "  l) Later (1 time left)\n");
  Eq(LaterOption(0, 1800000000), "  l) Later (possible until 2027-01-15)\n");
  Eq(SnoozedText(1800000000),
     "OK. You will be asked again at a login "
     "after 2027-01-15 08:00 UTC.");
  Eq(ReconfirmMenu({"Office phone +1 201-•••-••23"}),
     "Please confirm that your password-reset information is still "
     "correct:\n  - Office phone +1 201-•••-••23\n  k) Keep it\n"
     "  u) Update it\nChoice [k]: ");
  Eq(ContinuePrompt(), "Press Enter to continue. ");
  std::string norm, error;
  assert_false(NormalizeAnswer("ab", &norm, &error));
  Eq(error, "An answer must have 3 to 40 characters.");
}

// --- texts_file --------------------------------------------------------------

void admin_texts_parse_per_key_and_language(void** /*state*/) {
  AdminTexts t;
  std::string err;
  assert_true(ParseAdminTexts(
      "# the helpdesk\n"
      "\n"
      "intro = Welcome to Example Corp.\\nRegister a method now.\n"
      "intro.de = Willkommen bei Example Corp.\r\n"
      "  help=Helpdesk: +1 555 0100, C:\\\\help  \n"
      "help.de_AT = Helpdesk: +43 1 234\n"
      "help.sr@latin = Pomoć\n",
      "/t", &t, &err));
  Eq(t.texts["intro"], "Welcome to Example Corp.\nRegister a method now.");
  Eq(t.texts["intro.de"], "Willkommen bei Example Corp.");
  Eq(t.texts["help"], "Helpdesk: +1 555 0100, C:\\help");
  Eq(PickAdminText(t, "intro", "de_DE:de"), "Willkommen bei Example Corp.");
  Eq(PickAdminText(t, "intro", ""), t.texts["intro"]);
  Eq(PickAdminText(t, "intro", "fr_FR:fr"), t.texts["intro"]);
  Eq(PickAdminText(t, "help", "de_AT:de"), "Helpdesk: +43 1 234");
  Eq(PickAdminText(t, "help", "de_DE:de"), t.texts["help"]);
  Eq(PickAdminText(t, "help", "sr_RS@latin:sr@latin:sr_RS:sr"), "Pomoć");
  AdminTexts none;
  Eq(PickAdminText(none, "intro", "de"), "");
  // A 400-byte text is allowed (multi-byte characters count as bytes).
  std::string ok400(398, 'x');
  ok400 += "é";
  assert_true(ParseAdminTexts("help = " + ok400 + "\n", "/t", &t, &err));
  assert_int_equal(t.texts["help"].size(), 400);
}

void bad_admin_texts_name_their_line(void** /*state*/) {
  struct Case {
    std::string content, want;
  } cases[] = {
      {"intro Welcome\n", "/t:1: expected 'key = text'"},
      {"# ok\nfooter = x\n", "/t:2: unknown key 'footer'"},
      {"intro.= x\n", "/t:1: '' is not a language"},
      {"intro.german = x\n", "/t:1: 'german' is not a language"},
      {"intro.de_de = x\n", "/t:1: 'de_de' is not a language"},
      {"intro.de-DE = x\n", "/t:1: 'de-DE' is not a language"},
      {"help = a\nhelp = b\n", "/t:2: 'help' is set twice"},
      {"help = a\\tb\n", "/t:1: only \\n and \\\\ are allowed"},
      {"help = a\\\n", "/t:1: only \\n and \\\\ are allowed"},
      {"help =\n", "/t:1: 'help' has no text"},
      {"\n\nhelp = " + std::string(401, 'x') + "\n",
       "/t:3: 'help' is longer than 400 bytes"},
      {"help = \xff\xfe\n", "/t:1: 'help' is not valid UTF-8"},
      {"help = \xc0\xaf\n", "/t:1: 'help' is not valid UTF-8"},
      {"help = a\tb\n", "/t:1: 'help' contains a control character"},
      {"help = a\x1b[31mred\n", "/t:1: 'help' contains a control character"},
      {"help = a\x7f\n", "/t:1: 'help' contains a control character"},
      {std::string("help = a\0b\n", 11),
       "/t:1: 'help' contains a control character"},
  };
  for (const auto& c : cases) {
    AdminTexts t;
    std::string err;
    if (ParseAdminTexts(c.content, "/t", &t, &err))
      fail_msg("accepted: %s", c.content.c_str());
    if (err.rfind(c.want, 0) != 0)
      fail_msg("for %s: got '%s', want '%s...'", c.content.c_str(), err.c_str(),
               c.want.c_str());
  }
}

std::string WriteFile(const std::string& dir, const std::string& name,
                      const std::string& content, mode_t mode) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, content.data(), content.size()),
                   static_cast<ssize_t>(content.size()));
  close(fd);
  chmod(path.c_str(), mode);
  return path;
}

void an_admin_texts_file_follows_the_file_rules(void** state) {
  std::string dir = sspr_test::Dir(state), err;
  AdminTexts t;
  std::string good = WriteFile(dir, "texts", "help = Call 555-0100\n", 0644);
  assert_true(LoadAdminTexts(good, false, &t, &err));
  Eq(t.texts["help"], "Call 555-0100");
  if (geteuid() == 0) {
    assert_true(LoadAdminTexts(good, true, &t, &err));
    chmod(good.c_str(), 0664);
    assert_false(LoadAdminTexts(good, true, &t, &err));
    assert_true(Has(err, "not writable by group or others"));
    chmod(good.c_str(), 0646);
    assert_false(LoadAdminTexts(good, true, &t, &err));
  } else {
    assert_false(LoadAdminTexts(good, true, &t, &err));  // not root's
    assert_true(Has(err, "owned by root"));
  }
  std::string big =
      WriteFile(dir, "big", "# " + std::string(16 * 1024, 'x'), 0644);
  assert_false(LoadAdminTexts(big, false, &t, &err));
  assert_true(Has(err, "larger than 16384 bytes"));
  assert_false(LoadAdminTexts(dir + "/missing", false, &t, &err));
  assert_true(Has(err, dir + "/missing: "));
  assert_false(LoadAdminTexts(dir, false, &t, &err));  // a directory
  std::string bad = WriteFile(dir, "bad", "help = ok\nintro\n", 0644);
  assert_false(LoadAdminTexts(bad, false, &t, &err));
  Eq(err, bad + ":2: expected 'key = text'");
}

void admin_texts_replace_the_built_in_ones(void** /*state*/) {
  AdminTexts t;
  std::string err;
  assert_true(
      ParseAdminTexts("intro = Hello from IT.\n"
                      "intro.de = Hallo von der IT.\n"
                      "help = Helpdesk: 555-0100\n",
                      "/t", &t, &err));
  SetAdminTexts(t);
  English();
  Eq(IntroText(), "Hello from IT.");
  Eq(BlockText("https://x.example"),
     "You must register a password-reset method before you can log in. "
     "Register at https://x.example, then log in again.\n"
     "Helpdesk: 555-0100");
  assert_true(Has(WarnText("https://x.example"), "forget it.\nHelpdesk: "));
  assert_true(Has(CannotPromptText("https://x.example", false),
                  "at the prompt.\nHelpdesk: 555-0100"));
  assert_true(Has(QuitText(), "helpdesk.\nHelpdesk: 555-0100"));
  German();
  Eq(IntroText(), "Hallo von der IT.");
  assert_true(
      Has(BlockText("https://x.example"), "erneut an.\nHelpdesk: 555-0100"));
  SetAdminTexts(AdminTexts());
  English();
  assert_true(Has(IntroText(), "Don't lose access"));
  assert_false(Has(BlockText("https://x.example"), "\n"));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fmt_fills_numbered_placeholders),
      cmocka_unit_test(a_locale_gives_its_language_list),
      cmocka_unit_test(the_german_catalogue_is_used_under_a_german_locale),
      cmocka_unit_test(a_language_without_catalogue_falls_back),
      cmocka_unit_test(the_english_texts_are_unchanged_byte_for_byte),
      cmocka_unit_test(admin_texts_parse_per_key_and_language),
      cmocka_unit_test(bad_admin_texts_name_their_line),
      cmocka_unit_test_setup_teardown(
          an_admin_texts_file_follows_the_file_rules, sspr_test::Setup,
          sspr_test::Teardown),
      cmocka_unit_test(admin_texts_replace_the_built_in_ones),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
