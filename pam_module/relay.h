// Runs one helper dialogue: spawn, START, then relay PROMPT/INFO/ERROR
// frames to the PAM conversation until RESULT, within the deadlines.
#ifndef SSPR_PAM_MODULE_RELAY_H_
#define SSPR_PAM_MODULE_RELAY_H_

#include <security/pam_modules.h>

#include <string>

#include "config/config.h"
#include "protocol/messages.h"

namespace sspr {

// Returns true with *res filled when the helper sent a well-formed RESULT.
// Returns false with *err on any failure (spawn, crash, timeout, protocol
// error); the caller treats that as UNAVAILABLE. The helper is always
// reaped before this returns. *check_lock (if given and >= 0) is closed as
// soon as the helper shows the user anything: from then on this is a
// dialogue, not a quick status check other logins should wait for.
bool RunHelper(pam_handle_t* pamh, const ModuleConfig& c,
               const proto::Start& start, proto::Result* res, std::string* err,
               int* check_lock = nullptr);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_RELAY_H_
