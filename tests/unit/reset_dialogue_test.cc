// The reset at the login prompt (helper/reset_dialogue.h) over the real
// local backend and the real reset limits in a temp dir, with a scripted
// conversation and a scripted password setter. This file is long because
// the whole dialogue (offer, proofs, limits, password, logs) shares the
// one World fixture.
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

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/proof.h"
#include "helper/questions.h"
#include "helper/reset_dialogue.h"
#include "helper/reset_texts.h"
#include "helper/store/reset_limit.h"
#include "helper/store/user_store.h"
#include "helper/texts.h"
#include "protocol/frame.h"
#include "tests/common/fakes.h"
#include "tests/unit/temp_dir.h"

namespace sspr {
namespace {

using test::FakeClock;
using test::FakeSender;
using test::ScriptedConv;
using test::Sent;

constexpr char kPhone[] = "+12015550123";
constexpr char kMail[] = "alice@example.org";

// Answers each Set with the next scripted result, keeping what it got.
class ScriptedSetter : public PasswordSetter {
 public:
  proto::SetPasswordResult Set(const std::string& password) override {
    got.push_back(password);
    proto::SetPasswordResult r;
    if (results.empty()) return r;  // kFailed
    r = results.front();
    results.pop_front();
    return r;
  }
  std::deque<proto::SetPasswordResult> results;
  std::vector<std::string> got;
};

proto::SetPasswordResult Done() { return {proto::SetStatus::kDone, ""}; }
proto::SetPasswordResult Refused(const std::string& why) {
  return {proto::SetStatus::kRefused, why};
}

struct World {
  World() {
    dir = sspr_test::MakeTempDir();
    c.state_dir = dir;
    c.resend_cooldown = 0;
    c.reset = true;
    std::string err;
    backend =
        MakeLocalBackend(c, std::make_unique<FakeSender>(&sent), &clock, &err);
    assert_non_null(backend.get());
    limiter = std::make_unique<ResetLimiter>(
        dir, ResetLimitPolicy{c.reset_limit, c.reset_fail_limit, 86400});
    assert_true(limiter->Init(&err));
  }
  ~World() {
    SetCodesForReset(false);
    sspr_test::RemoveTree(dir);
  }
  void Add(const Method& m) {
    UserStore store(dir);
    std::string err;
    assert_true(store.Init(&err));
    assert_true(store.AddMethod("alice", m, clock.now, &err));
  }
  void AddPhone() { Add({"mobile", kPhone, clock.now}); }
  void AddMail() { Add({"email", kMail, clock.now}); }
  void AddQuestions(
      std::initializer_list<std::pair<const char*, const char*>> qas) {
    Method m{"questions", std::to_string(qas.size()), clock.now};
    for (const auto& qa : qas) {
      std::string norm, hash, err;
      assert_true(NormalizeAnswer(qa.second, &norm, &err));
      assert_true(HashAnswer(norm, &hash, &err));
      m.answers.push_back({qa.first, hash});
    }
    Add(m);
  }
  proto::Result Run() {
    conv.transcript.clear();
    ResetDialogue d(c, backend.get(), &conv, &clock, NowMs() + 60000, &setter,
                    limiter.get());
    proto::Result r = d.Run("alice");
    if (getenv("SSPR_TRANSCRIPT"))
      for (const auto& t : conv.transcript) fprintf(stderr, "%s\n", t.c_str());
    assert_int_equal(conv.answers.size(), 0);  // the script was followed
    return r;
  }
  std::string Code() const {
    const std::string& t = sent.back().text;
    size_t p = t.find_first_of("0123456789");
    return t.substr(p, static_cast<size_t>(c.code_length));
  }
  void Say(std::initializer_list<std::string> list) {
    for (const auto& s : list) conv.answers.push_back([s] { return s; });
  }
  void SayCode() {
    conv.answers.push_back([this] { return Code(); });
  }
  void SayWrongCode() {
    conv.answers.push_back([this] {
      std::string w = Code();
      w[0] = w[0] == '9' ? '0' : static_cast<char>(w[0] + 1);
      return w;
    });
  }
  int SentTo(const std::string& to) const {
    int n = 0;
    for (const auto& m : sent) n += m.to == to;
    return n;
  }
  ResetState State() {
    ResetState s;
    std::string err;
    assert_true(limiter->Load("alice", &s, &err));
    return s;
  }

