#include "config/scope.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "common/file.h"
#include "common/net_match.h"

namespace sspr {
namespace {

bool ParseUid(std::string_view v, uid_t* out) {
  if (v.empty() || v.size() > 10 ||
      v.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  unsigned long long n = 0;
  for (char ch : v) n = n * 10 + static_cast<unsigned>(ch - '0');
  if (n > 0xfffffffeULL) return false;
  *out = static_cast<uid_t>(n);
  return true;
}

// The account's uid and primary gid; false when NSS does not know it.
// A buffer on the stack first: this runs at every login (no allocation on
// the module's fast path unless an entry is larger).
bool LookUp(const char* user, uid_t* uid, gid_t* gid) {
  struct passwd pw, *pwp = nullptr;
  char small[4096];
  int r = getpwnam_r(user, &pw, small, sizeof(small), &pwp);
  std::vector<char> buf;
  size_t size = sizeof(small);
  while (r == ERANGE && size < (1u << 20)) {
    size *= 4;
    buf.resize(size);
    r = getpwnam_r(user, &pw, buf.data(), buf.size(), &pwp);
  }
  if (r != 0 || pwp == nullptr) return false;
  *uid = pw.pw_uid;
  *gid = pw.pw_gid;
  return true;
}

// Calls fn(name) for each group of `user` (the primary included); false
// when NSS cannot say. On the stack up to 256 groups and 4 KiB entries.
template <class F>
bool ForEachGroupName(const char* user, gid_t primary, F fn) {
  gid_t small[256];
  std::vector<gid_t> big;
  gid_t* gids = small;
  int n = 256;
  if (getgrouplist(user, primary, gids, &n) < 0) {
    if (n <= 0 || n > 65536) return false;
    big.resize(static_cast<size_t>(n));
    gids = big.data();
    if (getgrouplist(user, primary, gids, &n) < 0) return false;
  }
  char sbuf[4096];
  std::vector<char> bbuf;
  for (int i = 0; i < n; ++i) {
    struct group gr, *grp = nullptr;
    int r = getgrgid_r(gids[i], &gr, sbuf, sizeof(sbuf), &grp);
    if (r == ERANGE) {
      bbuf.resize(65536);
      r = getgrgid_r(gids[i], &gr, bbuf.data(), bbuf.size(), &grp);
    }
    if (r == 0 && grp) fn(grp->gr_name);
  }
  return true;
}

template <class L>
bool Listed(const L& names, std::string_view s) {
  return std::any_of(names.begin(), names.end(), [s](std::string_view n) {
    return n.size() == s.size() &&
           strncasecmp(n.data(), s.data(), s.size()) == 0;
  });
}

// The index of s in names (exact), or -1.
template <class L>
long IndexOf(const L& names, std::string_view s) {
  long i = 0;
  for (std::string_view n : names) {
    if (n == s) return i;
    ++i;
  }
  return -1;
}

}  // namespace

bool IsDisplay(std::string_view t) {
  size_t colon = t.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == t.size() ||
      t.find('/') != std::string_view::npos)
    return false;
  std::string_view rest = t.substr(colon + 1);
  size_t dot = rest.find('.');
  std::string_view num = rest.substr(0, dot);
  std::string_view screen =
      dot == std::string_view::npos ? "0" : rest.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 6 &&
           d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return digits(num) && digits(screen);
}

namespace {

bool IsTerminal(std::string_view t) {
  return t.rfind("/dev/", 0) == 0 || t.rfind("tty", 0) == 0 ||
         t.rfind("pts/", 0) == 0;
}

// printf-style on purpose: it formats into Why's fixed buffer, where
// building a std::string would allocate on the module's fast path.
// NOLINTNEXTLINE(cert-dcl50-cpp)
__attribute__((format(printf, 2, 3))) void Say(Why* why, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->text, sizeof(why->text), fmt, ap);
  va_end(ap);
}

int Len(std::string_view s) {
  return static_cast<int>(std::min<size_t>(s.size(), 1024));
}

// Reads the lines of UID_MIN/UID_MAX in text into *r (a plain scan that
// copies nothing).
void ScanLoginDefs(std::string_view text, UidRange* r) {
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
    const std::string_view value(vb, static_cast<size_t>(ve - vb));
    const size_t klen = static_cast<size_t>(e - b);
    if (klen == 7 && memcmp(b, "UID_MIN", 7) == 0) ParseUid(value, &r->min);
    if (klen == 7 && memcmp(b, "UID_MAX", 7) == 0) ParseUid(value, &r->max);
  }
}

