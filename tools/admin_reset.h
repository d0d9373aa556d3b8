// `sspr-admin reset USER`: forget what this host keeps about a user's
// registration, so that the next login asks again.
#ifndef SSPR_TOOLS_ADMIN_RESET_H_
#define SSPR_TOOLS_ADMIN_RESET_H_

#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace sspr {

struct ResetReport {
  bool record = false;  // the local backend's record was removed
  bool cache = false;   // the status cache entry was removed
  bool rate = false;    // the per-user rate-limit state was removed
};

// Under the user's lock in state_dir: removes the rate-limit state
// (rate/user-<name>.json, under its own lock) and the status cache entry,
// then the record; then the cache entry once more, for a login that read
// the record just before. Per-number rate state is kept: it protects the
// number's owner, whoever typed it. Never follows a symlink.
bool ResetUser(const Config& c, const std::string& user, ResetReport* r,
               std::string* err);

// What a reset changed in the directory (backend = ldap).
struct DirectoryReset {
  bool found = false;         // the filter found the user's entry
  bool needs_values = false;  // refused: the values alone count (see below)
  std::string dn;
  std::vector<std::pair<std::string, int>> removed, kept;  // attr, values
};

// backend = ldap: in a child dropped to helper_user (RunChild,
// LdapForgetUser: one search, one modify) removes what pam_sspr owns in the
// user's entry (ldap_attr_verified, ldap_attr_questions) and, with
// `values`, the mapped phone and address attributes; then the per-user
// rate-limit state and the status cache entry. Without ldap_attr_verified
// and without `values`, an entry whose values would still count is not
// changed (d->needs_values) and nothing else is either.
bool ResetDirectoryUser(const Config& c, const std::string& user, bool values,
                        ResetReport* r, DirectoryReset* d, std::string* err);

}  // namespace sspr

#endif  // SSPR_TOOLS_ADMIN_RESET_H_
