#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/time.h"

namespace sspr {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) {
    int saved = errno;
    close(fd_);
    errno = saved;
  }
  fd_ = fd;
}

int OpenDirNoFollow(int parent, const std::string& name) {
  return openat(parent, name.c_str(),
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

bool OpenDirNoFollow(int parent, const std::string& name,
                     const std::string& shown, UniqueFd* out, bool* missing,
                     std::string* err) {
  if (missing != nullptr) *missing = false;
  int fd = OpenDirNoFollow(parent, name);
  if (fd < 0) {
    if (errno == ENOENT && missing != nullptr) {
      *missing = true;
      return true;
    }
    *err = (errno == ELOOP || errno == ENOTDIR)
               ? shown + " is a symlink or not a directory, refusing it"
               : "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  out->reset(fd);
  return true;
}

bool ReadAt(int dir, const std::string& name, const std::string& shown,
            size_t max, std::string* out, bool* missing, std::string* err) {
  *missing = false;
  UniqueFd fd(
      openat(dir, name.c_str(),
             O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *err = errno == ELOOP ? shown + " is a symlink, refusing it"
                          : "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = shown + " is not a regular file";
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    *err = shown + " is too large (" + std::to_string(st.st_size) +
           " bytes, at most " + std::to_string(max) + ")";
    return false;
  }
  std::string buf(max + 1, '\0');  // one more: a file that grew is caught
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = read(fd.get(), &buf[got], buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = "cannot read " + shown + ": " + strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max) {
    *err =
        shown + " is too large (more than " + std::to_string(max) + " bytes)";
    return false;
  }
  buf.resize(got);
  out->swap(buf);
  return true;
}

bool FlockUntil(int fd, int op, int64_t deadline_ms) {
  for (;;) {
    if (flock(fd, op | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK && errno != EINTR) return false;
    int64_t left = deadline_ms - NowMs();
    if (left <= 0) {
      errno = EWOULDBLOCK;
      return false;
    }
    SleepMs(left < 10 ? left : 10);
  }
}

}  // namespace sspr
