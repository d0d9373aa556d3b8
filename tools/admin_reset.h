// `sspr-admin reset USER`: forget what this host keeps about a user's
// registration, so that the next login asks again.
#ifndef SSPR_TOOLS_ADMIN_RESET_H_
#define SSPR_TOOLS_ADMIN_RESET_H_

#include <string>

#include "config/config.h"

namespace sspr {

struct ResetReport {
  bool record = false;  // the local backend's record was removed
  bool cache = false;   // the status cache entry was removed
  bool rate = false;    // the per-user rate-limit state was removed
};

// Under the user's lock in state_dir: removes the rate-limit state
// (rate/user-<name>.json, under its own lock) and the status cache entry,
// then the record; then the cache entry once more, for a login that read
// the record just before. Per-number rate state is kept: it protects the
// number's owner, whoever typed it. Never follows a symlink.
bool ResetUser(const Config& c, const std::string& user, ResetReport* r,
               std::string* err);

}  // namespace sspr

#endif  // SSPR_TOOLS_ADMIN_RESET_H_
