#include "pam_module/status_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fd.h"
#include "common/text.h"
#include "common/time.h"
#include "config/config.h"

namespace sspr {
namespace {

constexpr char kMagic[] = "registered ";

// Only root writes the cache: an entry anyone else could have written is
// never trusted, whoever the calling application runs as.
bool SafeOwner(const struct stat& st) {
  return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int OpenDir(const std::string& dir) {
  int fd = OpenDirNoFollow(AT_FDCWD, dir);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !SafeOwner(st)) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads a valid, root-owned "registered <expiry>" entry: its expiry and
// when it was written (the file's mtime: entries are replaced, never edited).
bool ReadEntry(const std::string& dir, const std::string& user,
               int64_t* expiry, int64_t* written) {
  int dfd = OpenDir(dir);
  if (dfd < 0) return false;
  std::string name = SafeFileName(user);
  int fd = openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  close(dfd);
  if (fd < 0) return false;
  struct stat st;
  char buf[64];
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && SafeOwner(st))
    n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  if (strncmp(buf, kMagic, sizeof(kMagic) - 1) != 0) return false;
  char* end = nullptr;
  errno = 0;
  long long e = strtoll(buf + sizeof(kMagic) - 1, &end, 10);
  if (errno != 0 || end == buf + sizeof(kMagic) - 1 || (*end != '\n' && *end))
    return false;
  *expiry = e;
  *written = st.st_mtime;
  return true;
}

bool MakeDir(const std::string& dir) {
  return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

}  // namespace

bool CacheIsFresh(const std::string& dir, const std::string& user,
                  int64_t now) {
  int64_t expiry = 0, written = 0;
  return ReadEntry(dir, user, &expiry, &written) && expiry > now;
}

bool CacheStaleAge(const std::string& dir, const std::string& user,
                   int64_t now, int64_t* age) {
  int64_t expiry = 0, written = 0;
  if (!ReadEntry(dir, user, &expiry, &written)) return false;
  *age = now - written;
  return true;
}

bool CacheStore(const std::string& dir, const std::string& user,
                int64_t expiry, std::string* err) {
  if (!MakeDir(dir)) {
    *err = "cannot create " + dir + ": " + strerror(errno);
    return false;
  }
  int dfd = OpenDir(dir);
  if (dfd < 0) {
    *err = dir + " is not a directory owned by us and closed to others";
    return false;
  }
  std::string name = SafeFileName(user);
  std::string tmp = ".tmp." + std::to_string(getpid()) + "." + name;
  unlinkat(dfd, tmp.c_str(), 0);
  int fd = openat(dfd, tmp.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *err = "cannot write " + dir + "/" + tmp + ": " + strerror(errno);
    close(dfd);
    return false;
  }
  std::string body = kMagic + std::to_string(expiry) + "\n";
  bool ok = write(fd, body.data(), body.size()) ==
            static_cast<ssize_t>(body.size());
  ok = (close(fd) == 0) && ok;
  if (ok) ok = renameat(dfd, tmp.c_str(), dfd, name.c_str()) == 0;
  if (!ok) {
    *err = "cannot update the cache entry in " + dir + ": " + strerror(errno);
    unlinkat(dfd, tmp.c_str(), 0);
  }
  close(dfd);
  return ok;
}

void CacheDrop(const std::string& dir, const std::string& user) {
  int dfd = OpenDir(dir);
  if (dfd < 0) return;
  unlinkat(dfd, SafeFileName(user).c_str(), 0);
  close(dfd);
}

int CacheLockCheck(const std::string& dir, const std::string& user,
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
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !SafeOwner(st)) {
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
