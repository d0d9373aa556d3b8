// sspr-admin's command line: one command, its USER, and options anywhere.
#ifndef SSPR_TOOLS_ADMIN_OPTIONS_H_
#define SSPR_TOOLS_ADMIN_OPTIONS_H_

#include <string>
#include <vector>

#include "config/config.h"

namespace sspr {

struct AdminOptions {
  std::string command;  // status | list | show | reset | export | check |
                        // check-config
  std::string file;     // check-config FILE (absolute)
  std::string user;     // status, show, reset, check
  std::string conf;     // --conf; empty: the module's default file
  std::vector<std::string> module_args;  // --arg KEY=VALUE, as in pam.d
  bool json = false;
  bool yes = false;            // reset
  bool values = false;         // reset, backend = ldap: delete the values
  bool unregistered = false;   // list
  std::string service, rhost;  // check: PAM_SERVICE and PAM_RHOST to assume
  bool help = false;
};

// Parses argv (without argv[0]). On failure *err says what is wrong; the
// caller prints it with the usage and exits with the usage code.
bool ParseAdminArgs(const std::vector<std::string>& argv, AdminOptions* o,
                    std::string* err);

// The module arguments to load the configuration with: conf= (only with
// --conf: without it, like the module without conf=, a missing default file
// means built-in defaults), then every --arg, which win over the file.
std::vector<std::string> ConfigArgs(const AdminOptions& o);

extern const char kAdminUsage[];

}  // namespace sspr

#endif  // SSPR_TOOLS_ADMIN_OPTIONS_H_
