// sspr-admin: the administrator's view of pam_sspr's state, and what the
// module would decide for a user. Runs as root only.
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tools/admin_commands.h"
#include "tools/admin_output.h"
#include "tools/exit_codes.h"

int main(int argc, char** argv) {
  using sspr::admin_exit::kConfig;
  using sspr::admin_exit::kUsage;
  signal(SIGPIPE, SIG_IGN);
  umask(077);
  sspr::AdminContext ctx;
  std::string err;
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (!sspr::ParseAdminArgs(args, &ctx.opt, &err)) {
    fprintf(stderr, "sspr-admin: %s\n%s", sspr::Printable(err).c_str(),
            sspr::kAdminUsage);
    return kUsage;
  }
  if (ctx.opt.help) {
    fputs(sspr::kAdminUsage, stdout);
    return 0;
  }
  if (geteuid() != 0) {
    fprintf(stderr,
            "sspr-admin: must be run as root: it reads and changes root-only "
            "state (state_dir, cache_dir) and checks the configuration the "
            "way the module does. Try: sudo sspr-admin %s ...\n",
            ctx.opt.command.c_str());
    return kUsage;
  }
  ctx.now = static_cast<int64_t>(time(nullptr));
  ctx.config_ok = sspr::LoadConfigAll(sspr::ConfigArgs(ctx.opt),
                                      /*check_perms=*/true, &ctx.config,
                                      &ctx.config_errors);
  ctx.config_error = sspr::FirstError(ctx.config_errors);
  if (!ctx.config_ok && ctx.opt.command != "check" &&
      ctx.opt.command != "check-config") {
    for (const std::string& e : ctx.config_errors)
      fprintf(stderr, "sspr-admin: configuration error: %s\n",
              sspr::Printable(e).c_str());
    return kConfig;
  }
  try {
    int code = sspr::RunCommand(ctx);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "sspr-admin: cannot write the output\n");
      return code == 0 ? sspr::admin_exit::kUnavailable : code;
    }
    return code;
  } catch (const std::exception& e) {
    fprintf(stderr, "sspr-admin: internal error: %s\n", e.what());
  } catch (...) {
    fprintf(stderr, "sspr-admin: internal error\n");
  }
  return sspr::admin_exit::kUnavailable;
}
