// Verification codes: made from the kernel CSPRNG, checked in constant time,
// valid for code_ttl, limited attempts, resend cool-down.
#ifndef SSPR_HELPER_CODE_H_
#define SSPR_HELPER_CODE_H_

#include <cstdint>
#include <string>

namespace sspr {

// `len` decimal digits, uniformly distributed (rejection sampling).
bool GenerateCode(int len, std::string* code, std::string* err);

// Compares without a data-dependent early exit.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// Keeps only the digits of what the user typed ("123 456" -> "123456").
std::string DigitsOnly(const std::string& s);

class PendingCode {
 public:
  PendingCode(int ttl, int max_attempts, int cooldown)
      : ttl_(ttl), max_attempts_(max_attempts), cooldown_(cooldown) {}
  ~PendingCode();
  // When a new code may be sent (0 = now).
  int64_t NextSendAt() const { return sent_at_ ? sent_at_ + cooldown_ : 0; }
  void Set(const std::string& code, int64_t now);
  bool active() const { return !code_.empty(); }
  enum class Check { kOk, kWrong, kExpired, kTooMany, kNoCode };
  Check Verify(const std::string& typed, int64_t now);
  int attempts_left() const { return max_attempts_ - attempts_; }

 private:
  void Clear();
  int ttl_, max_attempts_, cooldown_;
  std::string code_;
  int64_t sent_at_ = 0;
  int attempts_ = 0;
};

}  // namespace sspr

#endif  // SSPR_HELPER_CODE_H_
