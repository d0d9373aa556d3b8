// Who the module applies to: exempt_users, exempt_groups, groups.
#ifndef SSPR_PAM_MODULE_SCOPE_H_
#define SSPR_PAM_MODULE_SCOPE_H_

#include <string>

#include "config/config.h"

namespace sspr {

// True when the module applies to `user`; otherwise *why says why not
// (e.g. "exempt user", "in exempt group wheel", "not in groups").
bool InScope(const Config& c, const std::string& user, std::string* why);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_SCOPE_H_
