// What the module's status cache holds for a user, in detail. Read with
// the module's own reader (common/cache_entry.h), so `fresh` here is
// exactly the module's fast path.
#ifndef SSPR_TOOLS_CACHE_STATE_H_
#define SSPR_TOOLS_CACHE_STATE_H_

#include <cstdint>
#include <string>

#include "config/config.h"

namespace sspr {

enum class CacheState {
  kDisabled,   // cache_ttl = 0: the module never reads it
  kFresh,      // the module returns PAM_SUCCESS without a helper
  kExpired,    // a valid entry whose expiry has passed
  kMissing,    // no entry (or no cache_dir)
  kUntrusted,  // not a root-owned, closed file in a root-owned, closed dir
  kInvalid,    // not "registered <expiry>"
};

struct CacheInfo {
  CacheState state = CacheState::kMissing;
  bool valid = false;   // a trusted, well-formed entry (fresh or expired)
  int64_t expiry = 0;   // when valid
  int64_t written = 0;  // when valid: the entry's mtime (for stale_ttl)
  std::string path;     // the entry's file
  std::string detail;   // kUntrusted, kInvalid: why
};

CacheInfo InspectCache(const Config& c, const std::string& user, int64_t now);

// "fresh", "expired", "missing", "disabled", "untrusted", "invalid".
const char* CacheStateName(CacheState s);

}  // namespace sspr

#endif  // SSPR_TOOLS_CACHE_STATE_H_