UidRange Settled(UidRange r) { return r.min > r.max ? UidRange() : r; }

template <class C>
uid_t MinUidT(const C& c) {
  if (c.min_uid >= 0) return static_cast<uid_t>(c.min_uid);
  return SystemUidRange().min;
}

template <class C>
bool InScopeT(const C& c, const char* user, Why* why) {
  uid_t uid = 0;
  gid_t gid = 0;
  if (!LookUp(user, &uid, &gid)) {
    Say(why, "user unknown to the system (NSS)");
    return false;
  }
  if (uid == 0) {
    if (!c.check_root) {
      Say(why, "root (check_root = no)");
      return false;
    }
  } else {
    uid_t min = MinUidT(c);
    if (uid < min) {
      Say(why, "system account (uid %u < min_uid %u)", uid, min);
      return false;
    }
    if (uid == kNobodyUid) {
      Say(why, "system account (uid 65534, nobody)");
      return false;
    }
  }
  if (IndexOf(c.exempt_users, user) >= 0) {
    Say(why, "exempt user");
    return false;
  }
  if (c.exempt_groups.empty() && c.groups.empty()) return true;
  // The first exempt group (in the config's order) the user is in; and
  // whether the user is in any of `groups`.
  long exempt = -1;
  bool member = false;
  const bool known = ForEachGroupName(user, gid, [&](const char* g) {
    const long i = IndexOf(c.exempt_groups, g);
    if (i >= 0 && (exempt < 0 || i < exempt)) exempt = i;
    if (IndexOf(c.groups, g) >= 0) member = true;
  });
  if (!known) {
    // The groups cannot be read: no group rule can match. With `groups`
    // set, the user is outside the scope; otherwise the module applies.
    if (!c.groups.empty()) {
      Say(why, "groups unknown, not in groups");
      return false;
    }
    return true;
  }
  if (exempt >= 0) {
    long i = 0;
    for (std::string_view g : c.exempt_groups) {
      if (i++ == exempt) Say(why, "in exempt group %.*s", Len(g), g.data());
    }
    return false;
  }
  if (c.groups.empty() || member) return true;
  Say(why, "not in groups");
  return false;
}

template <class C>
bool InServiceScopeT(const C& c, std::string_view service,
                     std::string_view rhost, Why* why) {
  if (Listed(c.skip_services, service)) {
    Say(why, "service %.*s in skip_services", Len(service), service.data());
    return false;
  }
  if (!c.only_services.empty() && !Listed(c.only_services, service)) {
    Say(why, "service %.*s not in only_services", Len(service), service.data());
    return false;
  }
  if (c.skip_rhosts.empty() || rhost.empty()) return true;
  for (std::string_view s : c.skip_rhosts) {
    Network n;
    std::string e;  // the config setter already refused invalid entries
    if (ParseNetwork(s, &n, &e) && AddressInNetwork(rhost, n)) {
      Say(why, "rhost %.*s in skip_rhosts %.*s", Len(rhost), rhost.data(),
          Len(s), s.data());
      return false;
    }
  }
  return true;
}

