// Tests for helper/web_text.h: what the helper sends to a login page in a
// browser (Cockpit) is printable ASCII in one paragraph.
#include "helper/web_text.h"

#include <string>

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

using sspr::WebText;

void Expect(const std::string& in, const std::string& want) {
  std::string got = WebText(in);
  if (got != want)
    fail_msg("WebText(\"%s\")\n  got  \"%s\"\n  want \"%s\"", in.c_str(),
             got.c_str(), want.c_str());
}

void test_a_menu_becomes_one_paragraph_whose_entries_stay_apart(void**) {
  Expect(
      "Choose a method to register:\n  1) Authentication phone (text or "
      "call me)\n  2) Office phone (call me)\n  q) Quit\nChoice [1]: ",
      "Choose a method to register: 1) Authentication phone (text or call "
      "me); 2) Office phone (call me); q) Quit; Choice [1]: ");
}

void test_sentences_are_joined_with_a_blank_and_empty_lines_dropped(void**) {
  Expect("Don't lose access.\n\nIt takes a minute!\nNext?\nok",
         "Don't lose access. It takes a minute! Next? ok");
}

void test_a_lists_dashes_give_way_to_the_separator(void**) {
  Expect("Registered for password reset:\n  - Mobile +1 1\n  - Office +1 2",
         "Registered for password reset: Mobile +1 1; Office +1 2");
}

void test_a_masked_number_keeps_its_shape_in_ascii(void**) {
  Expect(
      "+1 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2-\xe2\x80\xa2\xe2\x80\xa2"
      "\xe2\x80\xa2-\xe2\x80\xa2\xe2\x80\xa2"
      "00",
      "+1 ***-***-**00");
}

void test_accents_are_dropped_and_some_letters_spelled_out(void**) {
  Expect(
      "R\xc3\xa9glez \xc3\xa0 Stra\xc3\x9f"
      "e \xc5\x81\xc3\xb3"
      "d\xc5\xba",
      "Reglez a Strasse Lodz");
}

void test_quotes_and_backslashes_cannot_break_cockpits_json(void**) {
  Expect("say \"yes\" or \xe2\x80\x9cno\xe2\x80\x9d \\ C:\\x",
         "say 'yes' or 'no' / C:/x");
}

void test_what_has_no_ascii_form_is_left_out_not_shown_as_a_question_mark(
    void**) {
  // A QR code's half blocks, CJK, an emoji, invalid UTF-8, controls.
  Expect(
      "a\xe2\x96\x80\xe2\x96\x84 b \xe4\xb8\xad c\xf0\x9f\x98\x80 d\xff"
      "\x01\t e",
      "a b c d e");
}

void test_the_result_is_always_printable_ascii(void**) {
  std::string all;
  for (int b = 1; b < 256; ++b) all += static_cast<char>(b);
  all += "\xe2\x80\xa2\xc3\xa9\xe2\x82\xac";
  for (unsigned char c : WebText(all))
    assert_true(c >= 0x20 && c < 0x7F && c != '"' && c != '\\');
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_a_menu_becomes_one_paragraph_whose_entries_stay_apart),
      cmocka_unit_test(
          test_sentences_are_joined_with_a_blank_and_empty_lines_dropped),
      cmocka_unit_test(test_a_lists_dashes_give_way_to_the_separator),
      cmocka_unit_test(test_a_masked_number_keeps_its_shape_in_ascii),
      cmocka_unit_test(test_accents_are_dropped_and_some_letters_spelled_out),
      cmocka_unit_test(test_quotes_and_backslashes_cannot_break_cockpits_json),
      cmocka_unit_test(
          test_what_has_no_ascii_form_is_left_out_not_shown_as_a_question_mark),
      cmocka_unit_test(test_the_result_is_always_printable_ascii),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
