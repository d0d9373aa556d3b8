// Limits on codes sent, per user and per destination, across logins.
#ifndef SSPR_HELPER_STORE_RATE_LIMIT_H_
#define SSPR_HELPER_STORE_RATE_LIMIT_H_

#include <cstdint>
#include <string>

namespace sspr {

struct RateLimitPolicy {
  int limit = 5;        // sends per user to one destination per window
  int window = 3600;    // seconds
  int lockout = 86400;  // seconds locked once a per-user limit is hit
  int user_limit = 10;  // sends per user to all destinations per window
  int dest_limit = 20;  // sends to one destination from all users per
                        // window: an abuse brake, never a lockout
};

enum class RateVerdict {
  kAllowed,
  kLimited,   // this user, or this user to this destination: locked
  kDestBusy,  // the destination got too many codes from all users:
              // another destination, or later
};

// State in <state_dir>/rate/, updated under flock, atomically:
//   user-<SafeFileName(user)>.json  the user's sends, and per destination
//                                   ("pairs") the user's sends to it;
//   dest-<SafeFileName(dest)>.json  every user's sends to the destination.
// So one account never locks a destination for another (sspr-admin reset
// drops the user's file, pairs included).
// Where the limiter keeps a user's sends, below <state_dir>: the folder
// "rate" and the name without extension ("user-" + SafeFileName(user)), to
// which it adds ".json" (the state) and ".lock" (its flock). sspr-admin
// reset removes the state under the same lock.
constexpr const char kRateDir[] = "rate";
std::string RateUserBase(const std::string& user);

class RateLimiter {
 public:
  RateLimiter(std::string state_dir, RateLimitPolicy p)
      : dir_(std::move(state_dir)), p_(p) {}
  bool Init(std::string* err);
  // Records one send for the user, the pair and the destination if
  // allowed. Otherwise *until is the unix time to try again. Returns false
  // only on I/O errors and bad state.
  bool TryConsume(const std::string& user, const std::string& dest, int64_t now,
                  RateVerdict* verdict, int64_t* until, std::string* err);

 private:
  std::string dir_;
  RateLimitPolicy p_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_RATE_LIMIT_H_
