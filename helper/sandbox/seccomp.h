// The helper's system-call filter (libseccomp), installed right after the
// privilege drop. What it allows, refuses and kills, and why, is in
// docs/architecture.md ("System-call filter").
#ifndef SSPR_HELPER_SANDBOX_SECCOMP_H_
#define SSPR_HELPER_SANDBOX_SECCOMP_H_

#include <string>
#include <vector>

namespace sspr {

// Installs the filter on this process (all its threads, now and later).
// PR_SET_NO_NEW_PRIVS must be set already (DropPrivileges does). Calls on
// the allow-list run; calls on the kill list (exec, ptrace, mount, bpf,
// module loading, namespaces, set*id, ...) kill the process with SIGSYS;
// everything else fails with EPERM. After it the process cannot fork or
// exec: the delivery command goes through the launcher (command_launcher.h).
bool InstallSeccompFilter(std::string* err);

// The kill list, by name (for the self-test and the docs).
const std::vector<const char*>& SeccompKilledCalls();

// True in sanitizer builds, whose runtime needs a few more calls (ptrace
// and fork for LeakSanitizer, prctl, ...): see seccomp.cc.
bool SeccompSanitizerBuild();

// `sspr-helper --seccomp-selftest CALL`: root only. Drops to nobody, installs
// the same filter and tries CALL; prints "CALL: allowed" or "CALL: refused
// (<errno text>)" and returns 0, or is killed by SIGSYS. "list" prints the
// calls it knows. Returns 2 on misuse.
int SeccompSelfTest(const std::string& call);

}  // namespace sspr

#endif  // SSPR_HELPER_SANDBOX_SECCOMP_H_
