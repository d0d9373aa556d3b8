// The login accounts of this system, for `sspr-admin list --unregistered`.
#ifndef SSPR_TOOLS_SYSTEM_USERS_H_
#define SSPR_TOOLS_SYSTEM_USERS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace sspr {

struct UidRange {
  uid_t min = 1000;
  uid_t max = 60000;
};

// UID_MIN and UID_MAX from login.defs(5) text; defaults for what is absent
// or malformed.
UidRange ParseLoginDefs(const std::string& text);

// Reads /etc/login.defs (at most 64 KiB, no symlink).
UidRange SystemUidRange();

// Every account getpwent(3) lists with a uid in `r`, sorted, without
// duplicates. With SSSD or LDAP this is often only the local accounts
// (enumeration is usually off).
std::vector<std::string> LoginAccounts(const UidRange& r);

}  // namespace sspr

#endif  // SSPR_TOOLS_SYSTEM_USERS_H_
