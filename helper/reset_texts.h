// What the person reads in a reset at the login prompt
// (helper/reset_dialogue.h), through gettext like helper/texts.h.
#ifndef SSPR_HELPER_RESET_TEXTS_H_
#define SSPR_HELPER_RESET_TEXTS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "helper/delivery/sender.h"

namespace sspr {

// From now on CodeMessage says the code is for a password reset (the
// helper runs one dialogue per process; a reset sets this at its start).
void SetCodesForReset(bool on);
bool CodesForReset();
std::string ResetCodeMessage(Channel ch, const std::string& code, int ttl_s);

std::string ResetOfferMenu();  // "Forgot your password? r) ... Enter) ..."
std::string ResetProveMenu(const std::vector<std::string>& labels, int step,
                           int steps);
std::string ResetLockedText(int64_t until);
std::string ResetProveFailedText();
std::string NewPasswordPrompt();
std::string RetypePasswordPrompt();
std::string PasswordsDifferText();
std::string PasswordEmptyText();
std::string PasswordUnusableText(size_t max_bytes);
// The password stack's refusal (its own words), then "choose another".
std::string PasswordRefusedText(const std::string& reason);
std::string PasswordNotSetText(const std::string& contact);
// The service never resets this account here (Entra ID: an administrator
// role, a federated account); `reason` is the service's own words.
std::string PasswordNotAllowedText(const std::string& reason,
                                   const std::string& contact);
std::string ResetNoticeText(const std::string& host, const std::string& when,
                            const std::string& contact);
std::string PasswordChangedText();

}  // namespace sspr

#endif  // SSPR_HELPER_RESET_TEXTS_H_
