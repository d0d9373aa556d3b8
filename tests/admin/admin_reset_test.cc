// sspr-admin reset: record, cache entry and rate state go; nothing else.
#include "tools/admin_reset.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "common/text.h"
#include "config/config.h"
#include "helper/store/rate_limit.h"
#include "helper/store/user_store.h"
#include "common/text.h"
#include "common/cache_entry.h"
#include "common/text.h"
#include "config/config.h"
#include "tests/unit/temp_dir.h"

// clang-format off
#include "tests/admin/cmocka_include.h"  // last: see there
// clang-format on

namespace {

using sspr::Config;
using sspr::ResetReport;
using sspr::ResetUser;
using sspr_test::Dir;

constexpr int64_t kNow = 1800000000;

Config Setup(const std::string& dir) {
  Config c;
  c.state_dir = dir + "/state";
  c.cache_dir = dir + "/cache";
  return c;
}

bool Exists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

// A registered user with a cache entry and rate state, as logins leave it.
void Register(const Config& c, const std::string& user,
              const std::string& number) {
  std::string err;
  sspr::UserStore store(c.state_dir);
  assert_true(store.Init(&err));
  sspr::Method m;
  m.type = "mobile";
  m.value = number;
  m.verified_at = kNow;
  assert_true(store.AddMethod(user, m, kNow, &err));
  sspr::RateLimiter rl(c.state_dir, sspr::RateLimitPolicy());
  assert_true(rl.Init(&err));
  sspr::RateVerdict v = sspr::RateVerdict::kLimited;
  int64_t until = 0;
  assert_true(rl.TryConsume(user, number, kNow, &v, &until, &err));
  assert_true(v == sspr::RateVerdict::kAllowed);
  assert_true(sspr::cache_entry::Write(c.cache_dir, sspr::SafeFileName(user),
                                       kNow + 600, &err));
}

void reset_removes_exactly_the_users_state(void** state) {
  Config c = Setup(Dir(state));
  assert_int_equal(mkdir(c.state_dir.c_str(), 0700), 0);
  Register(c, "alice", "+12015550123");
  Register(c, "bob", "+12015550124");
  ResetReport r;
  std::string err;
  assert_true(ResetUser(c, "alice", &r, &err));
  assert_true(r.record);
  assert_true(r.cache);
  assert_true(r.rate);
  assert_false(Exists(c.state_dir + "/users/alice.json"));
  assert_false(Exists(c.cache_dir + "/alice"));
  assert_false(Exists(c.state_dir + "/rate/user-alice.json"));
  // The lock files stay (removing them would break mutual exclusion), the
  // per-number state stays, and bob is untouched.
  assert_true(Exists(c.state_dir + "/locks/alice.lock"));
  assert_true(Exists(c.state_dir + "/rate/dest-%2B12015550123.json"));
  assert_true(Exists(c.state_dir + "/users/bob.json"));
  assert_true(Exists(c.cache_dir + "/bob"));
  assert_true(Exists(c.state_dir + "/rate/user-bob.json"));
  // Again: nothing left, still fine.
  assert_true(ResetUser(c, "alice", &r, &err));
  assert_false(r.record || r.cache || r.rate);
  // A user the store has never seen, with no state_dir at all.
  Config none = Setup(Dir(state) + "/nothing");
  assert_true(ResetUser(none, "carol", &r, &err));
  assert_false(r.record || r.cache || r.rate);
  assert_false(Exists(none.state_dir));
  // After a reset the helper registers the user afresh.
  sspr::UserStore store(c.state_dir);
  sspr::Method m;
  m.type = "office";
  m.value = "+442079460000";
  assert_true(store.AddMethod("alice", m, kNow + 1, &err));
  sspr::UserRecord rec;
  bool found = false;
  assert_true(store.Load("alice", &rec, &found, &err));
  assert_true(found);
  assert_int_equal(rec.methods.size(), 1);
  assert_int_equal(rec.created_at, kNow + 1);
}

// The user's own limits (overall and per number) live in the user's rate
// file: a reset frees a number the user had locked for themselves, and
// other users' counts for it stay.
void reset_frees_the_users_locked_number(void** state) {
  Config c = Setup(Dir(state));
  assert_int_equal(mkdir(c.state_dir.c_str(), 0700), 0);
  sspr::RateLimitPolicy p;
  p.limit = 2;
  sspr::RateLimiter rl(c.state_dir, p);
  std::string err;
  assert_true(rl.Init(&err));
  sspr::RateVerdict v = sspr::RateVerdict::kLimited;
  int64_t until = 0;
  for (int i = 0; i < 2; ++i) {
    assert_true(
        rl.TryConsume("alice", "+12015550123", kNow + i, &v, &until, &err));
    assert_true(v == sspr::RateVerdict::kAllowed);
  }
  assert_true(
      rl.TryConsume("alice", "+12015550123", kNow + 2, &v, &until, &err));
  assert_true(v == sspr::RateVerdict::kLimited);
  ResetReport r;
  assert_true(ResetUser(c, "alice", &r, &err));
  assert_true(r.rate);
  assert_true(
      rl.TryConsume("alice", "+12015550123", kNow + 3, &v, &until, &err));
  assert_true(v == sspr::RateVerdict::kAllowed);
  assert_true(Exists(c.state_dir + "/rate/dest-%2B12015550123.json"));
}

void the_lock_is_created_for_the_helper_user(void** state) {
  if (geteuid() != 0) skip();
  Config c = Setup(Dir(state));
  assert_int_equal(mkdir(c.state_dir.c_str(), 0700), 0);
  std::string err;
  sspr::UserStore store(c.state_dir);
  assert_true(store.Init(&err));
  assert_int_equal(chown(c.state_dir.c_str(), 65534, 65534), 0);
  assert_int_equal(chown((c.state_dir + "/locks").c_str(), 65534, 65534), 0);
  ResetReport r;
  assert_true(ResetUser(c, "dave", &r, &err));
  struct stat st;
  assert_int_equal(lstat((c.state_dir + "/locks/dave.lock").c_str(), &st), 0);
  assert_int_equal(st.st_uid, 65534);
  assert_int_equal(st.st_gid, 65534);
  assert_int_equal(st.st_mode & 07777, 0600);
}

void symlinks_are_refused(void** state) {
  Config c = Setup(Dir(state));
  assert_int_equal(mkdir(c.state_dir.c_str(), 0700), 0);
  Register(c, "erin", "+12015550125");
  // rate/ replaced by a symlink to a directory with a victim file.
  const std::string victim = Dir(state) + "/victim";
  assert_int_equal(mkdir(victim.c_str(), 0700), 0);
  assert_int_equal(rename((c.state_dir + "/rate").c_str(),
                          (Dir(state) + "/rate.real").c_str()),
                   0);
  assert_int_equal(symlink(victim.c_str(), (c.state_dir + "/rate").c_str()), 0);
  FILE* f = fopen((victim + "/user-erin.json").c_str(), "w");
  assert_non_null(f);
  fclose(f);
  ResetReport r;
  std::string err;
  assert_false(ResetUser(c, "erin", &r, &err));
  assert_true(Exists(victim + "/user-erin.json"));
  assert_true(Exists(c.state_dir + "/users/erin.json"));  // nothing half-done
  assert_true(Exists(c.cache_dir + "/erin"));
}

void reset_waits_for_the_users_lock(void** state) {
  Config c = Setup(Dir(state));
  assert_int_equal(mkdir(c.state_dir.c_str(), 0700), 0);
  Register(c, "frank", "+12015550126");
  int fd = open((c.state_dir + "/locks/frank.lock").c_str(), O_RDWR);
  assert_true(fd >= 0);
  assert_int_equal(flock(fd, LOCK_EX), 0);  // a helper saving a method
  ResetReport r;
  std::string err;
  assert_false(ResetUser(c, "frank", &r, &err));
  assert_non_null(strstr(err.c_str(), "timed out"));
  assert_true(Exists(c.state_dir + "/users/frank.json"));
  assert_true(Exists(c.cache_dir + "/frank"));
  close(fd);
  assert_true(ResetUser(c, "frank", &r, &err));
  assert_true(r.record);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(reset_removes_exactly_the_users_state,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(reset_frees_the_users_locked_number,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(the_lock_is_created_for_the_helper_user,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(symlinks_are_refused, sspr_test::Setup,
                                      sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(reset_waits_for_the_users_lock,
                                      sspr_test::Setup, sspr_test::Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
