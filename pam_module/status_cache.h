// The module's status cache: one small root-owned file per user under
// cache_dir, in the format of common/cache_entry.h (shared with sspr-admin).
// Only positive answers are cached. Reading it costs a few syscalls: no
// fork, exec or network.
#ifndef SSPR_PAM_MODULE_STATUS_CACHE_H_
#define SSPR_PAM_MODULE_STATUS_CACHE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sspr {

// True when a registered entry for `user` exists and expires after `now`.
// The directory and the file must be owned by root and not writable by
// group or others; anything else counts as a miss.
// Allocates nothing (the module's fast path).
bool CacheIsFresh(std::string_view dir, std::string_view user, int64_t now);

// For stale-if-error: true when a valid registered entry exists (fresh or
// expired, same trust rules); *age = seconds since it was written.
bool CacheStaleAge(std::string_view dir, std::string_view user, int64_t now,
                   int64_t* age);

// Records that `user` is registered until `expiry`. Creates `dir` (0700)
// when it is missing. Atomic (temp file + rename).
bool CacheStore(std::string_view dir, const std::string& user, int64_t expiry,
                std::string* err);

// Removes the user's entry, if any.
void CacheDrop(std::string_view dir, const std::string& user);

// One status check per user at a time ("single flight"): an exclusive
// flock on cache_dir/.check.<name>, waited for at most wait_ms. Returns
// the locked fd, or -1 (no cache dir we may use, or still held by another
// login after wait_ms: go on without it). *waited_ms: how long it waited
// (0 when the lock was free), so the caller can look at the cache again.
int CacheLockCheck(std::string_view dir, const std::string& user,
                   int64_t wait_ms, int64_t* waited_ms);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_STATUS_CACHE_H_
