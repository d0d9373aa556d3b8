// sspr-admin's commands. Each writes its answer to `out`, warnings and
// errors to `err`, and returns an exit code (tools/exit_codes.h).
#ifndef SSPR_TOOLS_ADMIN_COMMANDS_H_
#define SSPR_TOOLS_ADMIN_COMMANDS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "config/config.h"
#include "tools/admin_options.h"

namespace sspr {

struct AdminContext {
  AdminOptions opt;
  Config config;  // loaded with the module's checks
  bool config_ok = true;
  std::string config_error;  // when !config_ok (only check runs then)
  std::vector<std::string> config_errors;  // every one
  int64_t now = 0;
  FILE* in = stdin;  // reset's confirmation
  FILE* out = stdout;
  FILE* err = stderr;
};

int RunStatus(const AdminContext& ctx);
int RunShow(const AdminContext& ctx);
int RunList(const AdminContext& ctx);
int RunExport(const AdminContext& ctx);
int RunReset(const AdminContext& ctx);
// reset with backend = ldap (tools/admin_reset_directory.cc): the
// confirmation question (what goes), and the reset itself.
std::string DirectoryResetQuestion(const Config& c, bool values);
int RunDirectoryReset(const AdminContext& ctx);
int RunCheck(const AdminContext& ctx);  // tools/admin_check.cc
// Loads the configuration itself: tools/admin_check_config.cc.
int RunCheckConfig(const AdminContext& ctx);

// Dispatches on ctx.opt.command.
int RunCommand(const AdminContext& ctx);

}  // namespace sspr

#endif  // SSPR_TOOLS_ADMIN_COMMANDS_H_
