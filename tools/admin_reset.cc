#include "tools/admin_reset.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>

#include <cstdlib>

#include "helper/backends/remote.h"
#include "helper/net/secrets.h"
#include "helper/sandbox/privdrop.h"
#include "helper/store/rate_limit.h"
#include "tools/backend_probe.h"
#include "common/fd.h"
#include "common/file.h"
#include "common/text.h"
#include "common/time.h"
#include "helper/store/user_store.h"

namespace sspr {
namespace {

// Unlinks `name` in `dir`; *gone says whether it existed.
bool Unlink(int dir, const std::string& name, const std::string& shown,
            bool* gone, std::string* err) {
  if (unlinkat(dir, name.c_str(), 0) == 0) {
    *gone = true;
    if (fsync(dir) != 0 && errno != EINVAL) {
      *err = "cannot fsync the directory of " + shown + ": " + strerror(errno);
      return false;
    }
    return true;
  }
  if (errno == ENOENT) return true;
  *err = "cannot remove " + shown + ": " + strerror(errno);
  return false;
}

bool DropCache(const Config& c, const std::string& user, bool* gone,
               std::string* err) {
  UniqueFd dir;
  bool missing = false;
  if (!OpenDirNoFollow(AT_FDCWD, c.cache_dir, "cache_dir " + c.cache_dir, &dir,
                       &missing, err))
    return false;
  if (missing) return true;
  const std::string name = SafeFileName(user);
  return Unlink(dir.get(), name, c.cache_dir + "/" + name, gone, err);
}

// The limiter's state of the user (RateUserBase) under the lock the
// RateLimiter takes. No lock file: no send was ever counted for the user.
bool DropRate(const Config& c, const std::string& user, bool* gone,
              std::string* err) {
  UniqueFd state, rate;
  bool missing = false;
  if (!OpenDirNoFollow(AT_FDCWD, c.state_dir, c.state_dir, &state, &missing,
                       err))
    return false;
  if (missing) return true;
  const std::string rate_dir = c.state_dir + "/" + kRateDir;
  if (!OpenDirNoFollow(state.get(), kRateDir, rate_dir, &rate, &missing, err))
    return false;
  if (missing) return true;
  const std::string base = RateUserBase(user);
  const std::string shown = rate_dir + "/" + base;
  UniqueFd lock(openat(rate.get(), (base + ".lock").c_str(),
                       O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (lock.get() < 0 && errno != ENOENT) {
    *err = "cannot open " + shown + ".lock: " + strerror(errno);
    return false;
  }
  if (lock.valid() &&
      !FlockUntil(lock.get(), LOCK_EX, NowMs() + kDefaultLockTimeoutMs)) {
    *err = "cannot lock " + shown + ".lock";
    return false;
  }
  return Unlink(rate.get(), base + ".json", shown + ".json", gone, err);
}

// One line, printable: what the child sends back must not break lines.
std::string OneLine(std::string s) {
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < ' ' || ch == 0x7f) ch = ' ';
  return s.substr(0, 1024);
}

// In the child: as root the secrets and helper_user; then the drop, and
// only then the directory. "O" + lines ("found", "needs-values",
// "dn <dn>", "removed|kept <n> <attr>"), or "E" + the error.
std::string ForgetInChild(const Config& c, const std::string& user,
                          bool values) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  std::string err;
  Secrets secrets;
  HelperUser u;
  if (!ReadSecretsFile(c.secrets_file, &secrets, &err) ||
      !LookupHelperUser(c.helper_user, &u, &err) || !DropPrivileges(u, &err))
    return "E" + OneLine(err);
  LdapForgetReport rep;
  if (!LdapForgetUser(c, secrets, user, values, &rep, &err))
    return "E" + OneLine(err);
  std::string out = "O";
  if (rep.found) out += "found\ndn " + OneLine(rep.dn) + "\n";
  if (rep.needs_values) out += "needs-values\n";
  for (const auto& a : rep.removed)
    out += "removed " + std::to_string(a.second) + " " + a.first + "\n";
  for (const auto& a : rep.kept)
    out += "kept " + std::to_string(a.second) + " " + a.first + "\n";
  return out;
}

// The child's answer, read back; false for anything else.
bool ParseForget(const std::string& text, DirectoryReset* d) {
  size_t at = 0;
  int lines = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos || ++lines > 64) return false;
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    if (line == "found") {
      d->found = true;
    } else if (line == "needs-values") {
      d->needs_values = true;
    } else if (line.rfind("dn ", 0) == 0) {
      d->dn = line.substr(3);
    } else {
      size_t sp = line.find(' '), sp2 = line.find(' ', sp + 1);
      if (sp == std::string::npos || sp2 == std::string::npos) return false;
      const std::string kind = line.substr(0, sp);
      const long n =
          strtol(line.substr(sp + 1, sp2 - sp - 1).c_str(), nullptr, 10);
      const std::string attr = line.substr(sp2 + 1);
      if ((kind != "removed" && kind != "kept") || n < 1 || attr.empty() ||
          attr.size() > 64)
        return false;
      (kind == "removed" ? d->removed : d->kept)
          .push_back({attr, static_cast<int>(n)});
    }
  }
  return true;
}

}  // namespace

bool ResetDirectoryUser(const Config& c, const std::string& user, bool values,
                        ResetReport* r, DirectoryReset* d, std::string* err) {
  *r = ResetReport();
  *d = DirectoryReset();
  std::string answer;
  if (!RunChild(
          c, [&] { return ForgetInChild(c, user, values); }, &answer, err))
    return false;
  if (answer.empty() || answer[0] != 'O') {
    *err = answer.empty() ? "the directory step ended without an answer"
                          : answer.substr(1);
    return false;
  }
  if (!ParseForget(answer.substr(1), d)) {
    *err = "the directory step's answer is not valid";
    return false;
  }
  if (d->needs_values) return true;
  r->record = !d->removed.empty();
  return DropRate(c, user, &r->rate, err) && DropCache(c, user, &r->cache, err);
}

bool ResetUser(const Config& c, const std::string& user, ResetReport* r,
               std::string* err) {
  *r = ResetReport();
  UserStore store(c.state_dir);
  auto before = [&](std::string* e) {
    return DropRate(c, user, &r->rate, e) && DropCache(c, user, &r->cache, e);
  };
  if (!store.Remove(user, before, &r->record, err)) return false;
  return DropCache(c, user, &r->cache, err);
}

}  // namespace sspr
