#include "tools/cache_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd.h"
#include "common/text.h"
#include "pam_module/status_cache.h"

namespace sspr {
namespace {

constexpr char kMagic[] = "registered ";

bool Closed(const struct stat& st) {
  return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

// Explains an entry that is not fresh (never follows a symlink).
void Classify(const std::string& dir, const std::string& name, int64_t now,
              CacheInfo* info) {
  int dfd = OpenDirNoFollow(AT_FDCWD, dir);
  if (dfd < 0) {
    if (errno == ENOENT) return;  // kMissing
    info->state = CacheState::kUntrusted;
    info->detail =
        dir + ": " +
        (errno == ELOOP || errno == ENOTDIR ? "a symlink or not a directory"
                                            : strerror(errno));
    return;
  }
  struct stat st;
  if (fstat(dfd, &st) != 0 || !Closed(st)) {
    close(dfd);
    info->state = CacheState::kUntrusted;
    info->detail = dir +
                   " is not owned by root or is writable by group or "
                   "others: the module ignores every entry in it";
    return;
  }
  int fd =
      openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  close(dfd);
  if (fd < 0) {
    if (errno == ENOENT) return;  // kMissing
    info->state = CacheState::kUntrusted;
    info->detail = errno == ELOOP ? "the entry is a symlink" : strerror(errno);
    return;
  }
  char buf[64];
  ssize_t n = -1;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && Closed(st);
  if (ok) n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (!ok) {
    info->state = CacheState::kUntrusted;
    info->detail =
        "the entry is not a regular file owned by root and "
        "closed to group and others: the module ignores it";
    return;
  }
  info->state = CacheState::kInvalid;
  info->detail = "the entry is not 'registered <expiry>'";
  if (n <= 0) return;
  buf[n] = '\0';
  if (strncmp(buf, kMagic, sizeof(kMagic) - 1) != 0) return;
  const char* num = buf + sizeof(kMagic) - 1;
  char* end = nullptr;
  errno = 0;
  long long expiry = strtoll(num, &end, 10);
  if (errno != 0 || end == num || (*end != '\n' && *end != '\0')) return;
  info->expiry = expiry;
  info->detail.clear();
  info->state = expiry > now ? CacheState::kFresh : CacheState::kExpired;
}

}  // namespace

CacheInfo InspectCache(const Config& c, const std::string& user, int64_t now) {
  CacheInfo info;
  const std::string name = SafeFileName(user);
  info.path = c.cache_dir + "/" + name;
  if (c.cache_ttl <= 0) {
    info.state = CacheState::kDisabled;
    return info;
  }
  Classify(c.cache_dir, name, now, &info);
  // The module's verdict is the one that counts.
  bool fresh = CacheIsFresh(c.cache_dir, user, now);
  if (fresh && info.state != CacheState::kFresh) {
    info.state = CacheState::kFresh;  // cannot happen; trust the module
    info.detail.clear();
  } else if (!fresh && info.state == CacheState::kFresh) {
    info.state = CacheState::kInvalid;
    info.detail = "the module does not accept this entry";
  }
  return info;
}

const char* CacheStateName(CacheState s) {
  switch (s) {
    case CacheState::kDisabled:
      return "disabled";
    case CacheState::kFresh:
      return "fresh";
    case CacheState::kExpired:
      return "expired";
    case CacheState::kMissing:
      return "missing";
    case CacheState::kUntrusted:
      return "untrusted";
    case CacheState::kInvalid:
      return "invalid";
  }
  return "?";
}

}  // namespace sspr
