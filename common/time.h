// Time, the one way every side reads it: a monotonic clock in milliseconds
// for deadlines, a nap, and wall-clock time behind an interface so tests
// can move it.
#ifndef SSPR_COMMON_TIME_H_
#define SSPR_COMMON_TIME_H_

#include <cstdint>

namespace sspr {

// Monotonic clock in milliseconds (deadlines, waits; never a date).
int64_t NowMs();

// Sleeps about `ms` milliseconds; nothing when ms <= 0. A signal may end
// the nap early: callers loop on a deadline.
void SleepMs(int64_t ms);

// Wall-clock time (unix seconds) behind a seam, so tests can move it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() = 0;  // unix seconds
};

class SystemClock : public Clock {
 public:
  int64_t Now() override;
};

}  // namespace sspr

#endif  // SSPR_COMMON_TIME_H_
