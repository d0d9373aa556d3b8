// The dialogue state machine with a scripted conversation, a fake clock and
// a fake code sender, over the real local backend in a temp dir.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/dialogue.h"
#include "protocol/frame.h"
#include "tests/unit/temp_dir.h"

namespace sspr {
namespace {

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
  bool Send(Channel ch, const std::string& to, const std::string& text,
            std::string* err) override {
    if (fail) {
      *err = "fake failure";
      return false;
    }
    log_->push_back({ch, to, text});
    return true;
  }
  bool fail = false;

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

struct World {
  World() {
    dir = sspr_test::MakeTempDir();
    c.state_dir = dir;
    c.resend_cooldown = 0;
    auto s = std::make_unique<FakeSender>(&sent);
    sender = s.get();
    std::string err;
    backend = MakeLocalBackend(c, std::move(s), &clock, &err);
    assert_non_null(backend.get());
  }
  ~World() { sspr_test::RemoveTree(dir); }
  proto::Result Run(const std::string& user = "alice") {
    Dialogue d(c, backend.get(), &conv, &clock, proto::NowMs() + 60000);
    proto::Result r = d.Run(user);
    if (getenv("SSPR_TRANSCRIPT"))
      for (const auto& t : conv.transcript) fprintf(stderr, "%s\n", t.c_str());
    return r;
  }
  std::string Code() {
    const std::string& t = sent.back().text;
    size_t p = t.find_first_of("0123456789");
    std::string code;
    // SMS: "123456 is ..."; voice spells it: "code is 1 2 3 4 5 6."
    for (; p < t.size() && ((t[p] >= '0' && t[p] <= '9') || t[p] == ' '); ++p)
      if (t[p] != ' ') code += t[p];
    return code;
  }
  std::string WrongCode() {
    std::string c2 = Code();
    c2[0] = c2[0] == '9' ? '0' : static_cast<char>(c2[0] + 1);
    return c2;
  }
  // After changing c: a backend that sees the new settings.
  void Rebuild() {
    auto s = std::make_unique<FakeSender>(&sent);
    sender = s.get();
    std::string err;
    backend = MakeLocalBackend(c, std::move(s), &clock, &err);
    assert_non_null(backend.get());
  }
  void Say(std::initializer_list<std::string> list) {
    for (const auto& s : list) conv.answers.push_back([s] { return s; });
  }
  void SayCode() { conv.answers.push_back([this] { return Code(); }); }
  void SayWrongCode() { conv.answers.push_back([this] { return WrongCode(); }); }

  std::string dir;
  Config c;
  FakeClock clock;
  std::vector<Sent> sent;
  FakeSender* sender;
  std::unique_ptr<Backend> backend;
  ScriptedConv conv;
};

void test_register_mobile_sms(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_int_equal(r.cache_ttl, w.c.cache_ttl);
  assert_int_equal(w.sent.size(), 1);
  assert_int_equal(static_cast<int>(w.sent[0].ch), static_cast<int>(Channel::kSms));
  assert_string_equal(w.sent[0].to.c_str(), "+12015550123");
  assert_true(w.conv.Saw("Thanks!"));
  // The log line masks the number.
  assert_null(strstr(r.log.c_str(), "5550123"));
  // A second dialogue finds the user registered without prompting.
  ScriptedConv fresh;
  Dialogue d(w.c, w.backend.get(), &fresh, &w.clock, proto::NowMs() + 60000);
  proto::Result r2 = d.Run("alice");
  assert_int_equal(static_cast<int>(r2.outcome),
                   static_cast<int>(proto::Outcome::kRegistered));
  assert_int_equal(fresh.Count("PROMPT"), 0);
}

void test_wrong_codes_fail(void**) {
  World w;
  w.c.max_attempts = 3;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayWrongCode();
  w.SayWrongCode();
  w.Say({"r"});  // a new code buys no new attempts
  w.SayWrongCode();
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("2 attempts left"));
  assert_true(w.conv.Saw("Too many wrong codes"));
  UserRecord rec;
  std::string err;
  assert_true(w.backend->Lookup("alice", &rec, &err));
  assert_int_equal(rec.methods.size(), 0);
}

void test_expired_code(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1"});
  w.conv.answers.push_back([&w] {
    w.clock.now += w.c.code_ttl;  // the code expires while the user types
    return w.Code();
  });
  w.Say({"r"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("expired"));
  assert_int_equal(w.sent.size(), 2);
}

void test_cooldown(void**) {
  World w;
  w.c.resend_cooldown = 30;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1", "r"});
  w.conv.answers.push_back([&w] {
    w.clock.now += 31;
    return std::string("r");
  });
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("Please wait 30 seconds"));
  assert_int_equal(w.sent.size(), 2);
}

void test_invalid_inputs_bounded(void**) {
  World w;
  w.c.max_input_attempts = 3;
  w.Say({"1", "", "abc", "12", "\x1b[31m"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_int_equal(w.sent.size(), 0);
}

void test_back_and_full_number_at_region(void**) {
  World w;
  w.Say({"1", "GB", "b", "+44 7400 123456", "b", "", "201-555-0123", "2"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_int_equal(static_cast<int>(w.sent[0].ch),
                   static_cast<int>(Channel::kVoice));
  assert_string_equal(w.sent[0].to.c_str(), "+12015550123");
}

void test_two_methods_required(void**) {
  World w;
  w.c.methods_required = 2;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"1", "GB", "020 7946 0000", "1"});  // office is the only one left
  w.SayCode();
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("requires 2 methods"));
  assert_int_equal(w.sent.size(), 2);
}

void test_conv_failed_blocks(void**) {
  World w;
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kBlocked));
  assert_true(w.conv.Saw("keyboard-interactive"));
}

void test_timeout(void**) {
  World w;
  w.conv.fail_with = Conversation::Reply::kTimeout;
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("took too long"));
}

void test_send_failure_then_unavailable(void**) {
  World w;
  w.sender->fail = true;
  w.Say({"1", "", "201-555-0123", "1", "1", "1"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kUnavailable));
  assert_true(w.conv.Saw("could not be sent"));
}

void test_rate_limit(void**) {
  World w;
  w.c.rate_limit = 2;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1", "r", "r"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Too many codes"));
  assert_int_equal(w.sent.size(), 2);
}

void test_block_and_warn(void**) {
  World w;
  w.c.mode = Mode::kBlock;
  assert_int_equal(static_cast<int>(w.Run().outcome),
                   static_cast<int>(proto::Outcome::kBlocked));
  w.c.mode = Mode::kWarn;
  assert_int_equal(static_cast<int>(w.Run().outcome),
                   static_cast<int>(proto::Outcome::kDeferred));
  assert_int_equal(w.conv.Count("PROMPT"), 0);
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sspr::test_register_mobile_sms),
      cmocka_unit_test(sspr::test_wrong_codes_fail),
      cmocka_unit_test(sspr::test_expired_code),
      cmocka_unit_test(sspr::test_cooldown),
      cmocka_unit_test(sspr::test_invalid_inputs_bounded),
      cmocka_unit_test(sspr::test_back_and_full_number_at_region),
      cmocka_unit_test(sspr::test_two_methods_required),
      cmocka_unit_test(sspr::test_conv_failed_blocks),
      cmocka_unit_test(sspr::test_timeout),
      cmocka_unit_test(sspr::test_send_failure_then_unavailable),
      cmocka_unit_test(sspr::test_rate_limit),
      cmocka_unit_test(sspr::test_block_and_warn),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
