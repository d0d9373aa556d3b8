// The login accounts of this system, for `sspr-admin list --unregistered`.
#ifndef SSPR_TOOLS_SYSTEM_USERS_H_
#define SSPR_TOOLS_SYSTEM_USERS_H_

#include <string>
#include <vector>

#include "config/config.h"
#include "config/scope.h"  // ParseLoginDefs, SystemUidRange

namespace sspr {

// Every account getpwent(3) lists that the module checks (InScope: known,
// root only with check_root, uid >= min_uid, not nobody, not exempt, in
// groups when set), sorted, without duplicates. With SSSD or LDAP this is
// often only the local accounts (enumeration is usually off).
std::vector<std::string> CheckedAccounts(const Config& c);

}  // namespace sspr

#endif  // SSPR_TOOLS_SYSTEM_USERS_H_
