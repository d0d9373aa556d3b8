// Tests for common/wipe.h: a wiped string leaves no copy in its buffer.
#include "common/wipe.h"

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

void a_wiped_string_is_empty_and_its_bytes_are_zero(void** /*state*/) {
  std::string s(200, 'k');  // on the heap, not in the small-string buffer
  const char* buf = s.data();
  sspr::Wipe(&s);
  assert_true(s.empty());
  assert_ptr_equal(s.data(), buf);  // clear() keeps the buffer: check it
  for (size_t i = 0; i < 200; ++i) assert_int_equal(buf[i], 0);
}

void a_short_string_is_wiped_in_place_too(void** /*state*/) {
  std::string s = "123456";  // the small-string buffer inside the object
  const char* buf = s.data();
  sspr::Wipe(&s);
  assert_true(s.empty());
  for (size_t i = 0; i < 6; ++i) assert_int_equal(buf[i], 0);
}

void wiping_an_empty_string_is_harmless(void** /*state*/) {
  std::string s;
  sspr::Wipe(&s);
  assert_true(s.empty());
  sspr::Wipe(&s);
  assert_true(s.empty());
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_wiped_string_is_empty_and_its_bytes_are_zero),
      cmocka_unit_test(a_short_string_is_wiped_in_place_too),
      cmocka_unit_test(wiping_an_empty_string_is_harmless),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