  std::string dir;
  Config c;
  FakeClock clock;
  std::vector<Sent> sent;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<ResetLimiter> limiter;
  ScriptedConv conv;
  ScriptedSetter setter;
};

int Outcome(const proto::Result& r) { return static_cast<int>(r.outcome); }
int Want(proto::Outcome o) { return static_cast<int>(o); }

void test_a_proved_phone_and_a_new_password_twice_reset_it_and_tell_the_phone(
    void**) {
  World w;
  w.AddPhone();
  w.setter.results = {Done()};
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kPasswordReset));
  assert_int_equal(w.setter.got.size(), 1);
  assert_string_equal(w.setter.got[0].c_str(), "N3w-Passw0rd!");
  assert_int_equal(w.sent.size(), 2);  // the code, then the notice
  assert_non_null(strstr(w.sent[0].text.c_str(), "RESET YOUR PASSWORD"));
  assert_non_null(strstr(w.sent[1].text.c_str(), "was reset at"));
  assert_non_null(strstr(w.sent[1].text.c_str(), "contact your administrator"));
  assert_true(
      w.conv.Saw("Your password was changed. Log in with the new "
                 "password."));
  assert_null(strstr(r.log.c_str(), "N3w"));
  assert_int_equal(w.State().last_reset, w.clock.now);
}

void test_enter_at_the_offer_sends_nothing_and_sets_nothing(void**) {
  World w;
  w.AddPhone();
  w.Say({""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.sent.size(), 0);
  assert_int_equal(w.setter.got.size(), 0);
}

void test_nobody_without_enough_registered_methods_is_offered_a_reset(void**) {
  World w;
  w.c.reset_methods_required = 2;
  w.AddPhone();
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kNotApplicable));
  assert_int_equal(w.conv.transcript.size(), 0);
}

void test_two_required_methods_need_two_different_proofs(void**) {
  World w;
  w.c.reset_methods_required = 2;
  w.AddPhone();
  w.AddMail();
  w.setter.results = {Done()};
  w.Say({"r", "1"});
  w.SayCode();
  w.Say({"1"});  // what is left: the other method, now first
  w.SayCode();
  w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kPasswordReset));
  assert_true(w.conv.Saw("(2 of 2)"));
  assert_int_equal(w.SentTo(kPhone), 2);  // code + notice
  assert_int_equal(w.SentTo(kMail), 2);
}

void test_security_answers_prove_only_when_every_asked_one_is_right(void**) {
  World w;
  w.c.reset_questions = 2;
  w.c.max_attempts = 2;
  w.AddQuestions({{"First pet?", "Rex the dog"},
                  {"Birth town?", "Leeds"},
                  {"Best friend?", "Ada"}});
  w.setter.results = {Done()};
  // Two of the three asked; a wrong round, then a right one.
  w.Say({"r", "", "rex the dog", "York", "Rex  the dog", "LEEDS",
         "N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kPasswordReset));
  assert_false(w.conv.Saw("Best friend?"));
  assert_int_equal(w.State().failures.size(), 1);
}

void test_wrong_answers_end_at_max_attempts_with_nothing_set(void**) {
  World w;
  w.c.reset_questions = 1;
  w.c.max_attempts = 2;
  w.AddQuestions({{"First pet?", "Rex the dog"},
                  {"Birth town?", "Leeds"},
                  {"Best friend?", "Ada"}});
  w.Say({"r", "", "Felix", "Tom"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.setter.got.size(), 0);
  assert_int_equal(w.State().failures.size(), 2);
  assert_true(w.conv.Saw("That did not prove your identity."));
}

void test_failed_proofs_past_the_daily_limit_lock_the_reset_and_say_until_when(
    void**) {
  World w;
  w.c.reset_fail_limit = 2;
  w.c.max_attempts = 5;
  w.limiter = std::make_unique<ResetLimiter>(
      w.dir, ResetLimitPolicy{w.c.reset_limit, 2, 86400});
  w.AddPhone();
  w.Say({"r", ""});
  w.SayWrongCode();
  w.SayWrongCode();
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Password reset is locked for your account until " +
                         FormatUtc(w.clock.now + 86400)));
  // Tomorrow it may go on again.
  w.clock.now += 86401;
  w.setter.results = {Done()};
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kPasswordReset));
}

