// The status cache as sspr-admin explains it, against the module's verdict.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "common/cache_entry.h"
#include "common/text.h"
#include "config/config.h"
#include "tests/unit/temp_dir.h"
#include "tools/cache_state.h"

// clang-format off
#include "tests/admin/cmocka_include.h"  // last: see there
// clang-format on

namespace {

using sspr::CacheInfo;
using sspr::CacheState;
using sspr::Config;
using sspr::InspectCache;
using sspr_test::Dir;

constexpr int64_t kNow = 1800000000;

Config InDir(const std::string& dir) {
  Config c;
  c.cache_dir = dir + "/cache";
  return c;
}

// What the module does after a positive answer.
bool Store(const Config& c, const std::string& user, int64_t expiry) {
  std::string err;
  return sspr::cache_entry::Write(c.cache_dir, sspr::SafeFileName(user), expiry,
                                  &err);
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
  chmod(path.c_str(), 0600);
}

void the_cache_state_follows_the_entry_and_the_clock(void** state) {
  Config c = InDir(Dir(state));
  assert_int_equal(InspectCache(c, "alice", kNow).state, CacheState::kMissing);
  assert_true(Store(c, "alice", kNow + 60));
  CacheInfo i = InspectCache(c, "alice", kNow);
  if (geteuid() != 0) {  // the module trusts root-owned entries only
    assert_int_equal(i.state, CacheState::kUntrusted);
    return;
  }
  assert_int_equal(i.state, CacheState::kFresh);
  assert_int_equal(i.expiry, kNow + 60);
  assert_string_equal(i.path.c_str(), (c.cache_dir + "/alice").c_str());
  i = InspectCache(c, "alice", kNow + 60);
  assert_int_equal(i.state, CacheState::kExpired);
  assert_int_equal(i.expiry, kNow + 60);
  assert_int_equal(InspectCache(c, "bob", kNow).state, CacheState::kMissing);
  c.cache_ttl = 0;
  assert_int_equal(InspectCache(c, "alice", kNow).state, CacheState::kDisabled);
}

void invalid_cache_entries_are_reported_invalid(void** state) {
  if (geteuid() != 0) skip();
  Config c = InDir(Dir(state));
  assert_int_equal(mkdir(c.cache_dir.c_str(), 0700), 0);
  for (const char* text :
       {"", "registered\n", "registered x\n", "registered 12 13\n",
        "unregistered 9999999999\n", "REGISTERED 9999999999\n"}) {
    Write(c.cache_dir + "/u", text);
    CacheInfo i = InspectCache(c, "u", kNow);
    assert_int_equal(i.state, CacheState::kInvalid);
    sspr::cache_entry::Entry e;
    assert_int_equal(sspr::cache_entry::Read(c.cache_dir.c_str(), "u", &e),
                     sspr::cache_entry::Status::kInvalid);
    assert_false(i.detail.empty());
  }
  Write(c.cache_dir + "/u", "registered 9999999999");  // no newline: fine
  assert_int_equal(InspectCache(c, "u", kNow).state, CacheState::kFresh);
}

void a_cache_entry_with_an_untrusted_owner_or_mode_is_untrusted(void** state) {
  if (geteuid() != 0) skip();
  Config c = InDir(Dir(state));
  assert_true(Store(c, "alice", kNow + 60));
  const std::string entry = c.cache_dir + "/alice";
  assert_int_equal(chown(entry.c_str(), 65534, 65534), 0);
  CacheInfo i = InspectCache(c, "alice", kNow);
  assert_int_equal(i.state, CacheState::kUntrusted);
  assert_non_null(strstr(i.detail.c_str(), "ignores"));
  assert_int_equal(chown(entry.c_str(), 0, 0), 0);
  assert_int_equal(chmod(entry.c_str(), 0620), 0);
  assert_int_equal(InspectCache(c, "alice", kNow).state,
                   CacheState::kUntrusted);
  assert_int_equal(chmod(entry.c_str(), 0600), 0);
  assert_int_equal(chmod(c.cache_dir.c_str(), 0770), 0);
  assert_int_equal(InspectCache(c, "alice", kNow).state,
                   CacheState::kUntrusted);
  assert_int_equal(chmod(c.cache_dir.c_str(), 0700), 0);
  // A symlinked entry or cache_dir is never followed.
  assert_int_equal(rename(entry.c_str(), (Dir(state) + "/real").c_str()), 0);
  assert_int_equal(symlink((Dir(state) + "/real").c_str(), entry.c_str()), 0);
  assert_int_equal(InspectCache(c, "alice", kNow).state,
                   CacheState::kUntrusted);
  Config l = c;
  l.cache_dir = Dir(state) + "/link";
  assert_int_equal(symlink(c.cache_dir.c_str(), l.cache_dir.c_str()), 0);
  assert_int_equal(InspectCache(l, "alice", kNow).state,
                   CacheState::kUntrusted);
}

void names_are_escaped_like_the_module(void** state) {
  if (geteuid() != 0) skip();
  Config c = InDir(Dir(state));
  assert_true(Store(c, "../evil", kNow + 60));
  CacheInfo i = InspectCache(c, "../evil", kNow);
  assert_int_equal(i.state, CacheState::kFresh);
  assert_non_null(strstr(i.path.c_str(), "/cache/%2E.%2Fevil"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(
          the_cache_state_follows_the_entry_and_the_clock, sspr_test::Setup,
          sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(
          invalid_cache_entries_are_reported_invalid, sspr_test::Setup,
          sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(
          a_cache_entry_with_an_untrusted_owner_or_mode_is_untrusted,
          sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(names_are_escaped_like_the_module,
                                      sspr_test::Setup, sspr_test::Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
