// Tests for common/time.h: the monotonic clock, the nap, the wall clock.
#include "common/time.h"

#include <time.h>

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

void the_monotonic_clock_never_goes_back(void** /*state*/) {
  int64_t last = sspr::NowMs();
  for (int i = 0; i < 10000; ++i) {
    int64_t now = sspr::NowMs();
    assert_true(now >= last);
    last = now;
  }
}

void a_nap_lasts_at_least_what_was_asked(void** /*state*/) {
  int64_t start = sspr::NowMs();
  sspr::SleepMs(60);
  int64_t took = sspr::NowMs() - start;
  assert_true(took >= 59);  // ms rounding of two readings
  assert_true(took < 5000);
}

void a_nap_of_zero_or_less_returns_at_once(void** /*state*/) {
  int64_t start = sspr::NowMs();
  sspr::SleepMs(0);
  sspr::SleepMs(-1000);
  sspr::SleepMs(INT64_MIN);
  assert_true(sspr::NowMs() - start < 50);
}

void the_system_clock_tells_unix_seconds(void** /*state*/) {
  sspr::SystemClock c;
  sspr::Clock* clock = &c;
  int64_t before = time(nullptr);
  int64_t now = clock->Now();
  int64_t after = time(nullptr);
  assert_true(now >= before && now <= after);
  assert_true(now > 1600000000);  // 2020: seconds, not ms or a monotonic count
  assert_true(now < 100000000000);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_monotonic_clock_never_goes_back),
      cmocka_unit_test(a_nap_lasts_at_least_what_was_asked),
      cmocka_unit_test(a_nap_of_zero_or_less_returns_at_once),
      cmocka_unit_test(the_system_clock_tells_unix_seconds),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
