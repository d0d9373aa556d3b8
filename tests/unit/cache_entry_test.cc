// Tests for common/cache_entry.h: the status-cache entry that the module
// writes and reads and sspr-admin explains.
#include "common/cache_entry.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/unit/temp_dir.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

namespace ce = sspr::cache_entry;
using sspr_test::Dir;

bool ParseText(const char* text, int64_t* expiry) {
  return ce::Parse(text, strlen(text), expiry);
}

void WriteRaw(const std::string& path, const char* text, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)),
                   static_cast<ssize_t>(strlen(text)));
  close(fd);
  assert_int_equal(chmod(path.c_str(), mode), 0);
}

void test_a_formatted_entry_parses_back_to_its_expiry(void**) {
  char buf[ce::kMaxBytes + 1];
  for (int64_t expiry :
       {int64_t{0}, int64_t{1800000000}, int64_t{-5}, INT64_MAX, INT64_MIN}) {
    size_t n = ce::Format(expiry, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(buf[n - 1], '\n');
    int64_t back = 7;
    assert_true(ce::Parse(buf, n, &back));
    assert_true(back == expiry);
  }
  assert_int_equal(ce::Format(1800000000, buf, 12), 0);  // does not fit
}

void test_an_entry_without_its_final_newline_is_valid(void**) {
  int64_t e = 0;
  assert_true(ParseText("registered 9999999999", &e));
  assert_true(e == 9999999999);
}

void test_anything_but_registered_and_a_number_is_invalid(void**) {
  int64_t e = 0;
  for (const char* text :
       {"", "\n", "registered", "registered \n", "registered x\n",
        "registered 12 13\n", "registered 12\n\n", "registered 12\nx",
        "unregistered 9999999999\n", "REGISTERED 9999999999\n",
        "registered  12\n", "registered +12\n", "registered -\n",
        "registered 9223372036854775808\n",
        "registered 00000000000000000000000000000000000000000000000000001\n"})
    assert_false(ParseText(text, &e));
  char nul[] = "registered 12\0";
  assert_false(ce::Parse(nul, sizeof(nul) - 1, &e));
}

void test_an_entry_written_by_root_reads_back_with_its_mtime(void** state) {
  if (geteuid() != 0) skip();
  const std::string dir = Dir(state) + "/cache";
  std::string err;
  assert_true(ce::Write(dir, "alice", 1800000060, &err));
  struct stat st;
  assert_int_equal(stat(dir.c_str(), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(stat((dir + "/alice").c_str(), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  ce::Entry e;
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kOk);
  assert_true(e.expiry == 1800000060);
  assert_true(e.written == st.st_mtime);
  // Replaced, not edited; no temp file stays behind.
  assert_true(ce::Write(dir, "alice", 1800000120, &err));
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kOk);
  assert_true(e.expiry == 1800000120);
  assert_int_equal(
      access((dir + "/.tmp." + std::to_string(getpid()) + ".alice").c_str(),
             F_OK),
      -1);
}

void test_a_missing_dir_or_entry_is_told_apart(void** state) {
  ce::Entry e;
  const std::string dir = Dir(state) + "/cache";
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kNoDir);
  if (geteuid() != 0) skip();
  assert_int_equal(mkdir(dir.c_str(), 0700), 0);
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kNoEntry);
}

void test_an_entry_others_could_write_is_never_trusted(void** state) {
  if (geteuid() != 0) skip();
  const std::string dir = Dir(state) + "/cache";
  assert_int_equal(mkdir(dir.c_str(), 0700), 0);
  const std::string entry = dir + "/alice";
  WriteRaw(entry, "registered 1800000060\n", 0620);
  ce::Entry e;
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e),
                   ce::Status::kEntryUntrusted);
  assert_int_equal(chmod(entry.c_str(), 0600), 0);
  assert_int_equal(chown(entry.c_str(), 65534, 65534), 0);
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e),
                   ce::Status::kEntryUntrusted);
  assert_int_equal(chown(entry.c_str(), 0, 0), 0);
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kOk);
  assert_int_equal(chmod(dir.c_str(), 0770), 0);
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e),
                   ce::Status::kDirUntrusted);
  std::string err;
  assert_false(ce::Write(dir, "alice", 1, &err));
  assert_false(err.empty());
}

void test_a_symlink_or_fifo_is_never_followed_or_waited_for(void** state) {
  if (geteuid() != 0) skip();
  const std::string dir = Dir(state) + "/cache";
  assert_int_equal(mkdir(dir.c_str(), 0700), 0);
  WriteRaw(Dir(state) + "/real", "registered 1800000060\n", 0600);
  assert_int_equal(
      symlink((Dir(state) + "/real").c_str(), (dir + "/alice").c_str()), 0);
  ce::Entry e;
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e),
                   ce::Status::kEntryUntrusted);
  assert_int_equal(mkfifo((dir + "/bob").c_str(), 0600), 0);
  assert_int_equal(ce::Read(dir.c_str(), "bob", &e),
                   ce::Status::kEntryUntrusted);
  const std::string link = Dir(state) + "/link";
  assert_int_equal(symlink(dir.c_str(), link.c_str()), 0);
  assert_int_equal(ce::Read(link.c_str(), "carol", &e),
                   ce::Status::kDirUntrusted);
}

void test_an_over_long_entry_is_invalid(void** state) {
  if (geteuid() != 0) skip();
  const std::string dir = Dir(state) + "/cache";
  assert_int_equal(mkdir(dir.c_str(), 0700), 0);
  std::string text = "registered 12\n" + std::string(100, ' ');
  WriteRaw(dir + "/alice", text.c_str(), 0600);
  ce::Entry e;
  assert_int_equal(ce::Read(dir.c_str(), "alice", &e), ce::Status::kInvalid);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_formatted_entry_parses_back_to_its_expiry),
      cmocka_unit_test(test_an_entry_without_its_final_newline_is_valid),
      cmocka_unit_test(test_anything_but_registered_and_a_number_is_invalid),
#define WITH_DIR(t) \
  cmocka_unit_test_setup_teardown(t, sspr_test::Setup, sspr_test::Teardown)
      WITH_DIR(test_an_entry_written_by_root_reads_back_with_its_mtime),
      WITH_DIR(test_a_missing_dir_or_entry_is_told_apart),
      WITH_DIR(test_an_entry_others_could_write_is_never_trusted),
      WITH_DIR(test_a_symlink_or_fifo_is_never_followed_or_waited_for),
      WITH_DIR(test_an_over_long_entry_is_invalid),
#undef WITH_DIR
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
