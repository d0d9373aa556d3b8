// Verification codes: made from the kernel CSPRNG, checked in constant time,
// valid for code_ttl, limited attempts, resend cool-down.
#ifndef SSPR_HELPER_CODE_H_
#define SSPR_HELPER_CODE_H_

#include <cstdint>
#include <string>

#include "common/time.h"

namespace sspr {

// `len` decimal digits, uniformly distributed (rejection sampling).
bool GenerateCode(int len, std::string* code, std::string* err);

// Compares without a data-dependent early exit.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// Keeps only the digits of what the user typed ("123 456" -> "123456").
std::string DigitsOnly(const std::string& s);

// The code sent last, within one dialogue. `now` is wall-clock time (the
// backend's Clock); the age of a code is also measured on a monotonic clock
// (milliseconds, NowMs unless a test passes its own), and a code
// expires when either clock says code_ttl has passed: a wall clock set back
// (NTP step, admin, an attacker with the clock) cannot keep a code valid
// for longer than code_ttl, nor stretch the resend cool-down.
class PendingCode {
 public:
  using MonoMs = int64_t (*)();
  PendingCode(int ttl, int max_attempts, int cooldown,
              MonoMs mono_ms = nullptr);
  ~PendingCode();
  // When a new code may be sent (0 = now): a wall time, or 0 once the
  // cool-down has passed on the monotonic clock.
  int64_t NextSendAt() const;
  void Set(const std::string& code, int64_t now);
  bool active() const { return !code_.empty(); }
  enum class Check { kOk, kWrong, kExpired, kTooMany, kNoCode };
  Check Verify(const std::string& typed, int64_t now);
  int attempts_left() const { return max_attempts_ - attempts_; }

 private:
  void Clear();
  int ttl_, max_attempts_, cooldown_;
  MonoMs mono_ms_;
  std::string code_;
  int64_t sent_at_ = 0;
  int64_t sent_mono_ms_ = 0;
  int attempts_ = 0;
};

}  // namespace sspr

#endif  // SSPR_HELPER_CODE_H_
