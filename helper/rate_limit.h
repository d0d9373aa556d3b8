// Limits on codes sent, per user and per destination, across logins.
#ifndef SSPR_HELPER_RATE_LIMIT_H_
#define SSPR_HELPER_RATE_LIMIT_H_

#include <cstdint>
#include <string>

namespace sspr {

struct RateLimitPolicy {
  int limit = 5;        // sends allowed per window
  int window = 3600;    // seconds
  int lockout = 86400;  // seconds locked once the limit is hit
};

// State in <state_dir>/rate/<kind>-<SafeFileName(key)>.json, updated under
// flock, atomically. kind is "user" or "dest".
class RateLimiter {
 public:
  RateLimiter(std::string state_dir, RateLimitPolicy p)
      : dir_(std::move(state_dir)), p_(p) {}
  bool Init(std::string* err);
  // Records one send for both the user and the destination if allowed.
  // When not allowed, *allowed=false and *locked_until is the unix time the
  // lockout ends. Returns false only on I/O errors.
  bool TryConsume(const std::string& user, const std::string& dest,
                  int64_t now, bool* allowed, int64_t* locked_until,
                  std::string* err);

 private:
  std::string dir_;
  RateLimitPolicy p_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_RATE_LIMIT_H_
