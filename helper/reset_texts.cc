#include "helper/reset_texts.h"

#include "helper/i18n.h"
#include "helper/texts.h"

namespace sspr {
namespace {
bool g_reset_codes = false;
}  // namespace

void SetCodesForReset(bool on) { g_reset_codes = on; }
bool CodesForReset() { return g_reset_codes; }

std::string ResetCodeMessage(Channel ch, const std::string& code, int ttl_s) {
  unsigned long m = MinutesOf(ttl_s);
  if (ch == Channel::kEmail) {
    std::string subject = _("Your password reset code");
    // TRANSLATORS: e-mail body. {0} is the code and must be the first
    // number in the text; {1} is minutes.
    std::string body = Fmt(
        NGettext("Use {0} to reset your password. The code expires in {1} "
                 "minute. If you did not ask for it, someone may be trying "
                 "to take over your account: do not share it.",
                 "Use {0} to reset your password. The code expires in {1} "
                 "minutes. If you did not ask for it, someone may be trying "
                 "to take over your account: do not share it.",
                 m),
        {code, std::to_string(m)});
    return "Subject: " + subject + "\n\n" + body;
  }
  if (ch == Channel::kVoice) {
    // TRANSLATORS: read out by a voice call; {0} is the code, digit by
    // digit, and must be the first number in the text.
    return Fmt(_("Hello. Your code to reset your password is {0}. Again, "
                 "your code is {0}."),
               {SpacedDigits(code)});
  }
  // TRANSLATORS: a text message (SMS); keep it short. {0} is the code and
  // must be the first number; {1} is minutes.
  return Fmt(NGettext("{0} is your code to RESET YOUR PASSWORD. It expires in "
                      "{1} minute. Do not share it with anyone.",
                      "{0} is your code to RESET YOUR PASSWORD. It expires in "
                      "{1} minutes. Do not share it with anyone.",
                      m),
             {code, std::to_string(m)});
}

std::string ResetOfferMenu() {
  return std::string(_("Forgot your password?")) + "\n  r) " +
         _("Reset it with your registered methods") + "\n  Enter) " +
         _("Try the password again") + "\n" + _("Choice: ");
}

std::string ResetProveMenu(const std::vector<std::string>& labels, int step,
                           int steps) {
  // TRANSLATORS: {0} and {1} are numbers: "proof 1 of 2".
  std::string s = Fmt(_("Prove that it is you ({0} of {1}):"),
                      {std::to_string(step), std::to_string(steps)}) +
                  "\n";
  for (size_t i = 0; i < labels.size(); ++i)
    s += "  " + std::to_string(i + 1) + ") " + labels[i] + "\n";
  return s + QuitOption() + ChoicePrompt("1");
}

std::string ResetLockedText(int64_t until) {
  // TRANSLATORS: {0} is a date and time such as 2026-11-26 02:30 UTC.
  return Fmt(_("Password reset is locked for your account until {0}: too "
               "many resets or failed attempts. Your password is unchanged."),
             {FormatUtc(until)});
}

std::string ResetProveFailedText() {
  return _("That did not prove your identity. Your password is unchanged.");
}

std::string NewPasswordPrompt() { return _("New password: "); }
std::string RetypePasswordPrompt() { return _("Retype new password: "); }
std::string PasswordsDifferText() {
  return _("The passwords do not match. Please try again.");
}
std::string PasswordEmptyText() {
  return _("The password cannot be empty. Please try again.");
}

std::string PasswordUnusableText(size_t max_bytes) {
  // TRANSLATORS: {0} is a number of bytes.
  return Fmt(_("Please use at most {0} bytes, without control characters."),
             {std::to_string(max_bytes)});
}

std::string PasswordRefusedText(const std::string& reason) {
  std::string s = _("This password was refused. Please choose another.");
  return reason.empty() ? s : reason + "\n" + s;
}

std::string PasswordNotSetText(const std::string& contact) {
  // TRANSLATORS: {0} is whom to contact, as the administrator wrote it.
  return Fmt(_("Your password could not be changed and is unchanged. Please "
               "try again later or contact {0}."),
             {contact});
}

std::string PasswordNotAllowedText(const std::string& reason,
                                   const std::string& contact) {
  // TRANSLATORS: {0} is whom to contact, as the administrator wrote it.
  std::string s = Fmt(_("Your directory does not allow the password of this "
                        "account to be reset here (for example an "
                        "administrator or a federated account). Your "
                        "password is unchanged; please contact {0}."),
                      {contact});
  return reason.empty() ? s : s + "\n" + reason;
}

std::string ResetNoticeText(const std::string& host, const std::string& when,
                            const std::string& contact) {
  // TRANSLATORS: {0} is a host name, {1} a date and time, {2} whom to
  // contact, as the administrator wrote it.
  return Fmt(_("Your password on {0} was reset at {1}. If this wasn't you, "
               "contact {2}."),
             {host, when, contact});
}

std::string PasswordChangedText() {
  return _("Your password was changed. Log in with the new password.");
}

}  // namespace sspr
