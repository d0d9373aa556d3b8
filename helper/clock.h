// Wall-clock time behind an interface so tests can move it.
#ifndef SSPR_HELPER_CLOCK_H_
#define SSPR_HELPER_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace sspr {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() = 0;  // unix seconds
};

class SystemClock : public Clock {
 public:
  int64_t Now() override { return time(nullptr); }
};

}  // namespace sspr

#endif  // SSPR_HELPER_CLOCK_H_
