#include "helper/dialogue.h"

#include <strings.h>

#include <algorithm>

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

bool HasKind(const UserRecord& r, MethodKind kind) {
  return std::any_of(r.methods.begin(), r.methods.end(),
                     [&](const Method& m) { return m.Kind() == kind; });
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
  return digits >= 6 &&
         a.find_first_not_of("0123456789 -().") == std::string::npos;
}

int HaveCount(const UserRecord& r) {
  return static_cast<int>(r.methods.size());
}

// How a destination appears in logs and summaries.
std::string Masked(MethodKind method, const std::string& value) {
  if (IsPhone(method)) return MaskPhone(value);
  if (method == MethodKind::kEmail) return MaskEmail(value);
  return value;
}

}  // namespace

proto::Result Dialogue::Run(const std::string& user) {
  RunFrom(Start(user));
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
  bool positive = proto::LetsIn(result_.outcome);
  bool had_text = !held_.empty();
  for (const auto& h : held_) {
    if (h.first)
      conv_->Error(h.second);
    else
      conv_->Info(h.second);
  }
  held_.clear();
  if (positive && had_text && can_prompt_ && !silent_) {
    std::string ignored;
    conv_->Prompt(true, ContinuePrompt(), deadline_ms_, &ignored);
  }
}

Dialogue::State Dialogue::Start(const std::string& user) {
  user_ = user;
  std::string err;
  // The module refuses these names before it starts the helper; a START
  // that carries one anyway ends here, before any lookup or prompt, with
  // the result the module gives (pam_sspr(8), USER NAMES).
  if (const char* problem = UserNameProblem(user)) {
    can_prompt_ = false;
    return Finish(c_.mode == Mode::kWarn ? proto::Outcome::kDeferred
                                         : proto::Outcome::kBlocked,
                  problem);
  }
  if (!backend_->Lookup(user, &rec_, &err)) {
    return Finish(proto::Outcome::kUnavailable, "lookup failed: " + err);
  }
  if (policy_store_ != nullptr && !policy_store_->Load(user, &policy_, &err)) {
    return Finish(proto::Outcome::kUnavailable, err);
  }
  if (HaveCount(rec_) >= c_.methods_required) {
    if (!ReconfirmDue()) {
      return Finish(proto::Outcome::kRegistered,
                    std::to_string(HaveCount(rec_)) + " method(s) registered");
    }
    return State::kReconfirm;
  }
  if (c_.mode == Mode::kBlock) {
    TellError(BlockText(c_.enroll_url));
    std::string qr = c_.show_qr ? ScanQrText(c_.enroll_url) : "";
    if (!qr.empty()) Tell(qr);
    return Finish(proto::Outcome::kBlocked, "not registered (mode=block)");
  }
  if (c_.mode == Mode::kWarn) {
    Tell(WarnText(c_.enroll_url));
    std::string qr = c_.show_qr ? ScanQrText(c_.enroll_url) : "";
    if (!qr.empty()) Tell(qr);
    return Finish(proto::Outcome::kDeferred, "not registered (mode=warn)");
  }
  if (RemindedUntil(c_, policy_, clock_->Now()) > 0) {
    return Finish(proto::Outcome::kDeferred,
                  "not registered; reminded recently");
  }
  Tell(IntroText());
  return State::kChooseMethod;
}

void Dialogue::RunFrom(State s) {
  while (s != State::kEnd) {
    State next = State::kEnd;
    switch (s) {
      case State::kReconfirm:
        next = Reconfirm();
        break;
      case State::kProve:
        next = Prove();
        break;
      case State::kChooseMethod:
        next = ChooseMethod();
        break;
      case State::kEmail:
        next = Email();
        break;
      case State::kQuestions:
        next = Questions();
        break;
      case State::kRegion:
        next = Region();
        break;
      case State::kNumber:
        next = Number();
        break;
      case State::kChannel:
        next = ChannelChoice();
        break;
      case State::kSendCode:
        next = SendCode();
        break;
      case State::kEnterCode:
        next = EnterCode();
        break;
      case State::kAfterVerify:
        next = AfterVerify();
        break;
      case State::kDone:
        next = Done();
        break;
      case State::kEnd:
        break;
    }
    // A new prompt starts a new count of invalid answers; a resend ("r")
    // goes back to the same code prompt, so "r" inside the cool-down
    // cannot be typed without bound.
    const bool resend = (s == State::kEnterCode && next == State::kSendCode) ||
                        (s == State::kSendCode && next == State::kEnterCode);
    if (next != s && !resend) invalid_ = 0;
    s = next;
  }
}

Dialogue::State Dialogue::Finish(proto::Outcome o, const std::string& log) {
  const bool positive = proto::Cacheable(o);
  int64_t ttl = positive ? c_.cache_ttl : 0;
  // The status cache must run out before reconfirmation is due.
  if (positive && c_.reconfirm_days > 0 && policy_store_ != nullptr)
    ttl = std::max<int64_t>(0, std::min(ttl, ReconfirmAt() - clock_->Now()));
  result_.outcome = o;
  result_.cache_ttl = static_cast<uint32_t>(ttl);
  result_.log = log;
  return State::kEnd;
}

