// The dialogue's frame: start, the state loop, what is held and said,
// clean answers and their bounds, reconfirmation, the end.
#include "helper/dialogue.h"

#include <algorithm>

#include "common/time.h"
#include "common/wipe.h"
#include "config/user_name.h"
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
using dialogue_parts::Masked;

namespace {

bool HasKind(const UserRecord& r, MethodKind kind) {
  return std::any_of(r.methods.begin(), r.methods.end(),
                     [&](const Method& m) { return m.Kind() == kind; });
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
    if (h.first) conv_->Error(h.second);
    else conv_->Info(h.second);
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
    if (r == Conversation::Reply::kTimeout || NowMs() > deadline_ms_) {
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

}  // namespace sspr
