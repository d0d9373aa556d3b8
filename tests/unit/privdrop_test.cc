// helper/privdrop.cc: the first login's state_dir is handed to the helper
// user through a descriptor, so a symlink swapped in right after mkdir is
// refused, never followed. The swap is made deterministic by wrapping
// mkdir (linked with -Wl,--wrap=mkdir): the wrapper creates the folder,
// then puts a symlink in its place, as a racing attacker would.
#include "helper/privdrop.h"

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
std::string g_swap_to;  // when set: mkdir's result becomes a symlink to it
}

extern "C" int __real_mkdir(const char* path, mode_t mode);
extern "C" int __wrap_mkdir(const char* path, mode_t mode) {
  int r = __real_mkdir(path, mode);
  if (r == 0 && !g_swap_to.empty()) {
    rmdir(path);
    if (symlink(g_swap_to.c_str(), path) != 0) return -1;
  }
  return r;
}

namespace {

using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

const sspr::HelperUser kNobody = {65534, 65534};

void test_state_dir_is_created_for_the_helper_user(void** state) {
  if (geteuid() != 0) skip();
  const std::string d = Dir(state) + "/state";
  std::string err;
  mode_t old = umask(0777);  // su's caller's
  const bool ok = sspr::PrepareOwnedDir(d, kNobody, &err);
  umask(old);
  assert_true(ok);
  struct stat st;
  assert_int_equal(lstat(d.c_str(), &st), 0);
  assert_int_equal(st.st_uid, 65534);
  assert_int_equal(st.st_mode & 07777, 0700);
}

void test_symlink_swapped_in_after_mkdir_is_refused(void** state) {
  if (geteuid() != 0) skip();
  const std::string target = Dir(state) + "/precious";
  assert_int_equal(__real_mkdir(target.c_str(), 0755), 0);
  g_swap_to = target;
  std::string err;
  const bool ok = sspr::PrepareOwnedDir(Dir(state) + "/state", kNobody, &err);
  g_swap_to.clear();
  assert_false(ok);
  assert_non_null(strstr(err.c_str(), "is a symlink or not a directory"));
  struct stat st;
  assert_int_equal(stat(target.c_str(), &st), 0);
  assert_int_equal(st.st_uid, 0);              // untouched: neither chowned
  assert_int_equal(st.st_mode & 07777, 0755);  // nor chmodded
}

void test_existing_state_dir_left_with_mode_000_is_repaired(void** state) {
  if (geteuid() != 0) skip();
  const std::string d = Dir(state) + "/state";
  assert_int_equal(__real_mkdir(d.c_str(), 0), 0);
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
          test_state_dir_is_created_for_the_helper_user, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          test_symlink_swapped_in_after_mkdir_is_refused, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          test_existing_state_dir_left_with_mode_000_is_repaired, Setup,
          Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
