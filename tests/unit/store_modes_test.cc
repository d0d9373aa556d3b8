// State folders and lock files get their exact mode whatever the umask,
// and an existing one's mode and owner are checked, not trusted
// (common/file.h: EnsureDir, FileLock, SettleMode).
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "common/file.h"
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

mode_t ModeOf(const std::string& path) {
  struct stat st;
  assert_int_equal(lstat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Runs `f` under umask 777, as a caller of su may have it.
template <typename F>
void UnderUmask777(F f) {
  mode_t old = umask(0777);
  f();
  umask(old);
}

void folder_gets_0700_under_umask_777(void** state) {
  const std::string d = Dir(state) + "/users";
  std::string err;
  UnderUmask777([&] { assert_true(sspr::EnsureDir(d, 0700, &err)); });
  assert_int_equal(ModeOf(d), 0700);
}

void lock_file_gets_0600_under_umask_777(void** state) {
  const std::string p = Dir(state) + "/user-alice.lock";
  std::string err;
  UnderUmask777([&] {
    sspr::FileLock lock;
    assert_true(lock.Acquire(p, 1000, &err));
  });
  assert_int_equal(ModeOf(p), 0600);
}

void folder_left_with_mode_000_is_repaired(void** state) {
  const std::string d = Dir(state) + "/rate";
  assert_int_equal(mkdir(d.c_str(), 0), 0);
  chmod(d.c_str(), 0);
  std::string err;
  assert_true(sspr::EnsureDir(d, 0700, &err));
  assert_int_equal(ModeOf(d), 0700);
}

void lock_file_left_with_mode_000_is_repaired(void** state) {
  const std::string p = Dir(state) + "/dest-1.lock";
  UnderUmask777([&] {
    sspr::FileLock lock;
    std::string err;
    assert_true(lock.Acquire(p, 1000, &err));
  });
  chmod(p.c_str(), 0);
  sspr::FileLock lock;
  std::string err;
  assert_true(lock.Acquire(p, 1000, &err));
  assert_int_equal(ModeOf(p), 0600);
}

void folder_open_to_group_is_refused_and_named(void** state) {
  const std::string d = Dir(state) + "/policy";
  assert_int_equal(mkdir(d.c_str(), 0700), 0);
  chmod(d.c_str(), 0770);
  std::string err;
  assert_false(sspr::EnsureDir(d, 0700, &err));
  assert_non_null(strstr(err.c_str(), (d + " has mode 0770").c_str()));
  assert_int_equal(ModeOf(d), 0770);  // reported, not changed
}

void lock_file_readable_by_others_is_refused(void** state) {
  const std::string p = Dir(state) + "/alice.lock";
  {
    sspr::FileLock lock;
    std::string err;
    assert_true(lock.Acquire(p, 1000, &err));
  }
  chmod(p.c_str(), 0644);
  sspr::FileLock lock;
  std::string err;
  assert_false(lock.Acquire(p, 1000, &err));
  assert_non_null(strstr(err.c_str(), "has mode 0644"));
  assert_int_equal(ModeOf(p), 0644);
}

void folder_of_another_owner_is_refused(void** state) {
  if (geteuid() != 0) skip();  // chown needs root
  const std::string d = Dir(state) + "/locks";
  assert_int_equal(mkdir(d.c_str(), 0700), 0);
  assert_int_equal(chown(d.c_str(), 65534, 65534), 0);
  std::string err;
  assert_false(sspr::EnsureDir(d, 0700, &err));
  assert_non_null(strstr(err.c_str(), "is owned by uid 65534"));
}

void symlink_in_place_of_a_folder_is_refused(void** state) {
  const std::string target = Dir(state) + "/elsewhere";
  const std::string d = Dir(state) + "/users";
  assert_int_equal(mkdir(target.c_str(), 0755), 0);
  assert_int_equal(symlink(target.c_str(), d.c_str()), 0);
  std::string err;
  assert_false(sspr::EnsureDir(d, 0700, &err));
  assert_non_null(strstr(err.c_str(), "is a symlink"));
  assert_int_equal(ModeOf(target), 0755);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(folder_gets_0700_under_umask_777, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(lock_file_gets_0600_under_umask_777,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(folder_left_with_mode_000_is_repaired,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(lock_file_left_with_mode_000_is_repaired,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(folder_open_to_group_is_refused_and_named,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(lock_file_readable_by_others_is_refused,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(folder_of_another_owner_is_refused, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(symlink_in_place_of_a_folder_is_refused,
                                      Setup, Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
