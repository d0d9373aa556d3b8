// `sspr-admin check-config [FILE]`, like `sshd -t` and `visudo -c`: the
// configuration read exactly as the module reads it (owner and mode
// checked, every line, the module arguments given with --arg, the
// relations between keys), every error printed as file:line.
#include <sys/stat.h>

#include "tools/admin_commands.h"
#include "tools/admin_output.h"

namespace sspr {

int RunCheckConfig(const AdminContext& ctx) {
  const std::string& path = ctx.config.conf;
  for (const std::string& e : ctx.config_errors)
    fputs((Printable(e) + "\n").c_str(), ctx.out);
  if (!ctx.config_errors.empty()) {
    fprintf(ctx.out, "%s: %zu error(s)\n", Printable(path).c_str(),
            ctx.config_errors.size());
    return 1;
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0)
    fprintf(ctx.out, "%s: not present; the built-in defaults apply\n",
            Printable(path).c_str());
  else fprintf(ctx.out, "%s: OK\n", Printable(path).c_str());
  return 0;
}

}  // namespace sspr
