// Who the module applies to: exempt_users, exempt_groups, groups; and
// through which service and from where: skip_services, only_services,
// skip_rhosts.
#ifndef SSPR_PAM_MODULE_SCOPE_H_
#define SSPR_PAM_MODULE_SCOPE_H_

#include <string>

#include "config/config.h"

namespace sspr {

// True when the module applies to `user`; otherwise *why says why not
// (e.g. "exempt user", "in exempt group wheel", "not in groups").
bool InScope(const Config& c, const std::string& user, std::string* why);

// True when the module applies to a login through the PAM service
// `service` from `rhost` (PAM_RHOST, may be empty); otherwise *why says why
// not. Service names are compared without regard to case (Linux-PAM
// lower-cases them). skip_rhosts matches only when PAM_RHOST is an IPv4 or
// IPv6 address: a host name is never resolved and matches no network, so
// such a login stays in scope (sshd sets an address unless UseDNS is on).
bool InServiceScope(const Config& c, const std::string& service,
                    const std::string& rhost, std::string* why);

}  // namespace sspr

#endif  // SSPR_PAM_MODULE_SCOPE_H_
