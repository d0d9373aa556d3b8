// Tests for helper/greeter_conversation.h: what the helper sends to a
// graphical greeter (PAM_TTY an X display) comes as one prompt a step, and
// what is left at the end as one info message, never an error.
#include "helper/greeter_conversation.h"

#include <string>
#include <vector>

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

using sspr::Conversation;
using sspr::GreeterConversation;
using sspr::IsGreeterClient;

// Records each call as "P:" (prompt), "I:" or "E:" plus its text.
class Recorder : public Conversation {
 public:
  Reply Prompt(bool, const std::string& text, int64_t,
               std::string* answer) override {
    calls.push_back("P:" + text);
    *answer = "1";
    return Reply::kOk;
  }
  bool Info(const std::string& text) override {
    calls.push_back("I:" + text);
    return true;
  }
  bool Error(const std::string& text) override {
    calls.push_back("E:" + text);
    return true;
  }
  std::vector<std::string> calls;
};

void ExpectCalls(const Recorder& r, const std::vector<std::string>& want) {
  assert_int_equal(r.calls.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    assert_string_equal(r.calls[i].c_str(), want[i].c_str());
}

void test_texts_before_a_prompt_ride_on_it_in_their_order(void**) {
  Recorder r;
  GreeterConversation g(&r);
  std::string answer;
  assert_true(g.Info("You're all set."));
  assert_true(g.Error("One method only."));
  assert_int_equal(
      static_cast<int>(g.Prompt(true, "Press Enter. ", 0, &answer)),
      static_cast<int>(Conversation::Reply::kOk));
  assert_string_equal(answer.c_str(), "1");
  ExpectCalls(r, {"P:You're all set.\nOne method only.\nPress Enter. "});
}

void test_a_prompt_alone_is_passed_on_unchanged(void**) {
  Recorder r;
  GreeterConversation g(&r);
  std::string answer;
  g.Prompt(true, "Choice [1]: ", 0, &answer);
  assert_true(g.Flush());
  ExpectCalls(r, {"P:Choice [1]: "});
}

void test_an_error_left_at_the_end_goes_out_as_one_info_message(void**) {
  Recorder r;
  GreeterConversation g(&r);
  g.Error("Register at https://aka.ms/ssprsetup.");
  g.Info("Call the helpdesk.");
  assert_true(g.Flush());
  assert_true(g.Flush());  // nothing twice
  ExpectCalls(r, {"I:Register at https://aka.ms/ssprsetup.\n"
                  "Call the helpdesk."});
}

void test_only_an_x_display_is_a_greeter(void**) {
  assert_true(IsGreeterClient(":0"));
  assert_true(IsGreeterClient(":70"));
  assert_true(IsGreeterClient("host.example:10.2"));
  assert_false(IsGreeterClient("/dev/tty1"));  // GDM while it authenticates
  assert_false(IsGreeterClient("tty1"));
  assert_false(IsGreeterClient("ssh"));
  assert_false(IsGreeterClient(""));
  assert_false(IsGreeterClient(":"));
  assert_false(IsGreeterClient(":x"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_texts_before_a_prompt_ride_on_it_in_their_order),
      cmocka_unit_test(test_a_prompt_alone_is_passed_on_unchanged),
      cmocka_unit_test(
          test_an_error_left_at_the_end_goes_out_as_one_info_message),
      cmocka_unit_test(test_only_an_x_display_is_a_greeter),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
