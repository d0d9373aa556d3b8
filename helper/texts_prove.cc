// Texts of the proof before an update (helper/dialogue_prove.cc), the
// notice to a replaced destination, and the brake across users. Same rules
// as helper/texts.cc: whole sentences, placeholders for what is typed.
#include "helper/i18n.h"
#include "helper/texts.h"

namespace sspr {

std::string ProveMenu(const std::vector<std::string>& labels) {
  std::string s =
      std::string(
          _("Before you change it, prove that you still have one of your "
            "registered methods:")) +
      "\n";
  for (size_t i = 0; i < labels.size(); ++i)
    s += "  " + std::to_string(i + 1) + ") " + labels[i] + "\n";
  s += "  l) " + std::string(_("I no longer have any of them")) + "\n";
  return s + QuitOption() + ChoicePrompt("1");
}

std::string LostMethodText(const std::string& enroll_url) {
  std::string s = _(
      "Nothing was changed. Without one of your registered methods, only an "
      "administrator can replace them (sspr-admin reset): please contact your "
      "administrator.");
  // TRANSLATORS: {0} is a web address.
  if (!enroll_url.empty()) s += " " + Fmt(_("Help: {0}"), {enroll_url});
  std::string help = AdminText("help");
  if (!help.empty()) s += "\n" + help;
  return s;
}

std::string ProveFailedText() {
  return _(
      "Your registered method could not be confirmed. Nothing was "
      "changed.");
}

std::string WrongAnswersText() {
  return _(
      "At least one answer was wrong. Please answer the questions "
      "again.");
}

std::string ChangedNoticeText(const std::string& method,
                              const std::string& host, const std::string& when,
                              const std::string& contact) {
  std::string who =
      contact.empty() ? std::string(_("your administrator")) : contact;
  // TRANSLATORS: {0} is a host name, {1} a time such as 2026-11-26 02:30
  // UTC, {2} a web address or "your administrator".
  if (method == "email")
    return Fmt(_("Your password-reset e-mail address on {0} was changed at "
                 "{1}; if this wasn't you, contact {2}."),
               {host, when, who});
  return Fmt(_("Your password-reset phone on {0} was changed at {1}; if "
               "this wasn't you, contact {2}."),
             {host, when, who});
}

std::string DestinationBusyText(int64_t until) {
  // TRANSLATORS: {0} is a time such as 2026-11-26 02:30 UTC.
  return Fmt(_("Too many codes have been sent to this number or address "
               "recently. Enter another one, or try again after {0}."),
             {FormatUtc(until)});
}

}  // namespace sspr
