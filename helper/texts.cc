// This file is long because it holds every English text the helper shows, so
// that translators and reviewers find them in one place.
#include "helper/texts.h"

#include <time.h>

#include "helper/i18n.h"
#include "helper/qr_text.h"
#include "helper/questions.h"
#include "helper/reset_texts.h"

// Every text is a whole sentence for the translators (po/pam_sspr.pot):
// placeholders {0}, {1} (helper/i18n.h Fmt), plurals by NGettext. The keys
// the user types (1, b, q, r, k, u, l, y, N) are placeholders too, so that
// no translation changes what the dialogue understands.
namespace sspr {

std::string FormatUtc(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  char buf[64];
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

unsigned long MinutesOf(int ttl_s) {
  return static_cast<unsigned long>((ttl_s + 59) / 60);
}

std::string SpacedDigits(const std::string& code) {
  std::string spaced;
  for (char d : code) {
    if (!spaced.empty()) spaced += ' ';
    spaced += d;
  }
  return spaced;
}

namespace {

// The admin's help line (texts_file `help`), on a line of its own.
std::string WithHelp(std::string s) {
  std::string help = AdminText("help");
  if (!help.empty()) s += "\n" + help;
  return s;
}

std::string Item(const std::string& key, const std::string& text) {
  return "  " + key + ") " + text + "\n";
}

}  // namespace

std::string CodeMessage(Channel ch, const std::string& code, int ttl_s) {
  if (CodesForReset()) return ResetCodeMessage(ch, code, ttl_s);
  unsigned long m = MinutesOf(ttl_s);
  if (ch == Channel::kEmail) {
    // The header name stays "Subject:" in every language.
    std::string subject = _("Your verification code");
    // TRANSLATORS: e-mail body. {0} is the code and must be the first
    // number in the text; {1} is minutes.
    std::string body = Fmt(NGettext("Use {0} to verify this e-mail address "
                                    "for password reset. The code expires in "
                                    "{1} minute. If you did not ask for it, "
                                    "ignore this message.",
                                    "Use {0} to verify this e-mail address "
                                    "for password reset. The code expires in "
                                    "{1} minutes. If you did not ask for it, "
                                    "ignore this message.",
                                    m),
                           {code, std::to_string(m)});
    return "Subject: " + subject + "\n\n" + body;
  }
  if (ch == Channel::kVoice) {
    // TRANSLATORS: read out by a voice call; {0} is the code, digit by
    // digit, and must be the first number in the text.
    return Fmt(_("Hello. Your password reset verification code is {0}. "
                 "Again, your code is {0}."),
               {SpacedDigits(code)});
  }
  // TRANSLATORS: a text message (SMS); keep it short. {0} is the code and
  // must be the first number; {1} is minutes.
  return Fmt(NGettext("{0} is your verification code to register for password "
                      "reset. It expires in {1} minute. Do not share it with "
                      "anyone.",
                      "{0} is your verification code to register for password "
                      "reset. It expires in {1} minutes. Do not share it with "
                      "anyone.",
                      m),
             {code, std::to_string(m)});
}

std::string IntroText() {
  std::string own = AdminText("intro");
  if (!own.empty()) return own;
  return _(
      "Don't lose access to your account!\n"
      "Your organisation requires a way to reset your password if you "
      "forget it. Register one now; it takes about a minute.");
}

std::string MethodLabel(const std::string& method) {
  if (method == "mobile") return _("Authentication phone");
  if (method == "office") return _("Office phone");
  if (method == "email") return _("Authentication e-mail");
  if (method == "questions") return _("Security questions");
  return method;
}

namespace {
const char* MethodHint(const std::string& method, bool one_question) {
  if (method == "mobile") return _("(text or call me)");
  if (method == "office") return _("(call me)");
  if (method == "email") return _("(e-mail me a code)");
  if (one_question) return _("(answer one question)");
  return _("(answer a few questions)");
}
}  // namespace

std::string MethodMenu(const std::vector<std::string>& methods, bool backup,
                       bool one_question) {
  std::string s =
      backup ? _("Choose a backup method:") : _("Choose a method to register:");
  s += "\n";
  for (size_t i = 0; i < methods.size(); ++i)
    s += Item(std::to_string(i + 1), MethodLabel(methods[i]) + " " +
                                         MethodHint(methods[i], one_question));
  return s;
}

std::string QuitOption() { return Item("q", _("Quit")); }

std::string ChoicePrompt(const std::string& default_key) {
  // TRANSLATORS: {0} is what Enter alone chooses, such as 1.
  return Fmt(_("Choice [{0}]: "), {default_key});
}

std::string RegionPrompt(const std::string& default_region) {
  // TRANSLATORS: US, GB and +44 are typed as they are; {0} is the default.
  return Fmt(_("Country or region code (e.g. US, GB or +44), or the full "
               "number with its + code [{0}]: "),
             {default_region});
}

std::string UseNumberPrompt(const std::string& international) {
  // TRANSLATORS: {0} is a phone number such as +1 425-555-0100; {1} and {2}
  // are the letters Y and n to type.
  return Fmt(_("Use {0}? [{1}/{2}]: "), {international, "Y", "n"});
}

std::string NumberPrompt(const std::string& region) {
  return Fmt(_("Phone number ({0}), with area code: "), {region});
}

std::string ChannelMenu(const std::string& international, bool sms, bool call) {
  std::string s = Fmt(_("We will send a code to {0}."), {international}) + "\n";
  int n = 1;
  if (sms) s += Item(std::to_string(n++), _("Text me"));
  if (call) s += Item(std::to_string(n++), _("Call me"));
  s += Item("b", _("Back: use a different number"));
  return s + ChoicePrompt("1");
}

std::string CodeSentText(Channel ch, const std::string& international,
                         int code_length, int ttl_s) {
  std::string len = std::to_string(code_length), s;
  switch (ch) {
    case Channel::kSms:
      // TRANSLATORS: {0} is the number of digits, {1} the phone number.
      s = Fmt(_("We texted a {0}-digit code to {1}."), {len, international});
      break;
    case Channel::kVoice:
      s = Fmt(_("We are calling {1} to tell you a {0}-digit code."),
              {len, international});
      break;
    case Channel::kEmail:
      s = Fmt(_("We e-mailed a {0}-digit code to {1}."), {len, international});
      break;
  }
  unsigned long m = MinutesOf(ttl_s);
  return s + " " +
         Fmt(NGettext("It is valid for {0} minute.",
                      "It is valid for {0} minutes.", m),
             {std::to_string(m)});
}

std::string CodePrompt() {
  // TRANSLATORS: {0}, {1} and {2} are the letters r, b and q to type.
  return Fmt(_("Enter the code ({0} = send a new code, {1} = back, {2} = "
               "quit): "),
             {"r", "b", "q"});
}

std::string WrongCodeText(int attempts_left) {
  unsigned long n = static_cast<unsigned long>(attempts_left);
  return std::string(_("That code is not correct.")) + " " +
         Fmt(NGettext("{0} attempt left.", "{0} attempts left.", n),
             {std::to_string(attempts_left)});
}

std::string ExpiredCodeText() {
  // TRANSLATORS: {0} is the letter r to type.
  return Fmt(_("That code has expired. Type {0} to get a new one."), {"r"});
}

std::string TooManyCodesText() {
  return _("Too many wrong codes. The registration was not completed.");
}

std::string CooldownText(int64_t seconds) {
  return Fmt(NGettext("Please wait {0} second before asking for a new code.",
                      "Please wait {0} seconds before asking for a new code.",
                      static_cast<unsigned long>(seconds)),
             {std::to_string(seconds)});
}

std::string RateLimitedText(int64_t until) {
  // TRANSLATORS: {0} is a time such as 2026-11-26 02:30 UTC.
  return Fmt(_("Too many codes have been sent for this account or number. "
               "You can ask for a new code after {0}."),
             {FormatUtc(until)});
}

std::string SendFailedText() {
  return _(
      "The code could not be sent right now. Try again, or choose "
      "another number or method.");
}

std::string BadDestinationText(Channel ch) {
  if (ch == Channel::kEmail)
    return _(
        "That address was refused and cannot be used. Check it and "
        "type it again, or give another address.");
  return _(
      "That number was refused and cannot be used. Check it and type "
      "it again, or give another number.");
}

std::string VerifiedText(const std::string& method,
                         const std::string& international) {
  if (method == "mobile") {
    // TRANSLATORS: {0} is the phone number.
    return Fmt(_("Thanks! Your Authentication phone {0} is verified and "
                 "registered for password reset."),
               {international});
  }
  if (method == "office") {
    // TRANSLATORS: {0} is the phone number.
    return Fmt(_("Thanks! Your Office phone {0} is verified and registered "
                 "for password reset."),
               {international});
  }
  if (method == "email") {
    // TRANSLATORS: {0} is the e-mail address.
    return Fmt(_("Thanks! Your Authentication e-mail {0} is verified and "
                 "registered for password reset."),
               {international});
  }
  // TRANSLATORS: {0} is a method's name, {1} its number or address.
  return Fmt(_("Thanks! Your {0} {1} is verified and registered for "
               "password reset."),
             {MethodLabel(method), international});
}

std::string BackupPrompt() {
  std::string s =
      _("We recommend a backup method in case you lose access to "
        "this one.");
  // TRANSLATORS: {0} and {1} are the letters y and N to type.
  return s + "\n" + Fmt(_("Add a backup method now? [{0}/{1}]: "), {"y", "N"});
}

std::string NeedAnotherText(int have, int need) {
  return Fmt(NGettext("Your organisation requires {0} method; you have {1}. "
                      "Add another one.",
                      "Your organisation requires {0} methods; you have {1}. "
                      "Add another one.",
                      static_cast<unsigned long>(need)),
             {std::to_string(need), std::to_string(have)});
}

std::string DoneText(const std::vector<std::string>& summary) {
  std::string s = _("You're all set. Registered for password reset:");
  for (const auto& line : summary) s += "\n  - " + line;
  return s;
}

std::string QuitText() {
  return WithHelp(
      _("No method was registered. You cannot log in until you "
        "register one; log in again to do it, or ask your "
        "helpdesk."));
}

std::string InvalidChoiceText(const std::string& choices) {
  return Fmt(_("Please answer {0}."), {choices});
}

std::string AnswerOneOf(const std::string& a, const std::string& b) {
  // TRANSLATORS: {0} and {1} are what may be typed, such as 1-3 and q.
  return Fmt(_("Please answer {0} or {1}."), {a, b});
}

std::string AnswerOneOf(const std::string& a, const std::string& b,
                        const std::string& c) {
  return Fmt(_("Please answer {0}, {1} or {2}."), {a, b, c});
}

std::string CallableNumberText() {
  return _("Please answer with a number that can take a call.");
}

std::string CodeOrKeysText(int code_length) {
  // TRANSLATORS: {0} is the number of digits; {1}, {2}, {3} are r, b, q.
  return Fmt(_("Please answer with the {0}-digit code, {1}, {2} or {3}."),
             {std::to_string(code_length), "r", "b", "q"});
}

std::string TooManyInvalidText() {
  return _("Too many invalid answers. The registration was stopped.");
}

std::string TimedOutText() {
  return _(
      "The registration took too long and was stopped. Log in again to "
      "start over.");
}

std::string UnavailableText() {
  return _("Password-reset registration is not available right now.");
}

std::string CannotPromptText(const std::string& enroll_url, bool denied) {
  // TRANSLATORS: {0} is the registration web address.
  std::string s = Fmt(_("You must register a password-reset method before "
                        "you can use this account. This login cannot ask "
                        "questions (for example an SSH login with a key "
                        "only). Register at {0}, or log in where a password "
                        "or keyboard-interactive login is allowed and "
                        "register at the prompt."),
                      {enroll_url});
  if (denied) s += std::string(" ") + _("Access is denied until then.");
  return WithHelp(s);
}

std::string BlockText(const std::string& enroll_url) {
  return WithHelp(Fmt(_("You must register a password-reset method before "
                        "you can log in. Register at {0}, then log in again."),
                      {enroll_url}));
}

std::string WarnText(const std::string& enroll_url) {
  return WithHelp(Fmt(_("Reminder: register a password-reset method at {0} "
                        "so you can reset your password if you forget it."),
                      {enroll_url}));
}

std::string TooLongText(size_t max) {
  return Fmt(NGettext("That answer is too long (at most {0} character).",
                      "That answer is too long (at most {0} characters).",
                      static_cast<unsigned long>(max)),
             {std::to_string(max)});
}

std::string BadCharactersText() {
  return _("That answer contains characters that are not allowed.");
}

std::string EmailPrompt() { return _("E-mail address: "); }

std::string EmailConfirmMenu(const std::string& address) {
  return Fmt(_("We will e-mail a code to {0}."), {address}) + "\n" +
         Item("1", _("Send the code")) +
         Item("b", _("Back: use a different address")) + ChoicePrompt("1");
}

std::string QuestionMenu(const std::vector<std::string>& questions, int index,
                         int total) {
  std::string s = Fmt(_("Security question {0} of {1}. Choose a question:"),
                      {std::to_string(index), std::to_string(total)}) +
                  "\n";
  for (size_t i = 0; i < questions.size(); ++i)
    s += Item(std::to_string(i + 1), questions[i]);
  return s + QuitOption() + _("Choice: ");
}

std::string AnswerPrompt(const std::string& question) {
  return question + "\n" +
         Fmt(_("Your answer ({0} to {1} characters, not shown): "),
             {std::to_string(kMinAnswerChars),
              std::to_string(kMaxAnswerChars)});
}

std::string ServiceAnswerPrompt(const std::string& question) {
  return question + "\n" + _("Your answer (not shown): ");
}

std::string AnswerRefusedText(const std::string& reason) {
  if (reason.empty())
    return _("The directory did not accept this answer. Try another one.");
  // TRANSLATORS: {0} is the directory's own explanation, in English.
  return Fmt(_("The directory did not accept this answer ({0}). Try another "
               "one."),
             {reason});
}

std::string AnswerReusedText() {
  return _("Use a different answer for each question.");
}

std::string QuestionsSavedText(int count) {
  return Fmt(NGettext("Thanks! Your answer to {0} security question is saved "
                      "for password reset.",
                      "Thanks! Your answers to {0} security questions are "
                      "saved for password reset.",
                      static_cast<unsigned long>(count)),
             {std::to_string(count)});
}

std::string LaterOption(int left, int64_t grace_until) {
  if (grace_until > 0)
    // TRANSLATORS: {0} is a date such as 2026-12-31.
    return Item("l", Fmt(_("Later (possible until {0})"),
                         {FormatUtc(grace_until - 1).substr(0, 10)}));
  return Item("l",
              Fmt(NGettext("Later ({0} time left)", "Later ({0} times left)",
                           static_cast<unsigned long>(left)),
                  {std::to_string(left)}));
}

std::string SnoozedText(int64_t next_reminder) {
  return Fmt(_("OK. You will be asked again at a login after {0}."),
             {FormatUtc(next_reminder)});
}

std::string ReconfirmMenu(const std::vector<std::string>& summary) {
  std::string s =
      _("Please confirm that your password-reset information is "
        "still correct:");
  for (const auto& line : summary) s += "\n  - " + line;
  s += "\n" + Item("k", _("Keep it")) + Item("u", _("Update it"));
  return s + ChoicePrompt("k");
}

std::string ReconfirmedText() {
  return _("Thanks for confirming your information.");
}

std::string ScanQrText(const std::string& url) {
  std::string qr, err;
  if (!QrText(url, &qr, &err)) return "";
  qr.pop_back();  // the message ends without a newline, like the others
  return std::string(_("Scan to register:")) + "\n" + qr;
}

std::string ContinuePrompt() { return _("Press Enter to continue. "); }

}  // namespace sspr
