#include "common/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/fd.h"
#include "common/time.h"

namespace sspr {
namespace {

std::string Errno(const std::string& what, const std::string& path, int e) {
  return what + " " + path + ": " + strerror(e);
}

void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *base = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *base = path.substr(slash + 1);
  }
}

// 16 hex digits, random if the kernel obliges, unique per process anyway.
std::string TempSuffix() {
  static uint64_t counter = 0;
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v)) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    v = (static_cast<uint64_t>(getpid()) << 40) ^
        static_cast<uint64_t>(ts.tv_nsec) ^ (++counter << 20);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 0; i < 16; ++i) s[i] = kHex[(v >> (4 * i)) & 15];
  return s;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Removes temp files of `base` (".<base>.tmp-*") left in `dir` by a writer
// that died between creating and renaming one (SIGKILL, power loss): they
// hold a partial copy that nothing ever reads. A live writer's temp file
// exists for milliseconds; only files older than kStaleTempSeconds go, so a
// writer that does not hold the key's lock is not raced. Best effort.
constexpr time_t kStaleTempSeconds = 60;

void RemoveStaleTemps(const std::string& dir, const std::string& base) {
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* d = fdopendir(dfd);
  if (d == nullptr) {
    close(dfd);
    return;
  }
  const std::string prefix = "." + base + ".tmp-";
  const time_t now = time(nullptr);
  while (struct dirent* e = readdir(d)) {
    if (strncmp(e->d_name, prefix.c_str(), prefix.size()) != 0) continue;
    struct stat st;
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    // Either way round: a wall clock set back leaves "future" files.
    time_t age = now - st.st_mtime;
    if (age >= kStaleTempSeconds || age <= -kStaleTempSeconds)
      unlinkat(dfd, e->d_name, 0);
  }
  closedir(d);  // closes dfd
}

// What is wrong with the file's type, owner or mode under `rule`, or "".
std::string FileProblem(std::string_view shown, FileRule rule, bool regular,
                        const struct stat& st) {
  if (rule == FileRule::kRootPrivate) {
    if (regular && st.st_uid == 0 && (st.st_mode & 077) == 0) return "";
    const std::string path(shown);
    return path +
           " must be a regular file owned by root with mode 0600 "
           "(fix: chown root:root " +
           path + "; chmod 600 " + path + ")";
  }
  if (!regular) return std::string(shown) + ": not a regular file";
  if (rule == FileRule::kRootNotWritable &&
      (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
    const std::string path(shown);
    return path +
           ": must be owned by root and not writable by group or "
           "others (fix: chown root:root " +
           path + "; chmod go-w " + path + ")";
  }
  return "";
}

}  // namespace

bool SettleMode(int dir, const std::string& name, const struct stat& parent,
                mode_t type, mode_t mode, bool created,
                const std::string& shown, std::string* err) {
  // O_PATH: a folder or file left with mode 000 can still be looked at.
  const int fd = openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  const bool ok = fd >= 0 && fstat(fd, &st) == 0;
  const int saved = errno;
  if (fd >= 0) close(fd);
  if (!ok) {
    *err = Errno("cannot stat", shown, saved);
    return false;
  }
  if ((st.st_mode & S_IFMT) != type) {
    *err = shown +
           (S_ISLNK(st.st_mode) ? " is a symlink"
            : type == S_IFDIR   ? " is not a directory"
                                : " is not a regular file") +
           ", refusing to use it";
    return false;
  }
  // Neither step follows a symlink: the entry was not one just now, and
  // only the owner of `dir` (checked below: us) could swap it since.
  if (created && geteuid() == 0 && st.st_uid != parent.st_uid) {
    if (fchownat(dir, name.c_str(), parent.st_uid, parent.st_gid,
                 AT_SYMLINK_NOFOLLOW) != 0) {
      *err = Errno("cannot chown", shown, errno);
      return false;
    }
    st.st_uid = parent.st_uid;
  }
  if (st.st_uid != parent.st_uid) {
    *err = shown + " is owned by uid " + std::to_string(st.st_uid) +
           ", not by uid " + std::to_string(parent.st_uid) +
           " like its folder; refusing it";
    return false;
  }
  const mode_t have = st.st_mode & 07777;
  if (have == mode) return true;
  char want_s[8], have_s[8];
  snprintf(want_s, sizeof(want_s), "%04o", static_cast<unsigned>(mode));
  snprintf(have_s, sizeof(have_s), "%04o", static_cast<unsigned>(have));
  if ((have & ~mode) != 0) {
    *err = shown + " has mode " + have_s + ", more than " + want_s +
           "; refusing it (check who changed it, then chmod " + want_s + " it)";
    return false;
  }
  if (fchmodat(dir, name.c_str(), mode, 0) != 0) {  // a umask's leftover
    *err = "cannot set mode " + std::string(want_s) + " on " + shown + ": " +
           strerror(errno);
    return false;
  }
  return true;
}

