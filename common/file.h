// Small, careful files: the admin's files read with owner and mode rules
// (config, secrets, texts, questions), and the state the helper and
// sspr-admin keep: atomic replace, folders and lock files of exact
// modes, bounded reads that refuse symlinks, per-key flock with a deadline.
#ifndef SSPR_COMMON_FILE_H_
#define SSPR_COMMON_FILE_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "common/fd.h"

namespace sspr {

enum class FileRule {
  kAnyOwner,         // tests and tools that read a file given by the user
  kRootNotWritable,  // owned by root, not writable by group or others
  kRootPrivate,      // owned by root, no group or other bits (0600/0400)
};

// Reads all of `path` (at most `max` bytes) into *text. On failure *err
// starts with the path and says what is wrong and how to fix it, and
// *open_errno (if given) is the errno of a failed open(), else 0. The
// read buffer is wiped, so secrets leave no copy behind.
bool ReadSmallFile(const std::string& path, FileRule rule, size_t max,
                   std::string* text, std::string* err,
                   int* open_errno = nullptr);

// The first half of ReadSmallFile, for readers that bring their own
// buffer (the module's fast path: no allocation on success): opens `path`
// with the same rules and returns the fd and its *size, or -1 with *err
// (and *open_errno) as ReadSmallFile sets them.
int OpenSmallFile(const char* path, FileRule rule, size_t max, size_t* size,
                  std::string* err, int* open_errno = nullptr);
// The second half: reads the fd OpenSmallFile gave into buf[0, cap) and
// closes it. *len is what was read. False, with *err, on a read error or
// when the file holds more than `max` bytes or fills the buffer (it grew
// since it was opened); cap must be at least size + 1.
bool ReadOpenedFile(int fd, const char* path, size_t max, char* buf, size_t cap,
                    size_t* len, std::string* err);

// How long state writers wait for a per-key lock by default.
constexpr int kDefaultLockTimeoutMs = 5000;

// Creates the directory `path` with `mode` if it is missing. Refuses a
// symlink or anything that is not a directory. New or old, it ends with
// exactly `mode` and the owner of its parent (SettleMode).
bool EnsureDir(const std::string& path, mode_t mode, std::string* err);

// The mode and owner of the state folder or lock file `name` below `dir`
// (a folder whose stat is `parent`), never trusted as found. It must be of
// `type` (S_IFDIR, S_IFREG; never a symlink). One we just `created` as root
// is given the parent's owner; it must be owned like its parent. Its mode
// is made exactly `mode` when it holds no bit beyond `mode` (all any umask
// can leave, e.g. 000 under umask 777: repaired, even where its owner
// could no longer open it); more bits (group or others) were set by
// someone else and are refused with a message naming it, as is another
// owner. `shown` names it in messages.
bool SettleMode(int dir, const std::string& name, const struct stat& parent,
                mode_t type, mode_t mode, bool created,
                const std::string& shown, std::string* err);

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

// Opens (creating it if need be) the lock file `name` below the folder
// `dir` and takes an exclusive flock(2) on it within `timeout_ms`: exactly
// 0600 and owned like its folder (SettleMode), never a symlink. The lock
// is held while *out holds the descriptor. `shown` names it in *err.
bool LockFileAt(int dir, const std::string& name, const std::string& shown,
                int timeout_ms, UniqueFd* out, std::string* err);

// An exclusive flock(2) on a lock file (exactly 0600 and owned like its
// folder, see SettleMode; never a symlink),
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

#endif  // SSPR_COMMON_FILE_H_