void test_resets_past_the_daily_limit_are_refused_before_any_code(void**) {
  World w;
  w.c.reset_limit = 1;
  w.limiter = std::make_unique<ResetLimiter>(
      w.dir, ResetLimitPolicy{1, w.c.reset_fail_limit, 86400});
  w.AddPhone();
  w.setter.results = {Done()};
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kPasswordReset));
  size_t sent = w.sent.size();
  w.Say({"r"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.sent.size(), sent);
  assert_true(w.conv.Saw("Password reset is locked"));
}

void test_a_refused_password_is_shown_and_asked_again(void**) {
  World w;
  w.AddPhone();
  w.setter.results = {Refused("BAD PASSWORD: it is too short"), Done()};
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"abc", "abc", "N3w-Passw0rd!", "N3w-Passw0rd!", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kPasswordReset));
  assert_true(w.conv.Saw("BAD PASSWORD: it is too short"));
  assert_int_equal(w.setter.got.size(), 2);
}

void test_refusals_are_bounded_by_max_input_attempts(void**) {
  World w;
  w.c.max_input_attempts = 2;
  w.AddPhone();
  w.setter.results = {Refused("no"), Refused("no"), Refused("no")};
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"a1", "a1", "b2", "b2"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.setter.got.size(), 2);
  assert_int_equal(w.State().last_reset, 0);
}

void test_a_setter_failure_leaves_the_password_and_tells_the_person(void**) {
  World w;
  w.c.reset_contact = "the IT desk";
  w.AddPhone();
  w.Say({"r", ""});
  w.SayCode();
  w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!"});
  proto::Result r = w.Run();  // the setter has no result: kFailed
  assert_int_equal(Outcome(r), Want(proto::Outcome::kUnavailable));
  assert_true(w.conv.Saw("could not be changed and is unchanged"));
  assert_true(w.conv.Saw("contact the IT desk"));
  assert_int_equal(w.sent.size(), 1);  // no notice: nothing was reset
  assert_int_equal(w.State().last_reset, 0);
}

void test_hidden_prompts_come_only_after_a_visible_answer(void**) {
  World w;
  w.AddPhone();
  // sshd's password conversation: visible prompts fail.
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.conv.Count("PROMPT: "), 1);  // the offer, nothing more
  assert_int_equal(w.setter.got.size(), 0);
}

void test_the_reset_state_text_round_trips_and_refuses_garbage(void**) {
  ResetState s;
  s.resets = {100, 200};
  s.failures = {150};
  s.last_reset = 200;
  ResetState back;
  std::string err;
  assert_true(ResetStateFromText(ResetStateToText(s), &back, &err));
  assert_true(back.resets == s.resets);
  assert_true(back.failures == s.failures);
  assert_int_equal(back.last_reset, 200);
  for (const char* bad : {"reset\n", "reset x\n", "fail -1\n", "other 5\n",
                          "reset 99999999999999\n"}) {
    err.clear();
    assert_false(ResetStateFromText(bad, &back, &err));
    assert_false(err.empty());
  }
  assert_false(ResetStateFromText(std::string(kMaxResetStateSize + 1, 'x'),
                                  &back, &err));
}

