#include "common/time.h"

#include <time.h>

namespace sspr {

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

void SleepMs(int64_t ms) {
  if (ms <= 0) return;
  struct timespec ts = {static_cast<time_t>(ms / 1000),
                        static_cast<long>(ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

int64_t SystemClock::Now() { return time(nullptr); }

}  // namespace sspr
