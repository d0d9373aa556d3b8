#include "helper/texts.h"

#include <time.h>

namespace sspr {

std::string FormatUtc(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  char buf[64];
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

namespace {
std::string Minutes(int s) {
  int m = (s + 59) / 60;
  return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}
}  // namespace

std::string CodeMessage(Channel ch, const std::string& code, int ttl_s) {
  if (ch == Channel::kVoice) {
    std::string spaced;
    for (char d : code) {
      if (!spaced.empty()) spaced += ' ';
      spaced += d;
    }
    return "Hello. Your password reset verification code is " + spaced +
           ". Again, your code is " + spaced + ".";
  }
  return code + " is your verification code to register for password "
                "reset. It expires in " + Minutes(ttl_s) +
         ". Do not share it with anyone.";
}

std::string IntroText() {
  return "Don't lose access to your account!\n"
         "Your organisation requires a way to reset your password if you "
         "forget it. Register one now; it takes about a minute.";
}

std::string MethodLabel(const std::string& method) {
  if (method == "mobile") return "Authentication phone";
  if (method == "office") return "Office phone";
  return method;
}

std::string MethodMenu(const std::vector<std::string>& methods, bool backup) {
  std::string s = backup ? "Choose a backup method:\n"
                         : "Choose a method to register:\n";
  for (size_t i = 0; i < methods.size(); ++i) {
    s += "  " + std::to_string(i + 1) + ") " + MethodLabel(methods[i]);
    s += methods[i] == "mobile" ? " (text or call me)\n" : " (call me)\n";
  }
  s += "  q) Quit\nChoice [1]: ";
  return s;
}

std::string RegionPrompt(const std::string& default_region) {
  return "Country or region code (e.g. US, GB or +44), or the full number "
         "with its + code [" + default_region + "]: ";
}

std::string NumberPrompt(const std::string& region) {
  return "Phone number (" + region + "), with area code: ";
}

std::string ChannelMenu(const std::string& international, bool sms,
                        bool call) {
  std::string s = "We will send a code to " + international + ".\n";
  int n = 1;
  if (sms) s += "  " + std::to_string(n++) + ") Text me\n";
  if (call) s += "  " + std::to_string(n++) + ") Call me\n";
  s += "  b) Back: use a different number\nChoice [1]: ";
  return s;
}

std::string CodeSentText(Channel ch, const std::string& international,
                         int code_length, int ttl_s) {
  std::string what = std::to_string(code_length) + "-digit code";
  std::string s = ch == Channel::kSms
                      ? "We texted a " + what + " to " + international + "."
                      : "We are calling " + international + " to tell you a " +
                            what + ".";
  return s + " It is valid for " + Minutes(ttl_s) + ".";
}

std::string CodePrompt() {
  return "Enter the code (r = send a new code, b = back, q = quit): ";
}

std::string WrongCodeText(int attempts_left) {
  return "That code is not correct. " + std::to_string(attempts_left) +
         (attempts_left == 1 ? " attempt left." : " attempts left.");
}

std::string ExpiredCodeText() {
  return "That code has expired. Type r to get a new one.";
}

std::string TooManyCodesText() {
  return "Too many wrong codes. The registration was not completed.";
}

std::string CooldownText(int64_t seconds) {
  return "Please wait " + std::to_string(seconds) +
         " seconds before asking for a new code.";
}

std::string RateLimitedText(int64_t until) {
  return "Too many codes have been sent for this account or number. You "
         "can ask for a new code after " + FormatUtc(until) + ".";
}

std::string SendFailedText() {
  return "The code could not be sent right now. Try again, or choose "
         "another number or method.";
}

std::string VerifiedText(const std::string& method,
                         const std::string& international) {
  return "Thanks! Your " + MethodLabel(method) + " " + international +
         " is verified and registered for password reset.";
}

std::string BackupPrompt() {
  return "We recommend a backup method in case you lose access to this "
         "one.\nAdd a backup method now? [y/N]: ";
}

std::string NeedAnotherText(int have, int need) {
  return "Your organisation requires " + std::to_string(need) +
         " methods; you have " + std::to_string(have) + ". Add another one.";
}

std::string DoneText(const std::vector<std::string>& summary) {
  std::string s = "You're all set. Registered for password reset:";
  for (const auto& line : summary) s += "\n  - " + line;
  return s;
}

std::string QuitText() {
  return "No method was registered. You cannot log in until you register "
         "one; log in again to do it, or ask your helpdesk.";
}

std::string InvalidChoiceText(const std::string& choices) {
  return "Please answer " + choices + ".";
}

std::string TooManyInvalidText() {
  return "Too many invalid answers. The registration was stopped.";
}

std::string TimedOutText() {
  return "The registration took too long and was stopped. Log in again to "
         "start over.";
}

std::string UnavailableText() {
  return "Password-reset registration is not available right now.";
}

std::string CannotPromptText(const std::string& enroll_url, bool denied) {
  std::string s =
      "You must register a password-reset method (phone) before you can "
      "use this account. This login cannot ask questions: log in with a "
      "password or keyboard-interactive login (ssh -o "
      "PreferredAuthentications=keyboard-interactive) to register here, "
      "or register at " + enroll_url + ".";
  if (denied) s += " Access is denied until then.";
  return s;
}

std::string BlockText(const std::string& enroll_url) {
  return "You must register a password-reset method before you can log in. "
         "Register at " + enroll_url + ", then log in again.";
}

std::string WarnText(const std::string& enroll_url) {
  return "Reminder: register a password-reset method at " + enroll_url +
         " so you can reset your password if you forget it.";
}

std::string TooLongText(size_t max) {
  return "That answer is too long (at most " + std::to_string(max) +
         " characters).";
}

std::string BadCharactersText() {
  return "That answer contains characters that are not allowed.";
}

}  // namespace sspr
