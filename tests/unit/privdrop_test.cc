// helper/sandbox/privdrop.cc: state_dir is never created by the helper (a
// deleted one is not silently replaced by an empty store), and an existing one
// is looked at and repaired only through an O_NOFOLLOW descriptor, so a symlink
// in its place is refused, never followed.
#include "helper/sandbox/privdrop.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "tests/unit/temp_dir.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

const sspr::HelperUser kNobody = {65534, 65534};

void missing_state_dir_is_not_created_and_is_named(void** state) {
  if (geteuid() != 0) skip();
  const std::string d = Dir(state) + "/state";
  std::string err;
  assert_false(sspr::PrepareOwnedDir(d, kNobody, &err));
  assert_non_null(strstr(err.c_str(), "does not exist"));
  assert_non_null(strstr(err.c_str(), d.c_str()));
  struct stat st;
  assert_int_not_equal(lstat(d.c_str(), &st), 0);
}

void symlink_in_place_of_state_dir_is_refused(void** state) {
  if (geteuid() != 0) skip();
  const std::string target = Dir(state) + "/precious";
  const std::string d = Dir(state) + "/state";
  assert_int_equal(mkdir(target.c_str(), 0700), 0);
  chmod(target.c_str(), 0);  // what the repair would "fix" through a link
  assert_int_equal(symlink(target.c_str(), d.c_str()), 0);
  std::string err;
  assert_false(sspr::PrepareOwnedDir(d, kNobody, &err));
  assert_non_null(strstr(err.c_str(), "is a symlink or not a directory"));
  struct stat st;
  assert_int_equal(stat(target.c_str(), &st), 0);
  assert_int_equal(st.st_uid, 0);           // untouched: neither chowned
  assert_int_equal(st.st_mode & 07777, 0);  // nor chmodded
}

void existing_state_dir_left_with_mode_000_is_repaired(void** state) {
  if (geteuid() != 0) skip();
  const std::string d = Dir(state) + "/state";
  assert_int_equal(mkdir(d.c_str(), 0), 0);
  assert_int_equal(chown(d.c_str(), 65534, 65534), 0);
  chmod(d.c_str(), 0);
  std::string err;
  assert_true(sspr::PrepareOwnedDir(d, kNobody, &err));
  struct stat st;
  assert_int_equal(lstat(d.c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0700);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(
          missing_state_dir_is_not_created_and_is_named, Setup, Teardown),
      cmocka_unit_test_setup_teardown(symlink_in_place_of_state_dir_is_refused,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          existing_state_dir_left_with_mode_000_is_repaired, Setup, Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
