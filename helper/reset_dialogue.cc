// This file is long because it is one dialogue (offer, proofs by code or
// answers, the new password, notices) whose steps share their bounds.
#include "helper/reset_dialogue.h"

#include <algorithm>
#include <cstring>

#include "common/text.h"
#include "common/wipe.h"
#include "helper/answer.h"
#include "helper/code.h"
#include "helper/email_address.h"
#include "helper/proof.h"
#include "helper/questions.h"
#include "helper/reset_texts.h"
#include "helper/texts.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr size_t kMaxChoice = 32;
constexpr size_t kMaxCodeInput = 32;

bool Is(const std::string& a, const char* word) {
  return a.size() == strlen(word) &&
         std::equal(a.begin(), a.end(), word,
                    [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// A new password as typed: kept byte for byte (spaces are part of it),
// valid UTF-8 without control characters, at most kMaxNewPassword bytes.
bool PasswordUsable(const std::string& p) {
  if (p.size() > kMaxNewPassword || !IsValidUtf8(p)) return false;
  return std::none_of(p.begin(), p.end(), [](char ch) {
    unsigned char u = static_cast<unsigned char>(ch);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

proto::Result ResetDialogue::Run(const std::string& user) {
  user_ = user;
  SetCodesForReset(true);
  Go();
  Flush(result_.outcome == proto::Outcome::kPasswordReset);
  return result_;
}

void ResetDialogue::Finish(proto::Outcome o, const std::string& log) {
  result_.outcome = o;
  result_.cache_ttl = 0;
  result_.log = log;
  finished_ = true;
}

// Held texts go out; after a reset the person confirms them with Enter,
// so that sshd shows them before the login fails (texts ride on a
// question, see Dialogue::Finalize).
void ResetDialogue::Flush(bool closing_prompt) {
  bool had = !held_.empty();
  for (const auto& h : held_) {
    if (h.first) conv_->Error(h.second);
    else conv_->Info(h.second);
  }
  held_.clear();
  if (closing_prompt && had && visible_answered_) {
    std::string ignored;
    conv_->Prompt(true, ContinuePrompt(), deadline_ms_, &ignored);
  }
}

ResetDialogue::Ask ResetDialogue::AskFor(bool echo, const std::string& text,
                                         size_t max_len, std::string* answer) {
  for (;;) {
    std::string s;
    for (const auto& h : held_) s += h.second + "\n";
    held_.clear();
    std::string raw;
    // As in the registration: a hidden prompt only after a visible one was
    // answered, so a conversation that answers hidden prompts with the
    // login password never hands it to us as a new one.
    Conversation::Reply r =
        !echo && !visible_answered_
            ? Conversation::Reply::kConvFailed
            : conv_->Prompt(echo, s + text, deadline_ms_, &raw);
    if (r == Conversation::Reply::kOk && echo) visible_answered_ = true;
    if (r == Conversation::Reply::kConvFailed) {
      Finish(proto::Outcome::kFailed, "conversation cannot prompt; no reset");
      return Ask::kStop;
    }
    if (r == Conversation::Reply::kTimeout || NowMs() > deadline_ms_) {
      Wipe(&raw);
      held_.push_back({true, TimedOutText()});
      Finish(proto::Outcome::kFailed, "reset timed out");
      return Ask::kStop;
    }
    if (r != Conversation::Reply::kOk) {
      Finish(proto::Outcome::kFailed, "conversation closed");
      return Ask::kStop;
    }
    if (!echo) {  // a password: taken as typed
      if (PasswordUsable(raw)) {
        *answer = std::move(raw);
        return Ask::kAnswer;
      }
      Wipe(&raw);
      if (!Invalid(PasswordUnusableText(kMaxNewPassword))) return Ask::kStop;
      continue;
    }
    std::string error_text;
    bool ok = CheckAnswer(raw, max_len, answer, &error_text);
    Wipe(&raw);
    if (ok) return Ask::kAnswer;
    if (!Invalid(error_text)) return Ask::kStop;
  }
}

bool ResetDialogue::Invalid(const std::string& text) {
  if (++invalid_ >= c_.max_input_attempts) {
    held_.push_back({true, TooManyInvalidText()});
    Finish(proto::Outcome::kFailed, "too many invalid answers");
    return false;
  }
  held_.push_back({true, text});
  return true;
}

bool ResetDialogue::FailedProof(const std::string& what) {
  std::string err;
  int64_t until = 0;
  note_ += (note_.empty() ? "" : "; ") + std::string("failed proof: ") + what;
  if (!limiter_->RecordFailure(user_, clock_->Now(), &until, &err)) {
    held_.push_back({true, UnavailableText()});
    Finish(proto::Outcome::kUnavailable, "reset state: " + err);
    return false;
  }
  if (until > 0) {
    held_.push_back({true, ResetLockedText(until)});
    Finish(proto::Outcome::kFailed,
           note_ + "; reset locked until " + FormatUtc(until));
    return false;
  }
  return true;
}

proto::Result ResetDialogue::Go() {
  std::string err;
  if (!backend_->Lookup(user_, &rec_, &err)) {
    if (backend_->UserUnknown())
      Finish(proto::Outcome::kNotApplicable, "not in the directory");
    else Finish(proto::Outcome::kUnavailable, "lookup failed: " + err);
    return result_;
  }
  std::vector<Method> can = ProvableMethods(rec_, backend_, true);
  if (can.size() < static_cast<size_t>(c_.reset_methods_required)) {
    // Nothing to offer: the wrong password stays a wrong password.
    Finish(proto::Outcome::kNotApplicable,
           "too few registered methods for a reset");
    return result_;
  }
  for (;;) {
    std::string a;
    if (AskFor(true, ResetOfferMenu(), kMaxChoice, &a) == Ask::kStop)
      return result_;
    if (a.empty()) {
      Finish(proto::Outcome::kFailed, "reset offered, not taken");
      return result_;
    }
    if (Is(a, "r")) break;
    if (!Invalid(AnswerOneOf("r", "Enter"))) return result_;
  }
  int64_t until = 0;
  if (!limiter_->LockedUntil(user_, clock_->Now(), &until, &err)) {
    held_.push_back({true, UnavailableText()});
    Finish(proto::Outcome::kUnavailable, "reset state: " + err);
    return result_;
  }
  if (until > 0) {
    held_.push_back({true, ResetLockedText(until)});
    Finish(proto::Outcome::kFailed,
           "reset refused: locked until " + FormatUtc(until));
    return result_;
  }
  const int steps = c_.reset_methods_required;
  for (int step = 1; step <= steps; ++step) {
    std::vector<std::string> labels;
    labels.reserve(can.size());
    for (const Method& m : can) labels.push_back(ProofLabel(m));
    for (;;) {
      std::string a;
      invalid_ = 0;
      if (AskFor(true, ResetProveMenu(labels, step, steps), kMaxChoice, &a) ==
          Ask::kStop)
        return result_;
      if (Is(a, "q")) {
        Finish(proto::Outcome::kFailed, "reset given up");
        return result_;
      }
      size_t pick = a.empty() ? 1 : 0;
      if (a.size() == 1 && a[0] >= '1' && a[0] <= '9')
        pick = static_cast<size_t>(a[0] - '0');
      if (pick < 1 || pick > can.size()) {
        if (!Invalid(AnswerOneOf(can.size() == 1
                                     ? std::string("1")
                                     : "1-" + std::to_string(can.size()),
                                 "q")))
          return result_;
        continue;
      }
      const Method m = can[pick - 1];
      int r = m.Kind() == MethodKind::kQuestions ? ProveByAnswers(m)
                                                 : ProveByCode(m);
      if (r < 0 || finished_) return result_;
      if (r == 0) continue;
      proved_.push_back(m.type + (m.Kind() == MethodKind::kQuestions
                                      ? ""
                                      : " " + ShownMethod(m)));
      can.erase(can.begin() + static_cast<long>(pick - 1));
      break;
    }
  }
  if (!NewPassword()) return result_;
  if (!limiter_->RecordReset(user_, clock_->Now(), &err))
    note_ += (note_.empty() ? "" : "; ") + ("reset not counted: " + err);
  NotifyAll();
  held_.push_back({false, PasswordChangedText()});
  std::string proved;
  for (const std::string& p : proved_)
    proved += (proved.empty() ? "" : ", ") + p;
  Finish(proto::Outcome::kPasswordReset,
         "password reset after proving " + proved +
             (note_.empty() ? "" : "; " + note_));
  return result_;
}

// 1 proved; 0 back to the menu (no code could go there); -1 ended.
int ResetDialogue::ProveByCode(const Method& m) {
  std::string err;
  const Channel ch = ProofChannel(m);
  int64_t retry_at = 0;
  switch (backend_->SendCode(user_, m, ch, &retry_at, &err)) {
    case SendStatus::kSent:
      held_.push_back({false, CodeSentText(ch, ShownMethod(m), c_.code_length,
                                           c_.code_ttl)});
      break;
    case SendStatus::kCooldown:
      if (!Invalid(
              CooldownText(std::max<int64_t>(1, retry_at - clock_->Now()))))
        return -1;
      return 0;
    case SendStatus::kRateLimited:
    case SendStatus::kDestBusy:
      held_.push_back({true, RateLimitedText(retry_at)});
      Finish(proto::Outcome::kFailed,
             "reset refused: no code may go to " + ShownMethod(m) + " now");
      return -1;
    case SendStatus::kError:
    case SendStatus::kLocalError:
    case SendStatus::kBadDestination:
      held_.push_back({true, PasswordNotSetText(c_.reset_contact)});
      Finish(proto::Outcome::kUnavailable,
             "cannot send a reset code to " + ShownMethod(m) + ": " + err);
      return -1;
  }
  for (;;) {
    std::string a;
    if (AskFor(true, CodePrompt(), kMaxCodeInput, &a) == Ask::kStop) return -1;
    if (Is(a, "q")) {
      Finish(proto::Outcome::kFailed, "reset given up");
      return -1;
    }
    if (Is(a, "b")) return 0;
    int left = 0;
    CheckStatus st = CheckStatus::kError;
    if (!CheckTypedCode(backend_, &a, false, &st, &left, &err)) {
      if (!Invalid(CodeOrKeysText(c_.code_length))) return -1;
      continue;
    }
    switch (st) {
      case CheckStatus::kOk:
        return 1;
      case CheckStatus::kWrong:
        LogFailedProof(user_, "reset", m.type, left);
        if (!FailedProof("wrong code for " + m.type + " " + ShownMethod(m) +
                         " (" + std::to_string(left) + " attempts left)"))
          return -1;
        held_.push_back({true, WrongCodeText(left)});
        break;
      case CheckStatus::kExpired:
      case CheckStatus::kNoCode:
        if (!Invalid(ExpiredCodeText())) return -1;
        return 0;
      case CheckStatus::kTooMany:
        LogFailedProof(user_, "reset", m.type, 0);
        if (!FailedProof("too many wrong codes for " + m.type + " " +
                         ShownMethod(m)))
          return -1;
        held_.push_back({true, ResetProveFailedText()});
        Finish(proto::Outcome::kFailed, "reset refused: " + note_);
        return -1;
      case CheckStatus::kError:
        held_.push_back({true, PasswordNotSetText(c_.reset_contact)});
        Finish(proto::Outcome::kUnavailable, "code check failed: " + err);
        return -1;
    }
  }
}

// reset_questions of the registered answers (the first ones), all right;
// c_.max_attempts rounds in all.
int ResetDialogue::ProveByAnswers(const Method& m) {
  const size_t n =
      std::min(m.answers.size(), static_cast<size_t>(c_.reset_questions));
  for (int round = 1;; ++round) {
    bool all = true;
    for (size_t i = 0; i < n; ++i) {
      const QuestionAnswer& qa = m.answers[i];
      std::string raw;
      if (AskFor(true, AnswerPrompt(qa.question), kMaxAnswerInput, &raw) ==
          Ask::kStop)
        return -1;
      bool ok = AnswerMatches(&raw, qa.hash);
      all = all && ok;
    }
    if (all) return 1;
    const int left = std::max(0, c_.max_attempts - round);
    LogFailedProof(user_, "reset", m.type, left);
    if (!FailedProof("wrong security answers (" + std::to_string(left) +
                     " attempts left)"))
      return -1;
    if (round >= c_.max_attempts) {
      held_.push_back({true, ResetProveFailedText()});
      Finish(proto::Outcome::kFailed, "reset refused: " + note_);
      return -1;
    }
    held_.push_back({true, WrongAnswersText()});
  }
}

// Twice, hidden; set; a refusal by the password policy (pam_pwquality,
// the directory's or the service's) is shown and asked
// again, at most max_input_attempts times in all.
bool ResetDialogue::NewPassword() {
  invalid_ = 0;
  for (;;) {
    std::string p1, p2;
    if (AskFor(false, NewPasswordPrompt(), kMaxNewPassword, &p1) == Ask::kStop)
      return false;
    if (p1.empty()) {
      if (!Invalid(PasswordEmptyText())) return false;
      continue;
    }
    if (AskFor(false, RetypePasswordPrompt(), kMaxNewPassword, &p2) ==
        Ask::kStop) {
      Wipe(&p1);
      return false;
    }
    const bool same = p1 == p2;
    Wipe(&p2);
    if (!same) {
      Wipe(&p1);
      if (!Invalid(PasswordsDifferText())) return false;
      continue;
    }
    proto::SetPasswordResult r = setter_->Set(p1);
    Wipe(&p1);
    switch (r.status) {
      case proto::SetStatus::kDone:
        return true;
      case proto::SetStatus::kRefused:
        note_ += (note_.empty() ? "" : "; ") +
                 std::string(
                     "a new password was refused by the password "
                     "policy");
        if (!Invalid(PasswordRefusedText(r.message))) return false;
        continue;
      case proto::SetStatus::kNotAllowed:
        // The service's own rule for this account, not an outage.
        held_.push_back(
            {true, PasswordNotAllowedText(r.message, c_.reset_contact)});
        Finish(
            proto::Outcome::kFailed,
            "the service does not reset this account's password: " + r.message);
        return false;
      case proto::SetStatus::kFailed:
        held_.push_back({true, PasswordNotSetText(c_.reset_contact)});
        Finish(proto::Outcome::kUnavailable,
               "proved " + std::to_string(proved_.size()) +
                   " method(s), but the password could not be set" +
                   (r.message.empty() ? "" : ": " + r.message));
        return false;
    }
  }
}

void ResetDialogue::NotifyAll() {
  const std::string text =
      ResetNoticeText(HostName(), FormatUtc(clock_->Now()), c_.reset_contact);
  int told = 0;
  for (const Method& m : rec_.methods) {
    if (!ProvedByCode(m)) continue;
    std::string err;
    if (backend_->Notify(m, ProofChannel(m), text, &err)) ++told;
    else
      note_ += (note_.empty() ? "" : "; ") + std::string("could not tell ") +
               ShownMethod(m) + ": " + err;
  }
  note_ += (note_.empty() ? "" : "; ") + std::string("told ") +
           std::to_string(told) + " method(s)";
}

}  // namespace sspr
