// Tests for common/file.h: ReadSmallFile's rules, WriteFileAtomic,
// ReadFileLimited and FileLock's deadline. The exact modes of EnsureDir,
// FileLock and SettleMode are proven in store_modes_test.cc.
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/file.h"
#include "common/time.h"
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

using sspr::FileRule;
using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

void Write(const std::string& path, const std::string& text, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text.data(), text.size()),
                   static_cast<ssize_t>(text.size()));
  assert_int_equal(fchmod(fd, mode), 0);
  close(fd);
}

int Entries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  assert_non_null(d);
  while (struct dirent* e = readdir(d))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) ++n;
  closedir(d);
  return n;
}

void a_small_file_is_read_whole_within_its_limit(void** state) {
  const std::string p = Dir(state) + "/conf";
  Write(p, "key = value\n", 0644);
  std::string text, err;
  assert_true(
      sspr::ReadSmallFile(p, FileRule::kRootNotWritable, 12, &text, &err));
  assert_string_equal(text.c_str(), "key = value\n");
  assert_false(sspr::ReadSmallFile(p, FileRule::kAnyOwner, 11, &text, &err));
  assert_string_equal(err.c_str(), (p + ": larger than 11 bytes").c_str());
  assert_true(text.empty());
}

void a_small_file_others_could_change_is_refused_by_its_rule(void** state) {
  const std::string p = Dir(state) + "/conf";
  Write(p, "x", 0666);
  std::string text, err;
  assert_true(sspr::ReadSmallFile(p, FileRule::kAnyOwner, 10, &text, &err));
  assert_false(
      sspr::ReadSmallFile(p, FileRule::kRootNotWritable, 10, &text, &err));
  assert_non_null(strstr(err.c_str(), "not writable by group or others"));
  Write(p, "x", 0640);  // private: no group or other bit at all
  assert_false(sspr::ReadSmallFile(p, FileRule::kRootPrivate, 10, &text, &err));
  assert_non_null(strstr(err.c_str(), "mode 0600"));
  Write(p, "x", 0600);
  assert_true(sspr::ReadSmallFile(p, FileRule::kRootPrivate, 10, &text, &err));
}

void a_small_file_that_is_a_fifo_or_a_symlink_is_refused_at_once(void** state) {
  const std::string d = Dir(state);
  assert_int_equal(mkfifo((d + "/fifo").c_str(), 0644), 0);
  Write(d + "/real", "x", 0644);
  assert_int_equal(symlink("real", (d + "/link").c_str()), 0);
  std::string text, err;
  int open_errno = -1;
  int64_t start = sspr::NowMs();
  assert_false(sspr::ReadSmallFile(d + "/fifo", FileRule::kAnyOwner, 10, &text,
                                   &err, &open_errno));
  assert_true(sspr::NowMs() - start < 1000);
  assert_non_null(strstr(err.c_str(), "not a regular file"));
  assert_int_equal(open_errno, 0);  // it opened: the type was refused
  assert_false(sspr::ReadSmallFile(d + "/link", FileRule::kAnyOwner, 10, &text,
                                   &err, &open_errno));
  assert_int_equal(open_errno, ELOOP);
  assert_false(sspr::ReadSmallFile(d + "/none", FileRule::kAnyOwner, 10, &text,
                                   &err, &open_errno));
  assert_int_equal(open_errno, ENOENT);
}

void an_atomic_write_replaces_the_file_with_its_exact_mode(void** state) {
  const std::string d = Dir(state);
  const std::string p = d + "/state";
  std::string err;
  mode_t old = umask(0777);
  assert_true(sspr::WriteFileAtomic(p, "one", 0600, &err));
  umask(old);
  struct stat st;
  assert_int_equal(stat(p.c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  assert_true(sspr::WriteFileAtomic(p, "two", 0640, &err));
  std::string out;
  bool missing = true;
  assert_true(sspr::ReadFileLimited(p, 10, &out, &missing, &err));
  assert_false(missing);
  assert_string_equal(out.c_str(), "two");
  assert_int_equal(stat(p.c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  assert_int_equal(Entries(d), 1);  // no temp file left behind
}

void an_atomic_write_never_writes_through_a_symlink(void** state) {
  const std::string d = Dir(state);
  Write(d + "/target", "keep", 0600);
  assert_int_equal(symlink("target", (d + "/state").c_str()), 0);
  std::string err, out;
  bool missing = false;
  // The rename replaces the link itself; its target is never written.
  assert_true(sspr::WriteFileAtomic(d + "/state", "new", 0600, &err));
  assert_true(sspr::ReadFileLimited(d + "/target", 10, &out, &missing, &err));
  assert_string_equal(out.c_str(), "keep");
  struct stat st;
  assert_int_equal(lstat((d + "/state").c_str(), &st), 0);
  assert_true(S_ISREG(st.st_mode));
}

void a_limited_read_reports_missing_and_too_large(void** state) {
  const std::string p = Dir(state) + "/f";
  std::string out = "stale", err;
  bool missing = false;
  assert_true(sspr::ReadFileLimited(p, 4, &out, &missing, &err));
  assert_true(missing);
  assert_true(out.empty());
  Write(p, "hello", 0600);
  assert_false(sspr::ReadFileLimited(p, 4, &out, &missing, &err));
  assert_non_null(strstr(err.c_str(), "too large"));
}

void a_lock_held_elsewhere_times_out_at_its_deadline(void** state) {
  const std::string p = Dir(state) + "/user.lock";
  std::string err;
  sspr::FileLock first, second;
  assert_true(first.Acquire(p, 1000, &err));
  int64_t start = sspr::NowMs();
  assert_false(second.Acquire(p, 150, &err));
  int64_t took = sspr::NowMs() - start;
  assert_true(took >= 149 && took < 5000);
  assert_string_equal(err.c_str(),
                      ("timed out after 150 ms waiting for lock " + p).c_str());
  assert_false(second.held());
  first.Release();
  assert_true(second.Acquire(p, 0, &err));  // free: taken at the first try
  assert_true(second.held());
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(
          a_small_file_is_read_whole_within_its_limit, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          a_small_file_others_could_change_is_refused_by_its_rule, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(
          a_small_file_that_is_a_fifo_or_a_symlink_is_refused_at_once, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(
          an_atomic_write_replaces_the_file_with_its_exact_mode, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(
          an_atomic_write_never_writes_through_a_symlink, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          a_limited_read_reports_missing_and_too_large, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          a_lock_held_elsewhere_times_out_at_its_deadline, Setup, Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
