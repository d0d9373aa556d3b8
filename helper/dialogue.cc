#include "helper/dialogue.h"

#include <strings.h>

#include <algorithm>

#include "helper/answer.h"
#include "helper/code.h"
#include "helper/texts.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr size_t kMaxChoice = 32;
constexpr size_t kMaxCodeInput = 32;

bool Is(const std::string& a, const char* word) {
  return strcasecmp(a.c_str(), word) == 0;
}

bool HasType(const UserRecord& r, const std::string& type) {
  return std::any_of(r.methods.begin(), r.methods.end(),
                     [&](const Method& m) { return m.type == type; });
}

// A number typed where the region was asked: "+44 7400 123456".
bool LooksLikeFullNumber(const std::string& a) {
  size_t digits = std::count_if(a.begin(), a.end(),
                                [](char ch) { return ch >= '0' && ch <= '9'; });
  return digits >= 6 && (a[0] == '+' || a.rfind("00", 0) == 0);
}

int HaveCount(const UserRecord& r) {
  return static_cast<int>(r.methods.size());
}

}  // namespace

proto::Result Dialogue::Run(const std::string& user) {
  user_ = user;
  std::string err;
  if (!backend_->Lookup(user, &rec_, &err)) {
    Finish(proto::Outcome::kUnavailable, "lookup failed: " + err);
    return result_;
  }
  if (HaveCount(rec_) >= c_.methods_required) {
    Finish(proto::Outcome::kRegistered,
           std::to_string(HaveCount(rec_)) + " method(s) registered", true);
    return result_;
  }
  if (c_.mode == Mode::kBlock) {
    conv_->Error(BlockText(c_.enroll_url));
    Finish(proto::Outcome::kBlocked, "not registered (mode=block)");
    return result_;
  }
  if (c_.mode == Mode::kWarn) {
    conv_->Info(WarnText(c_.enroll_url));
    Finish(proto::Outcome::kDeferred, "not registered (mode=warn)");
    return result_;
  }
  conv_->Info(IntroText());
  State s = State::kChooseMethod;
  while (s != State::kEnd) {
    State next = State::kEnd;
    switch (s) {
      case State::kChooseMethod: next = ChooseMethod(); break;
      case State::kRegion: next = Region(); break;
      case State::kNumber: next = Number(); break;
      case State::kChannel: next = ChannelChoice(); break;
      case State::kSendCode: next = SendCode(); break;
      case State::kEnterCode: next = EnterCode(); break;
      case State::kAfterVerify: next = AfterVerify(); break;
      case State::kDone: next = Done(); break;
      case State::kEnd: break;
    }
    if (next != s) invalid_ = 0;
    s = next;
  }
  return result_;
}

void Dialogue::Finish(proto::Outcome o, const std::string& log,
                      bool positive) {
  result_.outcome = o;
  result_.cache_ttl = positive ? static_cast<uint32_t>(c_.cache_ttl) : 0;
  result_.log = log;
}

void Dialogue::Quit() {
  if (HaveCount(rec_) >= c_.methods_required) {
    Done();
    return;
  }
  conv_->Error(QuitText());
  Finish(proto::Outcome::kFailed, "user quit the registration");
}

Dialogue::Ask Dialogue::AskClean(const std::string& text, size_t max_len,
                                 std::string* answer) {
  for (;;) {
    std::string raw;
    Conversation::Reply r = conv_->Prompt(true, text, deadline_ms_, &raw);
    if (r == Conversation::Reply::kConvFailed) {
      bool have = HaveCount(rec_) >= c_.methods_required;
      conv_->Info(CannotPromptText(c_.enroll_url, !have));
      if (have)
        Finish(proto::Outcome::kRegisteredNow, "conversation cannot prompt",
               true);
      else
        Finish(proto::Outcome::kBlocked,
               "conversation cannot prompt; not registered");
      return Ask::kStop;
    }
    if (r == Conversation::Reply::kTimeout ||
        proto::NowMs() > deadline_ms_) {
      conv_->Error(TimedOutText());
      Finish(proto::Outcome::kFailed, "dialogue timed out");
      return Ask::kStop;
    }
    if (r != Conversation::Reply::kOk) {
      Finish(proto::Outcome::kFailed, "conversation closed");
      return Ask::kStop;
    }
    std::string error_text;
    bool ok = CheckAnswer(raw, max_len, answer, &error_text);
    proto::Wipe(&raw);
    if (ok) return Ask::kAnswer;
    if (!Invalid(error_text)) return Ask::kStop;
  }
}

