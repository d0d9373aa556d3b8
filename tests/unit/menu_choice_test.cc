// Tests for the one menu-choice parser (helper/answer.h: MenuPick, IsKey,
// MenuRange) that every numbered menu of the dialogue uses.
#include "helper/answer.h"

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

using sspr::IsKey;
using sspr::MenuPick;
using sspr::MenuRange;

void test_a_number_in_range_picks_its_entry(void** /*state*/) {
  assert_int_equal(MenuPick("1", 3), 1);
  assert_int_equal(MenuPick("3", 3), 3);
  assert_int_equal(MenuPick("12", 20, false), 12);
}

void test_a_number_out_of_range_picks_nothing(void** /*state*/) {
  assert_int_equal(MenuPick("0", 3), 0);
  assert_int_equal(MenuPick("4", 3), 0);
  assert_int_equal(MenuPick("1", 0), 0);
}

void test_an_empty_answer_picks_the_first_entry_only_where_it_is_the_default(
    void** /*state*/) {
  assert_int_equal(MenuPick("", 3), 1);
  assert_int_equal(MenuPick("", 3, false), 0);
  assert_int_equal(MenuPick("", 0), 0);
}

void test_anything_but_digits_picks_nothing(void** /*state*/) {
  for (const char* a : {"q", "1a", " 1", "+1", "-1", "1.", "\xd9\xa1", "1234"})
    assert_int_equal(MenuPick(a, 9), 0);
}

void test_a_key_matches_in_any_case_and_nothing_longer(void** /*state*/) {
  assert_true(IsKey("q", "q"));
  assert_true(IsKey("Q", "q"));
  assert_true(IsKey("Email", "email"));
  assert_false(IsKey("qq", "q"));
  assert_false(IsKey("", "q"));
}

void test_the_range_shown_is_one_number_for_one_entry(void** /*state*/) {
  assert_string_equal(MenuRange(1).c_str(), "1");
  assert_string_equal(MenuRange(4).c_str(), "1-4");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_number_in_range_picks_its_entry),
      cmocka_unit_test(test_a_number_out_of_range_picks_nothing),
      cmocka_unit_test(
          test_an_empty_answer_picks_the_first_entry_only_where_it_is_the_default),
      cmocka_unit_test(test_anything_but_digits_picks_nothing),
      cmocka_unit_test(test_a_key_matches_in_any_case_and_nothing_longer),
      cmocka_unit_test(test_the_range_shown_is_one_number_for_one_entry),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
