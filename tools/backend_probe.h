// Asks the configured backend about one user the way sspr-helper does:
// in a child that reads the secrets and prepares as root, drops to
// helper_user, builds the backend with the helper's factory (MakeBackend),
// calls Lookup and reads the user's policy state (Dialogue::Start).
// Nothing is sent and nothing is saved. Like the first login, it may
// create state_dir and its subdirectories (owned by helper_user).
#ifndef SSPR_TOOLS_BACKEND_PROBE_H_
#define SSPR_TOOLS_BACKEND_PROBE_H_

#include <functional>
#include <string>

#include "config/config.h"
#include "helper/store/policy_state.h"
#include "helper/store/record.h"

namespace sspr {

struct ProbeResult {
  bool ok = false;            // the backend answered; rec is its answer
  bool user_unknown = false;  // it answered that it does not know the user
  UserRecord rec;
  PolicyState policy;  // "later" and reconfirmation, when ok
  std::string error;   // when !ok
};

// Waits at most helper_timeout seconds (what the module waits for the
// helper's answer), then kills and reaps the child.
ProbeResult ProbeBackend(const Config& c, const std::string& user);

// The probe's way of running directory work as a forked child: `child`
// runs there (it reads what it needs as root and drops to helper_user
// itself) and its return value comes back through a pipe, at most 64 KiB +
// 4 KiB. Waits at most helper_timeout seconds, then kills and reaps it.
// False with *err when it gave no answer in time.
bool RunChild(const Config& c, const std::function<std::string()>& child,
              std::string* answer, std::string* err);

}  // namespace sspr

#endif  // SSPR_TOOLS_BACKEND_PROBE_H_
