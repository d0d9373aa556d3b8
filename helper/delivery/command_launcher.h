// The delivery command under the seccomp filter. The filtered helper may
// neither fork nor exec, so before the filter (and before the secrets are
// read) it forks a small launcher. The launcher drops to helper_user itself,
// keeps nothing but its end of a socketpair, and for each request runs the
// delivery command with RunCommandHere (same argv, stdin, environment,
// timeout and process-group kill as before) and answers ok or an error.
//
// It only ever runs the paths it was given at fork time, for destinations
// that pass ValidDestination (delivery.h), at most kMaxLauncherSends times
// per helper run: a helper taken over by an attacker can make it run the
// admin's command with other arguments (as the helper could anyway) a few
// times, nothing else, and cannot use it as an unmetered sender. It exits at
// EOF on its socket (the helper hung up or exited); when the helper dies it
// gets SIGTERM (PR_SET_PDEATHSIG), kills the running command's process group
// and exits. The helper reaps it.
#ifndef SSPR_HELPER_DELIVERY_COMMAND_LAUNCHER_H_
#define SSPR_HELPER_DELIVERY_COMMAND_LAUNCHER_H_

#include <string>
#include <vector>

#include "helper/delivery/sender.h"
#include "helper/sandbox/privdrop.h"

namespace sspr {

// Commands one launcher runs at most (one helper run is one login: the
// per-user rate_limit, 5 by default, allows fewer); request 11 and later
// are refused without running anything.
constexpr int kMaxLauncherSends = 10;

// Forks the launcher (the caller is single-threaded). `paths` are the
// command: paths of delivery and email_delivery, `max_timeout_s` caps a
// request's timeout. `drop` false (unit tests, not root): no privilege drop.
bool StartCommandLauncher(const std::vector<std::string>& paths,
                          int max_timeout_s, const HelperUser& u, bool drop,
                          std::string* err);

bool CommandLauncherRunning();

// One command through the launcher; the result as RunCommandHere's.
SendStatus RunViaLauncher(const std::string& path, const char* channel,
                          const std::string& to, const std::string& text,
                          int timeout_s, std::string* err);

// Hangs up and reaps the launcher (waits at most ~2 s more than a running
// command needs; a launcher still alive then dies with the helper).
void StopCommandLauncher();

}  // namespace sspr

#endif  // SSPR_HELPER_DELIVERY_COMMAND_LAUNCHER_H_
