#include "common/cache_entry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

namespace sspr {
namespace cache_entry {
namespace {

constexpr char kMagic[] = "registered ";
constexpr size_t kMagicLen = sizeof(kMagic) - 1;

// Opens an existing directory without following a symlink.
int OpenDir(const char* dir, Status* why, int* err) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    *why = errno == ENOENT ? Status::kNoDir : Status::kDirUntrusted;
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !Trusted(st)) {
    *err = 0;
    *why = Status::kDirUntrusted;
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

bool Trusted(const struct stat& st) {
  return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

size_t Format(int64_t expiry, char* buf, size_t size) {
  int n =
      snprintf(buf, size, "%s%lld\n", kMagic, static_cast<long long>(expiry));
  return n > 0 && static_cast<size_t>(n) < size ? static_cast<size_t>(n) : 0;
}

bool Parse(const char* text, size_t len, int64_t* expiry) {
  if (len > 0 && text[len - 1] == '\n') --len;
  if (len <= kMagicLen || len > kMaxBytes ||
      memcmp(text, kMagic, kMagicLen) != 0)
    return false;
  size_t i = kMagicLen;
  bool negative = text[i] == '-';
  if (negative) ++i;
  if (i == len) return false;
  // Accumulated as a negative number, whose range is the larger one.
  int64_t v = 0;
  for (; i < len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    int d = text[i] - '0';
    if (v < (INT64_MIN + d) / 10) return false;
    v = v * 10 - d;
  }
  if (!negative && v == INT64_MIN) return false;
  *expiry = negative ? v : -v;
  return true;
}

Status Read(const char* dir, const char* name, Entry* entry) {
  Status why = Status::kOk;
  int dfd = OpenDir(dir, &why, &entry->err);
  if (dfd < 0) return why;
  int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  entry->err = errno;
  close(dfd);
  if (fd < 0) {
    if (entry->err == ENOENT) return Status::kNoEntry;
    return entry->err == ELOOP ? Status::kEntryUntrusted : Status::kError;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !Trusted(st)) {
    entry->err = 0;
    close(fd);
    return Status::kEntryUntrusted;
  }
  char buf[kMaxBytes + 1];
  ssize_t n = read(fd, buf, sizeof(buf));
  entry->err = errno;
  close(fd);
  if (n < 0) return Status::kError;
  entry->err = 0;
  if (!Parse(buf, static_cast<size_t>(n), &entry->expiry))
    return Status::kInvalid;
  entry->written = st.st_mtime;
  return Status::kOk;
}

bool Write(const std::string& dir, const std::string& name, int64_t expiry,
           std::string* err) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *err = "cannot create " + dir + ": " + strerror(errno);
    return false;
  }
  Status why = Status::kOk;
  int e = 0;
  int dfd = OpenDir(dir.c_str(), &why, &e);
  if (dfd < 0) {
    *err = dir + " is not a directory owned by us and closed to others";
    return false;
  }
  char pid[24];
  snprintf(pid, sizeof(pid), "%d", static_cast<int>(getpid()));
  // Never a user's entry: safe file names do not start with a dot.
  const std::string tmp = std::string(".tmp.") + pid + "." + name;
  unlinkat(dfd, tmp.c_str(), 0);
  int fd = openat(dfd, tmp.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *err = "cannot write " + dir + "/" + tmp + ": " + strerror(errno);
    close(dfd);
    return false;
  }
  char body[kMaxBytes + 1];
  size_t len = Format(expiry, body, sizeof(body));
  bool ok = len > 0 && write(fd, body, len) == static_cast<ssize_t>(len);
  ok = (close(fd) == 0) && ok;
  if (ok) ok = renameat(dfd, tmp.c_str(), dfd, name.c_str()) == 0;
  if (!ok) {
    *err = "cannot update the cache entry in " + dir + ": " + strerror(errno);
    unlinkat(dfd, tmp.c_str(), 0);
  }
  close(dfd);
  return ok;
}

}  // namespace cache_entry
}  // namespace sspr
