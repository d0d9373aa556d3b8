// The one way the module starts the helper.
#ifndef SSPR_PAM_MODULE_SPAWN_H_
#define SSPR_PAM_MODULE_SPAWN_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sspr {

struct Child {
  pid_t pid = -1;
  int fd = -1;  // our end of the socketpair
};

// The resource limits the helper starts with (soft = hard), whatever the
// application had: inside su or sudo those are the invoking user's
// (`ulimit -n 10; su`). man/pam_sspr.8 lists them; keep the two in step.
struct HelperLimit {
  int resource;
  rlim_t value;
};
constexpr rlim_t kMiB = 1024 * 1024;
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SSPR_SPAWN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(SSPR_SPAWN_ASAN)
// The sanitizer runtime reserves terabytes of address space for its shadow.
constexpr rlim_t kHelperMemory = RLIM_INFINITY;
#else
constexpr rlim_t kHelperMemory = 1024 * kMiB;
#endif
constexpr HelperLimit kHelperLimits[] = {
    {RLIMIT_NOFILE, 1024},         // descriptors
    {RLIMIT_AS, kHelperMemory},    // address space: 1 GiB
    {RLIMIT_DATA, kHelperMemory},  // data + heap: 1 GiB
    {RLIMIT_STACK, 8 * kMiB},      // main thread's stack
    {RLIMIT_NPROC, 4096},          // processes + threads of helper_user
    {RLIMIT_FSIZE, 1024 * kMiB},   // largest file written
    {RLIMIT_CPU, 300},             // CPU seconds (SIGXCPU, then SIGKILL)
    {RLIMIT_CORE, 0},              // no core files (secrets)
    {RLIMIT_MEMLOCK, 64 * 1024},   // locked memory (the helper locks none)
};

// Starts `path` (absolute; when we are root it must be owned by root and not
// writable by group/others) with an empty environment, fds 0-2 on /dev/null,
// the socketpair on proto::kHelperFd and every other fd closed. The child,
// before exec: every signal at its default and none blocked, a session of
// its own (no terminal signals), umask 077, kHelperLimits and, when we run
// with euid 0, real, effective and saved uid and gid 0 and no supplementary
// groups, so that the user who started a setuid application can neither
// signal nor limit it. A limit that cannot be set (a hard limit below ours
// and no CAP_SYS_RESOURCE) stops a setuid application's spawn (the helper
// fails: failmode secure); any other application's helper keeps that hard
// limit, the admin's. The spawn needs no descriptor numbers above the
// application's fd limit (`ulimit -n 10; su`).
// SIGCHLD is left as the application has it.
bool SpawnHelper(const std::string& path, Child* child, std::string* err);

// Gives the helper until grace_ms to hang up (exit) on its own, closes our
// end, then SIGKILLs it if it is still there and reaps it. Never leaves a
// zombie. Returns the wait status, or -1 when it could not be collected (e.g.
// SIGCHLD ignored by the app).
int FinishChild(Child* child, int grace_ms);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_SPAWN_H_