bool EnsureDir(const std::string& path, mode_t mode, std::string* err) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (path.empty() || base.empty()) {
    *err = "invalid directory path '" + path + "'";
    return false;
  }
  const int pfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat parent;
  if (pfd < 0 || fstat(pfd, &parent) != 0) {
    *err = Errno("cannot open directory", dir, errno);
    if (pfd >= 0) close(pfd);
    return false;
  }
  const bool created = mkdirat(pfd, base.c_str(), mode) == 0;
  bool ok = created || errno == EEXIST;
  if (!ok) *err = Errno("cannot create directory", path, errno);
  ok = ok && SettleMode(pfd, base, parent, S_IFDIR, mode, created, path, err);
  close(pfd);
  return ok;
}

bool WriteFileAtomic(const std::string& path, const std::string& data,
                     mode_t mode, std::string* err) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (base.empty()) {
    *err = "no file name in path '" + path + "'";
    return false;
  }
  RemoveStaleTemps(dir, base);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    tmp = (dir == "/" ? "" : dir) + "/." + base + ".tmp-" + TempSuffix();
    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              mode);
    if (fd < 0 && errno != EEXIST && errno != EINTR) break;
  }
  if (fd < 0) {
    *err = Errno("cannot create temp file for", path, errno);
    return false;
  }
  const char* step = nullptr;
  if (fchmod(fd, mode) != 0) {  // exact mode, whatever the umask
    step = "cannot set mode of";
  } else if (!WriteAll(fd, data)) {
    step = "cannot write";
  } else if (fsync(fd) != 0) {
    step = "cannot fsync";
  }
  int saved = errno;
  if (close(fd) != 0 && step == nullptr) {
    step = "cannot close";
    saved = errno;
  }
  if (step == nullptr && rename(tmp.c_str(), path.c_str()) != 0) {
    step = "cannot rename temp file onto";
    saved = errno;
  }
  if (step != nullptr) {
    unlink(tmp.c_str());
    *err = Errno(step, path, saved);
    return false;
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    *err = Errno("cannot open directory", dir, errno);
    return false;
  }
  bool ok = fsync(dfd) == 0 || errno == EINVAL;  // some fs cannot sync dirs
  saved = errno;
  close(dfd);
  if (!ok) {
    *err = Errno("cannot fsync directory", dir, saved);
    return false;
  }
  return true;
}

bool ReadFileLimited(const std::string& path, size_t max, std::string* out,
                     bool* missing, std::string* err) {
  out->clear();
  return ReadAt(AT_FDCWD, path, path, max, out, missing, err);
}

int OpenSmallFile(const char* path, FileRule rule, size_t max, size_t* size,
                  std::string* err, int* open_errno) {
  if (open_errno) *open_errno = 0;
  // O_NONBLOCK: a FIFO put in the file's place cannot block the login.
  int fd =
      open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (open_errno) *open_errno = errno;
    *err = std::string(path) + ": " + strerror(errno);
    return -1;
  }
  struct stat st = {};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::string problem = FileProblem(path, rule, regular, st);
  if (!problem.empty()) {
    close(fd);
    *err = problem;
    return -1;
  }
  if (st.st_size > static_cast<off_t>(max)) {
    close(fd);
    *err =
        std::string(path) + ": larger than " + std::to_string(max) + " bytes";
    return -1;
  }
  *size = static_cast<size_t>(st.st_size);
  return fd;
}

