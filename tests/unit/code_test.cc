// Tests for PendingCode: expiry and cool-down hold on the monotonic clock
// too, whatever the wall clock does in the middle of a dialogue.
#include "helper/code.h"

#include <cstdint>
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

using sspr::PendingCode;

int64_t g_mono_ms = 5000;
int64_t FakeMono() { return g_mono_ms; }

constexpr int64_t kT0 = 1800000000;
constexpr int kTtl = 600;

void a_code_is_valid_then_expired_on_both_clocks(void**) {
  g_mono_ms = 5000;
  PendingCode p(kTtl, 5, 0, FakeMono);
  p.Set("123456", kT0);
  g_mono_ms += (kTtl - 1) * 1000;
  assert_int_equal(static_cast<int>(p.Verify("123456", kT0 + kTtl - 1)),
                   static_cast<int>(PendingCode::Check::kOk));
  // Wall clock past the TTL: expired (the monotonic clock has not moved).
  g_mono_ms = 5000;
  p.Set("123456", kT0);
  assert_int_equal(static_cast<int>(p.Verify("123456", kT0 + kTtl)),
                   static_cast<int>(PendingCode::Check::kExpired));
}

void wall_clock_set_back_does_not_extend_a_code(void**) {
  g_mono_ms = 5000;
  PendingCode p(kTtl, 5, 0, FakeMono);
  p.Set("123456", kT0);
  // The wall clock goes back a year while the user waits out the TTL:
  // measured on the wall clock the code would still be young.
  g_mono_ms += int64_t{kTtl} * 1000;
  assert_int_equal(
      static_cast<int>(p.Verify("123456", kT0 - 365 * 86400 + kTtl)),
      static_cast<int>(PendingCode::Check::kExpired));
  // Within the TTL a set-back clock changes nothing.
  p.Set("654321", kT0);
  g_mono_ms += 1000;
  assert_int_equal(static_cast<int>(p.Verify("654321", kT0 - 365 * 86400)),
                   static_cast<int>(PendingCode::Check::kOk));
}

void wall_clock_set_forward_expires_a_code(void**) {
  g_mono_ms = 5000;
  PendingCode p(kTtl, 5, 0, FakeMono);
  p.Set("123456", kT0);
  // Conservative: either clock past the TTL ends the code (resend works).
  assert_int_equal(static_cast<int>(p.Verify("123456", kT0 + 86400)),
                   static_cast<int>(PendingCode::Check::kExpired));
}

void cooldown_is_not_stretched_by_a_clock_set_back(void**) {
  g_mono_ms = 5000;
  PendingCode p(kTtl, 5, 30, FakeMono);
  assert_int_equal(p.NextSendAt(), 0);
  p.Set("123456", kT0);
  assert_int_equal(p.NextSendAt(), kT0 + 30);  // still cooling down
  g_mono_ms += 30 * 1000;
  // 30 s really passed: a new code may go, even though the wall clock now
  // reads a year earlier than kT0 + 30.
  assert_int_equal(p.NextSendAt(), 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_code_is_valid_then_expired_on_both_clocks),
      cmocka_unit_test(wall_clock_set_back_does_not_extend_a_code),
      cmocka_unit_test(wall_clock_set_forward_expires_a_code),
      cmocka_unit_test(cooldown_is_not_stretched_by_a_clock_set_back),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
