// Issue 11 items 4, 6 and 7 in the dialogue, over the real local backend in
// a temp dir: a code proves only the destination it went to; an update
// needs a registered method first and tells the replaced one; a number
// busy across users is a brake, never a refusal.
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

#include <string>
#include <vector>

#include "helper/proof.h"
#include "tests/unit/dialogue_world.h"

namespace sspr {
namespace {

using test::Sent;

// Every run must use its whole script, and has a transcript of its own.
struct World : test::DialogueWorld {
  World() { follow_script = true; }
  // alice registers +1 201-555-0123; then reconfirmation is due.
  void RegisteredAndDue() {
    c.reconfirm_days = 30;
    Rebuild();
    Say({"1", "", "201-555-0123", "1"});
    SayCode();
    Say({"n", ""});
    assert_int_equal(static_cast<int>(Run().outcome),
                     static_cast<int>(proto::Outcome::kRegisteredNow));
    clock.now += 31 * 86400;
  }
};

using test::Outcome;
using test::Want;

// The local backend, except that the service answers "cool-down" (429)
// for any destination but the first one a code went to (rest, okta).
class CooldownElsewhere : public Backend {
 public:
  explicit CooldownElsewhere(Backend* inner) : inner_(inner) {}
  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    return inner_->Lookup(user, rec, err);
  }
  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    if (first_.empty()) first_ = m.value;
    if (m.value != first_) {
      *retry_at = 1800000000 + 45;
      return SendStatus::kCooldown;
    }
    return inner_->SendCode(user, m, ch, retry_at, err);
  }
  CheckStatus CheckCode(const std::string& code, int* attempts_left,
                        std::string* err) override {
    return inner_->CheckCode(code, attempts_left, err);
  }
  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    return inner_->Save(user, m, err);
  }

 private:
  Backend* inner_;
  std::string first_;
};

// Item 4: after a code to ...0123 the user asks for ...0199 and the
// service answers "cool-down": the dialogue stays at the number prompt, so
// ...0123's code cannot be typed for ...0199.
void a_cooldown_on_a_new_number_stays_at_the_number_prompt(void**) {
  World w;
  CooldownElsewhere f(w.backend.get());
  w.wrapper = &f;
  w.Say({"1", "", "201-555-0123", "1"});       // code to ...0123
  w.Say({"b", "b", "", "201-555-0199", "1"});  // back; ...0199: cool-down
  w.SayCode();                                 // ...0123's code
  w.Say({"q"});
  proto::Result r = w.Run();
  assert_true(w.conv.Saw("Please wait 45 seconds"));
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_int_equal(w.Record().methods.size(), 0);
  // The code was typed at the number prompt, not at a code prompt.
  assert_false(
      w.conv.Saw("PROMPT: Please wait 45 seconds before asking for "
                 "a new code.\nEnter the code"));
}

// Item 4, in the backend: Save stores only what the last checked code
// went to, once.
void the_local_backend_stores_only_the_verified_number(void**) {
  World w;
  std::string err;
  int64_t retry = 0;
  int left = 0;
  Method to123{"mobile", "+12015550123", 0, {}};
  Method to199{"mobile", "+12015550199", 0, {}};
  assert_false(w.backend->Save("alice", to199, &err));  // no code at all
  assert_non_null(strstr(err.c_str(), "refused to store mobile"));
  assert_int_equal(static_cast<int>(w.backend->SendCode(
                       "alice", to123, Channel::kSms, &retry, &err)),
                   static_cast<int>(SendStatus::kSent));
  assert_int_equal(
      static_cast<int>(w.backend->CheckCode(w.Code(), &left, &err)),
      static_cast<int>(CheckStatus::kOk));
  assert_false(w.backend->Save("alice", to199, &err));
  assert_null(strstr(err.c_str(), "0199"));  // masked in the log
  assert_false(
      w.backend->Save("alice", Method{"office", "+12015550123", 0, {}}, &err));
  assert_int_equal(w.Record().methods.size(), 0);
  // The mismatch used the proof up: the right number needs a new code.
  assert_false(w.backend->Save("alice", to123, &err));
  w.backend->SendCode("alice", to123, Channel::kSms, &retry, &err);
  w.backend->CheckCode(w.Code(), &left, &err);
  assert_true(w.backend->Save("alice", to123, &err));
  assert_int_equal(w.Record().methods.size(), 1);
}

