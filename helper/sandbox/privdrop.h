// Dropping root for good, and proving it.
#ifndef SSPR_HELPER_SANDBOX_PRIVDROP_H_
#define SSPR_HELPER_SANDBOX_PRIVDROP_H_

#include <sys/types.h>

#include <string>

namespace sspr {

struct HelperUser {
  uid_t uid = 0;
  gid_t gid = 0;
};

bool LookupHelperUser(const std::string& name, HelperUser* u, std::string* err);

// While still root: checks that `dir` (state_dir) is a directory owned by
// `u`, not writable by group or others, not a symlink. A missing `dir` is
// an error, never created here: the package (or the admin) creates it once,
// so a deleted store is noticed instead of silently starting empty.
bool PrepareOwnedDir(const std::string& dir, const HelperUser& u,
                     std::string* err);

// setgroups (empty), setgid, setuid; then verifies that root cannot be regained
// and sets PR_SET_NO_NEW_PRIVS and PR_SET_DUMPABLE 0.
bool DropPrivileges(const HelperUser& u, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_SANDBOX_PRIVDROP_H_
