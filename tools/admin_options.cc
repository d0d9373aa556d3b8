#include "tools/admin_options.h"

#include <unistd.h>

#include "config/user_name.h"

namespace sspr {
namespace {

constexpr size_t kMaxUser = kMaxUserName;  // the module's own limit

bool NeedsUser(const std::string& cmd) {
  return cmd == "status" || cmd == "show" || cmd == "reset" || cmd == "check";
}

bool KnownCommand(const std::string& cmd) {
  return NeedsUser(cmd) || cmd == "list" || cmd == "export" ||
         cmd == "check-config";
}

}  // namespace

const char kAdminUsage[] =
    "usage: sspr-admin [--conf PATH] [--arg KEY=VALUE]... [--json] COMMAND\n"
    "  status USER              registration and cache state\n"
    "  show USER                the user's methods (numbers masked)\n"
    "  list [--unregistered]    users with a record; or who still has to\n"
    "                           register\n"
    "  reset USER [--yes] [--values]\n"
    "                           remove the record, cache entry and rate state\n"
    "                           (ldap: pam_sspr's attributes; --values: also\n"
    "                           the phone and mail attributes)\n"
    "  export                   every record as JSON on stdout\n"
    "  check USER [--service NAME] [--rhost ADDR]\n"
    "                           what pam_sspr would decide for USER, and why\n"
    "  check-config [FILE]      every error of the configuration, as\n"
    "                           file:line (exit 0 clean, 1 errors)\n"
    "Exit: 0 ok/registered, 1 not registered (reset: not confirmed),\n"
    "2 usage or not root, 3 configuration, 4 store/backend unavailable,\n"
    "5 outside the module's scope (check). See sspr-admin(8).\n";

bool ParseAdminArgs(const std::vector<std::string>& argv, AdminOptions* o,
                    std::string* err) {
  std::vector<std::string> words;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](const char* name, std::string* out) {
      std::string flag = name;
      if (a.rfind(flag + "=", 0) == 0) {
        *out = a.substr(flag.size() + 1);
      } else if (i + 1 < argv.size()) {
        *out = argv[++i];
      } else {
        *err = flag + " needs a value";
        return false;
      }
      if (out->empty()) {
        *err = flag + " needs a non-empty value";
        return false;
      }
      return true;
    };
    if (a == "-h" || a == "--help") {
      o->help = true;
    } else if (a == "--json") {
      o->json = true;
    } else if (a == "--yes" || a == "-y") {
      o->yes = true;
    } else if (a == "--values") {
      o->values = true;
    } else if (a == "--unregistered") {
      o->unregistered = true;
    } else if (a == "--conf" || a.rfind("--conf=", 0) == 0) {
      if (!value("--conf", &o->conf)) return false;
      if (o->conf[0] != '/') {
        *err = "--conf needs an absolute path";
        return false;
      }
    } else if (a == "--service" || a.rfind("--service=", 0) == 0) {
      if (!value("--service", &o->service)) return false;
    } else if (a == "--rhost" || a.rfind("--rhost=", 0) == 0) {
      if (!value("--rhost", &o->rhost)) return false;
    } else if (a == "--arg" || a.rfind("--arg=", 0) == 0) {
      std::string kv;
      if (!value("--arg", &kv)) return false;
      if (kv.rfind("conf=", 0) == 0) {
        *err = "use --conf PATH, not --arg conf=";
        return false;
      }
      o->module_args.push_back(kv);
    } else if (a == "--") {
      words.insert(words.end(),
                   argv.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                   argv.end());
      break;
    } else if (a.size() > 1 && a[0] == '-') {
      *err = "unknown option '" + a + "'";
      return false;
    } else {
      words.push_back(a);
    }
  }
  if (o->help) return true;
  if (words.empty()) {
    *err = "no command given";
    return false;
  }
  o->command = words[0];
  if (!KnownCommand(o->command)) {
    *err = "unknown command '" + o->command + "'";
    return false;
  }
  if (o->command == "check-config") {
    if (words.size() > 2) {
      *err = "unexpected argument '" + words[2] + "'";
      return false;
    }
    if (words.size() == 2) {
      o->file = words[1];
      if (o->file.empty() || o->file.size() > 1024) {
        *err = "FILE must have 1 to 1024 bytes";
        return false;
      }
      if (o->file[0] != '/') {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == nullptr) {
          *err = "cannot resolve the relative path " + o->file;
          return false;
        }
        o->file = std::string(cwd) + "/" + o->file;
      }
      if (!o->conf.empty()) {
        *err = "give either --conf or FILE";
        return false;
      }
    }
    words.resize(1);
  }
  size_t want = NeedsUser(o->command) ? 2 : 1;
  if (words.size() < want) {
    *err = o->command + " needs a USER";
    return false;
  }
  if (words.size() > want) {
    *err = "unexpected argument '" + words[want] + "'";
    return false;
  }
  if (want == 2) {
    o->user = words[1];
    if (o->user.empty() || o->user.size() > kMaxUser) {
      *err = "USER must have 1 to 256 bytes";
      return false;
    }
    for (unsigned char ch : o->user) {
      if (ch < 0x20 || ch == 0x7f) {
        *err = "USER must not contain control characters";
        return false;
      }
    }
  }
  if (o->yes && o->command != "reset") {
    *err = "--yes belongs to reset";
    return false;
  }
  if (o->values && o->command != "reset") {
    *err = "--values belongs to reset";
    return false;
  }
  if ((!o->service.empty() || !o->rhost.empty()) && o->command != "check") {
    *err = "--service and --rhost belong to check";
    return false;
  }
  if (o->unregistered && o->command != "list") {
    *err = "--unregistered belongs to list";
    return false;
  }
  return true;
}

std::vector<std::string> ConfigArgs(const AdminOptions& o) {
  std::vector<std::string> args;
  if (!o.conf.empty()) args.push_back("conf=" + o.conf);
  if (!o.file.empty()) args.push_back("conf=" + o.file);
  args.insert(args.end(), o.module_args.begin(), o.module_args.end());
  return args;
}

}  // namespace sspr
