// The one way the module starts the helper.
#ifndef SSPR_PAM_MODULE_SPAWN_H_
#define SSPR_PAM_MODULE_SPAWN_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sspr {

struct Child {
  pid_t pid = -1;
  int fd = -1;  // our end of the socketpair
};

// Starts `path` (absolute; when we are root it must be owned by root and not
// writable by group/others) with an empty environment, fds 0-2 on /dev/null,
// the socketpair on proto::kHelperFd and every other fd closed.
// SIGCHLD is left as the application has it.
bool SpawnHelper(const std::string& path, Child* child, std::string* err);

// Gives the helper until grace_ms to hang up (exit) on its own, closes our
// end, then SIGKILLs it if it is still there and reaps it. Never leaves a zombie. Returns the wait status,
// or -1 when it could not be collected (e.g. SIGCHLD ignored by the app).
int FinishChild(Child* child, int grace_ms);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_SPAWN_H_
