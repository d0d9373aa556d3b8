// The fakes the dialogue's unit tests share: a clock, a code sender that
// records what it sends (or fails, or refuses every destination), and a
// conversation that plays a script of answers and keeps a transcript.
#ifndef SSPR_TESTS_UNIT_DIALOGUE_FAKES_H_
#define SSPR_TESTS_UNIT_DIALOGUE_FAKES_H_

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "common/time.h"
#include "helper/backends/backend.h"
#include "helper/dialogue.h"

namespace sspr {
namespace test {

class FakeClock : public Clock {
 public:
  int64_t Now() override { return now; }
  int64_t now = 1800000000;
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

// Answers are strings, or functions of the world (to read the sent code).
using Answer = std::function<std::string()>;

class ScriptedConv : public Conversation {
 public:
  Reply Prompt(bool, const std::string& text, int64_t,
               std::string* answer) override {
    transcript.push_back("PROMPT: " + text);
    if (answers.empty()) return fail_with;
    *answer = answers.front()();
    answers.pop_front();
    return Reply::kOk;
  }
  bool Info(const std::string& text) override {
    transcript.push_back("INFO: " + text);
    return true;
  }
  bool Error(const std::string& text) override {
    transcript.push_back("ERROR: " + text);
    return true;
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
};

}  // namespace test
}  // namespace sspr

#endif  // SSPR_TESTS_UNIT_DIALOGUE_FAKES_H_