// Item 6: "update" sends a code to the registered number first; wrong
// codes end FAILED and change nothing, and no code goes to the new one.
void an_update_needs_a_code_from_the_registered_number(void**) {
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "1"});
  w.SayWrongCode();
  w.SayWrongCode();
  w.SayWrongCode();
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("prove that you still have one"));
  assert_true(w.conv.Saw("Nothing was changed"));
  assert_int_equal(w.SentTo("+12015550123"), 2);  // registration, proof
  assert_int_equal(w.sent.size(), 2);
  UserRecord rec = w.Record();
  assert_int_equal(rec.methods.size(), 1);
  assert_string_equal(rec.methods[0].value.c_str(), "+12015550123");
}

// Each wrong code before an update is one syslog line of its own (the
// helper's, authpriv notice), without the code or the number.
std::vector<std::string> g_proof_lines;
void KeepProofLine(const std::string& line) { g_proof_lines.push_back(line); }

void every_failed_proof_before_an_update_is_logged_without_the_code(void**) {
  g_proof_lines.clear();
  SetFailedProofSink(KeepProofLine);
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "1"});
  w.SayWrongCode();
  w.SayWrongCode();
  w.SayWrongCode();
  proto::Result r = w.Run();
  SetFailedProofSink(nullptr);
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  const char* want[] = {"attempts_left=2", "attempts_left=1",
                        "attempts_left=0"};
  assert_int_equal(g_proof_lines.size(), 3);
  for (size_t i = 0; i < 3; ++i)
    assert_string_equal(g_proof_lines[i].c_str(),
                        (std::string("pam_sspr(update): failed proof: "
                                     "user=alice method=mobile ") +
                         want[i])
                            .c_str());
}

// The proof's code prompt takes r and b like the registration's.
void the_proof_code_prompt_takes_resend_and_back(void**) {
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "1", "r", "b", "1"});
  w.SayCode();
  w.Say({"q"});  // proved, then no new method: the old one stands
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
  assert_false(w.conv.Saw("Please answer"));
  assert_true(w.conv.Saw("Choose a method"));
  assert_int_equal(w.SentTo("+12015550123"), 4);  // registration + 3
  assert_string_equal(w.Record().methods[0].value.c_str(), "+12015550123");
}

