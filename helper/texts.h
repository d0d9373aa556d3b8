// Every sentence the user sees, in one place, each through gettext in the
// language SetupLanguage chose (helper/i18n.h; catalogues under po/).
// Each text stays under PAM_MAX_MSG_SIZE (512 bytes); the admin's texts
// (texts_file) replace the intro and are appended to the block, warn,
// cannot-prompt and quit texts as a line of their own.
#ifndef SSPR_HELPER_TEXTS_H_
#define SSPR_HELPER_TEXTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "helper/delivery/sender.h"

namespace sspr {

std::string CodeMessage(Channel ch, const std::string& code, int ttl_s);
// Whole minutes, rounded up, that a code of ttl_s seconds lives.
unsigned long MinutesOf(int ttl_s);
// "1 2 3 4 5 6": a code as a voice call reads it, digit by digit.
std::string SpacedDigits(const std::string& code);

std::string IntroText();
std::string MethodLabel(const std::string& method);  // "Authentication phone"
// one_question: the service keeps one security question (Okta).
std::string MethodMenu(const std::vector<std::string>& methods, bool backup,
                       bool one_question = false);
std::string QuitOption();                                  // "  q) Quit\n"
std::string ChoicePrompt(const std::string& default_key);  // "Choice [1]: "
std::string RegionPrompt(const std::string& default_region);
std::string NumberPrompt(const std::string& region);
std::string UseNumberPrompt(const std::string& international);  // [Y/n]
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
// The gateway, relay or service refused the number or address itself.
std::string BadDestinationText(Channel ch);
std::string VerifiedText(const std::string& method,
                         const std::string& international);
std::string BackupPrompt();
std::string NeedAnotherText(int have, int need);
std::string DoneText(const std::vector<std::string>& summary);
std::string QuitText();
std::string InvalidChoiceText(const std::string& choices);
// "Please answer 1-3 or q." / "Please answer 1, b or q." (keys as typed)
std::string AnswerOneOf(const std::string& a, const std::string& b);
std::string AnswerOneOf(const std::string& a, const std::string& b,
                        const std::string& c);
std::string CallableNumberText();
std::string CodeOrKeysText(int code_length);  // "... 6-digit code, r, b or q."
std::string TooManyInvalidText();
std::string TimedOutText();
std::string UnavailableText();
std::string CannotPromptText(const std::string& enroll_url, bool denied);
std::string BlockText(const std::string& enroll_url);
std::string WarnText(const std::string& enroll_url);
std::string TooLongText(size_t max);
std::string EmailPrompt();
std::string EmailConfirmMenu(const std::string& address);
std::string QuestionMenu(const std::vector<std::string>& questions, int index,
                         int total);
std::string AnswerPrompt(const std::string& question);
// A question the service (Okta) keeps: its own rules, so no lengths here.
std::string ServiceAnswerPrompt(const std::string& question);
// The service refused the answer; `reason` is its explanation ("" if none).
std::string AnswerRefusedText(const std::string& reason);
std::string AnswerReusedText();
std::string QuestionsSavedText(int count);
std::string LaterOption(int left, int64_t grace_until);
std::string SnoozedText(int64_t next_reminder);
std::string ReconfirmMenu(const std::vector<std::string>& summary);
std::string ReconfirmedText();
std::string ContinuePrompt();
std::string BadCharactersText();

// "2026-11-26 02:30 UTC"
std::string FormatUtc(int64_t t);

// "Scan to register:" and a QR code of `url` (helper/qr_text.h) drawn in
// text; "" when no code can be drawn. Longer than one PAM message: the
// module splits it at line ends.
std::string ScanQrText(const std::string& url);

// helper/texts_prove.cc
std::string ProveMenu(const std::vector<std::string>& labels);
std::string LostMethodText(const std::string& enroll_url);
std::string ProveFailedText();
std::string WrongAnswersText();
// The notice to a replaced phone ("mobile", "office") or address ("email").
std::string ChangedNoticeText(const std::string& method,
                              const std::string& host, const std::string& when,
                              const std::string& contact);
std::string DestinationBusyText(int64_t until);

}  // namespace sspr

#endif  // SSPR_HELPER_TEXTS_H_
