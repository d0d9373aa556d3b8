#include "config/scope.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/file.h"
#include "common/net_match.h"

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

// The account's uid and primary gid; false when NSS does not know it.
// A buffer on the stack first: this runs at every login (no allocation on
// the module's fast path unless an entry is larger).
bool LookUp(const std::string& user, uid_t* uid, gid_t* gid) {
  struct passwd pw, *pwp = nullptr;
  char small[4096];
  int r = getpwnam_r(user.c_str(), &pw, small, sizeof(small), &pwp);
  std::vector<char> buf;
  size_t size = sizeof(small);
  while (r == ERANGE && size < (1u << 20)) {
    size *= 4;
    buf.resize(size);
    r = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &pwp);
  }
  if (r != 0 || pwp == nullptr) return false;
  *uid = pw.pw_uid;
  *gid = pw.pw_gid;
  return true;
}

bool Listed(const std::vector<std::string>& names, const std::string& s) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return strcasecmp(n.c_str(), s.c_str()) == 0;
  });
}

bool IsTerminal(const std::string& t) {
  return t.rfind("/dev/", 0) == 0 || t.rfind("tty", 0) == 0 ||
         t.rfind("pts/", 0) == 0;
}

}  // namespace

// ":0", ":1.0", "host:0", "host.example:10.2": an X display.
bool IsDisplay(const std::string& t) {
  size_t colon = t.rfind(':');
  if (colon == std::string::npos || colon + 1 == t.size() ||
      t.find('/') != std::string::npos)
    return false;
  std::string rest = t.substr(colon + 1);
  size_t dot = rest.find('.');
  std::string num = rest.substr(0, dot);
  std::string screen = dot == std::string::npos ? "0" : rest.substr(dot + 1);
  auto digits = [](const std::string& d) {
    return !d.empty() && d.size() <= 6 &&
           d.find_first_not_of("0123456789") == std::string::npos;
  };
  return digits(num) && digits(screen);
}

bool UserGroups(const std::string& user, gid_t primary,
                std::vector<std::string>* names) {
  int n = 64;
  std::vector<gid_t> gids(n);
  if (getgrouplist(user.c_str(), primary, gids.data(), &n) < 0) {
    if (n <= 0 || n > 65536) return false;
    gids.resize(n);
    if (getgrouplist(user.c_str(), primary, gids.data(), &n) < 0) return false;
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

UidRange ParseLoginDefs(const std::string& text) {
  // A plain scan that copies nothing: this runs at every login of a uid > 0.
  UidRange r, def;
  const char* p = text.data();
  const char* const end = p + text.size();
  auto blank = [](char ch) { return ch == ' ' || ch == '\t'; };
  while (p < end) {
    const void* found = memchr(p, '\n', static_cast<size_t>(end - p));
    const char* nl = found ? static_cast<const char*>(found) : end;
    const char* b = p;
    while (b < nl && blank(*b)) ++b;
    p = nl + 1;
    if (nl - b < 4 || memcmp(b, "UID_", 4) != 0) continue;
    const char* e = b;
    while (e < nl && !blank(*e)) ++e;
    if (e == nl) continue;  // a key alone on its line
    const char* vb = e;
    while (vb < nl && blank(*vb)) ++vb;
    const char* ve = vb;
    while (ve < nl && !blank(*ve) && *ve != '\r') ++ve;
    const std::string value(vb, ve);  // short: no allocation
    const size_t klen = static_cast<size_t>(e - b);
    if (klen == 7 && memcmp(b, "UID_MIN", 7) == 0) ParseUid(value, &r.min);
    if (klen == 7 && memcmp(b, "UID_MAX", 7) == 0) ParseUid(value, &r.max);
  }
  if (r.min > r.max) r = def;
  return r;
}

UidRange SystemUidRange() {
  std::string text, err;
  if (!ReadSmallFile("/etc/login.defs", FileRule::kRootNotWritable, 64 * 1024,
                     &text, &err))
    text.clear();
  return ParseLoginDefs(text);
}

uid_t MinUid(const Config& c) {
  if (c.min_uid >= 0) return static_cast<uid_t>(c.min_uid);
  return SystemUidRange().min;
}

bool InScope(const Config& c, const std::string& user, std::string* why) {
  uid_t uid = 0;
  gid_t gid = 0;
  if (!LookUp(user, &uid, &gid)) {
    *why = "user unknown to the system (NSS)";
    return false;
  }
  if (uid == 0) {
    if (!c.check_root) {
      *why = "root (check_root = no)";
      return false;
    }
  } else {
    uid_t min = MinUid(c);
    if (uid < min) {
      *why = "system account (uid " + std::to_string(uid) + " < min_uid " +
             std::to_string(min) + ")";
      return false;
    }
    if (uid == kNobodyUid) {
      *why = "system account (uid 65534, nobody)";
      return false;
    }
  }
  const auto& ex = c.exempt_users;
  if (std::find(ex.begin(), ex.end(), user) != ex.end()) {
    *why = "exempt user";
    return false;
  }
  if (c.exempt_groups.empty() && c.groups.empty()) return true;
  std::vector<std::string> mine;
  if (!UserGroups(user, gid, &mine)) {
    // The groups cannot be read: no group rule can match. With `groups`
    // set, the user is outside the scope; otherwise the module applies.
    if (!c.groups.empty()) {
      *why = "groups unknown, not in groups";
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
  if (Listed(c.skip_services, service)) {
    *why = "service " + service + " in skip_services";
    return false;
  }
  if (!c.only_services.empty() && !Listed(c.only_services, service)) {
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

bool Interactive(const Config& c, const Caller& k, std::string* why) {
  const std::string tty = k.tty.empty() ? "unset" : k.tty;
  if (Listed(c.noninteractive_services, k.service)) {
    *why = "service " + k.service + " in noninteractive_services";
    return false;
  }
  if (k.tty == "ssh") {
    *why = "PAM_TTY ssh";
    return true;
  }
  if (IsTerminal(k.tty)) {
    *why = "PAM_TTY " + tty +
           (k.stdin_tty ? " and stdin a terminal" : ", stdin not a terminal");
    return k.stdin_tty;
  }
  if (IsDisplay(k.tty)) {
    *why = "PAM_TTY " + tty + " (a display)";
    return true;
  }
  if (Listed(c.interactive_services, k.service)) {
    *why = "service " + k.service + " in interactive_services";
    return true;
  }
  *why = "service " + k.service + ", PAM_TTY " + tty;
  return false;
}

}  // namespace sspr
