// Before registered methods are replaced (reconfirmation, "update"): the
// user proves that they hold one of them, by a code sent to it or by the
// registered security answers. Afterwards the replaced destination is
// told. A user who holds none of them is sent to the administrator.
#include <algorithm>
#include <cstring>

#include "helper/answer.h"
#include "common/wipe.h"
#include "helper/code.h"
#include "helper/dialogue.h"
#include "helper/dialogue_parts.h"
#include "helper/proof.h"
#include "helper/questions.h"
#include "helper/texts.h"
#include "protocol/frame.h"

namespace sspr {

using dialogue_parts::kMaxChoice;
using dialogue_parts::kMaxCodeInput;

// Nothing changes; the registration stands and stays due.
void Dialogue::SentToAdmin(const std::string& log) {
  TellError(LostMethodText(c_.enroll_url));
  Finish(proto::Outcome::kRegistered, log);
}

Dialogue::State Dialogue::Prove() {
  std::vector<Method> can = ProvableMethods(rec_, backend_, false);
  if (can.empty()) {
    SentToAdmin("update refused: no registered method can be proved here");
    return State::kEnd;
  }
  std::vector<std::string> labels;
  labels.reserve(can.size());
  for (const Method& m : can) labels.push_back(ProofLabel(m));
  for (;;) {
    std::string a;
    if (AskClean(ProveMenu(labels), kMaxChoice, &a) == Ask::kStop)
      return State::kEnd;
    if (IsKey(a, "q")) {
      Quit();
      return State::kEnd;
    }
    if (IsKey(a, "l")) {
      SentToAdmin("update refused: the user holds no registered method");
      return State::kEnd;
    }
    size_t pick = MenuPick(a, can.size());
    if (pick >= 1) {
      const Method& m = can[pick - 1];
      int r = m.Kind() == MethodKind::kQuestions ? ProveByAnswers(m)
                                                 : ProveByCode(m);
      if (r < 0) return State::kEnd;
      if (r > 0) {
        invalid_ = 0;
        updating_ = true;
        return State::kChooseMethod;
      }
      continue;  // no code could go there: pick another
    }
    if (!Invalid(AnswerOneOf(MenuRange(can.size()), "l", "q")))
      return State::kEnd;
  }
}

// 1: proved; 0: back to the menu; -1: the dialogue ends (result_ set).
// The code prompt takes r (a new code) and b (back to the menu) as at a
// registration; it is reached only while the last proof code went to `m`.
int Dialogue::ProveByCode(const Method& m) {
  std::string err;
  const Channel ch = ProofChannel(m);
  for (;;) {
    int64_t retry_at = 0;
    switch (backend_->SendCode(user_, m, ch, &retry_at, &err)) {
      case SendStatus::kSent:
        proof_sent_to_ = m.type + " " + m.value;
        Tell(CodeSentText(ch, ShownMethod(m), c_.code_length, c_.code_ttl));
        break;
      case SendStatus::kCooldown: {
        const bool live = proof_sent_to_ == m.type + " " + m.value;
        if (!Invalid(
                CooldownText(std::max<int64_t>(1, retry_at - clock_->Now()))))
          return -1;
        if (!live) return 0;
        break;  // the code sent before still works
      }
      case SendStatus::kRateLimited:
      case SendStatus::kDestBusy:
        TellError(RateLimitedText(retry_at));
        Finish(
            proto::Outcome::kRegistered,
            "update postponed: no code may go to " + ShownMethod(m) + " now");
        return -1;
      case SendStatus::kError:
      case SendStatus::kLocalError:
      case SendStatus::kBadDestination:  // a registered one: not typed now
        TellError(UnavailableText());
        Finish(proto::Outcome::kRegistered,
               "update postponed: cannot send a code to " + ShownMethod(m) +
                   ": " + err);
        return -1;
    }
    int r = ProofCodePrompt(m);
    if (r != 2) return r;  // 2: "r", send a new code
  }
}

// 1 proved, 0 back, -1 end, 2 resend.
int Dialogue::ProofCodePrompt(const Method& m) {
  std::string err;
  for (;;) {
    std::string a;
    if (AskClean(CodePrompt(), kMaxCodeInput, &a) == Ask::kStop) return -1;
    if (IsKey(a, "r")) return 2;
    if (IsKey(a, "b")) return 0;
    if (IsKey(a, "q")) {
      Quit();
      return -1;
    }
    int left = 0;
    CheckStatus st = CheckStatus::kError;
    if (!CheckTypedCode(backend_, &a, true, &st, &left, &err)) {
      if (!Invalid(CodeOrKeysText(c_.code_length))) return -1;
      continue;
    }
    switch (st) {
      case CheckStatus::kOk:
        note_ =
            "proved " + m.type + " " + ShownMethod(m) + " before the update";
        return 1;
      case CheckStatus::kWrong:
        LogFailedProof(user_, "update", m.type, left);
        TellError(WrongCodeText(left));
        break;
      case CheckStatus::kExpired:
      case CheckStatus::kNoCode:
        if (!Invalid(ExpiredCodeText())) return -1;
        break;
      case CheckStatus::kTooMany:
        LogFailedProof(user_, "update", m.type, 0);
        TellError(ProveFailedText());
        Finish(proto::Outcome::kFailed,
               "update refused: too many wrong codes for the registered " +
                   m.type + " " + ShownMethod(m));
        return -1;
      case CheckStatus::kError:
        TellError(UnavailableText());
        Finish(proto::Outcome::kRegistered,
               "code check failed, update postponed: " + err);
        return -1;
    }
  }
}

// Every registered answer, right; c_.max_attempts rounds in all.
int Dialogue::ProveByAnswers(const Method& m) {
  for (int round = 1;; ++round) {
    bool all = true;
    for (const QuestionAnswer& qa : m.answers) {
      std::string raw;
      if (AskClean(AnswerPrompt(qa.question), kMaxAnswerInput, &raw, false,
                   kMaxAnswerChars) == Ask::kStop)
        return -1;
      bool ok = AnswerMatches(&raw, qa.hash);
      all = all && ok;
    }
    if (all) {
      note_ = "proved the security answers before the update";
      return 1;
    }
    LogFailedProof(user_, "update", m.type,
                   std::max(0, c_.max_attempts - round));
    if (round >= c_.max_attempts) {
      TellError(ProveFailedText());
      Finish(proto::Outcome::kFailed, "update refused: wrong security answers");
      return -1;
    }
    TellError(WrongAnswersText());
  }
}

// The destination a replaced phone or address had is told of the change.
void Dialogue::NotifyReplaced() {
  if (replaced_.empty()) return;
  const std::string host = HostName(), when = FormatUtc(clock_->Now());
  for (const Method& old : replaced_) {
    std::string err;
    std::string text = ChangedNoticeText(old.type, host, when, c_.enroll_url);
    if (!backend_->Notify(old, ProofChannel(old), text, &err))
      note_ += (note_.empty() ? "" : "; ") + std::string("could not tell ") +
               ShownMethod(old) + " of the change: " + err;
    else
      note_ += (note_.empty() ? "" : "; ") + std::string("told ") +
               ShownMethod(old) + " of the change";
  }
  replaced_.clear();
}

}  // namespace sspr