// What LogFailedProof would have sent to syslog.
std::vector<std::string> g_proof_lines;
void KeepProofLine(const std::string& line) { g_proof_lines.push_back(line); }

void test_every_failed_proof_is_logged_without_the_code_or_the_answers(void**) {
  g_proof_lines.clear();
  SetFailedProofSink(KeepProofLine);
  {
    World w;
    w.c.max_attempts = 3;
    w.AddPhone();
    w.setter.results = {Done()};
    w.Say({"r", ""});
    w.SayWrongCode();
    w.SayCode();
    w.Say({"N3w-Passw0rd!", "N3w-Passw0rd!", ""});
    proto::Result r = w.Run();
    assert_int_equal(Outcome(r), Want(proto::Outcome::kPasswordReset));
    assert_int_equal(g_proof_lines.size(), 1);
    assert_string_equal(
        g_proof_lines[0].c_str(),
        "pam_sspr(reset): failed proof: user=alice method=mobile "
        "attempts_left=2");
    // The outcome line lists it too, with what is left; the code (the
    // wrong one differs in its first digit only) appears in neither.
    assert_non_null(strstr(r.log.c_str(), "(2 attempts left)"));
    assert_null(strstr(r.log.c_str(), w.Code().substr(1).c_str()));
  }
  g_proof_lines.clear();
  {
    World w;
    w.c.reset_questions = 1;
    w.c.max_attempts = 2;
    w.AddQuestions({{"First pet?", "Rex the dog"},
                    {"Birth town?", "Leeds"},
                    {"Best friend?", "Ada"}});
    w.Say({"r", "", "Felix", "Tom"});
    proto::Result r = w.Run();
    assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
    assert_int_equal(g_proof_lines.size(), 2);
    assert_string_equal(g_proof_lines[0].c_str(),
                        "pam_sspr(reset): failed proof: user=alice "
                        "method=questions attempts_left=1");
    assert_string_equal(g_proof_lines[1].c_str(),
                        "pam_sspr(reset): failed proof: user=alice "
                        "method=questions attempts_left=0");
    assert_null(strstr(r.log.c_str(), "Felix"));
    assert_null(strstr(r.log.c_str(), "Tom"));
  }
  SetFailedProofSink(nullptr);
}

}  // namespace
}  // namespace sspr

int main() {
  using namespace sspr;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_a_proved_phone_and_a_new_password_twice_reset_it_and_tell_the_phone),
      cmocka_unit_test(test_enter_at_the_offer_sends_nothing_and_sets_nothing),
      cmocka_unit_test(
          test_nobody_without_enough_registered_methods_is_offered_a_reset),
      cmocka_unit_test(test_two_required_methods_need_two_different_proofs),
      cmocka_unit_test(
          test_security_answers_prove_only_when_every_asked_one_is_right),
      cmocka_unit_test(test_wrong_answers_end_at_max_attempts_with_nothing_set),
      cmocka_unit_test(
          test_failed_proofs_past_the_daily_limit_lock_the_reset_and_say_until_when),
      cmocka_unit_test(
          test_resets_past_the_daily_limit_are_refused_before_any_code),
      cmocka_unit_test(test_a_refused_password_is_shown_and_asked_again),
      cmocka_unit_test(test_refusals_are_bounded_by_max_input_attempts),
      cmocka_unit_test(
          test_a_setter_failure_leaves_the_password_and_tells_the_person),
      cmocka_unit_test(test_hidden_prompts_come_only_after_a_visible_answer),
      cmocka_unit_test(
          test_the_reset_state_text_round_trips_and_refuses_garbage),
      cmocka_unit_test(
          test_every_failed_proof_is_logged_without_the_code_or_the_answers),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
