// The dialogue's registration states: the method menu, the region and
// number, the address, security questions, and storing what was proved.
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
using dialogue_parts::Masked;

namespace {

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

}  // namespace

Dialogue::State Dialogue::ChooseMethod() {
  std::vector<MethodKind> avail = Available();
  if (avail.empty()) return State::kDone;
  std::string a;
  bool backup = HaveCount(rec_) > 0 && !updating_;
  bool later = SnoozeAvailable() && HaveCount(rec_) < c_.methods_required;
  std::vector<std::string> names;
  names.reserve(avail.size());
  for (MethodKind k : avail) names.push_back(MethodName(k));
  std::string menu =
      MethodMenu(names, backup, backend_->questions() != nullptr);
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
  if (!backend_->questions()->Catalogue(&catalogue, &err) ||
      catalogue.empty()) {
    TellError(UnavailableText());
    return Finish(proto::Outcome::kUnavailable,
                  "security questions: " +
                      (err.empty() ? "the service offers none" : err));
  }
  std::vector<std::string> texts;
  texts.reserve(catalogue.size());
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
        AnswerStatus st = backend_->questions()->SaveAnswer(
            user_, q.key, answer, &reason, &err);
        Wipe(&answer);
        if (st == AnswerStatus::kSaved) {
          Recorded(
              Method{
                  MethodName(MethodKind::kQuestions), "1", clock_->Now(), {}},
              "");
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
    for (auto& g : given) Wipe(&g);
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

}  // namespace sspr
