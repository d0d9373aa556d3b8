// The auth phase: the reset at the login prompt (issue 15). Reached when
// the password module before it did not succeed; offers the reset through
// the helper's reset dialogue and, for the local backend, sets the new
// password through sspr-setpass for this PAM user only.
#ifndef SSPR_PAM_MODULE_RESET_AUTH_H_
#define SSPR_PAM_MODULE_RESET_AUTH_H_

#include <security/pam_modules.h>

#include <string>

#include "config/config.h"
#include "protocol/messages.h"

namespace sspr {

// pam_sm_authenticate. Never PAM_SUCCESS: a reset logs nobody in.
int Authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv);

// True when a reset may be offered to `user` (reset = yes is checked by
// the caller): never root, system accounts, exempt users or groups, nor
// members of reset_exclude_groups; a user whose groups NSS cannot list is
// not offered one either. Otherwise *why says why not.
bool ResetInScope(const ModuleConfig& c, const std::string& user,
                  std::string* why);

// Runs c.setpass (spawn.h's one way of starting a root-side program) for
// `user`, the module's own PAM user, with `password`; the result is what
// sspr-setpass answered. False with *err when it could not start, hung,
// or answered nothing valid (then nothing is known to have changed).
bool RunSetPass(const ModuleConfig& c, const std::string& user,
                const std::string& password, proto::SetPasswordResult* res,
                std::string* err);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_RESET_AUTH_H_
