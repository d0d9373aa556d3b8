#include "helper/dialogue.h"

#include <strings.h>

#include <algorithm>

#include "common/time.h"
#include "common/wipe.h"
#include "config/user_name.h"
#include "helper/answer.h"
#include "helper/code.h"
#include "helper/email_address.h"
#include "helper/questions.h"
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

// A national number typed where the region was asked: "4255550100",
// "(425) 555-0100": digits and the punctuation of phone numbers only.
bool LooksLikeNationalNumber(const std::string& a) {
  size_t digits = std::count_if(a.begin(), a.end(),
                                [](char ch) { return ch >= '0' && ch <= '9'; });
  return digits >= 6 && a.find_first_not_of("0123456789 -().") == std::string::npos;
}

// "1-3" for what may be typed at a numbered menu; "1" for one entry.
std::string Choices(size_t n) {
  return n == 1 ? std::string("1") : "1-" + std::to_string(n);
}

int HaveCount(const UserRecord& r) {
  return static_cast<int>(r.methods.size());
}

bool IsPhone(const std::string& method) {
  return method == "mobile" || method == "office";
}

// How a destination appears in logs and summaries.
std::string Masked(const std::string& method, const std::string& value) {
  if (IsPhone(method)) return MaskPhone(value);
  if (method == "email") return MaskEmail(value);
  return value;
}

}  // namespace

proto::Result Dialogue::Run(const std::string& user) {
  Start(user);
  Finalize();
  return result_;
}

void Dialogue::Tell(const std::string& text) { held_.push_back({false, text}); }
void Dialogue::TellError(const std::string& text) {
  held_.push_back({true, text});
}

std::string Dialogue::WithHeld(const std::string& prompt) {
  std::string s;
  for (const auto& h : held_) s += h.second + "\n";
  held_.clear();
  return s + prompt;
}

// What is said after the last question: OpenSSH's keyboard-interactive
// joins messages onto the next question, but shows what follows the last
// question as a banner, twice at a pty login. So after a success the held
// texts go out followed by one closing "press Enter" question, and every
// application shows them exactly once; where that question cannot be
// asked, nothing is sent again. After a refusal there is no question.
void Dialogue::Finalize() {
  bool positive = result_.outcome == proto::Outcome::kRegistered ||
                  result_.outcome == proto::Outcome::kRegisteredNow ||
                  result_.outcome == proto::Outcome::kDeferred;
  bool had_text = !held_.empty();
  for (const auto& h : held_) {
    if (h.first) conv_->Error(h.second);
    else conv_->Info(h.second);
  }
  held_.clear();
  if (positive && had_text && can_prompt_ && !silent_) {
    std::string ignored;
    conv_->Prompt(true, ContinuePrompt(), deadline_ms_, &ignored);
  }
}

proto::Result Dialogue::Start(const std::string& user) {
  user_ = user;
  std::string err;
  // The module refuses these names before it starts the helper; a START
  // that carries one anyway ends here, before any lookup or prompt, with
  // the result the module gives (pam_sspr(8), USER NAMES).
  if (const char* problem = UserNameProblem(user)) {
    can_prompt_ = false;
    if (c_.mode == Mode::kWarn)
      Finish(proto::Outcome::kDeferred, problem);
    else
      Finish(proto::Outcome::kBlocked, problem);
    return result_;
  }
  if (!backend_->Lookup(user, &rec_, &err)) {
    Finish(proto::Outcome::kUnavailable, "lookup failed: " + err);
    return result_;
  }
  if (policy_store_ != nullptr && !policy_store_->Load(user, &policy_, &err)) {
    Finish(proto::Outcome::kUnavailable, err);
    return result_;
  }
  if (HaveCount(rec_) >= c_.methods_required) {
    if (!ReconfirmDue()) {
      Finish(proto::Outcome::kRegistered,
             std::to_string(HaveCount(rec_)) + " method(s) registered", true);
      return result_;
    }
    return RunFrom(State::kReconfirm);
  }
  if (c_.mode == Mode::kBlock) {
    TellError(BlockText(c_.enroll_url));
    std::string qr = c_.show_qr ? ScanQrText(c_.enroll_url) : "";
    if (!qr.empty()) Tell(qr);
    Finish(proto::Outcome::kBlocked, "not registered (mode=block)");
    return result_;
  }
  if (c_.mode == Mode::kWarn) {
    Tell(WarnText(c_.enroll_url));
    std::string qr = c_.show_qr ? ScanQrText(c_.enroll_url) : "";
    if (!qr.empty()) Tell(qr);
    Finish(proto::Outcome::kDeferred, "not registered (mode=warn)");
    return result_;
  }
  if (policy_.last_snooze > 0 &&
      clock_->Now() < policy_.last_snooze + c_.snooze_interval) {
    Finish(proto::Outcome::kDeferred, "not registered; reminded recently");
    return result_;
  }
  Tell(IntroText());
  return RunFrom(State::kChooseMethod);
}

