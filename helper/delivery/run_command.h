// Running the delivery command (delivery = command:PATH).
#ifndef SSPR_HELPER_DELIVERY_RUN_COMMAND_H_
#define SSPR_HELPER_DELIVERY_RUN_COMMAND_H_

#include <sys/types.h>

#include <string>

#include "helper/delivery/sender.h"

namespace sspr {

// execve(path, {path, channel, to}, {}) with `text` on stdin, stdout/stderr
// on /dev/null and every other descriptor closed; the command runs in its
// own process group, which is killed when timeout_s passes. The caller's
// SIGPIPE/SIGCHLD dispositions and signal mask are restored. Errors never
// contain `to` or `text`. Under the seccomp filter (a launcher runs, see
// command_launcher.h) the launcher does this for the helper. Exit 0 is
// kSent, kCommandBadDestination (65) kBadDestination, anything else kError.
SendStatus RunDeliveryCommand(const std::string& path, const char* channel,
                              const std::string& to, const std::string& text,
                              int timeout_s, std::string* err);

// The same, always in this process (the launcher's side).
SendStatus RunCommandHere(const std::string& path, const char* channel,
                          const std::string& to, const std::string& text,
                          int timeout_s, std::string* err);

// The command RunCommandHere is running now (0: none); async-signal-safe,
// for the launcher's handler that kills it when the helper dies.
pid_t RunningCommandPid();

}  // namespace sspr

#endif  // SSPR_HELPER_DELIVERY_RUN_COMMAND_H_
