// Per-user daily limits of the reset at the login prompt: resets done and
// failed proofs (a wrong code, a wrong round of security answers), with
// the time of the last reset for sspr-admin show.
#ifndef SSPR_HELPER_STORE_RESET_LIMIT_H_
#define SSPR_HELPER_STORE_RESET_LIMIT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sspr {

struct ResetLimitPolicy {
  int resets = 3;      // resets per user per window (reset_limit)
  int failures = 5;    // failed proofs per user per window (reset_fail_limit)
  int window = 86400;  // seconds: a day
};

// What is kept per user: the times (ascending) inside the window.
struct ResetState {
  std::vector<int64_t> resets, failures;
  int64_t last_reset = 0;  // kept past the window; 0 = never
};

// Text, one entry a line ("reset T", "fail T", "last T"; T unix seconds),
// at most kMaxResetStateSize bytes; parsed strictly.
constexpr size_t kMaxResetStateSize = 16 * 1024;
std::string ResetStateToText(const ResetState& s);
bool ResetStateFromText(const std::string& text, ResetState* s,
                        std::string* err);

// When the user may try again: 0 when not locked, else the end of the
// lockout (the oldest counted event leaves the window).
int64_t ResetLockedUntil(const ResetState& s, const ResetLimitPolicy& p,
                         int64_t now);

// State in <state_dir>/reset/<SafeFileName(user)>, each change under the
// flock of <state_dir>/reset/<SafeFileName(user)>.lock, written atomically.
class ResetLimiter {
 public:
  ResetLimiter(std::string state_dir, ResetLimitPolicy p)
      : dir_(std::move(state_dir) + "/reset"), p_(p) {}
  // Creates reset/ (0700) when missing.
  bool Init(std::string* err);
  bool Load(const std::string& user, ResetState* s, std::string* err) const;
  // *until: 0 when a reset may go on now.
  bool LockedUntil(const std::string& user, int64_t now, int64_t* until,
                   std::string* err) const;
  // Records one event; *until as LockedUntil after it.
  bool RecordFailure(const std::string& user, int64_t now, int64_t* until,
                     std::string* err);
  bool RecordReset(const std::string& user, int64_t now, std::string* err);

 private:
  bool Record(const std::string& user, int64_t now, bool reset, int64_t* until,
              std::string* err);
  std::string dir_;
  ResetLimitPolicy p_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_RESET_LIMIT_H_