proto::Result Dialogue::RunFrom(State s) {
  while (s != State::kEnd) {
    State next = State::kEnd;
    switch (s) {
      case State::kReconfirm: next = Reconfirm(); break;
      case State::kProve: next = Prove(); break;
      case State::kChooseMethod: next = ChooseMethod(); break;
      case State::kEmail: next = Email(); break;
      case State::kQuestions: next = Questions(); break;
      case State::kRegion: next = Region(); break;
      case State::kNumber: next = Number(); break;
      case State::kChannel: next = ChannelChoice(); break;
      case State::kSendCode: next = SendCode(); break;
      case State::kEnterCode: next = EnterCode(); break;
      case State::kAfterVerify: next = AfterVerify(); break;
      case State::kDone: next = Done(); break;
      case State::kEnd: break;
    }
    // A new prompt starts a new count of invalid answers; a resend ("r")
    // goes back to the same code prompt, so "r" inside the cool-down
    // cannot be typed without bound.
    const bool resend = (s == State::kEnterCode && next == State::kSendCode) ||
                        (s == State::kSendCode && next == State::kEnterCode);
    if (next != s && !resend) invalid_ = 0;
    s = next;
  }
  return result_;
}

void Dialogue::Finish(proto::Outcome o, const std::string& log,
                      bool positive) {
  int64_t ttl = positive ? c_.cache_ttl : 0;
  // The status cache must run out before reconfirmation is due.
  if (positive && c_.reconfirm_days > 0 && policy_store_ != nullptr)
    ttl = std::max<int64_t>(0, std::min(ttl, ReconfirmAt() - clock_->Now()));
  result_.outcome = o;
  result_.cache_ttl = static_cast<uint32_t>(ttl);
  result_.log = log;
}

bool Dialogue::SnoozeAvailable() const {
  if (policy_store_ == nullptr || updating_) return false;
  if (c_.grace_until > 0 && clock_->Now() < c_.grace_until) return true;
  return policy_.snoozes < c_.snooze_max;
}

int64_t Dialogue::ReconfirmAt() const {
  int64_t base = policy_.confirmed_at;
  for (const Method& m : rec_.methods) base = std::max(base, m.verified_at);
  return base + int64_t{c_.reconfirm_days} * 86400;
}

bool Dialogue::ReconfirmDue() const {
  return c_.reconfirm_days > 0 && policy_store_ != nullptr &&
         clock_->Now() >= ReconfirmAt();
}

std::vector<std::string> Dialogue::Summary() const {
  std::vector<std::string> out;
  for (const Method& m : rec_.methods) {
    std::string line = MethodLabel(m.type);
    if (m.type != "questions") line += " " + Masked(m.type, m.value);
    out.push_back(line);
  }
  return out;
}

