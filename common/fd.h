// File descriptors: an owner that closes, directories opened without
// following a symlink, bounded reads below a directory, flock(2) with a
// deadline.
#ifndef SSPR_COMMON_FD_H_
#define SSPR_COMMON_FD_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace sspr {

// Owns one descriptor and closes it when it goes (or on reset).
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes the held descriptor (errno is kept) and holds `fd` instead.
  void reset(int fd = -1);
  // Gives the descriptor up without closing it.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Opens the directory `name` below `parent` (AT_FDCWD: `name` is a path)
// read-only and close-on-exec, never following a symlink in its last
// component. The descriptor, or -1 with errno (ELOOP or ENOTDIR: a symlink
// or not a directory).
int OpenDirNoFollow(int parent, const std::string& name);

// The same, with the error said: a symlink or a non-directory is refused
// ("<shown> is a symlink or not a directory, refusing it"). With `missing`
// given, a missing one sets *missing and returns true with *out unset;
// without it, it is an error like any other.
bool OpenDirNoFollow(int parent, const std::string& name,
                     const std::string& shown, UniqueFd* out, bool* missing,
                     std::string* err);

// Reads the regular file `name` below `dir` (never a symlink, a FIFO or a
// device), at most `max` bytes, into *out. A missing file sets *missing and
// returns true. `shown` names it in *err.
bool ReadAt(int dir, const std::string& name, const std::string& shown,
            size_t max, std::string* out, bool* missing, std::string* err);

// flock(fd, op | LOCK_NB) (op: LOCK_EX or LOCK_SH), tried again every
// 10 ms until deadline_ms (NowMs() base; a deadline already past still
// tries once). False with errno: EWOULDBLOCK when the deadline came first,
// else flock's own error.
bool FlockUntil(int fd, int op, int64_t deadline_ms);

}  // namespace sspr

#endif  // SSPR_COMMON_FD_H_
