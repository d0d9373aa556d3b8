#include "tools/admin_reset.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "helper/store/rate_limit.h"
#include "common/fd.h"
#include "common/file.h"
#include "common/text.h"
#include "common/time.h"
#include "helper/store/user_store.h"

namespace sspr {
namespace {

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
  UniqueFd dir;
  bool missing = false;
  if (!OpenDirNoFollow(AT_FDCWD, c.cache_dir, "cache_dir " + c.cache_dir, &dir,
                       &missing, err))
    return false;
  if (missing) return true;
  const std::string name = SafeFileName(user);
  return Unlink(dir.get(), name, c.cache_dir + "/" + name, gone, err);
}

// The limiter's state of the user (RateUserBase) under the lock the
// RateLimiter takes. No lock file: no send was ever counted for the user.
bool DropRate(const Config& c, const std::string& user, bool* gone,
              std::string* err) {
  UniqueFd state, rate;
  bool missing = false;
  if (!OpenDirNoFollow(AT_FDCWD, c.state_dir, c.state_dir, &state, &missing,
                       err))
    return false;
  if (missing) return true;
  const std::string rate_dir = c.state_dir + "/" + kRateDir;
  if (!OpenDirNoFollow(state.get(), kRateDir, rate_dir, &rate, &missing, err))
    return false;
  if (missing) return true;
  const std::string base = RateUserBase(user);
  const std::string shown = rate_dir + "/" + base;
  UniqueFd lock(openat(rate.get(), (base + ".lock").c_str(),
                       O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (lock.get() < 0 && errno != ENOENT) {
    *err = "cannot open " + shown + ".lock: " + strerror(errno);
    return false;
  }
  if (lock.valid() &&
      !FlockUntil(lock.get(), LOCK_EX, NowMs() + kDefaultLockTimeoutMs)) {
    *err = "cannot lock " + shown + ".lock";
    return false;
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
