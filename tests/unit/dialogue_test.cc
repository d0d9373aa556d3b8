// This file is long because it walks every state of the registration dialogue
// with a scripted user.
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

#include <string>
#include <vector>

#include "tests/unit/dialogue_world.h"

namespace sspr {
namespace {

using test::ScriptedConv;

using World = test::DialogueWorld;
using test::Outcome;
using test::Want;

UserRecord Record(World* w, const std::string& user = "alice") {
  return w->Record(user);
}

void an_email_address_registers(void**) {
  World w;
  w.c.methods = {"mobile", "email", "questions"};
  w.Say({"2", "not an address", "Alice.Smith@Example.COM", "1"});
  w.SayCode();
  w.Say({"n", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("exactly one @"));
  assert_int_equal(static_cast<int>(w.sent[0].ch),
                   static_cast<int>(Channel::kEmail));
  assert_string_equal(w.sent[0].to.c_str(), "Alice.Smith@example.com");
  UserRecord rec = Record(&w);
  assert_string_equal(rec.methods[0].type.c_str(), "email");
  assert_null(strstr(r.log.c_str(), "Smith"));  // masked in the log
}

void security_questions_register(void**) {
  World w;
  w.c.methods = {"questions", "mobile"};
  w.Say({"1",                         // security questions
         "1", "ab",                   // too short
         "  Fluffy  ",                // question 1
         "1", "FLUFFY",               // the same answer again: refused
         "Paris",                     // question 2
         "99", "1", "Main   Street",  // bad pick, then question 3
         "n", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("3 to 40 characters"));
  assert_true(w.conv.Saw("different answer"));
  UserRecord rec = Record(&w);
  assert_int_equal(rec.methods.size(), 1);
  const Method& m = rec.methods[0];
  assert_string_equal(m.type.c_str(), "questions");
  assert_int_equal(m.answers.size(), 3);
  const auto& builtin = BuiltinQuestions();
  assert_string_equal(m.answers[0].question.c_str(), builtin[0].c_str());
  assert_string_equal(m.answers[1].question.c_str(), builtin[1].c_str());
  assert_string_equal(m.answers[2].question.c_str(), builtin[2].c_str());
  for (const auto& qa : m.answers) assert_int_equal(qa.hash[0], '$');
  assert_true(VerifyAnswer("fluffy", m.answers[0].hash));
  assert_true(VerifyAnswer("main street", m.answers[2].hash));
  assert_false(VerifyAnswer("paris", m.answers[0].hash));
  // Answers never travel in a transcript line other than the answer itself,
  // and the prompts for answers asked without echo.
  assert_true(w.conv.Saw("not shown"));
}

void email_and_questions_register_when_two_are_required(void**) {
  World w;
  w.c.methods = {"email", "questions"};
  w.c.methods_required = 2;
  w.Say({"1", "bob@example.org", "1"});
  w.SayCode();
  w.Say({"1", "1", "Rex", "1", "Oslo", "1", "Elm Road", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("requires 2 methods"));
  assert_int_equal(Record(&w).methods.size(), 2);
}

void the_closing_question_follows_the_last_text(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  size_t n = w.conv.transcript.size();
  assert_true(w.conv.transcript[n - 2].rfind("INFO: You're all set", 0) == 0);
  assert_true(w.conv.transcript[n - 1].rfind("PROMPT: Press Enter", 0) == 0);
  // Before that, every text rode on the question that followed it.
  assert_int_equal(w.conv.Count("INFO"), 1);
}

void a_silent_login_has_no_closing_question(void**) {
  World w;
  w.silent = true;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.transcript.back().rfind("INFO: You're all set", 0) == 0);
}

void reconfirmation_keeps_or_updates_the_method(void**) {
  World w;
  w.c.reconfirm_days = 180;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  // Cached no longer than until reconfirmation is due.
  assert_true(r.cache_ttl <= static_cast<uint32_t>(w.c.cache_ttl));
  // Not due yet: nothing asked.
  w.clock.now += 179 * 86400;
  w.conv.transcript.clear();
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
  assert_int_equal(w.conv.Count("PROMPT"), 0);
  assert_true(r.cache_ttl <= 86400);
  // Due: the user keeps the methods.
  w.clock.now += 2 * 86400;
  w.Say({"k", ""});
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
  assert_true(w.conv.Saw("still correct"));
  assert_true(w.conv.Saw("+1 \u2022\u2022\u2022"));  // masked, not in full
  assert_false(w.conv.Saw("201-555-0123\n  k) Keep"));
  PolicyState ps;
  std::string err;
  assert_true(w.policy->Load("alice", &ps, &err));
  assert_int_equal(ps.confirmed_at, w.clock.now);
  // Due again: the user updates the number, after a code to the old one.
  w.clock.now += 181 * 86400;
  w.Say({"u", "1"});
  w.SayCode();
  w.Say({"1", "", "201-555-0199", "1"});
  w.SayCode();
  w.Say({""});
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  UserRecord rec = Record(&w);
  assert_int_equal(rec.methods.size(), 1);
  assert_string_equal(rec.methods[0].value.c_str(), "+12015550199");
}

void later_is_bounded(void**) {
  World w;
  w.c.snooze_max = 2;
  w.c.snooze_interval = 3600;
  w.Say({"l", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kDeferred));
  assert_true(w.conv.Saw("l) Later (2 times left)"));
  // Within the interval: no question at all.
  w.conv.transcript.clear();
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kDeferred));
  assert_int_equal(w.conv.Count("PROMPT"), 0);
  w.clock.now += 3600;
  w.Say({"l", ""});
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kDeferred));
  assert_true(w.conv.Saw("l) Later (1 time left)"));
  // Used up: "later" is no answer any more.
  w.clock.now += 3600;
  w.conv.transcript.clear();
  w.Say({"l", "l", "l"});
  r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_false(w.conv.Saw("Later"));
}

