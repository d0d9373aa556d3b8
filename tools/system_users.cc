#include "tools/system_users.h"

#include <pwd.h>
#include <stdlib.h>

#include <algorithm>
#include <sstream>

#include "helper/atomic_file.h"

namespace sspr {
namespace {

bool ParseUid(const std::string& v, uid_t* out) {
  if (v.empty() || v.size() > 10 ||
      v.find_first_not_of("0123456789") != std::string::npos)
    return false;
  unsigned long n = strtoul(v.c_str(), nullptr, 10);
  if (n > 0xfffffffeUL) return false;
  *out = static_cast<uid_t>(n);
  return true;
}

}  // namespace

UidRange ParseLoginDefs(const std::string& text) {
  UidRange r, def;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key[0] == '#') continue;
    if (key == "UID_MIN") ParseUid(value, &r.min);
    if (key == "UID_MAX") ParseUid(value, &r.max);
  }
  if (r.min > r.max) r = def;
  return r;
}

UidRange SystemUidRange() {
  std::string text, err;
  bool missing = false;
  if (!ReadFileLimited("/etc/login.defs", 64 * 1024, &text, &missing, &err))
    text.clear();
  return ParseLoginDefs(text);
}

std::vector<std::string> LoginAccounts(const UidRange& r) {
  std::vector<std::string> names;
  setpwent();
  while (struct passwd* pw = getpwent()) {
    if (pw->pw_uid >= r.min && pw->pw_uid <= r.max && pw->pw_name[0] != '\0')
      names.push_back(pw->pw_name);
  }
  endpwent();
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace sspr
