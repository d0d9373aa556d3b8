// The dialogue's code states: the channel, sending and checking the code,
// a refused destination, a backup method and the closing summary.
#include "helper/dialogue.h"

#include <algorithm>

#include "common/wipe.h"
#include "helper/answer.h"
#include "helper/code.h"
#include "helper/dialogue_parts.h"
#include "helper/email_address.h"
#include "helper/questions.h"
#include "helper/texts.h"
#include "protocol/frame.h"

namespace sspr {

using dialogue_parts::HaveCount;
using dialogue_parts::kMaxChoice;
using dialogue_parts::kMaxCodeInput;
using dialogue_parts::Masked;

Dialogue::State Dialogue::ChannelChoice() {
  if (method_ == MethodKind::kEmail) {
    for (;;) {
      std::string a;
      if (AskClean(EmailConfirmMenu(dest_display_), kMaxChoice, &a) ==
          Ask::kStop)
        return State::kEnd;
      if (IsKey(a, "b")) return State::kEmail;
      if (IsKey(a, "q")) {
        Quit();
        return State::kEnd;
      }
      if (MenuPick(a, 1) == 1) {
        channel_ = Channel::kEmail;
        return State::kSendCode;
      }
      if (!Invalid(AnswerOneOf("1", "b", "q"))) return State::kEnd;
    }
  }
  std::vector<Channel> options;
  if (phone_.can_sms && method_ == MethodKind::kMobile)
    options.push_back(Channel::kSms);
  if (phone_.can_call) options.push_back(Channel::kVoice);
  if (options.empty()) {
    if (!Invalid(CallableNumberText())) return State::kEnd;
    return State::kRegion;
  }
  for (;;) {
    std::string a;
    if (AskClean(
            ChannelMenu(phone_.international, options.front() == Channel::kSms,
                        options.back() == Channel::kVoice),
            kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "b")) return State::kRegion;
    if (IsKey(a, "q")) {
      Quit();
      return State::kEnd;
    }
    size_t pick = MenuPick(a, options.size());
    if (pick >= 1) {
      channel_ = options[pick - 1];
      return State::kSendCode;
    }
    if (!Invalid(AnswerOneOf(MenuRange(options.size()), "b", "q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::SendCode() {
  int64_t retry_at = 0;
  std::string err;
  Method m{MethodName(method_), dest_, 0, {}};
  switch (backend_->SendCode(user_, m, channel_, &retry_at, &err)) {
    case SendStatus::kSent:
      code_method_ = method_;
      code_dest_ = dest_;
      Tell(CodeSentText(channel_, dest_display_, c_.code_length, c_.code_ttl));
      return State::kEnterCode;
    case SendStatus::kCooldown: {
      // Asking again too soon counts as an invalid answer: "r" typed over
      // and over is bounded like any other. The code prompt is only for
      // the destination the last code went to: a cool-down on another
      // one goes back to where it was typed.
      const std::string text =
          CooldownText(std::max<int64_t>(1, retry_at - clock_->Now()));
      if (CodeWentHere())
        return Invalid(text) ? State::kEnterCode : State::kEnd;
      TellError(text);
      return RefusedDestination() ? DestinationState() : State::kEnd;
    }
    case SendStatus::kDestBusy:
      // An abuse brake across users, never a refusal by itself: another
      // number or address, or later.
      TellError(DestinationBusyText(retry_at));
      return RefusedDestination() ? DestinationState() : State::kEnd;
    case SendStatus::kRateLimited:
      TellError(RateLimitedText(retry_at));
      if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
      return Finish(proto::Outcome::kFailed,
                    "code rate limit reached for user or destination " +
                        Masked(method_, dest_));
    case SendStatus::kBadDestination:
      return DestinationRefused(err);
    case SendStatus::kLocalError:
      TellError(UnavailableText());
      return Finish(proto::Outcome::kUnavailable, "cannot send a code: " + err);
    case SendStatus::kError:
      break;
  }
  if (++send_failures_ >= c_.max_input_attempts) {
    TellError(UnavailableText());
    return Finish(proto::Outcome::kUnavailable, "code delivery failed: " + err);
  }
  TellError(SendFailedText());
  return State::kChannel;
}

// What the user typed was refused: asked again, bounded, FAILED.
Dialogue::State Dialogue::DestinationRefused(const std::string& err) {
  TellError(BadDestinationText(channel_));
  if (++refused_destinations_ < c_.max_input_attempts)
    return method_ == MethodKind::kEmail ? State::kEmail : State::kRegion;
  TellError(TooManyInvalidText());
  if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
  return Finish(proto::Outcome::kFailed,
                "destination " + Masked(method_, dest_) + " refused: " + err);
}

Dialogue::State Dialogue::EnterCode() {
  for (;;) {
    std::string a;
    if (AskClean(CodePrompt(), kMaxCodeInput, &a) == Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "r")) return State::kSendCode;
    if (IsKey(a, "b")) return State::kChannel;
    if (IsKey(a, "q")) {
      Quit();
      return State::kEnd;
    }
    std::string digits = DigitsOnly(a);
    bool only_digits = std::all_of(a.begin(), a.end(), [](char ch) {
      return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '-';
    });
    if (digits.empty() || !only_digits) {
      Wipe(&digits);
      if (!Invalid(CodeOrKeysText(c_.code_length))) return State::kEnd;
      continue;
    }
    int left = 0;
    std::string err;
    CheckStatus st = backend_->CheckCode(digits, &left, &err);
    Wipe(&digits);
    Wipe(&a);
    switch (st) {
      case CheckStatus::kError:
        // The service could not check the code: nothing was stored for
        // this method. A registration already complete stands.
        TellError(UnavailableText());
        if (HaveCount(rec_) >= c_.methods_required) {
          if (done_types_.empty()) {  // updating at reconfirmation
            return Finish(proto::Outcome::kRegistered,
                          "code check failed, update postponed: " + err);
          }
          note_ = "backup method not verified: " + err;
          return State::kDone;
        }
        return Finish(proto::Outcome::kUnavailable,
                      "code check failed: " + err);
      case CheckStatus::kOk: {
        if (!CodeWentHere()) {  // unreachable through SendCode: refuse
          return Finish(
              proto::Outcome::kFailed,
              "refused: the code checked went to another destination");
        }
        Method m{MethodName(method_), dest_, clock_->Now(), {}};
        std::string refused;
        if (SaveMethod(m, dest_display_, &refused)) return State::kAfterVerify;
        return refused.empty() ? State::kEnd : DestinationRefused(refused);
      }
      case CheckStatus::kWrong:
        TellError(WrongCodeText(left));
        break;
      case CheckStatus::kExpired:
      case CheckStatus::kNoCode:
        // Counted: without a live code, typing digits again is bounded.
        if (!Invalid(ExpiredCodeText())) return State::kEnd;
        break;
      case CheckStatus::kTooMany:
        TellError(TooManyCodesText());
        if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
        return Finish(proto::Outcome::kFailed, "too many wrong codes");
    }
  }
}

Dialogue::State Dialogue::AfterVerify() {
  int have = HaveCount(rec_);
  if (updating_ && have >= c_.methods_required) return State::kDone;
  if (Available().empty()) return State::kDone;
  if (have < c_.methods_required) {
    Tell(NeedAnotherText(have, c_.methods_required));
    return State::kChooseMethod;
  }
  for (;;) {
    std::string a;
    if (AskClean(BackupPrompt(), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    int yn = YesNo(a);
    if (yn == 1) return State::kChooseMethod;
    if (yn == 0 || IsKey(a, "q")) return State::kDone;
    if (!Invalid(AnswerOneOf("y", "n")))
      return State::kEnd;  // registered already: Invalid() said so
  }
}

Dialogue::State Dialogue::Done() {
  if (done_types_.empty() && HaveCount(rec_) >= c_.methods_required) {
    // Nothing verified in this dialogue (reconfirmation answered with an
    // update that did not complete, or not answered): what is registered
    // stands, and the question stays due.
    return Finish(proto::Outcome::kRegistered, "reconfirmation not completed");
  }
  std::string err, log = "registered";
  // A registration is a confirmation too; failing to note it only means
  // an earlier reminder.
  if (policy_store_ != nullptr &&
      !policy_store_->RecordConfirm(user_, clock_->Now(), &err))
    log = "(" + err + ") " + log;
  Tell(DoneText(summary_));
  NotifyReplaced();
  for (const auto& s : summary_) log += "; " + s;
  if (!note_.empty()) log += " (" + note_ + ")";
  return Finish(proto::Outcome::kRegisteredNow, log);
}

}  // namespace sspr