void later_is_possible_until_the_grace_date(void**) {
  World w;
  w.c.grace_until = w.clock.now + 86400;
  w.Say({"l", ""});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kDeferred));
  assert_true(w.conv.Saw("possible until"));
  w.clock.now += 2 * 86400;  // the grace is over
  w.conv.transcript.clear();
  w.Say({"l", "l", "l"});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kFailed));
}

// Digits typed when the code has expired (and is gone) count as invalid
// answers: the user is told to ask for a new code, a bounded number of times.
void expired_code_retries_are_bounded(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1"});
  w.conv.answers.push_back([&w] {
    w.clock.now += w.c.code_ttl;
    return w.Code();
  });
  w.Say({"123456", "654321", "111111"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("That code has expired. Type r to get a new one."));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_int_equal(w.conv.answers.size(), 1);  // stopped after the third
  assert_int_equal(Record(&w).methods.size(), 0);
}

// A user who has just registered is not refused for bad answers at the
// optional backup steps: the registration stands, said once.
void invalid_answers_after_registration_are_no_refusal(void**) {
  for (const char* step : {"backup question", "backup menu"}) {
    World w;
    w.Say({"1", "", "201-555-0123", "1"});
    w.SayCode();
    if (std::string(step) == "backup menu") w.Say({"y"});
    w.Say({"x", "\x1b[2J", "maybe", ""});
    proto::Result r = w.Run();
    assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
    assert_true(w.conv.Saw("Too many invalid answers"));
    int all_set = 0;
    for (const auto& t : w.conv.transcript)
      all_set += t.find("You're all set") != std::string::npos;
    assert_int_equal(all_set, 1);
    assert_int_equal(w.conv.answers.size(), 0);  // the closing question
    assert_int_equal(Record(&w).methods.size(), 1);
  }
}

// Reconfirmation that is not completed (bad answers, or an update whose
// code was never verified) leaves the methods as they are and the question
// due: no "all set", no confirmation noted.
void an_unfinished_reconfirmation_stays_due(void**) {
  World w;
  w.c.reconfirm_days = 30;
  w.c.max_attempts = 2;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n", ""});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kRegisteredNow));
  const int64_t registered = w.clock.now;
  w.clock.now += 31 * 86400;
  PolicyState ps;
  std::string err;
  for (int round = 0; round < 2; ++round) {
    w.conv.transcript.clear();
    if (round == 0) {
      w.Say({"x", "\x07", "yes"});
    } else {
      w.Say({"u", "1"});
      w.SayCode();  // proves the registered number
      w.Say({"1", "", "201-555-0199", "1"});
      w.SayWrongCode();
      w.SayWrongCode();
    }
    w.Say({""});
    proto::Result r = w.Run();
    assert_int_equal(Outcome(r), Want(proto::Outcome::kRegistered));
    assert_int_equal(r.cache_ttl, 0);
    assert_false(w.conv.Saw("all set"));
    assert_true(w.conv.Saw(round == 0 ? "Too many invalid answers"
                                      : "Too many wrong codes"));
    assert_true(w.policy->Load("alice", &ps, &err));
    assert_int_equal(ps.confirmed_at, registered);
    UserRecord rec = Record(&w);
    assert_int_equal(rec.methods.size(), 1);
    assert_string_equal(rec.methods[0].value.c_str(), "+12015550123");
  }
  // Still due at the next login.
  w.conv.transcript.clear();
  w.Say({"k", ""});
  assert_int_equal(Outcome(w.Run()), Want(proto::Outcome::kRegistered));
  assert_true(w.conv.Saw("still correct"));
  assert_true(w.policy->Load("alice", &ps, &err));
  assert_int_equal(ps.confirmed_at, w.clock.now);
}

// The "please answer" line names every key the menu takes.
void menu_errors_name_the_keys(void**) {
  World w;
  w.c.snooze_max = 1;
  w.Say({"x", "q"});
  w.Run();
  assert_true(w.conv.Saw("Please answer 1-2, l or q."));
  World one;
  one.c.methods = {"mobile"};
  one.Say({"x", "q"});
  one.Run();
  assert_true(one.conv.Saw("Please answer 1 or q."));
  assert_false(one.conv.Saw("1-1"));
}

// C1 control characters (U+0080-U+009F; U+009B is a terminal's CSI) are
// refused like C0 ones, even where any Unicode text is welcome.
void c1_control_characters_are_refused(void**) {
  World w;
  w.c.methods = {"questions"};
  w.Say({"1", "1",
         "ab\xc2\x9b"
         "2Jcd",
         "Fluffy", "1", "Paris", "1", "Elm", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("ERROR: That answer contains characters that are "
                         "not allowed.") ||
              w.conv.Saw("PROMPT: That answer contains characters that are "
                         "not allowed."));
  UserRecord rec = Record(&w);
  assert_true(VerifyAnswer("fluffy", rec.methods[0].answers[0].hash));
}

void a_mobile_registers_by_sms(void**) {
  World w;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kRegisteredNow));
  assert_int_equal(r.cache_ttl, w.c.cache_ttl);
  assert_int_equal(w.sent.size(), 1);
  assert_int_equal(static_cast<int>(w.sent[0].ch),
                   static_cast<int>(Channel::kSms));
  assert_string_equal(w.sent[0].to.c_str(), "+12015550123");
  assert_true(w.conv.Saw("Thanks!"));
  // The log line masks the number.
  assert_null(strstr(r.log.c_str(), "5550123"));
  // A second dialogue finds the user registered without prompting.
  ScriptedConv fresh;
  Dialogue d(w.c, w.backend.get(), &fresh, &w.clock, NowMs() + 60000);
  proto::Result r2 = d.Run("alice");
  assert_int_equal(static_cast<int>(r2.outcome),
                   static_cast<int>(proto::Outcome::kRegistered));
  assert_int_equal(fresh.Count("PROMPT"), 0);
}

