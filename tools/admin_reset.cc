#include "tools/admin_reset.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "helper/store/atomic_file.h"
#include "helper/store/rate_limit.h"
#include "helper/store/user_store.h"

namespace sspr {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int OpenDir(int parent, const std::string& name) {
  return openat(parent, name.c_str(),
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// Unlinks `name` in `dir`; *gone says whether it existed.
bool Unlink(int dir, const std::string& name, const std::string& shown,
            bool* gone, std::string* err) {
  if (unlinkat(dir, name.c_str(), 0) == 0) {
    *gone = true;
    if (fsync(dir) != 0 && errno != EINVAL) {
      *err = "cannot fsync the directory of " + shown + ": " + strerror(errno);
      return false;
    }
    return true;
  }
  if (errno == ENOENT) return true;
  *err = "cannot remove " + shown + ": " + strerror(errno);
  return false;
}

bool DropCache(const Config& c, const std::string& user, bool* gone,
               std::string* err) {
  Fd dir(OpenDir(AT_FDCWD, c.cache_dir));
  if (dir.get() < 0) {
    if (errno == ENOENT) return true;
    *err = "cannot open cache_dir " + c.cache_dir + ": " + strerror(errno);
    return false;
  }
  const std::string name = SafeFileName(user);
  return Unlink(dir.get(), name, c.cache_dir + "/" + name, gone, err);
}

// The limiter's state of the user (RateUserBase) under the lock the
// RateLimiter takes. No lock file: no send was ever counted for the user.
bool DropRate(const Config& c, const std::string& user, bool* gone,
              std::string* err) {
  Fd state(OpenDir(AT_FDCWD, c.state_dir));
  Fd rate(state.get() < 0 ? -1 : OpenDir(state.get(), kRateDir));
  if (rate.get() < 0) {
    if (errno == ENOENT) return true;
    *err = "cannot open " + c.state_dir + "/" + kRateDir + ": " +
           strerror(errno);
    return false;
  }
  const std::string base = RateUserBase(user);
  const std::string shown = c.state_dir + "/" + kRateDir + "/" + base;
  Fd lock(openat(rate.get(), (base + ".lock").c_str(),
                 O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (lock.get() < 0 && errno != ENOENT) {
    *err = "cannot open " + shown + ".lock: " + strerror(errno);
    return false;
  }
  if (lock.get() >= 0) {
    struct timespec nap = {0, 10 * 1000000L};
    int waited_ms = 0;
    while (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      if ((errno != EWOULDBLOCK && errno != EINTR) ||
          waited_ms >= kDefaultLockTimeoutMs) {
        *err = "cannot lock " + shown + ".lock";
        return false;
      }
      nanosleep(&nap, nullptr);
      waited_ms += 10;
    }
  }
  return Unlink(rate.get(), base + ".json", shown + ".json", gone, err);
}

}  // namespace

bool ResetUser(const Config& c, const std::string& user, ResetReport* r,
               std::string* err) {
  *r = ResetReport();
  UserStore store(c.state_dir);
  auto before = [&](std::string* e) {
    return DropRate(c, user, &r->rate, e) && DropCache(c, user, &r->cache, e);
  };
  if (!store.Remove(user, before, &r->record, err)) return false;
  return DropCache(c, user, &r->cache, err);
}

}  // namespace sspr
