// Small, careful file primitives for the helper's state: atomic replace,
// bounded reads that refuse symlinks, per-key flock with a deadline.
#ifndef SSPR_HELPER_ATOMIC_FILE_H_
#define SSPR_HELPER_ATOMIC_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace sspr {

// How long state writers wait for a per-key lock by default.
constexpr int kDefaultLockTimeoutMs = 5000;

// Creates the directory `path` with `mode` if it is missing. Refuses a
// symlink or anything that is not a directory.
bool EnsureDir(const std::string& path, mode_t mode, std::string* err);

// Replaces `path` with `data`: a fresh temp file in the same directory
// (O_CREAT|O_EXCL|O_NOFOLLOW), exact `mode`, every byte written, fsync,
// rename over `path`, fsync of the directory. The temp file is removed on
// any failure, so readers see either the old or the new content. Temp files
// of `path` older than a minute (left by a writer that was killed) are
// removed first.
bool WriteFileAtomic(const std::string& path, const std::string& data,
                     mode_t mode, std::string* err);

// Reads a whole regular file of at most `max` bytes into *out. A missing
// file sets *missing=true and returns true (with *out empty). Symlinks,
// non-regular files and files larger than `max` are errors.
bool ReadFileLimited(const std::string& path, size_t max, std::string* out,
                     bool* missing, std::string* err);

// An exclusive flock(2) on a lock file (created 0600, never a symlink),
// held until Release() or destruction. Lock files are never removed:
// removing them would let two writers hold "the" lock on different inodes.
class FileLock {
 public:
  FileLock() = default;
  ~FileLock() { Release(); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // Takes the lock, retrying a non-blocking flock with short sleeps for at
  // most `timeout_ms`; on expiry returns false with a timeout error.
  bool Acquire(const std::string& path, int timeout_ms, std::string* err);
  void Release();
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace sspr

#endif  // SSPR_HELPER_ATOMIC_FILE_H_
