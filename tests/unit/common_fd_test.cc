// Tests for common/fd.h: UniqueFd, OpenDirNoFollow, ReadAt, FlockUntil.
#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include <string>

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

using sspr::UniqueFd;
using sspr_test::Dir;

void Write(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text.data(), text.size()),
                   static_cast<ssize_t>(text.size()));
  close(fd);
}

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

void a_unique_fd_closes_what_it_holds(void** /*state*/) {
  int raw = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(raw >= 0);
  {
    UniqueFd fd(raw);
    assert_true(fd.valid());
    assert_int_equal(fd.get(), raw);
  }
  assert_false(IsOpen(raw));
}

void a_moved_unique_fd_is_closed_once_by_its_new_owner(void** /*state*/) {
  int raw = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd b;
  {
    UniqueFd a(raw);
    b = std::move(a);
    assert_false(a.valid());  // NOLINT(bugprone-use-after-move): the point
  }
  assert_true(IsOpen(raw));
  b.reset();
  assert_false(IsOpen(raw));
  int again = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd c(again);
  assert_int_equal(c.release(), again);
  assert_false(c.valid());
  assert_true(IsOpen(again));  // released: the caller closes it
  close(again);
}

void a_directory_opens_and_a_symlink_to_it_is_refused(void** state) {
  const std::string d = Dir(state);
  assert_int_equal(mkdir((d + "/real").c_str(), 0700), 0);
  assert_int_equal(symlink("real", (d + "/link").c_str()), 0);
  Write(d + "/file", "x");
  int fd = sspr::OpenDirNoFollow(AT_FDCWD, d + "/real");
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(sspr::OpenDirNoFollow(AT_FDCWD, d + "/link"), -1);
  assert_true(errno == ENOTDIR || errno == ELOOP);  // Linux says ENOTDIR
  assert_int_equal(sspr::OpenDirNoFollow(AT_FDCWD, d + "/file"), -1);
  assert_int_equal(errno, ENOTDIR);

  UniqueFd top, out;
  std::string err;
  bool missing = true;
  assert_true(sspr::OpenDirNoFollow(AT_FDCWD, d, "top", &top, &missing, &err));
  assert_false(missing);
  assert_true(
      sspr::OpenDirNoFollow(top.get(), "real", "real", &out, &missing, &err));
  assert_true(out.valid());
  assert_false(sspr::OpenDirNoFollow(top.get(), "link", "the link", &out,
                                     &missing, &err));
  assert_string_equal(err.c_str(),
                      "the link is a symlink or not a directory, refusing it");
}

void a_missing_directory_is_missing_only_when_the_caller_asks(void** state) {
  const std::string d = Dir(state);
  UniqueFd out;
  std::string err;
  bool missing = false;
  assert_true(sspr::OpenDirNoFollow(AT_FDCWD, d + "/none", "none", &out,
                                    &missing, &err));
  assert_true(missing);
  assert_false(out.valid());
  assert_false(sspr::OpenDirNoFollow(AT_FDCWD, d + "/none", "none", &out,
                                     nullptr, &err));
  assert_non_null(strstr(err.c_str(), "cannot open none: "));
}

void read_at_reads_a_small_file_whole(void** state) {
  const std::string d = Dir(state);
  Write(d + "/f", "hello");
  UniqueFd dir(sspr::OpenDirNoFollow(AT_FDCWD, d));
  std::string out, err;
  bool missing = true;
  assert_true(sspr::ReadAt(dir.get(), "f", "f", 5, &out, &missing, &err));
  assert_false(missing);
  assert_string_equal(out.c_str(), "hello");
  assert_true(sspr::ReadAt(dir.get(), "none", "none", 5, &out, &missing, &err));
  assert_true(missing);
}

void read_at_refuses_a_file_over_its_limit(void** state) {
  const std::string d = Dir(state);
  Write(d + "/f", "hello");
  UniqueFd dir(sspr::OpenDirNoFollow(AT_FDCWD, d));
  std::string out = "before", err;
  bool missing = false;
  assert_false(
      sspr::ReadAt(dir.get(), "f", "the file", 4, &out, &missing, &err));
  assert_string_equal(err.c_str(),
                      "the file is too large (5 bytes, at most 4)");
  assert_string_equal(out.c_str(), "before");  // untouched on failure
}