template <class C>
bool InteractiveT(const C& c, const Caller& k, Why* why) {
  const std::string_view tty = k.tty.empty() ? "unset" : k.tty;
  const int sl = Len(k.service), tl = Len(tty);
  if (Listed(c.noninteractive_services, k.service)) {
    Say(why, "service %.*s in noninteractive_services", sl, k.service.data());
    return false;
  }
  if (k.tty == "ssh") {
    Say(why, "PAM_TTY ssh");
    return true;
  }
  if (IsTerminal(k.tty)) {
    Say(why, "PAM_TTY %.*s%s", tl, tty.data(),
        k.stdin_tty ? " and stdin a terminal" : ", stdin not a terminal");
    return k.stdin_tty;
  }
  if (IsDisplay(k.tty)) {
    Say(why, "PAM_TTY %.*s (a display)", tl, tty.data());
    return true;
  }
  if (Listed(c.interactive_services, k.service)) {
    Say(why, "service %.*s in interactive_services", sl, k.service.data());
    return true;
  }
  Say(why, "service %.*s, PAM_TTY %.*s", sl, k.service.data(), tl, tty.data());
  return false;
}

// The std::string form sspr-admin and the tests use: *why is set when the
// rule said why.
bool Told(bool result, const Why& w, std::string* why) {
  if (w.text[0] != '\0') *why = w.text;
  return result;
}

}  // namespace

bool UserGroups(const std::string& user, gid_t primary,
                std::vector<std::string>* names) {
  return ForEachGroupName(user.c_str(), primary,
                          [&](const char* g) { names->push_back(g); });
}

UidRange ParseLoginDefs(std::string_view text) {
  UidRange r;
  ScanLoginDefs(text, &r);
  return Settled(r);
}

UidRange SystemUidRange() {
  constexpr char kPath[] = "/etc/login.defs";
  constexpr size_t kMax = 64 * 1024;
  UidRange r;
  std::string err;
  size_t size = 0;
  const int fd =
      OpenSmallFile(kPath, FileRule::kRootNotWritable, kMax, &size, &err);
  if (fd < 0) return r;
  // Whole lines through a small buffer; a line that fills it is skipped.
  char buf[4096];
  size_t have = 0, total = 0;
  bool skipping = false, failed = false;
  for (;;) {
    const ssize_t n = read(fd, buf + have, sizeof(buf) - have);
    failed = n < 0;
    if (n <= 0 || (total += static_cast<size_t>(n)) > kMax) {
      if (n == 0 && !skipping) ScanLoginDefs(std::string_view(buf, have), &r);
      break;
    }
    have += static_cast<size_t>(n);
    const void* last = memrchr(buf, '\n', have);
    if (last == nullptr) {
      if (have == sizeof(buf)) have = 0, skipping = true;
      continue;
    }
    const size_t done =
        static_cast<size_t>(static_cast<const char*>(last) - buf) + 1;
    std::string_view lines(buf, done);
    if (skipping) {  // the rest of a long line
      lines.remove_prefix(lines.find('\n') + 1);
      skipping = false;
    }
    ScanLoginDefs(lines, &r);
    memmove(buf, buf + done, have - done);
    have -= done;
  }
  close(fd);
  if (failed || total > kMax) return UidRange();  // as if unreadable
  return Settled(r);
}

uid_t MinUid(const Config& c) { return MinUidT(c); }
uid_t MinUid(const ModuleConfig& c) { return MinUidT(c); }

bool InScope(const Config& c, const std::string& user, std::string* why) {
  Why w;
  return Told(InScopeT(c, user.c_str(), &w), w, why);
}
bool InScope(const ModuleConfig& c, const char* user, Why* why) {
  return InScopeT(c, user, why);
}

bool InServiceScope(const Config& c, const std::string& service,
                    const std::string& rhost, std::string* why) {
  Why w;
  return Told(InServiceScopeT(c, service, rhost, &w), w, why);
}
bool InServiceScope(const ModuleConfig& c, std::string_view service,
                    std::string_view rhost, Why* why) {
  return InServiceScopeT(c, service, rhost, why);
}

bool Interactive(const Config& c, const Caller& k, std::string* why) {
  Why w;
  return Told(InteractiveT(c, k, &w), w, why);
}
bool Interactive(const ModuleConfig& c, const Caller& k, Why* why) {
  return InteractiveT(c, k, why);
}

}  // namespace sspr
