// The status-cache entry: one small file per user under cache_dir holding
// "registered <expiry unix time>\n". Written by the module after a positive
// answer, read by the module's fast path and explained by sspr-admin; this
// is the one place that knows the format and the trust rules.
// libc only. Reading allocates nothing (the module's hot path).
#ifndef SSPR_COMMON_CACHE_ENTRY_H_
#define SSPR_COMMON_CACHE_ENTRY_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <string>

namespace sspr {
namespace cache_entry {

// An entry is at most this long (a longer file is invalid).
constexpr size_t kMaxBytes = 63;

// Only root writes the cache: a directory or entry that anyone else owns,
// or that group or others may write, is never trusted.
bool Trusted(const struct stat& st);

// Writes "registered <expiry>\n" and a NUL into buf; returns its length
// without the NUL, or 0 when it does not fit.
size_t Format(int64_t expiry, char* buf, size_t size);

// True when text[0, len) is exactly "registered <expiry>", with an optional
// final newline, and the expiry a decimal number that fits in 64 bits.
bool Parse(const char* text, size_t len, int64_t* expiry);

enum class Status {
  kOk,              // *entry is set
  kNoDir,           // cache_dir does not exist
  kDirUntrusted,    // a symlink, not a directory, or not Trusted()
  kNoEntry,         // no file for this user
  kEntryUntrusted,  // a symlink, not a regular file, or not Trusted()
  kInvalid,         // Parse() refuses its text
  kError,           // another error opening or reading (errno in *entry)
};

struct Entry {
  int64_t expiry = 0;
  int64_t written = 0;  // the file's mtime: entries are replaced, never edited
  int err = 0;          // errno, for kDirUntrusted, kEntryUntrusted, kError
};

// Reads dir/name (name: an already safe file name, see SafeFileName) and
// says what it found. Never follows a symlink, never blocks on a FIFO.
Status Read(const char* dir, const char* name, Entry* entry);

// Replaces dir/name with an entry for `expiry`, atomically (a temp file
// made O_EXCL, then rename). Creates dir (0700) when it is missing; an
// existing dir must be Trusted(). On failure *err says why.
bool Write(const std::string& dir, const std::string& name, int64_t expiry,
           std::string* err);

}  // namespace cache_entry
}  // namespace sspr

#endif  // SSPR_COMMON_CACHE_ENTRY_H_