void read_at_refuses_a_symlink_and_a_fifo_without_hanging(void** state) {
  const std::string d = Dir(state);
  Write(d + "/f", "x");
  assert_int_equal(symlink("f", (d + "/link").c_str()), 0);
  assert_int_equal(mkfifo((d + "/fifo").c_str(), 0600), 0);
  UniqueFd dir(sspr::OpenDirNoFollow(AT_FDCWD, d));
  std::string out, err;
  bool missing = false;
  assert_false(
      sspr::ReadAt(dir.get(), "link", "link", 9, &out, &missing, &err));
  assert_string_equal(err.c_str(), "link is a symlink, refusing it");
  assert_false(
      sspr::ReadAt(dir.get(), "fifo", "fifo", 9, &out, &missing, &err));
  assert_string_equal(err.c_str(), "fifo is not a regular file");
}

void flock_until_gives_up_at_the_deadline(void** state) {
  const std::string path = Dir(state) + "/lock";
  Write(path, "");
  UniqueFd holder(open(path.c_str(), O_RDWR | O_CLOEXEC));
  UniqueFd waiter(open(path.c_str(), O_RDWR | O_CLOEXEC));
  assert_true(sspr::FlockUntil(holder.get(), LOCK_EX, sspr::NowMs()));
  int64_t start = sspr::NowMs();
  assert_false(sspr::FlockUntil(waiter.get(), LOCK_EX, start + 120));
  assert_int_equal(errno, EWOULDBLOCK);
  int64_t took = sspr::NowMs() - start;
  assert_true(took >= 119);
  assert_true(took < 3000);
  // A deadline already past still tries once: a free lock is taken.
  holder.reset();
  assert_true(sspr::FlockUntil(waiter.get(), LOCK_EX, start - 1000));
}

void flock_until_takes_a_lock_freed_while_it_waits(void** state) {
  const std::string path = Dir(state) + "/lock";
  Write(path, "");
  int ready[2];
  assert_int_equal(pipe(ready), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open(path.c_str(), O_RDWR);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
    (void)!write(ready[1], "x", 1);
    sspr::SleepMs(150);
    _exit(0);  // the lock goes with the process
  }
  close(ready[1]);
  char c;
  assert_int_equal(read(ready[0], &c, 1), 1);
  close(ready[0]);
  UniqueFd waiter(open(path.c_str(), O_RDWR | O_CLOEXEC));
  int64_t start = sspr::NowMs();
  assert_true(sspr::FlockUntil(waiter.get(), LOCK_EX, start + 10000));
  int64_t took = sspr::NowMs() - start;
  assert_true(took >= 50);  // it did wait for the holder
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void flock_until_fails_at_once_on_a_bad_descriptor(void** /*state*/) {
  int64_t start = sspr::NowMs();
  assert_false(sspr::FlockUntil(-1, LOCK_EX, start + 5000));
  assert_int_equal(errno, EBADF);
  assert_true(sspr::NowMs() - start < 1000);
}

}  // namespace

int main(void) {
  using sspr_test::Setup;
  using sspr_test::Teardown;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_unique_fd_closes_what_it_holds),
      cmocka_unit_test(a_moved_unique_fd_is_closed_once_by_its_new_owner),
      cmocka_unit_test_setup_teardown(
          a_directory_opens_and_a_symlink_to_it_is_refused, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          a_missing_directory_is_missing_only_when_the_caller_asks, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(read_at_reads_a_small_file_whole, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(read_at_refuses_a_file_over_its_limit,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          read_at_refuses_a_symlink_and_a_fifo_without_hanging, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(flock_until_gives_up_at_the_deadline,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          flock_until_takes_a_lock_freed_while_it_waits, Setup, Teardown),
      cmocka_unit_test(flock_until_fails_at_once_on_a_bad_descriptor),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