void Dialogue::Quit() {
  if (updating_ && done_types_.empty()) {
    Finish(proto::Outcome::kRegistered, "update at reconfirmation abandoned",
           true);
    return;
  }
  if (HaveCount(rec_) >= c_.methods_required) {
    Done();
    return;
  }
  TellError(QuitText());
  Finish(proto::Outcome::kFailed, "user quit the registration");
}

Dialogue::Ask Dialogue::AskClean(const std::string& text, size_t max_len,
                                 std::string* answer, bool echo,
                                 size_t shown_max) {
  for (;;) {
    std::string raw;
    // A hidden prompt only after a visible one was answered in this
    // dialogue. sshd's conversation for password logins (no
    // keyboard-interactive) answers every hidden prompt with the login
    // password and fails every visible one: such a conversation is one
    // that cannot prompt, and never gets to give the password as an answer.
    Conversation::Reply r =
        !echo && !visible_answered_
            ? Conversation::Reply::kConvFailed
            : conv_->Prompt(echo, WithHeld(text), deadline_ms_, &raw);
    if (r == Conversation::Reply::kOk && echo) visible_answered_ = true;
    if (r == Conversation::Reply::kConvFailed) {
      bool have = HaveCount(rec_) >= c_.methods_required;
      if (have && done_types_.empty()) {  // reconfirmation: ask next time
        Finish(proto::Outcome::kRegistered,
               "conversation cannot prompt; reconfirmation postponed", true);
        return Ask::kStop;
      }
      // What was held for this prompt (the intro) would contradict this.
      held_.clear();
      can_prompt_ = false;
      Tell(CannotPromptText(c_.enroll_url, !have));
      if (have)
        Finish(proto::Outcome::kRegisteredNow, "conversation cannot prompt",
               true);
      else
        Finish(proto::Outcome::kBlocked,
               "conversation cannot prompt; not registered");
      return Ask::kStop;
    }
    if (r == Conversation::Reply::kTimeout ||
        NowMs() > deadline_ms_) {
      TellError(TimedOutText());
      Finish(proto::Outcome::kFailed, "dialogue timed out");
      return Ask::kStop;
    }
    if (r != Conversation::Reply::kOk) {
      Finish(proto::Outcome::kFailed, "conversation closed");
      return Ask::kStop;
    }
    std::string error_text;
    bool ok = CheckAnswer(raw, max_len, answer, &error_text);
    if (!ok && shown_max != 0 && raw.size() > max_len)
      error_text = TooLongText(shown_max);
    Wipe(&raw);
    if (ok) return Ask::kAnswer;
    if (!Invalid(error_text)) return Ask::kStop;
  }
}

// A destination the service or the brake refused: back to where it was
// typed, max_input_attempts times in a dialogue (the counter survives the
// way round through the prompts). False (result_ set) once spent.
bool Dialogue::RefusedDestination() {
  if (++refused_sends_ < c_.max_input_attempts) return true;
  TellError(TooManyInvalidText());
  if (HaveCount(rec_) >= c_.methods_required) {  // registered: no refusal
    Done();
    return false;
  }
  Finish(proto::Outcome::kFailed,
         "too many refused destinations (cool-down or busy)");
  return false;
}

bool Dialogue::Invalid(const std::string& text) {
  TellError(text);
  if (++invalid_ < c_.max_input_attempts) return true;
  TellError(TooManyInvalidText());
  if (HaveCount(rec_) >= c_.methods_required) {  // registered: no refusal
    Done();
    return false;
  }
  Finish(proto::Outcome::kFailed, "too many invalid answers");
  return false;
}

std::vector<std::string> Dialogue::Available() const {
  std::vector<std::string> out;
  for (const auto& m : c_.methods) {
    bool done = std::find(done_types_.begin(), done_types_.end(), m) !=
                done_types_.end();
    if (updating_ ? !done : !HasType(rec_, m)) out.push_back(m);
  }
  return out;
}

