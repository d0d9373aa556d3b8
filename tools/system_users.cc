#include "tools/system_users.h"

#include <pwd.h>

#include <algorithm>

namespace sspr {

std::vector<std::string> CheckedAccounts(const Config& c) {
  std::vector<std::string> names;
  setpwent();
  while (struct passwd* pw = getpwent()) {
    if (pw->pw_name[0] != '\0') names.push_back(pw->pw_name);
  }
  endpwent();
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  // The module's own rules, by name (as PAM gives it).
  names.erase(std::remove_if(names.begin(), names.end(),
                             [&](const std::string& u) {
                               std::string why;
                               return !InScope(c, u, &why);
                             }),
              names.end());
  return names;
}

}  // namespace sspr