// A proof code with a letter in it is asked again, not checked: the
// right code typed next still proves the number.
void a_proof_code_with_a_letter_is_asked_again_unchecked(void**) {
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "1", "12a456"});
  w.SayCode();
  w.Say({"q"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
  assert_true(w.conv.Saw("Please answer with the"));
  assert_true(w.conv.Saw("Choose a method"));
  assert_int_equal(w.SentTo("+12015550123"), 2);  // registration + 1
}

// Item 6: after a proved update the replaced number is told.
void an_update_tells_the_replaced_number(void**) {
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "1"});
  w.SayCode();
  w.Say({"1", "", "201-555-0199", "1"});
  w.SayCode();
  w.Say({""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_string_equal(w.Record().methods[0].value.c_str(), "+12015550199");
  const Sent& last = w.sent.back();
  assert_string_equal(last.to.c_str(), "+12015550123");
  assert_non_null(strstr(last.text.c_str(), "Your password-reset phone on "));
  assert_non_null(strstr(last.text.c_str(), "if this wasn't you, contact"));
  assert_non_null(strstr(r.log.c_str(), "told +1"));
}

// Item 6: a user who no longer has the phone is sent to the admin;
// nothing changes and reconfirmation stays due.
void a_lost_phone_is_sent_to_the_admin(void**) {
  World w;
  w.RegisteredAndDue();
  w.Say({"u", "l"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
  assert_int_equal(r.cache_ttl, 0);
  assert_true(w.conv.Saw("sspr-admin reset"));
  assert_int_equal(w.sent.size(), 1);
  assert_string_equal(w.Record().methods[0].value.c_str(), "+12015550123");
}

// Item 6: registered security questions prove the user too; wrong answers
// max_attempts times end FAILED.
void an_update_can_be_proved_by_security_answers(void**) {
  for (int right = 0; right < 2; ++right) {
    World w;
    w.c.methods = {"questions", "mobile"};
    w.c.reconfirm_days = 30;
    w.c.max_attempts = 2;
    w.Rebuild();
    w.Say({"1", "1", "Fluffy", "1", "Paris", "1", "Main Street", "n", ""});
    assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kRegisteredNow));
    w.clock.now += 31 * 86400;
    w.Say({"u", "1"});
    if (right) {
      w.Say({"fluffy", "PARIS", "main street", "2", "", "201-555-0199", "1"});
      w.SayCode();
      w.Say({""});
    } else {
      w.Say({"fluffy", "Rome", "main street", "x", "y", "z"});
    }
    proto::Result r = w.Run();
    assert_int_equal(Outcome(r), Want(right ? proto::Outcome::kRegisteredNow
                                            : proto::Outcome::kFailed));
    assert_int_equal(w.Record().methods.size(), right ? 2u : 1u);
  }
}

// Item 7: user A sends five codes to a number (A is now limited for it);
// user B still registers that number.
void five_codes_from_one_account_do_not_lock_the_number(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1", "r", "r", "r", "r", "r"});
  proto::Result a = w.Run("alice");
  assert_int_equal(Outcome(a), Want(proto::Outcome::kFailed));
  assert_int_equal(w.SentTo("+12015550123"), 5);
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n", ""});
  proto::Result b = w.Run("bob");
  assert_int_equal(Outcome(b), Want(proto::Outcome::kRegisteredNow));
  assert_string_equal(w.Record("bob").methods[0].value.c_str(), "+12015550123");
}

// Item 7: a number busy across users (rate_number_limit) is a brake: the
// user is told to use another one or try later, and is not refused.
void a_busy_number_offers_another_and_no_refusal(void**) {
  World w;
  w.c.rate_number_limit = 2;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1", "r", "q"});
  w.Run("bob");
  w.Say({"1", "", "201-555-0123", "1",  // busy
         "201-555-0199", "1"});         // another number
  w.SayCode();
  w.Say({"n", ""});
  proto::Result r = w.Run("alice");
  assert_true(w.conv.Saw("Enter another one, or try again after"));
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_string_equal(w.Record().methods[0].value.c_str(), "+12015550199");
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          sspr::a_cooldown_on_a_new_number_stays_at_the_number_prompt),
      cmocka_unit_test(sspr::the_local_backend_stores_only_the_verified_number),
      cmocka_unit_test(sspr::an_update_needs_a_code_from_the_registered_number),
      cmocka_unit_test(
          sspr::every_failed_proof_before_an_update_is_logged_without_the_code),
      cmocka_unit_test(sspr::the_proof_code_prompt_takes_resend_and_back),
      cmocka_unit_test(
          sspr::a_proof_code_with_a_letter_is_asked_again_unchecked),
      cmocka_unit_test(sspr::an_update_tells_the_replaced_number),
      cmocka_unit_test(sspr::a_lost_phone_is_sent_to_the_admin),
      cmocka_unit_test(sspr::an_update_can_be_proved_by_security_answers),
      cmocka_unit_test(
          sspr::five_codes_from_one_account_do_not_lock_the_number),
      cmocka_unit_test(sspr::a_busy_number_offers_another_and_no_refusal),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
