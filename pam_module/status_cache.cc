#include "pam_module/status_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cache_entry.h"
#include "common/fd.h"
#include "common/text.h"
#include "common/time.h"
#include "config/config.h"

namespace sspr {
namespace {

// A valid, trusted entry's expiry and when it was written. No allocation:
// the directory and the file name are made on the stack.
bool ReadEntry(std::string_view dir, std::string_view user, int64_t* expiry,
               int64_t* written) {
  char path[1025];  // cache_dir is at most 1024 bytes (config.cc, PathOk)
  char name[kSafeFileNameSize];
  if (dir.size() >= sizeof(path)) return false;
  dir.copy(path, dir.size());
  path[dir.size()] = '\0';
  SafeFileNameTo(user, name);
  cache_entry::Entry e;
  if (cache_entry::Read(path, name, &e) != cache_entry::Status::kOk)
    return false;
  *expiry = e.expiry;
  *written = e.written;
  return true;
}

int OpenDir(std::string_view dir) {
  int fd = OpenDirNoFollow(AT_FDCWD, std::string(dir));
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !cache_entry::Trusted(st)) {
    close(fd);
    return -1;
  }
  return fd;
}

bool MakeDir(std::string_view dir) {
  return mkdir(std::string(dir).c_str(), 0700) == 0 || errno == EEXIST;
}

}  // namespace

bool CacheIsFresh(std::string_view dir, std::string_view user, int64_t now) {
  int64_t expiry = 0, written = 0;
  return ReadEntry(dir, user, &expiry, &written) && expiry > now;
}

bool CacheStaleAge(std::string_view dir, std::string_view user, int64_t now,
                   int64_t* age) {
  int64_t expiry = 0, written = 0;
  if (!ReadEntry(dir, user, &expiry, &written)) return false;
  *age = now - written;
  return true;
}

bool CacheStore(std::string_view dir, const std::string& user, int64_t expiry,
                std::string* err) {
  return cache_entry::Write(std::string(dir), SafeFileName(user), expiry, err);
}

void CacheDrop(std::string_view dir, const std::string& user) {
  int dfd = OpenDir(dir);
  if (dfd < 0) return;
  unlinkat(dfd, SafeFileName(user).c_str(), 0);
  close(dfd);
}

int CacheLockCheck(std::string_view dir, const std::string& user,
                   int64_t wait_ms, int64_t* waited_ms) {
  *waited_ms = 0;
  if (!MakeDir(dir)) return -1;
  int dfd = OpenDir(dir);
  if (dfd < 0) return -1;
  // Never a user's entry: SafeFileName() names do not start with a dot.
  const std::string name = ".check." + SafeFileName(user);
  int fd = openat(dfd, name.c_str(),
                  O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  close(dfd);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      !cache_entry::Trusted(st)) {
    close(fd);
    return -1;
  }
  const int64_t start = NowMs();
  const bool locked = FlockUntil(fd, LOCK_EX, start + wait_ms);
  *waited_ms = NowMs() - start;
  if (locked) return fd;
  close(fd);
  return -1;
}

}  // namespace sspr
