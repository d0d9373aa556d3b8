// sspr-admin's command line.
#include "tools/admin_options.h"

#include <cstring>
#include <string>
#include <vector>

// clang-format off
#include "tests/admin/cmocka_include.h"  // last: see there
// clang-format on

namespace {

using sspr::AdminOptions;
using sspr::ParseAdminArgs;

bool Parse(std::vector<std::string> argv, AdminOptions* o, std::string* err) {
  *o = AdminOptions();
  err->clear();
  return ParseAdminArgs(argv, o, err);
}

void Refused(std::vector<std::string> argv, const char* why) {
  AdminOptions o;
  std::string err;
  assert_false(Parse(argv, &o, &err));
  if (strstr(err.c_str(), why) == nullptr)
    fail_msg("error '%s' does not mention '%s'", err.c_str(), why);
}

void every_command_parses_with_its_arguments(void**) {
  AdminOptions o;
  std::string err;
  assert_true(Parse({"status", "alice"}, &o, &err));
  assert_string_equal(o.command.c_str(), "status");
  assert_string_equal(o.user.c_str(), "alice");
  assert_false(o.json);
  assert_true(o.conf.empty());
  assert_true(Parse({"--json", "list", "--unregistered"}, &o, &err));
  assert_true(o.json);
  assert_true(o.unregistered);
  assert_true(Parse({"reset", "bob", "--yes"}, &o, &err));
  assert_true(o.yes);
  assert_true(Parse({"reset", "-y", "bob"}, &o, &err));
  assert_true(o.yes);
  assert_false(o.values);
  assert_true(Parse({"reset", "bob", "--values", "--yes"}, &o, &err));
  assert_true(o.values);
  assert_true(Parse({"export"}, &o, &err));
  assert_true(Parse({"check", "--conf=/etc/x.conf", "carol", "--arg",
                     "mode=block", "--arg=failmode=secure"},
                    &o, &err));
  assert_string_equal(o.conf.c_str(), "/etc/x.conf");
  assert_int_equal(o.module_args.size(), 2);
  std::vector<std::string> args = sspr::ConfigArgs(o);
  assert_int_equal(args.size(), 3);
  assert_string_equal(args[0].c_str(), "conf=/etc/x.conf");
  assert_string_equal(args[1].c_str(), "mode=block");
  assert_true(Parse({"check", "dora", "--service", "sshd", "--rhost=10.1.2.3"},
                    &o, &err));
  assert_string_equal(o.service.c_str(), "sshd");
  assert_string_equal(o.rhost.c_str(), "10.1.2.3");
  assert_true(Parse({"show", "--", "-dash"}, &o, &err));
  assert_string_equal(o.user.c_str(), "-dash");
  assert_true(Parse({"--help"}, &o, &err));
  assert_true(o.help);
  // check-config: FILE optional, made absolute, read like --conf.
  assert_true(Parse({"check-config"}, &o, &err));
  assert_true(o.file.empty());
  assert_true(
      Parse({"check-config", "/etc/y.conf", "--arg", "debug"}, &o, &err));
  assert_string_equal(o.file.c_str(), "/etc/y.conf");
  args = sspr::ConfigArgs(o);
  assert_int_equal(args.size(), 2);
  assert_string_equal(args[0].c_str(), "conf=/etc/y.conf");
  assert_true(Parse({"check-config", "rel.conf"}, &o, &err));
  assert_true(o.file[0] == '/');
  assert_true(o.file.size() > strlen("/rel.conf") &&
              o.file.compare(o.file.size() - 9, 9, "/rel.conf") == 0);
  // Without --conf: the module's default, missing file allowed.
  assert_true(Parse({"list"}, &o, &err));
  assert_true(sspr::ConfigArgs(o).empty());
}

void usage_errors_are_named(void**) {
  Refused({}, "no command");
  Refused({"frobnicate"}, "unknown command");
  Refused({"status"}, "needs a USER");
  Refused({"list", "alice"}, "unexpected argument");
  Refused({"status", "a", "b"}, "unexpected argument");
  Refused({"status", "a", "--bogus"}, "unknown option");
  Refused({"status", "a", "--yes"}, "--yes belongs to reset");
  Refused({"show", "a", "--values"}, "--values belongs to reset");
  Refused({"show", "a", "--unregistered"}, "--unregistered belongs to list");
  Refused({"status", "a", "--service", "sshd"}, "belong to check");
  Refused({"list", "--rhost", "::1"}, "belong to check");
  Refused({"list", "--conf"}, "needs a value");
  Refused({"list", "--conf", "relative.conf"}, "absolute");
  Refused({"list", "--conf="}, "non-empty");
  Refused({"list", "--arg", "conf=/x"}, "--conf");
  Refused({"status", std::string(257, 'a')}, "1 to 256");
  Refused({"status", "a\nb"}, "control");
  Refused({"status", ""}, "1 to 256");
  Refused({"check-config", "/a", "/b"}, "unexpected argument");
  Refused({"check-config", "--conf", "/a", "/b"}, "either --conf or FILE");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_command_parses_with_its_arguments),
      cmocka_unit_test(usage_errors_are_named),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
