// The C++ fakes the tests share (unit tests, backend tests, the dialogue
// fuzzer): a clock, a code sender that records what it sends (or fails, or
// refuses every destination), and a conversation that plays a script of
// answers and keeps a transcript. Reading a code out of a sent message is
// here too, so every test reads it the same way.
#ifndef SSPR_TESTS_COMMON_FAKES_H_
#define SSPR_TESTS_COMMON_FAKES_H_

#include <stdint.h>

#include <deque>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "helper/backends/backend.h"
#include "helper/dialogue.h"

namespace sspr {
namespace test {

constexpr int64_t kFakeClockStart = 1800000000;

class FakeClock : public Clock {
 public:
  int64_t Now() override { return now; }
  int64_t now = kFakeClockStart;
};

struct Sent {
  Channel ch;
  std::string to, text;
};

class FakeSender : public CodeSender {
 public:
  explicit FakeSender(std::vector<Sent>* log) : log_(log) {}
  SendStatus Send(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) override {
    if (fail) {
      *err = "fake failure";
      return SendStatus::kError;
    }
    if (refuse) {
      *err = "fake refusal";
      return SendStatus::kBadDestination;
    }
    log_->push_back({ch, to, text});
    return SendStatus::kSent;
  }
  bool fail = false;
  bool refuse = false;  // the gateway refuses every destination

 private:
  std::vector<Sent>* log_;
};

// The code in a code message, or "" when it has none. SMS: "123456 is ...";
// voice spells it: "code is 1 2 3 4 5 6."; e-mail: "Subject: ...\n\nUse
// 123456 to ...".
inline std::string CodeIn(const std::string& text) {
  size_t p = text.find_first_of("0123456789");
  std::string code;
  for (; p < text.size() &&
         ((text[p] >= '0' && text[p] <= '9') || text[p] == ' ');
       ++p)
    if (text[p] != ' ') code += text[p];
  return code;
}

// A code of the same length that differs from `code` in its first digit.
inline std::string WrongCode(std::string code) {
  if (code.empty()) return "1";
  code[0] = code[0] == '9' ? '0' : static_cast<char>(code[0] + 1);
  return code;
}

// Answers are strings, or functions of the world (to read the sent code).
using Answer = std::function<std::string()>;

class ScriptedConv : public Conversation {
 public:
  Reply Prompt(bool, const std::string& text, int64_t,
               std::string* answer) override {
    Record("PROMPT: ", text);
    return Next(answer);
  }
  bool Info(const std::string& text) override {
    Record("INFO: ", text);
    return true;
  }
  bool Error(const std::string& text) override {
    Record("ERROR: ", text);
    return true;
  }

  void Say(std::initializer_list<std::string> list) {
    for (const auto& s : list) answers.push_back([s] { return s; });
  }
  // The code of the last message in `sent`, read when the prompt comes.
  void SayCode(const std::vector<Sent>* sent) {
    answers.push_back([sent] { return CodeIn(sent->back().text); });
  }
  void SayWrongCode(const std::vector<Sent>* sent) {
    answers.push_back([sent] { return WrongCode(CodeIn(sent->back().text)); });
  }

  bool Saw(const std::string& needle) const {
    for (const auto& t : transcript)
      if (t.find(needle) != std::string::npos) return true;
    return false;
  }
  int Count(const std::string& prefix) const {
    int n = 0;
    for (const auto& t : transcript) n += t.rfind(prefix, 0) == 0;
    return n;
  }
  std::deque<Answer> answers;
  std::vector<std::string> transcript;
  Reply fail_with = Reply::kConvFailed;

 protected:
  // The next answer of the script; when it runs out, fail_with.
  virtual Reply Next(std::string* answer) {
    if (answers.empty()) return fail_with;
    *answer = answers.front()();
    answers.pop_front();
    return Reply::kOk;
  }
  // Every text shown (kind is "PROMPT: ", "INFO: " or "ERROR: "), before it
  // goes into the transcript.
  virtual void Shown(const char* kind, const std::string& text) {
    (void)kind;
    (void)text;
  }

 private:
  void Record(const char* kind, const std::string& text) {
    Shown(kind, text);
    transcript.push_back(kind + text);
  }
};

}  // namespace test
}  // namespace sspr

#endif  // SSPR_TESTS_COMMON_FAKES_H_
