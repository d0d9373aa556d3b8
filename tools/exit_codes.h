// sspr-admin's exit codes, as documented in sspr-admin(8).
#ifndef SSPR_TOOLS_EXIT_CODES_H_
#define SSPR_TOOLS_EXIT_CODES_H_

namespace sspr {
namespace admin_exit {

constexpr int kOk = 0;             // done; status/show/check: registered
constexpr int kNotRegistered = 1;  // status/show/check: not registered;
                                   // reset: not confirmed, nothing changed
constexpr int kUsage = 2;          // bad command line, or not run as root
constexpr int kConfig = 3;         // configuration error, or the command
                                   // needs backend=local
constexpr int kUnavailable = 4;    // store or backend cannot be read/asked
constexpr int kOutOfScope = 5;     // check: the module ignores this user

}  // namespace admin_exit
}  // namespace sspr

#endif  // SSPR_TOOLS_EXIT_CODES_H_
