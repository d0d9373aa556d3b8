#include "pam_module/scope.h"

#include <grp.h>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "pam_module/net_match.h"

namespace sspr {
namespace {

// The names of every group `user` belongs to (primary included).
bool UserGroups(const std::string& user, std::vector<std::string>* names) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 ||
      pwp == nullptr)
    return false;
  int n = 64;
  std::vector<gid_t> gids(n);
  if (getgrouplist(user.c_str(), pw.pw_gid, gids.data(), &n) < 0) {
    if (n <= 0 || n > 65536) return false;
    gids.resize(n);
    if (getgrouplist(user.c_str(), pw.pw_gid, gids.data(), &n) < 0)
      return false;
  }
  gids.resize(n);
  std::vector<char> gbuf(65536);
  for (gid_t g : gids) {
    struct group gr, *grp = nullptr;
    if (getgrgid_r(g, &gr, gbuf.data(), gbuf.size(), &grp) == 0 && grp)
      names->push_back(grp->gr_name);
  }
  return true;
}

}  // namespace

bool InScope(const Config& c, const std::string& user, std::string* why) {
  const auto& ex = c.exempt_users;
  if (std::find(ex.begin(), ex.end(), user) != ex.end()) {
    *why = "exempt user";
    return false;
  }
  if (c.exempt_groups.empty() && c.groups.empty()) return true;
  std::vector<std::string> mine;
  if (!UserGroups(user, &mine)) {
    // Unknown to NSS: group rules cannot match. With `groups` set, such a
    // user is outside the scope; otherwise the module applies.
    if (!c.groups.empty()) {
      *why = "user unknown to the system, not in groups";
      return false;
    }
    return true;
  }
  for (const auto& g : c.exempt_groups) {
    if (std::find(mine.begin(), mine.end(), g) != mine.end()) {
      *why = "in exempt group " + g;
      return false;
    }
  }
  if (c.groups.empty()) return true;
  for (const auto& g : c.groups) {
    if (std::find(mine.begin(), mine.end(), g) != mine.end()) return true;
  }
  *why = "not in groups";
  return false;
}

bool InServiceScope(const Config& c, const std::string& service,
                    const std::string& rhost, std::string* why) {
  auto listed = [&](const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return strcasecmp(n.c_str(), service.c_str()) == 0;
    });
  };
  if (listed(c.skip_services)) {
    *why = "service " + service + " in skip_services";
    return false;
  }
  if (!c.only_services.empty() && !listed(c.only_services)) {
    *why = "service " + service + " not in only_services";
    return false;
  }
  if (c.skip_rhosts.empty() || rhost.empty()) return true;
  std::vector<Network> nets;
  std::vector<std::string> texts;
  for (const auto& s : c.skip_rhosts) {
    Network n;
    std::string e;  // the config setter already refused invalid entries
    if (ParseNetwork(s, &n, &e)) {
      nets.push_back(n);
      texts.push_back(s);
    }
  }
  int i = FindNetwork(rhost, nets);
  if (i >= 0) {
    *why = "rhost " + rhost + " in skip_rhosts " + texts[i];
    return false;
  }
  return true;
}

}  // namespace sspr
