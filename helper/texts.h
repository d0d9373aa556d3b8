// Every sentence the user sees, in one place (translations come here).
// Each text stays under PAM_MAX_MSG_SIZE (512 bytes).
#ifndef SSPR_HELPER_TEXTS_H_
#define SSPR_HELPER_TEXTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "helper/delivery.h"

namespace sspr {

std::string CodeMessage(Channel ch, const std::string& code, int ttl_s);

std::string IntroText();
std::string MethodLabel(const std::string& method);   // "Authentication phone"
std::string MethodMenu(const std::vector<std::string>& methods, bool backup);
std::string RegionPrompt(const std::string& default_region);
std::string NumberPrompt(const std::string& region);
std::string ChannelMenu(const std::string& international, bool sms, bool call);
std::string CodeSentText(Channel ch, const std::string& international,
                         int code_length, int ttl_s);
std::string CodePrompt();
std::string WrongCodeText(int attempts_left);
std::string ExpiredCodeText();
std::string TooManyCodesText();
std::string CooldownText(int64_t seconds);
std::string RateLimitedText(int64_t until);
std::string SendFailedText();
std::string VerifiedText(const std::string& method,
                         const std::string& international);
std::string BackupPrompt();
std::string NeedAnotherText(int have, int need);
std::string DoneText(const std::vector<std::string>& summary);
std::string QuitText();
std::string InvalidChoiceText(const std::string& choices);
std::string TooManyInvalidText();
std::string TimedOutText();
std::string UnavailableText();
std::string CannotPromptText(const std::string& enroll_url, bool denied);
std::string BlockText(const std::string& enroll_url);
std::string WarnText(const std::string& enroll_url);
std::string TooLongText(size_t max);
std::string BadCharactersText();

// "2026-11-26 02:30 UTC"
std::string FormatUtc(int64_t t);

}  // namespace sspr

#endif  // SSPR_HELPER_TEXTS_H_