void wrong_codes_fail(void**) {
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

void an_expired_code_can_be_resent(void**) {
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

void a_resend_inside_the_cooldown_is_told_to_wait(void**) {
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

// "r" again and again inside the cool-down counts as invalid answers.
void resends_inside_the_cooldown_are_bounded(void**) {
  World w;
  w.c.resend_cooldown = 30;
  w.c.max_input_attempts = 3;
  w.Rebuild();
  w.Say({"1", "", "201-555-0123", "1", "r", "r", "r"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_int_equal(w.sent.size(), 1);
}

// The rate-limit state cannot be written (state_dir full, read-only, or
// as here not a directory): unavailable at once, no "try again" loop.
void an_unwritable_state_is_unavailable_at_once(void**) {
  World w;
  const std::string rate = w.dir + "/rate";
  assert_int_equal(rmdir(rate.c_str()), 0);
  FILE* f = fopen(rate.c_str(), "w");
  assert_non_null(f);
  fclose(f);
  w.Say({"1", "", "201-555-0123", "1", "1", "1"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kUnavailable));
  assert_true(w.conv.Saw("not available right now"));
  assert_false(w.conv.Saw("could not be sent"));
  assert_int_equal(w.sent.size(), 0);
  assert_non_null(strstr(r.log.c_str(), "cannot send a code"));
}

void invalid_inputs_are_bounded(void**) {
  World w;
  w.c.max_input_attempts = 3;
  w.Say({"1", "", "abc", "12", "\x1b[31m"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_int_equal(w.sent.size(), 0);
}

void back_and_a_full_number_work_at_the_region_prompt(void**) {
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

// Index of the first transcript entry that holds `needle`, -1 if none.
int FirstSeen(const ScriptedConv& conv, const std::string& needle) {
  for (size_t i = 0; i < conv.transcript.size(); ++i)
    if (conv.transcript[i].find(needle) != std::string::npos)
      return static_cast<int>(i);
  return -1;
}

// "(425) 555-0100" at the region prompt, default_region US: the number is
// offered in US, confirmed with Enter, and only then is a code sent.
void a_national_number_at_the_region_prompt_is_confirmed_before_the_code(
    void**) {
  World w;
  w.Say({"1", "(425) 555-0100", "", "1"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  const int confirm = FirstSeen(w.conv, "Use +1 425-555-0100? [Y/n]: ");
  const int sent = FirstSeen(w.conv, "We texted");
  assert_true(confirm >= 0);
  assert_true(sent > confirm);
  assert_int_equal(w.sent.size(), 1);
  assert_string_equal(w.sent[0].to.c_str(), "+14255550100");
  assert_false(w.conv.Saw("Phone number (US)"));  // not asked twice
}

// "n" at the confirmation asks for the region again; a number that is not
// valid in the default region is no number offered but the region error.
void a_declined_national_number_asks_for_the_region_again(void**) {
  World w;
  w.Say({"1", "4255550100", "n", "12345678", "GB", "07400 123456", "1"});
  w.SayCode();
  w.Say({"n"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("Use +1 425-555-0100?"));
  assert_false(w.conv.Saw("Use +1 234"));
  assert_int_equal(w.sent.size(), 1);
  assert_string_equal(w.sent[0].to.c_str(), "+447400123456");
}

// Anything else than y, n, Enter or q at the confirmation is asked again,
// a bounded number of times, and nothing is sent.
void a_confirmation_answer_that_is_not_yes_or_no_is_bounded(void**) {
  World w;
  w.c.max_input_attempts = 2;
  w.Say({"1", "4255550100", "maybe", "perhaps"});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("Use +1 425-555-0100?"));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_int_equal(w.sent.size(), 0);
}

void two_required_methods_are_both_asked_for(void**) {
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

void a_failed_conversation_blocks(void**) {
  World w;
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kBlocked));
  assert_true(w.conv.Saw("cannot ask questions"));
}

void a_timed_out_conversation_says_it_took_too_long(void**) {
  World w;
  w.conv.fail_with = Conversation::Reply::kTimeout;
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("took too long"));
}

void a_send_failure_ends_unavailable(void**) {
  World w;
  w.sender->fail = true;
  w.Say({"1", "", "201-555-0123", "1", "1", "1"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kUnavailable));
  assert_true(w.conv.Saw("could not be sent"));
}

// A destination the gateway refuses is the user's input: told, asked for
// the number again (the region prompt), and FAILED at max_input_attempts,
// never UNAVAILABLE; with a registration complete it stands.
void a_refused_destination_is_asked_again_then_failed(void**) {
  World w;
  w.sender->refuse = true;
  w.Say({"1", "", "201-555-0123", "1", "", "201-555-0123", "1", "",
         "201-555-0123", "1"});
  proto::Result r = w.Run();
  assert_int_equal(static_cast<int>(r.outcome),
                   static_cast<int>(proto::Outcome::kFailed));
  assert_true(w.conv.Saw("That number was refused"));
  assert_true(w.conv.Saw("Too many invalid answers"));
  assert_false(w.conv.Saw("could not be sent"));
  assert_non_null(strstr(r.log.c_str(), "refused"));
  assert_null(strstr(r.log.c_str(), "2015550123"));  // masked
}

// The local backend, except that the service "fails" while checking the
// n-th code and later ones (n counts from 1), as a remote service can.
class CheckFails : public Backend {
 public:
  CheckFails(Backend* inner, int from) : inner_(inner), from_(from) {}
  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    return inner_->Lookup(user, rec, err);
  }
  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    return inner_->SendCode(user, m, ch, retry_at, err);
  }
  CheckStatus CheckCode(const std::string& code, int* attempts_left,
                        std::string* err) override {
    if (++checks_ < from_) return inner_->CheckCode(code, attempts_left, err);
    *attempts_left = 0;
    *err = "fake: POST /check: HTTP 503";
    return CheckStatus::kError;
  }
  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    ++saves;
    return inner_->Save(user, m, err);
  }
  int saves = 0;

 private:
  Backend* inner_;
  int from_;
  int checks_ = 0;
};

void a_check_error_is_unavailable(void**) {
  World w;
  CheckFails f(w.backend.get(), 1);
  w.wrapper = &f;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"", ""});  // nothing more must be asked
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kUnavailable));
  assert_non_null(strstr(r.log.c_str(),
                         "code check failed: fake: POST "
                         "/check: HTTP 503"));
  assert_true(
      w.conv.Saw("ERROR: Password-reset registration is not "
                 "available right now."));
  assert_int_equal(w.conv.answers.size(), 2);  // no question after it
  assert_int_equal(r.cache_ttl, 0);
  assert_int_equal(f.saves, 0);  // nothing half-written
  assert_int_equal(Record(&w).methods.size(), 0);
}

void a_check_error_on_the_backup_keeps_the_registration(void**) {
  World w;
  CheckFails f(w.backend.get(), 2);
  w.wrapper = &f;
  w.Say({"1", "", "201-555-0123", "1"});
  w.SayCode();
  w.Say({"y", "1", "GB", "020 7946 0000", "1"});  // backup: office phone
  w.SayCode();
  w.Say({""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_non_null(strstr(r.log.c_str(), "backup method not verified"));
  assert_true(w.conv.Saw("not available right now"));
  assert_int_equal(f.saves, 1);
  UserRecord rec = Record(&w);
  assert_int_equal(rec.methods.size(), 1);
  assert_string_equal(rec.methods[0].type.c_str(), "mobile");
}

// A service that keeps the security questions itself (like Okta): its own
// catalogue, one question, answers under 4 characters refused.
class ServiceQuestionsBackend : public CheckFails, public QuestionService {
 public:
  explicit ServiceQuestionsBackend(Backend* inner) : CheckFails(inner, 99) {}
  QuestionService* questions() override { return this; }
  bool Catalogue(std::vector<ServiceQuestion>* out, std::string* err) override {
    if (catalogue_fails) {
      *err = "fake: GET /questions: HTTP 500";
      return false;
    }
    *out = {{"disliked_food", "What food did you dislike?"},
            {"first_award", "What was your first award for?"}};
    return true;
  }
  AnswerStatus SaveAnswer(const std::string&, const std::string& key,
                          const std::string& answer, std::string* reason,
                          std::string*) override {
    if (answer.size() < 4) {
      *reason = "too short";
      return AnswerStatus::kRejected;
    }
    saved.push_back(key + "=" + answer);
    return AnswerStatus::kSaved;
  }
  bool catalogue_fails = false;
  std::vector<std::string> saved;
};

void the_services_own_questions_are_asked(void**) {
  World w;
  w.c.methods = {"questions", "mobile"};
  w.c.questions_required = 3;  // does not apply: the service has one
  ServiceQuestionsBackend b(w.backend.get());
  w.wrapper = &b;
  w.Say({"1", "2", "abc", "Chess", "n", ""});
  proto::Result r = w.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kRegisteredNow));
  assert_true(w.conv.Saw("Security question 1 of 1"));
  assert_true(w.conv.Saw("2) What was your first award for?"));
  assert_false(w.conv.Saw(BuiltinQuestions()[0]));
  assert_true(w.conv.Saw("did not accept this answer (too short)"));
  assert_int_equal(b.saved.size(), 1);
  assert_string_equal(b.saved[0].c_str(), "first_award=Chess");
  assert_int_equal(b.saves, 0);  // nothing hashed or stored by the helper
  assert_null(strstr(r.log.c_str(), "Chess"));
  // The catalogue cannot be read: unavailable, nothing asked after it.
  World w2;
  w2.c.methods = {"questions"};
  ServiceQuestionsBackend b2(w2.backend.get());
  b2.catalogue_fails = true;
  w2.wrapper = &b2;
  w2.Say({"1", ""});
  r = w2.Run();
  assert_int_equal(Outcome(r), Want(proto::Outcome::kUnavailable));
  assert_non_null(strstr(r.log.c_str(), "security questions: fake: GET"));
  assert_true(w2.conv.Saw("not available right now"));
}

void too_many_codes_are_refused(void**) {
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

void block_asks_nothing_and_warn_reminds(void**) {
  World w;
  w.c.mode = Mode::kBlock;
  assert_int_equal(static_cast<int>(w.Run().outcome),
                   static_cast<int>(proto::Outcome::kBlocked));
  assert_int_equal(w.conv.Count("PROMPT"), 0);  // a refusal asks nothing
  w.c.mode = Mode::kWarn;
  w.c.show_qr = false;  // with the QR code the text is too long for a prompt
  w.conv.transcript.clear();
  assert_int_equal(static_cast<int>(w.Run().outcome),
                   static_cast<int>(proto::Outcome::kDeferred));
  // The reminder, then one "press Enter" question; where that cannot be
  // asked, nothing is sent again.
  assert_int_equal(w.conv.Count("PROMPT"), 1);
  assert_int_equal(w.conv.Count("INFO: Reminder"), 1);
  assert_true(w.conv.transcript.back().rfind("PROMPT: Press Enter", 0) == 0);
}

// The module refuses these names before it starts the helper; a START
// that carries one anyway ends before any lookup, prompt or write.
void a_name_the_store_cannot_hold_ends_before_any_prompt(void**) {
  World w;
  for (const std::string& user :
       {std::string("caf\xe9"), std::string("a\nb"), std::string(257, 'a')}) {
    w.conv.answers = {[] { return std::string("1"); }};
    w.c.mode = Mode::kRegister;
    assert_int_equal(static_cast<int>(w.Run(user).outcome),
                     static_cast<int>(proto::Outcome::kBlocked));
    w.c.mode = Mode::kWarn;
    assert_int_equal(static_cast<int>(w.Run(user).outcome),
                     static_cast<int>(proto::Outcome::kDeferred));
    assert_int_equal(w.conv.Count("PROMPT"), 0);
    assert_int_equal(w.conv.answers.size(), 1);
  }
  assert_true(access((w.dir + "/users").c_str(), F_OK) != 0 ||
              rmdir((w.dir + "/users").c_str()) == 0);  // nothing stored
}

}  // namespace
}  // namespace sspr

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sspr::a_mobile_registers_by_sms),
      cmocka_unit_test(sspr::wrong_codes_fail),
      cmocka_unit_test(sspr::an_expired_code_can_be_resent),
      cmocka_unit_test(sspr::a_resend_inside_the_cooldown_is_told_to_wait),
      cmocka_unit_test(sspr::resends_inside_the_cooldown_are_bounded),
      cmocka_unit_test(sspr::an_unwritable_state_is_unavailable_at_once),
      cmocka_unit_test(sspr::invalid_inputs_are_bounded),
      cmocka_unit_test(sspr::back_and_a_full_number_work_at_the_region_prompt),
      cmocka_unit_test(
          sspr::
              a_national_number_at_the_region_prompt_is_confirmed_before_the_code),
      cmocka_unit_test(
          sspr::a_declined_national_number_asks_for_the_region_again),
      cmocka_unit_test(
          sspr::a_confirmation_answer_that_is_not_yes_or_no_is_bounded),
      cmocka_unit_test(sspr::two_required_methods_are_both_asked_for),
      cmocka_unit_test(sspr::a_failed_conversation_blocks),
      cmocka_unit_test(sspr::a_timed_out_conversation_says_it_took_too_long),
      cmocka_unit_test(sspr::a_send_failure_ends_unavailable),
      cmocka_unit_test(sspr::a_refused_destination_is_asked_again_then_failed),
      cmocka_unit_test(sspr::a_check_error_is_unavailable),
      cmocka_unit_test(
          sspr::a_check_error_on_the_backup_keeps_the_registration),
      cmocka_unit_test(sspr::the_services_own_questions_are_asked),
      cmocka_unit_test(sspr::too_many_codes_are_refused),
      cmocka_unit_test(sspr::block_asks_nothing_and_warn_reminds),
      cmocka_unit_test(
          sspr::a_name_the_store_cannot_hold_ends_before_any_prompt),
      cmocka_unit_test(sspr::an_email_address_registers),
      cmocka_unit_test(sspr::security_questions_register),
      cmocka_unit_test(
          sspr::email_and_questions_register_when_two_are_required),
      cmocka_unit_test(sspr::the_closing_question_follows_the_last_text),
      cmocka_unit_test(sspr::a_silent_login_has_no_closing_question),
      cmocka_unit_test(sspr::reconfirmation_keeps_or_updates_the_method),
      cmocka_unit_test(sspr::later_is_bounded),
      cmocka_unit_test(sspr::later_is_possible_until_the_grace_date),
      cmocka_unit_test(sspr::expired_code_retries_are_bounded),
      cmocka_unit_test(sspr::invalid_answers_after_registration_are_no_refusal),
      cmocka_unit_test(sspr::an_unfinished_reconfirmation_stays_due),
      cmocka_unit_test(sspr::menu_errors_name_the_keys),
      cmocka_unit_test(sspr::c1_control_characters_are_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