bool Dialogue::Invalid(const std::string& text) {
  conv_->Error(text);
  if (++invalid_ < c_.max_input_attempts) return true;
  conv_->Error(TooManyInvalidText());
  Finish(proto::Outcome::kFailed, "too many invalid answers");
  return false;
}

std::vector<std::string> Dialogue::Available() const {
  std::vector<std::string> out;
  for (const auto& m : c_.methods)
    if (!HasType(rec_, m)) out.push_back(m);
  return out;
}

Dialogue::State Dialogue::ChooseMethod() {
  std::vector<std::string> avail = Available();
  if (avail.empty()) return State::kDone;
  std::string a;
  bool backup = HaveCount(rec_) > 0;
  for (;;) {
    if (AskClean(MethodMenu(avail, backup), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    size_t pick = 0;
    if (a.empty()) pick = 1;
    else if (a.size() == 1 && a[0] >= '1' && a[0] <= '9') pick = a[0] - '0';
    for (size_t i = 0; i < avail.size(); ++i)
      if (Is(a, avail[i].c_str())) pick = i + 1;
    if (pick >= 1 && pick <= avail.size()) {
      method_ = avail[pick - 1];
      return State::kRegion;
    }
    if (!Invalid(InvalidChoiceText("1-" + std::to_string(avail.size()) +
                                   " or q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::Region() {
  PhoneKind kind = method_ == "office" ? PhoneKind::kOffice : PhoneKind::kMobile;
  for (;;) {
    std::string a, error;
    if (AskClean(RegionPrompt(c_.default_region), kMaxRegionInput, &a) ==
        Ask::kStop)
      return State::kEnd;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (LooksLikeFullNumber(a)) {
      if (ParsePhone(a, c_.default_region, kind, &phone_, &error))
        return State::kChannel;
    } else if (ResolveRegion(a, c_.default_region, &region_, &error)) {
      return State::kNumber;
    }
    if (!Invalid(error)) return State::kEnd;
  }
}

Dialogue::State Dialogue::Number() {
  PhoneKind kind = method_ == "office" ? PhoneKind::kOffice : PhoneKind::kMobile;
  for (;;) {
    std::string a, error;
    if (AskClean(NumberPrompt(region_), kMaxPhoneInput, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "b")) return State::kRegion;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (ParsePhone(a, region_, kind, &phone_, &error)) return State::kChannel;
    if (!Invalid(error)) return State::kEnd;
  }
}

Dialogue::State Dialogue::ChannelChoice() {
  std::vector<Channel> options;
  if (phone_.can_sms && method_ == "mobile") options.push_back(Channel::kSms);
  if (phone_.can_call) options.push_back(Channel::kVoice);
  if (options.empty()) {
    if (!Invalid(InvalidChoiceText("with a number that can take a call")))
      return State::kEnd;
    return State::kRegion;
  }
  for (;;) {
    std::string a;
    if (AskClean(ChannelMenu(phone_.international,
                             options.front() == Channel::kSms,
                             options.back() == Channel::kVoice),
                 kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "b")) return State::kRegion;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    size_t pick = a.empty() ? 1 : 0;
    if (a.size() == 1 && a[0] >= '1' && a[0] <= '9') pick = a[0] - '0';
    if (pick >= 1 && pick <= options.size()) {
      channel_ = options[pick - 1];
      return State::kSendCode;
    }
    if (!Invalid(InvalidChoiceText(
            "1-" + std::to_string(options.size()) + ", b or q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::SendCode() {
  int64_t retry_at = 0;
  std::string err;
  Method m{method_, phone_.e164, 0};
  switch (backend_->SendCode(user_, m, channel_, &retry_at, &err)) {
    case SendStatus::kSent:
      conv_->Info(CodeSentText(channel_, phone_.international, c_.code_length,
                               c_.code_ttl));
      return State::kEnterCode;
    case SendStatus::kCooldown:
      conv_->Error(CooldownText(std::max<int64_t>(1, retry_at - clock_->Now())));
      return State::kEnterCode;
    case SendStatus::kRateLimited:
      conv_->Error(RateLimitedText(retry_at));
      if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
      Finish(proto::Outcome::kFailed,
             "code rate limit reached for user or number " +
                 MaskPhone(phone_.e164));
      return State::kEnd;
    case SendStatus::kError:
      break;
  }
  if (++send_failures_ >= c_.max_input_attempts) {
    conv_->Error(UnavailableText());
    Finish(proto::Outcome::kUnavailable, "code delivery failed: " + err);
    return State::kEnd;
  }
  conv_->Error(SendFailedText());
  return State::kChannel;
}

Dialogue::State Dialogue::EnterCode() {
  for (;;) {
    std::string a;
    if (AskClean(CodePrompt(), kMaxCodeInput, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "r")) return State::kSendCode;
    if (Is(a, "b")) return State::kChannel;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    std::string digits = DigitsOnly(a);
    bool only_digits = std::all_of(a.begin(), a.end(), [](char ch) {
      return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '-';
    });
    if (digits.empty() || !only_digits) {
      proto::Wipe(&digits);
      if (!Invalid(InvalidChoiceText("with the " +
                                     std::to_string(c_.code_length) +
                                     "-digit code, r, b or q")))
        return State::kEnd;
      continue;
    }
    int left = 0;
    CheckStatus st = backend_->CheckCode(digits, &left);
    proto::Wipe(&digits);
    proto::Wipe(&a);
    switch (st) {
      case CheckStatus::kOk: {
        Method m{method_, phone_.e164, clock_->Now()};
        std::string err;
        if (!backend_->Save(user_, m, &err)) {
          conv_->Error(UnavailableText());
          Finish(proto::Outcome::kUnavailable, "saving failed: " + err);
          return State::kEnd;
        }
        rec_.methods.push_back(m);
        summary_.push_back(MethodLabel(method_) + " " + MaskPhone(phone_.e164));
        conv_->Info(VerifiedText(method_, phone_.international));
        return State::kAfterVerify;
      }
      case CheckStatus::kWrong:
        conv_->Error(WrongCodeText(left));
        break;
      case CheckStatus::kExpired:
        conv_->Error(ExpiredCodeText());
        break;
      case CheckStatus::kNoCode:
        conv_->Error(ExpiredCodeText());
        break;
      case CheckStatus::kTooMany:
        conv_->Error(TooManyCodesText());
        if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
        Finish(proto::Outcome::kFailed, "too many wrong codes");
        return State::kEnd;
    }
  }
}

Dialogue::State Dialogue::AfterVerify() {
  int have = HaveCount(rec_);
  if (Available().empty()) return State::kDone;
  if (have < c_.methods_required) {
    conv_->Info(NeedAnotherText(have, c_.methods_required));
    return State::kChooseMethod;
  }
  for (;;) {
    std::string a;
    if (AskClean(BackupPrompt(), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    int yn = YesNo(a);
    if (yn == 1) return State::kChooseMethod;
    if (yn == 0 || Is(a, "q")) return State::kDone;
    if (!Invalid(InvalidChoiceText("y or n"))) {
      // Already registered: stopping here is not a failure.
      return State::kDone;
    }
  }
}

Dialogue::State Dialogue::Done() {
  conv_->Info(DoneText(summary_));
  std::string log = "registered";
  for (const auto& s : summary_) log += "; " + s;
  Finish(proto::Outcome::kRegisteredNow, log, true);
  return State::kEnd;
}

}  // namespace sspr