bool ReadOpenedFile(int fd, const char* path, size_t max, char* buf, size_t cap,
                    size_t* len, std::string* err) {
  size_t got = 0;
  ssize_t n = 0;
  while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
    got += static_cast<size_t>(n);
  const int read_errno = errno;
  close(fd);
  if (n < 0 || got > max || got == cap) {
    explicit_bzero(buf, got);
    *err = std::string(path) +
           (n < 0       ? std::string(": ") + strerror(read_errno)
            : got > max ? ": larger than " + std::to_string(max) + " bytes"
                        : ": grew while it was read");
    return false;
  }
  *len = got;
  return true;
}

bool ReadSmallFile(const std::string& path, FileRule rule, size_t max,
                   std::string* text, std::string* err, int* open_errno) {
  text->clear();
  size_t size = 0;
  const int fd = OpenSmallFile(path.c_str(), rule, max, &size, err, open_errno);
  if (fd < 0) return false;
  text->resize(max + 1);  // one more byte shows a file that grew past max
  size_t len = 0;
  if (!ReadOpenedFile(fd, path.c_str(), max, text->data(), text->size(), &len,
                      err)) {
    text->clear();
    return false;
  }
  text->resize(len);
  return true;
}

bool LockFileAt(int dir, const std::string& name, const std::string& shown,
                int timeout_ms, UniqueFd* out, std::string* err) {
  struct stat parent;
  if (fstat(dir, &parent) != 0) {
    *err = Errno("cannot stat the folder of", shown, errno);
    return false;
  }
  constexpr int kFlags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  int fd = openat(dir, name.c_str(), kFlags | O_CREAT | O_EXCL, 0600);
  const bool created = fd >= 0;
  if (fd < 0 && errno != EEXIST) {
    *err = errno == ELOOP ? shown + " is a symlink, refusing to lock it"
                          : Errno("cannot open lock file", shown, errno);
    return false;
  }
  if (fd >= 0) close(fd);  // opened again once its mode is settled
  if (!SettleMode(dir, name, parent, S_IFREG, 0600, created, shown, err))
    return false;
  UniqueFd lock(openat(dir, name.c_str(), kFlags));
  if (!lock.valid()) {
    *err = errno == ELOOP ? shown + " is a symlink, refusing to lock it"
                          : Errno("cannot open lock file", shown, errno);
    return false;
  }
  struct stat st;
  if (fstat(lock.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = "lock file " + shown + " is not a regular file";
    return false;
  }
  if (!FlockUntil(lock.get(), LOCK_EX,
                  NowMs() + (timeout_ms > 0 ? timeout_ms : 0))) {
    const int saved = errno;
    *err = saved == EWOULDBLOCK
               ? "timed out after " + std::to_string(timeout_ms) +
                     " ms waiting for lock " + shown
               : Errno("cannot lock", shown, saved);
    return false;
  }
  *out = std::move(lock);
  return true;
}

bool FileLock::Acquire(const std::string& path, int timeout_ms,
                       std::string* err) {
  Release();
  std::string dir, base;
  SplitPath(path, &dir, &base);
  UniqueFd pfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!pfd.valid()) {
    *err = Errno("cannot open the folder of", path, errno);
    return false;
  }
  UniqueFd lock;
  if (!LockFileAt(pfd.get(), base, path, timeout_ms, &lock, err)) return false;
  fd_ = lock.release();
  return true;
}

void FileLock::Release() {
  if (fd_ >= 0) {
    close(fd_);  // closing the only descriptor drops the flock
    fd_ = -1;
  }
}

}  // namespace sspr