bool Dialogue::SnoozeAvailable() const {
  if (policy_store_ == nullptr || updating_) return false;
  return LaterAllowed(c_, policy_, clock_->Now());
}

int64_t Dialogue::ReconfirmAt() const {
  return sspr::ReconfirmAt(c_, policy_, rec_);
}

bool Dialogue::ReconfirmDue() const {
  return policy_store_ != nullptr &&
         sspr::ReconfirmDue(c_, policy_, rec_, clock_->Now());
}

std::vector<std::string> Dialogue::Summary() const {
  std::vector<std::string> out;
  for (const Method& m : rec_.methods) {
    std::string line = MethodLabel(m.type);
    if (m.Kind() != MethodKind::kQuestions)
      line += " " + Masked(m.Kind(), m.value);
    out.push_back(line);
  }
  return out;
}

void Dialogue::Quit() {
  if (updating_ && done_types_.empty()) {
    Finish(proto::Outcome::kRegistered, "update at reconfirmation abandoned");
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
               "conversation cannot prompt; reconfirmation postponed");
        return Ask::kStop;
      }
      // What was held for this prompt (the intro) would contradict this.
      held_.clear();
      can_prompt_ = false;
      Tell(CannotPromptText(c_.enroll_url, !have));
      if (have)
        Finish(proto::Outcome::kRegisteredNow, "conversation cannot prompt");
      else
        Finish(proto::Outcome::kBlocked,
               "conversation cannot prompt; not registered");
      return Ask::kStop;
    }
    if (r == Conversation::Reply::kTimeout || proto::NowMs() > deadline_ms_) {
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
    proto::Wipe(&raw);
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

std::vector<MethodKind> Dialogue::Available() const {
  std::vector<MethodKind> out;
  for (const std::string& name : c_.methods) {  // names the parser checked
    const MethodKind m = MethodKindOf(name);
    bool done = std::find(done_types_.begin(), done_types_.end(), m) !=
                done_types_.end();
    if (updating_ ? !done : !HasKind(rec_, m)) out.push_back(m);
  }
  return out;
}

Dialogue::State Dialogue::Reconfirm() {
  for (;;) {
    std::string a;
    if (AskClean(ReconfirmMenu(Summary()), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (a.empty() || IsKey(a, "k")) {
      std::string err;
      if (!policy_store_->RecordConfirm(user_, clock_->Now(), &err)) {
        return Finish(proto::Outcome::kUnavailable, err);
      }
      policy_.confirmed_at = clock_->Now();
      Tell(ReconfirmedText());
      return Finish(proto::Outcome::kRegistered, "methods confirmed");
    }
    if (IsKey(a, "u")) return State::kProve;  // sets updating_ once proved
    if (!Invalid(AnswerOneOf("k", "u"))) return State::kEnd;
  }
}

Dialogue::State Dialogue::ChooseMethod() {
  std::vector<MethodKind> avail = Available();
  if (avail.empty()) return State::kDone;
  std::string a;
  bool backup = HaveCount(rec_) > 0 && !updating_;
  bool later = SnoozeAvailable() && HaveCount(rec_) < c_.methods_required;
  std::vector<std::string> names;
  for (MethodKind k : avail) names.push_back(MethodName(k));
  std::string menu = MethodMenu(names, backup, backend_->questions() != nullptr);
  if (later)
    menu += LaterOption(c_.snooze_max - policy_.snoozes, c_.grace_until);
  menu += QuitOption() + ChoicePrompt("1");
  for (;;) {
    if (AskClean(menu, kMaxChoice, &a) == Ask::kStop) return State::kEnd;
    if (IsKey(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (later && IsKey(a, "l")) {
      std::string err;
      int64_t now = clock_->Now();
      if (!policy_store_->RecordSnooze(user_, now, &err)) {
        return Finish(proto::Outcome::kUnavailable, err);
      }
      Tell(SnoozedText(now + c_.snooze_interval));
      return Finish(proto::Outcome::kDeferred,
                    "registration postponed (" +
                        std::to_string(policy_.snoozes + 1) + " so far)");
    }
    size_t pick = MenuPick(a, avail.size());
    for (size_t i = 0; i < avail.size(); ++i)
      if (IsKey(a, names[i].c_str())) pick = i + 1;
    if (pick >= 1) {
      method_ = avail[pick - 1];
      if (method_ == MethodKind::kEmail) return State::kEmail;
      if (method_ == MethodKind::kQuestions) return State::kQuestions;
      return State::kRegion;
    }
    std::string keys = MenuRange(avail.size());
    if (!Invalid(later ? AnswerOneOf(keys, "l", "q") : AnswerOneOf(keys, "q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::Region() {
  PhoneKind kind =
      method_ == MethodKind::kOffice ? PhoneKind::kOffice : PhoneKind::kMobile;
  for (;;) {
    std::string a, error;
    if (AskClean(RegionPrompt(c_.default_region), kMaxRegionInput, &a) ==
        Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "q")) {
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
        case Confirm::kNo:
          continue;  // ask for the region again
        case Confirm::kStop:
          return State::kEnd;
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
    if (IsKey(a, "q")) {
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
  PhoneKind kind =
      method_ == MethodKind::kOffice ? PhoneKind::kOffice : PhoneKind::kMobile;
  for (;;) {
    std::string a, error;
    if (AskClean(NumberPrompt(region_), kMaxPhoneInput, &a) == Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "b")) return State::kRegion;
    if (IsKey(a, "q")) {
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
    if (IsKey(a, "q")) {
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
  if (!backend_->questions()->Catalogue(&catalogue, &err) || catalogue.empty()) {
    TellError(UnavailableText());
    return Finish(proto::Outcome::kUnavailable,
                  "security questions: " +
                      (err.empty() ? "the service offers none" : err));
  }
  std::vector<std::string> texts;
  for (const auto& q : catalogue) texts.push_back(q.text);
  for (;;) {
    std::string a;
    if (AskClean(QuestionMenu(texts, 1, 1), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "q")) {
      Quit();
      return State::kEnd;
    }
    size_t pick = MenuPick(a, catalogue.size(), false);
    if (pick >= 1) {
      const ServiceQuestion& q = catalogue[pick - 1];
      for (;;) {
        std::string answer, reason;
        if (AskClean(ServiceAnswerPrompt(q.text), kMaxAnswerInput, &answer,
                     false) == Ask::kStop)
          return State::kEnd;
        AnswerStatus st =
            backend_->questions()->SaveAnswer(user_, q.key, answer, &reason, &err);
        proto::Wipe(&answer);
        if (st == AnswerStatus::kSaved) {
          Recorded(Method{MethodName(MethodKind::kQuestions), "1", clock_->Now(), {}}, "");
          return State::kAfterVerify;
        }
        if (st == AnswerStatus::kError) {
          TellError(UnavailableText());
          return Finish(proto::Outcome::kUnavailable, "saving failed: " + err);
        }
        if (!Invalid(AnswerRefusedText(reason))) return State::kEnd;
      }
    }
    if (!Invalid(AnswerOneOf(MenuRange(catalogue.size()), "q")))
      return State::kEnd;
  }
}

Dialogue::State Dialogue::Questions() {
  if (backend_->questions() != nullptr) return AskServiceQuestion();
  std::vector<std::string> remaining = questions_;
  std::vector<std::string> given;  // normalised, wiped before returning
  Method m{MethodName(MethodKind::kQuestions), "", 0, {}};
  auto wipe = [&given] {
    for (auto& g : given) proto::Wipe(&g);
  };
  const int total = c_.questions_required;
  while (static_cast<int>(m.answers.size()) < total) {
    if (remaining.empty()) {
      wipe();
      return Finish(proto::Outcome::kUnavailable,
                    "not enough security questions");
    }
    std::string a;
    int index = static_cast<int>(m.answers.size()) + 1;
    if (AskClean(QuestionMenu(remaining, index, total), kMaxChoice, &a) ==
        Ask::kStop) {
      wipe();
      return State::kEnd;
    }
    if (IsKey(a, "q")) {
      wipe();
      Quit();
      return State::kEnd;
    }
    size_t pick = MenuPick(a, remaining.size(), false);
    if (pick < 1) {
      if (!Invalid(AnswerOneOf(MenuRange(remaining.size()), "q"))) {
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
      proto::Wipe(&raw);
      if (ok && std::find(given.begin(), given.end(), norm) != given.end()) {
        ok = false;
        error = AnswerReusedText();
      }
      if (!ok) {
        proto::Wipe(&norm);
        if (!Invalid(error)) {
          wipe();
          return State::kEnd;
        }
        continue;
      }
      std::string hash, err;
      if (!HashAnswer(norm, &hash, &err)) {
        proto::Wipe(&norm);
        wipe();
        return Finish(proto::Outcome::kUnavailable, err);
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
      if (old.value != m.value && old.Kind() != MethodKind::kQuestions)
        replaced_.push_back(old);
      old = m;
      replaced = true;
    }
  }
  if (!replaced) rec_.methods.push_back(m);
  done_types_.push_back(m.Kind());
  std::string line = MethodLabel(m.type);
  if (m.Kind() != MethodKind::kQuestions)
    line += " " + Masked(m.Kind(), m.value);
  summary_.push_back(line);
  Tell(m.Kind() == MethodKind::kQuestions
           ? QuestionsSavedText(std::max(1, static_cast<int>(m.answers.size())))
           : VerifiedText(m.type, shown));
}

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
  if (phone_.can_sms && method_ == MethodKind::kMobile) options.push_back(Channel::kSms);
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
      proto::Wipe(&digits);
      if (!Invalid(CodeOrKeysText(c_.code_length))) return State::kEnd;
      continue;
    }
    int left = 0;
    std::string err;
    CheckStatus st = backend_->CheckCode(digits, &left, &err);
    proto::Wipe(&digits);
    proto::Wipe(&a);
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
