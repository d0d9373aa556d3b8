// What pam_sspr.so would return for a user, from the facts sspr-admin
// gathered, following the module's order: scope, status cache, backend
// (stale cache and failmode when it is unavailable), then mode. Pure: no
// I/O, so every branch is unit-tested. `c` is the effective configuration
// (the helper turns mode=register into block for a backend that cannot
// take registrations).
#ifndef SSPR_TOOLS_DECISION_H_
#define SSPR_TOOLS_DECISION_H_

#include <cstdint>
#include <string>

#include "config/config.h"
#include "helper/store/policy_state.h"
#include "helper/store/record.h"
#include "tools/cache_state.h"

namespace sspr {

struct Facts {
  bool in_scope = true;
  std::string scope_why;  // when not in scope
  CacheState cache = CacheState::kMissing;
  bool backend_ok = false;            // the backend answered
  bool backend_user_unknown = false;  // ... that it does not know the user
  std::string backend_error;          // when it did not answer
  int methods = 0;                    // registered methods, when it answered
  int64_t stale_age = -1;  // seconds since a valid cache entry was written
  // From the policy state (AddPolicyFacts), when the backend answered:
  bool reconfirm_due = false;  // registered, asked to confirm the methods
  int64_t reconfirm_at = 0;
  int64_t next_reminder = 0;     // after a "later": no dialogue before this
  bool later_available = false;  // the method menu offers "l) Later"
  int snoozes_left = 0;
};

struct Decision {
  // "PAM_SUCCESS", "PAM_IGNORE", "PAM_PERM_DENIED", "PAM_AUTHINFO_UNAVAIL",
  // or "dialogue" (register mode: the user's answers decide).
  std::string result;
  // The step that decides: scope | cache | backend | stale-cache | mode.
  std::string step;
  std::string reason;  // one sentence
  int exit_code = 0;   // admin_exit::*
};

Decision Decide(const Config& c, const Facts& f);

// Reconfirmation and "later", as the dialogue works them out from the
// record and the policy state (Dialogue::ReconfirmDue, SnoozeAvailable and
// its reminded-recently check). `now` in unix seconds.
void AddPolicyFacts(const Config& c, const UserRecord& rec,
                    const PolicyState& p, int64_t now, Facts* f);

}  // namespace sspr

#endif  // SSPR_TOOLS_DECISION_H_
