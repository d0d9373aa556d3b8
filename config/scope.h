// Who pam_sspr.so checks, shared with sspr-admin so that `check` and
// `list --unregistered` decide exactly as the module does. The rules, in
// order; the first that matches decides (pam_sspr(8)):
//   a. a user unknown to NSS: not checked;
//   b. uid 0: not checked unless check_root;
//   c. 0 < uid < min_uid, or the overflow uid 65534 (nobody): a system
//      account, not checked;
//   d. exempt_users, exempt_groups, groups;
//   e. the service and remote host: only_services, skip_services,
//      skip_rhosts;
//   f. the caller: Interactive(); a non-interactive one is checked only
//      with noninteractive = check.
// libc only (NSS, /etc/login.defs): no PAM, no helper.
#ifndef SSPR_CONFIG_SCOPE_H_
#define SSPR_CONFIG_SCOPE_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace sspr {

// The uid every system gives "nobody" (the kernel's overflow uid).
constexpr uid_t kNobodyUid = 65534;

struct UidRange {
  uid_t min = 1000;
  uid_t max = 60000;
};

// UID_MIN and UID_MAX from login.defs(5) text; defaults for what is absent
// or malformed.
UidRange ParseLoginDefs(std::string_view text);

// Reads /etc/login.defs (root-owned, not writable by others, at most
// 64 KiB, no symlink); the defaults when it cannot be read. Scanned a piece
// at a time through a buffer on the stack: no allocation (a line longer
// than 4 KiB is skipped).
UidRange SystemUidRange();

// The smallest uid of a person: min_uid when set, else UID_MIN of
// /etc/login.defs, read now.
uid_t MinUid(const Config& c);
uid_t MinUid(const ModuleConfig& c);

// Why a rule decided, for the module's debug log: a fixed buffer, so that
// deciding allocates nothing (a longer text is cut).
struct Why {
  char text[512] = "";
};

// The names of every group `user` belongs to (primary included); false
// when NSS cannot say.
bool UserGroups(const std::string& user, gid_t primary,
                std::vector<std::string>* names);

// Rules a to d: true when the module applies to `user`; otherwise *why
// says why not (e.g. "system account (uid 33 < min_uid 1000)").
bool InScope(const Config& c, const std::string& user, std::string* why);
// The same for the module: no allocation (unless NSS itself allocates, or
// the user is in more than 256 groups or has a group entry over 4 KiB).
bool InScope(const ModuleConfig& c, const char* user, Why* why);

// Rule e: true when the module applies to a login through the PAM service
// `service` from `rhost` (PAM_RHOST, may be empty); otherwise *why says why
// not. Service names are compared without regard to case (Linux-PAM
// lower-cases them). skip_rhosts matches only when PAM_RHOST is an IPv4 or
// IPv6 address: a host name is never resolved and matches no network, so
// such a login stays in scope (sshd sets an address unless UseDNS is on).
bool InServiceScope(const Config& c, const std::string& service,
                    const std::string& rhost, std::string* why);
bool InServiceScope(const ModuleConfig& c, std::string_view service,
                    std::string_view rhost, Why* why);

// True when PAM_TTY names an X display (":0", ":1.0", "host:0",
// "host.example:10.2"): a graphical greeter (LightDM, SDDM on X, XDM).
bool IsDisplay(std::string_view tty);

// What rule f looks at (views: the caller keeps the strings).
struct Caller {
  std::string_view service;  // PAM_SERVICE
  std::string_view tty;      // PAM_TTY, "" when unset
  bool stdin_tty = false;    // isatty(STDIN_FILENO) in the application
};

// Rule f: true when the caller can hold a dialogue with a person. *why
// names the sub-rule that decided (for the debug log and sspr-admin):
//   1. service in noninteractive_services: no;
//   2. PAM_TTY "ssh": yes (sshd's conversation decides);
//   3. PAM_TTY a terminal (/dev/..., tty..., pts/...): yes only when stdin
//      is a terminal (su and login read the answers from stdin);
//   4. PAM_TTY an X display (":0", "host:0.1"): yes;
//   5. service in interactive_services: yes;
//   6. anything else: no.
bool Interactive(const Config& c, const Caller& k, std::string* why);
bool Interactive(const ModuleConfig& c, const Caller& k, Why* why);

}  // namespace sspr

#endif  // SSPR_CONFIG_SCOPE_H_
