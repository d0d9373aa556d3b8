// The world the dialogue's unit tests run in: the real Dialogue over the
// real local backend and policy store in a temp dir, with the shared fakes
// of tests/common/fakes.h (clock, recording sender, scripted conversation).
// Include after <cmocka.h>.
#ifndef SSPR_TESTS_UNIT_DIALOGUE_WORLD_H_
#define SSPR_TESTS_UNIT_DIALOGUE_WORLD_H_

#include <stdio.h>
#include <stdlib.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/dialogue.h"
#include "helper/questions.h"
#include "helper/store/policy_state.h"
#include "protocol/frame.h"
#include "tests/common/fakes.h"
#include "tests/unit/temp_dir.h"

namespace sspr {
namespace test {

struct DialogueWorld {
  DialogueWorld() {
    dir = sspr_test::MakeTempDir();
    c.state_dir = dir;
    c.resend_cooldown = 0;
    Rebuild();
    policy = std::make_unique<PolicyStore>(dir);
    std::string err;
    assert_true(policy->Init(&err));
  }
  ~DialogueWorld() { sspr_test::RemoveTree(dir); }

  // After changing c: a backend that sees the new settings.
  void Rebuild() {
    auto s = std::make_unique<FakeSender>(&sent);
    sender = s.get();
    std::string err;
    backend = MakeLocalBackend(c, std::move(s), &clock, &err);
    assert_non_null(backend.get());
  }
  // One login of `user`. SSPR_TRANSCRIPT=1 prints what was shown. With
  // follow_script, each run has a transcript of its own and must use
  // every scripted answer.
  proto::Result Run(const std::string& user = "alice") {
    if (follow_script) conv.transcript.clear();
    Dialogue d(c, wrapper ? wrapper : backend.get(), &conv, &clock,
               NowMs() + 60000);
    d.set_questions(BuiltinQuestions());
    d.set_policy_store(policy.get());
    d.set_silent(silent);
    proto::Result r = d.Run(user);
    if (getenv("SSPR_TRANSCRIPT"))
      for (const auto& t : conv.transcript) fprintf(stderr, "%s\n", t.c_str());
    if (follow_script)
      assert_int_equal(conv.answers.size(), 0);  // the script was followed
    return r;
  }

  std::string Code() const { return CodeIn(sent.back().text); }
  std::string WrongCode() const { return test::WrongCode(Code()); }
  void Say(std::initializer_list<std::string> list) { conv.Say(list); }
  void SayCode() { conv.SayCode(&sent); }
  void SayWrongCode() { conv.SayWrongCode(&sent); }

  UserRecord Record(const std::string& user = "alice") {
    UserRecord rec;
    std::string err;
    assert_true(backend->Lookup(user, &rec, &err));
    return rec;
  }
  int SentTo(const std::string& to) const {
    int n = 0;
    for (const auto& s : sent) n += s.to == to;
    return n;
  }

  std::string dir;
  Config c;
  FakeClock clock;
  std::vector<Sent> sent;
  FakeSender* sender = nullptr;
  std::unique_ptr<Backend> backend;
  Backend* wrapper = nullptr;  // when set, the dialogue talks to it
  std::unique_ptr<PolicyStore> policy;
  ScriptedConv conv;
  bool silent = false;
  bool follow_script = false;
};

inline int Outcome(const proto::Result& r) {
  return static_cast<int>(r.outcome);
}
inline int Want(proto::Outcome o) { return static_cast<int>(o); }

}  // namespace test
}  // namespace sspr

#endif  // SSPR_TESTS_UNIT_DIALOGUE_WORLD_H_