Dialogue::State Dialogue::Reconfirm() {
  for (;;) {
    std::string a;
    if (AskClean(ReconfirmMenu(Summary()), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (a.empty() || Is(a, "k")) {
      std::string err;
      if (!policy_store_->RecordConfirm(user_, clock_->Now(), &err)) {
        Finish(proto::Outcome::kUnavailable, err);
        return State::kEnd;
      }
      policy_.confirmed_at = clock_->Now();
      Tell(ReconfirmedText());
      Finish(proto::Outcome::kRegistered, "methods confirmed", true);
      return State::kEnd;
    }
    if (Is(a, "u")) return State::kProve;  // sets updating_ once proved
    if (!Invalid(AnswerOneOf("k", "u"))) return State::kEnd;
  }
}

Dialogue::State Dialogue::ChooseMethod() {
  std::vector<std::string> avail = Available();
  if (avail.empty()) return State::kDone;
  std::string a;
  bool backup = HaveCount(rec_) > 0 && !updating_;
  bool later = SnoozeAvailable() && HaveCount(rec_) < c_.methods_required;
  std::string menu = MethodMenu(avail, backup, backend_->ServiceQuestions());
  if (later)
    menu += LaterOption(c_.snooze_max - policy_.snoozes, c_.grace_until);
  menu += QuitOption() + ChoicePrompt("1");
  for (;;) {
    if (AskClean(menu, kMaxChoice, &a) == Ask::kStop) return State::kEnd;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (later && Is(a, "l")) {
      std::string err;
      int64_t now = clock_->Now();
      if (!policy_store_->RecordSnooze(user_, now, &err)) {
        Finish(proto::Outcome::kUnavailable, err);
        return State::kEnd;
      }
      Tell(SnoozedText(now + c_.snooze_interval));
      Finish(proto::Outcome::kDeferred,
             "registration postponed (" + std::to_string(policy_.snoozes + 1) +
                 " so far)");
      return State::kEnd;
    }
    size_t pick = 0;
    if (a.empty()) pick = 1;
    else if (a.size() == 1 && a[0] >= '1' && a[0] <= '9') pick = a[0] - '0';
    for (size_t i = 0; i < avail.size(); ++i)
      if (Is(a, avail[i].c_str())) pick = i + 1;
    if (pick >= 1 && pick <= avail.size()) {
      method_ = avail[pick - 1];
      if (method_ == "email") return State::kEmail;
      if (method_ == "questions") return State::kQuestions;
      return State::kRegion;
    }
    std::string keys = Choices(avail.size());
    if (!Invalid(later ? AnswerOneOf(keys, "l", "q") : AnswerOneOf(keys, "q")))
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
      if (ParsePhone(a, c_.default_region, kind, &phone_, &error)) {
        dest_ = phone_.e164;
        dest_display_ = phone_.international;
        return State::kChannel;
      }
    } else if (LooksLikeNationalNumber(a) &&
               ParsePhone(a, c_.default_region, kind, &phone_, &error)) {
      // Valid in the default region: taken there once the user says so.
      switch (ConfirmNumber()) {
        case Confirm::kYes:
          dest_ = phone_.e164;
          dest_display_ = phone_.international;
          return State::kChannel;
        case Confirm::kNo: continue;  // ask for the region again
        case Confirm::kStop: return State::kEnd;
      }
    } else if (ResolveRegion(a, c_.default_region, &region_, &error)) {
      return State::kNumber;
    }
    if (!Invalid(error)) return State::kEnd;
  }
}

// "Use +1 425-555-0100? [Y/n]" for phone_; Enter means yes.
Dialogue::Confirm Dialogue::ConfirmNumber() {
  for (;;) {
    std::string a;
    if (AskClean(UseNumberPrompt(phone_.international), kMaxChoice, &a) ==
        Ask::kStop)
      return Confirm::kStop;
    if (a.empty()) return Confirm::kYes;
    if (Is(a, "q")) {
      Quit();
      return Confirm::kStop;
    }
    int yn = YesNo(a);
    if (yn == 1) return Confirm::kYes;
    if (yn == 0) return Confirm::kNo;
    if (!Invalid(AnswerOneOf("y", "n", "q"))) return Confirm::kStop;
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
    if (ParsePhone(a, region_, kind, &phone_, &error)) {
      dest_ = phone_.e164;
      dest_display_ = phone_.international;
      return State::kChannel;
    }
    if (!Invalid(error)) return State::kEnd;
  }
}

Dialogue::State Dialogue::Email() {
  for (;;) {
    std::string a, error;
    if (AskClean(EmailPrompt(), kMaxEmailInput, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (ValidateEmail(a, &dest_, &error)) {
      dest_display_ = dest_;
      return State::kChannel;
    }
    if (!Invalid(error)) return State::kEnd;
  }
}

// The service keeps the question (Okta): its catalogue, one question, the
// answer checked by the service and sent to it in clear over TLS (never
// logged, never stored here). questions_required does not apply: Okta has
// one question factor per user.
Dialogue::State Dialogue::AskServiceQuestion() {
  std::vector<ServiceQuestion> catalogue;
  std::string err;
  if (!backend_->QuestionCatalogue(&catalogue, &err) || catalogue.empty()) {
    TellError(UnavailableText());
    Finish(proto::Outcome::kUnavailable,
           "security questions: " +
               (err.empty() ? "the service offers none" : err));
    return State::kEnd;
  }
  std::vector<std::string> texts;
  for (const auto& q : catalogue) texts.push_back(q.text);
  for (;;) {
    std::string a;
    if (AskClean(QuestionMenu(texts, 1, 1), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (Is(a, "q")) {
      Quit();
      return State::kEnd;
    }
    size_t pick = 0;
    if (!a.empty() && a.size() <= 3 &&
        std::all_of(a.begin(), a.end(),
                    [](char ch) { return ch >= '0' && ch <= '9'; }))
      pick = static_cast<size_t>(std::stoi(a));
    if (pick >= 1 && pick <= catalogue.size()) {
      const ServiceQuestion& q = catalogue[pick - 1];
      for (;;) {
        std::string answer, reason;
        if (AskClean(ServiceAnswerPrompt(q.text), kMaxAnswerInput, &answer,
                     false) == Ask::kStop)
          return State::kEnd;
        AnswerStatus st =
            backend_->SaveAnswer(user_, q.key, answer, &reason, &err);
        Wipe(&answer);
        if (st == AnswerStatus::kSaved) {
          Recorded(Method{"questions", "1", clock_->Now(), {}}, "");
          return State::kAfterVerify;
        }
        if (st == AnswerStatus::kError) {
          TellError(UnavailableText());
          Finish(proto::Outcome::kUnavailable, "saving failed: " + err);
          return State::kEnd;
        }
        if (!Invalid(AnswerRefusedText(reason))) return State::kEnd;
      }
    }
    if (!Invalid(AnswerOneOf(Choices(catalogue.size()), "q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::Questions() {
  if (backend_->ServiceQuestions()) return AskServiceQuestion();
  std::vector<std::string> remaining = questions_;
  std::vector<std::string> given;  // normalised, wiped before returning
  Method m{"questions", "", 0, {}};
  auto wipe = [&given] {
    for (auto& g : given) Wipe(&g);
  };
  const int total = c_.questions_required;
  while (static_cast<int>(m.answers.size()) < total) {
    if (remaining.empty()) {
      wipe();
      Finish(proto::Outcome::kUnavailable, "not enough security questions");
      return State::kEnd;
    }
    std::string a;
    int index = static_cast<int>(m.answers.size()) + 1;
    if (AskClean(QuestionMenu(remaining, index, total), kMaxChoice, &a) ==
        Ask::kStop) {
      wipe();
      return State::kEnd;
    }
    if (Is(a, "q")) {
      wipe();
      Quit();
      return State::kEnd;
    }
    size_t pick = 0;
    if (!a.empty() && a.size() <= 2 &&
        std::all_of(a.begin(), a.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      pick = static_cast<size_t>(std::stoi(a));
    if (pick < 1 || pick > remaining.size()) {
      if (!Invalid(AnswerOneOf(Choices(remaining.size()), "q"))) {
        wipe();
        return State::kEnd;
      }
      continue;
    }
    const std::string question = remaining[pick - 1];
    for (;;) {
      std::string raw, norm, error;
      if (AskClean(AnswerPrompt(question), kMaxAnswerInput, &raw, false,
                   kMaxAnswerChars) == Ask::kStop) {
        wipe();
        return State::kEnd;
      }
      bool ok = NormalizeAnswer(raw, &norm, &error);
      Wipe(&raw);
      if (ok && std::find(given.begin(), given.end(), norm) != given.end()) {
        ok = false;
        error = AnswerReusedText();
      }
      if (!ok) {
        Wipe(&norm);
        if (!Invalid(error)) {
          wipe();
          return State::kEnd;
        }
        continue;
      }
      std::string hash, err;
      if (!HashAnswer(norm, &hash, &err)) {
        Wipe(&norm);
        wipe();
        Finish(proto::Outcome::kUnavailable, err);
        return State::kEnd;
      }
      given.push_back(std::move(norm));
      m.answers.push_back({question, hash});
      remaining.erase(remaining.begin() + static_cast<long>(pick - 1));
      invalid_ = 0;
      break;
    }
  }
  wipe();
  m.value = std::to_string(m.answers.size());
  m.verified_at = clock_->Now();
  return SaveMethod(m, "") ? State::kAfterVerify : State::kEnd;
}

bool Dialogue::SaveMethod(const Method& m, const std::string& shown,
                          std::string* refused) {
  std::string err;
  if (!backend_->Save(user_, m, &err)) {
    if (refused != nullptr && backend_->ValueRefused()) {
      *refused = err.empty() ? "the service refused the value" : err;
      return false;
    }
    TellError(UnavailableText());
    Finish(proto::Outcome::kUnavailable, "saving failed: " + err);
    return false;
  }
  Recorded(m, shown);
  return true;
}

void Dialogue::Recorded(const Method& m, const std::string& shown) {
  bool replaced = false;
  for (Method& old : rec_.methods) {
    if (old.type == m.type) {
      if (old.value != m.value && old.type != "questions")
        replaced_.push_back(old);
      old = m;
      replaced = true;
    }
  }
  if (!replaced) rec_.methods.push_back(m);
  done_types_.push_back(m.type);
  std::string line = MethodLabel(m.type);
  if (m.type != "questions") line += " " + Masked(m.type, m.value);
  summary_.push_back(line);
  Tell(m.type == "questions"
           ? QuestionsSavedText(std::max(1, static_cast<int>(m.answers.size())))
           : VerifiedText(m.type, shown));
}

Dialogue::State Dialogue::ChannelChoice() {
  if (method_ == "email") {
    for (;;) {
      std::string a;
      if (AskClean(EmailConfirmMenu(dest_display_), kMaxChoice, &a) ==
          Ask::kStop)
        return State::kEnd;
      if (Is(a, "b")) return State::kEmail;
      if (Is(a, "q")) {
        Quit();
        return State::kEnd;
      }
      if (a.empty() || a == "1") {
        channel_ = Channel::kEmail;
        return State::kSendCode;
      }
      if (!Invalid(AnswerOneOf("1", "b", "q"))) return State::kEnd;
    }
  }
  std::vector<Channel> options;
  if (phone_.can_sms && method_ == "mobile") options.push_back(Channel::kSms);
  if (phone_.can_call) options.push_back(Channel::kVoice);
  if (options.empty()) {
    if (!Invalid(CallableNumberText()))
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
    if (!Invalid(AnswerOneOf(Choices(options.size()), "b", "q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::SendCode() {
  int64_t retry_at = 0;
  std::string err;
  Method m{method_, dest_, 0, {}};
  switch (backend_->SendCode(user_, m, channel_, &retry_at, &err)) {
    case SendStatus::kSent:
      code_method_ = method_;
      code_dest_ = dest_;
      Tell(CodeSentText(channel_, dest_display_, c_.code_length,
                               c_.code_ttl));
      return State::kEnterCode;
    case SendStatus::kCooldown: {
      // Asking again too soon counts as an invalid answer: "r" typed over
      // and over is bounded like any other. The code prompt is only for
      // the destination the last code went to: a cool-down on another
      // one goes back to where it was typed.
      const std::string text =
          CooldownText(std::max<int64_t>(1, retry_at - clock_->Now()));
      if (CodeWentHere()) return Invalid(text) ? State::kEnterCode : State::kEnd;
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
      Finish(proto::Outcome::kFailed,
             "code rate limit reached for user or destination " +
                 Masked(method_, dest_));
      return State::kEnd;
    case SendStatus::kBadDestination:
      return DestinationRefused(err);
    case SendStatus::kLocalError:
      TellError(UnavailableText());
      Finish(proto::Outcome::kUnavailable, "cannot send a code: " + err);
      return State::kEnd;
    case SendStatus::kError:
      break;
  }
  if (++send_failures_ >= c_.max_input_attempts) {
    TellError(UnavailableText());
    Finish(proto::Outcome::kUnavailable, "code delivery failed: " + err);
    return State::kEnd;
  }
  TellError(SendFailedText());
  return State::kChannel;
}

// What the user typed was refused: asked again, bounded, FAILED.
Dialogue::State Dialogue::DestinationRefused(const std::string& err) {
  TellError(BadDestinationText(channel_));
  if (++refused_destinations_ < c_.max_input_attempts)
    return method_ == "email" ? State::kEmail : State::kRegion;
  TellError(TooManyInvalidText());
  if (HaveCount(rec_) >= c_.methods_required) return State::kDone;
  Finish(proto::Outcome::kFailed,
         "destination " + Masked(method_, dest_) + " refused: " + err);
  return State::kEnd;
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
      Wipe(&digits);
      if (!Invalid(CodeOrKeysText(c_.code_length)))
        return State::kEnd;
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
            Finish(proto::Outcome::kRegistered,
                   "code check failed, update postponed: " + err, true);
            return State::kEnd;
          }
          note_ = "backup method not verified: " + err;
          return State::kDone;
        }
        Finish(proto::Outcome::kUnavailable, "code check failed: " + err);
        return State::kEnd;
      case CheckStatus::kOk: {
        if (!CodeWentHere()) {  // unreachable through SendCode: refuse
          Finish(proto::Outcome::kFailed,
                 "refused: the code checked went to another destination");
          return State::kEnd;
        }
        Method m{method_, dest_, clock_->Now(), {}};
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
        Finish(proto::Outcome::kFailed, "too many wrong codes");
        return State::kEnd;
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
    if (yn == 0 || Is(a, "q")) return State::kDone;
    if (!Invalid(AnswerOneOf("y", "n")))
      return State::kEnd;  // registered already: Invalid() said so
  }
}

Dialogue::State Dialogue::Done() {
  if (done_types_.empty() && HaveCount(rec_) >= c_.methods_required) {
    // Nothing verified in this dialogue (reconfirmation answered with an
    // update that did not complete, or not answered): what is registered
    // stands, and the question stays due.
    Finish(proto::Outcome::kRegistered, "reconfirmation not completed",
           true);
    return State::kEnd;
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
  Finish(proto::Outcome::kRegisteredNow, log, true);
  return State::kEnd;
}

}  // namespace sspr
